"""Davis, Drusvyatskiy, Kakade, Lee, "Stochastic subgradient method converges on tame
functions" (FoCM 20 (2020) 119-154, arXiv:1804.07795).

Statement used (docs/nonsmooth_chain_rule.md): for a locally
Lipschitz function whose graph is Whitney stratifiable (e.g. semialgebraic or definable in
an o-minimal structure) [P, abstract], the stochastic subgradient method
``x_{k+1} = x_k - alpha_k (y_k + xi_k)``, ``y_k in ∂_C f(x_k)`` [P for this form], under
Assumption A (NOT VERIFIED item by item; standard): step sizes ``alpha_k > 0``,
``sum alpha_k = inf``, ``sum alpha_k^2 < inf``; bounded iterates; martingale-difference
noise with conditionally bounded second moment; produces almost surely limit points that
are Clarke critical, and ``f(x_k)`` converges.

What is decided on an instance:

* ``tame``: the program is a library program (numerics.nonsmooth.qualification): a
  composition of relu/abs/max-type primitives with entire functions is locally Lipschitz,
  and definable in R_an,exp on every ball (polynomials, exp, log-sum-exp, tanh, sigmoid;
  sin/cos restricted to a ball), hence Whitney stratifiable; this is what the paper needs
  for Assumption B.
* the step-size conditions, for the configured schedule ``alpha_k`` (an expression in
  ``k`` in the restricted grammar, e.g. ``"0.1/(k+1)^0.75"``), by sympy:
  ``Sum(alpha_k, (k, 0, oo)).is_convergent()`` must answer definitely (False for the
  first condition, True for the second), otherwise the verdict is undecided.  For
  ``a/(k+1)^p`` both hold exactly when ``1/2 < p <= 1``.
* bounded iterates: an assumption, reported `undecided` (not verified) unless the
  configuration adds a projection onto a ball (``projection_radius``), which makes it hold
  (the projected method is the paper's proximal extension with the ball's indicator).
* noise: `holds` for full-batch subgradients (no noise); otherwise `undecided`: that a
  sampled subgradient of ``f(., omega)`` is an unbiased element of ``∂_C f`` is not
  automatic [P, Springer notes].

Instance: ``InstanceData(params={"step_schedule": str, "projection_radius": float | None,
"full_batch": bool}, cache={"nonsmooth": Qualification})``; see :func:`instance_for`.
"""

from __future__ import annotations

import sympy as sp

from numerics.arith.verdict import Verdict
from proofs.core import (Check, Citation, Constant, Derivation, Gt, Hypothesis, InstanceData, Le, Step,
                         StructuralResult, Theorem)

k = sp.Symbol("k", integer=True, nonnegative=True)
a = sp.Symbol("a", positive=True)
p = sp.Symbol("p", positive=True)
q = sp.Symbol("q", positive=True)

CITATION = Citation(
    authors="D. Davis, D. Drusvyatskiy, S. Kakade, J. D. Lee",
    title="Stochastic subgradient method converges on tame functions",
    venue="Found. Comput. Math. 20 (2020) 119-154",
    arxiv="1804.07795",
    result="main theorem (limit points are Clarke critical under Assumptions A and B)",
    note="Assumption A items and theorem numbering NOT VERIFIED; content [P] at abstract level",
)


def schedule_from_text(text: str) -> sp.Expr:
    """Parse a step schedule in ``k`` with the restricted grammar (never eval)."""
    from numerics.symbolic.expression import parse, to_sympy, variables

    expr = parse(text)
    extra = [v for v in variables(expr) if v != "k"]
    if extra:
        raise ValueError(f"step_schedule: {text!r} uses {extra}; only the iteration counter k is allowed")
    return to_sympy(expr, {"k": k})


def series_converges(term: sp.Expr) -> Verdict:
    """HOLDS when sympy proves ``sum_{k>=0} term`` converges, FAILS when it proves divergence,
    UNDECIDED when it gives no definite answer."""
    try:
        result = sp.Sum(term, (k, 0, sp.oo)).is_convergent()
    except (NotImplementedError, ValueError, TypeError, RecursionError):
        return Verdict.UNDECIDED
    if result is sp.true or result is True:
        return Verdict.HOLDS
    if result is sp.false or result is False:
        return Verdict.FAILS
    return Verdict.UNDECIDED


def _schedule(instance: InstanceData):
    text = instance.params.get("step_schedule")
    if text is None:
        return None, None
    return text, (schedule_from_text(text) if isinstance(text, str) else sp.sympify(text))


def _positive(instance: InstanceData) -> StructuralResult:
    text, term = _schedule(instance)
    if term is None:
        return StructuralResult(Verdict.UNDECIDED, "no step schedule configured", {})
    pos = term.is_positive
    v = Verdict.HOLDS if pos is True else (Verdict.FAILS if pos is False else Verdict.UNDECIDED)
    return StructuralResult(v, "sympy assumptions (k a non-negative integer)", {"schedule": sp.sstr(term)})


def _divergent(instance: InstanceData) -> StructuralResult:
    text, term = _schedule(instance)
    if term is None:
        return StructuralResult(Verdict.UNDECIDED, "no step schedule configured", {})
    v = ~series_converges(term)
    return StructuralResult(v, "sympy Sum(alpha_k, (k, 0, oo)).is_convergent()",
                            {"schedule": sp.sstr(term)},
                            "" if v is not Verdict.UNDECIDED else "sympy gave no definite answer")


def _square_summable(instance: InstanceData) -> StructuralResult:
    text, term = _schedule(instance)
    if term is None:
        return StructuralResult(Verdict.UNDECIDED, "no step schedule configured", {})
    v = series_converges(term**2)
    return StructuralResult(v, "sympy Sum(alpha_k**2, (k, 0, oo)).is_convergent()",
                            {"schedule_squared": sp.sstr(term**2)},
                            "" if v is not Verdict.UNDECIDED else "sympy gave no definite answer")


