"""Kakade & Lee, "Provably Correct Automatic Subdifferentiation for Qualified Programs"
(NeurIPS 2018, arXiv:1809.08530).

Statement used (docs/nonsmooth_chain_rule.md): for a *qualified*
program (a straight-line program whose nonsmooth operations are library functions that are
locally Lipschitz and piecewise smooth with a constraint qualification), a randomized
algorithm (forward pass with one-sided directional derivatives along a random direction,
then a reverse pass) returns an element of the Clarke subdifferential with probability one,
at a cost within a dimension-free factor of 6 of evaluating the program [P, abstract].
The structure (directional-derivative chain rule, random direction, reverse pass) is [P,
review page]; the library assumptions in detail and the split of the factor 6 are NOT
VERIFIED.

The implementation is :mod:`numerics.nonsmooth.subdifferentiation`.  On an instance the
hypotheses are decided on the traced program by :func:`numerics.nonsmooth.qualification.qualify`,
stored as ``InstanceData.cache["nonsmooth"]``; use :func:`instance_for` to build it.  The cost
factor is a cited constant; the measured ratio (benchmarks/bench_subgradient.py) is an
observable, never a verdict.
"""

from __future__ import annotations

import sympy as sp

from numerics.arith.verdict import Verdict
from proofs.core import (Check, Citation, Constant, Derivation, Hypothesis, InstanceData, Le, Step,
                         StructuralResult, Theorem)

cost = sp.Symbol("C_cost", positive=True)

CITATION = Citation(
    authors="S. M. Kakade, J. D. Lee",
    title="Provably Correct Automatic Subdifferentiation for Qualified Programs",
    venue="NeurIPS 2018",
    arxiv="1809.08530",
    result="main theorem (abstract): a Clarke subgradient at cost within a factor 6 of f",
    note="library assumptions and the split of the factor 6 NOT VERIFIED beyond the abstract",
)


def instance_for(fn_or_module, inputs, loss_fn=None, generator=None) -> InstanceData:
    """InstanceData whose cache holds the qualification of the traced program."""
    from numerics.nonsmooth.qualification import qualify

    return InstanceData(X=None, y=None, cache={"nonsmooth": qualify(fn_or_module, inputs, loss_fn, generator)})


def _qualification(instance: InstanceData):
    q = instance.cache.get("nonsmooth")
    if q is None:
        raise ValueError("instance.cache['nonsmooth'] is missing: build the instance with instance_for(...)")
    return q


def _evidence(q) -> dict:
    return {"ops": list(q.ops), "kink_primitives": list(q.kink_primitives),
            "singular_ops": list(q.singular_ops), "ties": q.ties}


def _library(instance: InstanceData) -> StructuralResult:
    q = _qualification(instance)
    return StructuralResult(q.library, "structural: every torch call of one traced run is intercepted; "
                            "nonsmooth calls outside the library raise", _evidence(q),
                            q.message if q.library is not Verdict.HOLDS else "")


def _primitives(instance: InstanceData) -> StructuralResult:
    q = _qualification(instance)
    return StructuralResult(q.primitives, "by construction: each primitive selects among affine pieces "
                            "with linearly independent active constraints (numerics/nonsmooth/library.py)",
                            {"kink_primitives": list(q.kink_primitives)})


def _smooth(instance: InstanceData) -> StructuralResult:
    q = _qualification(instance)
    method = ("structural: every smooth operation traced is entire" if q.smooth is Verdict.HOLDS else
              "tangent check at the point (floating point)")
    return StructuralResult(q.smooth, method, _evidence(q), q.message if q.smooth is not Verdict.HOLDS else "")


HYPOTHESES = (
    Hypothesis("library", "every nonsmooth operation of the program is a library primitive "
               "(relu, leaky_relu, prelu, abs, maximum/minimum, clamp, hardtanh, max/min reductions, "
               "max_pool1d/2d, l1_loss, where on a comparison)", predicate=_library),
    Hypothesis("primitives-qualified", "each library primitive is locally Lipschitz and piecewise smooth "
               "with a constraint qualification", predicate=_primitives),
    Hypothesis("smooth-ops-differentiable", "every smooth operation is continuously differentiable "
               "near the point where it is evaluated", predicate=_smooth),
)

COST_FACTOR = Constant(
    name="cost_factor", symbol=cost, expr=sp.Integer(6),
    description="time(subgradient) / time(f) is at most this factor (dimension-free)",
    derivation=Derivation((
        Step("a Clarke subgradient costs at most 6 evaluations of f", Le(cost, 6), Check.CITED,
             "1809.08530 abstract"),
    )),
)

THEOREM = Theorem(
    id="kakade-lee2018-subdifferentiation",
    title="Provably correct automatic subdifferentiation of qualified programs",
    citation=CITATION,
    parameters=(),
    quantities=(),
    hypotheses=HYPOTHESES,
    constants=(COST_FACTOR,),
    conclusion="with probability one over the random direction, the returned vector lies in the Clarke "
               "subdifferential of f at x, at a cost within a factor 6 of evaluating f",
    conclusion_latex=r"\Pr_v\big(g(x; v) \in \partial_C f(x)\big) = 1,\quad "
                     r"\mathrm{cost}(g) \le 6\,\mathrm{cost}(f)",
    observables=("time(subgradient)/time(f) (benchmarks/bench_subgradient.py)",
                 "membership of the result in the exact Clarke subdifferential on piecewise-linear programs",
                 "autograd values outside the Clarke subdifferential (numerics.nonsmooth.audit)"),
    notes=("Operations torch implements as C++ composites that hide a kink, other than those listed as "
           "unsupported, are invisible to Python-level interception and treated as smooth.",
           "The guarantee is for exact arithmetic; a kink reached only up to rounding is decided by the "
           "computed sign."),
    family="nonsmooth",
)

THEOREMS = (THEOREM,)
