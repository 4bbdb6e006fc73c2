"""An exact zero of a non-negative loss ``f = (1/2c) ||F(x)||^2`` next to the point found: a
certificate that the point is (within a proved distance of) a global minimizer.

Two routes, tried in this order:

1. **Newton-Kantorovich** (:mod:`numerics.linalg.newton_kantorovich`) when the residual map F
   has at most as many equations as unknowns: a rigorous residual enclosure at the float point,
   a verified lower bound of the smallest singular value of the Jacobian there and a rigorous
   Lipschitz bound of the Jacobian prove a zero of F within the returned radius. This works on
   the user's float data as given.
2. **Planted witness** when the equations outnumber the unknowns (completion, sensing, phase
   retrieval: a perturbation argument cannot prove that an overdetermined system is consistent):
   the instance's ground truth, checked to be an exact zero in integer arithmetic, and a
   rigorous upper bound of the distance from the point to its symmetry orbit
   (:func:`orbit_distance_upper`).

Otherwise the result is ``undecided`` with the reason. A zero of F has ``f = 0 = min f``, so
``value = [0, 0]``. Derivations: docs/landscape_certificates.md.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import Interval, matmul_enclosure
from numerics.arith.verdict import Verdict
from numerics.landscape.families.family import CERTIFIED, NOT_CERTIFIED, UNDECIDED, GlobalOptimality
from numerics.linalg.newton_kantorovich import prove_zero_near, residual_norm_upper

__all__ = ["certify_zero", "frobenius_upper", "orbit_distance_upper"]


def frobenius_upper(X: Interval) -> float:
    """An upper bound of ``||X||_F`` for every matrix in the interval X."""
    return residual_norm_upper(Interval._raw(np.asarray(X.lo).ravel(), np.asarray(X.hi).ravel()))


def orbit_distance_upper(U: np.ndarray, Z: np.ndarray) -> float:
    """An upper bound of ``min_{Q in O(r)} ||U - Z Q||_F`` (U, Z float n x r).

    ``Q~ = P R^T`` from a float SVD of ``Z^T U`` is orthogonal only approximately; its polar
    factor Q is exactly orthogonal and ``||Q~ - Q||_2 <= ||Q~^T Q~ - I||_2 =: e`` (the
    eigenvalues h of ``(Q~^T Q~)^{1/2}`` satisfy ``|h - 1| <= |h^2 - 1|``). Hence
    ``||U - Z Q||_F <= ||U - Z Q~||_F + ||Z||_F e``, every term enclosed. For r = 1, Q = +-1."""
    U = np.asarray(U, dtype=np.float64).reshape(U.shape[0], -1)
    Z = np.asarray(Z, dtype=np.float64).reshape(U.shape[0], -1)
    r = U.shape[1]
    if r == 1:
        s = 1.0 if float(U[:, 0] @ Z[:, 0]) >= 0 else -1.0
        return frobenius_upper(iv.as_interval(U) - iv.as_interval(s * Z))
    P, _, Rt = np.linalg.svd(Z.T @ U)
    Qt = P @ Rt
    E = matmul_enclosure(Qt.T, Qt) - np.eye(r)
    e = frobenius_upper(E)
    if not e < 1:
        return float("inf")
    D = iv.as_interval(U) - matmul_enclosure(Z, Qt)
    zf = frobenius_upper(iv.as_interval(Z))
    total = iv.as_interval(np.array(frobenius_upper(D))) + iv.as_interval(np.array(zf)) * np.array(e)
    return float(total.hi)


def certify_zero(*, residual: Interval, jacobian: Callable[[], Interval] | None,
                 lipschitz: Callable[[float], float] | None, witness: Callable[[], float] | None,
                 witness_note: str, loss_scale: float, unknowns: int, rel_tol: float = 1e-6,
                 scale: float = 1.0) -> GlobalOptimality:
    """Try Newton-Kantorovich (when ``jacobian`` is given and there are at most ``unknowns``
    equations; ``jacobian()`` is only called then), then the planted witness (``witness()``
    returns a distance upper bound, or raises ValueError when the ground truth is not an exact
    zero). ``loss_scale`` c: f = ||F||^2/(2c).

    ``certified`` needs the proved radius to be at most ``rel_tol * max(1, scale)`` (scale: the
    norm of the point): the point is then a global minimizer up to that distance. A larger
    proved radius is reported with status ``not-certified`` (an exact minimizer lies within it,
    but the point itself is not near one)."""
    eps = residual_norm_upper(residual)
    threshold = rel_tol * max(1.0, float(scale))
    details = {"residual_norm": repr(eps), "radius_threshold": repr(threshold),
               "loss_at_point_upper": repr(float(np.nextafter(eps * eps / (2 * loss_scale), np.inf)))}
    reasons = []

    def verdict(radius: float, method: str) -> GlobalOptimality:
        if radius <= threshold:
            return GlobalOptimality(CERTIFIED, (0.0, 0.0), radius, method, details)
        details["reason"] = (f"an exact global minimizer lies within {radius:.3g}, more than rel_tol * max(1, |x|) = "
                             f"{threshold:.3g}: the point is not proved to be (near) a global minimizer")
        return GlobalOptimality(NOT_CERTIFIED, (0.0, 0.0), radius, method, details)

    m, N = int(np.asarray(residual.lo).size), int(unknowns)
    details["equations"], details["unknowns"] = m, N
    if jacobian is not None:
        if m <= N:
            z = prove_zero_near(residual, jacobian(), lipschitz)
            details["newton_kantorovich"] = z.as_dict()
            if z.verdict is Verdict.HOLDS:
                return verdict(z.radius, "Newton-Kantorovich on the least-norm correction: an exact zero of the "
                                         "residuals (loss 0 = global minimum) within the radius")
            reasons.append(f"Newton-Kantorovich: {z.reason}")
        else:
            reasons.append(f"{m} equations > {N} unknowns: Newton-Kantorovich cannot prove that an "
                           "overdetermined system has a zero")
    if witness is not None:
        try:
            dist = witness()
        except ValueError as exc:
            reasons.append(f"planted witness: {exc}")
        else:
            if np.isfinite(dist):
                details["witness"] = witness_note
                return verdict(dist, "planted ground truth, checked to be an exact zero in integer arithmetic; "
                                     "distance to its symmetry orbit enclosed")
            reasons.append("planted witness: the distance bound is not finite")
    else:
        reasons.append("no exactly noiseless ground truth is known for these data")
    details["reason"] = "; ".join(reasons)
    return GlobalOptimality(UNDECIDED, None, None, "no exact zero proved", details)
