"""Upper bounds of non-negative expressions, one operation at a time.

Every function takes float upper bounds of non-negative reals and returns a float upper bound of
the exact result of the operation on those reals: the operations used (``+``, ``*``, ``/`` by a
positive lower bound, ``sqrt``, sums, products of non-negative matrices) are non-decreasing in
every non-negative argument, and each correctly rounded result is pushed up by one ulp (sums and
matrix products by their a-priori ``gamma_k`` bound). ``inf`` stays ``inf`` (an unusable bound,
never a wrong one); NaN is refused.

The push is :func:`above` (``y (1 + 2^-50) + 2^-1070``, two vectorized float operations, much
faster than ``nextafter`` on large arrays): for finite y the result is at least the next float
above y (module of the same name in docs/deep_instance_certificate.md), so it bounds the exact
value of the operation that produced y.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from numerics.arith.products import float_product_bounds
from numerics.arith.rounding import gamma_const, round_up_fraction

_LIFT = 1.0 + 2.0 ** -50
_TINY = 2.0 ** -1070


def above(y) -> np.ndarray:
    """A float >= the next float above ``y`` for every finite ``y`` (inf stays inf).

    Proof: for normal y with ``2^e <= |y| < 2^(e+1)``, ``ulp(y) = 2^(e-52)`` and the computed
    ``|y| 2^-50 + 2^-1070`` is at least ``(1 - 2^-52) 2^(e-50) >= 3 ulp(y)``; the exact sum
    ``y + that`` is then above the float ``y + ulp(y)`` (the next float up, also at a binade
    edge), and rounding to nearest cannot fall below a float that lies under the exact value.
    For subnormal or zero y, ``y + 2^-1070`` is exact and exceeds ``y + 2^-1074``."""
    a = np.asarray(y, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        out = a + (np.abs(a) * 2.0 ** -50 + _TINY)
    return np.where(np.isinf(a), a, out)


def below(y) -> np.ndarray:
    """A float <= the next float below ``y`` for every finite ``y``."""
    return -above(-np.asarray(y, dtype=np.float64))


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
            out = above(out + _nonneg(x))
    return np.asarray(out)


def mul(x, y) -> np.ndarray:
    """Upper bound of ``x * y`` (elementwise); ``0 * inf`` counts as 0."""
    a, b = _nonneg(x), _nonneg(y)
    with np.errstate(over="ignore", invalid="ignore"):
        p = above(a * b)
    return np.where((a == 0) | (b == 0), 0.0, p)


def div(x, y) -> np.ndarray:
    """Upper bound of ``x / y`` for a positive lower bound ``y`` (inf where y is 0)."""
    a, b = _nonneg(x), _nonneg(y)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        q = above(a / b)
    return np.where(a == 0, 0.0, np.where(b == 0, np.inf, q))


def sqrt(x) -> np.ndarray:
    return above(np.sqrt(_nonneg(x)))


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
        return above(s * round_up_fraction(1 + g / (1 - g)))


def norm(x, axis=None) -> np.ndarray:
    """Upper bound of the Euclidean norm along ``axis`` of a real array whose entries are bounded
    in magnitude by ``|x|`` (x may be signed floats: exact values)."""
    return sqrt(total(square(np.abs(np.asarray(x, dtype=np.float64))), axis=axis))


def matmul(A, B) -> np.ndarray:
    """Upper bound of ``A @ B`` for non-negative matrices (the upper end of the a-priori bound)."""
    return float_product_bounds(_nonneg(A), _nonneg(B))[1]
