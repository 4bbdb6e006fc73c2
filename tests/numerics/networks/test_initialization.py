"""numerics/networks/initialization.py draws the empirical layer's numbers for the same seed."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.empirical.deep import init_deep
from numerics.empirical.two_layer import init_two_layer
from numerics.networks import Architecture
from numerics.networks.initialization import initial_parameters


@pytest.mark.parametrize("seed, width, d, scale", [(0, 5, 3, 1.0), (7, 16, 4, 0.1), (123, 1, 2, 2.5)])
def test_two_layer_same_numbers_as_init_two_layer(seed, width, d, scale):
    p = initial_parameters(Architecture("two-layer", width, d, init_scale=scale), seed)
    W0, a = init_two_layer(seed, width, d, scale)
    assert np.array_equal(p["W"], W0.numpy()) and np.array_equal(p["a"], a.numpy())
    assert set(np.unique(p["a"])) <= {-1.0, 1.0}


@pytest.mark.parametrize("kind, arch_name", [("deep-fc", "fc"), ("resnet", "resnet")])
@pytest.mark.parametrize("seed, width, d, depth", [(0, 4, 3, 1), (3, 6, 2, 3), (11, 5, 5, 2)])
def test_deep_same_numbers_as_init_deep(kind, arch_name, seed, width, d, depth):
    p = initial_parameters(Architecture(kind, width, d, depth=depth), seed)
    ens = init_deep(arch_name, [seed], width, d, depth)
    for h in range(depth):
        assert np.array_equal(p[f"W{h + 1}"], ens.weights[h][0].detach().numpy())
    assert np.array_equal(p["a"], ens.a[0].detach().numpy())


def test_seeds_and_widths_draw_different_networks():
    a = initial_parameters(Architecture("deep-fc", 4, 2, depth=2), 0)
    b = initial_parameters(Architecture("deep-fc", 4, 2, depth=2), 1)
    assert not np.array_equal(a["W1"], b["W1"])
