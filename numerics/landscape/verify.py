"""Proofs about single boxes and points: the Krawczyk operator (existence and uniqueness of a zero
of the gradient), exact rational critical points (sympy), isolation certificates (a point is the
only critical point of a region), and polynomials without zeros on a box.

Krawczyk (1969), Rump (1983): for a box X with centre c, an enclosure H(X) of the Hessian over X
and any float matrix R, every zero of the gradient g in X lies in
``K(X) = c - R g(c) + (I - R H(X)) (X - c)``; ``K(X) ⊂ int(X)`` proves X holds exactly one zero
(docs/saddle_certification.md).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from sympy.core.function import PoleError
from sympy.polys.polyerrors import BasePolynomialError

from numerics.arith import rounding
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from numerics.landscape.results import CriticalPoint
from numerics.symbolic.derivatives import DerivativeEnclosures, SmoothObjective

SYMPY_FAILURES = (BasePolynomialError, PoleError, ValueError, TypeError, ZeroDivisionError, NotImplementedError)
"""What sympy raises when a simplification, series or reduction cannot be carried out (a
polynomial operation on a non-polynomial, a pole, an unsupported case): such a failure proves
nothing and the caller goes on without that proof."""


def inverse_midpoints(H: Interval) -> np.ndarray:
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


def krawczyk_boxes(D: DerivativeEnclosures, lo, hi):
    c = np.clip(0.5 * lo + 0.5 * hi, lo, hi)
    g, H = D.gradient_hessian(lo, hi)
    gc = D.gradient(c, c)
    R = inverse_midpoints(H)
    return krawczyk(lo, hi, c, gc, H, R), g, H


def tighten(D: DerivativeEnclosures, lo: np.ndarray, hi: np.ndarray, iterations: int = 40):
    """Iterate ``Z <- Z ∩ K(Z)`` from a box holding a zero; returns the final box (it still
    holds every zero of the gradient that the first box held)."""
    lo, hi = lo.copy()[None, :], hi.copy()[None, :]
    for _ in range(iterations):
        K, _, _ = krawczyk_boxes(D, lo, hi)
        nlo, nhi = np.maximum(lo, K.lo), np.minimum(hi, K.hi)
        if (nlo > nhi).any():
            break  # cannot happen for a box holding a zero; keep the last valid box
        shrink = np.max(nhi - nlo) >= 0.9 * np.max(hi - lo)
        lo, hi = nlo, nhi
        if shrink:
            break
    return lo[0], hi[0]


def newton_point(D: DerivativeEnclosures, x: np.ndarray, steps: int = 30) -> np.ndarray:
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


def isolating_polynomials_nonvanishing(objective, exact, Rlo, Rhi, budget_s: float):
    """The isolation polynomials of the exact critical point when one of them has no zero on
    [Rlo, Rhi] (then the point is the only critical point there), else None. Cached per point."""
    from numerics.symbolic.derivatives import IntervalProgram
    from numerics.symbolic.ideal_saturation import isolation_certificate
    key = ("isolation", tuple(exact))
    if key not in objective.cache:
        polys, _ = isolation_certificate(objective.expr, objective.variables, exact, budget_s=budget_s)
        objective.cache[key] = (polys, IntervalProgram(list(polys), objective.variables) if polys else None)
    polys, prog = objective.cache[key]
    if prog is None or not nonvanishing(prog, objective.variables, Rlo[None, :], Rhi[None, :])[0]:
        return None
    return polys


def isolate(objective, exact, p: CriticalPoint, Rlo, Rhi, budget_s: float) -> bool:
    """Prove that the exact critical point is the only one in [Rlo, Rhi] (degenerate or not):
    a polynomial g with |x - p|^{2k} g in the gradient ideal and no zero on the region
    (:func:`numerics.symbolic.ideal_saturation.isolation_certificate`)."""
    polys = isolating_polynomials_nonvanishing(objective, exact, Rlo, Rhi, budget_s)
    if polys is None:
        return False
    p.unique = True
    p.method = "exact-point+isolated"
    p.evidence["isolation"] = {
        "statement": "|x - p|^(2k) g is in the gradient ideal (exact Groebner reduction) and g has no zero on the "
                     "region, so p is the only critical point there",
        "polynomials": [str(g) for g in polys]}
    return True


def duplicate_of(zlo, zhi, ylo, yhi, existing):
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


def exact_critical_point(objective: SmoothObjective, guesses, digits=range(9)):
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
            except SYMPY_FAILURES:  # a failed simplification proves nothing
                ok = False
            if ok:
                return cand
    return None


def nonvanishing(prog, variables, lo, hi) -> np.ndarray:
    """Per box: True when some polynomial of ``prog`` provably has no zero on it (its interval
    enclosure over the box misses 0)."""
    env = {v: Interval._raw(lo[:, k], hi[:, k]) for k, v in enumerate(variables)}
    out = np.zeros(len(lo), dtype=bool)
    for e in prog.evaluate(env):
        out |= np.broadcast_to(e.lo > 0, out.shape) | np.broadcast_to(e.hi < 0, out.shape)
    return out


def _newton_high_precision(objective: SmoothObjective, x0, dps: int, steps: int = 40):
    """Newton's method for grad f = 0 in sympy floats of ``dps`` digits (no code generation), or
    None when a Hessian is singular or a value is not finite."""
    import sympy as sp
    x = [sp.Float(float(v), dps) for v in x0]
    for _ in range(steps):
        subs = dict(zip(objective.variables, x))
        g = sp.Matrix([gi.evalf(dps, subs=subs) for gi in objective.gradient])
        H = sp.Matrix([[h.evalf(dps, subs=subs) for h in row] for row in objective.hessian])
        if not all(v.is_finite for v in list(g) + list(H)):
            return None
        try:
            dx = H.LUsolve(g)
        except (ValueError, ZeroDivisionError, sp.matrices.exceptions.NonInvertibleMatrixError):
            return None
        x = [(xi - di).evalf(dps) for xi, di in zip(x, dx)]
        if max(abs(d) for d in dx) <= sp.Float(10, dps) ** (10 - dps) * (1 + max(abs(v) for v in x)):
            break
    return x


def exact_critical_point_in(objective: SmoothObjective, lo, hi, x0, *, dps: int = 60, max_digits: int = 45):
    """A rational point of the box ``[lo, hi]`` where sympy proves the gradient is exactly 0, or
    None: a high-precision Newton point from ``x0``, rounded to k decimal digits (and to the
    nearest fraction with denominator <= 10^k) for k = 1, 2, ... (exact decimal inputs such as
    ``1e-17`` give decimal critical points)."""
    import sympy as sp
    x = _newton_high_precision(objective, x0, dps)
    if x is None:
        return None
    xq = [Fraction(str(v)) for v in x]
    box = [(Fraction(float(a)), Fraction(float(b))) for a, b in zip(lo, hi)]
    tried = set()
    for k in range(1, max_digits):
        scale = 10 ** k
        for cand in (tuple(Fraction(round(v * scale), scale) for v in xq),
                     tuple(v.limit_denominator(scale) for v in xq)):
            if cand in tried or not all(a <= c <= b for c, (a, b) in zip(cand, box)):
                continue
            tried.add(cand)
            subs = {s: sp.Rational(c.numerator, c.denominator) for s, c in zip(objective.variables, cand)}
            try:
                if all(sp.simplify(gi.subs(subs)) == 0 for gi in objective.gradient):
                    return cand
            except SYMPY_FAILURES:
                continue
    return None
