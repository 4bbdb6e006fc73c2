import sympy as sp

from numerics.arith.verdict import Verdict
from proofs.core import Check, Constant, Derivation, Step, leading_form
from proofs.registry import all_theorems, get_theorem, theorem_ids


def test_registry_ids_are_unique_and_resolvable():
    ids = theorem_ids()
    assert len(ids) == len(set(ids))
    for tid in ids:
        assert get_theorem(tid).id == tid
    for tid in ("dzps2019-lambda0-positive", "dzps2019-two-layer-gf", "dzps2019-two-layer-gd"):
        assert tid in ids


def test_leading_form_keeps_dominant_powers_and_logs():
    n, lam, d = sp.symbols("n lambda0 delta", positive=True)
    assert sp.simplify(leading_form(7 * n**2 * (n**2 + n**sp.Rational(3, 2))**2 / (lam**4 * d**3), (n, lam, d))
                       - n**6 / (lam**4 * d**3)) == 0
    assert leading_form(256 * n**2 * sp.log(4 * n / d) / lam**2, (n, lam, d)) == n**2 * sp.log(n / d) / lam**2


def test_verdict_logic_is_kleene():
    H, F, U = Verdict.HOLDS, Verdict.FAILS, Verdict.UNDECIDED
    assert (H & U) is U and (F & U) is F and (H & H) is H
    assert (H | U) is H and (F | U) is U and (F | F) is F
    assert ~U is U and ~H is F
    assert Verdict.all_of([H, H, U]) is U and Verdict.all_of([]) is H


def test_statement_dicts_render_for_every_theorem():
    for thm in all_theorems():
        s = thm.statement_dict()
        assert s["id"] == thm.id and s["citation"]
        for c in s["constants"]:
            assert c["steps"], f"{thm.id}/{c['name']} has no derivation steps"


# ---------------------------------------------------------------- the derivation vocabulary
n_ = sp.Symbol("n", positive=True, integer=True)
x_ = sp.Symbol("x", real=True)


def test_cited_and_empirical_steps_never_hold_even_when_true():
    true_claim = sp.Eq(n_, n_, evaluate=False)
    for kind in (Check.CITED, Check.EMPIRICAL):
        step = Step("true, but not checked here", true_claim, kind, "somewhere")
        assert step.verify() is Verdict.UNDECIDED
    assert Derivation((Step("a", true_claim, Check.CITED),)).status() == "checked-with-cited"
    assert Derivation((Step("a", true_claim, Check.EMPIRICAL),)).status() == "checked-with-empirical"
    both = Derivation((Step("a", true_claim, Check.SYMPY), Step("b", true_claim, Check.CITED),
                       Step("c", true_claim, Check.EMPIRICAL)))
    assert both.status() == "checked-with-cited-and-empirical"
    assert Derivation((Step("a", true_claim, Check.SYMPY),)).status() == "checked"


def test_interval_steps_are_decided_on_their_ranges():
    from numerics.arith.interval import Interval

    claim = sp.StrictLessThan(x_**2, 2, evaluate=False)
    assert Step("x^2 < 2 on [1/2, 1]", claim, Check.INTERVAL, ranges={x_: Interval(0.5, 1.0)}).verify() \
        is Verdict.HOLDS
    assert Step("x^2 < 2 on [2, 3]", claim, Check.INTERVAL, ranges={x_: Interval(2.0, 3.0)}).verify() \
        is Verdict.FAILS
    assert Step("x^2 < 2 on [1, 2]", claim, Check.INTERVAL, ranges={x_: Interval(1.0, 2.0)}).verify() \
        is Verdict.UNDECIDED
    assert Step("no range given", claim, Check.INTERVAL).verify() is Verdict.UNDECIDED


def test_a_false_verifier_result_is_checked_for_a_counterexample():
    claim = sp.LessThan(n_**2, n_, evaluate=False)           # false at n = 2
    assert Step("verifier gave up", claim, Check.SYMPY, verifier=lambda: False).verify() is Verdict.FAILS


def test_a_structural_result_resting_on_a_citation_cannot_hold():
    import pytest

    from proofs.core import StructuralResult

    with pytest.raises(ValueError, match="cited"):
        StructuralResult(Verdict.HOLDS, "Prop. X", {}, cited="paper, Prop. X")
    assert StructuralResult(Verdict.UNDECIDED, "Prop. X", {}, cited="paper, Prop. X").cited


def test_machine_checked_steps_use_no_placeholder_symbols():
    """A sympy/interval claim mentions only symbols with a real domain: a bare name such as
    Symbol("big_o") would let a step look derived while a side computation checks something else.
    The instance certificate's derivation is being rewritten with its module and is not checked."""
    for thm in all_theorems():
        if thm.id == "lazy-global-minimizer-nearby":
            continue
        for c in thm.constants:
            for step in c.derivation.steps:
                if step.check.machine_checked:
                    vague = [s.name for s in step.claim.free_symbols if s.is_real is not True]
                    assert not vague, f"{thm.id}/{c.name}: {step.description} uses {vague}"


def test_leading_form_steps_show_the_constant_and_check_its_leading_term():
    from proofs.core import LeadingForm

    lam = sp.Symbol("lambda0", positive=True)
    expr = 7 * n_**2 * (n_**2 + n_) / lam**4
    good = Step("lead", sp.Eq(LeadingForm(expr, n_, lam), n_**4 / lam**4, evaluate=False), Check.SYMPY)
    bad = Step("lead", sp.Eq(LeadingForm(expr, n_, lam), n_**3 / lam**4, evaluate=False), Check.SYMPY)
    assert good.verify() is Verdict.HOLDS and bad.verify() is Verdict.FAILS
    assert "lead" in sp.latex(good.claim) and "7" in sp.latex(good.claim)


def test_every_theorem_derivation_status_names_its_unchecked_kinds():
    for thm in all_theorems():
        for c in thm.constants:
            kinds = {s.check for s in c.derivation.steps}
            status = c.derivation.status()
            assert ("cited" in status) == (Check.CITED in kinds), (thm.id, c.name, status)
            assert ("empirical" in status) == (Check.EMPIRICAL in kinds), (thm.id, c.name, status)
