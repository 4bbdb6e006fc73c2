"""run_two_layer_experiments: summary keys, counterexample accounting, validation."""

import json

import numpy as np
import pytest

from numerics.empirical.observables import h_inf_closed_form_float
from numerics.empirical.two_layer_experiments import run_two_layer_experiments


def _data(n=10, d=4):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, rng.choice([-1.0, 1.0], n)


def test_summary_keys_and_wide_nets_behave_like_the_kernel_regime():
    X, y = _data()
    H = h_inf_closed_form_float(X)
    lam0 = float(np.linalg.eigvalsh(H)[0])
    out = run_two_layer_experiments(X, y, lambda0=lam0, step_size=0.5, widths=[32, 256, 2048], seeds=[0, 1, 2],
                                    steps=200, theorem_applies=lambda w: w >= 256, H_inf=H, eps=0.05,
                                    theorem_width=1e12)
    json.dumps(out, allow_nan=False)
    for k in ("movement_slope", "bound_violations", "runs", "device", "dtype", "seeds", "widths", "curves",
              "empirical_sufficient_width", "arora", "per_width"):
        assert k in out
    assert out["runs"] == 9 and out["widths"] == [32, 256, 2048] and out["seeds"] == [0, 1, 2]
    assert out["theorem_applies_runs"] == 6
    ms = out["movement_slope"]
    assert ms["lo"] <= ms["estimate"] <= ms["hi"] < 0  # neurons move less in wider nets
    sched = out["curves"]["schedule"]
    assert sched[0] == 0 and sched[-1] == 200
    assert all(len(c["loss_median"]) == len(sched) for c in out["curves"]["per_width"].values())
    gaps = out["arora"]["linearized_gap_median"]
    assert gaps["2048"] < gaps["32"]  # the linearized prediction is better at larger width
    esw = out["empirical_sufficient_width"]
    if esw["width"] is not None:
        assert esw["theorem_over_empirical"] == pytest.approx(1e12 / esw["width"])
    assert [row["width"] for row in out["per_width"]] == [32, 256, 2048]


def test_divergent_runs_are_counterexamples_only_where_the_theorem_applies():
    X, y = _data()
    kw = dict(lambda0=0.05, step_size=8.0, widths=[16, 64], seeds=[0, 1], steps=10)
    out = run_two_layer_experiments(X, y, theorem_applies=lambda w: w == 64, **kw)
    assert out["bound_violations"] == 2 and len(out["counterexamples"]) == 2
    assert all(c["width"] == 64 for c in out["counterexamples"])
    assert out["counterexample_flag"].startswith("COUNTEREXAMPLE")
    assert run_two_layer_experiments(X, y, theorem_applies=False, **kw)["bound_violations"] == 0
    sgd = run_two_layer_experiments(X, y, theorem_applies=True, method="sgd", batch_size=4, **kw)
    assert sgd["bound_violations"] == 0 and sgd["method"] == "sgd"  # DZPS Thm 4.1 is a full-batch GD theorem


@pytest.mark.parametrize("bad, field", [
    (dict(lambda0=0.0), "lambda0"), (dict(step_size=-1.0), "step_size"), (dict(widths=[]), "widths"),
    (dict(seeds=[1, 1]), "seeds"), (dict(steps=-2), "steps"), (dict(method="adam"), "method"),
    (dict(method="sgd"), "batch_size"), (dict(dtype="half"), "dtype"), (dict(device="gpu"), "device"),
    (dict(H_inf=np.eye(3)), "H_inf"),
])
def test_bad_input_names_the_argument(bad, field):
    X, y = _data()
    kw = dict(lambda0=0.1, step_size=0.1, widths=[4], seeds=[0], steps=2)
    kw.update(bad)
    with pytest.raises(ValueError, match=field):
        run_two_layer_experiments(X, y, **kw)
    with pytest.raises(ValueError, match="unit"):
        run_two_layer_experiments(2 * X, y, lambda0=0.1, step_size=0.1, widths=[4], seeds=[0], steps=2)
