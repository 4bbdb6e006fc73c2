"""Second-order Taylor arithmetic through a network: the loss along a line, rigorously.

For parameters ``theta``, a direction ``v`` (both float vectors, exact) and the line
``theta(t) = theta + t v``, the loss ``L(t) = 1/2 sum_i (u_i(theta(t)) - y_i)^2`` is enclosed
together with ``L'(0) = grad L . v`` and ``L''(0) = v^T (hess L) v``. Every quantity is carried
as a jet ``(f, f', f'')`` of interval arrays: the value and the first two derivatives in t at
t = 0 (``docs/critical_points_networks.md``, "Taylor arithmetic"). The rules are the exact
ones of calculus:

* linear layer ``z = x W(t)^T`` with ``W(t) = W + t V`` (``W'' = 0``):
  ``z = x W^T``, ``z' = x V^T + x' W^T``, ``z'' = 2 x' V^T + x'' W^T``;
* activation: ``s = sigma(z)``, ``s' = sigma'(z) z'``, ``s'' = sigma''(z) z'^2 + sigma'(z) z''``;
* scalings ``x = alpha s`` / ``x = x_prev + beta s`` act on every component;
* output ``u = x a(t)``: ``u' = x' a + x v_a``, ``u'' = x'' a + 2 x' v_a``;
* loss: ``L' = sum r_i u_i'``, ``L'' = sum (u_i'^2 + r_i u_i'')`` with ``r = u - y``.

Every product is :func:`~numerics.arith.interval.matmul_enclosure` (a-priori error bounds) or
an outward-rounded interval operation, and ``sigma, sigma', sigma''`` are enclosed by
:mod:`numerics.curvature.activation_derivatives`, so each returned interval contains the exact
real value. For ReLU nets the derivatives exist only when no pre-activation at ``theta`` is 0;
the enclosures then prove it (every pre-activation interval excludes 0) or
:class:`~numerics.curvature.activation_derivatives.KinkInside` is raised: the loss is then a
polynomial near theta and the jets are its exact derivatives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.arith.interval import Interval, as_interval, matmul_enclosure, square
from numerics.curvature.activation_derivatives import activation_derivatives
from numerics.networks.interval_forward import hidden_scale_enclosure, residual_scale_enclosure
from numerics.networks.parameters import Parameters, split_theta


@dataclass(frozen=True, eq=False)
class Jet:
    """``(value, first, second)``: a quantity and its first two derivatives in t at t = 0.
    ``None`` for a derivative means exactly zero."""

    value: Interval
    first: Interval | None
    second: Interval | None


@dataclass(frozen=True, eq=False)
class LineDerivatives:
    """Enclosures of ``L(theta)``, ``grad L . v``, ``v^T hess L v``, ``||v||^2`` and of the
    curvature quotient ``v^T hess L v / ||v||^2``; ``outputs`` encloses ``u(theta)``."""

    loss: Interval
    slope: Interval
    curvature: Interval
    norm_squared: Interval
    quotient: Interval
    outputs: Interval


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _mm(x, W):
    """Enclosure of ``x @ W`` (x: float array or Interval; None means zero)."""
    if x is None or W is None:
        return None
    return matmul_enclosure(x, W)


def direction_layers(params: Parameters, v) -> dict:
    """The direction per layer (float arrays); layers that are not trained get None."""
    arch = params.architecture
    v = np.asarray(v, dtype=np.float64)
    if not np.isfinite(v).all():
        raise ValueError("array 'v' has a non-finite entry; allowed: finite numbers")
    split = split_theta(arch, v)
    return {name: split.get(name) for name in arch.layer_names}


def _linear(x: Jet, W: np.ndarray, V: np.ndarray | None) -> Jet:
    z = matmul_enclosure(x.value, W.T)
    z1 = _add(_mm(x.value, None if V is None else V.T), _mm(x.first, W.T))
    z2 = _add(None if (x.first is None or V is None) else 2.0 * matmul_enclosure(x.first, V.T),
              _mm(x.second, W.T))
    return Jet(z, z1, z2)


def _activation(name: str, z: Jet) -> Jet:
    s, d1, d2 = activation_derivatives(name, z.value)
    s1 = None if z.first is None else d1 * z.first
    s2 = _add(None if z.first is None else d2 * square(z.first), None if z.second is None else d1 * z.second)
    return Jet(s, s1, s2)


def _scale(c: Interval, s: Jet) -> Jet:
    return Jet(c * s.value, None if s.first is None else c * s.first, None if s.second is None else c * s.second)


def _sum(a: Jet, b: Jet) -> Jet:
    return Jet(a.value + b.value, _add(a.first, b.first), _add(a.second, b.second))


def output_jet(params: Parameters, X, v) -> Jet:
    """Jets of the outputs ``u_i(theta + t v)`` (n,) at t = 0 (rules of the module docstring)."""
    arch = params.architecture
    dirs = direction_layers(params, v)
    alpha = hidden_scale_enclosure(arch)
    beta = residual_scale_enclosure(arch) if arch.kind == "resnet" else None
    x = Jet(X if isinstance(X, Interval) else np.asarray(X, dtype=np.float64), None, None)
    for h, name in enumerate(arch.hidden_names, start=1):
        s = _activation(arch.activation, _linear(x, params[name], dirs[name]))
        x = _sum(x, _scale(beta, s)) if arch.is_residual(h) else _scale(alpha, s)
    a, va = params["a"], dirs["a"]
    u = matmul_enclosure(x.value, a)
    u1 = _add(_mm(x.first, a), _mm(x.value, va))
    u2 = _add(_mm(x.second, a), None if (x.first is None or va is None) else 2.0 * matmul_enclosure(x.first, va))
    return Jet(u, u1, u2)


def line_derivatives(params: Parameters, X, y, v) -> LineDerivatives:
    """Enclosures of the loss and its first two derivatives along ``v`` at ``theta`` (module
    docstring); ``X`` float rows or an Interval (e.g. exactly normalized rows), ``y`` (n,)."""
    u = output_jet(params, X, v)
    r = u.value - np.asarray(y, dtype=np.float64)
    zero = as_interval(np.zeros(r.shape))
    u1 = zero if u.first is None else u.first
    u2 = zero if u.second is None else u.second
    loss = square(r).sum() * 0.5
    loss = Interval._raw(np.maximum(loss.lo, 0.0), loss.hi)      # a sum of squares is >= 0
    slope = (r * u1).sum()
    curvature = (square(u1) + r * u2).sum()
    vv = np.asarray(v, dtype=np.float64)
    norm_sq = square(as_interval(vv)).sum()
    return LineDerivatives(loss, slope, curvature, norm_sq, curvature / norm_sq, u.value)
