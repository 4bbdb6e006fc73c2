"""Verified spectral bounds of symmetric interval matrices (Hessian enclosures): the smallest
and largest eigenvalue, Rayleigh-quotient upper bounds and the spectral norm, batched over boxes.

Every bound holds for every symmetric matrix in the interval matrix (outward rounding;
docs/saddle_certification.md, "Kinds and constants").
"""

from __future__ import annotations

import math

import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import Interval


def _arb_ball(lo: float, hi: float):
    from numerics.arith.balls import arb_from_bounds
    return arb_from_bounds(float(lo), float(hi))


def _arb_positive_definite(A: Interval, s: float) -> bool:
    """Ball LDL^T of ``X - s I`` for every symmetric X in A: all pivots > 0 proves X - sI PD."""
    from numerics.arith.context import arb_precision
    n = A.shape[0]
    with arb_precision(106):
        M = [[_arb_ball(A.lo[i, j], A.hi[i, j]) for j in range(n)] for i in range(n)]
        for i in range(n):
            M[i][i] = M[i][i] - s
        for k in range(n):
            d = M[k][k]
            if not d > 0:  # arb comparison is True only when certain
                return False
            for i in range(k + 1, n):
                f = M[i][k] / d
                for j in range(k + 1, i + 1):
                    M[i][j] = M[i][j] - f * M[k][j]
                    M[j][i] = M[i][j]
    return True


def _arb_rayleigh_upper(A: Interval, v: np.ndarray) -> float:
    from flint import arb

    from numerics.arith.balls import arb_bounds
    from numerics.arith.context import arb_precision
    n = A.shape[0]
    with arb_precision(106):
        num = arb(0)
        for i in range(n):
            for j in range(n):
                num += arb(float(v[i])) * arb(float(v[j])) * _arb_ball(A.lo[i, j], A.hi[i, j])
        den = sum((arb(float(x)) ** 2 for x in v), arb(0))
        return arb_bounds(num / den)[1]


def _lambda_min_arb(A: Interval) -> tuple[float, float]:
    """Enclosure [lo, hi] of lambda_min over the symmetric matrices in A (small n), in Arb:
    hi from a Rayleigh quotient, lo from a ball LDL^T of a shifted matrix."""
    mid = A.mid()
    mid = 0.5 * (mid + mid.T)
    w, V = np.linalg.eigh(mid)
    hi = _arb_rayleigh_upper(A, V[:, 0])
    rad = float(np.sqrt(np.sum(A.rad() ** 2)))
    gap = rad + 1e-12 * (1.0 + abs(w[0])) + 1e-300
    lo = -math.inf
    for _ in range(12):
        s = float(w[0] - gap)
        if _arb_positive_definite(A, s):
            lo = s
            break
        gap *= 4.0
    return lo, max(hi, lo)


def lambda_min_bounds(A: Interval) -> tuple[float, float]:
    """Rigorous [lo, hi] of lambda_min(X) for every symmetric X in the interval matrix A.

    Uses :func:`numerics.linalg.spectral.lambda_min_enclosure` (Rump's shifted Cholesky test and
    Rayleigh/Temple bounds, escalating to Arb up to 212 bits); :func:`_lambda_min_arb` (ball
    LDL^T in Arb) is the independent cross-check used by the tests. Infinite entries give
    (-inf, inf).
    """
    lo, hi, _ = _lambda_min_and_method(A)
    return lo, hi


def _lambda_min_and_method(A: Interval) -> tuple[float, float, str]:
    """:func:`lambda_min_bounds` and how they were proved (the spectral enclosure's method)."""
    if not A.is_finite():
        return -math.inf, math.inf, "an entry is not finite"
    A = Interval._raw(np.minimum(A.lo, A.lo.T), np.maximum(A.hi, A.hi.T))
    try:
        from numerics.linalg.spectral import lambda_min_enclosure
    except ImportError:
        return (*_lambda_min_arb(A), "Arb LDL^T")
    from numerics.arith.context import workprec
    with workprec(max_precision_bits=212):
        e = lambda_min_enclosure(A, rel_tol=1e-6)
    return float(e.lo), float(e.hi), e.method


def eigen_bounds(A: Interval) -> dict:
    """lambda_min and lambda_max enclosures of a symmetric interval matrix; ``failure``: the
    spectral methods that ran without float estimates (every float eigensolver failed,
    numerics.linalg.spectral.EIGENSOLVER_FAILED), or None."""
    from numerics.linalg.spectral import EIGENSOLVER_FAILED

    lo, hi, how_min = _lambda_min_and_method(A)
    mlo, mhi, how_max = _lambda_min_and_method(-A)
    failed = [f"{name}: {how}" for name, how in (("lambda_min", how_min), ("lambda_max", how_max))
              if EIGENSOLVER_FAILED in how]
    return {"min": (lo, hi), "max": (-mhi, -mlo), "failure": "; ".join(failed) or None}


def rayleigh_upper_batch(H: Interval, V: np.ndarray) -> np.ndarray:
    """Upper bounds of ``v^T X v / v^T v`` for X in H[b] and v = V[b] (batched, rigorous)."""
    B, n, _ = H.shape
    num = None
    for i in range(n):
        for j in range(n):
            t = H[:, i, j] * iv.as_interval(V[:, i] * 0 + V[:, i]) * iv.as_interval(V[:, j])
            num = t if num is None else num + t
    den = None
    for i in range(n):
        t = iv.as_interval(V[:, i]) * iv.as_interval(V[:, i])
        den = t if den is None else den + t
    q = num / den
    return q.hi


def lowest_eigvec_of_mid(H: Interval) -> np.ndarray:
    """Per box, a float eigenvector of the smallest eigenvalue of the Hessian's midpoint (e_1
    where the midpoint is not finite, or everywhere when the float eigensolver fails): the test
    vector of :func:`rayleigh_upper_batch`."""
    Hm = H.mid()
    V = np.zeros(Hm.shape[:2])
    V[:, 0] = 1.0
    ok = np.isfinite(Hm).all(axis=(1, 2))
    if ok.any():
        try:
            V[ok] = np.linalg.eigh(0.5 * (Hm[ok] + np.swapaxes(Hm[ok], 1, 2)))[1][:, :, 0]
        except np.linalg.LinAlgError:   # the test vector only steers: e_1 stays (a valid, weaker bound)
            pass
    return V


def norm2_upper_batch(H: Interval) -> np.ndarray:
    """Upper bound of ||X||_2 over X in H[b]: min(Frobenius, max row sum) of |X| (rigorous)."""
    mag = H.mag()
    s = None
    B, n, _ = H.shape
    for i in range(n):
        for j in range(n):
            t = Interval._raw(mag[:, i, j], mag[:, i, j]) ** 2
            s = t if s is None else s + t
    fro_up = iv.sqrt(s).hi
    rows = None
    for i in range(n):
        r = None
        for j in range(n):
            t = Interval._raw(mag[:, i, j], mag[:, i, j])
            r = t if r is None else r + t
        rows = r.hi if rows is None else np.maximum(rows, r.hi)
    return np.minimum(fro_up, rows)
