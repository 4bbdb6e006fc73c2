"""`certify overspec`: files written, the label, the table, and exit 2 on bad input with nothing written."""

import json

import pytest
import torch

SMALL = ["--teacher-width", 3, "--widths", "3,6", "--d", 4, "--n", 50, "--n-test", 20, "--seeds", 2,
         "--steps", 20, "--lr", 0.01, "--device", "cpu"]


def test_overspec_writes_json_and_png_and_prints_the_table(tmp_path, run_cli):
    out = tmp_path / "o"
    code, stdout, err = run_cli("overspec", *SMALL, "--out", out)
    assert code == 0, err
    res = json.loads((out / "overspec.json").read_text())
    assert "our setup, not the paper's" in res["setup"]
    assert [e["width"] for e in res["per_width"]] == [3, 6]
    assert res["config"]["seeds"] == 2 and res["config"]["steps"] == 20 and res["dtype"] == "float64"
    assert (out / "overspec.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in out.iterdir()) == ["overspec.json", "overspec.png"]  # no temp files
    assert "our setup, not the paper's" in stdout and "never a verdict" in stdout
    rows = [line.split() for line in stdout.splitlines() if line.split() and line.split()[0] in ("3", "6")]
    assert [r[0] for r in rows] == ["3", "6"]
    for r, e in zip(rows, res["per_width"]):
        assert f"{e['successes']}/{e['trials']}" in " ".join(r)


def test_same_seed_gives_the_same_numbers(tmp_path, run_cli):
    for name in ("a", "b"):
        assert run_cli("overspec", *SMALL, "--seed", 5, "--out", tmp_path / name)[0] == 0
    a, b = (json.loads((tmp_path / n / "overspec.json").read_text()) for n in ("a", "b"))
    assert [e["relative_final_train_loss"] for e in a["per_width"]] == \
           [e["relative_final_train_loss"] for e in b["per_width"]]


BAD = [
    (["--widths", ""], "--widths"),
    (["--widths", "3,0"], "--widths"),
    (["--widths", "3,-6"], "--widths"),
    (["--widths", "3,x"], "--widths"),
    (["--teacher-width", "0"], "--teacher-width"),
    (["--tol", "0"], "--tol"),
    (["--tol", "-1e-3"], "--tol"),
    (["--device", "tpu"], "--device"),
    (["--dtype", "float16"], "--dtype"),
    (["--optimizer", "lbfgs"], "--optimizer"),
    (["--lr-schedule", "step"], "--lr-schedule"),
    (["--lr", "0"], "--lr"),
    (["--seeds", "0"], "--seeds"),
    (["--steps", "-1"], "--steps"),
]


@pytest.mark.parametrize("extra,option", BAD)
def test_bad_input_exits_2_naming_the_option_and_writes_nothing(tmp_path, run_cli, extra, option):
    out = tmp_path / "o"
    code, _, err = run_cli("overspec", *SMALL, *extra, "--out", out)
    assert code == 2
    assert err.startswith(f"error: {option}: got ")
    assert "; allowed: " in err
    assert not out.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is present")
def test_cuda_without_a_gpu_exits_2_naming_device(tmp_path, run_cli):
    code, _, err = run_cli("overspec", *SMALL, "--device", "cuda", "--out", tmp_path / "o")
    assert code == 2 and "--device" in err and "'cuda'" in err
    assert not (tmp_path / "o").exists()


def test_out_that_is_a_file_exits_2(tmp_path, run_cli):
    f = tmp_path / "f"
    f.write_text("x")
    code, _, err = run_cli("overspec", *SMALL, "--out", f)
    assert code == 2 and "--out" in err and f.read_text() == "x"
