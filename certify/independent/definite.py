"""Bounds on lambda_min of a symmetric matrix given entrywise by Arb balls.

**Lower bound** (what ``lambda_min(H) >= L`` rests on). Let every entry of the true symmetric
H lie in the ball ``m_ij +- r_ij``. Round the midpoints to the grid ``2^-q``: ``M = floor(m 2^q)
2^-q`` (exact integers ``M 2^q``), so ``H = M + Delta`` with ``|Delta_ij| <= r_ij + 2^-q``
and ``||Delta||_2 <= ||Delta||_F <= n max_ij (r_ij + 2^-q)``. For any shift s on the grid and
*any* lower-triangular matrix L' with entries on the grid ``2^-k`` (q = 2k) - in practice the
float Cholesky factor of ``M - s I``, rounded - the residual ``E = L' L'^T - (M - s I)`` is
computed exactly in integers (FLINT's fmpz_mat product). Since ``L' L'^T`` is positive
semidefinite, ``M - s I = L' L'^T - E`` gives ``lambda_min(M) >= s - ||E||_2`` (Weyl), hence

    lambda_min(H) >= s - ||E||_F - n max_ij (r_ij + 2^-q),

every term an exact rational (the square root rounded up). A poor L' (or a failed float
factorization) only makes the bound useless, never wrong.

**Upper bound.** For any nonzero float vector v, ``lambda_min(H) <= v^T H v / v^T v`` (Rayleigh),
evaluated in Arb with the balls of H; v is numpy's eigenvector estimate (a choice, not a proof).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import arb, arb_mat, fmpz

from certify.independent.exact import dyadic, entries, fmpz_matrix, floor_scaled

FACTOR_BITS = 60
"""Bits kept of the float Cholesky factor (its entries on the grid 2^-k, |entries| < 2^(60-k))."""


@dataclass(frozen=True)
class LowerBound:
    """A proved ``lambda_min(H) >= bound`` (bound an exact rational), with its ingredients."""

    bound: Fraction
    shift: Fraction
    residual_fro: Fraction
    radius_term: Fraction


def midpoints_and_radius(H: list[list[arb]], q: int) -> tuple[list[list[int]], Fraction]:
    """(``floor(mid 2^q)``, an upper bound of ``max_ij r_ij + 2^-q``) for the balls H."""
    n = len(H)
    M = [[0] * n for _ in range(n)]
    rmax = Fraction(0)
    for i in range(n):
        for j in range(i, n):
            b = H[i][j]
            M[i][j] = M[j][i] = floor_scaled(b.mid(), q)
            r = dyadic(b.rad())
            if r > rmax:
                rmax = r
    return M, rmax + Fraction(1, 2 ** q)


def _float_matrix(M: list[list[int]], q: int) -> np.ndarray:
    return np.ldexp(np.array([[float(x) for x in row] for row in M]), -q) if M else np.zeros((0, 0))


def _rounded_factor(A: np.ndarray, k: int) -> list[list[int]] | None:
    """``round(L 2^k)`` for numpy's Cholesky factor L of A (None when it fails)."""
    try:
        L = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None
    if not np.isfinite(L).all():
        return None
    Lk = np.rint(np.ldexp(np.tril(L), k))
    if np.abs(Lk).max(initial=0.0) >= 2.0 ** 62:
        return None
    return Lk.astype(np.int64).tolist()


def _isqrt_up(x: int) -> int:
    r = math.isqrt(x)
    return r if r * r == x else r + 1


def lower_bound_at(H: list[list[arb]], s: Fraction, scale: float) -> LowerBound | None:
    """Try to prove ``lambda_min(H) >= s - ||E||_F - ||Delta||_F`` with the shift s (dyadic);
    ``scale`` ~ max |H_ij| sets the grids. None when the float factorization fails."""
    n = len(H)
    k = FACTOR_BITS - max(0, math.ceil(math.log2(max(scale, 1e-300)) / 2) + 1)
    q = 2 * k
    M, rad = midpoints_and_radius(H, q)
    s_int = math.floor(s * 2 ** q)            # the shift actually used: s' <= s on the grid
    A = _float_matrix(M, q) - float(Fraction(s_int, 2 ** q)) * np.eye(n)
    Lk = _rounded_factor(A, k)
    if Lk is None:
        return None
    Lm = fmpz_matrix(Lk)
    Mm = fmpz_matrix(M)
    for i in range(n):
        Mm[i, i] = Mm[i, i] - fmpz(s_int)
    E = entries(Lm * Lm.transpose() - Mm)     # exact, in units of 2^-q
    sq = sum(x * x for row in E for x in row)
    e_fro = Fraction(_isqrt_up(sq), 2 ** q)
    radius_term = n * rad
    shift = Fraction(s_int, 2 ** q)
    return LowerBound(shift - e_fro - radius_term, shift, e_fro, radius_term)


def prove_lower_bound(H: list[list[arb]], claim: Fraction, estimate: float | None = None) -> LowerBound | None:
    """A proof of ``lambda_min(H) >= claim``, or None. Shifts are tried between the claim and
    numpy's estimate of lambda_min (a choice only: the bound is checked exactly)."""
    n = len(H)
    if n == 0:
        return None
    mids = np.array([[float(b.mid()) for b in row] for row in H])
    scale = float(np.abs(mids).max(initial=0.0))
    if estimate is None:
        estimate = float(np.linalg.eigvalsh(mids)[0])
    gap = Fraction(estimate) - claim
    if gap <= 0:
        return None
    for frac in (Fraction(1, 2), Fraction(1, 8), Fraction(7, 8), Fraction(1, 64)):
        res = lower_bound_at(H, claim + frac * gap, scale)
        if res is not None and res.bound >= claim:
            return res
    return None


def rayleigh_upper(H: list[list[arb]], v: np.ndarray | None = None) -> arb:
    """A ball containing ``v^T H v / v^T v`` >= lambda_min(H) (v: numpy's eigenvector estimate by
    default)."""
    n = len(H)
    if v is None:
        mids = np.array([[float(b.mid()) for b in row] for row in H])
        v = np.linalg.eigh(mids)[1][:, 0]
    col = arb_mat(n, 1, [arb(float(x)) for x in v])
    Hm = arb_mat(H)
    num = (col.transpose() * (Hm * col))[0, 0]
    den = (col.transpose() * col)[0, 0]
    return num / den
