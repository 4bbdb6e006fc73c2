"""The architecture of a network: which function of which parameters it computes.

Three kinds, one forward recursion (``docs/networks.md`` states them with their scalings):

* ``two-layer`` (Du-Zhai-Poczos-Singh, arXiv 1810.02054v2 eq. 1):
  ``u(x) = m^{-1/2} sum_r a_r sigma(w_r . x)``; ``a_r`` in {-1, +1} fixed, or trained when
  ``train_output`` is true;
* ``deep-fc`` (Du-Lee-Li-Wang-Zhai, arXiv 1811.03804v4 Sec. 3.3):
  ``x^(h) = sqrt(c_sigma/m) sigma(W^(h) x^(h-1))`` for ``1 <= h <= H``, ``u = a . x^(H)``;
* ``resnet`` (same paper): ``x^(1) = sqrt(c_sigma/m) sigma(W^(1) x)``,
  ``x^(h) = x^(h-1) + c_res/(H sqrt m) sigma(W^(h) x^(h-1))`` for ``2 <= h <= H``, ``u = a . x^(H)``.

All three read ``x^(h) = alpha sigma(z^(h))`` or ``x^(h-1) + beta sigma(z^(h))`` with
``z^(h) = W^(h) x^(h-1)`` and ``u = a . x^(H)``: a two-layer net is depth 1 with
``alpha = m^{-1/2}``. ``c_sigma = 1/E[sigma(z)^2]`` is exactly 2 for ReLU and known by a
validated enclosure otherwise (:func:`numerics.kernels.gaussian_expectation.c_sigma`); the float
forward uses its midpoint, the interval forward the enclosure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from numerics.kernels.gaussian_expectation import ACTIVATIONS, c_sigma

KINDS = ("two-layer", "deep-fc", "resnet")


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r}; allowed: an integer >= 1")
    return value


@dataclass(frozen=True)
class Architecture:
    """A network architecture (immutable; validated on construction, ValueError naming the field).

    ``kind``: ``two-layer`` | ``deep-fc`` | ``resnet``; ``width`` m; ``input_dim`` d; ``depth`` H
    (number of hidden layers; 1 for two-layer); ``activation``: relu | tanh | softplus;
    ``train_output``: whether the output layer ``a`` is a parameter (default: false for
    two-layer, as in 1810.02054 Sec. 3; true for deep nets, as in 1811.03804 Sec. 3.3, where all
    layers are trained); ``c_res`` in (0, 1) (resnet only); ``init_scale``: standard deviation
    of the hidden weights at initialization (two-layer only; 1 in both papers).
    """

    kind: str
    width: int
    input_dim: int
    depth: int = 1
    activation: str = "relu"
    train_output: bool | None = None
    c_res: float = 0.5
    init_scale: float = 1.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r}; allowed: {', '.join(KINDS)}")
        _positive_int("width", self.width)
        _positive_int("input_dim", self.input_dim)
        _positive_int("depth", self.depth)
        if self.kind == "two-layer" and self.depth != 1:
            raise ValueError(f"depth={self.depth!r} with kind='two-layer'; allowed: 1 "
                             "(use kind='deep-fc' for more hidden layers)")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation={self.activation!r}; allowed: {', '.join(ACTIVATIONS)}")
        if self.train_output is None:
            object.__setattr__(self, "train_output", self.kind != "two-layer")
        if not isinstance(self.train_output, bool):
            raise ValueError(f"train_output={self.train_output!r}; allowed: true or false")
        c = float(self.c_res)
        if not 0.0 < c < 1.0:
            raise ValueError(f"c_res={self.c_res!r}; allowed: a number strictly between 0 and 1 "
                             "(1811.03804 Sec. 3.3)")
        object.__setattr__(self, "c_res", c)
        s = float(self.init_scale)
        if not (math.isfinite(s) and s > 0):
            raise ValueError(f"init_scale={self.init_scale!r}; allowed: a finite number > 0")
        if self.kind != "two-layer" and s != 1.0:
            raise ValueError(f"init_scale={self.init_scale!r} with kind={self.kind!r}; allowed: 1 "
                             "(1811.03804 initializes every entry N(0, 1))")
        object.__setattr__(self, "init_scale", s)

    # ------------------------------------------------------------------ layers
    @property
    def layer_names(self) -> tuple[str, ...]:
        """Every layer, in forward order (the order of theta): ``W`` then ``a`` for two-layer,
        ``W1 .. WH`` then ``a`` for deep nets."""
        if self.kind == "two-layer":
            return ("W", "a")
        return tuple(f"W{h}" for h in range(1, self.depth + 1)) + ("a",)

    @property
    def hidden_names(self) -> tuple[str, ...]:
        return self.layer_names[:-1]

    @property
    def trained_names(self) -> tuple[str, ...]:
        """The layers that are parameters (theta), in forward order."""
        return self.layer_names if self.train_output else self.hidden_names

    def layer_shape(self, name: str) -> tuple[int, ...]:
        """``(m, d)`` for the first hidden layer, ``(m, m)`` for the others, ``(m,)`` for ``a``."""
        if name not in self.layer_names:
            raise ValueError(f"layer {name!r} is not a layer of this {self.kind} net; "
                             f"allowed: {', '.join(self.layer_names)}")
        if name == "a":
            return (self.width,)
        first = name == self.hidden_names[0]
        return (self.width, self.input_dim if first else self.width)

    @property
    def parameter_count(self) -> int:
        """P = number of trained parameters (the length of theta)."""
        return sum(math.prod(self.layer_shape(n)) for n in self.trained_names)

    # ------------------------------------------------------------------ scalings
    def c_sigma_float(self) -> float:
        """Float c_sigma: 2 for ReLU (exact), the midpoint of the validated enclosure otherwise."""
        return float(c_sigma(self.activation).mid())

    def hidden_scale_float(self) -> float:
        """alpha: ``1/sqrt(m)`` (two-layer) or ``sqrt(c_sigma/m)`` (deep), as a float."""
        if self.kind == "two-layer":
            return 1.0 / math.sqrt(self.width)
        return math.sqrt(self.c_sigma_float() / self.width)

    def residual_scale_float(self) -> float:
        """beta = ``c_res / (H sqrt m)`` (ResNet layers 2..H), as a float."""
        return self.c_res / (self.depth * math.sqrt(self.width))

    def is_residual(self, h: int) -> bool:
        """Whether hidden layer h (1-based) is a skip layer ``x^(h-1) + beta sigma(z^(h))``."""
        return self.kind == "resnet" and h >= 2
