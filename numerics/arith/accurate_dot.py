"""Compensated dot products and matrix-vector products with rigorous error bounds.

Error-free transformations (Ogita, Rump, Oishi, "Accurate sum and dot product", SISC
26(6):1955-1988, 2005): ``TwoSum`` (Knuth) gives ``a + b = s + e`` exactly barring overflow;
``TwoProduct`` (Dekker/Veltkamp splitting) gives ``a * b = p + e`` exactly when no underflow
or overflow occurs. Algorithm Dot2 then satisfies (ORO 2005, Sec. 5, error bound of Dot2)

    ``|res - x^T y| <= u |x^T y| + gamma_n^2 |x|^T |y|``,

i.e. the result is as accurate as if computed in twice the working precision. We add
``16 n eta`` for underflow in the products (each TwoProduct then errs by at most a few
``eta``) and refuse inputs large enough for the splitting to overflow (then the a-priori
``gamma_n`` bound of :func:`numerics.arith.interval.matmul_enclosure` is used instead).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from numerics.arith.error_free import split, two_product
from numerics.arith.interval import Interval, as_interval, matmul_enclosure
from numerics.arith.rounding import ETA, U, down, gamma_const, round_up_fraction, up

_SAFE_MAX = 2.0 ** 480   # |a|, |b| below this: splitting and products cannot overflow


def _dot2_constant(n: int) -> float:
    g = Fraction(gamma_const(n))
    return round_up_fraction(g * g / (1 - g))


def dot2_matvec(AT: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(w, err)`` with ``|A v - w| <= err`` entrywise, where ``AT`` is ``A`` transposed
    (pass ``A`` itself when symmetric: rows are read contiguously). ``v`` may be (n,) or
    (n, k). Returns None when the magnitudes are outside the safe range of the splitting.
    """
    n = AT.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        big = max(float(np.abs(AT).max(initial=0.0)), float(np.abs(v).max(initial=0.0)))
    if not big < _SAFE_MAX:
        return None
    vec = v.ndim == 1
    V = v[:, None] if vec else v
    m = AT.shape[1]
    k = V.shape[1]
    p = np.zeros((m, k))
    s = np.zeros((m, k))
    absAv = np.zeros((m, k))
    vh, vl = split(V)
    with np.errstate(under="ignore"):
        for j in range(n):
            a = AT[j][:, None]
            ah, al = split(a)
            b, bh, bl = V[j], vh[j], vl[j]
            h = a * b
            e = al * bl - (((h - ah * bh) - al * bh) - ah * bl)
            t = p + h
            z = t - p
            s += (p - (t - z)) + (h - z) + e
            p = t
            absAv += np.abs(h)      # fl(|a||b|) = |fl(a b)|: a float sum of |products|
        w = p + s
        # |w - Av| <= u|Av| + c |A||v| + 16 n eta,  |Av| <= |w| + err  =>  solve for err
    c = _dot2_constant(n)
    onep = round_up_fraction(1 + Fraction(gamma_const(n)) / (1 - Fraction(gamma_const(n))))
    with np.errstate(over="ignore"):
        bound = up(up(c * up(absAv * onep)) + 16 * n * ETA)
        err = up(up(up(U * np.abs(w)) + bound) * round_up_fraction(1 / (1 - Fraction(U))))
        err = up(err * (1 + 4 * U))
    if vec:
        return w[:, 0], err[:, 0]
    return w, err


def dot_enclosure(x, y) -> Interval:
    """Enclosure of ``x . y`` for float or interval vectors, nearly correctly rounded for
    float inputs (TwoProduct + math.fsum, which is correctly rounded)."""
    xi, yi = as_interval(x), as_interval(y)
    if xi.ndim != 1 or yi.shape != xi.shape:
        raise ValueError(f"dot_enclosure needs two vectors of equal length, got {xi.shape}, "
                         f"{yi.shape}")
    mx = xi.mid()
    my = yi.mid()
    n = mx.shape[0]
    big = max(float(np.abs(mx).max(initial=0.0)), float(np.abs(my).max(initial=0.0)))
    if big < _SAFE_MAX:
        with np.errstate(under="ignore"):
            p, e = two_product(mx, my)
        s = math.fsum(np.concatenate([p, e]).tolist())
        core = Interval(down(down(np.float64(s)) - 16 * n * ETA),
                        up(up(np.float64(s)) + 16 * n * ETA))
    else:
        core = matmul_enclosure(mx, my)
    if np.array_equal(xi.lo, xi.hi) and np.array_equal(yi.lo, yi.hi):
        return core
    rx, ry = xi.rad(), yi.rad()
    g = gamma_const(n)
    with np.errstate(over="ignore"):
        rad = float(np.abs(mx) @ ry + rx @ up(np.abs(my) + ry))
        rad = float(up(up(rad * (1 + 2 * g)) + 4 * n * ETA))
    return Interval(down(core.lo - rad), up(core.hi + rad))


def matvec_enclosure(A: Interval, v: np.ndarray, symmetric: bool = True,
                     mid: np.ndarray | None = None, rad: np.ndarray | None = None) -> Interval:
    """Enclosure of ``X v`` over X in ``A`` for an exact float vector/matrix ``v``
    (compensated for the midpoint product; the radius part rounded upward). ``mid``/``rad``:
    optional precomputed ``A.mid()``/``A.rad()`` (any pair with [mid -+ rad] containing A)."""
    M = A.mid() if mid is None else mid
    res = dot2_matvec(M if symmetric else np.ascontiguousarray(M.T), v)
    if res is None:
        return matmul_enclosure(A, v)
    w, err = res
    if rad is not None or not np.array_equal(A.lo, A.hi):
        R = A.rad() if rad is None else rad
        n = M.shape[1]
        g = gamma_const(n)
        with np.errstate(over="ignore"):
            rv = up(up((R @ np.abs(v)) * (1 + 2 * g)) + 4 * n * ETA)
        err = up(err + rv)
    return Interval(down(w - err), up(w + err))


def quadratic_form_enclosure(A: Interval, v: np.ndarray, mid=None, rad=None) -> Interval:
    """Enclosure of ``v^T X v`` over X in the (symmetric) interval matrix ``A``."""
    W = matvec_enclosure(A, v, mid=mid, rad=rad)
    return dot_enclosure(v, W)
