"""Benign landscapes: "all local minima are global", certified on the user's instance, and what
gradient descent then does.

``landscape-gd-global-min``: Lee, Simchowitz, Jordan, Recht (COLT 2016, arXiv:1602.04915,
Theorem 4.1 with Corollary 4.6 / Theorem 4.8; read in the paper) say that GD with
0 < alpha < 1/L from a random start converges to a strict saddle with probability 0, so a limit,
when it exists, is a local minimizer almost surely. If moreover every local minimum is global,
the limit is a global minimizer. The landscape papers (Ge, Lee, Ma 2016 for
matrix completion, Bhojanapalli, Neyshabur, Srebro 2016 for sensing, Sun, Qu, Wright 2018 for
phase retrieval, Du & Lee 2018 for quadratic activations) prove that property for random or
generic instances; here it is *certified for the given instance on the given box* by
:func:`numerics.landscape.global_minima.local_minima_are_global` (the global statement on R^n needs
f >= 0 and every critical point accounted for).

``dl2018-quadratic-activation``: Du & Lee (ICML 2018, arXiv:1803.01206), a network
f(x; W) = sum_j (w_j^T x)^2 with k hidden units in dimension d trained on n points: with k >= d
all local minima are global (no perturbation); with k >= sqrt(2n), after a generic perturbation
<C, W^T W>, all second-order stationary points are global. The abstract ([P]) states the
sqrt(2n) condition; the model and the k >= d statement are NOT VERIFIED against the paper, so
the theorem is reported with that tag, and on catalog instances the instance certificate
(``local-minima-global``) is the rigorous check beside it.

Instance data: the :class:`proofs.saddle_facts.SaddleFacts` in ``InstanceData.cache["saddle"]``,
with ``local_minima_global`` = (Verdict, evidence dict).
"""

from __future__ import annotations

import sympy as sp

from numerics.arith.verdict import Verdict
from proofs import lsjr2016
from proofs.core import (Check, Citation, Constant, Derivation, Ge, Hypothesis, InstanceData, Step,
                         StructuralResult, Theorem)
from proofs.saddle_facts import saddle_facts


def _local_minima_global(instance: InstanceData) -> StructuralResult:
    result = saddle_facts(instance).local_minima_global
    if result is None:
        return StructuralResult(Verdict.UNDECIDED, "not computed", {}, "run the saddle pipeline")
    verdict, evidence = result
    return StructuralResult(verdict, "complete critical-point search; each local minimum proved to have f = 0 "
                            "(zero-level certificate, exact point) with f >= 0 by its form, or a certified "
                            "local minimum above another certified point (fails)", evidence,
                            evidence.get("reason", ""))


LANDSCAPE_CITATION = Citation(
    authors="J. D. Lee, M. Simchowitz, M. I. Jordan, B. Recht",
    title="Gradient Descent Only Converges to Minimizers",
    venue="COLT 2016",
    arxiv="1602.04915",
    result="Theorem 4.1, Corollary 4.6 and Theorem 4.8, with the instance property 'every local minimum is "
           "global' of the landscape results (Ge-Lee-Ma 2016, Bhojanapalli-Neyshabur-Srebro 2016, "
           "Sun-Qu-Wright 2018, Du-Lee 2018) certified on the instance",
    note="the global-L assumption is replaced by L on a box that is proved forward invariant",
)

LANDSCAPE = Theorem(
    id="landscape-gd-global-min",
    title="On a benign landscape, gradient descent from a random start converges to a global minimum",
    citation=LANDSCAPE_CITATION,
    parameters=(lsjr2016.alpha,),
    quantities=lsjr2016.THEOREM.quantities,
    hypotheses=lsjr2016.HYPOTHESES + (
        Hypothesis("local-minima-global", "every local minimum of f in the box is a global minimum of f "
                   "(certified on this instance)", predicate=_local_minima_global,
                   latex=r"\nabla f(x)=0,\ \nabla^2 f(x)\succeq 0\ \text{local min} \Rightarrow f(x)=\min f"),),
    constants=(lsjr2016.STEP_MAX,),
    conclusion="for x_0 with a density on the box, if the GD iterates converge, the limit is a global "
               "minimizer of f almost surely",
    conclusion_latex=r"\Pr_{x_0\sim\nu}\big(\lim_k x_k \notin \arg\min f \,\big|\, \lim_k x_k \text{ exists}\big) = 0",
    observables=("fraction of GD runs ending at a global minimum (Clopper-Pearson interval)",),
    notes=("The landscape theorems are about random or generic instances; this certificate is about the "
           "given one: a small instance may well have spurious local minima (see matrix-completion-3x1).",),
    family="saddles",
)

