"""Branch and bound over a box: which sub-boxes hold no critical point, which hold exactly one
(Krawczyk), and which stay undecided; plus the box bookkeeping (uniform grids, bisection,
clusters of touching boxes).

Every box is

* *excluded* when some component of the gradient enclosure (natural ∩ mean-value form,
  :mod:`numerics.symbolic.derivatives`) does not contain 0, when an extra equation provably does
  not vanish on it, or when the Krawczyk operator ``K(X)`` misses X (every zero of g in X lies
  in K(X): mean-value theorem row by row, H(X) ⊇ the Jacobian of g on X);
* *verified* when ``K(X) ⊂ int(X)``: then X holds exactly one zero of the gradient (Krawczyk
  1969; Rump 1983; docs/saddle_certification.md);
* *contracted* to ``X ∩ K(X)`` (the removed part has no zero) and otherwise bisected at an
  off-centre point (so critical points at "round" coordinates do not sit on a cut);
* *zero-level* when, for a polynomial ``f >= 0``, a saturation polynomial has no zero on it
  (:mod:`numerics.symbolic.ideal_saturation`): every critical point there is a global minimum; it
  is dropped when a Rayleigh quotient proves negative curvature on all of it.

Verified boxes are subsets of cells of a partition and each zero lies in the interior of its box,
so no zero is counted twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from numerics.arith.interval import Interval
from numerics.landscape.spectrum import lowest_eigvec_of_mid, rayleigh_upper_batch
from numerics.landscape.verify import inverse_midpoints, krawczyk, nonvanishing
from numerics.symbolic.derivatives import DerivativeEnclosures, SmoothObjective

SPLIT_FRACTION = 0.4853515625  # off-centre cut (an exact binary fraction)

Box = tuple[np.ndarray, np.ndarray]


def check_box(objective: SmoothObjective, box_lo, box_hi):
    """The box as two float vectors; ValueError naming the problem when it is not a finite box
    with lo < hi in each of the objective's variables."""
    lo = np.asarray(box_lo, dtype=np.float64).reshape(-1)
    hi = np.asarray(box_hi, dtype=np.float64).reshape(-1)
    n = objective.dim
    if lo.shape != (n,) or hi.shape != (n,):
        raise ValueError(f"box: need {n} lower and upper bounds (variables {objective.names}), "
                         f"got {lo.shape} and {hi.shape}")
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()) or not (lo < hi).all():
        raise ValueError(f"box: need finite bounds with lo < hi in every variable; got lo={lo}, hi={hi}")
    return lo, hi


