"""Hypothesis draws of tiny networks for the soundness tests of the network enclosures: every kind
and activation, weights at three scales, inputs of magnitudes 1e-150 to 1e150, a ball radius."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from numerics.networks import Architecture, Parameters


def draw_tiny_network(draw, max_n: int, radii: tuple[float, ...]):
    """``(Parameters, V, radius, rng)``: m <= 8, d <= 4, n <= max_n, depth <= 3."""
    kind = draw(st.sampled_from(["two-layer", "deep-fc", "resnet"]))
    act = draw(st.sampled_from(["relu", "tanh", "softplus"]))
    depth = 1 if kind == "two-layer" else draw(st.integers(1, 3))
    m, d, n = draw(st.integers(1, 8)), draw(st.integers(1, 4)), draw(st.integers(1, max_n))
    arch = Architecture(kind, m, d, depth=depth, activation=act, train_output=draw(st.booleans()),
                        c_res=draw(st.sampled_from([0.5, 0.1, 0.9])))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    wscale = draw(st.sampled_from([1.0, 1e-3, 10.0]))
    layers = {name: rng.standard_normal(arch.layer_shape(name)) * wscale for name in arch.layer_names}
    if kind == "two-layer" and not arch.train_output:
        layers["a"] = rng.choice([-1.0, 1.0], size=m)
    V = rng.standard_normal((n, d)) * 10.0 ** rng.integers(-150, 150, size=(n, 1)).astype(float)
    V[V == 0] = 1.0
    radius = draw(st.sampled_from(list(radii)))
    return Parameters(arch, layers), V, radius, rng
