"""Lee, Simchowitz, Jordan, Recht, "Gradient Descent Only Converges to Minimizers" (COLT 2016,
arXiv:1602.04915), Theorem 4.1 and Corollary 4.6 (numbering of the arXiv text; read in the paper).

Statement used: f in C^2 with L-Lipschitz gradient, 0 < alpha < 1/L, x_0 drawn from a density:
gradient descent x_{k+1} = x_k - alpha grad f(x_k) converges to a given strict saddle
(lambda_min(Hessian) < 0, Def. 2.2) with probability 0; with at most countably many (e.g.
isolated) saddles, all strict, Pr(lim x_k is a saddle) = 0 (Cor. 4.6).

The paper assumes a *global* L. On a box we certify L = an upper bound of sup ||Hessian||_2 over
the box and check that the box is forward invariant under the GD map (then the iterates never
leave the region where L is valid; this is the forward-invariant-domain extension of Panageas &
Piliouras 2016, arXiv:1605.00405, [P, abstract]). When forward invariance is not proved the
hypothesis is `undecided` and so is the theorem.

Instance data: the :class:`proofs.saddle_facts.SaddleFacts` in ``InstanceData.cache["saddle"]``
(``search``, a :class:`numerics.landscape.results.CriticalPointSearch`; ``ell``, a rigorous upper
bound of sup ||Hessian||_2; ``smooth``; ``forward_invariance``).
"""

from __future__ import annotations

import sympy as sp

from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from proofs.core import (Check, Citation, Constant, Derivation, Gt, Hypothesis, InstanceData, Lt, Quantity,
                         Step, StructuralResult, Theorem)
from proofs.saddle_facts import saddle_facts

alpha = sp.Symbol("alpha", positive=True)
L = sp.Symbol("L", positive=True)
_LAMBDA_MIN = sp.Symbol("lambda_min", real=True)   # of the Hessian at a critical point

CITATION = Citation(
    authors="J. D. Lee, M. Simchowitz, M. I. Jordan, B. Recht",
    title="Gradient Descent Only Converges to Minimizers",
    venue="COLT 2016",
    arxiv="1602.04915",
    result="Theorem 4.1 and Corollary 4.6",
    note="the global-L assumption is replaced by L on a box that is proved forward invariant "
         "(Panageas & Piliouras 2016, arXiv:1605.00405)",
)


def _lipschitz_quantity(instance: InstanceData) -> Interval:
    ell = float(saddle_facts(instance).ell)
    return Interval(ell, ell)


def _c2(instance: InstanceData) -> StructuralResult:
    data = saddle_facts(instance)
    import math
    if not data.smooth:
        return StructuralResult(Verdict.FAILS, "syntax: the expression uses a non-smooth function", {})
    if not math.isfinite(float(data.ell)):
        return StructuralResult(Verdict.UNDECIDED, "interval Hessian over the box is unbounded "
                                "(a division by 0, log or sqrt of 0 may occur)", {"ell": repr(data.ell)})
    return StructuralResult(Verdict.HOLDS, "composition of C-infinity functions whose interval Hessian is "
                            "finite on a cover of the box (no singularity in the box)", {})


def _forward_invariant(instance: InstanceData) -> StructuralResult:
    data = saddle_facts(instance)
    if data.constant_hessian:
        return StructuralResult(Verdict.HOLDS, "the Hessian is constant (sympy: no variable in any entry), so "
                                "L = ||Hessian||_2 is a global gradient-Lipschitz constant", {},
                                "global L; forward invariance not needed")
    verdict, evidence = data.forward_invariance
    return StructuralResult(verdict, "interval image of the GD map x - alpha grad f(x) (mean-value form) "
                            "on a subdivision of the box", evidence,
                            "" if verdict is Verdict.HOLDS else
                            "L is only valid on the box; the paper's global-L hypothesis is not established")


def _strict_saddle_property(instance: InstanceData) -> StructuralResult:
    search = saddle_facts(instance).search
    v = search.strict_saddle_property()
    kinds = {}
    for p in search.points:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    msg = "" if search.complete else f"{len(search.undecided_boxes)} sub-box(es) not accounted for"
    return StructuralResult(v, "interval branch-and-bound with Krawczyk existence/uniqueness and verified "
                            "Hessian eigenvalue enclosures", {"complete": search.complete, "kinds": kinds}, msg)


