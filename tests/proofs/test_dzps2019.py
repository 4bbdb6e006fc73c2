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


@pytest.mark.parametrize("n_val, lam, delta_val", [(20, sp.Rational(447, 10000), sp.Rational(1, 20)),
                                                   (3, sp.Rational(1, 3), sp.Rational(1, 2)),
                                                   (1000, sp.Rational(1, 10**6), sp.Rational(1, 100))])
def test_the_step_size_is_the_largest_step_the_one_step_bracket_allows(n_val, lam, delta_val):
    """Thm 4.1's one-step bracket (p. 9, App. B) with the GD radius R must be <= 1 - eta lambda0/2:
    at the certificate's step it is (with equality: the step is the largest), 0.1% above it is not.
    Evaluated in exact arithmetic from the cited bracket, not from the constant's own formula."""
    C = sp.sqrt(2 / sp.pi)
    n_, R = sp.Integer(n_val), delta_val * lam / (8 * sp.sqrt(2 / sp.pi) * (n_val**2 + sp.Integer(n_val)**sp.Rational(3, 2)))

    def slack(eta):
        bracket = (1 - eta * lam + 2 * C * eta * n_**2 * R / delta_val
                   + 2 * C * eta * n_**sp.Rational(3, 2) * R / delta_val + eta**2 * n_**2)
        return sp.nsimplify(sp.simplify(bracket - (1 - eta * lam / 2)))

    step = get_theorem("dzps2019-two-layer-gd").constant("step_size").expr.subs({dz.lambda0: lam, dz.n: n_val})
    assert slack(step) == 0
    assert slack(step * sp.Rational(1001, 1000)) > 0
    assert slack(step * sp.Rational(999, 1000)) < 0


def test_big_o_forms_are_derived_and_match_the_printed_ones():
    """The derived O-forms are the limits of constant / form as the variables grow (a positive,
    finite constant), checked by sympy's limit, not by the leading-term routine that made them."""
    for tid in ("dzps2019-two-layer-gf", "dzps2019-two-layer-gd"):
        w = get_theorem(tid).constant("width")
        assert sp.simplify(w.big_o - w.printed_big_o) == 0
        ratio = sp.limit((w.expr / w.big_o).subs(dz.C_y, 1), dz.n, sp.oo)
        assert ratio.is_positive and ratio.is_finite
    s = get_theorem("dzps2019-two-layer-gd").constant("step_size")
    assert sp.limit(s.expr / s.big_o, dz.n, sp.oo) == sp.Rational(1, 4)


def test_the_recorded_discrepancies_change_the_constants():
    """Each discrepancy with the printed paper matters: redoing the gradient-flow width with the
    printed Lemma 3.3 radius R' = sqrt(n) N/(sqrt(m) lambda0) gives a width 4 times smaller, and the
    GD width with the printed R = c lambda0/n^2 (no delta) loses a factor delta^2."""
    n, m, lam, delta, N = dz.n, dz.m, dz.lambda0, dz.delta, dz.N
    R_gf = sp.sqrt(2 * sp.pi) / 16 * delta * lam / n**2
    solve_m = lambda R_prime, R: sp.solve(sp.Eq(R_prime, R), m)[0]  # noqa: E731
    corrected = solve_m(2 * sp.sqrt(n) * N / (sp.sqrt(m) * lam), R_gf)
    printed = solve_m(sp.sqrt(n) * N / (sp.sqrt(m) * lam), R_gf)
    assert sp.simplify(corrected / printed) == 4
    texts = " | ".join(d.printed for thm in THEOREMS for c in thm.constants for d in c.derivation.discrepancies)
    assert "R' = sqrt(n)" in texts
    R_gd = sp.sqrt(2 * sp.pi) / 16 * delta * lam / (n**2 + n**sp.Rational(3, 2))
    R_gd_printed = sp.sqrt(2 * sp.pi) / 16 * lam / (n**2 + n**sp.Rational(3, 2))
    R_prime = 4 * sp.sqrt(n) * N / (sp.sqrt(m) * lam)
    assert sp.simplify(solve_m(R_prime, R_gd) / solve_m(R_prime, R_gd_printed)) == delta**-2
    # the module's GD width carries the delta^-3 the corrected R gives (with N^2 ~ 1/delta)
    gd = get_theorem("dzps2019-two-layer-gd").constant("width").expr
    assert sp.degree(sp.denom(sp.together(gd)), delta) == 3
