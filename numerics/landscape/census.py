"""Every critical point of a smooth objective in a box: the search (:mod:`.search`), the proofs
(:mod:`.verify`) and the kinds (:mod:`.classify`) put together, and the accounting that makes the
list complete.

Boxes that stay undecided down to ``min_width`` are grouped into clusters; a cluster is then
accounted for by (a) Krawczyk on an inflated hull, or (b) a *strict-saddle region*: a box around
it where a Rayleigh quotient proves ``lambda_min(Hessian) <= -gamma < 0`` at every point, so every
critical point inside (if any) is a strict saddle; with a point where the gradient is exactly 0
(checked in exact rational arithmetic by sympy) existence is proved too. A cluster that contains
an exact critical point with a proven singular Hessian is reported as *degenerate*; when sympy
shows ``f`` strictly decreases along a ray from it, the point is proved not to be a local minimum;
for a polynomial ``f``, a saturation certificate
(:func:`numerics.symbolic.ideal_saturation.isolation_certificate`) can prove it is the only
critical point of its region, degenerate or not, which accounts for the cluster.

*Zero levels of non-negative polynomials* (:mod:`numerics.symbolic.ideal_saturation`): when
``f >= 0`` is a polynomial, a box on which some polynomial ``g`` with ``f^k g`` in the gradient
ideal has no zero holds only critical points with ``f = 0``, i.e. global minima. Such a box is
refined (down to ``zero_level_width``) only to sharpen the picture, and the rest is reported per
cluster, either as the isolated minima a second, certificate-free search finds in it, or as one
*zero-level region*: a set of global minima that need not be isolated (circles and other orbits of
minima), with existence proved at an exact rational point where ``f = 0``.

The search's ``complete`` is True only when every part of the box is excluded, verified, in a
strict-saddle region, or in a zero-level region (enough for the strict-saddle property). The
*count* is :meth:`CriticalPointSearch.census`: exact only when, besides, every row is one point
proved to exist, to be unique in its region and to lie in the box. A point proved twice (Krawczyk
and an exact rational point) is listed once; a point whose enclosure meets the box boundary is
located exactly when possible, and otherwise its membership is undecided and it is not counted.
docs/saddle_certification.md ("The census: what is counted") has the whole argument.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np

from numerics.arith import rounding
from numerics.arith.verdict import Verdict
from numerics.landscape.classify import classify_enclosure, classify_exact
from numerics.landscape.results import CriticalPoint, CriticalPointSearch
from numerics.landscape.search import (
    SearchOptions,
    check_box,
    clusters,
    hull,
    subdivide,
)
from numerics.landscape.spectrum import rayleigh_upper_batch
from numerics.landscape.verify import (
    duplicate_of,
    exact_critical_point,
    exact_critical_point_in,
    isolate,
    isolating_polynomials_nonvanishing,
    krawczyk_boxes,
    newton_point,
    tighten,
)
from numerics.symbolic.derivatives import (
    DerivativeEnclosures,
    IntervalProgram,
    SmoothObjective,
)
from numerics.symbolic.ideal_saturation import zero_level_certificate

MAX_CLUSTERS = 64
"""Clusters of undecided boxes examined one by one; the rest stay unaccounted for."""


def find_critical_points(objective: SmoothObjective, box_lo, box_hi, *, max_boxes: int = 200_000,
                         min_width: float = 1e-7, batch: int = 2048,
                         classify: bool = True, extra_equations=(), zero_level: bool = True,
                         algebra_budget_s: float = 30.0,
                         zero_level_refine_boxes: int = 4000,
                         zero_level_width: float = 1 / 16, deadline: float | None = None,
                         progress=None) -> CriticalPointSearch:
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

    ``deadline`` (a ``time.monotonic()`` value): past it nothing more is refined or resolved, and
    what is left is reported as unresolved (the search is then incomplete, never silent);
    ``progress``: called with a dict of counters while the search runs.
    """
    t0 = time.perf_counter()
    blo, bhi = check_box(objective, box_lo, box_hi)
    D = DerivativeEnclosures(objective)
    extra = IntervalProgram(list(extra_equations), objective.variables) if extra_equations else None
    zl_cert, zl_prog, zl_stats = _zero_level_program(objective, zero_level, algebra_budget_s)
    options = SearchOptions(max_boxes=max_boxes, min_width=min_width, batch=batch,
                            zero_level_width=zero_level_width, deadline=deadline, progress=progress)
    sub = subdivide(D, blo, bhi, options, extra=extra, zl_prog=zl_prog)
    stats = dict(sub.stats)
    if zl_stats is not None:
        stats["zero_level"] = zl_stats
    points = [_verified_point(D, rlo, rhi) for rlo, rhi in sub.verified]
    groups = clusters(sub.stuck) if not _past(deadline) else [sub.stuck] if sub.stuck else []
    leftovers = _account_for_clusters(objective, D, groups, bhi - blo, points, algebra_budget_s, deadline)
    for members in clusters(sub.zero_level):
        if _past(deadline):
            leftovers.extend(members)
            continue
        points.extend(zero_level_region(objective, D, members, zl_cert, zero_level_refine_boxes,
                                        algebra_budget_s))
    points = _in_box(_merge_same_points(points), blo, bhi)
    points = [p for p in points if _decide_membership(objective, p, blo, bhi) is not Verdict.FAILS]
    if classify:
        for p in points:
            if p.method in ("krawczyk", "krawczyk-inflated"):
                classify_enclosure(D, p)
    stats["seconds"] = time.perf_counter() - t0
    stats["clusters"] = len(groups)
    if _past(deadline):
        stats["out_of_time"] = True
    return CriticalPointSearch(objective.names, blo, bhi, points, not leftovers, stats, leftovers)


