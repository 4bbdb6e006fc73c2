"""A float forward and backward pass with rigorous bounds on its rounding, layer by layer.

For exact float parameters (:class:`Parameters`) and float inputs ``x^(0)`` (normally the
midpoints of the enclosed unit rows), every quantity of the recursion of ``docs/networks.md`` is
computed in float64 -- pre-activations ``z^(h)``, features ``x^(h)``, outputs ``u``, and the
backward quantities ``b^(h) = du/dx^(h)`` and ``g^(h) = du/dz^(h)`` -- together with a bound on
how far each float result lies from the *exact* result of the same one-layer operation applied
to the float operands of that layer:

* ``z_err[h-1][i, r] >= |zhat^(h)_ir - (xhat^(h-1)_i . w_r)|`` (per entry; the product by
  :func:`numerics.arith.split_products.accurate_matmul_enclosure`, about one rounding);
* ``x_err[h-1][i] >= ||xhat^(h)_i - s_h sigma(zhat^(h)_i) [- xhat^(h-1)_i]||_2`` (per input;
  exact ``s_h`` = ``sqrt(c_sigma/m)``, ``m^-1/2`` or ``c_res/(H sqrt m)``, sigma enclosed);
* ``u_err[i] >= |uhat_i - xhat^(H)_i . a|``;
* backward: ``bhat^(H) = a``; ``ghat^(h) = s_h sigma'(zhat^(h)) o bhat^(h)`` within ``g_err``;
  ``bhat^(h-1) = W^(h)^T ghat^(h) [+ bhat^(h) for a skip layer]`` within ``b_err`` (per input,
  Euclidean norms).

These one-layer bounds do not compound: how the rounding of the early layers propagates to the
exact network is bounded norm-wise by :mod:`numerics.networks.deviation_bounds`, which is
far tighter than interval arithmetic through the layers (an entrywise radius grows by about
``0.8 sqrt(2 m)`` per layer under ``|W|``, a Euclidean one by ``sqrt(c_sigma/m) ||W||_2 ~ 2.8``).

ReLU: the float derivative pattern is ``zhat >= 0`` (``relu'(0) = 1``); it is the exact
network's pattern only where the signs are proved, which the deviation bounds decide.
Smooth activations: ``sigma'`` is enclosed at the float points (tanh' = 1 - tanh^2,
softplus' = (1 + tanh(z/2))/2, from :mod:`numerics.arith.elementary`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.arith import elementary
from numerics.arith import upper_bounds as ub
from numerics.arith.interval import Interval, as_interval
from numerics.arith.split_products import accurate_matmul_enclosure
from numerics.networks.interval_forward import (activation_enclosure, hidden_scale_enclosure,
                                                residual_scale_enclosure)
from numerics.networks.parameters import Parameters


@dataclass(frozen=True, eq=False)
class ReferencePass:
    """Float quantities (exact floats) and their one-layer rounding bounds (module docstring).

    Lists are indexed by layer ``h - 1`` (``h = 1..H``); ``features[h-1] = xhat^(h)``;
    ``backprops[h-1] = bhat^(h)`` (``bhat^(H) = a``); ``scales[h-1]`` encloses ``s_h``.
    """

    params: Parameters
    inputs: np.ndarray                     # xhat^(0), (n, d)
    preactivations: tuple[np.ndarray, ...]
    z_err: tuple[np.ndarray, ...]          # (n, m)
    features: tuple[np.ndarray, ...]
    x_err: tuple[np.ndarray, ...]          # (n,)
    outputs: np.ndarray
    u_err: np.ndarray
    gradients: tuple[np.ndarray, ...]      # ghat^(h), (n, m)
    g_err: tuple[np.ndarray, ...]          # (n,)
    backprops: tuple[np.ndarray, ...]      # bhat^(h), (n, m)
    b_err: tuple[np.ndarray, ...]          # (n,), b_err[H-1] = 0
    scales: tuple[Interval, ...]

    @property
    def architecture(self):
        return self.params.architecture

    def layer_input(self, h: int) -> np.ndarray:
        """``xhat^(h-1)``: what layer h multiplies (h = 1..H)."""
        return self.inputs if h == 1 else self.features[h - 2]


def _mid_and_error(enc: Interval) -> tuple[np.ndarray, np.ndarray]:
    """A float inside the enclosure and an entrywise bound of its distance to every member."""
    mid = enc.mid()
    return mid, np.maximum(enc.rad(), 0.0)


def derivative_enclosure(name: str, z: np.ndarray) -> Interval:
    """Enclosure of ``sigma'(z)`` at float points: ReLU ``1{z >= 0}`` (exact), tanh
    ``1 - tanh^2``, softplus ``sigmoid = (1 + tanh(z/2))/2``; clipped to the range [0, 1]."""
    if name == "relu":
        d = (z >= 0).astype(np.float64)
        return Interval._raw(d, d)
    if name == "tanh":
        t = elementary.tanh(as_interval(z))
        d = 1.0 - t * t
    elif name == "softplus":
        half = as_interval(z) * 0.5
        d = (elementary.tanh(half) + 1.0) * 0.5
    else:
        raise ValueError(f"activation={name!r}; allowed: relu, tanh, softplus")
    return Interval._raw(np.clip(d.lo, 0.0, 1.0), np.clip(d.hi, 0.0, 1.0))


def reference_pass(params: Parameters, inputs: np.ndarray) -> ReferencePass:
    """The float pass of ``params`` on the float rows ``inputs`` with its rounding bounds."""
    arch = params.architecture
    x = np.asarray(inputs, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != arch.input_dim or not np.isfinite(x).all():
        raise ValueError(f"array 'inputs' has shape {x.shape}; allowed: finite (n, {arch.input_dim})")
    alpha = hidden_scale_enclosure(arch)
    beta = residual_scale_enclosure(arch) if arch.kind == "resnet" else None
    scales = tuple(beta if arch.is_residual(h) else alpha for h in range(1, arch.depth + 1))
    zs, zerr, xs, xerr = [], [], [], []
    prev = x
    for h, W in enumerate(params.hidden, start=1):
        z, ze = _mid_and_error(accurate_matmul_enclosure(prev, W.T))
        act = activation_enclosure(arch.activation, as_interval(z))
        enc = scales[h - 1] * act
        if arch.is_residual(h):
            enc = enc + prev
        feat, fe = _mid_and_error(enc)
        zs.append(z), zerr.append(ze), xs.append(feat), xerr.append(ub.norm(fe, axis=1))
        prev = feat
    u, uerr = _mid_and_error(accurate_matmul_enclosure(prev, params.output))
    gs, gerr, bs, berr = _backward(params, zs, scales)
    return ReferencePass(params, x, tuple(zs), tuple(zerr), tuple(xs), tuple(xerr), u, uerr,
                         gs, gerr, bs, berr, scales)


def _backward(params: Parameters, zs: list, scales: tuple) -> tuple:
    """``ghat^(h)``, ``bhat^(h)`` for h = H..1 with their rounding bounds (module docstring)."""
    arch = params.architecture
    n = zs[0].shape[0]
    H = arch.depth
    b = np.broadcast_to(params.output, (n, arch.width)).copy()
    gs, gerr, bs, berr = [None] * H, [None] * H, [None] * H, [None] * H
    bs[H - 1], berr[H - 1] = b, np.zeros(n)
    for h in range(H, 0, -1):
        D = derivative_enclosure(arch.activation, zs[h - 1])
        g, ge = _mid_and_error(scales[h - 1] * D * b)
        gs[h - 1], gerr[h - 1] = g, ub.norm(ge, axis=1)
        if h == 1:
            break
        enc = accurate_matmul_enclosure(g, params.hidden[h - 1])
        if arch.is_residual(h):
            enc = enc + b
        b, be = _mid_and_error(enc)
        bs[h - 2], berr[h - 2] = b, ub.norm(be, axis=1)
    return tuple(gs), tuple(gerr), tuple(bs), tuple(berr)
