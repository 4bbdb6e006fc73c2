"""The Du-Zhai-Poczos-Singh derivations: every sympy step is proved, constants match an
independent derivation and the table of docs/dzps_constants.md."""

import pytest
import sympy as sp

from numerics.arith.verdict import Verdict
from proofs import dzps2019 as dz
from proofs.core import Check, Derivation, Eq, Le, Step
from proofs.registry import get_theorem

THEOREMS = dz.THEOREMS


@pytest.mark.parametrize("thm", THEOREMS, ids=lambda t: t.id)
def test_every_sympy_step_is_proved_and_cited_steps_are_marked(thm):
    for c in thm.constants:
        for step, verdict in c.derivation.check():
            if step.check is Check.CITED:
                assert verdict is Verdict.UNDECIDED
                assert step.reference, f"cited step without a reference: {step.description}"
            else:
                assert verdict is Verdict.HOLDS, f"{thm.id}/{c.name}: {step.description}"
        assert c.derivation.status() in ("checked", "checked-with-cited")


def test_false_sympy_claims_are_reported_as_failing():
    n = dz.n
    assert Step("false identity", Eq(n, n + 1), Check.SYMPY).verify() is Verdict.FAILS
    assert Step("false inequality", Le(n**2, n - 1), Check.SYMPY).verify() is Verdict.FAILS
    # true only for n >= 2, and n = 1 is a positive integer: a counterexample, so the step fails
    assert Step("needs n >= 2", Le(2, n), Check.SYMPY).verify() is Verdict.FAILS
    assert Derivation((Step("false", Eq(n, 2 * n), Check.SYMPY),)).status() == "failed-step"


def test_true_claims_sympy_cannot_prove_stay_unproved():
    n = dz.n
    step = Step("log(1 + n) <= n, true but beyond sympy's sign rules", Le(sp.log(1 + n), n), Check.SYMPY)
    assert step.verify() is Verdict.UNDECIDED
    assert Derivation((step,)).status() == "unproved-step"


def test_gd_width_matches_an_independent_solve():
    n, m, lam, delta, N = dz.n, dz.m, dz.lambda0, dz.delta, dz.N
    R_prime = 4 * sp.sqrt(n) * N / (sp.sqrt(m) * lam)
    R = sp.sqrt(2 * sp.pi) / 16 * delta * lam / (n**2 + n**sp.Rational(3, 2))
    (m_star,) = sp.solve(sp.Eq(R_prime, R), m)
    # Markov bound on N^2 and the four-way union bound, applied independently
    expected = m_star.subs(N, sp.sqrt(n * (dz.C_y**2 + sp.Rational(1, 2)) / delta)).subs(delta, delta / 4)
    width = get_theorem("dzps2019-two-layer-gd").constant("width").expr
    assert sp.simplify(width / expected) == 1


def test_constants_agree_with_reference_table():
    # docs/dzps_constants.md: GF delta/3 gives 13824/pi; GD delta/4 gives 524288/pi (with (n^2+n^1.5)^2 <= 4n^4,
    # an equality at n = 1)
    gf = get_theorem("dzps2019-two-layer-gf").constant("width").expr
    gd = get_theorem("dzps2019-two-layer-gd").constant("width").expr
    vals = {dz.n: 1, dz.lambda0: 1, dz.delta: 1, dz.C_y: sp.sqrt(2) / 2}
    assert sp.simplify(gf.subs(vals) - 13824 / sp.pi) == 0
    assert sp.simplify(gd.subs(vals) - 524288 / sp.pi) == 0
    step = get_theorem("dzps2019-two-layer-gd").constant("step_size").expr
    assert sp.simplify(step - dz.lambda0 / (4 * dz.n**2)) == 0


def test_big_o_forms_are_derived_and_match_the_printed_ones():
    for tid in ("dzps2019-two-layer-gf", "dzps2019-two-layer-gd"):
        w = get_theorem(tid).constant("width")
        assert sp.simplify(w.big_o - dz.n**6 / (dz.lambda0**4 * dz.delta**3)) == 0
        assert sp.simplify(w.big_o - w.printed_big_o) == 0
    s = get_theorem("dzps2019-two-layer-gd").constant("step_size")
    assert sp.simplify(s.big_o - dz.lambda0 / dz.n**2) == 0


def test_discrepancies_with_the_printed_paper_are_recorded():
    texts = []
    for thm in THEOREMS:
        for c in thm.constants:
            texts += [d.printed for d in c.derivation.discrepancies]
    joined = " | ".join(texts)
    assert "R' = sqrt(n)" in joined          # Lemma 3.3 factor 2
    assert "R = c lambda0 / n^2" in joined   # missing delta in Sec. 4
    assert "delta' = n^2 delta" in joined    # Lemma 3.1 typo