def _zero_level_program(objective: SmoothObjective, zero_level: bool, budget_s: float):
    """The zero-level certificate of a polynomial f >= 0 (or None), its interval program, and
    what the statistics record about it (None when not asked for)."""
    if not zero_level:
        return None, None, None
    cert, reason = zero_level_certificate(objective.expr, objective.variables, budget_s=budget_s)
    if cert is None:
        return None, None, {"not_used": reason}
    return cert, IntervalProgram(list(cert.polynomials), objective.variables), cert.as_dict()


def _verified_point(D: DerivativeEnclosures, rlo, rhi) -> CriticalPoint:
    zlo, zhi = tighten(D, rlo, rhi)
    return CriticalPoint(zlo, zhi, rlo, rhi, Verdict.HOLDS, True, "krawczyk")


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def _account_for_clusters(objective, D, groups, scale, points, budget_s, deadline=None) -> list:
    """Resolve each cluster of undecided boxes (adding what it proves to ``points``); returns the
    boxes left unaccounted for (all that remain once the deadline has passed)."""
    leftovers = []
    for k, members in enumerate(groups):
        if k >= MAX_CLUSTERS or _past(deadline):
            leftovers.extend(members)
            continue
        found, accounted = resolve_cluster(objective, D, members, scale, points, budget_s)
        for p in found:
            _add_point(points, p)
        if not accounted:
            leftovers.extend(members)
    return leftovers


def _add_point(points: list[CriticalPoint], p: CriticalPoint) -> None:
    """Append ``p`` unless the same exact point is listed already (one exact point next to two
    clusters: keep the stronger record)."""
    same = [q for q in points if q.method.startswith("exact-point")
            and q.evidence.get("exact_point") == p.evidence.get("exact_point")]
    if same and p.method.startswith("exact-point"):
        if p.method != "exact-point" and same[0].method == "exact-point":
            points.remove(same[0])
            points.append(p)
        return
    points.append(p)


