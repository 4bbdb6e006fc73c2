"""End to end: `certify run`, `certify check`, exit codes and bad input (issue 2)."""

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "two_layer_relu.toml"


def write_config(tmp_path, body: str, name="cfg.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(body))
    return p


def npz_config(tmp_path, X, y, extra="") -> Path:
    np.savez(tmp_path / "data.npz", X=X, y=y)
    return write_config(tmp_path, f"""
        [data]
        path = "data.npz"
        [certify]
        delta = 0.1
        {extra}
    """)


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    from certify.cli import main

    out = tmp_path_factory.mktemp("run") / "out"
    with pytest.raises(SystemExit) as exc:
        main(["run", str(EXAMPLE), "--out", str(out)])
    return exc.value.code, out


def test_example_is_certified_with_all_outputs(example_run):
    code, out = example_run
    assert code == 0
    cert = json.loads((out / "certificate.json").read_text())
    assert cert["schema"] == "dl-certify/certificate/1"
    assert cert["verdict"] == "certified"
    ids = [t["id"] for t in cert["theorems"]]
    assert ids == ["dzps2019-lambda0-positive", "dzps2019-two-layer-gf", "dzps2019-two-layer-gd"]
    gd = cert["theorems"][2]
    lo, hi = float(gd["quantities"]["lambda0"]["lo"]), float(gd["quantities"]["lambda0"]["hi"])
    assert 0 < lo <= hi <= 0.5
    assert (hi - lo) / hi < 1e-6
    # decimal strings round-trip exactly
    assert repr(float(gd["quantities"]["lambda0"]["lo"])) == gd["quantities"]["lambda0"]["lo"]
    w_hi = float(gd["constants"]["width"]["hi"])
    assert gd["parameters"]["m"] > w_hi
    eta = float(gd["parameters"]["eta"])
    assert 0 < eta <= lo / (4 * 20**2)
    assert {h["verdict"] for h in gd["hypotheses"]} == {"holds"}
    assert (out / "report.md").read_text().startswith("# dl-certify report")
    assert "<html" in (out / "report.html").read_text()


def test_width_is_the_theorem_formula_evaluated_on_lambda0(example_run):
    import math

    _, out = example_run
    cert = json.loads((out / "certificate.json").read_text())
    gd = cert["theorems"][2]
    lam = float(gd["quantities"]["lambda0"]["lo"]), float(gd["quantities"]["lambda0"]["hi"])
    C = float(gd["quantities"]["C_y"]["hi"])
    n, delta = 20, 0.05
    f = lambda l: 131072 / math.pi * (C**2 + 0.5) * n**2 * (n**2 + n**1.5) ** 2 / (l**4 * delta**3)
    lo, hi = float(gd["constants"]["width"]["lo"]), float(gd["constants"]["width"]["hi"])
    assert lo <= f(lam[1]) * (1 + 1e-12) and f(lam[0]) * (1 - 1e-12) <= hi


def test_check_accepts_untouched_and_rejects_tampered(example_run, run_cli, tmp_path):
    _, out = example_run
    code, stdout, _ = run_cli("check", out / "certificate.json")
    assert code == 0, stdout
    cert = json.loads((out / "certificate.json").read_text())
    # tamper with a verdict
    bad = json.loads(json.dumps(cert))
    bad["theorems"][2]["hypotheses"][2]["verdict"] = "fails"
    p = tmp_path / "tampered.json"
    p.write_text(json.dumps(bad))
    code, _, err = run_cli("check", p)
    assert code == 1 and "content_sha256" in err
    # tamper and re-seal: recomputation still catches it
    from certify.certificate import seal

    lam = cert["theorems"][2]["quantities"]["lambda0"]
    bad2 = json.loads(json.dumps(cert))
    bad2["theorems"][2]["quantities"]["lambda0"]["lo"] = repr(float(lam["hi"]) * (1 + 1e-9))
    bad2["theorems"][2]["quantities"]["lambda0"]["hi"] = repr(float(lam["hi"]) * (1 + 2e-9))
    bad2 = seal({k: v for k, v in bad2.items() if k != "content_sha256"})
    p.write_text(json.dumps(bad2))
    code, _, err = run_cli("check", p)
    assert code == 1 and "theorems[2].quantities.lambda0.lo" in err and "false" in err
    # a wider enclosure is a weaker statement, and still true: accepted
    weak = json.loads(json.dumps(cert))
    weak["theorems"][2]["quantities"]["lambda0"]["lo"] = repr(float(lam["lo"]) * 0.5)
    p.write_text(json.dumps(seal({k: v for k, v in weak.items() if k != "content_sha256"})))
    code, _, err = run_cli("check", p)
    assert code == 0, err


def test_check_detects_altered_data(tmp_path, run_cli):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 3))
    y = rng.choice([-1.0, 1.0], 6)
    cfg = npz_config(tmp_path, X, y)
    code, _, _ = run_cli("run", cfg, "--out", tmp_path / "o")
    assert code == 0
    X[0, 0] += 1e-9
    np.savez(tmp_path / "data.npz", X=X, y=y)
    code, _, err = run_cli("check", tmp_path / "o" / "certificate.json")
    assert code == 1 and "sha256" in err