@dataclass(frozen=True)
class SearchOptions:
    """How far the branch and bound goes (see :func:`subdivide`)."""

    max_boxes: int = 200_000
    min_width: float = 1e-7
    batch: int = 2048
    zero_level_width: float = 1 / 16
    deadline: float | None = None               # time.monotonic() after which nothing is refined
    progress: Callable[[dict], None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Subdivision:
    """What the branch and bound proved: boxes with exactly one zero, undecided boxes (``stuck``),
    zero-level boxes (every zero there is a global minimum), and the counters."""

    verified: list[Box]
    stuck: list[Box]
    zero_level: list[Box]
    stats: dict
    out_of_time: bool = False


class _Queue:
    """Boxes waiting to be processed, in order, each with its zero-level flag."""

    def __init__(self, lo, hi):
        self.lo, self.hi, self.zl = [lo[None, :]], [hi[None, :]], [np.zeros(1, dtype=bool)]
        self.pending = 1

    def pop(self, batch: int):
        L, U, Z = np.concatenate(self.lo), np.concatenate(self.hi), np.concatenate(self.zl)
        self.lo, self.hi, self.zl = [L[batch:]], [U[batch:]], [Z[batch:]]
        self.pending = len(L) - min(batch, len(L))
        return L[:batch], U[:batch], Z[:batch]

    def push(self, lo, hi, zl):
        self.lo.append(lo)
        self.hi.append(hi)
        self.zl.append(zl)
        self.pending += len(lo)

    def drain(self) -> list[Box]:
        L, U = np.concatenate(self.lo), np.concatenate(self.hi)
        self.pending = 0
        return [(L[b].copy(), U[b].copy()) for b in range(len(L))]


def _excluded_by_equations(g: Interval, extra, variables, L, U) -> np.ndarray:
    """Boxes where a gradient component (or an extra equation) provably does not vanish."""
    excl = ((g.lo > 0) | (g.hi < 0)).any(axis=1)
    if extra is not None:
        env = {v: Interval._raw(L[:, k], U[:, k]) for k, v in enumerate(variables)}
        for e in extra.evaluate(env):
            excl = excl | (np.broadcast_to(e.lo, excl.shape) > 0) | (np.broadcast_to(e.hi, excl.shape) < 0)
    return excl


def _zero_level_step(zl_prog, variables, L2, U2, Z2, H, stats):
    """Mark boxes where every zero is a global minimum; drop those with proven negative curvature
    (a global minimum has a PSD Hessian). Returns the mask of boxes kept."""
    if zl_prog is not None and not Z2.all():
        Z2 |= nonvanishing(zl_prog, variables, L2, U2)
    keep = np.ones(len(Z2), dtype=bool)
    if Z2.any():
        iz = np.flatnonzero(Z2)
        Hz = H[iz]
        keep[iz] = ~(rayleigh_upper_batch(Hz, lowest_eigvec_of_mid(Hz)) < 0)
        stats["excluded_zero_level_curvature"] += int((~keep).sum())
    return keep


def _bisect_off_centre(L, U, scale):
    """Two halves of every box, cut across its widest side (relative to ``scale``) at
    ``SPLIT_FRACTION``."""
    dim = np.argmax((U - L) / scale, axis=1)
    rows = np.arange(len(L))
    cut = L[rows, dim] + SPLIT_FRACTION * (U[rows, dim] - L[rows, dim])
    A_hi = U.copy()
    A_hi[rows, dim] = cut
    B_lo = L.copy()
    B_lo[rows, dim] = cut
    return (L, A_hi), (B_lo, U)


def _new_stats() -> dict:
    return dict(boxes_processed=0, excluded_gradient=0, excluded_krawczyk=0, contracted=0,
                bisections=0, verified=0, stuck=0, zero_level_boxes=0, excluded_zero_level_curvature=0)


def subdivide(D: DerivativeEnclosures, blo, bhi, options: SearchOptions, *, extra=None,
              zl_prog=None) -> Subdivision:
    """Branch and bound over ``[blo, bhi]`` (module docstring). ``extra``: an IntervalProgram of
    equations that also vanish at every point sought; ``zl_prog``: the zero-level polynomials.
    Boxes narrower than ``min_width`` (relative) in every variable, and boxes left when
    ``max_boxes`` is reached without contraction, are returned as ``stuck``; when the deadline
    passes, every box not yet decided is returned as stuck too (``out_of_time``)."""
    variables = D.objective.variables
    scale = bhi - blo
    stats = _new_stats()
    queue = _Queue(blo, bhi)
    verified: list[Box] = []
    stuck: list[Box] = []
    zl_boxes: list[Box] = []
    out_of_time = False
    while queue.pending:
        if options.deadline is not None and time.monotonic() > options.deadline:
            stuck.extend(queue.drain())
            out_of_time = True
            break
        cur_L, cur_U, cur_Z = queue.pop(options.batch)
        stats["boxes_processed"] += len(cur_L)
        if options.progress is not None:
            options.progress({"stage": "search", "boxes": stats["boxes_processed"], "pending": queue.pending,
                              "verified": len(verified)})
        g, H, gc = D.gradient_mean_value(cur_L, cur_U)
        excl = _excluded_by_equations(g, extra, variables, cur_L, cur_U)
        stats["excluded_gradient"] += int(excl.sum())
        keep = ~excl
        cur_L, cur_U, cur_Z, H, gc = cur_L[keep], cur_U[keep], cur_Z[keep], H[keep], gc[keep]
        if len(cur_L) == 0:
            continue
        c = np.clip(0.5 * cur_L + 0.5 * cur_U, cur_L, cur_U)
        K = krawczyk(cur_L, cur_U, c, gc, H, inverse_midpoints(H))
        inside = ((K.lo > cur_L) & (K.hi < cur_U)).all(axis=1)
        nlo, nhi = np.maximum(cur_L, K.lo), np.minimum(cur_U, K.hi)
        empty = (nlo > nhi).any(axis=1)
        stats["excluded_krawczyk"] += int((empty & ~inside).sum())
        verified.extend((cur_L[b].copy(), cur_U[b].copy()) for b in np.flatnonzero(inside))
        stats["verified"] += int(inside.sum())
        rest = ~inside & ~empty
        if not rest.any():
            continue
        L2, U2, Z2 = nlo[rest], nhi[rest], cur_Z[rest].copy()
        oldw = ((cur_U - cur_L)[rest] / scale).max(axis=1)
        kept = _zero_level_step(zl_prog, variables, L2, U2, Z2, H[rest], stats)
        L2, U2, Z2, oldw = L2[kept], U2[kept], Z2[kept], oldw[kept]
        _route(queue, L2, U2, Z2, oldw, scale, options, stats, stuck, zl_boxes)
    stats["stuck"] = len(stuck)
    stats["zero_level_boxes"] = len(zl_boxes)
    return Subdivision(verified, stuck, zl_boxes, stats, out_of_time)


def _route(queue, L2, U2, Z2, oldw, scale, options, stats, stuck, zl_boxes) -> None:
    """Send each undecided box on: again to the queue when Krawczyk contracted it, to ``stuck``
    or the zero-level list when small enough (or out of boxes), else bisected."""
    neww = (U2 - L2) / scale
    shrunk = neww.max(axis=1) < 0.7 * oldw
    stats["contracted"] += int(shrunk.sum())
    small = (neww <= options.min_width).all(axis=1)
    over = stats["boxes_processed"] + queue.pending >= options.max_boxes
    zl_done = Z2 & ((neww <= options.zero_level_width).all(axis=1) | over)
    stuck_mask = ~Z2 & (small | (over & ~shrunk))
    stuck.extend((L2[b].copy(), U2[b].copy()) for b in np.flatnonzero(stuck_mask))
    zl_boxes.extend((L2[b].copy(), U2[b].copy()) for b in np.flatnonzero(zl_done))
    stop = stuck_mask | zl_done
    again = shrunk & ~stop
    if again.any():
        queue.push(L2[again], U2[again], Z2[again])
    split = ~shrunk & ~stop
    if split.any():
        (al, ah), (bl, bh) = _bisect_off_centre(L2[split], U2[split], scale)
        queue.lo += [al, bl]
        queue.hi += [ah, bh]
        queue.zl += [Z2[split], Z2[split]]
        queue.pending += 2 * len(al)
        stats["bisections"] += len(al)


MAX_CLUSTER_BOXES = 4096
"""Above this many boxes, :func:`clusters` returns them as one group (grouping is quadratic)."""


def clusters(boxes: list[Box]) -> list[list[Box]]:
    """Group boxes whose closures intersect (union-find; boxes come from one partition).

    Any grouping in which touching boxes share a group is sound for what is proved about a
    group's hull; above ``MAX_CLUSTER_BOXES`` boxes all of them form one group."""
    nb = len(boxes)
    if nb > MAX_CLUSTER_BOXES:
        return [list(boxes)]
    parent = list(range(nb))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    if nb:
        L = np.array([b[0] for b in boxes])
        U = np.array([b[1] for b in boxes])
        for i in range(nb):
            touch = ((L <= U[i]) & (U >= L[i])).all(axis=1)
            for j in np.flatnonzero(touch):
                ri, rj = find(i), find(int(j))
                if ri != rj:
                    parent[ri] = rj
    groups: dict[int, list] = {}
    for i in range(nb):
        groups.setdefault(find(i), []).append(boxes[i])
    return list(groups.values())


def hull(members: list[Box]) -> Box:
    """The smallest box holding every box of ``members``."""
    return np.min([b[0] for b in members], axis=0), np.max([b[1] for b in members], axis=0)


def uniform_boxes(blo, bhi, per_dim: int):
    """A ``per_dim``^n grid of boxes covering ``[blo, bhi]`` exactly (outer edges are the box's)."""
    n = len(blo)
    edges = [np.linspace(blo[k], bhi[k], per_dim + 1) for k in range(n)]
    edges = [np.concatenate([[blo[k]], e[1:-1], [bhi[k]]]) for k, e in enumerate(edges)]
    idx = np.array(np.meshgrid(*[np.arange(per_dim)] * n, indexing="ij")).reshape(n, -1).T
    lo = np.stack([edges[k][idx[:, k]] for k in range(n)], axis=1)
    hi = np.stack([edges[k][idx[:, k] + 1] for k in range(n)], axis=1)
    return lo, hi


def split_all(lo, hi, scale):
    """Bisect every box across its widest side relative to ``scale`` (the search box widths)."""
    w = hi - lo
    dim = np.argmax(w / scale, axis=1)
    rows = np.arange(len(lo))
    cut = lo[rows, dim] + 0.5 * w[rows, dim]
    a_hi = hi.copy()
    a_hi[rows, dim] = cut
    b_lo = lo.copy()
    b_lo[rows, dim] = cut
    return np.concatenate([lo, b_lo]), np.concatenate([a_hi, hi])