def _in_box(points: list[CriticalPoint], blo, bhi) -> list[CriticalPoint]:
    """Decide each point's membership in the box; drop the points certainly outside."""
    for p in points:
        if p.in_box is Verdict.HOLDS:
            inside = (p.lo >= blo).all() and (p.hi <= bhi).all()
            outside = (p.hi < blo).any() or (p.lo > bhi).any()
            p.in_box = Verdict.HOLDS if inside else (Verdict.FAILS if outside else Verdict.UNDECIDED)
    return [p for p in points if p.in_box is not Verdict.FAILS]


def _fractions(x) -> list[Fraction]:
    return [Fraction(v) if isinstance(v, str) else Fraction(float(v)) for v in x]


def _exact_in(exact, lo, hi) -> bool:
    """The rational point lies in the closed box [lo, hi] (exact comparison)."""
    return all(a <= e <= b for a, e, b in zip(_fractions(lo), _fractions(exact), _fractions(hi)))


def _merge_same_points(points: list[CriticalPoint]) -> list[CriticalPoint]:
    """One row per critical point. An exact rational critical point that lies in the uniqueness
    region of a Krawczyk-verified point *is* that point: its exact coordinates join that row. When
    the exact record also stands for a strict-saddle region around a cluster, the region stays as a
    row of its own, with no existence claim (it holds the listed point and perhaps others)."""
    verified = [q for q in points if q.unique and q.exists is Verdict.HOLDS
                and q.method in ("krawczyk", "krawczyk-inflated")]
    out = []
    for p in points:
        exact = p.evidence.get("exact_point") if p.method.startswith("exact-point") else None
        twin = next((q for q in verified if exact is not None and _exact_in(exact, q.region_lo, q.region_hi)), None)
        if twin is None:
            out.append(p)
            continue
        twin.evidence.setdefault("exact_point", list(exact))
        if "strict-saddle-region" in p.method:
            out.append(_region_around(p, twin))
    return out


def _region_around(p: CriticalPoint, twin: CriticalPoint) -> CriticalPoint:
    """The strict-saddle region of ``p`` as a row without a point: the listed ``twin`` lies in it."""
    q = p.evidence.get("region_rayleigh_upper", math.inf)
    r = CriticalPoint(p.region_lo.copy(), p.region_hi.copy(), p.region_lo, p.region_hi, Verdict.UNDECIDED, False,
                      "strict-saddle-region", kind="strict-saddle", hessian_min_eig=(-math.inf, float(q)))
    r.evidence["note"] = ("every critical point in the region is a strict saddle (lambda_min(Hessian) <= %.6g on "
                          "all of it); it holds the critical point listed at %s and possibly others (for instance "
                          "a non-isolated set): how many is not known" % (q, ", ".join(twin.evidence["exact_point"])))
    r.evidence["region_rayleigh_upper"] = float(q)
    return r


def _decide_membership(objective, p: CriticalPoint, blo, bhi) -> Verdict:
    """For a unique critical point whose enclosure straddles the box boundary: locate it exactly
    (a rational point of its uniqueness region where sympy proves the gradient is 0) and compare
    with the box in exact arithmetic. Sets and returns ``p.in_box``."""
    if p.in_box is not Verdict.UNDECIDED or not (p.unique and p.exists is Verdict.HOLDS):
        return p.in_box
    exact = p.evidence.get("exact_point")
    if exact is None:
        found = exact_critical_point_in(objective, p.region_lo, p.region_hi, 0.5 * p.lo + 0.5 * p.hi)
        exact = None if found is None else [str(v) for v in found]
    if exact is None or not _exact_in(exact, p.region_lo, p.region_hi):
        p.evidence["in_box"] = "the enclosure meets the box boundary and the point could not be located exactly"
        return p.in_box
    p.evidence["exact_point"] = list(exact)
    p.in_box = Verdict.HOLDS if _exact_in(exact, blo, bhi) else Verdict.FAILS
    p.evidence["in_box"] = ("the only critical point of the region is the exact rational point above (sympy: "
                            "gradient = 0 there); compared with the box in exact arithmetic")
    return p.in_box