k, d, n = sp.symbols("k d n", positive=True, integer=True)

DU_LEE_CITATION = Citation(
    authors="S. S. Du, J. D. Lee",
    title="On the Power of Over-parametrization in Neural Networks with Quadratic Activation",
    venue="ICML 2018",
    arxiv="1803.01206",
    result="landscape theorem (k >= sqrt(2n), generic perturbation) and the k >= d statement",
    note="sqrt(2n) condition [P, abstract]; the model and the k >= d statement are NOT VERIFIED against the "
         "paper's text; the instance certificate is the rigorous check",
)

PATAKI = Constant(
    name="k_min_perturbed", symbol=sp.Symbol("k_min"), expr=sp.sqrt(2 * n),
    description="hidden units that make every second-order stationary point of the perturbed loss global",
    derivation=Derivation((
        Step("an optimal M = W^T W of the convex problem in M >= 0 can be taken of rank r with r (r + 1)/2 <= n "
             "(Barvinok-Pataki), and r <= sqrt(2n) follows", sp.Le(sp.Symbol("r", positive=True),
                                                                     sp.sqrt(2 * n)),
             Check.CITED, "1803.01206 landscape proof (NOT VERIFIED in detail)"),
        Step("r (r + 1)/2 <= n implies r^2 < 2 n", sp.Lt(sp.Symbol("r", positive=True) ** 2, 2 * n),
             Check.SYMPY, "algebra",
             substitution={n: sp.Symbol("r", positive=True) * (sp.Symbol("r", positive=True) + 1) / 2
                           + sp.Symbol("s", nonnegative=True)}),
    )),
)

DU_LEE = Theorem(
    id="dl2018-quadratic-activation",
    title="Quadratic-activation networks with k >= d hidden units have no spurious local minima",
    citation=DU_LEE_CITATION,
    parameters=(k, d),
    quantities=(),
    hypotheses=(Hypothesis("width-at-least-dimension", "k >= d", relation=Ge(k, d)),),
    constants=(),
    conclusion="every local minimum of the squared loss of sum_j (w_j^T x)^2 is global (no perturbation)",
    conclusion_latex=r"k \ge d \Rightarrow \text{every local minimum of } L(W) \text{ is global}",
    observables=("the instance certificate local-minima-global on a small catalog instance",),
    notes=("NOT VERIFIED against the paper's text (only the abstract was read); the instance certificate is "
           "the rigorous check.",),
    family="saddles",
)

DU_LEE_PERTURBED = Theorem(
    id="dl2018-quadratic-activation-perturbed",
    title="Quadratic-activation networks with k >= sqrt(2n): every second-order stationary point of a "
          "generically perturbed loss is global",
    citation=DU_LEE_CITATION,
    parameters=(k, n),
    quantities=(),
    hypotheses=(Hypothesis("width-pataki", "k >= sqrt(2 n)", relation=Ge(k, sp.sqrt(2 * n))),
                Hypothesis("generic-perturbation", "the loss is perturbed by <C, W^T W> with C drawn from a "
                           "density (almost every C)",
                           predicate=lambda instance: StructuralResult(
                               Verdict.UNDECIDED, "a property of how the loss is set up, not of the data", {},
                               "the catalog instances are not perturbed"))),
    constants=(PATAKI,),
    conclusion="for almost every C, every second-order stationary point of L(W) + <C, W^T W> is a global minimum",
    conclusion_latex=r"k \ge \sqrt{2n} \Rightarrow \text{SOSPs of } L_C \text{ are global, a.s. in } C",
    observables=("GD/PGD from random starts reaches the convex optimum over M = W^T W >= 0",),
    family="saddles",
)

THEOREMS = (LANDSCAPE, DU_LEE, DU_LEE_PERTURBED)
