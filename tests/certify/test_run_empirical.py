"""`certify run` with an [empirical] section: evidence beside the verdicts, never changing them."""

import json
import textwrap


def _cfg(tmp_path, device="cpu"):
    p = tmp_path / "c.toml"
    p.write_text(textwrap.dedent(f"""
        [data]
        source = "sphere"
        n = 6
        d = 4
        [train]
        step_size = 0.1
        [certify]
        theorems = ["dzps2019-two-layer-gd"]
        [empirical]
        enabled = true
        widths = [16, 64, 256]
        seeds = [0, 1]
        steps = 60
        device = "{device}"
    """))
    return p


def test_empirical_evidence_is_recorded_and_verdicts_unchanged(tmp_path, run_cli):
    cfg = _cfg(tmp_path)
    code_e, _, _ = run_cli("run", cfg, "--out", tmp_path / "with")
    code_n, _, _ = run_cli("run", cfg, "--out", tmp_path / "without", "--no-empirical")
    assert code_e == code_n
    a = json.loads((tmp_path / "with" / "certificate.json").read_text())
    b = json.loads((tmp_path / "without" / "certificate.json").read_text())
    ta, tb = a["theorems"][0], b["theorems"][0]
    assert [h["verdict"] for h in ta["hypotheses"]] == [h["verdict"] for h in tb["hypotheses"]]
    assert ta["status"] == tb["status"] and a["verdict"] == b["verdict"]
    emp = ta["empirical"]
    assert emp["runs"] == 6 and emp["device"] == "cpu" and emp["dtype"] == "float64"
    assert set(emp["movement_slope"]) >= {"estimate", "lo", "hi"}
    assert emp["movement_slope"]["lo"] <= emp["movement_slope"]["estimate"] <= emp["movement_slope"]["hi"]
    # the theorem's width is astronomical, so no run is at a configuration where it applies
    assert emp["bound_violations"] == 0
    assert "empirical" not in tb
    html = (tmp_path / "with" / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 2
    # check ignores evidence and recomputes the rigorous part only
    code, _, err = run_cli("check", tmp_path / "with" / "certificate.json")
    assert code == 0, err


def test_cuda_without_gpu_is_bad_input(tmp_path, run_cli):
    import torch

    if torch.cuda.is_available():
        import pytest

        pytest.skip("a GPU is present")
    code, _, err = run_cli("run", _cfg(tmp_path, device="cuda"), "--out", tmp_path / "o")
    assert code == 2 and "empirical.device" in err
    assert not (tmp_path / "o").exists()
