"""Exact conversions between :class:`~numerics.arith.interval.Interval` arrays and Arb balls.

Floats convert into Arb exactly. Arb balls convert back to float intervals with directed
rounding done in exact rational arithmetic (``arb.mid().man_exp()`` and ``arb.rad()`` are
exact dyadic numbers), so ``interval_from_arb(x)`` always contains the ball ``x``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from numerics.arith.interval import Interval
from numerics.arith.rounding import round_down_fraction, round_up_fraction


def _dyadic(x) -> Fraction:
    m, e = x.man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2 ** e) if e >= 0 else Fraction(m, 2 ** (-e))


def arb_bounds(x) -> tuple[float, float]:
    """Float ``(lo, hi)`` with ``lo <= every point of the ball x <= hi``."""
    if not x.is_finite():
        return -np.inf, np.inf
    mid = _dyadic(x.mid())
    rad = _dyadic(x.rad())
    lo = round_down_fraction(mid - rad) if abs(mid - rad) < 2 ** 1100 else None
    hi = round_up_fraction(mid + rad) if abs(mid + rad) < 2 ** 1100 else None
    if lo is None:
        lo = -np.inf if mid - rad < 0 else float(np.finfo(float).max)
    if hi is None:
        hi = np.inf if mid + rad > 0 else -float(np.finfo(float).max)
    return lo, hi


def arb_from_bounds(lo: float, hi: float):
    """An Arb ball containing the float interval ``[lo, hi]`` (midpoint and radius are dyadic;
    Arb rounds them outward at the working precision if they need more bits)."""
    from flint import arb
    if lo == hi:
        return arb(float(lo))
    a, b = Fraction(float(lo)), Fraction(float(hi))
    mid = (a + b) / 2
    rad = (b - a) / 2
    return arb(_arb_exact(mid), _arb_exact(rad))


def _arb_exact(q: Fraction):
    from flint import arb, fmpz
    num, den = q.numerator, q.denominator
    e = den.bit_length() - 1
    assert den == 1 << e, "dyadic expected"
    return arb(fmpz(num)) * arb(2) ** (-e) if e else arb(fmpz(num))


def interval_from_arb(x) -> Interval:
    """Scalar Arb ball -> 0-d Interval containing it."""
    lo, hi = arb_bounds(x)
    return Interval(lo, hi)


def arb_from_interval_entry(x: Interval, idx):
    return arb_from_bounds(float(x.lo[idx]), float(x.hi[idx]))


def arb_mat_from_interval(A: Interval):
    """An ``arb_mat`` whose balls contain the entries of the 2-D interval ``A``."""
    from flint import arb_mat
    rows, cols = A.shape
    return arb_mat([[arb_from_bounds(float(A.lo[i, j]), float(A.hi[i, j]))
                     for j in range(cols)] for i in range(rows)])


def interval_from_arb_mat(M) -> Interval:
    """2-D Interval containing every ball of the ``arb_mat`` M."""
    rows, cols = M.nrows(), M.ncols()
    lo = np.empty((rows, cols))
    hi = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            lo[i, j], hi[i, j] = arb_bounds(M[i, j])
    return Interval(lo, hi)
