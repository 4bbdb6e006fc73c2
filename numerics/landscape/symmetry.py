"""Critical points of an objective invariant under plane rotations ``U -> U R`` (U in
R^{rows x 2}), found modulo the rotation orbits: a sympy proof of the invariance and a search on
slices that meet every orbit (docs/saddle_certification.md, "Symmetry")."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from numerics.landscape.census import find_critical_points
from numerics.landscape.classify import classify_exact
from numerics.landscape.results import CriticalPoint, CriticalPointSearch
from numerics.landscape.search import check_box
from numerics.landscape.verify import SYMPY_FAILURES, exact_critical_point
from numerics.symbolic.derivatives import SmoothObjective


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
    except SYMPY_FAILURES:  # not a polynomial in (c, s): no proof
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
    if not right_rotation_invariant(objective, rows):
        raise ValueError("objective: f(U R) = f(U) for plane rotations R could not be proved by sympy; "
                         "allowed: a polynomial objective invariant under U -> U R")
    t0 = time.perf_counter()
    blo, bhi = check_box(objective, box_lo, box_hi)
    radii = _invariant_region_radii(blo, bhi, rows)
    points: list[CriticalPoint] = []
    leftovers: list = []
    complete = True
    stats: dict = {"slices": []}
    for k in range(rows):
        sl = _Slice(objective, k, radii)
        res = find_critical_points(sl.objective, sl.lo, sl.hi, extra_equations=sl.extras, **kwargs)
        stats["slices"].append({"slice": k + 1, **res.stats, "complete": res.complete})
        complete = complete and res.complete
        for p in res.points:
            q, decided = _orbit_record(objective, sl, p, points)
            if q is not None:
                points.append(q)
            complete = complete and decided
        leftovers.extend((sl.embed(a), sl.embed(b)) for a, b in res.undecided_boxes)
    stats["seconds"] = time.perf_counter() - t0
    stats["boxes_processed"] = sum(s_["boxes_processed"] for s_ in stats["slices"])
    stats["invariant_region_row_radii"] = radii
    return CriticalPointSearch(objective.names, blo, bhi, points, complete and not leftovers, stats, leftovers)


def _invariant_region_radii(blo, bhi, rows: int) -> list[float]:
    """Upper bounds r_i of the row norms over the box: the box lies in prod_i {||row_i|| <= r_i}."""
    mag = np.maximum(np.abs(blo), np.abs(bhi))
    radii = []
    for i in range(rows):
        sq = Interval._raw(mag[2 * i:2 * i + 1], mag[2 * i:2 * i + 1]) ** 2 + \
            Interval._raw(mag[2 * i + 1:2 * i + 2], mag[2 * i + 1:2 * i + 2]) ** 2
        radii.append(float(iv.sqrt(sq).hi[0]))
    return radii


class _Slice:
    """The slice S_k = {rows 1..k-1 = 0, U_k2 = 0, U_k1 >= 0} (k counted from 0 here): the
    objective on its free variables, the extra equations, and the embedding into R^n."""

    def __init__(self, objective: SmoothObjective, k: int, radii: list[float]):
        import sympy as sp

        from numerics.symbolic.derivatives import IntervalProgram, smooth_objective

        v, n = objective.variables, objective.dim
        fixed = {v[j]: sp.Integer(0) for j in range(2 * k)}
        fixed[v[2 * k + 1]] = sp.Integer(0)
        self.k, self.n = k, n
        self.free_idx = [2 * k] + list(range(2 * k + 2, n))
        self.free = tuple(v[j] for j in self.free_idx)
        self.objective = smooth_objective(objective.expr.subs(fixed), self.free, label=f"slice {k + 1}")
        self.extras = [objective.gradient[j].subs(fixed) for j in range(2 * k)]
        dropped = [objective.gradient[2 * k + 1].subs(fixed)] + self.extras
        self.check = IntervalProgram(dropped, self.free) if dropped else None
        self.lo = np.array([0.0] + [-radii[j // 2] for j in self.free_idx[1:]])
        self.hi = np.array([radii[k]] + [radii[j // 2] for j in self.free_idx[1:]])
        self.description = (f"rows 1..{k} = 0, U_{k + 1}2 = 0, U_{k + 1}1 >= 0" if k else "U_12 = 0, U_11 >= 0")

    def embed(self, x) -> np.ndarray:
        out = np.zeros(self.n)
        out[self.free_idx] = x
        return out

    def dropped_equation_nonzero(self, p: CriticalPoint) -> bool:
        """A gradient component of f that the slice search did not use provably does not vanish
        on p (the U_k2 component only matters where U_k1 = 0 may hold)."""
        if self.check is None:
            return False
        env = {s_: Interval(p.lo[i], p.hi[i]) for i, s_ in enumerate(self.free)}
        encs = self.check.evaluate(env)
        return any((np.asarray(e.lo) > 0).any() or (np.asarray(e.hi) < 0).any()
                   for e in (encs[1:] if p.lo[0] > 0 else encs))


def _orbit_record(objective: SmoothObjective, sl: _Slice, p: CriticalPoint, points: list):
    """The record in R^n of a critical point ``p`` of the slice function: (record or None,
    decided), decided False when nothing proves what the point is."""
    q = CriticalPoint(sl.embed(p.lo), sl.embed(p.hi), sl.embed(p.region_lo), sl.embed(p.region_hi),
                      p.exists, p.unique, f"slice-{sl.k + 1}:{p.method}", p.kind,
                      p.hessian_min_eig, p.hessian_max_eig, Verdict.HOLDS, dict(p.evidence))
    q.evidence["slice"] = sl.description
    if sl.dropped_equation_nonzero(p):
        return None, True   # a critical point of the slice function only, not of f
    if p.method == "zero-level-set":
        return _zero_level_orbit(sl, q), True
    if p.lo[0] > 0 and sl.k == 0:
        return _free_orbit(p, q), True
    if p.exists is not Verdict.HOLDS and p.kind == "strict-saddle":
        return q, True   # every critical point of f in the region is a strict saddle
    full = _exact_full_point(objective, sl, p, q)
    if full is not None:
        if any(r.evidence.get("exact_point") == [str(f) for f in full] for r in points):
            return None, True  # the same exact point from another slice
        if _gradient_vanishes_exactly(objective, full):
            _exact_orbit_point(objective, sl, p, q, full)
            return q, True
    if p.kind == "strict-saddle":
        return q, True
    q.kind = "undecided"
    return q, False


def _zero_level_orbit(sl: _Slice, q: CriticalPoint) -> CriticalPoint:
    q.evidence["orbit"] = "every critical point of f in the region's orbits is a global minimum"
    if "exact_point" in q.evidence:
        full_pt = ["0"] * sl.n
        for i, j in enumerate(sl.free_idx):
            full_pt[j] = q.evidence["exact_point"][i]
        q.evidence["exact_point"] = full_pt
    return q


def _free_orbit(p: CriticalPoint, q: CriticalPoint) -> CriticalPoint:
    """U_11 > 0 on slice 1, a local cross-section of a free action: the slice Hessian decides."""
    if p.kind == "local-min" and "global_min" in p.evidence:
        q.evidence["orbit"] = "circle {U R} of global minima (f >= 0 and f = 0 on it)"
    elif p.kind == "local-min":
        q.evidence["orbit"] = ("circle {U R}: Morse-Bott local minima (slice Hessian positive "
                               "definite on a local cross-section)")
    elif p.kind in ("strict-saddle", "local-max"):
        q.kind = "strict-saddle"
        q.evidence["orbit"] = "circle {U R} of strict saddles"
    return q


def _exact_full_point(objective: SmoothObjective, sl: _Slice, p: CriticalPoint, q: CriticalPoint):
    """A rational point of R^n for p: its exact slice point embedded, or an exact critical point
    of f near the enclosure's midpoint that lies in the enclosure; None when neither."""
    exact = p.evidence.get("exact_point")
    if exact is not None:
        full = [Fraction(0)] * sl.n
        for i, j in enumerate(sl.free_idx):
            full[j] = Fraction(exact[i])
        return full
    cand = exact_critical_point(objective, [0.5 * q.lo + 0.5 * q.hi])
    if cand is not None and all(q.lo[i] <= cand[i] <= q.hi[i] for i in range(sl.n)):
        return list(cand)
    return None


def _gradient_vanishes_exactly(objective: SmoothObjective, full) -> bool:
    import sympy as sp
    subs = {s_: sp.Rational(f.numerator, f.denominator) for s_, f in zip(objective.variables, full)}
    return all(sp.simplify(g.subs(subs)) == 0 for g in objective.gradient)


def _exact_orbit_point(objective, sl: _Slice, p: CriticalPoint, q: CriticalPoint, full) -> None:
    q.method = f"slice-{sl.k + 1}:exact-point"
    q.evidence = {"exact_point": [str(f) for f in full], "slice": q.evidence["slice"]}
    classify_exact(objective, full, q)
    if p.kind == "strict-saddle" and p.evidence.get("region_rayleigh_upper") is not None:
        q.evidence["region_rayleigh_upper"] = p.evidence["region_rayleigh_upper"]
        q.region_lo, q.region_hi = sl.embed(p.region_lo), sl.embed(p.region_hi)
