"""The landscape theorems' conditions on instances: derived steps re-proved, cited steps tagged,
premises never reported as holding, RIP refuted rigorously when a test matrix shows it."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.landscape.families import family
from numerics.landscape.families.family import parse_size
from numerics.landscape.families.quantities import coherence_and_condition, is_exactly_orthogonal, rip_lower_bound
from proofs.core import Check, InstanceData
from proofs.evaluation import evaluate_theorem
from proofs.landscape_families import P_MIN, THEOREMS, theorem_status
from proofs.registry import get_theorem


def _evaluate(name: str, size: str, constants=None):
    fam = family(name)
    inst = fam.build(parse_size(size, fam.sizes), 0)
    params = {**fam.theorem_params(inst), **(constants or {})}
    out = []
    for tid in fam.theorem_ids:
        ev = evaluate_theorem(get_theorem(tid), InstanceData(None, None, params, {"landscape": (fam, inst, None)}),
                              params)
        out.append((ev, theorem_status(ev)))
    return out


def test_every_cited_step_names_its_source_and_tag():
    for thm in THEOREMS:
        for c in thm.constants:
            for step in c.derivation.steps:
                if step.check is Check.CITED:
                    assert step.reference and any(t in step.reference for t in ("[P]", "[S]", "NOT VERIFIED"))
        assert any(t in thm.citation.note for t in ("[P]", "[S]", "NOT VERIFIED"))


def test_pataki_rank_constant_is_derived_by_sympy():
    assert P_MIN.derivation.status() == "checked-with-cited"


def test_maxcut_rank_holds_and_genericity_is_a_premise():
    ((ev, status),) = _evaluate("maxcut", "n=60")
    verdicts = {h["id"]: h["verdict"] for h in ev["hypotheses"]}
    assert verdicts["rank"] == "holds" and verdicts["generic-cost"] == "undecided"
    assert status == "conditional"


def test_maxcut_rank_below_pataki_fails():
    ((ev, status),) = _evaluate("maxcut", "n=60,rank=3")
    assert {h["id"]: h["verdict"] for h in ev["hypotheses"]}["rank"] == "fails" and status == "not-certified"


def test_rank_k_conditions_are_decided_rigorously():
    ((ev, status),) = _evaluate("rank-k", "d=40,k=3")
    assert status == "certified"
    assert all(h["verdict"] == "holds" for h in ev["hypotheses"])


def test_exactly_orthonormal_components_are_checked_exactly():
    ((ev, status),) = _evaluate("tensor", "d=9")
    assert status == "certified"
    A = family("tensor").build({"d": 9}, 0).data["A"]
    assert is_exactly_orthogonal(A)
    B = A.copy()
    B[0, 0] = np.nextafter(B[0, 0], 2)
    assert not is_exactly_orthogonal(B)


def test_relu_design_needs_its_unnamed_constants():
    ((ev, status),) = _evaluate("relu-design", "d=6")
    v = {h["id"]: h["verdict"] for h in ev["hypotheses"]}
    assert v["width"] == v["positive-output"] == v["orthonormal"] == "holds"
    assert v["mu-small"] == "undecided" and status == "not-certified"
    ((ev, status),) = _evaluate("relu-design", "d=6", {"c_mu": 1.0, "c_lambda": 1.0})
    assert status == "conditional"


def test_rip_is_refuted_with_too_few_measurements():
    ((ev, status),) = _evaluate("matrix-sensing", "n=8,r=2,m=10")
    h = next(h for h in ev["hypotheses"] if h["id"] == "rip-not-refuted")
    assert h["verdict"] == "fails" and float(h["evidence"]["delta_2r_lower_bound"]) >= 0.2


def test_rip_lower_bound_is_below_a_full_space_bound():
    fam = family("matrix-sensing")
    inst = fam.build(parse_size("n=5,r=1,m=400", fam.sizes), 1)
    A = inst.data["A"]
    m, n, _ = A.shape
    low = rip_lower_bound(A, 2, inst.planted["Z"])
    # delta_s <= max |eig(G) - 1| over symmetric matrices, G the Gram of X -> A(X)/sqrt(m) (float, margin)
    iu = np.triu_indices(n)
    w = np.where(iu[0] == iu[1], 1.0, np.sqrt(2.0))
    F = A[:, iu[0], iu[1]] * w / np.sqrt(m)                      # coordinates orthonormal in Frobenius norm
    ev = np.linalg.eigvalsh(F.T @ F)
    assert 0 <= low <= max(abs(ev - 1)) * (1 + 1e-9) + 1e-12


def test_coherence_and_condition_enclose_the_float_values():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((40, 3))
    mu, kappa = coherence_and_condition(Z)
    Qz, _ = np.linalg.qr(Z)
    mu_f = 40 / 3 * float((Qz ** 2).sum(axis=1).max())
    s = np.linalg.svd(Z, compute_uv=False) ** 2
    assert float(mu.lo) <= mu_f * (1 + 1e-12) and mu_f <= float(mu.hi) * (1 + 1e-12)
    assert float(kappa.lo) <= s[0] / s[-1] * (1 + 1e-12) and s[0] / s[-1] <= float(kappa.hi) * (1 + 1e-12)
