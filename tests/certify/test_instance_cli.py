"""`certify instance`: certificates for one concrete network, bad input, width sweeps."""

from __future__ import annotations

import json

import numpy as np
import pytest

from certify.certificate import content_hash

CONFIG = """
[data]
source = "sphere"
n = 8
d = 4
seed = 1
labels = "random-sign"

[model]
kind = "two-layer-relu"
{width}

[train]
step_size = "auto"
steps = {steps}
seed = 3
{extra}"""

REQUIRED = ("status", "point", "stable_neurons", "tau", "lambda_min_HS", "correction_max",
            "distance_from_init_max", "sqrt_m_distance", "theorem_width")


@pytest.fixture
def config_file(tmp_path):
    def make(width: int | None = 300, steps: int = 150, extra: str = ""):
        p = tmp_path / "cfg.toml"
        p.write_text(CONFIG.format(width=f"width = {width}" if width else "", steps=steps, extra=extra))
        return p
    return make


def _cert(out):
    return json.loads((out / "certificate.json").read_text())


def _data(seed=1, n=8, d=4):
    from certify.data import generate_sphere

    return generate_sphere(n, d, seed, "random-sign")


NO_SEARCH = '\n[instance]\nsearch = "none"\n'


def test_init_then_trained_certificate(run_cli, config_file, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli("instance", config_file(extra=NO_SEARCH), "--out", out)
    cert = _cert(out)
    assert cert["content_sha256"] == content_hash(cert)
    inst = cert["instance"]
    for k in REQUIRED:
        assert k in inst
    assert [p["point"] for p in cert["instance_points"]] == ["initialization", "trained"]
    assert inst["point"] == "trained"
    assert code == (0 if inst["status"] == "certified" else 1)
    # GD on 8 points with 300 neurons interpolates; the trained net is then certified
    assert inst["status"] == "certified", inst["reason"]
    for k in ("tau", "lambda_min_HS", "correction_max", "distance_from_init_max", "sqrt_m_distance"):
        assert float(inst[k]["lo"]) <= float(inst[k]["hi"])
    assert float(inst["tau"]["lo"]) > 0 and float(inst["lambda_min_HS"]["lo"]) > 0
    assert float(inst["ratio_max"]) < 1              # every |dw_r.x_i| / |w_r.x_i| bound
    assert inst["theorem_width"]["m"] > 300          # the theorem needs far more
    assert cert["theorems"][0]["id"] == "lazy-global-minimizer-nearby"
    assert cert["theorems"][0]["status"] == inst["status"]
    # the saved weights reproduce the certificate through --weights
    code2, _, _ = run_cli("instance", config_file(), "--out", tmp_path / "again", "--weights", out / "weights.npz")
    again = _cert(tmp_path / "again")["instance"]
    assert code2 == 0 and again["sqrt_m_distance"] == inst["sqrt_m_distance"]
    assert (out / "report.md").exists() and (out / "report.html").exists()


def _write_weights(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("case,field", [
    ("shape", "--weights.W"), ("sign", "--weights.a[1]"), ("nan", "--weights.W"),
    ("missing", "--weights"), ("a_shape", "--weights.a"), ("w0_shape", "--weights.W0"),
])
def test_bad_weights_exit_2(run_cli, config_file, tmp_path, case, field):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((10, 4))
    a = np.ones(10)
    arrays = {"W": W, "a": a}
    if case == "shape":
        arrays["W"] = rng.standard_normal((10, 3))
    elif case == "sign":
        arrays["a"] = np.array([1.0, 0.5] + [1.0] * 8)
    elif case == "nan":
        arrays["W"] = W.copy()
        arrays["W"][2, 1] = np.nan
    elif case == "missing":
        arrays = {"W": W}
    elif case == "a_shape":
        arrays["a"] = np.ones(9)
    elif case == "w0_shape":
        arrays["W0"] = np.ones((9, 4))
    p = _write_weights(tmp_path / "w.npz", **arrays)
    out = tmp_path / "out"
    code, stdout, err = run_cli("instance", config_file(), "--out", out, "--weights", p)
    assert code == 2
    assert field in err
    assert not out.exists()


def test_bad_widths_and_missing_width_exit_2(run_cli, config_file, tmp_path):
    assert run_cli("instance", config_file(), "--out", tmp_path / "o", "--widths", "10,abc")[0] == 2
    assert run_cli("instance", config_file(), "--out", tmp_path / "o", "--widths", "0")[0] == 2
    code, _, err = run_cli("instance", config_file(width=None), "--out", tmp_path / "o")
    assert code == 2 and "model.width" in err


def test_too_narrow_weights_are_never_certified(run_cli, config_file, tmp_path):
    X, y = _data()
    rng = np.random.default_rng(5)
    W = rng.standard_normal((1, 4))                 # m d = 4 < n = 8
    p = _write_weights(tmp_path / "w.npz", W=W, a=np.array([-1.0]))
    code, _, _ = run_cli("instance", config_file(), "--out", tmp_path / "out", "--weights", p)
    inst = _cert(tmp_path / "out")["instance"]
    assert code == 1 and inst["status"] == "not-certified" and "rank" in inst["reason"]
    hyps = {h["id"]: h["verdict"] for h in _cert(tmp_path / "out")["theorems"][0]["hypotheses"]}
    assert hyps["interpolation-rank"] == "fails"


def test_given_interpolating_weights_are_certified_with_distance_from_W0(run_cli, config_file, tmp_path):
    X, y = _data()
    rng = np.random.default_rng(2)
    m = 400
    W0 = rng.standard_normal((m, 4))
    a = rng.choice([-1.0, 1.0], size=m)
    Xf = X / np.linalg.norm(X, axis=1, keepdims=True)
    W = W0.copy()
    for _ in range(400):                         # plain GD, step 1/lambda_max
        Z = W @ Xf.T
        A = Z >= 0
        r = a @ (Z * A) / np.sqrt(m) - y
        W -= 0.5 * ((A * r) @ Xf) * (a[:, None] / np.sqrt(m))
    p = _write_weights(tmp_path / "w.npz", W=W, a=a, W0=W0)
    code, _, _ = run_cli("instance", config_file(), "--out", tmp_path / "out", "--weights", p)
    inst = _cert(tmp_path / "out")["instance"]
    assert code == 0 and inst["point"] == "given"
    moved = np.linalg.norm(W - W0, axis=1).max()
    corr = float(inst["correction_max"]["hi"])
    assert float(inst["distance_from_init_max"]["lo"]) <= moved + corr
    assert float(inst["distance_from_init_max"]["hi"]) >= moved - corr


def test_width_sweep_table_and_figure(run_cli, config_file, tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = run_cli("instance", config_file(width=None, steps=60, extra=NO_SEARCH), "--out", out,
                                "--widths", "1,400")
    cert = _cert(out)
    sweep = cert["width_sweep"]
    assert sweep["widths"] == [1, 400]
    points = {(r["m"], r["point"]) for r in sweep["rows"]}
    assert points == {(1, "initialization"), (1, "trained"), (400, "initialization"), (400, "trained")}
    for r in sweep["rows"]:
        if r["m"] == 1:
            assert r["status"] == "not-certified"     # m d = 4 < n = 8
    s = sweep["summary"]
    assert s["certified_width_trained"]["3"] in (None, 400)
    assert s["theorem_width"] == cert["instance"]["theorem_width"]["m"]
    assert (out / "widths.png").stat().st_size > 1000
    assert "theorem width" in (out / "widths.md").read_text()
    assert cert["instance"]["m"] == 400


def test_explain_lists_the_checked_steps(run_cli):
    code, out, _ = run_cli("explain", "lazy-global-minimizer-nearby")
    assert code == 0
    assert "pattern" in out and "H_c" in out
