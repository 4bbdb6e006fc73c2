"""`certify critical`: files, statuses, exit codes, and exit 2 naming the array on bad weights."""

import json

import numpy as np
import pytest


def _setup(tmp_path, model: str):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", X=rng.standard_normal((10, 3)), y=rng.standard_normal(10))
    (tmp_path / "c.toml").write_text(f'[data]\npath = "d.npz"\n\n[model]\n{model}\n')
    return tmp_path / "c.toml"


TANH = 'kind = "deep-fc"\ndepth = 1\nwidth = 4\nactivation = "tanh"'
RELU = 'kind = "two-layer-relu"\nwidth = 4\ntrain_output = true'


def test_zero_of_a_tanh_net_is_a_strict_saddle_with_files(tmp_path, run_cli):
    cfg = _setup(tmp_path, TANH)
    code, out, err = run_cli("critical", cfg, "--at", "zero", "--inputs", "stored", "--out", tmp_path / "o")
    assert code == 0, err
    doc = json.loads((tmp_path / "o" / "critical_point.json").read_text())
    cp = doc["critical_point"]
    assert cp["status"] == "strict-saddle" and float(cp["curvature"]["direction_value_upper"]) < 0
    assert float(cp["grad_norm_upper"]) < 1e-100 and cp["parameters"] == 16
    assert doc["float_search"]["label"].startswith("FLOAT")
    env = doc["environment"]
    assert env["rounding"].startswith("nearest-even") and "subnormals" in env and "blas" in env
    assert doc["numerics"]["context"]["precision_bits"] >= 53
    with np.load(tmp_path / "o" / "direction.npz") as f:
        assert set(f.files) == {"v", "W1", "a"} and f["v"].shape == (16,)
    for name in ("ritz_values.png", "loss_along_direction.png"):
        assert (tmp_path / "o" / name).read_bytes()[:4] == b"\x89PNG"
    assert "strict-saddle" in (tmp_path / "o" / "report.md").read_text()
    assert not [p for p in (tmp_path / "o").iterdir() if p.name.startswith(".")]


def test_relu_zero_point_is_undecided_exit_1(tmp_path, run_cli):
    cfg = _setup(tmp_path, RELU)
    code, out, err = run_cli("critical", cfg, "--at", "zero", "--out", tmp_path / "o")
    assert code == 1
    cp = json.loads((tmp_path / "o" / "critical_point.json").read_text())["critical_point"]
    assert cp["status"] == "undecided" and "not proved smooth" in cp["reason"]


@pytest.mark.parametrize("layers, array", [
    (dict(W=np.ones((4, 2)), a=np.ones(4)), "W"),                    # wrong shape
    (dict(W=np.full((4, 3), np.nan), a=np.ones(4)), "W"),            # NaN
    (dict(W=np.ones((4, 3)), a=np.array([1.0, np.inf, 1.0, 1.0])), "a"),   # inf
    (dict(W=np.ones((4, 3))), "a"),                                   # missing
])
def test_bad_weights_exit_2_naming_the_array(tmp_path, run_cli, layers, array):
    cfg = _setup(tmp_path, RELU)
    np.savez(tmp_path / "w.npz", **layers)
    code, out, err = run_cli("critical", cfg, "--weights", tmp_path / "w.npz", "--out", tmp_path / "o")
    assert code == 2 and f"'{array}'" in err
    assert not (tmp_path / "o").exists()


def test_point_must_be_given_exactly_once(tmp_path, run_cli):
    cfg = _setup(tmp_path, RELU)
    code, _, err = run_cli("critical", cfg, "--out", tmp_path / "o")
    assert code == 2 and "--weights/--at" in err
    code, _, err = run_cli("critical", cfg, "--at", "zero", "--weights", "x.npz", "--out", tmp_path / "o")
    assert code == 2 and not (tmp_path / "o").exists()


def test_train_output_is_a_model_key(tmp_path, run_cli):
    cfg = _setup(tmp_path, 'kind = "two-layer-relu"\nwidth = 4\ntrain_output = "yes please"')
    code, _, err = run_cli("critical", cfg, "--at", "init", "--out", tmp_path / "o")
    assert code == 2 and "model.train_output" in err


def test_the_classified_point_is_saved_and_classifies_again(tmp_path, run_cli):
    cfg = _setup(tmp_path, TANH)
    cfg.write_text(cfg.read_text() + "\n[train]\nsteps = 30\nstep_size = 0.05\n")
    code, _, err = run_cli("critical", cfg, "--at", "trained", "--inputs", "stored", "--out", tmp_path / "a")
    assert code in (0, 1), err
    first = json.loads((tmp_path / "a" / "critical_point.json").read_text())


    assert first["point"]["saved_as"] == "point.npz"
    code, _, err = run_cli("critical", cfg, "--weights", tmp_path / "a" / "point.npz", "--inputs", "stored",
                           "--out", tmp_path / "b")
    again = json.loads((tmp_path / "b" / "critical_point.json").read_text())
    assert again["point"]["sha256"] == first["point"]["sha256"]
    assert again["critical_point"]["status"] == first["critical_point"]["status"]
    assert again["critical_point"]["grad_norm_upper"] == first["critical_point"]["grad_norm_upper"]
    with np.load(tmp_path / "a" / "point.npz") as z:
        z = {k: z[k] for k in z.files}
    z["W1"] = z["W1"].copy()
    z["W1"].flat[0] += 1e-9
    np.savez(tmp_path / "moved.npz", **z)
    code, _, _ = run_cli("critical", cfg, "--weights", tmp_path / "moved.npz", "--inputs", "stored",
                         "--out", tmp_path / "c")
    moved = json.loads((tmp_path / "c" / "critical_point.json").read_text())
    assert moved["point"]["sha256"] != first["point"]["sha256"]