def _tame(instance: InstanceData) -> StructuralResult:
    q = instance.cache.get("nonsmooth")
    if q is None:
        return StructuralResult(Verdict.UNDECIDED, "no program traced", {})
    v = q.library & q.smooth
    return StructuralResult(v, "structural: library primitives composed with entire functions "
                            "(numerics.nonsmooth.qualification)",
                            {"ops": list(q.ops), "singular_ops": list(q.singular_ops)},
                            q.message if v is not Verdict.HOLDS else "")


def _bounded(instance: InstanceData) -> StructuralResult:
    r = instance.params.get("projection_radius")
    if r is not None and float(r) > 0:
        return StructuralResult(Verdict.HOLDS, "projection onto the ball of the configured radius",
                                {"projection_radius": float(r)})
    return StructuralResult(Verdict.UNDECIDED, "assumption, not verified",
                            {}, "bounded iterates is assumed; add a projection_radius to make it hold")


def _noise(instance: InstanceData) -> StructuralResult:
    if instance.params.get("full_batch"):
        return StructuralResult(Verdict.HOLDS, "full-batch subgradients: xi_k = 0", {})
    return StructuralResult(Verdict.UNDECIDED, "assumption, not verified", {},
                            "that sampled subgradients are unbiased elements of the Clarke "
                            "subdifferential is not automatic")


HYPOTHESES = (
    Hypothesis("tame", "f is locally Lipschitz with a Whitney-stratifiable graph (a library program)",
               predicate=_tame),
    Hypothesis("steps-positive", "alpha_k > 0 for every k", predicate=_positive),
    Hypothesis("steps-not-summable", "sum_k alpha_k = infinity", predicate=_divergent,
               latex=r"\sum_k \alpha_k = \infty"),
    Hypothesis("steps-square-summable", "sum_k alpha_k^2 < infinity", predicate=_square_summable,
               latex=r"\sum_k \alpha_k^2 < \infty"),
    Hypothesis("bounded-iterates", "sup_k ||x_k|| < infinity almost surely", predicate=_bounded),
    Hypothesis("noise", "xi_k is a martingale difference sequence with conditionally bounded second moment",
               predicate=_noise),
)

SCHEDULE = Constant(
    name="step_schedule", symbol=sp.Symbol("alpha_k", positive=True), expr=a / (k + 1) ** p,
    description="the polynomial schedule alpha_k = a/(k+1)^p; both step conditions hold iff 1/2 < p <= 1",
    derivation=Derivation((
        Step("Assumption A: sum alpha_k = inf and sum alpha_k^2 < inf",
             sp.And(sp.Eq(sp.Sum(a / (k + 1) ** p, (k, 0, sp.oo)), sp.oo, evaluate=False),
                    sp.StrictLessThan(sp.Sum(a**2 / (k + 1) ** (2 * p), (k, 0, sp.oo)), sp.oo, evaluate=False)),
             Check.CITED, "1804.07795 Assumption A (NOT VERIFIED numbering)"),
        Step("p-series: sum (k+1)^-q converges iff q > 1 (integral test); alpha_k has q = p, alpha_k^2 has "
             "q = 2p, so both conditions hold iff 1/2 < p <= 1",
             sp.Equivalent(sp.StrictLessThan(sp.Sum((k + 1) ** -q, (k, 0, sp.oo)), sp.oo, evaluate=False),
                           Gt(q, 1)), Check.CITED, "integral test (standard)"),
        Step("p > 1/2 gives 2p > 1 (square-summable)", Gt(2 * p, 1), Check.SYMPY, "algebra",
             substitution={p: sp.Rational(1, 2) + sp.Symbol("s", positive=True)}),
        Step("p = 1 - t with t >= 0 gives p <= 1 (not summable)", Le(p, 1), Check.SYMPY, "algebra",
             substitution={p: 1 - sp.Symbol("t", nonnegative=True)}),
    )),
)


def instance_for(step_schedule: str, fn_or_module=None, inputs=None, loss_fn=None, *,
                 projection_radius: float | None = None, full_batch: bool = False,
                 generator=None) -> InstanceData:
    """InstanceData for this theorem; the program is traced when given."""
    cache = {}
    if fn_or_module is not None:
        from numerics.nonsmooth.qualification import qualify

        cache["nonsmooth"] = qualify(fn_or_module, inputs, loss_fn, generator)
    return InstanceData(X=None, y=None, params={"step_schedule": step_schedule,
                                                "projection_radius": projection_radius,
                                                "full_batch": full_batch}, cache=cache)


THEOREM = Theorem(
    id="ddkl2018-stochastic-subgradient",
    title="The stochastic subgradient method converges to Clarke critical points on tame functions",
    citation=CITATION,
    parameters=(a, p),
    quantities=(),
    hypotheses=HYPOTHESES,
    constants=(SCHEDULE,),
    conclusion="almost surely every limit point x* of the iterates is Clarke critical (0 in the Clarke "
               "subdifferential at x*) and f(x_k) converges",
    conclusion_latex=r"0 \in \partial_C f(x^\ast)\ \text{for every limit point } x^\ast\ \text{a.s.}",
    observables=("Goldstein epsilon-subdifferential near-stationarity along the run "
                 "(numerics.nonsmooth.stochastic_subgradient)",),
    notes=("Bounded iterates and the noise condition are assumptions unless a projection or full batches "
           "are configured.",),
    family="nonsmooth",
)

THEOREMS = (THEOREM,)
