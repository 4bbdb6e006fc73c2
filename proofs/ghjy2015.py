"""Ge, Huang, Jin, Yuan, "Escaping From Saddle Points -- Online Stochastic Gradient for Tensor
Decomposition" (COLT 2015, arXiv:1503.02101): noisy stochastic gradient descent
x <- x - eta (SG(x) + xi), xi uniform on the unit sphere, reaches a neighbourhood of a local
minimum of a strict-saddle function in polynomially many steps.

What was read (docs/saddle_certification.md): the update is [S]; the
(alpha, gamma, epsilon, delta)-strict-saddle definition is [S] in its informal three-way form with
the parameter letters NOT VERIFIED; the main theorem (eta_max = Theta~(1),
eta <= eta_max / max(1, log(1/zeta)), O~(eta^-2 log(1/zeta)) iterations,
O~(sqrt(eta log(1/(eta zeta))))-closeness) is NOT VERIFIED, and its O~ hides polynomials in d and
the constants. Every such constant is therefore a symbol (``eta_max``), never a number, and the
theorem is never `certified`: the hypotheses on eta and on the noise stay `undecided`.

What is checked rigorously on the instance: smoothness/Hessian-Lipschitz constants on the box and
the strict-saddle property in GHJY's form, mapped from the certified (theta, gamma, zeta) triple
of :mod:`proofs.jin2017` plus the strong-convexity modulus alpha in the zeta-neighbourhoods.
"""

from __future__ import annotations

import sympy as sp

from numerics.arith.verdict import Verdict
from proofs.core import (Check, Citation, Constant, Derivation, Eq, Hypothesis, InstanceData, Step,
                         StructuralResult, Theorem)
from proofs.saddle_facts import saddle_facts

eta = sp.Symbol("eta_sgd", positive=True)
eta_max = sp.Symbol("eta_max", positive=True)
zeta_fail = sp.Symbol("zeta_fail", positive=True)  # failure probability (GHJY call it zeta)

CITATION = Citation(
    authors="R. Ge, F. Huang, C. Jin, Y. Yuan",
    title="Escaping From Saddle Points - Online Stochastic Gradient for Tensor Decomposition",
    venue="COLT 2015",
    arxiv="1503.02101",
    result="main theorem (noisy SGD on strict-saddle functions)",
    note="statement and constants NOT VERIFIED beyond the abstract; eta_max is a symbol",
)


def _strict_saddle(instance: InstanceData) -> StructuralResult:
    const = saddle_facts(instance).constants
    ev = {"epsilon (= theta)": const.get("theta"), "gamma": const.get("gamma"),
          "delta (= zeta)": const.get("zeta"), "alpha (strong convexity near minima)": const.get("strong_convexity")}
    ev = {k: (repr(v) if isinstance(v, float) else v) for k, v in ev.items()}
    return StructuralResult(const["verdict"], "the certified robust strict-saddle triple, with local strong "
                            "convexity alpha proved on the zeta-neighbourhood of each minimum", ev)


def _undecided(reason):
    def check(instance: InstanceData) -> StructuralResult:
        return StructuralResult(Verdict.UNDECIDED, reason, {}, reason)
    return check


STEP = Constant(
    name="step_bound", symbol=sp.Symbol("eta_bound"), expr=eta_max / sp.Max(1, sp.log(1 / zeta_fail)),
    description="largest step of the main theorem; eta_max = Theta~(1) is not given numerically (NOT VERIFIED)",
    derivation=Derivation((Step("eta <= eta_max / max(1, log(1/zeta))",
                                Eq(sp.Symbol("eta_bound"), eta_max / sp.Max(1, sp.log(1 / zeta_fail))),
                                Check.CITED, "1503.02101 main theorem, NOT VERIFIED"),)),
)

THEOREM = Theorem(
    id="ghjy2015-noisy-sgd",
    title="Noisy stochastic gradient descent escapes strict saddles in polynomial time",
    citation=CITATION,
    parameters=(eta, zeta_fail),
    quantities=(),
    hypotheses=(
        Hypothesis("strict-saddle", "(alpha, gamma, epsilon, delta)-strict saddle on the box (letters NOT VERIFIED)",
                   predicate=_strict_saddle),
        Hypothesis("step-size", "eta <= eta_max / max(1, log(1/zeta)) with eta_max = Theta~(1) (NOT VERIFIED)",
                   predicate=_undecided("eta_max is not given numerically")),
        Hypothesis("noise", "stochastic gradient with bounded zero-mean noise; injected noise uniform on the sphere",
                   predicate=_undecided("a property of the user's gradient oracle, not of f")),
    ),
    constants=(STEP,),
    conclusion="with probability >= 1 - zeta, after O~(eta^-2 log(1/zeta)) iterations the iterate is "
               "O~(sqrt(eta log(1/(eta zeta))))-close to a local minimum (NOT VERIFIED)",
    observables=("escape time of noisy GD near a certified saddle",),
    family="saddles",
)

THEOREMS = (THEOREM,)
