"""Random initialization, drawing exactly the numbers of the empirical layer for the same seed.

* two-layer: :func:`numerics.empirical.two_layer.init_two_layer` -- one torch generator seeded
  by ``generator_seed(seed, width)`` (a SeedSequence hash), ``W ~ N(0, init_scale^2)`` entrywise,
  then ``a`` uniform on {-1, +1};
* deep-fc / resnet: :func:`numerics.empirical.deep.init_deep` -- one torch generator seeded by
  ``seed * 1_000_003 + width * 7919 + depth``, drawing ``W^(1)``, ..., ``W^(H)``, then ``a``,
  every entry N(0, 1) (1811.03804 Sec. 3.3).

The draws use torch's CPU generator in float64 (imported lazily), so the numbers do not depend
on the device a later computation uses. ``tests/numerics/networks`` checks equality with the
empirical functions.
"""

from __future__ import annotations

import numpy as np

from numerics.networks.architecture import Architecture
from numerics.networks.parameters import Parameters


def two_layer_generator_seed(seed: int, width: int) -> int:
    """The torch seed of run ``(seed, width)`` of the two-layer experiments."""
    words = np.random.SeedSequence([int(seed), int(width)]).generate_state(2, dtype=np.uint32)
    return (int(words[0]) << 31) ^ int(words[1])


def deep_generator_seed(seed: int, width: int, depth: int) -> int:
    """The torch seed of network ``seed`` of the deep experiments."""
    return int(seed) * 1_000_003 + int(width) * 7919 + int(depth)


def initial_parameters(arch: Architecture, seed: int) -> Parameters:
    """The initialization of ``arch`` for ``seed`` (same numbers as the empirical layer)."""
    import torch
    m, d = arch.width, arch.input_dim
    if arch.kind == "two-layer":
        g = torch.Generator().manual_seed(two_layer_generator_seed(seed, m))
        W = torch.randn(m, d, generator=g, dtype=torch.float64) * arch.init_scale
        a = torch.randint(0, 2, (m,), generator=g).to(torch.float64) * 2.0 - 1.0
        return Parameters(arch, {"W": W.numpy(), "a": a.numpy()})
    g = torch.Generator().manual_seed(deep_generator_seed(seed, m, arch.depth))
    layers = {}
    for h, name in enumerate(arch.hidden_names):
        fan_in = d if h == 0 else m
        layers[name] = torch.randn(m, fan_in, generator=g, dtype=torch.float64).numpy()
    layers["a"] = torch.randn(m, generator=g, dtype=torch.float64).numpy()
    return Parameters(arch, layers)
