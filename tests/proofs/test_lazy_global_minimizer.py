"""The theorem-like entry `lazy-global-minimizer-nearby`: registered, explainable, decided on instances."""

from __future__ import annotations

import numpy as np
import sympy as sp

from numerics.arith.verdict import Verdict
from proofs import lazy_global_minimizer as lg
from proofs.core import Check, InstanceData, Step
from proofs.evaluation import evaluate_theorem
from proofs.registry import get_theorem


def test_registered_and_every_sympy_step_proved():
    thm = get_theorem("lazy-global-minimizer-nearby")
    assert thm is lg.THEOREM
    for c in thm.constants:
        for step, verdict in c.derivation.check():
            if step.check is Check.CITED:
                assert verdict is Verdict.UNDECIDED and step.reference
            else:
                assert verdict is Verdict.HOLDS, step.description


def test_sign_steps_are_not_vacuous():
    # without the |b| < c substitution the sign claim is false (b = -2, c = 1/3 is a counterexample)
    assert Step("no bound on b", sp.Gt(lg.c + lg.b, 0), Check.SYMPY).verify() is Verdict.FAILS


def test_identity_check_detects_a_wrong_scaling(monkeypatch):
    # the identity fails when the correction forgets one factor m^-1/2: make sqrt(m) -> 1 in dw only
    real_sqrt = sp.sqrt
    calls = {"k": 0}

    def fake_sqrt(x):
        calls["k"] += 1
        return sp.Integer(1) if calls["k"] == 1 else real_sqrt(x)

    monkeypatch.setattr(lg.sp, "sqrt", fake_sqrt)
    assert lg._identity_holds() is False


def _instance(m: int, d: int, n: int, y_noise: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((m, d))
    a = rng.choice([-1.0, 1.0], size=m)
    Xf = X / np.linalg.norm(X, axis=1, keepdims=True)
    y = a @ np.maximum(W @ Xf.T, 0) / np.sqrt(m) + y_noise * rng.standard_normal(n)
    return lg.LazyInstanceData(X, y, params={"n": n, "d": d, "m": m}, network=lg.TwoLayerPoint(W, a, W))


def test_certified_instance_has_every_hypothesis_holding():
    inst = _instance(400, 4, 8, 1e-4)
    entry = evaluate_theorem(lg.THEOREM, inst, inst.params)
    assert entry["status"] == "certified", entry["hypotheses"]
    assert all(h["verdict"] == "holds" for h in entry["hypotheses"])
    c = entry["constants"]["sqrt_m_distance"]
    D = entry["quantities"]["D_init"]
    assert float(c["lo"]) <= np.sqrt(400) * float(D["hi"]) and float(c["hi"]) >= np.sqrt(400) * float(D["lo"])


def test_too_narrow_fails_the_rank_hypothesis():
    inst = _instance(2, 3, 10, 1.0)
    entry = evaluate_theorem(lg.THEOREM, inst, inst.params)
    assert entry["status"] == "not-certified"
    verdicts = {h["id"]: h["verdict"] for h in entry["hypotheses"]}
    assert verdicts["interpolation-rank"] == "fails"
    assert verdicts["pattern-preserved"] != "holds"


def test_without_width_is_undecided_not_an_error():
    rng = np.random.default_rng(0)
    inst = InstanceData(rng.standard_normal((5, 3)), rng.standard_normal(5), params={"n": 5, "d": 3, "m": None})
    entry = evaluate_theorem(lg.THEOREM, inst, inst.params)
    assert entry["status"] == "not-certified"
    assert {h["verdict"] for h in entry["hypotheses"]} == {"undecided"}
    assert entry["quantities"]["D_init"]["hi"] == "inf"