# ---------------------------------------------------------------------------- clusters
def resolve_cluster(objective, D, members, scale, existing, budget_s: float = 30.0):
    """Try to account for a cluster of undecided boxes (module docstring).

    Returns (new points, accounted): accounted is True when every critical point in the
    cluster is proved to be among the listed points or in a strict-saddle region."""
    hlo, hhi = hull(members)
    x0 = np.clip(0.5 * hlo + 0.5 * hhi, hlo, hhi)
    xn = newton_point(D, x0.copy())
    found = _krawczyk_on_inflated_hull(D, hlo, hhi, x0, xn, scale, existing)
    if found is not None:
        return found
    return _exact_point_or_saddle_region(objective, D, hlo, hhi, x0, xn, scale, budget_s)


def _krawczyk_on_inflated_hull(D, hlo, hhi, x0, xn, scale, existing):
    """(a) Krawczyk on hulls inflated around the Newton point: (points, accounted), or None when
    no inflation verifies."""
    if not (np.isfinite(xn).all() and (np.abs(xn - x0) <= 2 * (hhi - hlo) + 1e-9 * scale).all()):
        return None
    for fac in (0.5, 1.0, 4.0):
        r = fac * (hhi - hlo) + 1e-10 * scale
        Ylo = np.minimum(hlo, xn - r)
        Yhi = np.maximum(hhi, xn + r)
        K, _, _ = krawczyk_boxes(D, Ylo[None, :], Yhi[None, :])
        if ((K.lo[0] > Ylo) & (K.hi[0] < Yhi)).all():
            zlo, zhi = tighten(D, Ylo, Yhi)
            dup = duplicate_of(zlo, zhi, Ylo, Yhi, existing)
            if dup is True:
                return [], True
            if dup is None:
                return [], False
            return [CriticalPoint(zlo, zhi, Ylo, Yhi, Verdict.HOLDS, True, "krawczyk-inflated")], True
    return None


def _region_rayleigh_upper(D, Rlo, Rhi) -> float:
    """Upper bound of lambda_min(Hessian) over the whole region (a Rayleigh quotient with the
    midpoint's lowest eigenvector), inf when the midpoint Hessian is not finite or the float
    eigensolver fails."""
    _, H = D.gradient_hessian(Rlo[None, :], Rhi[None, :])
    Hm = H.mid()[0]
    if not np.isfinite(Hm).all():
        return math.inf
    try:
        _, V = np.linalg.eigh(0.5 * (Hm + Hm.T))
    except np.linalg.LinAlgError:       # the float eigenvector only steers: no bound, no error
        return math.inf
    return rayleigh_upper_batch(H, V[:, 0][None, :])[0]


def _exact_point_or_saddle_region(objective, D, hlo, hhi, x0, xn, scale, budget_s):
    """(b) An exact critical point and/or a strict-saddle region around the cluster."""
    exact = exact_critical_point(objective, [xn, x0])
    r = np.maximum(hhi - hlo, 1e-9 * scale)
    Rlo, Rhi = hlo - 0.01 * r, hhi + 0.01 * r
    if exact is not None and not all(Fraction(float(a)) <= e <= Fraction(float(b))
                                     for a, e, b in zip(Rlo, exact, Rhi)):
        # an exact critical point just outside: if it is provably the only critical point of the
        # region, the region holds none
        if isolating_polynomials_nonvanishing(objective, exact, Rlo, Rhi, budget_s) is not None:
            return [], True
        exact = None
    q = _region_rayleigh_upper(D, Rlo, Rhi)
    if exact is not None:
        p = _exact_point(exact, Rlo, Rhi)
        if q < 0:
            _mark_saddle_region(D, p, q)
            return [p], True
        classify_exact(objective, exact, p)
        return [p], isolate(objective, exact, p, Rlo, Rhi, budget_s)
    if q < 0:
        p = CriticalPoint(hlo, hhi, Rlo, Rhi, Verdict.UNDECIDED, False, "strict-saddle-region",
                          kind="strict-saddle", hessian_min_eig=(-math.inf, float(q)))
        p.evidence["note"] = "no existence proof; every critical point in the region (if any) is a strict saddle"
        return [p], True
    return [], False


