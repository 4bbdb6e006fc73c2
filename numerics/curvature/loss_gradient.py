"""Rigorous gradient of the squared loss by a reverse pass in interval arithmetic.

``L(theta) = 1/2 sum_i (u_i - y_i)^2``; with ``r = u - y`` the chain rule through the
recursion of ``docs/networks.md`` reads (batch-first, ``Z^(h) = x^(h-1) W^(h)T``):

* ``dL/da = x^(H)T r`` and ``dL/dx^(H) = r a^T``;
* ``dL/dZ^(h) = dL/dx^(h) * c_h sigma'(Z^(h))`` with ``c_h = alpha`` (or ``beta`` on a skip
  layer), ``dL/dW^(h) = (dL/dZ^(h))^T x^(h-1)``;
* ``dL/dx^(h-1) = dL/dZ^(h) W^(h)`` (plus ``dL/dx^(h)`` on a skip layer).

Every product is a :func:`~numerics.arith.interval.matmul_enclosure` and every elementwise
operation is outward rounded, starting from the rigorous forward enclosure
(:func:`numerics.networks.interval_forward.enclose_forward`) and the enclosures of ``sigma'``
(:mod:`numerics.curvature.activation_derivatives`); so the returned interval vector contains
the exact gradient (for ReLU: the gradient exists and is enclosed only when every pre-activation
is proved nonzero, else :class:`~numerics.curvature.activation_derivatives.KinkInside`). The
cost is that of about six float forward passes: no coordinate-by-coordinate pass over P.

:func:`gradient_balls` runs the same reverse pass in Arb ball arithmetic
(:mod:`numerics.arith.ball_arrays`) at a chosen precision, from the exact float inputs (or their
exactly normalized rows, computed in Arb). Near a critical point the gradient is far smaller than
the rounding errors of a float64 pass (the residual ``r = u - y`` cancels, and ``J^T r`` sums
``n`` terms), so a strict-local-minimum certificate needs it
(``docs/critical_points_networks.md``, "High-precision gradient").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from numerics.arith import upper_bounds as ub
from numerics.arith.interval import Interval, matmul_enclosure
from numerics.curvature.activation_derivatives import activation_derivatives
from numerics.networks.interval_forward import (enclose_forward, hidden_scale_enclosure,
                                                residual_scale_enclosure)
from numerics.networks.parameters import Parameters


@dataclass(frozen=True)
class _Pass:
    """One arithmetic for the reverse pass: the forward values and the two operations it needs."""

    inputs: object                      # X, as the arithmetic's array
    preactivations: tuple
    features: tuple
    outputs: object
    alpha: object
    beta: object
    matmul: Callable
    slope: Callable                     # Z -> sigma'(Z), enclosed


def _reverse(arch, weights, fp: _Pass, y) -> list:
    """The chain rule of the module docstring, in ``fp``'s arithmetic; ``weights[name]`` the
    layers (float arrays, or balls); the gradient's layers in theta order."""
    r = fp.outputs - np.asarray(y, dtype=np.float64)
    inputs = [fp.inputs] + list(fp.features[:-1])
    grads = {}
    if arch.train_output:
        grads["a"] = fp.matmul(fp.features[-1].T, r)
    dx = r[:, None] * weights["a"][None, :]
    for h in range(arch.depth, 0, -1):
        name = arch.hidden_names[h - 1]
        skip = arch.is_residual(h)
        dz = dx * (fp.slope(fp.preactivations[h - 1]) * (fp.beta if skip else fp.alpha))
        grads[name] = fp.matmul(dz.T, inputs[h - 1])
        if h > 1:
            back = fp.matmul(dz, weights[name])
            dx = back + dx if skip else back
    return [grads[n].reshape(-1) for n in arch.trained_names]


def gradient_enclosure(params: Parameters, X, y) -> Interval:
    """Interval vector (length P, theta order) containing ``grad L(theta)`` (module docstring)."""
    arch = params.architecture
    fwd = enclose_forward(params, X)
    beta = residual_scale_enclosure(arch) if arch.kind == "resnet" else None
    fp = _Pass(X, fwd.preactivations, fwd.features, fwd.outputs, hidden_scale_enclosure(arch), beta,
               matmul_enclosure, lambda Z: activation_derivatives(arch.activation, Z, order=1)[1])
    parts = _reverse(arch, params.layers, fp, y)
    return Interval._raw(np.concatenate([p.lo for p in parts]), np.concatenate([p.hi for p in parts]))


@dataclass(frozen=True, eq=False)
class LossGradientEnclosure:
    """``loss`` (0-d interval) contains ``L(theta)``; ``gradient`` (length P, theta order) contains
    ``grad L(theta)``."""

    loss: Interval
    gradient: Interval


def gradient_balls(params: Parameters, X, y, *, correction: np.ndarray | None = None, bits: int = 160,
                   normalize: bool = False) -> LossGradientEnclosure:
    """The loss and its gradient at ``theta + correction`` (the exact real sum of two float
    vectors: a point between the float64 numbers), computed in Arb at ``bits`` bits.

    ``X`` (n, d) exact floats; with ``normalize`` the loss is the one on the exact rows
    ``x_i / ||x_i||`` (enclosed in Arb, not in float64). The results are rounded outward to
    float64 endpoints (:meth:`BallArray.interval`)."""
    from numerics.arith.ball_arrays import BallArray, matmul
    from numerics.arith.context import arb_precision
    from numerics.curvature.ball_activations import ball_activation, ball_rows, ball_scales, ball_slope

    arch = params.architecture
    with arb_precision(bits):
        weights = _ball_weights(params, correction)
        x = inputs = ball_rows(BallArray.exact(X), normalize)
        alpha, beta = ball_scales(arch)
        zs, xs = [], []
        for h, name in enumerate(arch.hidden_names, start=1):
            z = matmul(x, weights[name].T)
            s = ball_activation(arch.activation, z)
            x = x + s * beta if arch.is_residual(h) else s * alpha
            zs.append(z)
            xs.append(x)
        fp = _Pass(inputs, tuple(zs), tuple(xs), matmul(x, weights["a"]), alpha, beta, matmul,
                   lambda Z: ball_slope(arch.activation, Z))
        parts = [p.interval() for p in _reverse(arch, weights, fp, y)]
        r = fp.outputs - np.asarray(y, dtype=np.float64)
        loss = BallArray(np.array([(r * r).sum() / 2], dtype=object)).interval()[0]
    grad = Interval._raw(np.concatenate([p.lo for p in parts]), np.concatenate([p.hi for p in parts]))
    return LossGradientEnclosure(loss, grad)


def _ball_weights(params: Parameters, correction) -> dict:
    """The layers of ``theta + correction`` (exact sums, as balls); ``params.layers`` without one."""
    if correction is None:
        return params.layers
    from numerics.arith.ball_arrays import BallArray
    from numerics.networks.parameters import split_theta

    extra = split_theta(params.architecture, np.asarray(correction, dtype=np.float64))
    return {name: BallArray.exact(w) + extra[name] if name in extra else w for name, w in params.layers.items()}


def norm_upper(g: Interval) -> float:
    """An upper bound of ``||g||_2`` for every vector in the interval vector ``g``."""
    return float(ub.norm(g.mag()))