def test_parallel_inputs_never_hold_and_name_the_pair(tmp_path, run_cli):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((5, 3))
    X[3] = 4.0 * X[1]  # exactly parallel (a power of two keeps the float product exact)
    y = np.ones(5)
    np.savez(tmp_path / "data.npz", X=X, y=y)
    cfg = write_config(tmp_path, """
        [data]
        path = "data.npz"
        duplicates = "keep"
        [certify]
        delta = 0.1
    """)
    code, stdout, _ = run_cli("run", cfg, "--out", tmp_path / "o")
    assert code == 1
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    t31 = cert["theorems"][0]
    hyp = {h["id"]: h for h in t31["hypotheses"]}
    assert hyp["no-parallel-inputs"]["verdict"] == "fails"
    assert "1 and 3" in hyp["no-parallel-inputs"]["message"]
    for t in cert["theorems"][1:]:
        h = {h["id"]: h for h in t["hypotheses"]}
        assert h["lambda0-positive"]["verdict"] == "fails"
        assert "inputs 1 and 3 are parallel" in h["lambda0-positive"]["message"]
        assert t["status"] == "not-certified"
    assert t31["quantities"]["lambda0"]["lo"] == t31["quantities"]["lambda0"]["hi"] == "0.0"
    # merged by default: the same data with the duplicate folded into row 1 is certified
    cfg.write_text(cfg.read_text().replace('duplicates = "keep"', ""))
    code, _, err = run_cli("run", cfg, "--out", tmp_path / "m")
    cert = json.loads((tmp_path / "m" / "certificate.json").read_text())
    assert cert["data"]["provenance"]["merged_rows"] == [{"kept": 1, "merged": [3], "kind": "positive multiples"}]
    assert "row 1 kept" in err and cert["data"]["n"] == 4


def test_antiparallel_inputs_are_allowed(tmp_path, run_cli):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 3))
    X[4] = -0.5 * X[0]
    cfg = npz_config(tmp_path, X, rng.choice([-1.0, 1.0], 5))
    code, _, _ = run_cli("run", cfg, "--out", tmp_path / "o")
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    hyp = {h["id"]: h for t in cert["theorems"] for h in t["hypotheses"]}
    assert hyp["no-parallel-inputs"]["verdict"] == "holds"
    assert hyp["lambda0-positive"]["verdict"] == "holds"
    assert code == 0


def test_given_width_too_small_fails_and_given_step_too_large_fails(tmp_path, run_cli):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((4, 3))
    cfg = npz_config(tmp_path, X, np.ones(4), extra="")
    text = cfg.read_text() + "\n[model]\nwidth = 1000\n[train]\nstep_size = 10.0\n"
    cfg.write_text(text)
    code, _, _ = run_cli("run", cfg, "--out", tmp_path / "o")
    assert code == 1
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    gd = {h["id"]: h for h in cert["theorems"][2]["hypotheses"]}
    assert gd["width"]["verdict"] == "fails"
    assert gd["step-size"]["verdict"] == "fails"
    assert cert["theorems"][2]["parameters"]["m"] == 1000


def test_huge_float_width_is_accepted(tmp_path, run_cli):
    rng = np.random.default_rng(5)
    cfg = npz_config(tmp_path, rng.standard_normal((4, 3)), np.ones(4))
    cfg.write_text(cfg.read_text() + "\n[model]\nwidth = 1e40\n")
    code, _, _ = run_cli("run", cfg, "--out", tmp_path / "o")
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    gd = {h["id"]: h for h in cert["theorems"][2]["hypotheses"]}
    assert gd["width"]["verdict"] == "holds" and code == 0