def _exact_point(exact, Rlo, Rhi) -> CriticalPoint:
    """A record of an exact rational critical point (its float enclosure rounded outward)."""
    pt = np.array([float(v) for v in exact])
    plo, phi = pt, pt
    if not (all(Fraction(float(v)) == v for v in exact)):
        plo = np.array([rounding.round_down_fraction(v) for v in exact])
        phi = np.array([rounding.round_up_fraction(v) for v in exact])
    p = CriticalPoint(plo, phi, Rlo, Rhi, Verdict.HOLDS, False, "exact-point")
    p.evidence["exact_point"] = [str(v) for v in exact]
    return p


def _mark_saddle_region(D, p: CriticalPoint, q: float) -> None:
    p.method = "exact-point+strict-saddle-region"
    p.evidence["region_rayleigh_upper"] = float(q)
    p.evidence["note"] = ("lambda_min(Hessian) <= %.6g on the whole region: every critical point "
                          "in it is a strict saddle" % q)
    classify_enclosure(D, p)
    if p.hessian_min_eig[1] < 0 and p.kind == "undecided":
        p.kind = "strict-saddle"


# ---------------------------------------------------------------------------- zero levels
def _inside_some(lo, hi, members) -> bool:
    return any((lo >= a).all() and (hi <= b).all() for a, b in members)


def _exact_zero_in(objective, D, members):
    """A rational point in one of the boxes where sympy shows f = 0 exactly, or None."""
    import sympy as sp
    step = max(1, len(members) // 16)
    for lo, hi in members[::step][:16]:
        xn = newton_point(D, np.clip(0.5 * lo + 0.5 * hi, lo, hi))
        cand = exact_critical_point(objective, [xn], digits=range(7))
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


def zero_level_region(objective, D, members, cert, refine_boxes: int, budget_s: float) -> list[CriticalPoint]:
    """A cluster of zero-level boxes: every critical point in their union is a global minimum
    (f = 0, f >= 0; :mod:`numerics.symbolic.ideal_saturation`).

    First the hull of the cluster is searched without the certificate: when that search is
    complete and every point it finds lies in a box of the cluster, its points replace the
    region (isolated, non-degenerate minima, or none at all). Otherwise one region entry is
    returned; existence is then proved by a rational point of the union where sympy shows
    f = 0 exactly (grad f = 0 there, since f >= 0 is minimal)."""
    hlo, hhi = hull(members)
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
        hlo, hhi = hull(members)
    p = CriticalPoint(hlo, hhi, hlo, hhi, Verdict.UNDECIDED, False, "zero-level-set",
                      kind="local-min", hessian_min_eig=(0.0, math.inf))
    p.evidence["zero_level"] = cert.as_dict()
    p.evidence["boxes"] = len(members)
    p.evidence["global_min"] = ("every critical point in the union of these boxes has f = 0 and f >= 0 "
                                "everywhere: all are global minima (lambda_min(Hessian) >= 0 there); "
                                "the critical set need not be isolated")
    if exact is not None:
        rep = CriticalPoint(np.zeros(0), np.zeros(0), hlo, hhi, Verdict.HOLDS, False, "exact-point")
        classify_exact(objective, exact, rep)
        p.exists = Verdict.HOLDS
        p.evidence["exact_point"] = [str(c) for c in exact]
        p.evidence["exact_point_hessian_min_eig"] = list(rep.hessian_min_eig)
        p.evidence["exact_point_hessian_max_eig"] = list(rep.hessian_max_eig)
    else:
        p.evidence["note"] = "no existence proof: the region may hold no critical point at all"
    return [p]
