"""The loss trajectory predicted by Arora, Du, Hu, Li, Wang (arXiv:1901.08584v2, Theorem 4.1, eq. 8).

With ``H_inf = sum_i lambda_i v_i v_i^T``, for a wide enough net and small initialisation scale
``kappa``, GD with step ``eta`` satisfies ``||y - u(k)|| = sqrt(sum_i (1 - eta lambda_i)^{2k} (v_i.y)^2) +- eps``.
The main term is ``||y - u~(k)||`` for the linear recursion ``u~(k+1) = u~(k) - eta H_inf (u~(k) - y)``,
``u~(0) = 0``. With ``kappa = 1`` (Du et al.'s initialisation) ``u(0)`` is not small, so we also report
the same recursion started from the observed ``u(0)`` ("linearized" prediction), whose gap is the one
expected to vanish as the width grows at any ``kappa``.

The eigen-decomposition is float (``numpy.linalg.eigh``): the prediction is evidence, not a bound.
"""

from __future__ import annotations

import numpy as np


def predicted_residual_norms(H_inf: np.ndarray, residual0: np.ndarray, step_size: float, schedule) -> np.ndarray:
    """``sqrt(sum_i (1 - eta lambda_i)^{2k} (v_i . r0)^2)`` for each ``k`` in ``schedule``.

    ``residual0 = y`` gives Arora et al.'s eq. 8; ``residual0 = y - u(0)`` the linearized prediction.
    """
    lam, V = np.linalg.eigh(np.asarray(H_inf, dtype=np.float64))
    coeff = V.T @ np.asarray(residual0, dtype=np.float64)
    ks = np.asarray(list(schedule), dtype=np.float64)
    factors = np.abs(1.0 - step_size * lam)[None, :] ** ks[:, None]
    return np.sqrt(((factors * coeff[None, :]) ** 2).sum(axis=1))


def trajectory_gap(observed: np.ndarray, predicted: np.ndarray, scale: float) -> float:
    """``max_k |observed_k - predicted_k| / scale``: the relative gap of one run along the schedule."""
    if scale <= 0:
        raise ValueError(f"scale: got {scale!r}; allowed: a positive number")
    return float(np.max(np.abs(np.asarray(observed) - np.asarray(predicted))) / scale)
