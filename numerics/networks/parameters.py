"""Parameters of a network: named read-only float64 layers, and theta, their flat vector.

``theta`` is the concatenation, in :attr:`Architecture.trained_names` order (forward order:
``W`` / ``W1 .. WH``, then ``a`` when the output layer is trained), of each trained layer
flattened in row-major (C) order; ``W[r, k]`` (neuron r, input coordinate k) is entry
``offset + r * fan_in + k``. Layers that are not trained (``a`` of a two-layer net by default)
are held by the container but are not part of theta.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from numerics.arith.interval import Interval, as_interval
from numerics.networks.architecture import Architecture


def _checked_layer(arch: Architecture, name: str, value) -> np.ndarray:
    """The layer as a fresh read-only float64 array; ValueError naming the array otherwise."""
    a = np.asarray(value)
    allowed = arch.layer_shape(name)
    if a.dtype.kind not in "fiu":
        raise ValueError(f"array {name!r} has dtype {a.dtype}; allowed: real floats or integers")
    if a.dtype.kind in "iu" and a.size and (a.max() > 2 ** 53 or a.min() < -2 ** 53):
        raise ValueError(f"array {name!r} has integers above 2**53 in magnitude; "
                         "allowed: values exactly representable as float64")
    if a.shape != allowed:
        raise ValueError(f"array {name!r} has shape {a.shape}; allowed: {allowed} "
                         f"for a {arch.kind} net of width {arch.width}, input dimension "
                         f"{arch.input_dim}, depth {arch.depth}")
    out = np.array(a, dtype=np.float64, copy=True)   # float16/32 and small ints convert exactly
    if not np.isfinite(out).all():
        bad = np.argwhere(~np.isfinite(out))[0].tolist()
        raise ValueError(f"array {name!r} has a non-finite entry ({float(out[tuple(bad)])!r}) at index "
                         f"{bad}; allowed: finite numbers")
    if name == "a" and arch.kind == "two-layer" and not arch.train_output \
            and not np.isin(out, (-1.0, 1.0)).all():
        bad = np.argwhere(~np.isin(out, (-1.0, 1.0)))[0].tolist()
        raise ValueError(f"array 'a' has entry {float(out[tuple(bad)])!r} at index {bad}; allowed: -1 or +1 "
                         "(the fixed output signs of 1810.02054 eq. 1; set train_output = true "
                         "for a trained output layer)")
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Parameters:
    """Every layer of one network (trained or fixed), validated against its architecture.

    ``layers[name]`` is a read-only float64 array of shape ``architecture.layer_shape(name)``;
    construction raises ValueError naming the array for a missing, unknown, misshapen,
    non-finite or (fixed two-layer ``a``) non-sign array.
    """

    architecture: Architecture
    layers: Mapping[str, np.ndarray]

    def __post_init__(self):
        arch = self.architecture
        given = dict(self.layers)
        missing = [n for n in arch.layer_names if n not in given]
        if missing:
            raise ValueError(f"array {missing[0]!r} is missing; a {arch.kind} net of depth "
                             f"{arch.depth} needs arrays {', '.join(arch.layer_names)}")
        unknown = sorted(set(given) - set(arch.layer_names))
        if unknown:
            raise ValueError(f"array {unknown[0]!r} is not a layer of a {arch.kind} net of depth "
                             f"{arch.depth}; allowed: {', '.join(arch.layer_names)}")
        checked = {n: _checked_layer(arch, n, given[n]) for n in arch.layer_names}
        object.__setattr__(self, "layers", MappingProxyType(checked))

    def __getitem__(self, name: str) -> np.ndarray:
        return self.layers[name]

    @property
    def hidden(self) -> tuple[np.ndarray, ...]:
        """``W^(1) .. W^(H)`` in forward order."""
        return tuple(self.layers[n] for n in self.architecture.hidden_names)

    @property
    def output(self) -> np.ndarray:
        return self.layers["a"]

    def flatten(self) -> np.ndarray:
        """theta: the trained layers, row-major, in forward order (length P)."""
        return np.concatenate([self.layers[n].reshape(-1) for n in self.architecture.trained_names])

    def unflatten(self, theta) -> "Parameters":
        """The parameters with trained layers read from ``theta`` (fixed layers kept)."""
        return Parameters(self.architecture, {**self.layers, **split_theta(self.architecture, theta)})

    def replace(self, **layers) -> "Parameters":
        return Parameters(self.architecture, {**self.layers, **layers})


def split_theta(arch: Architecture, theta) -> dict[str, np.ndarray]:
    """The trained layers of a flat vector theta (length P), reshaped; ValueError on a wrong length."""
    t = np.asarray(theta)
    if t.ndim != 1 or t.shape[0] != arch.parameter_count:
        raise ValueError(f"array 'theta' has shape {t.shape}; allowed: ({arch.parameter_count},) "
                         f"(P for trained layers {', '.join(arch.trained_names)})")
    out, offset = {}, 0
    for name in arch.trained_names:
        shape = arch.layer_shape(name)
        size = math.prod(shape)
        out[name] = t[offset:offset + size].reshape(shape)
        offset += size
    return out


def _box(value: np.ndarray, rad: np.ndarray) -> Interval:
    """``[value - rad, value + rad]`` rounded outward; exact where ``rad == 0``."""
    box = Interval.from_mid_rad(value, rad)
    exact = rad == 0
    return Interval._raw(np.where(exact, value, box.lo), np.where(exact, value, box.hi))


@dataclass(frozen=True, eq=False)
class IntervalParameters:
    """Interval enclosures of every layer: a box of networks (e.g. a ball around theta).

    A Euclidean ball ``||theta' - theta|| <= r`` lies inside the box ``theta +- r`` of
    :meth:`around`, so an enclosure computed on the box holds on the ball.
    """

    architecture: Architecture
    layers: Mapping[str, Interval]

    def __post_init__(self):
        arch = self.architecture
        out = {}
        for name in arch.layer_names:
            if name not in self.layers:
                raise ValueError(f"interval array {name!r} is missing; needed: {', '.join(arch.layer_names)}")
            box = as_interval(self.layers[name])
            if box.shape != arch.layer_shape(name):
                raise ValueError(f"interval array {name!r} has shape {box.shape}; allowed: "
                                 f"{arch.layer_shape(name)}")
            out[name] = box
        object.__setattr__(self, "layers", MappingProxyType(out))

    def __getitem__(self, name: str) -> Interval:
        return self.layers[name]

    @classmethod
    def point(cls, params: Parameters) -> "IntervalParameters":
        """The exact float parameters as degenerate intervals."""
        return cls(params.architecture, {n: Interval._raw(v, v) for n, v in params.layers.items()})

    @classmethod
    def around(cls, params: Parameters, radius) -> "IntervalParameters":
        """``[theta - radius, theta + radius]`` (outward rounded) on the trained layers; fixed
        layers stay exact. ``radius``: a float >= 0 or an array of length P."""
        arch = params.architecture
        r = np.asarray(radius, dtype=np.float64)
        if np.isnan(r).any() or (r < 0).any():
            raise ValueError(f"radius={radius!r}; allowed: a number >= 0 or an array of P such numbers")
        r = np.broadcast_to(r, (arch.parameter_count,)) if r.ndim == 0 else r
        radii = split_theta(arch, r)
        layers = {}
        for name, value in params.layers.items():
            layers[name] = _box(value, radii[name]) if name in radii else Interval._raw(value, value)
        return cls(arch, layers)

    def contains(self, params: Parameters) -> bool:
        """Whether every layer of ``params`` lies in the box."""
        return all(bool(self.layers[n].contains(params[n]).all()) for n in self.architecture.layer_names)
