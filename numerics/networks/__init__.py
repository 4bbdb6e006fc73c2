"""One definition of the networks the theorems talk about (``docs/networks.md``).

* :mod:`.architecture`: :class:`Architecture` -- two-layer (Du-Zhai-Poczos-Singh), deep-fc and
  resnet (Du-Lee-Li-Wang-Zhai), depth, width, activation, which layers are trained, scalings.
* :mod:`.parameters`: :class:`Parameters` (named read-only float64 layers, flatten/unflatten to
  theta) and :class:`IntervalParameters` (a box of networks, e.g. a ball around theta).
* :mod:`.initialization`: the empirical layer's random initialization, same numbers per seed.
* :mod:`.float_forward`: numpy float64 forward pass (FLOAT).
* :mod:`.torch_network`: torch forward, JVP, VJP, empirical NTK Gram and operator (FLOAT;
  torch imported lazily).
* :mod:`.interval_forward`: rigorous enclosures of every pre-activation, feature and output;
  ReLU activation patterns with certified margins.
* :mod:`.weights_io`: .npz / torch state_dict loading with validation, atomic saving.
"""

from numerics.networks.architecture import KINDS, Architecture
from numerics.networks.parameters import IntervalParameters, Parameters, split_theta

__all__ = ["KINDS", "Architecture", "IntervalParameters", "Parameters", "split_theta"]
