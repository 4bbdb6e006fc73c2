"""Near-stationarity for nonsmooth functions: the Goldstein epsilon-subdifferential.

``∂_ε f(x) = conv( ∪_{||y - x|| <= ε} ∂_C f(y) )`` (Goldstein 1977; the (δ, ε)-stationarity
of Zhang et al., ICML 2020).  Sampling points ``y_i`` uniformly in the ε-ball (plus ``x``)
and taking gradients there (a locally Lipschitz function is differentiable almost
everywhere, so at the sampled points the gradient is the Clarke subdifferential) gives
elements of ``∂_ε f(x)``; the minimum norm over their convex hull, a small QP on the
simplex, is therefore an *upper estimate* of ``dist(0, ∂_ε f(x))``.  Floating point,
empirical: evidence, not a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

__all__ = ["min_norm_in_hull", "GoldsteinEstimate", "goldstein_min_norm", "uniform_in_ball"]


def min_norm_in_hull(G: np.ndarray, *, iterations: int = 500) -> tuple[float, np.ndarray]:
    """Minimum Euclidean norm over the convex hull of the rows of ``G`` (m x n): returns
    (norm, simplex weights).  SLSQP on the m x m Gram matrix, started from the best of
    the vertices and the barycentre."""
    from scipy.optimize import minimize

    G = np.asarray(G, dtype=np.float64)
    m = G.shape[0]
    if m == 0:
        raise ValueError("G: needs at least one row")
    Q = G @ G.T
    scale = max(float(np.max(np.abs(Q))), 1e-300)
    Qs = Q / scale
    vertex = int(np.argmin(np.diag(Qs)))
    starts = [np.full(m, 1.0 / m), np.eye(m)[vertex]]
    best_w, best_val = None, np.inf
    for w0 in starts:
        res = minimize(lambda w: float(w @ Qs @ w), w0, jac=lambda w: 2 * Qs @ w, method="SLSQP",
                       bounds=[(0.0, 1.0)] * m,
                       constraints=[{"type": "eq", "fun": lambda w: np.sum(w) - 1.0,
                                     "jac": lambda w: np.ones_like(w)}],
                       options={"maxiter": iterations, "ftol": 1e-15})
        w = np.clip(res.x, 0.0, None)
        w = w / w.sum()
        val = float(w @ Qs @ w)
        if val < best_val:
            best_val, best_w = val, w
    return float(np.linalg.norm(best_w @ G)), best_w


def uniform_in_ball(center: torch.Tensor, radius: float, count: int,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """``count`` points uniform in the Euclidean ball (flattened ``center``)."""
    n = center.numel()
    g = torch.randn(count, n, generator=generator, dtype=torch.float64)
    g = g / g.norm(dim=1, keepdim=True)
    r = torch.rand(count, 1, generator=generator, dtype=torch.float64) ** (1.0 / n)
    return center.reshape(1, -1).to(torch.float64) + radius * r * g


@dataclass(frozen=True)
class GoldsteinEstimate:
    """``norm``: min norm over the hull of the sampled gradients (an upper estimate of
    dist(0, ∂_ε f(x))); ``gradient_norm``: the norm of the gradient at x itself."""

    eps: float
    samples: int
    norm: float
    gradient_norm: float


def goldstein_min_norm(grad_fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, eps: float,
                       samples: int = 32, generator: torch.Generator | None = None) -> GoldsteinEstimate:
    """Sampled Goldstein estimate at ``x`` (flat tensor); ``grad_fn`` returns a gradient
    (or a Clarke subgradient) at a point of the same shape."""
    if eps <= 0:
        raise ValueError(f"eps: got {eps}; need eps > 0")
    if samples < 1:
        raise ValueError(f"samples: got {samples}; need at least 1")
    pts = uniform_in_ball(x, eps, samples, generator).to(x.dtype)
    g0 = grad_fn(x).reshape(-1)
    grads = [g0] + [grad_fn(p.reshape(x.shape)).reshape(-1) for p in pts]
    G = torch.stack(grads).to(torch.float64).cpu().numpy()
    norm, _ = min_norm_in_hull(G)
    return GoldsteinEstimate(eps, samples, norm, float(g0.norm()))
