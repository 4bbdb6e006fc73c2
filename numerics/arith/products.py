"""Matrix products with rigorous a-priori error bounds.

The kernels behind :func:`numerics.arith.interval.matmul_enclosure` (``A @ B`` for float or
interval matrices), on raw endpoint arrays. Float inputs:
``fl(A@B) +- [gamma_k/(1-gamma_k) fl(|A|@|B|) + 2 k eta]`` (Higham 2002, Lemma 3.1 and
eq. (3.5)), valid for any summation order and for FMA, assuming an IEEE binary64 BLAS with the
classical algorithm (no Strassen, no reduced-precision modes, no flush-to-zero). Interval
inputs: midpoint-radius product (Rump 1999, INTLAB),
``<mA,rA> <mB,rB> ⊆ <mA mB, |mA| rB + rA (|mB| + rB)>`` with the same rounding terms.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from numerics.arith.rounding import ETA, down, gamma_const, round_up_fraction, up


def _product_constants(k: int) -> tuple[float, float]:
    """(c1, c2) with |fl(x.y) - x.y| <= c1 fl(|x|.|y|) + c2 for length-k dot products.

    c1 >= gamma_k / (1 - gamma_k) (fl(|x|.|y|) >= (1 - gamma_k) |x|.|y|), and c2 = 2 k eta
    covers underflow of the k products and of the bound itself.
    """
    g = Fraction(gamma_const(k))
    c1 = round_up_fraction(g / (1 - g))
    c2 = 2.0 * max(k, 1) * ETA * 2.0
    return c1, c2


def midrad_product_bounds(mA: np.ndarray, rA: np.ndarray | None, mB: np.ndarray,
                          rB: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Endpoints ``(lo, hi)`` enclosing ``X @ Y`` for all ``|X - mA| <= rA``, ``|Y - mB| <= rB``.

    ``rA`` / ``rB`` of None mean exact (point) operands. NaN endpoints become -inf / +inf.
    """
    k = mA.shape[-1] if mA.ndim else 1
    c1, c2 = _product_constants(k)
    g = gamma_const(k)
    onep = round_up_fraction(1 + Fraction(c1))  # >= 1/(1 - gamma_k)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        C = mA @ mB
        absA, absB = np.abs(mA), np.abs(mB)
        # needed: gamma_k |mA||mB| + |mA| rB + rA (|mB| + rB)  (+ underflow)
        right = up(g * absB)
        if rB is not None:
            right = up(right + rB)
        rad = absA @ right
        if rA is not None:
            mBr = absB if rB is None else up(absB + rB)
            rad = up(rad + rA @ mBr)
        # products of non-negative floats: exact <= fl * onep (+ underflow, in 3 c2)
        rad = up(up(rad * onep) * onep)
        rad = up(rad + 3.0 * c2)
        lo = down(C - rad)
        hi = up(C + rad)
    return _nan_to_unbounded(lo, hi)


def float_product_bounds(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Endpoints ``(lo, hi)`` enclosing the exact ``a @ b`` of float arrays (one product each
    for ``a @ b`` and ``|a| @ |b|``)."""
    k = a.shape[-1] if a.ndim else 1
    c1, c2 = _product_constants(k)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        C = np.asarray(a @ b)
        G = np.asarray(np.abs(a) @ np.abs(b))
        G *= c1
        np.nextafter(G, np.inf, out=G)
        G += c2
        np.nextafter(G, np.inf, out=G)
        hi = np.add(C, G, out=np.empty_like(C))
        np.nextafter(hi, np.inf, out=hi)
        lo = np.subtract(C, G, out=G)
        del C
        np.nextafter(lo, -np.inf, out=lo)
    return _nan_to_unbounded(lo, hi)


def _nan_to_unbounded(lo, hi) -> tuple[np.ndarray, np.ndarray]:
    if np.isnan(lo).any() or np.isnan(hi).any():
        lo = np.where(np.isnan(lo), -np.inf, lo)
        hi = np.where(np.isnan(hi), np.inf, hi)
    return lo, hi
