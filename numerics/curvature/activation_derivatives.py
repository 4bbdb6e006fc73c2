"""Enclosures of an activation and its first two derivatives on interval arguments.

For every ``z`` in the interval ``Z`` the returned intervals contain ``sigma(z)``,
``sigma'(z)`` and ``sigma''(z)`` (``docs/critical_points_networks.md``, "Activation
derivatives"). The identities used are exact in real arithmetic:

* tanh: ``tanh' = 1 - tanh^2``, ``tanh'' = -2 tanh (1 - tanh^2)``, each factor the interval
  enclosure of tanh on ``Z`` (:func:`numerics.arith.elementary.tanh`);
* softplus ``log(1 + e^z)``: ``softplus' = sigmoid(z) = (1 + tanh(z/2)) / 2`` and
  ``softplus'' = sigmoid (1 - sigmoid) = (1 - tanh(z/2)^2) / 4`` (no exponential, so no
  overflow); softplus itself from :func:`numerics.networks.interval_forward.activation_enclosure`;
* ReLU: on an interval that excludes 0 the function is linear, ``relu' = 1{z > 0}`` and
  ``relu'' = 0``; an interval that touches 0 (a kink inside the box, or exactly at the point)
  raises :class:`KinkInside`: no derivative is claimed there.
"""

from __future__ import annotations

import numpy as np

from numerics.arith import elementary
from numerics.arith.interval import Interval, as_interval, square
from numerics.networks.interval_forward import activation_enclosure


class KinkInside(ArithmeticError):
    """A ReLU pre-activation whose enclosure contains 0: the loss is not proved smooth there."""

    def __init__(self, count: int):
        super().__init__(f"{count} ReLU pre-activation(s) not proved away from 0 (a kink at the point or "
                         "inside the ball)")
        self.count = count


def relu_slope(Z: Interval) -> Interval:
    """``relu'`` on ``Z`` (exact 0 or 1); :class:`KinkInside` where ``Z`` touches 0."""
    unknown = (Z.lo <= 0) & (Z.hi >= 0)
    if unknown.any():
        raise KinkInside(int(unknown.sum()))
    one = (Z.lo > 0).astype(np.float64)
    return Interval._raw(one, one.copy())


def activation_derivatives(name: str, Z: Interval, order: int = 2) -> tuple[Interval, ...]:
    """``(sigma, sigma', sigma'')`` enclosed on ``Z`` (only the first ``order + 1`` of them)."""
    Z = as_interval(Z)
    if name == "relu":
        slope = relu_slope(Z)
        zero = np.zeros(Z.shape)
        out = (activation_enclosure("relu", Z), slope, Interval._raw(zero, zero.copy()))
    elif name == "tanh":
        T = elementary.tanh(Z)
        d1 = 1.0 - square(T)
        d1 = Interval._raw(np.maximum(d1.lo, 0.0), np.minimum(d1.hi, 1.0))
        out = (T, d1, (-2.0 * T) * d1)
    elif name == "softplus":
        half = elementary.tanh(Z * 0.5)
        sig = (1.0 + half) * 0.5
        sig = Interval._raw(np.maximum(sig.lo, 0.0), np.minimum(sig.hi, 1.0))
        d2 = (1.0 - square(half)) * 0.25
        d2 = Interval._raw(np.maximum(d2.lo, 0.0), np.minimum(d2.hi, 0.25))
        out = (activation_enclosure("softplus", Z), sig, d2)
    else:
        raise ValueError(f"activation={name!r}; allowed: relu, tanh, softplus")
    return out[:order + 1]
