"""ddkl2018-stochastic-subgradient: the step-size conditions decided by sympy, the assumptions
reported as such; and the nonsmooth-rate theorems' checked derivation steps."""

from __future__ import annotations

import pytest
import sympy as sp
import torch

from numerics.arith.verdict import Verdict
from proofs import ddkl2018, nonsmooth_rates
from proofs.core import Check
from proofs.evaluation import evaluate_theorem
from proofs.registry import theorem_ids


@pytest.mark.parametrize(
    "schedule, not_summable, square_summable",
    [
        ("0.1/(k+1)^0.75", "holds", "holds"),
        ("1/(k+1)", "holds", "holds"),
        ("2/(k+1)^0.6", "holds", "holds"),
        ("1/sqrt(k+1)", "holds", "fails"),      # p = 1/2: sum alpha^2 is harmonic
        ("0.01", "holds", "fails"),             # constant step
        ("1/(k+1)^2", "fails", "holds"),        # p > 1: summable
        ("exp(-k)", "fails", "holds"),
        ("1/((k+1)*log(k+2))", "holds", "holds"),
    ],
)
def test_step_conditions(schedule, not_summable, square_summable):
    inst = ddkl2018.instance_for(schedule)
    report = evaluate_theorem(ddkl2018.THEOREM, inst, {})
    v = {h["id"]: h["verdict"] for h in report["hypotheses"]}
    assert v["steps-not-summable"] == not_summable
    assert v["steps-square-summable"] == square_summable
    assert v["steps-positive"] == "holds"


def test_p_series_family_matches_the_exact_condition():
    for p in [sp.Rational(1, 3), sp.Rational(1, 2), sp.Rational(51, 100), sp.Rational(3, 4), 1,
              sp.Rational(101, 100), 2]:
        term = 1 / (ddkl2018.k + 1) ** p
        both = (~ddkl2018.series_converges(term)) & ddkl2018.series_converges(term**2)
        assert both is (Verdict.HOLDS if sp.Rational(1, 2) < p <= 1 else Verdict.FAILS), p


def test_undecided_when_sympy_has_no_answer(monkeypatch):
    monkeypatch.setattr(sp.Sum, "is_convergent", lambda self: None)
    assert ddkl2018.series_converges(1 / (ddkl2018.k + 1)) is Verdict.UNDECIDED

    def boom(self):
        raise NotImplementedError

    monkeypatch.setattr(sp.Sum, "is_convergent", boom)
    assert ddkl2018.series_converges(1 / (ddkl2018.k + 1)) is Verdict.UNDECIDED


def test_assumptions_are_not_verified_unless_configured():
    report = evaluate_theorem(ddkl2018.THEOREM, ddkl2018.instance_for("1/(k+1)"), {})
    v = {h["id"]: h["verdict"] for h in report["hypotheses"]}
    assert v["bounded-iterates"] == "undecided" and v["noise"] == "undecided" and v["tame"] == "undecided"
    assert report["status"] != "certified"
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)).double()
    x = torch.randn(4, 2, dtype=torch.float64)
    inst = ddkl2018.instance_for("1/(k+1)", net, x, lambda o: o.square().mean(), projection_radius=10.0,
                                 full_batch=True)
    report = evaluate_theorem(ddkl2018.THEOREM, inst, {})
    assert {h["id"]: h["verdict"] for h in report["hypotheses"]} == {
        "tame": "holds", "steps-positive": "holds", "steps-not-summable": "holds",
        "steps-square-summable": "holds", "bounded-iterates": "holds", "noise": "holds"}
    assert report["status"] == "certified"


def test_schedule_grammar_rejects_other_variables_and_code():
    from numerics.symbolic.expression import ExpressionError

    with pytest.raises(ValueError, match="only the iteration counter"):
        ddkl2018.schedule_from_text("a/(k+1)")
    with pytest.raises(ExpressionError):
        ddkl2018.schedule_from_text("__import__('os')")


@pytest.mark.parametrize("thm", [ddkl2018.THEOREM, *nonsmooth_rates.THEOREMS])
def test_non_cited_steps_are_proved_and_registered(thm):
    assert thm.id in theorem_ids()
    for c in thm.constants:
        for step, verdict in c.derivation.check():
            if step.check is not Check.CITED:
                assert verdict is Verdict.HOLDS, (thm.id, c.name, step.description)


def test_rates_big_o_forms_are_derived():
    d, eps, delta = nonsmooth_rates.d, nonsmooth_rates.eps, nonsmooth_rates.delta
    assert nonsmooth_rates.ZLJSJ.constant("iterations_deterministic").big_o == 1 / (delta * eps**3)
    assert nonsmooth_rates.ZLJSJ.constant("iterations_stochastic").big_o == 1 / (delta * eps**4)
    assert nonsmooth_rates.DDLPY.constant("iterations_cutting_plane").big_o == d / eps**3
    assert nonsmooth_rates.SMOOTHING.constant("iterations").big_o == sp.sqrt(d) / (delta * eps**4)
    # unverified constants are symbols the user supplies, never numbers
    for thm in nonsmooth_rates.THEOREMS:
        assert thm.unnamed_constants and all(isinstance(c, sp.Symbol) for c in thm.unnamed_constants)
