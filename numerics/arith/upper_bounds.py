"""Upper bounds of non-negative expressions, one operation at a time.

Every function takes float upper bounds of non-negative reals and returns a float upper bound of
the exact result of the operation on those reals: the operations used (``+``, ``*``, ``/`` by a
positive lower bound, ``sqrt``, sums, products of non-negative matrices) are non-decreasing in
every non-negative argument, and each correctly rounded result is pushed up by one ulp (sums and
matrix products by their a-priori ``gamma_k`` bound). ``inf`` stays ``inf`` (an unusable bound,
never a wrong one); NaN is refused.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from numerics.arith.products import float_product_bounds
from numerics.arith.rounding import gamma_const, round_up_fraction, up


def _nonneg(x) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if np.isnan(a).any() or (a < 0).any():
        raise ValueError("upper bounds must be non-negative numbers (got a negative entry or NaN)")
    return a


def add(*xs) -> np.ndarray:
    """Upper bound of ``x1 + x2 + ...`` (elementwise, broadcasting)."""
    out = _nonneg(xs[0])
    for x in xs[1:]:
        with np.errstate(over="ignore"):
            out = up(out + _nonneg(x))
    return np.asarray(out)


def mul(x, y) -> np.ndarray:
    """Upper bound of ``x * y`` (elementwise); ``0 * inf`` counts as 0."""
    a, b = _nonneg(x), _nonneg(y)
    with np.errstate(over="ignore", invalid="ignore"):
        p = up(a * b)
    return np.where((a == 0) | (b == 0), 0.0, p)


def div(x, y) -> np.ndarray:
    """Upper bound of ``x / y`` for a positive lower bound ``y`` (inf where y is 0)."""
    a, b = _nonneg(x), _nonneg(y)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        q = up(a / b)
    return np.where(a == 0, 0.0, np.where(b == 0, np.inf, q))


def sqrt(x) -> np.ndarray:
    return np.asarray(up(np.sqrt(_nonneg(x))))


def square(x) -> np.ndarray:
    return mul(x, x)


def total(x, axis=None) -> np.ndarray:
    """Upper bound of the exact sum along ``axis`` (Higham's gamma_{k-1} bound)."""
    a = _nonneg(x)
    k = a.size if axis is None else a.shape[axis]
    with np.errstate(over="ignore"):
        s = np.sum(a, axis=axis)
        if k <= 1:
            return np.asarray(s)
        g = Fraction(gamma_const(k - 1))
        return np.asarray(up(s * round_up_fraction(1 + g / (1 - g))))


def norm(x, axis=None) -> np.ndarray:
    """Upper bound of the Euclidean norm along ``axis`` of a real array whose entries are bounded
    in magnitude by ``|x|`` (x may be signed floats: exact values)."""
    return sqrt(total(square(np.abs(np.asarray(x, dtype=np.float64))), axis=axis))


def matmul(A, B) -> np.ndarray:
    """Upper bound of ``A @ B`` for non-negative matrices (the upper end of the a-priori bound)."""
    return float_product_bounds(_nonneg(A), _nonneg(B))[1]
