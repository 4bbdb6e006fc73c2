"""The saddle theorem modules: registration, checked derivation steps, Jin et al.'s explicit
parameters against hand-derived values, and verdicts on instances."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import sympy as sp

from numerics.landscape.results import CriticalPointSearch
from numerics.arith.verdict import Verdict
from proofs import ghjy2015, jin2017, lsjr2016
from proofs.core import Check, InstanceData
from proofs.evaluation import evaluate_theorem
from proofs.saddle_facts import SaddleFacts
from proofs.registry import theorem_ids


def test_registered():
    ids = theorem_ids()
    for tid in ("lsjr2016-gd-avoids-saddles", "jin2017-pgd", "ghjy2015-noisy-sgd"):
        assert tid in ids


@pytest.mark.parametrize("thm", [lsjr2016.THEOREM, jin2017.THEOREM, ghjy2015.THEOREM])
def test_non_cited_steps_are_proved(thm):
    for c in thm.constants:
        for step, verdict in c.derivation.check():
            if step.check is not Check.CITED:
                assert verdict is Verdict.HOLDS, (thm.id, c.name, step.description)


def test_c_is_a_symbol_with_documented_default():
    assert isinstance(jin2017.c, sp.Symbol)
    assert jin2017.c in jin2017.ETA.free_symbols
    assert jin2017.DEFAULT_C == 1
    assert "DEFAULT_C" in jin2017.__doc__ or "default" in jin2017.__doc__


def test_jin_parameters_by_hand():
    vals = {jin2017.ell: 2, jin2017.rho: 3, jin2017.epsilon: sp.Rational(1, 100), jin2017.delta: sp.Rational(1, 10),
            jin2017.Delta_f: 5, jin2017.c: sp.Rational(1, 2), jin2017.d: 4}
    chi = 3 * max(math.log(4 * 2 * 5 / (0.5 * 1e-4 * 0.1)), 4)
    assert float(jin2017.CHI.subs(vals)) == pytest.approx(chi, rel=1e-12)
    assert float(jin2017.ETA.subs(vals)) == pytest.approx(0.25)
    assert float(jin2017.RADIUS.subs(vals)) == pytest.approx(math.sqrt(0.5) / chi ** 2 * 0.01 / 2)
    assert float(jin2017.G_THRES.subs(vals)) == pytest.approx(math.sqrt(0.5) / chi ** 2 * 0.01)
    assert float(jin2017.F_THRES.subs(vals)) == pytest.approx(0.5 / chi ** 3 * math.sqrt(1e-6 / 3))
    assert float(jin2017.T_THRES.subs(vals)) == pytest.approx(chi / 0.25 * 2 / math.sqrt(0.03))


def _instance(ssp_complete=True, fi=Verdict.HOLDS, ell=11.0):
    search = CriticalPointSearch(("x",), np.array([-1.0]), np.array([1.0]), [], ssp_complete, {}, [])
    const = {"theta": 0.1, "gamma": 0.5, "zeta": 0.1, "strong_convexity": 1.0, "verdict": Verdict.HOLDS}
    facts = SaddleFacts(search=search, ell=ell, rho=12.0, delta_f=1.0, dim=1, constants=const,
                        forward_invariance=(fi, {}))
    return InstanceData(None, None, {}, {"saddle": facts})


def test_lsjr_certified_only_with_small_step_and_invariance():
    out = evaluate_theorem(lsjr2016.THEOREM, _instance(), {"alpha": 0.09})
    assert out["status"] == "certified"
    out = evaluate_theorem(lsjr2016.THEOREM, _instance(), {"alpha": 1 / 11})   # alpha = 1/L is not < 1/L
    step = next(h for h in out["hypotheses"] if h["id"] == "step-size")
    assert step["verdict"] == "fails" and out["status"] == "not-certified"
    out = evaluate_theorem(lsjr2016.THEOREM, _instance(fi=Verdict.UNDECIDED), {"alpha": 0.05})
    assert out["status"] == "not-certified"
    out = evaluate_theorem(lsjr2016.THEOREM, _instance(ssp_complete=False), {"alpha": 0.05})
    assert out["status"] == "not-certified"


def test_jin_and_ghjy_never_certified():
    inst = _instance()
    out = evaluate_theorem(jin2017.THEOREM, inst, {"epsilon": 0.01, "delta": sp.Rational(1, 10), "c": 1, "d": 1,
                                                   "Delta_f": 1.0})
    assert out["status"] == "not-certified"
    cmax = next(h for h in out["hypotheses"] if h["id"] == "c-at-most-c-max")
    assert cmax["verdict"] == "undecided"
    assert float(out["constants"]["eta_pgd"]["hi"]) == pytest.approx(1 / 11)
    out = evaluate_theorem(ghjy2015.THEOREM, inst, {})
    assert out["status"] == "not-certified"
    assert next(h for h in out["hypotheses"] if h["id"] == "strict-saddle")["verdict"] == "holds"


def test_lsjr_constant_hessian_gives_global_L():
    inst = _instance(fi=Verdict.FAILS)
    out = evaluate_theorem(lsjr2016.THEOREM, inst, {"alpha": 0.05})
    assert out["status"] == "not-certified"
    inst.cache["saddle"] = dataclasses.replace(inst.cache["saddle"], constant_hessian=True)
    out = evaluate_theorem(lsjr2016.THEOREM, inst, {"alpha": 0.05})
    assert out["status"] == "certified"


def test_saddle_facts_are_required():
    from proofs.saddle_facts import saddle_facts
    with pytest.raises(ValueError, match="SaddleFacts"):
        saddle_facts(InstanceData(None, None, {}, {}))
    with pytest.raises(ValueError, match="SaddleFacts"):
        saddle_facts(InstanceData(None, None, {}, {"saddle": {"ell": 1.0}}))
