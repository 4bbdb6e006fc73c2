"""Certified critical points of a smooth objective in a box, their kinds, and strict-saddle
constants.

**Search** (:func:`find_critical_points`): interval branch-and-bound over the box. Every box is

* *excluded* when some component of the gradient enclosure (natural ∩ mean-value form,
  :mod:`numerics.symbolic.derivatives`) does not contain 0, or when the Krawczyk operator
  ``K(X) = c - R g(c) + (I - R H(X)) (X - c)`` misses X (every zero of g in X lies in K(X):
  mean-value theorem row by row, H(X) ⊇ the Jacobian of g on X);
* *verified* when ``K(X) ⊂ int(X)``: then X holds exactly one zero of the gradient, and every
  matrix in H(X) is nonsingular (Krawczyk 1969; Rump 1983; docs/saddle_certification.md; INTLAB
  ``verifynlss(..., 'h')``). The zero is then enclosed in a small box by iterating
  ``Z <- Z ∩ K(Z)``;
* *contracted* to ``X ∩ K(X)`` (the removed part has no zero) and otherwise bisected at an
  off-centre point (so critical points at "round" coordinates do not sit on a cut).

Verified boxes are subsets of cells of a partition, and each zero lies in the *interior* of its
box, so no zero is counted twice. Boxes that stay undecided down to ``min_width`` are grouped
into clusters; a cluster is then accounted for by (a) Krawczyk on an inflated hull, or (b) a
*strict-saddle region*: a box around it where a Rayleigh quotient proves
``lambda_min(Hessian) <= -gamma < 0`` at every point, so every critical point inside (if any) is
a strict saddle; with a point where the gradient is exactly 0 (checked in exact rational
arithmetic by sympy) existence is proved too. A cluster that contains an exact critical point
with a proven singular Hessian is reported as *degenerate*; when sympy shows ``f`` strictly
decreases along a ray from it, the point is proved not to be a local minimum; for a polynomial
``f``, a saturation certificate (:func:`numerics.symbolic.ideal_saturation.isolation_certificate`) can
prove it is the only critical point of its region, degenerate or not, which accounts for the
cluster.

*Zero levels of non-negative polynomials* (:mod:`numerics.symbolic.ideal_saturation`): when ``f >= 0``
is a polynomial, a box on which some polynomial ``g`` with ``f^k g`` in the gradient ideal has
no zero holds only critical points with ``f = 0``, i.e. global minima. Such a box is refined
(down to ``zero_level_width``) only to sharpen the picture: it is dropped when a Rayleigh
quotient proves negative curvature on all of it (a global minimum has a PSD Hessian), and the
rest is reported per cluster, either as the isolated minima a second, certificate-free search
finds in it, or as one *zero-level region*: a set of global minima that need not be isolated
(circles and other orbits of minima, minima that are degenerate across the orbit), with
existence proved at an exact rational point where ``f = 0``.

``complete`` is True only when every part of the box is excluded, verified, in a
strict-saddle region, or in a zero-level region.

**Kinds** from verified enclosures of the Hessian's extreme eigenvalues over the critical
point's enclosure: ``local-min`` (lambda_min > 0), ``strict-saddle`` (lambda_min < 0 <
lambda_max), ``local-max`` (lambda_max < 0; this is also a strict saddle in the sense of Lee et
al. 2016, Def. 2.2, which only asks lambda_min < 0), ``degenerate`` (a proven zero eigenvalue),
``undecided``.

**Constants**: ``ell`` (sup of ||Hessian||_2 over the box, the gradient-Lipschitz constant on
the convex box), ``rho`` (sup of the Frobenius norm of the third-derivative tensor, a
Hessian-Lipschitz constant), and a robust strict-saddle triple (theta, gamma, zeta) in the sense
of Jin et al. 2017, Assumption A2 (every x in the box has ||grad f(x)|| >= theta, or
lambda_min(Hessian(x)) <= -gamma, or lies within zeta of a certified local minimum), proved by
the same branch-and-bound; forward invariance of the box under ``x -> x - alpha grad f(x)``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from numerics.arith import interval as iv
from numerics.arith import rounding
from numerics.symbolic.ideal_saturation import structurally_nonnegative, zero_level_certificate
from numerics.arith.interval import Interval
from numerics.symbolic.derivatives import DerivativeEnclosures, SmoothObjective
from numerics.arith.verdict import Verdict

KINDS = ("local-min", "strict-saddle", "local-max", "degenerate", "undecided")
SPLIT_FRACTION = 0.4853515625  # off-centre cut (an exact binary fraction)


# ============================================================================ eigenvalues
def _arb_ball(lo: float, hi: float):
    from numerics.arith.balls import arb_from_bounds
    return arb_from_bounds(float(lo), float(hi))


def _arb_positive_definite(A: Interval, s: float) -> bool:
    """Ball LDL^T of ``X - s I`` for every symmetric X in A: all pivots > 0 proves X - sI PD."""
    from numerics.arith.context import arb_precision
    n = A.shape[0]
    with arb_precision(106):
        M = [[_arb_ball(A.lo[i, j], A.hi[i, j]) for j in range(n)] for i in range(n)]
        for i in range(n):
            M[i][i] = M[i][i] - s
        for k in range(n):
            d = M[k][k]
            if not d > 0:  # arb comparison is True only when certain
                return False
            for i in range(k + 1, n):
                f = M[i][k] / d
                for j in range(k + 1, i + 1):
                    M[i][j] = M[i][j] - f * M[k][j]
                    M[j][i] = M[i][j]
    return True


def _arb_rayleigh_upper(A: Interval, v: np.ndarray) -> float:
    from flint import arb

    from numerics.arith.balls import arb_bounds
    from numerics.arith.context import arb_precision
    n = A.shape[0]
    with arb_precision(106):
        num = arb(0)
        for i in range(n):
            for j in range(n):
                num += arb(float(v[i])) * arb(float(v[j])) * _arb_ball(A.lo[i, j], A.hi[i, j])
        den = sum((arb(float(x)) ** 2 for x in v), arb(0))
        return arb_bounds(num / den)[1]


def _lambda_min_arb(A: Interval) -> tuple[float, float]:
    """Enclosure [lo, hi] of lambda_min over the symmetric matrices in A (small n), in Arb:
    hi from a Rayleigh quotient, lo from a ball LDL^T of a shifted matrix."""
    mid = A.mid()
    mid = 0.5 * (mid + mid.T)
    w, V = np.linalg.eigh(mid)
    hi = _arb_rayleigh_upper(A, V[:, 0])
    rad = float(np.sqrt(np.sum(A.rad() ** 2)))
    gap = rad + 1e-12 * (1.0 + abs(w[0])) + 1e-300
    lo = -math.inf
    for _ in range(12):
        s = float(w[0] - gap)
        if _arb_positive_definite(A, s):
            lo = s
            break
        gap *= 4.0
    return lo, max(hi, lo)


def lambda_min_bounds(A: Interval) -> tuple[float, float]:
    """Rigorous [lo, hi] of lambda_min(X) for every symmetric X in the interval matrix A.

    Uses :func:`numerics.linalg.spectral.lambda_min_enclosure` (Rump's shifted Cholesky test and
    Rayleigh/Temple bounds, escalating to Arb up to 212 bits); :func:`_lambda_min_arb` (ball
    LDL^T in Arb) is the independent cross-check used by the tests. Infinite entries give
    (-inf, inf).
    """
    if not A.is_finite():
        return -math.inf, math.inf
    A = Interval._raw(np.minimum(A.lo, A.lo.T), np.maximum(A.hi, A.hi.T))
    try:
        from numerics.linalg.spectral import lambda_min_enclosure
    except ImportError:
        return _lambda_min_arb(A)
    from numerics.arith.context import workprec
    with workprec(max_precision_bits=212):
        e = lambda_min_enclosure(A, rel_tol=1e-6)
    return float(e.lo), float(e.hi)


def eigen_bounds(A: Interval) -> dict:
    """lambda_min and lambda_max enclosures of a symmetric interval matrix."""
    lmin = lambda_min_bounds(A)
    m = lambda_min_bounds(-A)
    return {"min": lmin, "max": (-m[1], -m[0])}


def rayleigh_upper_batch(H: Interval, V: np.ndarray) -> np.ndarray:
    """Upper bounds of ``v^T X v / v^T v`` for X in H[b] and v = V[b] (batched, rigorous)."""
    B, n, _ = H.shape
    num = None
    for i in range(n):
        for j in range(n):
            t = H[:, i, j] * iv.as_interval(V[:, i] * 0 + V[:, i]) * iv.as_interval(V[:, j])
            num = t if num is None else num + t
    den = None
    for i in range(n):
        t = iv.as_interval(V[:, i]) * iv.as_interval(V[:, i])
        den = t if den is None else den + t
    q = num / den
    return q.hi


def _lowest_eigvec_of_mid(H: Interval) -> np.ndarray:
    """Per box, a float eigenvector of the smallest eigenvalue of the Hessian's midpoint (e_1
    where the midpoint is not finite): the test vector of :func:`rayleigh_upper_batch`."""
    Hm = H.mid()
    V = np.zeros(Hm.shape[:2])
    V[:, 0] = 1.0
    ok = np.isfinite(Hm).all(axis=(1, 2))
    if ok.any():
        V[ok] = np.linalg.eigh(0.5 * (Hm[ok] + np.swapaxes(Hm[ok], 1, 2)))[1][:, :, 0]
    return V


def norm2_upper_batch(H: Interval) -> np.ndarray:
    """Upper bound of ||X||_2 over X in H[b]: min(Frobenius, max row sum) of |X| (rigorous)."""
    mag = H.mag()
    s = None
    B, n, _ = H.shape
    for i in range(n):
        for j in range(n):
            t = Interval._raw(mag[:, i, j], mag[:, i, j]) ** 2
            s = t if s is None else s + t
    fro_up = iv.sqrt(s).hi
    rows = None
    for i in range(n):
        r = None
        for j in range(n):
            t = Interval._raw(mag[:, i, j], mag[:, i, j])
            r = t if r is None else r + t
        rows = r.hi if rows is None else np.maximum(rows, r.hi)
    return np.minimum(fro_up, rows)


# ============================================================================ Krawczyk
def _inverse_midpoints(H: Interval) -> np.ndarray:
    mid = H.mid()
    B, n, _ = mid.shape
    R = np.zeros_like(mid)
    ok = np.isfinite(mid).all(axis=(1, 2))
    if ok.any():
        try:
            R[ok] = np.linalg.inv(mid[ok])
        except np.linalg.LinAlgError:
            for b in np.flatnonzero(ok):
                try:
                    R[b] = np.linalg.inv(mid[b])
                except np.linalg.LinAlgError:
                    R[b] = 0.0
    R[~np.isfinite(R).all(axis=(1, 2))] = 0.0
    return R


def krawczyk(lo: np.ndarray, hi: np.ndarray, c: np.ndarray, gc: Interval, H: Interval,
             R: np.ndarray) -> Interval:
    """The Krawczyk operator ``c - R g(c) + (I - R H) (X - c)`` for a batch of boxes.

    ``gc`` encloses the gradient at the points ``c``; ``H`` the Hessian over the boxes; ``R`` is
    any float matrix (an approximate inverse of mid H)."""
    B, n = lo.shape
    d = Interval._raw(rounding.down(lo - c), rounding.up(hi - c))
    out_lo = np.empty((B, n))
    out_hi = np.empty((B, n))
    for i in range(n):
        acc = Interval._raw(c[:, i].copy(), c[:, i].copy())
        for k in range(n):
            acc = acc - gc[:, k] * R[:, i, k]
        for j in range(n):
            # (I - R H)_{ij}
            m = Interval._raw(np.zeros(B), np.zeros(B))
            for k in range(n):
                m = m + H[:, k, j] * R[:, i, k]
            m = (1.0 if i == j else 0.0) - m
            acc = acc + m * d[:, j]
        out_lo[:, i] = acc.lo
        out_hi[:, i] = acc.hi
    return Interval._raw(out_lo, out_hi)


def _krawczyk_boxes(D: DerivativeEnclosures, lo, hi):
    c = np.clip(0.5 * lo + 0.5 * hi, lo, hi)
    g, H = D.gradient_hessian(lo, hi)
    gc = D.gradient(c, c)
    R = _inverse_midpoints(H)
    return krawczyk(lo, hi, c, gc, H, R), g, H


def tighten(D: DerivativeEnclosures, lo: np.ndarray, hi: np.ndarray, iterations: int = 40):
    """Iterate ``Z <- Z ∩ K(Z)`` from a box holding a zero; returns the final box (it still
    holds every zero of the gradient that the first box held)."""
    lo, hi = lo.copy()[None, :], hi.copy()[None, :]
    for _ in range(iterations):
        K, _, _ = _krawczyk_boxes(D, lo, hi)
        nlo, nhi = np.maximum(lo, K.lo), np.minimum(hi, K.hi)
        if (nlo > nhi).any():
            break  # cannot happen for a box holding a zero; keep the last valid box
        shrink = np.max(nhi - nlo) >= 0.9 * np.max(hi - lo)
        lo, hi = nlo, nhi
        if shrink:
            break
    return lo[0], hi[0]


# ============================================================================ results
@dataclass
class CriticalPoint:
    """A certified critical point (or a strict-saddle region, ``unique`` False)."""

    lo: np.ndarray                      # tight enclosure of the point
    hi: np.ndarray
    region_lo: np.ndarray               # box in which uniqueness (or the saddle bound) is proved
    region_hi: np.ndarray
    exists: Verdict
    unique: bool
    method: str
    kind: str = "undecided"
    hessian_min_eig: tuple[float, float] = (-math.inf, math.inf)
    hessian_max_eig: tuple[float, float] = (-math.inf, math.inf)
    in_box: Verdict = Verdict.HOLDS
    evidence: dict = field(default_factory=dict)

    def satisfies_strict_saddle_condition(self) -> Verdict:
        """Local min or lambda_min < 0 (Lee et al. 2016 Def. 2.2 / strict-saddle property)."""
        if self.kind in ("local-min", "strict-saddle", "local-max"):
            return Verdict.HOLDS
        if self.kind == "degenerate" and self.evidence.get("not_local_min"):
            return Verdict.FAILS
        return Verdict.UNDECIDED


@dataclass
class CriticalPointSearch:
    names: tuple[str, ...]
    box_lo: np.ndarray
    box_hi: np.ndarray
    points: list[CriticalPoint]
    complete: bool
    stats: dict
    undecided_boxes: list[tuple[np.ndarray, np.ndarray]]

    def strict_saddle_property(self) -> Verdict:
        """Every critical point in the box is a local min or a strict saddle."""
        verdicts = [p.satisfies_strict_saddle_condition() for p in self.points
                    if p.exists is Verdict.HOLDS and p.in_box is Verdict.HOLDS]
        if Verdict.FAILS in verdicts:
            return Verdict.FAILS
        region_ok = all(p.satisfies_strict_saddle_condition() is Verdict.HOLDS for p in self.points)
        if self.complete and region_ok:
            return Verdict.HOLDS
        return Verdict.UNDECIDED

    def by_kind(self, kind: str) -> list[CriticalPoint]:
        return [p for p in self.points if p.kind == kind]


# ============================================================================ search
def _check_box(objective: SmoothObjective, box_lo, box_hi):
    lo = np.asarray(box_lo, dtype=np.float64).reshape(-1)
    hi = np.asarray(box_hi, dtype=np.float64).reshape(-1)
    n = objective.dim
    if lo.shape != (n,) or hi.shape != (n,):
        raise ValueError(f"box: need {n} lower and upper bounds (variables {objective.names}), "
                         f"got {lo.shape} and {hi.shape}")
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()) or not (lo < hi).all():
        raise ValueError(f"box: need finite bounds with lo < hi in every variable; got lo={lo}, hi={hi}")
    return lo, hi


def find_critical_points(objective: SmoothObjective, box_lo, box_hi, *, max_boxes: int = 200_000,
                         min_width: float = 1e-7, batch: int = 2048,
                         classify: bool = True, extra_equations=(), zero_level: bool = True,
                         algebra_budget_s: float = 30.0,
                         zero_level_refine_boxes: int = 4000,
                         zero_level_width: float = 1 / 16) -> CriticalPointSearch:
    """Enclose every critical point of ``objective`` in the box ``[box_lo, box_hi]``.

    ``min_width``: boxes narrower than ``min_width`` times the box width (in every variable)
    are not bisected further; ``max_boxes`` bounds the work. ``extra_equations``: sympy
    expressions (in the same variables) that also vanish at every point sought; a box is also
    excluded when one of them provably does not vanish on it (used by the symmetry-reduced
    search). ``zero_level``: for a polynomial ``f >= 0``, use the saturation certificate of
    :mod:`numerics.symbolic.ideal_saturation` (Groebner bases within ``algebra_budget_s`` seconds each,
    as are the isolation certificates of degenerate exact critical points):
    a box where it proves that every critical point is a global minimum is not bisected
    further; each cluster of such boxes is then searched again without the certificate (at
    most ``zero_level_refine_boxes`` boxes) to isolate its minima one by one, and is otherwise
    reported as a *zero-level region*. See the module docstring for what is proved.
    """
    t0 = time.perf_counter()
    blo, bhi = _check_box(objective, box_lo, box_hi)
    D = DerivativeEnclosures(objective)
    from numerics.symbolic.derivatives import IntervalProgram
    extra = None
    if extra_equations:
        extra = IntervalProgram(list(extra_equations), objective.variables)
    scale = bhi - blo
    n = objective.dim
    stats = dict(boxes_processed=0, excluded_gradient=0, excluded_krawczyk=0, contracted=0,
                 bisections=0, verified=0, stuck=0, zero_level_boxes=0,
                 excluded_zero_level_curvature=0)
    zl_cert, zl_prog = None, None
    if zero_level:
        zl_cert, reason = zero_level_certificate(objective.expr, objective.variables,
                                                 budget_s=algebra_budget_s)
        stats["zero_level"] = zl_cert.as_dict() if zl_cert is not None else {"not_used": reason}
        if zl_cert is not None:
            zl_prog = IntervalProgram(list(zl_cert.polynomials), objective.variables)
    queue_lo, queue_hi, queue_zl = [blo[None, :]], [bhi[None, :]], [np.zeros(1, dtype=bool)]
    pending = 1
    verified: list[tuple[np.ndarray, np.ndarray]] = []
    stuck: list[tuple[np.ndarray, np.ndarray]] = []
    zl_boxes: list[tuple[np.ndarray, np.ndarray]] = []
    while pending:
        L = np.concatenate(queue_lo)
        U = np.concatenate(queue_hi)
        Z = np.concatenate(queue_zl)
        cur_L, cur_U, cur_Z = L[:batch], U[:batch], Z[:batch]
        queue_lo, queue_hi, queue_zl = [L[batch:]], [U[batch:]], [Z[batch:]]
        pending = len(L) - len(cur_L)
        m = len(cur_L)
        stats["boxes_processed"] += m
        g, H, gc = D.gradient_mean_value(cur_L, cur_U)
        excl = ((g.lo > 0) | (g.hi < 0)).any(axis=1)
        if extra is not None:
            env = {v: Interval._raw(cur_L[:, k], cur_U[:, k]) for k, v in enumerate(objective.variables)}
            for e in extra.evaluate(env):
                elo = np.broadcast_to(e.lo, excl.shape)
                ehi = np.broadcast_to(e.hi, excl.shape)
                excl = excl | (elo > 0) | (ehi < 0)
        stats["excluded_gradient"] += int(excl.sum())
        keep = ~excl
        cur_L, cur_U, cur_Z, H, gc = cur_L[keep], cur_U[keep], cur_Z[keep], H[keep], gc[keep]
        if len(cur_L) == 0:
            continue
        c = np.clip(0.5 * cur_L + 0.5 * cur_U, cur_L, cur_U)
        R = _inverse_midpoints(H)
        K = krawczyk(cur_L, cur_U, c, gc, H, R)
        inside = ((K.lo > cur_L) & (K.hi < cur_U)).all(axis=1)
        nlo = np.maximum(cur_L, K.lo)
        nhi = np.minimum(cur_U, K.hi)
        empty = (nlo > nhi).any(axis=1)
        stats["excluded_krawczyk"] += int((empty & ~inside).sum())
        for b in np.flatnonzero(inside):
            verified.append((cur_L[b].copy(), cur_U[b].copy()))
        stats["verified"] += int(inside.sum())
        rest = ~inside & ~empty
        if not rest.any():
            continue
        L2, U2, Z2 = nlo[rest], nhi[rest], cur_Z[rest].copy()
        oldw = ((cur_U - cur_L)[rest] / scale).max(axis=1)
        if zl_prog is not None and not Z2.all():
            Z2 |= _nonvanishing(zl_prog, objective.variables, L2, U2)
        if Z2.any():
            # every critical point here is a global minimum (PSD Hessian): a proven negative
            # curvature on the whole box leaves no room for one
            iz = np.flatnonzero(Z2)
            Hz = H[rest][iz]
            keep2 = np.ones(len(Z2), dtype=bool)
            keep2[iz] = ~(rayleigh_upper_batch(Hz, _lowest_eigvec_of_mid(Hz)) < 0)
            stats["excluded_zero_level_curvature"] += int((~keep2).sum())
            L2, U2, Z2, oldw = L2[keep2], U2[keep2], Z2[keep2], oldw[keep2]
        neww = ((U2 - L2) / scale)
        shrunk = neww.max(axis=1) < 0.7 * oldw
        stats["contracted"] += int(shrunk.sum())
        small = (neww <= min_width).all(axis=1)
        over = stats["boxes_processed"] + pending >= max_boxes
        zl_done = Z2 & ((neww <= zero_level_width).all(axis=1) | over)
        stuck_mask = ~Z2 & (small | (over & ~shrunk))
        for b in np.flatnonzero(stuck_mask):
            stuck.append((L2[b].copy(), U2[b].copy()))
        for b in np.flatnonzero(zl_done):
            zl_boxes.append((L2[b].copy(), U2[b].copy()))
        stop = stuck_mask | zl_done
        again = shrunk & ~stop
        if again.any():
            queue_lo.append(L2[again])
            queue_hi.append(U2[again])
            queue_zl.append(Z2[again])
            pending += int(again.sum())
        split = ~shrunk & ~stop
        if split.any():
            Ls, Us, Zs = L2[split], U2[split], Z2[split]
            dim = np.argmax((Us - Ls) / scale, axis=1)
            rows = np.arange(len(Ls))
            cut = Ls[rows, dim] + SPLIT_FRACTION * (Us[rows, dim] - Ls[rows, dim])
            A_hi = Us.copy()
            A_hi[rows, dim] = cut
            B_lo = Ls.copy()
            B_lo[rows, dim] = cut
            queue_lo += [Ls, B_lo]
            queue_hi += [A_hi, Us]
            queue_zl += [Zs, Zs]
            pending += 2 * len(Ls)
            stats["bisections"] += len(Ls)
    stats["stuck"] = len(stuck)
    stats["zero_level_boxes"] = len(zl_boxes)

    points: list[CriticalPoint] = []
    for rlo, rhi in verified:
        zlo, zhi = tighten(D, rlo, rhi)
        points.append(CriticalPoint(zlo, zhi, rlo, rhi, Verdict.HOLDS, True, "krawczyk"))

    leftovers: list[tuple[np.ndarray, np.ndarray]] = []
    clusters = _clusters(stuck)
    for k, members in enumerate(clusters):
        if k >= 64:
            leftovers.extend(members)
            continue
        found, accounted = _resolve_cluster(objective, D, members, scale, points, algebra_budget_s)
        for p in found:
            same = [q for q in points if q.method.startswith("exact-point")
                    and q.evidence.get("exact_point") == p.evidence.get("exact_point")]
            if same and p.method.startswith("exact-point"):
                # one exact point next to two clusters: keep the stronger record
                if p.method != "exact-point" and same[0].method == "exact-point":
                    points.remove(same[0])
                    points.append(p)
                continue
            points.append(p)
        if not accounted:
            leftovers.extend(members)
    for members in _clusters(zl_boxes):
        points.extend(_zero_level_region(objective, D, members, zl_cert, zero_level_refine_boxes,
                                         algebra_budget_s))

    for p in points:
        if p.in_box is Verdict.HOLDS:
            inside = (p.lo >= blo).all() and (p.hi <= bhi).all()
            outside = (p.hi < blo).any() or (p.lo > bhi).any()
            p.in_box = Verdict.HOLDS if inside else (Verdict.FAILS if outside else Verdict.UNDECIDED)
    points = [p for p in points if p.in_box is not Verdict.FAILS]
    if classify:
        for p in points:
            if p.method in ("krawczyk", "krawczyk-inflated"):
                _classify(D, p)
    stats["seconds"] = time.perf_counter() - t0
    stats["clusters"] = len(clusters)
    complete = not leftovers
    return CriticalPointSearch(objective.names, blo, bhi, points, complete, stats, leftovers)


def _nonvanishing(prog, variables, lo, hi) -> np.ndarray:
    """Per box: True when some polynomial of ``prog`` provably has no zero on it."""
    env = {v: Interval._raw(lo[:, k], hi[:, k]) for k, v in enumerate(variables)}
    out = np.zeros(len(lo), dtype=bool)
    for e in prog.evaluate(env):
        out |= np.broadcast_to(e.lo > 0, out.shape) | np.broadcast_to(e.hi < 0, out.shape)
    return out


def _inside_some(lo, hi, members) -> bool:
    return any((lo >= a).all() and (hi <= b).all() for a, b in members)


def _exact_zero_in(objective, D, members):
    """A rational point in one of the boxes where sympy shows f = 0 exactly, or None."""
    import sympy as sp
    step = max(1, len(members) // 16)
    for lo, hi in members[::step][:16]:
        xn = _newton(D, np.clip(0.5 * lo + 0.5 * hi, lo, hi))
        cand = _exact_critical_point(objective, [xn], digits=range(0, 7))
        if cand is None:
            continue
        home = any(all(Fraction(float(x)) <= c <= Fraction(float(y)) for x, c, y in zip(a, cand, b))
                   for a, b in members)
        subs = {s_: sp.Rational(c.numerator, c.denominator) for s_, c in zip(objective.variables, cand)}
        if home and sp.simplify(objective.expr.subs(subs)) == 0:
            return cand
    return None


def _free_of_critical_points(objective, lo, hi, max_boxes: int, budget_s: float) -> bool:
    sub = find_critical_points(objective, lo, hi, max_boxes=max_boxes, classify=False, zero_level=False,
                               algebra_budget_s=budget_s)
    return sub.complete and not sub.points


def _zero_level_region(objective, D, members, cert, refine_boxes: int, budget_s: float) -> list[CriticalPoint]:
    """A cluster of zero-level boxes: every critical point in their union is a global minimum
    (f = 0, f >= 0; :mod:`numerics.symbolic.ideal_saturation`).

    First the hull of the cluster is searched without the certificate: when that search is
    complete and every point it finds lies in a box of the cluster, its points replace the
    region (isolated, non-degenerate minima, or none at all). Otherwise one region entry is
    returned; existence is then proved by a rational point of the union where sympy shows
    f = 0 exactly (grad f = 0 there, since f >= 0 is minimal)."""
    hlo = np.min([b[0] for b in members], axis=0)
    hhi = np.max([b[1] for b in members], axis=0)
    sub = find_critical_points(objective, hlo, hhi, max_boxes=refine_boxes, classify=True,
                               zero_level=False, algebra_budget_s=budget_s)
    if sub.complete and all(_inside_some(q.lo, q.hi, members) for q in sub.points):
        for q in sub.points:
            q.evidence["global_min"] = "f = 0 at every critical point here (zero-level certificate) and f >= 0"
        return sub.points
    exact = _exact_zero_in(objective, D, members)
    if exact is None:
        # no existence proof: drop the boxes that provably hold no critical point at all
        each = max(64, refine_boxes // max(len(members), 1))
        members = [(a, b) for a, b in members
                   if not _free_of_critical_points(objective, a, b, each, budget_s)]
        if not members:
            return []
        hlo = np.min([b[0] for b in members], axis=0)
        hhi = np.max([b[1] for b in members], axis=0)
    p = CriticalPoint(hlo, hhi, hlo, hhi, Verdict.UNDECIDED, False, "zero-level-set",
                      kind="local-min", hessian_min_eig=(0.0, math.inf))
    p.evidence["zero_level"] = cert.as_dict()
    p.evidence["boxes"] = len(members)
    p.evidence["global_min"] = ("every critical point in the union of these boxes has f = 0 and f >= 0 "
                                "everywhere: all are global minima (lambda_min(Hessian) >= 0 there); "
                                "the critical set need not be isolated")
    if exact is not None:
        rep = CriticalPoint(np.zeros(0), np.zeros(0), hlo, hhi, Verdict.HOLDS, False, "exact-point")
        _classify_exact(objective, exact, rep)
        p.exists = Verdict.HOLDS
        p.evidence["exact_point"] = [str(c) for c in exact]
        p.evidence["exact_point_hessian_min_eig"] = list(rep.hessian_min_eig)
        p.evidence["exact_point_hessian_max_eig"] = list(rep.hessian_max_eig)
    else:
        p.evidence["note"] = "no existence proof: the region may hold no critical point at all"
    return [p]


def _clusters(boxes):
    """Group boxes whose closures intersect (union-find; boxes come from one partition)."""
    nb = len(boxes)
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


def _newton(D: DerivativeEnclosures, x: np.ndarray, steps: int = 30) -> np.ndarray:
    for _ in range(steps):
        g, H = D.gradient_hessian(x[None, :], x[None, :])
        gm, Hm = g.mid()[0], H.mid()[0]
        try:
            dx = np.linalg.lstsq(Hm, gm, rcond=None)[0]
        except np.linalg.LinAlgError:
            break
        if not np.isfinite(dx).all():
            break
        x = x - dx
        if np.linalg.norm(dx) <= 1e-16 * (1 + np.linalg.norm(x)):
            break
    return x


def _resolve_cluster(objective, D, members, scale, existing, budget_s: float = 30.0):
    """Try to account for a cluster of undecided boxes (module docstring).

    Returns (new points, accounted): accounted is True when every critical point in the
    cluster is proved to be among the listed points or in a strict-saddle region."""
    hlo = np.min([b[0] for b in members], axis=0)
    hhi = np.max([b[1] for b in members], axis=0)
    x0 = np.clip(0.5 * hlo + 0.5 * hhi, hlo, hhi)
    xn = _newton(D, x0.copy())
    # (a) Krawczyk on inflated hulls around the Newton point
    if np.isfinite(xn).all() and (np.abs(xn - x0) <= 2 * (hhi - hlo) + 1e-9 * scale).all():
        for fac in (0.5, 1.0, 4.0):
            r = fac * (hhi - hlo) + 1e-10 * scale
            Ylo = np.minimum(hlo, xn - r)
            Yhi = np.maximum(hhi, xn + r)
            K, _, _ = _krawczyk_boxes(D, Ylo[None, :], Yhi[None, :])
            if ((K.lo[0] > Ylo) & (K.hi[0] < Yhi)).all():
                zlo, zhi = tighten(D, Ylo, Yhi)
                dup = _duplicate_of(zlo, zhi, Ylo, Yhi, existing)
                if dup is True:
                    return [], True
                if dup is None:
                    return [], False
                return [CriticalPoint(zlo, zhi, Ylo, Yhi, Verdict.HOLDS, True, "krawczyk-inflated")], True
    # (b) exact critical point and strict-saddle region
    exact = _exact_critical_point(objective, [xn, x0])
    r = np.maximum(hhi - hlo, 1e-9 * scale)
    Rlo, Rhi = hlo - 0.01 * r, hhi + 0.01 * r
    if exact is not None and not all(Fraction(float(a)) <= e <= Fraction(float(b))
                                     for a, e, b in zip(Rlo, exact, Rhi)):
        # an exact critical point just outside: if it is provably the only critical point of the
        # region, the region holds none
        if _isolating_polynomials_nonvanishing(objective, exact, Rlo, Rhi, budget_s) is not None:
            return [], True
        exact = None
    g, H = D.gradient_hessian(Rlo[None, :], Rhi[None, :])
    Hm = H.mid()[0]
    if np.isfinite(Hm).all():
        w, V = np.linalg.eigh(0.5 * (Hm + Hm.T))
        q = rayleigh_upper_batch(H, V[:, 0][None, :])[0]
    else:
        q = math.inf
    if exact is not None:
        pt = np.array([float(v) for v in exact])
        plo, phi = pt, pt
        if not (all(Fraction(float(v)) == v for v in exact)):
            plo = np.array([rounding.round_down_fraction(v) for v in exact])
            phi = np.array([rounding.round_up_fraction(v) for v in exact])
        p = CriticalPoint(plo, phi, Rlo, Rhi, Verdict.HOLDS, False, "exact-point")
        p.evidence["exact_point"] = [str(v) for v in exact]
        if q < 0:
            p.method = "exact-point+strict-saddle-region"
            p.evidence["region_rayleigh_upper"] = float(q)
            p.evidence["note"] = ("lambda_min(Hessian) <= %.6g on the whole region: every critical point "
                                  "in it is a strict saddle" % q)
            _classify(D, p)
            if p.hessian_min_eig[1] < 0 and p.kind == "undecided":
                p.kind = "strict-saddle"
            return [p], True
        _classify_exact(objective, exact, p)
        return [p], _isolate(objective, exact, p, Rlo, Rhi, budget_s)
    if q < 0:
        p = CriticalPoint(hlo, hhi, Rlo, Rhi, Verdict.UNDECIDED, False, "strict-saddle-region",
                          kind="strict-saddle", hessian_min_eig=(-math.inf, float(q)))
        p.evidence["note"] = "no existence proof; every critical point in the region (if any) is a strict saddle"
        return [p], True
    return [], False


def _isolating_polynomials_nonvanishing(objective, exact, Rlo, Rhi, budget_s: float):
    """The isolation polynomials of the exact critical point when one of them has no zero on
    [Rlo, Rhi] (then the point is the only critical point there), else None. Cached per point."""
    from numerics.symbolic.ideal_saturation import isolation_certificate
    from numerics.symbolic.derivatives import IntervalProgram
    key = ("isolation", tuple(exact))
    if key not in objective.cache:
        polys, _ = isolation_certificate(objective.expr, objective.variables, exact, budget_s=budget_s)
        objective.cache[key] = (polys, IntervalProgram(list(polys), objective.variables) if polys else None)
    polys, prog = objective.cache[key]
    if prog is None or not _nonvanishing(prog, objective.variables, Rlo[None, :], Rhi[None, :])[0]:
        return None
    return polys


def _isolate(objective, exact, p: CriticalPoint, Rlo, Rhi, budget_s: float) -> bool:
    """Prove that the exact critical point is the only one in [Rlo, Rhi] (degenerate or not):
    a polynomial g with |x - p|^{2k} g in the gradient ideal and no zero on the region
    (:func:`numerics.symbolic.ideal_saturation.isolation_certificate`)."""
    polys = _isolating_polynomials_nonvanishing(objective, exact, Rlo, Rhi, budget_s)
    if polys is None:
        return False
    p.unique = True
    p.method = "exact-point+isolated"
    p.evidence["isolation"] = {
        "statement": "|x - p|^(2k) g is in the gradient ideal (exact Groebner reduction) and g has no zero on the "
                     "region, so p is the only critical point there",
        "polynomials": [str(g) for g in polys]}
    return True


def _duplicate_of(zlo, zhi, ylo, yhi, existing):
    """True: the zero is one already listed; False: distinct; None: cannot tell."""
    for p in existing:
        if not p.unique or p.exists is not Verdict.HOLDS:
            continue
        if ((zlo >= p.region_lo) & (zhi <= p.region_hi)).all():
            return True
        if ((p.lo >= ylo) & (p.hi <= yhi)).all():
            return True
        if ((zlo <= p.hi) & (zhi >= p.lo)).all():
            return None
    return False


def _exact_critical_point(objective: SmoothObjective, guesses, digits=range(0, 9)):
    """A rational point near a guess where sympy proves the gradient is exactly 0, or None."""
    import sympy as sp
    tried = set()
    for x in guesses:
        if not np.isfinite(x).all():
            continue
        for k in digits:
            cand = tuple(Fraction(round(float(v), k)).limit_denominator(10 ** k) for v in x)
            if cand in tried:
                continue
            tried.add(cand)
            subs = {s: sp.Rational(c.numerator, c.denominator) for s, c in zip(objective.variables, cand)}
            try:
                ok = all(sp.simplify(gi.subs(subs)) == 0 for gi in objective.gradient)
            except Exception:  # noqa: BLE001 - a failed simplification proves nothing
                ok = False
            if ok:
                return cand
    return None


def _classify_exact(objective: SmoothObjective, point, p: CriticalPoint) -> None:
    """Hessian at an exact rational point, in exact arithmetic where it matters.

    The Hessian entries are simplified by sympy at the rational point; when all are rational,
    the eigenvalue enclosures come from :func:`eigen_bounds` on the (exactly enclosed) matrix,
    positive (semi)definiteness from the signs of its principal minors (exact rationals; Sylvester's
    criterion: PD iff all leading minors > 0, PSD iff all principal minors >= 0), and singularity
    from the exact determinant.
    """
    import itertools

    import sympy as sp
    subs = {s: sp.Rational(c.numerator, c.denominator) for s, c in zip(objective.variables, point)}
    Hs = sp.Matrix([[sp.simplify(h.subs(subs)) for h in row] for row in objective.hessian])
    if not all(e.is_Rational for e in Hs):
        p.kind = "undecided"
        return
    n = Hs.shape[0]
    q = [[Fraction(int(Hs[i, j].p), int(Hs[i, j].q)) for j in range(n)] for i in range(n)]
    lo = np.array([[rounding.round_down_fraction(v) for v in row] for row in q])
    hi = np.array([[rounding.round_up_fraction(v) for v in row] for row in q])
    e = eigen_bounds(Interval(lo, hi))
    p.hessian_min_eig, p.hessian_max_eig = e["min"], e["max"]
    det = Hs.det()
    leading_pos = all(Hs[:k, :k].det() > 0 for k in range(1, n + 1))
    psd = n <= 10 and all(Hs.extract(list(idx), list(idx)).det() >= 0
                          for k in range(1, n + 1) for idx in itertools.combinations(range(n), k))
    if leading_pos:
        p.kind = "local-min"
        return
    if p.hessian_max_eig[1] < 0:
        p.kind = "local-max"
        return
    if not psd:
        p.kind = "strict-saddle"   # a rational matrix that is not PSD has a negative eigenvalue
        p.hessian_min_eig = (p.hessian_min_eig[0], min(p.hessian_min_eig[1], -0.0))
        return
    if det != 0:
        p.kind = "undecided"
        return
    p.hessian_min_eig = (0.0, 0.0)   # PSD and singular: lambda_min = 0 exactly
    if structurally_nonnegative(objective.expr) and sp.simplify(objective.expr.subs(subs)) == 0:
        p.kind = "local-min"
        p.evidence["global_min"] = ("f >= 0 everywhere (sum of nonnegative terms, checked on the expression "
                                    "tree) and f(x*) = 0 exactly: a global, hence local, minimum with a "
                                    "singular Hessian")
        return
    # singular positive semidefinite Hessian: degenerate; look for a ray along which f decreases
    p.kind = "degenerate"
    p.evidence["hessian_exact"] = [[str(e) for e in row] for row in Hs.tolist()]
    t = sp.Symbol("t", positive=True)
    n = objective.dim
    dirs = []
    for i in range(n):
        for sgn in (1, -1):
            d = [0] * n
            d[i] = sgn
            dirs.append(d)
    for i in range(n):
        for j in range(i + 1, n):
            for si in (1, -1):
                for sj in (1, -1):
                    d = [0] * n
                    d[i], d[j] = si, sj
                    dirs.append(d)
    f0 = objective.expr.subs(subs)
    for d in dirs[:64]:
        ray = {s: subs[s] + dk * t for s, dk in zip(objective.variables, d)}
        try:
            diff = sp.expand(sp.series(objective.expr.subs(ray) - f0, t, 0, 6).removeO())
        except Exception:  # noqa: BLE001
            continue
        poly = sp.Poly(diff, t) if diff.is_polynomial(t) else None
        if poly is None or poly.is_zero:
            continue
        coeffs = poly.all_coeffs()[::-1]
        lead = next(c for c in coeffs if c != 0)
        if lead.is_number and lead < 0:
            order = coeffs.index(lead)
            p.evidence["not_local_min"] = {
                "direction": d, "leading_term": f"{lead} t^{order}",
                "proof": "sympy series of f(x* + t d) - f(x*) in t > 0: lowest nonzero term is negative"}
            return


def _classify(D: DerivativeEnclosures, p: CriticalPoint) -> None:
    H = D.hessian(p.lo[None, :], p.hi[None, :])[0]
    e = eigen_bounds(H)
    p.hessian_min_eig = e["min"]
    p.hessian_max_eig = e["max"]
    lmin, lmax = e["min"], e["max"]
    if lmin[0] > 0:
        p.kind = "local-min"
    elif lmax[1] < 0:
        p.kind = "local-max"
    elif lmin[1] < 0 and lmax[0] > 0:
        p.kind = "strict-saddle"
    elif lmin[1] < 0:
        p.kind = "strict-saddle" if p.method == "strict-saddle-region" else "undecided"
    else:
        p.kind = "undecided"


# ============================================================================ landscape
def local_minima_are_global(objective: SmoothObjective, search: CriticalPointSearch) -> tuple[Verdict, dict]:
    """Is every local minimum of f in the box a global minimum of f on R^n?

    ``holds`` needs: f >= 0 by its form (:func:`structurally_nonnegative`), a complete search,
    and for every listed critical point either a proof that it is not a local minimum (a strict
    saddle or local maximum: lambda_min(Hessian) < 0; a degenerate point with a descent ray) or
    a proof that f = 0 there (a zero-level region; an exact rational point with f = 0; an
    enclosure on which a zero-level polynomial g has no zero). Then every local minimum in the
    box has f = 0 = min f. When the search is complete and no critical point can be a local
    minimum at all, the statement holds vacuously, for any f.

    ``fails`` needs a certified local minimum ``p`` (existence proved, kind local-min) and a
    certified point ``q`` with ``sup f(q) < inf f(p)``: then p is a local but not a global
    minimum (a spurious one). Otherwise ``undecided``, with the reason.
    """
    from numerics.symbolic.derivatives import IntervalProgram
    D = DerivativeEnclosures(objective)
    ev: dict = {"spurious": [], "unproved": []}

    def f_range(p):
        v = D.value(p.lo[None, :], p.hi[None, :])
        return float(v.lo[0]), float(v.hi[0])

    certified = [p for p in search.points if p.exists is Verdict.HOLDS and p.in_box is Verdict.HOLDS]
    values = {id(p): f_range(p) for p in certified if p.method != "zero-level-set"}
    for p in certified:
        if p.kind != "local-min" or p.method == "zero-level-set":
            continue
        lo_p = values[id(p)][0]
        for q in certified:
            if q is not p and (q.method == "zero-level-set" and structurally_nonnegative(objective.expr)
                               and lo_p > 0 or q.method != "zero-level-set" and values[id(q)][1] < lo_p):
                ev["spurious"].append({"local_min": [float(v) for v in 0.5 * (p.lo + p.hi)],
                                       "f_lower": lo_p, "lower_point": [float(v) for v in 0.5 * (q.lo + q.hi)]})
                break
    if ev["spurious"]:
        ev["reason"] = "a certified local minimum has a larger value than another certified point"
        return Verdict.FAILS, ev
    if not search.complete:
        ev["reason"] = f"the search is incomplete ({len(search.undecided_boxes)} sub-box(es) unaccounted for)"
        return Verdict.UNDECIDED, ev
    candidates = [p for p in search.points
                  if not (p.kind in ("strict-saddle", "local-max")
                          or p.kind == "degenerate" and p.evidence.get("not_local_min"))]
    if not candidates:
        ev["reason"] = ("the search is complete and no critical point in the box is a local minimum "
                        "(every one is a strict saddle, a local maximum or has a descent ray)")
        return Verdict.HOLDS, ev
    if not structurally_nonnegative(objective.expr):
        ev["reason"] = "f >= 0 is not evident from the expression, so no value is known to be the global minimum"
        return Verdict.UNDECIDED, ev
    prog = None
    if any(p.kind == "local-min" and p.method != "zero-level-set" and "global_min" not in p.evidence
           for p in candidates):
        cert, _ = zero_level_certificate(objective.expr, objective.variables)
        if cert is not None:
            prog = IntervalProgram(list(cert.polynomials), objective.variables)
    for p in candidates:
        if p.method == "zero-level-set" or "global_min" in p.evidence:
            continue
        if p.kind == "local-min" and prog is not None and _nonvanishing(prog, objective.variables,
                                                                        p.lo[None, :], p.hi[None, :])[0]:
            p.evidence["global_min"] = "a zero-level polynomial g has no zero on the enclosure: f = 0 here"
            continue
        ev["unproved"].append({"kind": p.kind, "method": p.method,
                               "point": [float(v) for v in 0.5 * (p.lo + p.hi)]})
    if ev["unproved"]:
        ev["reason"] = "some critical point is neither proved non-minimal nor proved to have f = 0"
        return Verdict.UNDECIDED, ev
    ev["reason"] = ("f >= 0, the search is complete, and every critical point is a strict saddle, a local "
                    "maximum, a degenerate point with a descent ray, or has f = 0")
    return Verdict.HOLDS, ev


# ============================================================================ constants
def _uniform_boxes(blo, bhi, per_dim: int):
    n = len(blo)
    edges = [np.linspace(blo[k], bhi[k], per_dim + 1) for k in range(n)]
    edges = [np.concatenate([[blo[k]], e[1:-1], [bhi[k]]]) for k, e in enumerate(edges)]
    idx = np.array(np.meshgrid(*[np.arange(per_dim)] * n, indexing="ij")).reshape(n, -1).T
    lo = np.stack([edges[k][idx[:, k]] for k in range(n)], axis=1)
    hi = np.stack([edges[k][idx[:, k] + 1] for k in range(n)], axis=1)
    return lo, hi


def _split_all(lo, hi, scale):
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


def sup_over_box(bound_fn, blo, bhi, *, rounds: int = 6, per_dim: int | None = None,
                 max_boxes: int = 20_000) -> float:
    """Rigorous upper bound of sup_x q(x) over the box, where ``bound_fn(lo, hi)`` returns
    upper bounds of q on each sub-box; the boxes with the largest bounds are refined."""
    n = len(blo)
    per_dim = per_dim or max(2, int(round(256 ** (1.0 / n))))
    lo, hi = _uniform_boxes(blo, bhi, per_dim)
    ub = bound_fn(lo, hi)
    for _ in range(rounds):
        best = ub.max()
        if not np.isfinite(best):
            break
        hot = ub >= best - 0.1 * abs(best) - 1e-300
        if hot.sum() * 2 + len(lo) > max_boxes:
            break
        nlo, nhi = _split_all(lo[hot], hi[hot], bhi - blo)
        nub = bound_fn(nlo, nhi)
        lo = np.concatenate([lo[~hot], nlo])
        hi = np.concatenate([hi[~hot], nhi])
        ub = np.concatenate([ub[~hot], nub])
    return float(ub.max())


def gradient_lipschitz_upper(D: DerivativeEnclosures, blo, bhi, **kw) -> float:
    """ell >= sup_{x in box} ||Hessian f(x)||_2 (rigorous upper bound)."""
    return sup_over_box(lambda lo, hi: norm2_upper_batch(D.hessian(lo, hi)), blo, bhi, **kw)


def hessian_lipschitz_upper(D: DerivativeEnclosures, blo, bhi, **kw) -> float:
    """rho >= sup_{x in box} ||D^3 f(x)||_F >= the Hessian-Lipschitz constant on the (convex) box."""
    def bound(lo, hi):
        T = D.third(lo, hi)
        mag = T.mag()
        s = None
        n = mag.shape[1]
        for i in range(n):
            for j in range(n):
                for k in range(n):
                    t = Interval._raw(mag[:, i, j, k], mag[:, i, j, k]) ** 2
                    s = t if s is None else s + t
        return iv.sqrt(s).hi
    kw.setdefault("rounds", 3)
    return sup_over_box(bound, blo, bhi, **kw)


def forward_invariant(D: DerivativeEnclosures, blo, bhi, alpha: float, *,
                      max_boxes: int = 50_000) -> tuple[Verdict, dict]:
    """Is ``x - alpha grad f(x)`` in the box for every x in the box?

    HOLDS when a subdivision proves it on every sub-box (mean-value form of the GD map);
    FAILS when the image of some box midpoint lies certainly outside; else UNDECIDED.
    """
    if not (alpha > 0 and math.isfinite(alpha)):
        raise ValueError(f"alpha={alpha!r} must be a positive finite step")
    lo, hi = _uniform_boxes(blo, bhi, max(2, int(round(64 ** (1.0 / len(blo))))))
    processed = 0
    a = Interval(alpha)
    while len(lo):
        processed += len(lo)
        c = np.clip(0.5 * lo + 0.5 * hi, lo, hi)
        g, H = D.gradient_hessian(lo, hi)
        gc = D.gradient(c, c)
        img_c = iv.as_interval(c) - gc * a
        out_c = ((img_c.hi < blo) | (img_c.lo > bhi)).any(axis=1)
        if out_c.any():
            b = int(np.flatnonzero(out_c)[0])
            return Verdict.FAILS, {"point": c[b].tolist(), "image_lo": img_c.lo[b].tolist(),
                                   "image_hi": img_c.hi[b].tolist(), "boxes": processed}
        natural = Interval._raw(lo, hi) - g * a
        d = Interval._raw(rounding.down(lo - c), rounding.up(hi - c))
        mv = img_c
        n = lo.shape[1]
        for j in range(n):
            # column j of I - alpha H
            Mj = Interval._raw(np.zeros_like(lo), np.zeros_like(lo)) - H[:, :, j] * a
            Mlo, Mhi = Mj.lo.copy(), Mj.hi.copy()     # intervals are immutable: a new one
            Mlo[:, j] = rounding.down(Mlo[:, j] + 1.0)
            Mhi[:, j] = rounding.up(Mhi[:, j] + 1.0)
            Mj = Interval._raw(Mlo, Mhi)
            mv = mv + Mj * d[:, j:j + 1]
        ilo = np.maximum(natural.lo, mv.lo)
        ihi = np.minimum(natural.hi, mv.hi)
        ok = ((ilo >= blo) & (ihi <= bhi)).all(axis=1)
        lo, hi = lo[~ok], hi[~ok]
        if len(lo) and processed + 2 * len(lo) > max_boxes:
            return Verdict.UNDECIDED, {"boxes": processed, "unresolved": len(lo)}
        if len(lo):
            lo, hi = _split_all(lo, hi, bhi - blo)
    return Verdict.HOLDS, {"boxes": processed}


def _box_distance_upper(lo, hi, zlo, zhi) -> np.ndarray:
    """Upper bound of max_{x in box, y in Z} ||x - y||_2 (batched over boxes)."""
    d = np.maximum(np.abs(hi - zlo), np.abs(zhi - lo))
    s = None
    for k in range(d.shape[1]):
        t = Interval._raw(d[:, k], d[:, k]) ** 2
        s = t if s is None else s + t
    return iv.sqrt(s).hi


def strong_convexity_radius(D: DerivativeEnclosures, p: CriticalPoint, blo, bhi) -> tuple[float, float]:
    """Largest tried r such that the Hessian is positive definite on ``enclosure ± r``; returns
    (r, lower bound of lambda_min there)."""
    width = float(np.max(bhi - blo))
    best = (0.0, 0.0)
    for k in range(2, 30):
        r = width * 2.0 ** -k
        H = D.hessian((p.lo - r)[None, :], (p.hi + r)[None, :])[0]
        lo, _ = lambda_min_bounds(H)
        if lo > 0:
            return r, lo
    return best


def robust_strict_saddle_constants(D: DerivativeEnclosures, search: CriticalPointSearch, *,
                                   max_boxes: int = 100_000) -> dict:
    """A certified (theta, gamma, zeta) of Jin et al. 2017, Assumption A2, on the box.

    zeta: the smallest strong-convexity radius over the certified local minima (so the
    zeta-neighbourhoods also satisfy A3.a with alpha = the reported strong convexity); gamma:
    half the smallest |lambda_min| over the strict saddles; theta: the smallest proven lower bound
    of ||grad f|| over the sub-boxes not covered by the other two alternatives.
    """
    blo, bhi = search.box_lo, search.box_hi
    # isolated minima only: a zero-level region has no strong-convexity neighbourhood to offer
    minima = [p for p in search.points if p.kind == "local-min" and p.exists is Verdict.HOLDS
              and p.method != "zero-level-set"]
    saddles = [p for p in search.points if p.kind in ("strict-saddle", "local-max")]
    zetas, alphas = [], []
    for p in minima:
        r, a = strong_convexity_radius(D, p, blo, bhi)
        zetas.append(r)
        alphas.append(a)
    zeta = min(zetas) if zetas else 0.0
    gammas = [-p.hessian_min_eig[1] / 2 for p in saddles if p.hessian_min_eig[1] < 0]
    gamma = min(gammas) if gammas else None
    lo, hi = _uniform_boxes(blo, bhi, max(2, int(round(256 ** (1.0 / len(blo))))))
    processed = 0
    lbs_final = []
    theta_lb = math.inf
    while len(lo):
        processed += len(lo)
        g, H, _ = D.gradient_mean_value(lo, hi)
        mig = g.mig()
        s = None
        for k in range(mig.shape[1]):
            t = Interval._raw(mig[:, k], mig[:, k]) ** 2
            s = t if s is None else s + t
        glb = iv.sqrt(s).lo
        covered = np.zeros(len(lo), dtype=bool)
        for p in minima:
            if zeta > 0:
                covered |= _box_distance_upper(lo, hi, p.lo, p.hi) <= zeta
        if gamma is not None:
            covered |= rayleigh_upper_batch(H, _lowest_eigvec_of_mid(H)) <= -gamma
        need = ~covered
        # refine boxes whose gradient bound is the bottleneck
        cand = glb[need]
        if len(cand) == 0:
            break
        thr = max(0.5 * float(np.max(cand)), 0.0) if len(cand) else 0.0
        target = min(thr, float(np.median(cand)) * 2 + 1e-300)
        refine = need & (glb <= target) & (glb < 1e300)
        keep = need & ~refine
        lbs_final.extend(glb[keep].tolist())
        if processed + 2 * int(refine.sum()) > max_boxes or not refine.any():
            lbs_final.extend(glb[refine].tolist())
            break
        lo, hi = _split_all(lo[refine], hi[refine], bhi - blo)
    theta_lb = min(lbs_final) if lbs_final else math.inf
    theta = float(theta_lb) if math.isfinite(theta_lb) else None
    holds = (theta is not None and theta > 0) or (theta is None)
    return {
        "theta": theta, "gamma": gamma, "zeta": zeta,
        "strong_convexity": min(alphas) if alphas else None,
        "verdict": (Verdict.HOLDS if holds and search.complete else Verdict.UNDECIDED),
        "boxes": processed,
    }


# ============================================================================ symmetry
def right_rotation_invariant(objective: SmoothObjective, rows: int) -> bool:
    """sympy proof that f(U R) = f(U) for every rotation R of the plane, where the variables are
    the entries of U in R^{rows x 2} in row-major order.

    Substituting U -> U [[c, -s], [s, c]] gives a polynomial identity in (c, s); it holds on the
    circle c^2 + s^2 = 1 iff its remainder modulo c^2 + s^2 - 1 is 0 (the principal ideal is real
    radical and the real circle is Zariski dense in the complex one). Non-polynomial objectives
    return False (no claim)."""
    import sympy as sp
    if objective.dim != 2 * rows:
        return False
    c, s = sp.symbols("_c _s", real=True)
    v = objective.variables
    sub = {}
    for i in range(rows):
        a, b = v[2 * i], v[2 * i + 1]
        sub[a] = c * a + s * b
        sub[b] = -s * a + c * b
    diff = sp.expand(objective.expr.subs(sub, simultaneous=True) - objective.expr)
    if diff == 0:
        return True
    try:
        _, rem = sp.reduced(diff, [c**2 + s**2 - 1], c, s)
    except Exception:  # noqa: BLE001 - not a polynomial in (c, s): no proof
        return False
    return sp.expand(rem) == 0


def find_critical_orbits_right_rotation(objective: SmoothObjective, rows: int, box_lo, box_hi,
                                        **kwargs) -> CriticalPointSearch:
    """Critical points of an f with f(U R) = f(U) for all plane rotations R (U in R^{rows x 2}),
    in the box, found modulo the rotation orbits (circles).

    Such an f has no isolated critical point outside U = 0, so :func:`find_critical_points`
    cannot enclose them. Here the rotation-invariant region ``prod_i {||row_i|| <= r_i}``
    containing the box is searched on the slices
    ``S_k = {rows 1..k-1 = 0, U_k2 = 0, U_k1 >= 0}`` (k = 1..rows), which meet every orbit. On
    S_k the search uses the gradient components of the free variables, plus the components of
    rows < k as extra equations. A point of S_k with U_k1 > 0 where these vanish is a critical
    point of f, because grad f is orthogonal to the orbit direction U J, whose U_k2 component is
    +-U_k1 != 0. For k = 1 and U_11 > 0, S_1 is a local cross-section of a free action, so the
    slice Hessian decides the kind (positive definite: a circle of local minima, Morse-Bott;
    a negative eigenvalue: strict saddles, since lambda_min(Hessian f) <= lambda_min of any
    restriction). Points on U_k1 = 0 are kept only when sympy proves the whole gradient of f is
    exactly 0 there, and are then classified with the full Hessian. Each listed point stands for
    its orbit (``evidence["orbit"]``); the orbit may leave the box.
    """
    import sympy as sp
    from numerics.symbolic.derivatives import IntervalProgram, smooth_objective

    if not right_rotation_invariant(objective, rows):
        raise ValueError("objective: f(U R) = f(U) for plane rotations R could not be proved by sympy; "
                         "allowed: a polynomial objective invariant under U -> U R")
    t0 = time.perf_counter()
    blo, bhi = _check_box(objective, box_lo, box_hi)
    mag = np.maximum(np.abs(blo), np.abs(bhi))
    radii = []
    for i in range(rows):
        sq = Interval._raw(mag[2 * i:2 * i + 1], mag[2 * i:2 * i + 1]) ** 2 + \
            Interval._raw(mag[2 * i + 1:2 * i + 2], mag[2 * i + 1:2 * i + 2]) ** 2
        radii.append(float(iv.sqrt(sq).hi[0]))
    v = objective.variables
    n = objective.dim
    points: list[CriticalPoint] = []
    leftovers: list = []
    complete = True
    stats: dict = {"slices": []}
    for k in range(rows):
        fixed = {v[j]: sp.Integer(0) for j in range(2 * k)}
        fixed[v[2 * k + 1]] = sp.Integer(0)
        free_idx = [2 * k] + list(range(2 * k + 2, n))
        free = tuple(v[j] for j in free_idx)
        gk = smooth_objective(objective.expr.subs(fixed), free, label=f"slice {k + 1}")
        extras = [objective.gradient[j].subs(fixed) for j in range(2 * k)]
        dropped = [objective.gradient[2 * k + 1].subs(fixed)] + extras
        lo_k = np.array([0.0] + [-radii[j // 2] for j in free_idx[1:]])
        hi_k = np.array([radii[k]] + [radii[j // 2] for j in free_idx[1:]])
        res = find_critical_points(gk, lo_k, hi_k, extra_equations=extras, **kwargs)
        stats["slices"].append({"slice": k + 1, **res.stats, "complete": res.complete})
        complete = complete and res.complete

        def embed(x):
            out = np.zeros(n)
            out[free_idx] = x
            return out

        check = IntervalProgram(dropped, free) if dropped else None
        for p in res.points:
            q = CriticalPoint(embed(p.lo), embed(p.hi), embed(p.region_lo), embed(p.region_hi),
                              p.exists, p.unique, f"slice-{k + 1}:{p.method}", p.kind,
                              p.hessian_min_eig, p.hessian_max_eig, Verdict.HOLDS, dict(p.evidence))
            q.evidence["slice"] = (f"rows 1..{k} = 0, U_{k + 1}2 = 0, U_{k + 1}1 >= 0" if k else
                                   "U_12 = 0, U_11 >= 0")
            positive = p.lo[0] > 0
            nonzero_extra = False
            if check is not None:
                env = {s_: Interval(p.lo[i], p.hi[i]) for i, s_ in enumerate(free)}
                encs = check.evaluate(env)
                nonzero_extra = any((np.asarray(e.lo) > 0).any() or (np.asarray(e.hi) < 0).any()
                                    for e in (encs[1:] if positive else encs))
            if nonzero_extra:
                continue  # a critical point of the slice function only, not of f
            if p.method == "zero-level-set":
                q.evidence["orbit"] = "every critical point of f in the region's orbits is a global minimum"
                if "exact_point" in q.evidence:
                    full_pt = ["0"] * n
                    for i, j in enumerate(free_idx):
                        full_pt[j] = q.evidence["exact_point"][i]
                    q.evidence["exact_point"] = full_pt
                points.append(q)
                continue
            if positive and k == 0:
                if p.kind == "local-min" and "global_min" in p.evidence:
                    q.evidence["orbit"] = "circle {U R} of global minima (f >= 0 and f = 0 on it)"
                elif p.kind == "local-min":
                    q.evidence["orbit"] = ("circle {U R}: Morse-Bott local minima (slice Hessian positive "
                                           "definite on a local cross-section)")
                elif p.kind in ("strict-saddle", "local-max"):
                    q.kind = "strict-saddle"
                    q.evidence["orbit"] = "circle {U R} of strict saddles"
                points.append(q)
                continue
            if p.exists is not Verdict.HOLDS and p.kind == "strict-saddle":
                points.append(q)   # every critical point of f in the region is a strict saddle
                continue
            exact = p.evidence.get("exact_point")
            full = None
            if exact is not None:
                from fractions import Fraction as _F
                full = [_F(0)] * n
                for i, j in enumerate(free_idx):
                    full[j] = _F(exact[i])
            else:
                cand = _exact_critical_point(objective, [0.5 * q.lo + 0.5 * q.hi])
                if cand is not None and all(q.lo[i] <= cand[i] <= q.hi[i] for i in range(n)):
                    full = list(cand)
            if full is not None:
                if any(r.evidence.get("exact_point") == [str(f) for f in full] for r in points):
                    continue  # the same exact point from another slice
                subs = {s_: sp.Rational(f.numerator, f.denominator) for s_, f in zip(v, full)}
                if all(sp.simplify(g.subs(subs)) == 0 for g in objective.gradient):
                    q.method = f"slice-{k + 1}:exact-point"
                    q.evidence = {"exact_point": [str(f) for f in full], "slice": q.evidence["slice"]}
                    _classify_exact(objective, full, q)
                    if p.kind == "strict-saddle" and p.evidence.get("region_rayleigh_upper") is not None:
                        q.evidence["region_rayleigh_upper"] = p.evidence["region_rayleigh_upper"]
                        q.region_lo, q.region_hi = embed(p.region_lo), embed(p.region_hi)
                    points.append(q)
                    continue
            if p.kind == "strict-saddle":
                points.append(q)
                continue
            complete = False
            q.kind = "undecided"
            points.append(q)
        for a, b in res.undecided_boxes:
            leftovers.append((embed(a), embed(b)))
    stats["seconds"] = time.perf_counter() - t0
    stats["boxes_processed"] = sum(s_["boxes_processed"] for s_ in stats["slices"])
    stats["invariant_region_row_radii"] = radii
    return CriticalPointSearch(objective.names, blo, bhi, points, complete and not leftovers, stats, leftovers)