HYPOTHESES = (
    Hypothesis("c2", "f is C^2 on the box", predicate=_c2, latex=r"f \in C^2"),
    Hypothesis("step-positive", "alpha > 0", relation=Gt(alpha, 0)),
    Hypothesis("step-size", "alpha < 1/L with L >= sup ||Hessian f||_2 on the box", relation=Lt(alpha, 1 / L)),
    Hypothesis("forward-invariant", "L holds along the iterates: the box is forward invariant under "
               "x -> x - alpha grad f(x), or the Hessian is constant (L global)",
               predicate=_forward_invariant, latex=r"g(\mathcal B) \subseteq \mathcal B"),
    Hypothesis("strict-saddle-property", "every critical point in the box is a local minimum or a strict saddle",
               predicate=_strict_saddle_property),
)

STEP_MAX = Constant(
    name="step_size", symbol=sp.Symbol("alpha_max"), expr=1 / L,
    description="supremum of the allowed steps (alpha must be strictly smaller)",
    derivation=Derivation((
        Step("Prop. 4.5: for alpha L < 1 the map g = id - alpha grad f is a diffeomorphism "
             "(injective since ||x - y|| <= alpha L ||x - y||)", Lt(alpha * L, 1), Check.CITED,
             "1602.04915 Proposition 4.5"),
        Step("every step alpha = (1/L)/(1 + s), s > 0, below 1/L satisfies alpha L < 1",
             Lt(alpha * L, 1), Check.SYMPY, "algebra",
             substitution={alpha: 1 / (L * (1 + sp.Symbol("s", positive=True)))}),
        Step("at a strict saddle (lambda_min = -g < 0) Dg = I - alpha Hessian has the eigenvalue "
             "1 - alpha lambda_min > 1", Gt(1 - alpha * _LAMBDA_MIN, 1),
             Check.SYMPY, "1602.04915 proof of Theorem 4.1",
             substitution={_LAMBDA_MIN: -sp.Symbol("g", positive=True)}),
        Step("an eigenvalue of Dg above 1 makes the centre-stable manifold of the saddle of dimension < d "
             "(Shub Thm III.7), hence of measure zero, and so is its preimage under the diffeomorphism g",
             Lt(sp.Symbol("dim_W_cs", integer=True), sp.Symbol("d", positive=True, integer=True)), Check.CITED,
             "1602.04915 Theorem 4.4 (Shub Thm III.7) and the proof of Theorem 4.1"),
    )),
)

THEOREM = Theorem(
    id="lsjr2016-gd-avoids-saddles",
    title="Gradient descent from a random start converges to a strict saddle with probability zero",
    citation=CITATION,
    parameters=(alpha,),
    quantities=(Quantity("L", L, "certified gradient-Lipschitz constant: upper bound of sup ||Hessian f||_2 "
                         "over the box", "interval Hessian on a refined subdivision, min(Frobenius, row-sum) norm",
                         compute=_lipschitz_quantity),),
    hypotheses=HYPOTHESES,
    constants=(STEP_MAX,),
    conclusion="for x_0 with a density on the box, Pr(lim x_k is a saddle point) = 0; if the limit exists it "
               "is a local minimizer almost surely (Theorem 4.8)",
    conclusion_latex=r"\Pr_{x_0\sim\nu}\big(\lim_k x_k \in \{\text{strict saddles}\}\big) = 0",
    observables=("fraction of GD runs ending at each certified saddle (Clopper-Pearson interval)",),
    notes=("Local maxima have lambda_min < 0 and are strict saddles in the sense of Def. 2.2.",
           "Critical points listed as strict-saddle regions without uniqueness are fine here: "
           "Cor. 4.6 needs countably many saddles, which the certificate does not prove for such a region; "
           "the theorem's per-saddle statement (Thm 4.1) still applies to each of them."),
    family="saddles",
)

THEOREMS = (THEOREM,)
