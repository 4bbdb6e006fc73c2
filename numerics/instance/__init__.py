"""Instance certificates: an exact zero-loss global minimizer next to a given network.

* :mod:`.lazy_minimizer`: the two-layer ReLU proof (stable activation patterns, a verified
  solve of the restricted Gram system).
"""
