"""Matrix products enclosed for every perturbation of one factor within a Frobenius ball.

If ``||B' - B||_F <= rho`` then every entry of ``A (B' - B)`` satisfies, by Cauchy-Schwarz on
row i of A and column j of ``B' - B``,

    |(A (B' - B))_ij| <= ||A_i||_2 ||(B' - B)_:j||_2 <= rho ||A_i||_2,

and symmetrically ``|((A' - A) B)_ij| <= rho ||B_:j||_2`` when ``||A' - A||_F <= rho``. So the
enclosure of the product at the point (:func:`~numerics.arith.interval.matmul_enclosure`),
widened by ``rho`` times an upper bound of the row (column) norms of the other factor's
magnitude, contains ``A B'`` (``A' B``) for every such perturbation and every A (B) in its
interval. This is the per-layer step of the ball enclosures of
``docs/critical_points_networks.md`` ("Hessian on a ball"): a parameter ball of radius rho
perturbs every layer by at most rho in Frobenius norm, and the bound grows with ``||x||_2``
instead of the ``||x||_1`` of the box ``theta +- rho``.
"""

from __future__ import annotations

import numpy as np

from numerics.arith import upper_bounds as ub
from numerics.arith.interval import Interval, matmul_enclosure


def magnitude(A) -> np.ndarray:
    """``max |a|`` over each entry of A (an Interval or exact floats)."""
    return A.mag() if isinstance(A, Interval) else np.abs(np.asarray(A, dtype=np.float64))


def row_norm_upper(A) -> np.ndarray:
    """Upper bounds of the Euclidean norms of the rows of A (of every matrix in A)."""
    return ub.norm(magnitude(A), axis=-1)


def widen(A: Interval, rad) -> Interval:
    """``[A.lo - rad, A.hi + rad]`` rounded outward (rad >= 0, broadcast to A's shape)."""
    rad = np.broadcast_to(np.asarray(rad, dtype=np.float64), A.shape)
    return A + Interval._raw(-rad, rad.copy())


def times_perturbed(A, B, rho: float) -> Interval:
    """Encloses ``A @ B'`` for every ``||B' - B||_F <= rho`` (A: (k, p) Interval or floats;
    B: exact floats, (p, q) or (p,))."""
    P = matmul_enclosure(A, B)
    if rho == 0:
        return P
    rad = ub.mul(rho, row_norm_upper(A))
    return widen(P, rad[:, None] if P.ndim == 2 else rad)


def perturbed_times(A, B, rho: float) -> Interval:
    """Encloses ``A' @ B`` for every ``||A' - A||_F <= rho`` (A: exact floats (k, p); B: (p, q)
    Interval or floats)."""
    P = matmul_enclosure(A, B)
    if rho == 0:
        return P
    return widen(P, ub.mul(rho, ub.norm(magnitude(B), axis=0))[None, :])
