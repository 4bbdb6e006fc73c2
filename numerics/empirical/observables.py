"""What the two-layer theorems predict, in the form the trainer measures it (all float, evidence only).

References are to Du, Zhai, Poczos, Singh, arXiv:1810.02054v2 ("DZPS") and Arora, Du, Hu, Li, Wang,
arXiv:1901.08584v2; the constants are derived in docs/dzps_constants.md.

- Loss bound, DZPS Thm 4.1 / Condition 4.1: ``||y - u(k)||^2 <= (1 - eta lambda0 / 2)^k ||y - u(0)||^2``.
- Radius of the proof: DZPS Corollary 4.1 (GD) ``R' = 4 sqrt(n) ||y - u(0)|| / (sqrt(m) lambda0)``; the
  gradient-flow radius of Lemma 3.3 with the factor 2 restored,
  ``R' = 2 sqrt(n) ||y - u(0)|| / (sqrt(m) lambda0)`` (the printed lemma omits the 2).
- Finite-width Gram (DZPS eq. 6): ``H_ij(W) = (x_i . x_j) / m * #{r : w_r . x_i >= 0, w_r . x_j >= 0}``.
- Activation flips: fraction of pairs ``(r, i)`` with ``1{w_r(k) . x_i >= 0} != 1{w_r(0) . x_i >= 0}``.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def log_spaced_schedule(steps: int, points: int = 40) -> list[int]:
    """Steps ``0 = k_0 < k_1 < ... < k_last = steps`` roughly geometric in between (at most ``points + 1``)."""
    if int(steps) < 0:
        raise ValueError(f"steps: got {steps!r}; allowed: an integer >= 0")
    if steps == 0:
        return [0]
    ks = np.unique(np.round(np.geomspace(1, steps, max(int(points), 2))).astype(int))
    return [0] + [int(k) for k in ks]


def dzps_loss_bound(initial_loss, step_size: float, lambda0: float, k):
    """``(1 - eta lambda0 / 2)^k ||y - u(0)||^2`` (DZPS Thm 4.1); ``initial_loss`` is ``||y - u(0)||^2``."""
    q = 1.0 - step_size * lambda0 / 2.0
    return initial_loss * (max(q, 0.0) ** k)


def dzps_radius_gd(initial_residual_norm, n: int, width: int, lambda0: float):
    """``R' = 4 sqrt(n) ||y - u(0)|| / (sqrt(m) lambda0)``: DZPS Corollary 4.1 (eq. 8), GD."""
    return 4.0 * math.sqrt(n) * initial_residual_norm / (math.sqrt(width) * lambda0)


def dzps_radius_flow(initial_residual_norm, n: int, width: int, lambda0: float):
    """``R' = 2 sqrt(n) ||y - u(0)|| / (sqrt(m) lambda0)``: DZPS Lemma 3.3 with the factor 2 corrected."""
    return 2.0 * math.sqrt(n) * initial_residual_norm / (math.sqrt(width) * lambda0)


def finite_width_gram(active: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """``H(W)`` of DZPS eq. 6 for every net, from the pattern ``active = (Z >= 0)`` of shape ``(B, m, n)``."""
    m = active.shape[1]
    P = active.to(torch.float64)
    counts = torch.matmul(P.transpose(1, 2), P)  # (B, n, n): #{r : both active}
    G = X.to(torch.float64) @ X.to(torch.float64).t()
    return counts * (G / m)


def gram_lambda_min(active: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """Float ``lambda_min(H(W))`` per net (``eigvalsh``, not rigorous: labelled float by the caller)."""
    return torch.linalg.eigvalsh(finite_width_gram(active, X))[:, 0]


def gram_distance(active: torch.Tensor, X: torch.Tensor, H_inf: torch.Tensor) -> torch.Tensor:
    """Float ``||H(W) - H_inf||_2`` per net (largest |eigenvalue| of the symmetric difference)."""
    D = finite_width_gram(active, X) - H_inf.to(torch.float64)
    return torch.linalg.eigvalsh(D).abs().amax(dim=1)


def flip_fraction(active: torch.Tensor, active0: torch.Tensor) -> torch.Tensor:
    """Fraction of ``(r, i)`` whose activation differs from the initial pattern, per net."""
    return (active != active0).to(torch.float64).mean(dim=(1, 2))


def neuron_movement(W: torch.Tensor, W0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(max_r, mean_r) ||w_r - w_r(0)||_2`` per net."""
    dist = torch.linalg.vector_norm((W - W0).to(torch.float64), dim=2)
    return dist.amax(dim=1), dist.mean(dim=1)


def h_inf_closed_form_float(X: np.ndarray) -> np.ndarray:
    """Float ``H_inf_ij = x_i.x_j (pi - arccos(x_i.x_j)) / (2 pi)`` for unit rows (1901.08584 eq. 3).

    A float helper for tests and examples only: the rigorous enclosure lives in ``numerics`` proper and
    is what the certify layer passes in.
    """
    G = np.clip(np.asarray(X, dtype=np.float64) @ np.asarray(X, dtype=np.float64).T, -1.0, 1.0)
    return G * (np.pi - np.arccos(G)) / (2.0 * np.pi)
