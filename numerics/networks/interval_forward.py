"""Rigorous forward pass: enclosures of every pre-activation, feature and output of a network.

For inputs given as an :class:`~numerics.arith.interval.Interval` (e.g. the exact normalized
rows of :func:`numerics.kernels.two_layer.normalize_rows`) or as exact floats, and parameters
given as exact floats (:class:`Parameters`) or as a box (:class:`IntervalParameters`, e.g. a ball
around theta), every returned interval contains the exact real value for every network in the
box and every input in its enclosure. Proof: each step is an enclosing operation --
:func:`~numerics.arith.interval.matmul_enclosure` for every matrix product (a-priori gamma_k
bounds, midpoint-radius for interval operands), outward-rounded interval ``+`` and ``*``, and
activation enclosures that are exact (ReLU) or built from monotone enclosures of
:mod:`numerics.arith.elementary` (tanh; softplus, below). The scalings are enclosed too:
``sqrt(c_sigma/m)`` from the validated enclosure of ``c_sigma``
(:func:`numerics.kernels.gaussian_expectation.c_sigma`, exactly 2 for ReLU), ``m^{-1/2}`` and
``c_res/(H sqrt m)`` by interval sqrt and division. The recursion is the one of
:mod:`numerics.networks.architecture` (``docs/networks.md``).

Softplus is increasing, so ``softplus([lo, hi]) = [softplus(lo), softplus(hi)]``; each endpoint
value is enclosed through ``softplus(t) = max(t, 0) + log1p(exp(-|t|))`` (exact for all real t:
``log(1 + e^t) = t + log(1 + e^-t)``), which never overflows.

ReLU nets: :func:`activation_pattern` reports, for every layer, input and neuron, the proved
sign of the pre-activation (+1, -1, or 0 = not proved) and a certified margin (a lower bound of
``|z|``, 0 where the sign is not proved). A pre-activation whose enclosure touches 0 is never
given a sign.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.arith import elementary
from numerics.arith.interval import Interval, as_interval, matmul_enclosure
from numerics.arith.interval import sqrt as isqrt
from numerics.kernels.gaussian_expectation import c_sigma
from numerics.networks.architecture import Architecture
from numerics.networks.parameters import IntervalParameters, Parameters


@dataclass(frozen=True, eq=False)
class ForwardEnclosure:
    """Enclosures ``preactivations[h-1] ⊇ Z^(h)``, ``features[h-1] ⊇ x^(h)`` (n, m), and
    ``outputs ⊇ u`` (n,)."""

    preactivations: tuple[Interval, ...]
    features: tuple[Interval, ...]
    outputs: Interval


@dataclass(frozen=True, eq=False)
class ActivationPattern:
    """Proved signs and margins of every pre-activation.

    ``signs[h-1]`` (n, m) int8: +1 where ``Z^(h) > 0`` is proved, -1 where ``Z^(h) < 0`` is
    proved, 0 where neither is (the enclosure contains 0). ``margins[h-1]`` (n, m): a lower
    bound of ``|Z^(h)|`` (0 where the sign is unknown).
    """

    signs: tuple[np.ndarray, ...]
    margins: tuple[np.ndarray, ...]

    @property
    def unknown_count(self) -> int:
        return int(sum(int((s == 0).sum()) for s in self.signs))

    @property
    def all_certified(self) -> bool:
        """Every sign of every layer proved (a ReLU net is then one polynomial on the box)."""
        return self.unknown_count == 0

    @property
    def min_margin(self) -> float:
        """A lower bound of min |Z| over all layers, inputs and neurons."""
        return float(min(float(m.min()) for m in self.margins))


# ------------------------------------------------------------------ scalings
def hidden_scale_enclosure(arch: Architecture) -> Interval:
    """Enclosure of alpha: ``m^{-1/2}`` (two-layer) or ``sqrt(c_sigma/m)`` (deep)."""
    m = as_interval(float(arch.width))
    if arch.kind == "two-layer":
        return 1.0 / isqrt(m)
    return isqrt(c_sigma(arch.activation) / m)


def residual_scale_enclosure(arch: Architecture) -> Interval:
    """Enclosure of beta = ``c_res / (H sqrt m)``."""
    return as_interval(arch.c_res) / (isqrt(as_interval(float(arch.width))) * float(arch.depth))


# ------------------------------------------------------------------ activations
def _softplus_points(t: np.ndarray) -> Interval:
    """Enclosure of softplus at the exact float points t."""
    tail = elementary.log1p(elementary.exp(as_interval(-np.abs(t))))
    return as_interval(np.maximum(t, 0.0)) + tail


def activation_enclosure(name: str, Z: Interval) -> Interval:
    """Enclosure of ``sigma(z)`` for every z in ``Z`` (relu exact, tanh / softplus monotone)."""
    if name == "relu":
        return Interval._raw(np.maximum(Z.lo, 0.0), np.maximum(Z.hi, 0.0))
    if name == "tanh":
        return elementary.tanh(Z)
    if name == "softplus":
        lo, hi = _softplus_points(Z.lo), _softplus_points(Z.hi)
        return Interval._raw(np.maximum(lo.lo, 0.0), hi.hi)
    raise ValueError(f"activation={name!r}; allowed: relu, tanh, softplus")


# ------------------------------------------------------------------ forward
def _inputs(X, input_dim: int):
    if isinstance(X, Interval):
        if X.ndim != 2 or X.shape[1] != input_dim or X.shape[0] == 0:
            raise ValueError(f"interval array 'X' has shape {X.shape}; allowed: (n, {input_dim}), n >= 1")
        if not X.is_finite():
            raise ValueError("interval array 'X' has an infinite endpoint; allowed: finite")
        return X
    from numerics.networks.float_forward import checked_inputs
    return checked_inputs(X, input_dim)


def _layers(params) -> tuple[Architecture, list, object]:
    if isinstance(params, Parameters):
        return params.architecture, list(params.hidden), params.output
    if isinstance(params, IntervalParameters):
        arch = params.architecture
        return arch, [params[n] for n in arch.hidden_names], params["a"]
    raise TypeError(f"params must be Parameters or IntervalParameters, got {type(params).__name__}")


def enclose_forward(params: Parameters | IntervalParameters, X) -> ForwardEnclosure:
    """Rigorous forward pass (see the module docstring for what is proved)."""
    arch, hidden, a = _layers(params)
    x = _inputs(X, arch.input_dim)
    alpha = hidden_scale_enclosure(arch)
    beta = residual_scale_enclosure(arch) if arch.kind == "resnet" else None
    zs, xs = [], []
    for h, W in enumerate(hidden, start=1):
        z = matmul_enclosure(x, W.T)
        s = activation_enclosure(arch.activation, z)
        x = x + beta * s if arch.is_residual(h) else alpha * s
        zs.append(z)
        xs.append(x)
    return ForwardEnclosure(tuple(zs), tuple(xs), matmul_enclosure(x, a))


def activation_pattern(enclosure: ForwardEnclosure) -> ActivationPattern:
    """Proved signs and margins of the pre-activations of a :class:`ForwardEnclosure`."""
    signs, margins = [], []
    for Z in enclosure.preactivations:
        s = np.where(Z.lo > 0, 1, np.where(Z.hi < 0, -1, 0)).astype(np.int8)
        signs.append(s)
        margins.append(np.where(s != 0, Z.mig(), 0.0))
    return ActivationPattern(tuple(signs), tuple(margins))
