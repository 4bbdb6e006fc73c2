"""Infinite-width Gram matrices, enclosed.

* :mod:`.two_layer`: ``H_inf`` of the two-layer ReLU net (Du et al. 2019), exact row
  normalization, exact detection of parallel inputs.
* :mod:`.deep`: the deep FC / ResNet / CNN Gram recursions and the NTK (Du et al. 2019b).
* :mod:`.gaussian_expectation`: Gaussian moments of activations.
"""
