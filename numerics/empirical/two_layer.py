"""Batched ensembles of two-layer ReLU networks in the parametrization of Du, Zhai, Poczos and Singh.

Model (arXiv:1810.02054v2, eq. 1): ``f(W, a, x) = m^{-1/2} sum_r a_r relu(w_r . x)`` with
``w_r(0) ~ N(0, kappa^2 I)`` (``kappa = 1`` in Du et al.; Arora et al. 1901.08584 Sec. 3 use a general
``kappa``), ``a_r`` uniform on ``{-1, +1}`` and **fixed**; only ``W`` is trained. Loss (eq. 2):
``L(W) = 1/2 sum_i (u_i - y_i)^2`` (a sum, no 1/n), ``u_i = f(W, a, x_i)``.

Gradient (eq. 4), with the paper's convention ``relu'(0) = 1``:
``dL/dw_r = m^{-1/2} a_r sum_i (u_i - y_i) 1{w_r . x_i >= 0} x_i``.
(Autograd's ``relu'(0) = 0`` differs only on ties ``w_r . x_i = 0``, which have probability zero under
the Gaussian initialisation but can matter for crafted inputs; we follow the paper.)

An ensemble holds ``B`` independent networks of one width ``m`` as tensors ``W (B, m, d)`` and
``a (B, m)``: one step for all of them is three batched matrix products and two elementwise passes.
Each network is initialised from its own ``torch.Generator``, seeded from ``(seed, width)`` only, so a
run's numbers do not depend on which other runs share its batch (this is what makes resumed sweeps
consistent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch


def generator_seed(seed: int, width: int) -> int:
    """The torch seed of run ``(seed, width)``: a SeedSequence hash, so widths draw independent weights."""
    words = np.random.SeedSequence([int(seed), int(width)]).generate_state(2, dtype=np.uint32)
    return (int(words[0]) << 31) ^ int(words[1])


def init_two_layer(seed: int, width: int, d: int, init_scale: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Initial ``(W0 (m, d), a (m,))`` of run ``(seed, width)`` in float64 on the CPU.

    ``W0`` has i.i.d. ``N(0, init_scale^2)`` entries and ``a`` i.i.d. uniform signs (1810.02054 Sec. 1).
    Drawn on the CPU in float64 whatever the training device, so every device starts from the same net.
    """
    if int(width) < 1:
        raise ValueError(f"width: got {width!r}; allowed: a positive integer")
    g = torch.Generator().manual_seed(generator_seed(seed, width))
    W0 = torch.randn(int(width), int(d), generator=g, dtype=torch.float64) * float(init_scale)
    a = torch.randint(0, 2, (int(width),), generator=g).to(torch.float64) * 2.0 - 1.0
    return W0, a


@dataclass
class TwoLayerEnsemble:
    """``B`` independent two-layer ReLU nets of one width: trained ``W``, fixed signs ``a``, start ``W0``."""

    W: torch.Tensor  # (B, m, d), trained
    a: torch.Tensor  # (B, m), fixed +-1
    W0: torch.Tensor  # (B, m, d), the initialisation
    seeds: tuple[int, ...]
    width: int

    @classmethod
    def initialise(cls, seeds, width: int, d: int, *, init_scale: float = 1.0,
                   device: torch.device | str = "cpu", dtype: torch.dtype = torch.float64) -> "TwoLayerEnsemble":
        pairs = [init_two_layer(s, width, d, init_scale) for s in seeds]
        W0 = torch.stack([p[0] for p in pairs]).to(device=device, dtype=dtype)
        a = torch.stack([p[1] for p in pairs]).to(device=device, dtype=dtype)
        return cls(W=W0.clone(), a=a, W0=W0, seeds=tuple(int(s) for s in seeds), width=int(width))


def preactivations(W: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """``Z[b, r, i] = w_r . x_i`` for every net ``b``: shape ``(B, m, n)``."""
    return torch.matmul(W, X.t())


def predictions_from_preactivations(Z: torch.Tensor, a: torch.Tensor, active: torch.Tensor) -> torch.Tensor:
    """``u[b, i] = m^{-1/2} sum_r a_r relu(Z[b, r, i])`` with ``active = Z >= 0``: shape ``(B, n)``."""
    m = Z.shape[1]
    relu = torch.where(active, Z, Z.new_zeros(()))
    return torch.bmm(a.unsqueeze(1), relu).squeeze(1) / math.sqrt(m)


def predictions(W: torch.Tensor, a: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """Network outputs ``u (B, n)`` of every net of the ensemble on the inputs ``X (n, d)``."""
    Z = preactivations(W, X)
    return predictions_from_preactivations(Z, a, Z >= 0)


def gradient_from_residual(active: torch.Tensor, a: torch.Tensor, X: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
    """``dL/dw_r = m^{-1/2} a_r sum_i residual_i 1{w_r . x_i >= 0} x_i`` (1810.02054 eq. 4): ``(B, m, d)``.

    ``residual = u - y`` (full batch) or a masked, rescaled residual (minibatch SGD).
    ``active`` is the boolean pattern ``Z >= 0``, which encodes ``relu'(0) = 1``.
    """
    m = active.shape[1]
    weighted = torch.where(active, residual.unsqueeze(1), residual.new_zeros(()))
    return torch.matmul(weighted, X) * (a.unsqueeze(2) / math.sqrt(m))


def loss_gradient(W: torch.Tensor, a: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(u, dL/dW)`` for the loss ``1/2 ||u - y||^2`` of every net; shapes ``(B, n)`` and ``(B, m, d)``."""
    Z = preactivations(W, X)
    active = Z >= 0
    u = predictions_from_preactivations(Z, a, active)
    return u, gradient_from_residual(active, a, X, u - y)
