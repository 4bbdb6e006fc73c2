"""Independent oracles for the soundness tests of numerics/: exact rationals (python-flint
fmpq) and Arb balls at 200 bits. Nothing here calls the code under test."""

from __future__ import annotations

import numpy as np
from flint import arb, arb_mat, ctx, fmpq, fmpq_mat

ORACLE_BITS = 200


def q(x: float) -> fmpq:
    """The exact rational value of a float."""
    n, d = float(x).as_integer_ratio()
    return fmpq(n, d)


def qmat(A: np.ndarray) -> fmpq_mat:
    A = np.atleast_2d(A)
    return fmpq_mat([[q(x) for x in row] for row in A.tolist()])


def contains_rational(lo: float, hi: float, value: fmpq) -> bool:
    return q(lo) <= value <= q(hi)


def contains_ball(lo: float, hi: float, ball: arb, known_range=None) -> bool:
    """True when the part of the ball inside ``known_range`` (where the truth is known to
    lie) is contained in [lo, hi] (checked exactly)."""
    if not ball.is_finite():
        return lo == -np.inf and hi == np.inf
    rlo, rhi = known_range if known_range is not None else (-np.inf, np.inf)
    # both comparisons are 'certainly' in Arb; lo/hi are exact floats
    ok_lo = lo <= rlo or bool(arb(float(lo)) <= ball)
    ok_hi = hi >= rhi or bool(ball <= arb(float(hi)))
    return ok_lo and ok_hi


def is_positive_definite_exact(X: fmpq_mat) -> bool:
    """Exact test by symmetric Gaussian elimination in rationals (all pivots > 0)."""
    n = X.nrows()
    a = [[X[i, j] for j in range(n)] for i in range(n)]
    for k in range(n):
        piv = a[k][k]
        if piv <= 0:
            return False
        for i in range(k + 1, n):
            f = a[i][k] / piv
            if f == 0:
                continue
            row_i, row_k = a[i], a[k]
            for j in range(k + 1, n):
                row_i[j] -= f * row_k[j]
    return True


def shifted(X: fmpq_mat, s: float) -> fmpq_mat:
    n = X.nrows()
    Y = fmpq_mat(X)
    sq = q(s)
    for i in range(n):
        Y[i, i] = Y[i, i] - sq
    return Y


def lambda_min_is_above(X: fmpq_mat, s: float) -> bool:
    """Exact: lambda_min(X) > s."""
    return is_positive_definite_exact(shifted(X, s))


def random_symmetric_member(lo: np.ndarray, hi: np.ndarray, rng) -> np.ndarray:
    """A random symmetric float matrix with lo <= X <= hi (corners and interior points)."""
    t = rng.integers(0, 3, size=lo.shape)
    X = np.where(t == 0, lo, np.where(t == 1, hi, lo + (hi - lo) * rng.random(lo.shape)))
    X = np.clip(X, lo, hi)
    U = np.triu(X)
    return U + np.triu(U, 1).T


def arb_unit_rows(V: np.ndarray):
    """Rows of V normalized in Arb at ORACLE_BITS (list of lists of balls)."""
    out = []
    with ctx.workprec(ORACLE_BITS):
        for row in V.tolist():
            r = [arb(x) for x in row]
            nrm = sum((x * x for x in r), arb(0)).sqrt()
            out.append([x / nrm for x in r])
    return out


def _sqrt_nonneg(s: arb) -> arb:
    """sqrt of a ball known to enclose a non-negative number (also when it straddles 0)."""
    if s > 0:
        return s.sqrt()
    half = s.abs_upper().sqrt() / 2
    return half + arb(0, 1) * half


def arb_relu_kernel_entry(xi, xj) -> arb:
    """H_inf entry t (pi - theta)/(2 pi) with theta = 2 atan2(|xi - xj|, |xi + xj|) (an
    arccos-free formula, robust at t = +-1)."""
    with ctx.workprec(ORACLE_BITS):
        t = sum((a * b for a, b in zip(xi, xj)), arb(0))
        dm = _sqrt_nonneg(sum(((a - b) * (a - b) for a, b in zip(xi, xj)), arb(0)))
        dp = _sqrt_nonneg(sum(((a + b) * (a + b) for a, b in zip(xi, xj)), arb(0)))
        theta = 2 * arb.atan2(dm, dp)
        return t * (arb.pi() - theta) / (2 * arb.pi())


def relu_kernel_known_range(xi, xj) -> tuple[float, float]:
    """Where the exact entry must lie: sign(t) * [0, 1/2] (the factor (pi - theta)/(2 pi) is
    in [0, 1/2]); used where a 200-bit ball cannot resolve an entry next to 0."""
    with ctx.workprec(ORACLE_BITS):
        t = sum((a * b for a, b in zip(xi, xj)), arb(0))
    if t < 0:
        return (-1.0, 0.0)
    if t > 0:
        return (0.0, 0.5)
    return (-1.0, 0.5)


def arb_eigenvalues_exact_matrix(X: np.ndarray) -> list:
    """Rigorous eigenvalue balls of a small symmetric float matrix (arb_mat.eig)."""
    with ctx.workprec(ORACLE_BITS):
        A = arb_mat(X.tolist())
        ev = A.eig(multiple=True)
        return sorted((e.real for e in ev), key=lambda b: float(b.mid()))
