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
"""

from __future__ import annotations

import numpy as np

from numerics.arith import upper_bounds as ub
from numerics.arith.interval import Interval, matmul_enclosure
from numerics.curvature.activation_derivatives import activation_derivatives
from numerics.networks.interval_forward import (enclose_forward, hidden_scale_enclosure,
                                                residual_scale_enclosure)
from numerics.networks.parameters import Parameters


def gradient_enclosure(params: Parameters, X, y) -> Interval:
    """Interval vector (length P, theta order) containing ``grad L(theta)`` (module docstring)."""
    arch = params.architecture
    fwd = enclose_forward(params, X)
    r = fwd.outputs - np.asarray(y, dtype=np.float64)
    alpha = hidden_scale_enclosure(arch)
    beta = residual_scale_enclosure(arch) if arch.kind == "resnet" else None
    inputs = [X] + list(fwd.features[:-1])
    grads = {}
    if arch.train_output:
        grads["a"] = matmul_enclosure(fwd.features[-1].T, r)
    dx = Interval._raw(r.lo[:, None], r.hi[:, None]) * params["a"][None, :]
    for h in range(arch.depth, 0, -1):
        name = arch.hidden_names[h - 1]
        d1 = activation_derivatives(arch.activation, fwd.preactivations[h - 1], order=1)[1]
        skip = arch.is_residual(h)
        dz = dx * ((beta if skip else alpha) * d1)
        grads[name] = matmul_enclosure(dz.T, inputs[h - 1])
        if h > 1:
            back = matmul_enclosure(dz, params[name])
            dx = back + dx if skip else back
    parts = [grads[n].reshape(-1) for n in arch.trained_names]
    return Interval._raw(np.concatenate([p.lo for p in parts]), np.concatenate([p.hi for p in parts]))


def norm_upper(g: Interval) -> float:
    """An upper bound of ``||g||_2`` for every vector in the interval vector ``g``."""
    return float(ub.norm(g.mag()))
