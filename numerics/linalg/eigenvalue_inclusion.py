"""Verified enclosures of every eigenvalue of a real symmetric float matrix, in order.

Method (no separation of the eigenvalues needed). From a float eigendecomposition
``M ~ V diag(w) V^T``:

1. ``B = V^T M V`` and ``G = V^T V`` are enclosed (:func:`numerics.arith.interval.matmul_enclosure`).
2. **Ostrowski** (Horn & Johnson, Matrix Analysis, Thm 4.5.9): for nonsingular S,
   ``lambda_i(S^T M S) = theta_i lambda_i(M)`` with ``theta_i`` in ``[lambda_min(S^T S),
   lambda_max(S^T S)]``, eigenvalues in the same (descending) order. With ``S = V`` and
   ``e >= ||G - I||_2`` (a row-sum bound), ``theta_i`` lies in ``[1 - e, 1 + e]``; ``e < 1`` also
   proves V nonsingular.
3. **Weyl**: ``B = D + O`` (D its diagonal) with ``||O||_2 <= r`` (largest row sum of the
   off-diagonal magnitudes) gives ``|lambda_i(B) - lambda_i(D)| <= r``; the i-th largest diagonal
   entry of any B in the enclosure lies between the i-th largest lower and upper endpoints.

So ``lambda_i(M)`` lies in ``[b_i^- - r, b_i^+ + r] / [1 - e, 1 + e]`` (interval division),
rounded outward. Cost: one float ``eigh`` and two enclosed n x n products. See
docs/landscape_certificates.md (rank-k).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from numerics.arith.interval import Interval, matmul_enclosure
from numerics.arith.rounding import down, gamma_const, round_up_fraction, up

__all__ = ["symmetric_eigenvalues_enclosure"]


def _offdiag_rowsum_upper(mag: np.ndarray) -> float:
    n = mag.shape[0]
    m = mag.copy()
    np.fill_diagonal(m, 0.0)
    g = Fraction(gamma_const(max(n - 1, 1)))
    return float(up(float(m.sum(axis=1).max()) * round_up_fraction(1 / (1 - g)))) if n > 1 else 0.0


def symmetric_eigenvalues_enclosure(M: np.ndarray) -> Interval:
    """Enclosures of ``lambda_1(M) >= ... >= lambda_n(M)`` (descending) of the exact symmetric
    float matrix M. ValueError when M is not square, finite and exactly symmetric, or when the
    float eigenvectors are too far from orthonormal (``||V^T V - I|| >= 1/2``)."""
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] == 0:
        raise ValueError(f"M: got shape {M.shape}; allowed: a non-empty square matrix")
    if not np.isfinite(M).all() or not np.array_equal(M, M.T):
        raise ValueError("M: allowed: a finite, exactly symmetric matrix")
    n = M.shape[0]
    w, V = np.linalg.eigh(M)
    V = V[:, ::-1].copy()
    B = matmul_enclosure(V.T, matmul_enclosure(M, V))
    G = matmul_enclosure(V.T, V) - np.eye(n)
    e = _offdiag_rowsum_upper(G.mag()) + float(np.max(np.diagonal(G.mag())))
    e = float(up(e))
    if not e < 0.5:
        raise ValueError(f"the float eigenvectors are not close to orthonormal (||V^T V - I|| <= {e:.3g})")
    r = _offdiag_rowsum_upper(B.mag())
    dlo = np.sort(np.diagonal(B.lo))[::-1]
    dhi = np.sort(np.diagonal(B.hi))[::-1]
    b = Interval._raw(down(dlo - r), up(dhi + r))
    theta = Interval._raw(np.full(n, float(down(1.0 - e))), np.full(n, float(up(1.0 + e))))
    return b / theta
