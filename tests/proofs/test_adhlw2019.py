"""Arora-Du-Hu-Li-Wang theorems: registration, cited steps, and the certified value of
sqrt(2 y^T H_inf^-1 y / n) checked against an independent 100-digit mpmath computation."""

import mpmath
import numpy as np
import pytest

from numerics.arith.verdict import Verdict
from proofs import adhlw2019 as ad
from proofs.core import Check, InstanceData
from proofs.evaluation import evaluate_theorem
from proofs.registry import get_theorem, theorem_ids


def test_registered_under_stable_ids():
    assert {"adhlw2019-rate", "adhlw2019-generalization"} <= set(theorem_ids())
    assert get_theorem("adhlw2019-generalization") is ad.GENERALIZATION_THEOREM


@pytest.mark.parametrize("thm", ad.THEOREMS, ids=lambda t: t.id)
def test_constants_are_cited_and_unnamed_constants_declared(thm):
    for c in thm.constants:
        for step, verdict in c.derivation.check():
            assert step.check is Check.CITED and step.reference
            assert verdict is Verdict.UNDECIDED
        free = {s.name for s in c.expr.free_symbols}
        assert free & {u.name for u in thm.unnamed_constants}, c.name


def _mp_generalization_bound(X, y, dps=100):
    with mpmath.workdps(dps):
        V = [[mpmath.mpf(float(v)) for v in row] for row in X]
        xs = []
        for row in V:
            nrm = mpmath.sqrt(mpmath.fsum(v * v for v in row))
            xs.append([v / nrm for v in row])
        n = len(xs)
        H = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                if i == j:
                    H[i, j] = mpmath.mpf(1) / 2
                    continue
                t = mpmath.fsum(a * b for a, b in zip(xs[i], xs[j]))
                H[i, j] = t * (mpmath.pi - mpmath.acos(t)) / (2 * mpmath.pi)
        Y = mpmath.matrix([mpmath.mpf(float(v)) for v in y])
        z = mpmath.lu_solve(H, Y)
        q = mpmath.fsum(Y[i] * z[i] for i in range(n))
        return mpmath.sqrt(2 * q / n)


@pytest.mark.parametrize("seed,n,d", [(0, 6, 3), (1, 12, 5), (2, 25, 10)])
def test_generalization_bound_encloses_high_precision_value(seed, n, d):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.sign(rng.standard_normal(n))
    inst = InstanceData(X, y)
    enc = ad._generalization_bound(inst)
    ref = _mp_generalization_bound(X, y)
    assert mpmath.mpf(float(enc.lo)) <= ref <= mpmath.mpf(float(enc.hi))
    assert float(enc.hi - enc.lo) < 1e-9 * float(enc.hi)


def test_evaluation_reports_the_bound_and_leaves_unnamed_constants_undecided():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((10, 4))
    y = np.sign(rng.standard_normal(10))
    inst = InstanceData(X, y)
    out = evaluate_theorem(ad.GENERALIZATION_THEOREM, inst,
                           {"n": 10, "m": 10**30, "delta": 0.1, "eta": "auto", "kappa": 1e-3})
    q = out["quantities"]["generalization_bound"]
    assert float(q["lo"]) > 0 and float(q["hi"]) < np.inf
    verdicts = {h["id"]: h["verdict"] for h in out["hypotheses"]}
    assert verdicts["lambda0-positive"] == "holds"
    assert verdicts["labels-bounded"] == "holds"
    assert verdicts["width"] == "undecided"          # poly_w is not given
    assert out["status"] == "not-certified"
    # supplying the unnamed constants lets the evaluator decide (conditionally on them)
    out2 = evaluate_theorem(ad.GENERALIZATION_THEOREM, inst,
                            {"n": 10, "m": 10**30, "delta": 0.1, "eta": 1e-6, "kappa": 1e-3,
                             "poly_w": 1e6, "c_kappa": 1.0, "c_eta": 1.0})
    v2 = {h["id"]: h["verdict"] for h in out2["hypotheses"]}
    assert v2["width"] == "holds" and v2["kappa"] in ("holds", "fails")


def test_parallel_inputs_make_the_bound_unverified_not_wrong():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 3))
    X[3] = 2.0 * X[1]
    y = np.ones(6)
    enc = ad._generalization_bound(InstanceData(X, y))
    assert float(enc.lo) == 0.0 and float(enc.hi) == np.inf
