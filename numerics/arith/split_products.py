"""Matrix products accurate to about one rounding, with rigorous bounds, from ordinary BLAS calls.

Error-free splitting (Ozaki, Ogita, Oishi, Rump, "Error-free transformations of matrix
multiplication by using fast routines of matrix multiplication and its applications", Numer.
Algorithms 59:95-118, 2012), one level deep. For float matrices ``A`` (n x k) and ``B`` (k x m)
and ``t = floor((53 - ceil(log2 k)) / 2)`` bits:

* every row i of ``A`` is split exactly as ``A = A1 + A2``: ``A1[i, :]`` are integer multiples of
  ``2^s_i`` of magnitude <= ``2^(s_i + t)`` (``s_i`` from the row's largest entry), and
  ``A2 = A - A1`` is computed without rounding (``|A2| <= 2^(s_i - 1)``, and A2 is a multiple of
  ``ulp(A)``); every column j of ``B`` likewise with ``2^q_j``;
* every product ``A1[i, l] B1[l, j]`` is an integer multiple of ``2^(s_i + q_j)`` below
  ``2^(s_i + q_j + 2t)`` in magnitude, and every partial sum of k of them stays below
  ``2^(s_i + q_j + 53)``: it is representable, so ``A1 @ B1`` is computed **exactly** in any
  summation order, with or without FMA (as long as ``s_i + q_j >= -1074`` and nothing overflows;
  otherwise the plain a-priori bound is used);
* the rest ``A1 @ B2 + A2 @ B = [A1 A2] @ [B2; B]`` is of relative size ``2^-t`` and is enclosed
  with the a-priori bound of :func:`numerics.arith.products.float_product_bounds`.

The enclosure's radius is therefore about ``ulp(A B) + gamma_2k 2^-t |A| |B|`` instead of
``gamma_k |A| |B|``: for k = 512, ``2^-t = 2^-22``. Cost: three BLAS products. Assumption (as in
:mod:`numerics.arith.products`): an IEEE binary64 BLAS with the classical algorithm.
"""

from __future__ import annotations

import numpy as np

from numerics.arith.interval import Interval
from numerics.arith.products import float_product_bounds
from numerics.arith.rounding import down, up


def split_bits(k: int) -> int:
    """t = floor((53 - ceil(log2 k)) / 2): bits per high part so that k-term sums are exact."""
    k = max(int(k), 1)
    return (53 - int(np.ceil(np.log2(k)))) // 2 if k > 1 else 26


def split_exact(A: np.ndarray, axis: int, bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(A1, A2, s)`` with ``A1 + A2 = A`` exactly; along ``axis`` (1: per row, 0: per column)
    the entries of ``A1`` are integer multiples of ``2^s`` with ``|A1| <= 2^(s + bits)``."""
    amax = np.abs(A).max(axis=axis, keepdims=True) if A.size else np.zeros(())
    _, e = np.frexp(amax)                      # amax < 2^e
    s = (e - bits).astype(np.int64)
    with np.errstate(under="ignore"):
        A1 = np.ldexp(np.rint(np.ldexp(A, -s)), s)
    A2 = A - A1                                # exact (module docstring)
    return A1, A2, s


def accurate_matmul_enclosure(A, B) -> Interval:
    """Enclosure of the exact product ``A @ B`` of two float matrices (2-D, or a vector as B),
    with a radius of about one rounding of the result (module docstring)."""
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    vector = B.ndim == 1
    B2d = B[:, None] if vector else B
    if A.ndim != 2 or B2d.ndim != 2 or A.shape[1] != B2d.shape[0]:
        raise ValueError(f"A, B: got shapes {A.shape}, {B.shape}; allowed: (n, k) and (k, m) or (k,)")
    if not (np.isfinite(A).all() and np.isfinite(B2d).all()):
        raise ValueError("A, B: non-finite entries; allowed: finite floats")
    out = _split_product(A, B2d)
    if vector:
        return Interval._raw(out.lo[:, 0], out.hi[:, 0])
    return out


def _split_product(A: np.ndarray, B: np.ndarray) -> Interval:
    k = A.shape[1]
    t = split_bits(k)
    A1, A2, s = split_exact(A, 1, t)
    B1, B2, q = split_exact(B, 0, t)
    lo_exp = int(s.min(initial=0)) + int(q.min(initial=0))
    hi_exp = int(s.max(initial=0)) + int(q.max(initial=0))
    if k == 0 or lo_exp < -1074 or hi_exp + 2 * t + 60 > 1000:
        return Interval._raw(*float_product_bounds(A, B))
    C1 = A1 @ B1                               # exact
    rlo, rhi = float_product_bounds(np.hstack([A1, A2]), np.vstack([B2, B]))
    with np.errstate(over="ignore", invalid="ignore"):
        lo, hi = down(C1 + rlo), up(C1 + rhi)
    return Interval._raw(lo, hi)
