"""`certify critical` on a depth-2 tanh deep-fc net at a float minimum of noisy teacher data:
strict-local-minimum, exit 0, with the proved lambda_min on the ball in the JSON; `certify check`
re-proves it (the deep ball Hessian again, on the recorded ball)."""

import json

import numpy as np

from float_minima import noisy_teacher_minimum
from numerics.networks import Architecture


def test_deep_minimum_is_a_strict_local_minimum(tmp_path, run_cli):
    arch = Architecture("deep-fc", 2, 2, depth=2, activation="tanh", train_output=True)
    params, X, y = noisy_teacher_minimum(arch, 0, n=40)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    np.savez(tmp_path / "w.npz", **{k: np.asarray(v) for k, v in params.layers.items()})
    (tmp_path / "c.toml").write_text('[data]\npath = "d.npz"\n\n[model]\nkind = "deep-fc"\ndepth = 2\n'
                                     'width = 2\nactivation = "tanh"\ntrain_output = true\n')
    code, out, err = run_cli("critical", tmp_path / "c.toml", "--weights", tmp_path / "w.npz",
                             "--inputs", "stored", "--out", tmp_path / "o")
    assert code == 0, err
    cp = json.loads((tmp_path / "o" / "critical_point.json").read_text())["critical_point"]
    assert cp["status"] == "strict-local-minimum" and cp["parameters"] == 10
    lo, hi = map(float, cp["curvature"]["lambda_min"])
    assert 0 < lo <= hi and float(cp["critical_point_distance"]) < 1e-6
    code, out, err = run_cli("check", tmp_path / "o" / "critical_point.json")
    assert code == 0, out + err
