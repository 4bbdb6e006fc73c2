"""The activations, their slopes and the network's scalings in Arb ball arithmetic.

The ball counterparts of :mod:`numerics.curvature.activation_derivatives` and of the scalings of
:mod:`numerics.networks.interval_forward`, for :func:`numerics.curvature.loss_gradient.gradient_balls`
(``docs/critical_points_networks.md``, "High-precision gradient"). Every value is an Arb
operation on Arb balls at the caller's precision (rigorous): tanh and its slope ``1 - tanh^2``;
softplus ``log1p(exp(z))`` and its slope ``1 / (1 + exp(-z))`` (Arb's exponent range is
unbounded, so nothing overflows); ReLU only where the ball's sign is proved (else
:class:`~numerics.curvature.activation_derivatives.KinkInside`). The scalings are
``alpha = m^{-1/2}`` (two-layer), ``sqrt(c_sigma / m)`` (deep; ``c_sigma`` enclosed in Arb at the
working precision) and ``beta = c_res / (H sqrt m)``.
"""

from __future__ import annotations

import numpy as np

from numerics.arith.ball_arrays import BallArray
from numerics.curvature.activation_derivatives import KinkInside


def _relu_signs(Z: BallArray) -> np.ndarray:
    b = Z.balls.ravel()
    pos = np.array([v > 0 for v in b], dtype=bool)
    neg = np.array([v < 0 for v in b], dtype=bool)
    unknown = ~(pos | neg)
    if unknown.any():
        raise KinkInside(int(unknown.sum()))
    return pos.reshape(Z.shape)


def ball_activation(name: str, Z: BallArray) -> BallArray:
    """Balls containing ``sigma(z)`` for every z in the balls ``Z``."""
    if name == "tanh":
        return Z.map(lambda v: v.tanh())
    if name == "softplus":
        return Z.map(lambda v: v.exp().log1p())
    if name == "relu":
        return Z * _relu_signs(Z).astype(np.float64)
    raise ValueError(f"activation={name!r}; allowed: relu, tanh, softplus")


def ball_slope(name: str, Z: BallArray) -> BallArray:
    """Balls containing ``sigma'(z)`` for every z in the balls ``Z`` (ReLU: proved signs only)."""
    if name == "tanh":
        return Z.map(lambda v: 1 - v.tanh() ** 2)
    if name == "softplus":
        return Z.map(lambda v: 1 / (1 + (-v).exp()))
    if name == "relu":
        return BallArray.exact(_relu_signs(Z).astype(np.float64))
    raise ValueError(f"activation={name!r}; allowed: relu, tanh, softplus")


def ball_scales(arch) -> tuple:
    """Arb balls ``(alpha, beta)`` (``beta`` None unless resnet)."""
    from flint import arb

    m = arb(arch.width)
    if arch.kind == "two-layer":
        alpha = 1 / m.sqrt()
    else:
        from numerics.kernels.gaussian_expectation import c_sigma_ball

        alpha = (c_sigma_ball(arch.activation) / m).sqrt()
    beta = arb(arch.c_res) / (m.sqrt() * arch.depth) if arch.kind == "resnet" else None
    return alpha, beta


def ball_rows(X: BallArray, normalize: bool) -> BallArray:
    """``X`` itself, or its rows divided by their Euclidean norms (in Arb)."""
    if not normalize:
        return X
    norms = [sum((v * v for v in row), 0 * row[0]).sqrt() for row in X.balls]
    return X * BallArray(np.array([1 / s for s in norms], dtype=object))[:, None]
