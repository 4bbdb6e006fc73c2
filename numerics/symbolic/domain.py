"""Is an expression twice continuously differentiable on a whole box? The terms that can fail
to be (a power with a non-integer exponent needs a positive base, a negative integer power a
nonzero base, ``log`` a positive argument), each checked by interval enclosures of its argument
over a grid of sub-boxes (docs/saddle_certification.md, "Where f is C^2").

The verdict for each term: ``holds`` when every sub-box proves the argument in the allowed set,
``fails`` when a point of the box is found where it certainly is not (then f is not C^2 there),
``undecided`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from numerics.arith.verdict import Verdict
from numerics.symbolic.derivatives import IntervalProgram

GRID_BOXES = 4096
"""Sub-boxes of the uniform grid on which each argument is enclosed."""


@dataclass(frozen=True)
class DomainCondition:
    """One singular term of f: the term, the argument whose sign matters, what is required, and
    the verdict on the box (with a point of the box that violates it, when ``fails``)."""

    term: str
    argument: str
    requirement: str          # "> 0" or "!= 0"
    verdict: Verdict
    witness: tuple[float, ...] | None = None


def singular_terms(expr) -> list[tuple[sp.Expr, sp.Expr, str]]:
    """(term, argument, requirement) for every subexpression where C^2 needs a condition."""
    out = []
    for e in sp.preorder_traversal(expr):
        if isinstance(e, sp.Pow):
            base, ex = e.args
            if base.is_number:
                continue
            if not ex.is_Integer:
                out.append((e, base, "> 0"))
            elif ex.is_negative:
                out.append((e, base, "!= 0"))
        elif isinstance(e, sp.log) and not e.args[0].is_number:
            out.append((e, e.args[0], "> 0"))
    return out


def _grid(blo, bhi, n_boxes: int):
    n = len(blo)
    per = max(1, int(n_boxes ** (1.0 / n)))
    edges = [np.linspace(blo[k], bhi[k], per + 1) for k in range(n)]
    for k in range(n):
        edges[k][0], edges[k][-1] = blo[k], bhi[k]
    idx = np.array(np.meshgrid(*[np.arange(per)] * n, indexing="ij")).reshape(n, -1).T
    lo = np.stack([edges[k][idx[:, k]] for k in range(n)], axis=1)
    hi = np.stack([edges[k][idx[:, k] + 1] for k in range(n)], axis=1)
    return lo, hi


def _enclose(prog: IntervalProgram, variables, lo, hi):
    from numerics.arith.interval import Interval
    env = {v: Interval._raw(lo[:, k], hi[:, k]) for k, v in enumerate(variables)}
    e = prog.evaluate(env)[0]
    return np.broadcast_to(e.lo, (len(lo),)), np.broadcast_to(e.hi, (len(lo),))


def _satisfied(requirement: str, lo, hi) -> np.ndarray:
    return lo > 0 if requirement == "> 0" else (lo > 0) | (hi < 0)


def _violated(requirement: str, lo, hi) -> np.ndarray:
    return hi <= 0 if requirement == "> 0" else (lo == 0) & (hi == 0)


def check_condition(term, argument, requirement: str, variables, blo, bhi) -> DomainCondition:
    """The verdict of one condition on the box ``[blo, bhi]`` (module docstring)."""
    prog = IntervalProgram([argument], variables)
    lo, hi = _grid(np.asarray(blo, float), np.asarray(bhi, float), GRID_BOXES)
    alo, ahi = _enclose(prog, variables, lo, hi)
    text = dict(term=sp.sstr(term), argument=sp.sstr(argument), requirement=requirement)
    if _satisfied(requirement, alo, ahi).all():
        return DomainCondition(**text, verdict=Verdict.HOLDS)
    points = np.concatenate([lo, hi, 0.5 * lo + 0.5 * hi])
    plo, phi = _enclose(prog, variables, points, points)
    bad = np.flatnonzero(_violated(requirement, plo, phi))
    if len(bad):
        return DomainCondition(**text, verdict=Verdict.FAILS, witness=tuple(float(v) for v in points[bad[0]]))
    return DomainCondition(**text, verdict=Verdict.UNDECIDED)


def domain_conditions(expr, variables, blo, bhi) -> list[DomainCondition]:
    """Every condition f must meet to be C^2 on the box, each with its verdict."""
    return [check_condition(t, a, r, variables, blo, bhi) for t, a, r in singular_terms(expr)]
