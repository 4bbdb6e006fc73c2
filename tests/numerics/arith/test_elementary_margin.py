"""The opt-in libm margin mode: its premise is sampled here (a test, never a run-time premise),
and every verdict computed in it is conditional on that premise."""

import numpy as np
import pytest
from flint import arb

from numerics.arith import elementary as el
from numerics.arith.balls import arb_bounds
from numerics.arith.interval import Interval
from numerics.arith.rounding import ETA


def _sample_points(rng):
    tiny = np.array([5e-324, 1e-320, 2.2250738585072014e-308, 1e-300, 1e-30, 1e-8])
    unit = rng.uniform(-1, 1, 200)
    eps = 10.0 ** -rng.uniform(1, 16, 100)
    near1 = np.concatenate([1 - eps, -1 + eps, [np.nextafter(1.0, 0.0), np.nextafter(-1.0, 0.0)]])
    wide = rng.standard_normal(150) * 10.0 ** rng.uniform(-3, 2.5, 150)
    pts_unit = np.concatenate([unit, near1, tiny, -tiny])
    pts_all = np.concatenate([wide, tiny, -tiny, unit])
    return {"arccos": pts_unit, "arcsin": pts_unit,
            "exp": np.concatenate([pts_all, rng.uniform(-745, 709, 100)]),
            "expm1": pts_all, "log": np.abs(pts_all), "log1p": np.abs(pts_all),
            "tanh": pts_all, "erf": np.concatenate([pts_all, rng.uniform(-7, 7, 50)]),
            "sin": pts_all, "cos": pts_all}


def test_libm_within_half_the_margin_on_samples():
    """The premise of the margin mode, sampled against Arb (about 5000 points): libm's error is
    at most MARGIN_ULPS/2 units 2**-52|y| + 2**-1074 on this platform."""
    rng = np.random.default_rng(20261126)
    worst = 0.0
    count = 0
    for name, xs in _sample_points(rng).items():
        ys = el._float_eval(name, xs)
        for x, y in zip(xs.tolist(), ys.tolist()):
            if not np.isfinite(y) or (name == "log" and x == 0):
                continue
            exact = el._arb_eval(name, x)
            ratio = arb_bounds(abs(arb(y) - exact) / arb(abs(y) * 2.0 ** -52 + ETA))[1]
            worst = max(worst, ratio)
            count += 1
    assert count > 3000
    assert worst <= el.MARGIN_ULPS / 2, worst


def test_margin_mode_is_opt_in_and_logs_its_premise():
    assert el.elementary_mode() == "proved-polynomial"
    with el.premise_log() as used:
        el.exp(Interval(1.0))
    assert not used
    with el.elementary_mode_scope("margin"), el.premise_log() as used:
        assert el.elementary_mode() == "margin"
        r = el.exp(Interval(1.0))
        assert el.premises_used() == {el.MARGIN_PREMISE}
    assert used == {el.MARGIN_PREMISE}
    assert r.lo < np.e < r.hi
    assert el.mode_record()["mode"] == "proved-polynomial"
    with pytest.raises(ValueError, match="elementary mode='libm'.*allowed"):
        with el.elementary_mode_scope("libm"):
            pass


def test_margin_mode_makes_theorems_conditional():
    """A theorem evaluated under the margin mode is never certified: every hypothesis that holds
    names the premise, and the status is conditional."""
    from proofs.core import InstanceData
    from proofs.evaluation import evaluate
    from proofs.registry import get_theorem

    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 3))
    y = np.sign(rng.standard_normal(12))
    thm = get_theorem("dzps2019-two-layer-gf")
    params = dict(n=12, d=3, m="auto", delta=0.1, eta="auto")
    proved = evaluate(thm, InstanceData(X, y, params=params), params)
    with el.elementary_mode_scope("margin"):
        cond = evaluate(thm, InstanceData(X, y, params=params), params)
    assert proved.status == "certified" and not proved.premises
    assert cond.status == "conditional"
    for h in cond.hypotheses:
        if h.verdict.value == "holds":
            assert h.conditional_on["premise"] == el.MARGIN_PREMISE
