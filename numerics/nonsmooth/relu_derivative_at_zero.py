"""How much does the choice of relu'(0) matter?  (Bertoin, Bolte, Gerchinovitz, Pauwels,
"Numerical influence of ReLU'(0) on backpropagation", NeurIPS 2021, arXiv:2106.12915.)

In exact arithmetic a pre-activation is exactly 0 with probability zero, so relu'(0) in
[0, 1] does not matter; in floating point exact zeros happen (rounding, quantized or sparse
inputs, zero-initialized biases), and the paper reports that at 32 bits backpropagation
outputs differ between relu'(0) = 0 and 1 for a large share of minibatches, while at 64
bits the effect disappears [P, abstract].

:func:`relu_derivative_at_zero_experiment` trains the same two-layer network (same
initialization, same minibatches) with relu'(0) = s for each s and each dtype, and records

* ``tie_fraction``: the fraction of steps where at least one pre-activation of the
  minibatch is exactly 0 (measured on the s = 0 trajectory);
* ``gradient_differs``: the fraction of steps where the minibatch gradients for s = 0 and
  s = 1 differ, at the same parameters;
* ``final_loss[s]``: the full-batch loss at the end of each trajectory.

Empirical evidence only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

__all__ = ["ReluWithDerivativeAtZero", "relu_s", "ReluPrimeResult", "relu_derivative_at_zero_experiment"]


class ReluWithDerivativeAtZero(torch.autograd.Function):
    """relu with a chosen derivative ``s`` at exactly 0."""

    @staticmethod
    def forward(ctx, x, s):
        ctx.save_for_backward(x)
        ctx.s = float(s)
        return torch.relu(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        d = (x > 0).to(grad.dtype) + ctx.s * (x == 0).to(grad.dtype)
        return grad * d, None


def relu_s(x: torch.Tensor, s: float) -> torch.Tensor:
    return ReluWithDerivativeAtZero.apply(x, s)


@dataclass
class ReluPrimeResult:
    dtype: str
    data: str
    steps: int
    tie_fraction: float
    gradient_differs: float
    final_loss: dict = field(default_factory=dict)


def _data(kind: str, n: int, d: int, seed: int, dtype):
    g = torch.Generator().manual_seed(seed)
    if kind == "gaussian":
        X = torch.randn(n, d, generator=g, dtype=torch.float64)
    elif kind == "sparse-binary":  # quantized inputs with many zeros, like thresholded pixels
        X = (torch.rand(n, d, generator=g, dtype=torch.float64) < 0.05).to(torch.float64)
    else:
        raise ValueError(f"data: got {kind!r}; allowed: 'gaussian', 'sparse-binary'")
    y = torch.randint(0, 2, (n,), generator=g).to(torch.float64) * 2 - 1
    return X.to(dtype), y.to(dtype)


def relu_derivative_at_zero_experiment(values=(0.0, 0.5, 1.0), dtypes=(torch.float32, torch.float64), *,
                                       data: str = "sparse-binary", n: int = 256, d: int = 32,
                                       width: int = 64, steps: int = 200, batch_size: int = 16,
                                       lr: float = 0.05, zero_bias: bool = True,
                                       seed: int = 0) -> list[ReluPrimeResult]:
    """One result per dtype (module docstring)."""
    results = []
    for dtype in dtypes:
        X, y = _data(data, n, d, seed, dtype)
        g = torch.Generator().manual_seed(seed + 1)
        W1 = torch.randn(width, d, generator=g, dtype=torch.float64).to(dtype) / d**0.5
        b1 = torch.zeros(width, dtype=dtype) if zero_bias else torch.randn(width, generator=g).to(dtype) * 0.1
        w2 = torch.randn(width, generator=g, dtype=torch.float64).to(dtype) / width**0.5
        order = torch.randint(0, n, (steps, batch_size), generator=torch.Generator().manual_seed(seed + 2))

        def loss_at(params, xb, yb, s):
            W, b, w = params
            return 0.5 * ((relu_s(xb @ W.T + b, s) @ w - yb) ** 2).mean()

        final = {}
        ties = differs = 0
        for s in values:
            params = [t.clone().requires_grad_(True) for t in (W1, b1, w2)]
            for k in range(steps):
                xb, yb = X[order[k]], y[order[k]]
                gs = torch.autograd.grad(loss_at(params, xb, yb, s), params)
                if s == values[0]:
                    with torch.no_grad():
                        pre = xb @ params[0].T + params[1]
                        tie = bool((pre == 0).any())
                    ties += tie
                    if tie:
                        g0 = torch.autograd.grad(loss_at(params, xb, yb, 0.0), params)
                        g1 = torch.autograd.grad(loss_at(params, xb, yb, 1.0), params)
                        differs += any(not torch.equal(a, b) for a, b in zip(g0, g1))
                with torch.no_grad():
                    for p, gp in zip(params, gs):
                        p -= lr * gp
            with torch.no_grad():
                final[s] = float(loss_at(params, X, y, s))
        results.append(ReluPrimeResult(str(dtype).replace("torch.", ""), data, steps, ties / steps,
                                       differs / steps, final))
    return results
