"""Rigorous data-dependent quantities that the landscape theorems' conditions mention.

* :func:`rip_lower_bound`: a proved *lower* bound of the restricted isometry constant
  ``delta_s`` of ``X -> (<A_i, X>/sqrt(m))_i`` on rank-<= s symmetric matrices:
  ``delta_s >= | ||A(X)||^2 / ||X||_F^2 - 1 |`` for every tested X (the planted ``Z Z^T`` and
  seeded random rank-s matrices), each ratio enclosed. Computing delta_s itself is intractable;
  the lower bound can refute ``delta_s < 1/5``, never prove it.
* :func:`coherence_and_condition`: the incoherence ``mu = (d/r) max_i ||e_i^T P||^2`` of the
  column space of Z (P its orthogonal projector: ``||e_i^T P||^2 = z_i^T (Z^T Z)^{-1} z_i``,
  enclosed with a verified solve) and the condition number ``kappa = lambda_1/lambda_r`` of
  ``Z Z^T`` (the extreme eigenvalues of ``Z^T Z``, :mod:`numerics.linalg.spectral`).
* :func:`is_exactly_orthogonal`: ``A A^T = I`` in integer arithmetic (dyadic A, orthonormal rows).
* :func:`spectrum_bounds`: enclosures of ``lambda_min(M)`` and of the gap ``lambda_k - lambda_{k+1}``.
"""

from __future__ import annotations

import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import Interval, matmul_enclosure

__all__ = ["coherence_and_condition", "is_exactly_orthogonal", "rip_lower_bound", "spectrum_bounds"]


def rip_lower_bound(A: np.ndarray, rank: int, Z: np.ndarray | None = None, tests: int = 8, seed: int = 0) -> float:
    """A rigorous lower bound (>= 0) of delta_rank (see the module docstring)."""
    m, n, _ = A.shape
    rng = np.random.default_rng(seed)
    Xs = [Z @ Z.T] if Z is not None and Z.shape[1] <= rank else []
    for _ in range(tests):
        V = rng.standard_normal((n, rank))
        Xs.append(V @ V.T if rng.random() < 0.5 else V @ np.diag(rng.choice([-1.0, 1.0], rank)) @ V.T)
    best = 0.0
    Af = A.reshape(m, -1)
    for X in Xs:
        X = 0.5 * (X + X.T)
        Xi = iv.as_interval(X)
        AX = matmul_enclosure(Af, X.reshape(-1))
        ratio = (AX ** 2).sum() / ((Xi ** 2).sum() * float(m))
        dev = iv.abs(ratio - 1.0)
        best = max(best, float(dev.lo))
    return best


def coherence_and_condition(Z: np.ndarray) -> tuple[Interval, Interval]:
    """Enclosures of (mu, kappa) of ``M = Z Z^T`` (Z of full column rank; ValueError otherwise)."""
    from numerics.linalg.solve import verified_solve

    d, r = Z.shape
    G = matmul_enclosure(Z.T, Z)
    G = Interval._raw(np.minimum(G.lo, G.lo.T), np.maximum(G.hi, G.hi.T))
    W = verified_solve(G, iv.as_interval(Z.T))                      # (Z^T Z)^{-1} Z^T
    lev = (iv.as_interval(Z.T) * W).sum(axis=0)                     # z_i^T (Z^T Z)^{-1} z_i
    mu = Interval._raw(np.asarray(float(lev.lo.max())), np.asarray(float(lev.hi.max()))) * (d / r)
    # the non-zero eigenvalues of Z Z^T are those of the r x r matrix Z^T Z
    from numerics.linalg.spectral import lambda_max_enclosure, lambda_min_enclosure
    e1, er = lambda_max_enclosure(G), lambda_min_enclosure(G)
    lam1, lamr = Interval(e1.lo, e1.hi), Interval(er.lo, er.hi)
    if not float(lamr.lo) > 0:
        raise ValueError("Z is not proved to have full column rank")
    return mu, lam1 / lamr


def is_exactly_orthogonal(A: np.ndarray) -> bool:
    """The rows of A are exactly orthonormal, ``A A^T = I`` (A a dyadic float matrix with at most
    as many rows as columns; False when not dyadic or not orthonormal)."""
    from numerics.landscape.families.dyadic import grid_bits, to_int

    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] > A.shape[1]:
        return False
    try:
        b = grid_bits(A)
        N = to_int(A, b).astype(object)
    except ValueError:
        return False
    return bool((N.dot(N.T) == np.eye(A.shape[0], dtype=object) * (2 ** (2 * b))).all())


def spectrum_bounds(M: np.ndarray, k: int) -> dict:
    """Enclosures of lambda_min(M) and of lambda_k - lambda_{k+1} (None when k = d)."""
    from numerics.linalg.eigenvalue_inclusion import symmetric_eigenvalues_enclosure

    lam = symmetric_eigenvalues_enclosure(M)
    out = {"lambda_min": lam[-1]}
    out["gap"] = lam[k - 1] - lam[k] if k < M.shape[0] else None
    return out
