"""Float search for the extreme curvature of the loss: Lanczos on Hessian-vector products.

FLOAT: nothing here is a bound. ``hess L(theta) v`` is one forward-over-reverse pass in torch
(float64, ``torch.func.jvp`` of ``torch.func.grad``), the way PyHessian-style tools estimate a
network's spectrum; the Lanczos recursion with full reorthogonalization then gives Ritz values
(estimates of the extreme eigenvalues) and Ritz vectors. The smallest Ritz vector is the
candidate escape direction that :mod:`numerics.curvature.taylor_jets` then evaluates
rigorously (``docs/critical_points_networks.md``, "Float search, then proof").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.networks.parameters import Parameters


@dataclass(frozen=True, eq=False)
class RitzSpectrum:
    """FLOAT. ``values`` (ascending Ritz values of the Lanczos tridiagonal), ``smallest_vector``
    / ``largest_vector`` (unit Ritz vectors in theta order), ``residuals`` (float
    ``||H q - theta q||`` of the two extreme pairs), ``steps`` Lanczos steps, ``gradient_norm``
    and ``loss`` (float, at theta)."""

    values: np.ndarray
    smallest_vector: np.ndarray
    largest_vector: np.ndarray
    residuals: tuple[float, float]
    steps: int
    gradient_norm: float
    loss: float


def hessian_operator(params: Parameters, X, y, device="cpu"):
    """``(theta0, hvp, grad, loss)`` closures on torch float64 tensors (FLOAT)."""
    import torch

    from numerics.networks.torch_network import torch_network

    net = torch_network(params, np.asarray(X, dtype=np.float64), device=device)
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64), device=net.device)

    def loss(theta):
        return 0.5 * ((net.outputs(theta) - yt) ** 2).sum()

    grad_fn = torch.func.grad(loss)

    def hvp(v):
        return torch.func.jvp(grad_fn, (net.theta,), (v,))[1]

    return net.theta, hvp, grad_fn, loss


def lanczos_spectrum(params: Parameters, X, y, steps: int = 40, seed: int = 0, device="cpu") -> RitzSpectrum:
    """Ritz values and extreme Ritz vectors of ``hess L(theta)`` after ``steps`` Lanczos steps
    (``steps`` is capped at P; full reorthogonalization). FLOAT."""
    import torch

    theta, hvp, grad_fn, loss = hessian_operator(params, X, y, device)
    P = theta.numel()
    k = int(min(max(steps, 1), P))
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    q = torch.randn(P, generator=gen, dtype=torch.float64).to(theta.device)
    q /= torch.linalg.norm(q)
    Q = torch.zeros((k, P), dtype=torch.float64, device=theta.device)
    alphas, betas = [], []
    for j in range(k):
        Q[j] = q
        w = hvp(q)
        a = float(w @ q)
        alphas.append(a)
        w = w - Q[:j + 1].T @ (Q[:j + 1] @ w)       # full reorthogonalization (twice)
        w = w - Q[:j + 1].T @ (Q[:j + 1] @ w)
        b = float(torch.linalg.norm(w))
        if j == k - 1 or b <= 1e-12 * max(1.0, max(abs(x) for x in alphas)):
            k = j + 1
            break
        betas.append(b)
        q = w / b
    T = np.diag(alphas) + np.diag(betas[:k - 1], 1) + np.diag(betas[:k - 1], -1)
    vals, vecs = np.linalg.eigh(T)
    basis = Q[:k]
    lo = basis.T @ torch.as_tensor(vecs[:, 0], device=theta.device)
    hi = basis.T @ torch.as_tensor(vecs[:, -1], device=theta.device)
    lo, hi = lo / torch.linalg.norm(lo), hi / torch.linalg.norm(hi)
    res = (float(torch.linalg.norm(hvp(lo) - vals[0] * lo)), float(torch.linalg.norm(hvp(hi) - vals[-1] * hi)))
    g = grad_fn(theta)
    return RitzSpectrum(vals, lo.cpu().numpy(), hi.cpu().numpy(), res, k, float(torch.linalg.norm(g)),
                        float(loss(theta)))
