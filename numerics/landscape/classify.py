"""The kind of a certified critical point, from its Hessian: ``local-min`` (lambda_min > 0),
``strict-saddle`` (lambda_min < 0 < lambda_max), ``local-max`` (lambda_max < 0; also a strict
saddle in the sense of Lee et al. 2016, Def. 2.2, which only asks lambda_min < 0),
``degenerate`` (a proven zero eigenvalue), ``undecided``.

Two routes: verified eigenvalue enclosures of the interval Hessian over a point's enclosure
(:func:`classify_enclosure`), and exact rational arithmetic at a rational critical point
(:func:`classify_exact`: Sylvester's criterion on exact minors, a descent ray for a degenerate
point). docs/saddle_certification.md, "Kinds and constants".
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from numerics.arith import rounding
from numerics.arith.interval import Interval
from numerics.landscape.results import CriticalPoint
from numerics.landscape.spectrum import eigen_bounds
from numerics.landscape.verify import SYMPY_FAILURES
from numerics.symbolic.derivatives import DerivativeEnclosures, SmoothObjective
from numerics.symbolic.ideal_saturation import structurally_nonnegative


def classify_enclosure(D: DerivativeEnclosures, p: CriticalPoint) -> None:
    """Kind of ``p`` from eigenvalue enclosures of the Hessian over ``[p.lo, p.hi]``."""
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
    _name_failure(p, e)


def _name_failure(p: CriticalPoint, e: dict) -> None:
    """An undecided kind whose eigenvalue enclosures ran without float estimates says so."""
    if p.kind == "undecided" and e.get("failure"):
        p.evidence["undecided_because"] = e["failure"]


def _rational_substitution(objective: SmoothObjective, point) -> dict:
    import sympy as sp
    return {s: sp.Rational(c.numerator, c.denominator) for s, c in zip(objective.variables, point)}


def exact_hessian(objective: SmoothObjective, point):
    """The Hessian at a rational point, each entry simplified by sympy."""
    import sympy as sp
    subs = _rational_substitution(objective, point)
    return sp.Matrix([[sp.simplify(h.subs(subs)) for h in row] for row in objective.hessian])


def _enclose_rational_matrix(Hs) -> Interval:
    n = Hs.shape[0]
    q = [[Fraction(int(Hs[i, j].p), int(Hs[i, j].q)) for j in range(n)] for i in range(n)]
    lo = np.array([[rounding.round_down_fraction(v) for v in row] for row in q])
    hi = np.array([[rounding.round_up_fraction(v) for v in row] for row in q])
    return Interval(lo, hi)


def _positive_semidefinite(Hs) -> bool:
    """All principal minors >= 0 (exact; Sylvester's criterion for semidefiniteness), n <= 10."""
    n = Hs.shape[0]
    return n <= 10 and all(Hs.extract(list(idx), list(idx)).det() >= 0
                           for k in range(1, n + 1) for idx in itertools.combinations(range(n), k))


def classify_exact(objective: SmoothObjective, point, p: CriticalPoint) -> None:
    """Hessian at an exact rational point, in exact arithmetic where it matters.

    The Hessian entries are simplified by sympy at the rational point; when all are rational,
    the eigenvalue enclosures come from :func:`eigen_bounds` on the (exactly enclosed) matrix,
    positive (semi)definiteness from the signs of its principal minors (exact rationals; Sylvester's
    criterion: PD iff all leading minors > 0, PSD iff all principal minors >= 0), and singularity
    from the exact determinant.
    """
    Hs = exact_hessian(objective, point)
    if not all(e.is_Rational for e in Hs):
        p.kind = "undecided"
        return
    n = Hs.shape[0]
    e = eigen_bounds(_enclose_rational_matrix(Hs))
    p.hessian_min_eig, p.hessian_max_eig = e["min"], e["max"]
    if all(Hs[:k, :k].det() > 0 for k in range(1, n + 1)):
        p.kind = "local-min"
        return
    if p.hessian_max_eig[1] < 0:
        p.kind = "local-max"
        return
    if not _positive_semidefinite(Hs):
        p.kind = "strict-saddle"   # a rational matrix that is not PSD has a negative eigenvalue
        p.hessian_min_eig = (p.hessian_min_eig[0], min(p.hessian_min_eig[1], -0.0))
        return
    if Hs.det() != 0:
        p.kind = "undecided"
        _name_failure(p, e)
        return
    p.hessian_min_eig = (0.0, 0.0)   # PSD and singular: lambda_min = 0 exactly
    _classify_singular_psd(objective, point, p, Hs)


def _classify_singular_psd(objective: SmoothObjective, point, p: CriticalPoint, Hs) -> None:
    """A singular PSD Hessian: a global minimum when f >= 0 by its form and f = 0 here, else
    degenerate (with a descent ray when sympy finds one)."""
    import sympy as sp
    subs = _rational_substitution(objective, point)
    if structurally_nonnegative(objective.expr) and sp.simplify(objective.expr.subs(subs)) == 0:
        p.kind = "local-min"
        p.evidence["global_min"] = ("f >= 0 everywhere (sum of nonnegative terms, checked on the expression "
                                    "tree) and f(x*) = 0 exactly: a global, hence local, minimum with a "
                                    "singular Hessian")
        return
    p.kind = "degenerate"
    p.evidence["hessian_exact"] = [[str(e) for e in row] for row in Hs.tolist()]
    ray = descent_ray(objective, subs)
    if ray is not None:
        p.evidence["not_local_min"] = ray


def _test_directions(n: int) -> list[list[int]]:
    """The coordinate directions +-e_i, then +-e_i +- e_j."""
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
    return dirs


def descent_ray(objective: SmoothObjective, subs: dict) -> dict | None:
    """A direction d along which sympy proves ``f(x* + t d) < f(x*)`` for small t > 0 (the lowest
    nonzero term of the series in t is negative), or None: x* is then not a local minimum."""
    import sympy as sp
    t = sp.Symbol("t", positive=True)
    f0 = objective.expr.subs(subs)
    for d in _test_directions(objective.dim)[:64]:
        ray = {s: subs[s] + dk * t for s, dk in zip(objective.variables, d)}
        try:
            diff = sp.expand(sp.series(objective.expr.subs(ray) - f0, t, 0, 6).removeO())
        except SYMPY_FAILURES:  # no series: this direction proves nothing
            continue
        poly = sp.Poly(diff, t) if diff.is_polynomial(t) else None
        if poly is None or poly.is_zero:
            continue
        coeffs = poly.all_coeffs()[::-1]
        lead = next(c for c in coeffs if c != 0)
        if lead.is_number and lead < 0:
            order = coeffs.index(lead)
            return {"direction": d, "leading_term": f"{lead} t^{order}",
                    "proof": "sympy series of f(x* + t d) - f(x*) in t > 0: lowest nonzero term is negative"}
    return None