BAD_CONFIGS = {
    "unknown-key": ("[data]\nsource='sphere'\nn=5\nd=3\n[model]\nwdith=10\n", "model.wdith"),
    "n-too-small": ("[data]\nsource='sphere'\nn=1\nd=3\n", "data.n"),
    "width-zero": ("[data]\nsource='sphere'\nn=5\nd=3\n[model]\nwidth=0\n", "model.width"),
    "delta-out": ("[data]\nsource='sphere'\nn=5\nd=3\n[certify]\ndelta=1.5\n", "certify.delta"),
    "negative-step": ("[data]\nsource='sphere'\nn=5\nd=3\n[train]\nstep_size=-0.1\n", "train.step_size"),
    "unknown-theorem": ("[data]\nsource='sphere'\nn=5\nd=3\n[certify]\ntheorems=['nope']\n", "certify.theorems"),
    "missing-file": ("[data]\npath='missing.npz'\n", "data.path"),
    "bad-toml": ("[data\n", "CONFIG"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_exits_2_naming_the_field_and_writes_nothing(case, tmp_path, run_cli):
    body, field = BAD_CONFIGS[case]
    cfg = tmp_path / "c.toml"
    cfg.write_text(body)
    out = tmp_path / "out"
    code, _, err = run_cli("run", cfg, "--out", out)
    assert code == 2
    assert field in err
    assert not out.exists()


BAD_DATA = {
    "nan": (lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 4, np.nan, X), y), "data.X[1, 1]"),
    "inf-label": (lambda X, y: (X, np.where(np.arange(y.size) == 2, np.inf, y)), "data.y[2]"),
    "zero-row": (lambda X, y: (np.vstack([X[:2], np.zeros((1, 3)), X[3:]]), y), "data.X[2]"),
    "wrong-shape-y": (lambda X, y: (X, y[:-1]), "data.y"),
    "one-d-X": (lambda X, y: (X[:, 0], y), "data.X"),
}


@pytest.mark.parametrize("case", sorted(BAD_DATA))
def test_bad_data_exits_2(case, tmp_path, run_cli):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 3)), np.ones(5)
    X, y = BAD_DATA[case][0](X, y)
    cfg = npz_config(tmp_path, X, y)
    out = tmp_path / "out"
    code, _, err = run_cli("run", cfg, "--out", out)
    assert code == 2, err
    assert BAD_DATA[case][1] in err
    assert not out.exists()


def test_wrong_array_names_exit_2(tmp_path, run_cli):
    np.savez(tmp_path / "data.npz", inputs=np.ones((3, 2)), labels=np.ones(3))
    cfg = write_config(tmp_path, "[data]\npath = 'data.npz'\n")
    code, _, err = run_cli("run", cfg, "--out", tmp_path / "out")
    assert code == 2 and "X" in err and "missing" in err


def test_theorems_and_explain(run_cli):
    code, out, _ = run_cli("theorems")
    assert code == 0 and "dzps2019-two-layer-gd" in out
    code, out, _ = run_cli("explain", "dzps2019-two-layer-gf")
    assert code == 0
    assert "printed" in out and "R' = sqrt(n)" in out  # the Lemma 3.3 discrepancy is shown
    assert "| sympy |" in out and "holds" in out
    code, _, err = run_cli("explain", "no-such-theorem")
    assert code == 2 and "THEOREM_ID" in err


def test_check_rejects_foreign_json(tmp_path, run_cli):
    p = tmp_path / "x.json"
    p.write_text('{"hello": 1}')
    code, _, err = run_cli("check", p)
    assert code == 2 and "schema" in err
    p.write_text("not json")
    code, _, err = run_cli("check", p)
    assert code == 2


@pytest.mark.parametrize("tid,verb", [("lsjr2016-gd-avoids-saddles", "certify saddle"),
                                      ("kakade-lee2018-subdifferentiation", "certify subgradient"),
                                      ("lazy-global-minimizer-nearby", "certify instance")])
def test_theorems_of_other_verbs_are_bad_input_for_run(tid, verb, tmp_path, run_cli):
    cfg = write_config(tmp_path, f"[data]\nsource='sphere'\nn=5\nd=3\n[certify]\ntheorems=['{tid}']\n")
    code, _, err = run_cli("run", cfg, "--out", tmp_path / "o")
    assert code == 2 and "certify.theorems" in err and verb in err
    assert not (tmp_path / "o").exists()


def test_report_renders_a_saddle_certificate(tmp_path, run_cli):
    code, _, _ = run_cli("saddle", "--expr", "x^2/2 + y^4/4 - y^2/2", "--box", "x=-2:2,y=-2:2",
                         "--out", tmp_path / "s")
    assert code == 0
    code, out, _ = run_cli("report", tmp_path / "s" / "certificate.json", "--format", "md")
    assert code == 0 and "strict-saddle" in out.lower()
    code, out, _ = run_cli("report", tmp_path / "s" / "certificate.json", "--format", "html")
    assert code == 0 and out.lstrip().startswith("<!DOCTYPE html>")
