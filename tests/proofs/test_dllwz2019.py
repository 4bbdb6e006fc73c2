"""Du-Lee-Li-Wang-Zhai theorems: the symbolic derivation of the ResNet headline, unnamed constants
as symbols with critical values that really separate holds from fails, activation conditions."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from numerics.symbolic.enclosure import decide_relation
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from proofs import dllwz2019 as D
from proofs.core import Check, InstanceData, LeadingForm, Step
from proofs.evaluation import critical_value, evaluate_theorem


def _instance(activation="relu", depth=3, n=6, seed=0, parallel=False):
    X = np.random.default_rng(seed).standard_normal((n, 3))
    if parallel:
        X[1] = 4.0 * X[0]      # exact in binary64
    y = np.sign(np.random.default_rng(seed + 1).standard_normal(n))
    params = dict(n=n, d=3, m=10**6, delta=0.05, eta=1e-3, depth=depth, H=depth, activation=activation,
                  c_res=0.5)
    return InstanceData(X, y, params=params), params


def _hyp(entry, hid):
    return next(h for h in entry["hypotheses"] if h["id"] == hid)


def test_headline_derivation_every_sympy_step_proved():
    c = D.RESNET_THEOREM.constant("headline_width")
    results = c.derivation.check()
    assert c.derivation.status() == "checked-with-cited-and-empirical"
    for step, verdict in results:
        if step.check is Check.SYMPY:
            assert verdict is Verdict.HOLDS, step.description
    leading = [s.claim for s in c.derivation.steps if s.claim.has(LeadingForm)]
    assert [sp.simplify(claim.lhs.doit() - claim.rhs) for claim in leading] == [0, 0]
    assert {claim.rhs for claim in leading} == {D.n**4 * D.H**2 / D.kappa0**4, D.n**2 * D.H**4 * D.L / D.kappa0**2}


def test_the_bounded_kappa0_is_measured_not_proved():
    """That H^2 lambda_min(K^(H)) stays of order one is an empirical fact: the derivation says so,
    and it never counts as proved."""
    steps = D.RESNET_THEOREM.constant("headline_width").derivation.steps
    measured = [s for s in steps if s.check is Check.EMPIRICAL]
    assert len(measured) == 1 and "test_deep_kernels.py" in measured[0].reference
    assert measured[0].verify() is Verdict.UNDECIDED
    assert all(s.check is not Check.SYMPY or "measured" not in s.description for s in steps)


def test_headline_dominance_is_not_unconditional():
    """Without n^2 >= kappa0^2 H^2 L the first term need not dominate: the bare claim is unproved,
    and a concrete point violates it."""
    claim = sp.GreaterThan(D.n**4 * D.H**2 / D.kappa0**4, D.n**2 * D.H**4 * D.L / D.kappa0**2, evaluate=False)
    assert Step("bare", claim, Check.SYMPY).verify() is Verdict.FAILS     # a counterexample exists
    point = {D.n: 5, D.H: 64, D.kappa0: sp.Rational(1, 4), D.L: 8}
    assert not bool(claim.subs(point))


def test_resnet_step_size_is_depth_free_after_substitution():
    assert sp.simplify(D.RES_STEP.subs(D.lam, D.kappa0 / D.H**2) - D.c_eta * D.kappa0 / D.n**2) == 0


def test_relu_is_outside_condition_31_and_softplus_inside():
    inst, params = _instance("relu")
    e = evaluate_theorem(D.RESNET_THEOREM, inst, params)
    assert _hyp(e, "activation-condition-3.1")["verdict"] == "fails"
    assert "not Lipschitz" in _hyp(e, "activation-condition-3.1")["message"]
    assert _hyp(e, "activation-condition-3.2")["verdict"] == "fails"
    assert _hyp(e, "lambda-positive")["verdict"] == "holds"
    assert e["status"] == "not-certified"
    inst, params = _instance("softplus")
    e = evaluate_theorem(D.RESNET_THEOREM, inst, params)
    assert _hyp(e, "activation-condition-3.1")["verdict"] == "holds"
    assert _hyp(e, "activation-condition-3.2")["verdict"] == "holds"
    cited = _hyp(e, "lambda-positive")                                # Props. F.1/F.2 are cited, not proved
    assert cited["verdict"] == "undecided" and "F.1" in cited["cited"] and "F.1" in cited["method"]
    assert e["quantities"]["lambda_H"]["rigorous"] is False            # float estimate only
    assert _hyp(e, "width")["verdict"] == "undecided"


def test_parallel_inputs_make_lambda_fail():
    inst, params = _instance("softplus", parallel=True)
    e = evaluate_theorem(D.FC_THEOREM, inst, params)
    assert _hyp(e, "lambda-positive")["verdict"] == "fails"


@pytest.mark.parametrize("theorem", [D.RESNET_THEOREM, D.FC_THEOREM])
def test_critical_value_separates_holds_from_fails(theorem):
    inst, params = _instance("relu")
    e = evaluate_theorem(theorem, inst, params)
    width = _hyp(e, "width")
    assert width["verdict"] == "undecided" and "holds if c_w <=" in width["message"]
    crit = next(c for c in width["evidence"]["critical_values"] if c["symbol"] == "c_w")
    lo, hi = float(crit["lo"]), float(crit["hi"])
    assert 0 < lo <= hi and crit["holds_if"] == "<="
    lam = theorem.quantities[0].compute(inst)
    values = {D.n: 6, D.m: 10**6, D.delta: 0.05, D.H: 3, D.lam: lam, D.kappa: 1}
    rel = theorem.hypotheses[4].relation
    assert decide_relation(rel, {**values, D.c_w: lo * 0.999})[0] is Verdict.HOLDS
    assert decide_relation(rel, {**values, D.c_w: hi * 1.001})[0] is Verdict.FAILS
    step = _hyp(e, "step-size")
    crit = step["evidence"]["critical_values"][0]
    assert crit["symbol"] == "c_eta" and crit["holds_if"] == ">="


def test_supplied_constants_decide_the_hypothesis():
    inst, params = _instance("relu")
    e = evaluate_theorem(D.RESNET_THEOREM, inst, {**params, "c_w": 1e-30, "c_eta": 1e6})
    assert _hyp(e, "width")["verdict"] == "holds"
    assert _hyp(e, "step-size")["verdict"] == "holds"
    e = evaluate_theorem(D.RESNET_THEOREM, inst, {**params, "c_w": 1e30})
    assert _hyp(e, "width")["verdict"] == "fails"


def test_critical_value_direction_and_positivity_message():
    x, c = sp.symbols("x c", positive=True)
    r = critical_value(sp.LessThan(x, c * 3, evaluate=False), c, {x: Interval(6.0, 6.0)})
    assert r.holds_if == ">=" and float(r.lo) <= 2.0 <= float(r.hi)
    inst, params = _instance("relu")
    e = evaluate_theorem(D.FC_THEOREM, inst, {**params, "m": 10})
    assert "fails for every kappa > 0" in _hyp(e, "width")["message"]


def test_depth_is_required():
    inst, params = _instance()
    inst.params.pop("depth")
    with pytest.raises(ValueError, match="depth"):
        D.lambda_of(inst, "resnet")


def test_cnn_theorem_evaluates_with_pixels():
    X = np.random.default_rng(7).standard_normal((4, 2 * 5))
    params = dict(n=4, d=10, m=10**5, delta=0.05, eta=1e-4, depth=3, H=3, activation="relu", c_res=0.5,
                  channels=2, patch_size=3, p=5)
    e = evaluate_theorem(D.CNN_THEOREM, InstanceData(X, np.ones(4), params=params), params)
    assert _hyp(e, "lambda-positive")["verdict"] == "holds"
    width = _hyp(e, "width")
    assert {c["symbol"] for c in width["evidence"]["critical_values"]} == {"c_w", "nu"}
    assert "holds if c_w <=" in width["message"]


def test_every_eigensolver_failing_leaves_lambda_undecided_naming_it(monkeypatch):
    """ReLU: lambda_min(K^(H)) is proved positive with the float eigensolvers; when every one
    fails, its enclosure is Gershgorin's (no estimate to steer it), which does not decide, and
    the hypothesis says why (numerics.linalg.spectral.EIGENSOLVER_FAILED), never an error."""
    import scipy.linalg

    inst, params = _instance("relu")
    assert _hyp(evaluate_theorem(D.RESNET_THEOREM, inst, params), "lambda-positive")["verdict"] == "holds"

    def internal_error(*args, **kwargs):
        raise np.linalg.LinAlgError("Internal Error (test)")

    monkeypatch.setattr(scipy.linalg, "eigh", internal_error)
    inst, params = _instance("relu")
    h = _hyp(evaluate_theorem(D.RESNET_THEOREM, inst, params), "lambda-positive")
    assert h["verdict"] == "undecided" and "float eigensolver failed" in h["message"]
