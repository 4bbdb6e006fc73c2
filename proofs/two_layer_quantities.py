"""Data-dependent quantities of the two-layer ReLU theorems, each with its rigorous computation.

- `lambda0` = lambda_min(H_inf) for H_inf(i,j) = x_i.x_j (pi - arccos(x_i.x_j)) / (2 pi) and
  x_i = v_i/||v_i|| (real arithmetic, for the stored float rows v_i); enclosed by a verified
  spectral bound on an interval matrix that contains the exact H_inf (numerics.kernels.two_layer,
  numerics.linalg.spectral).
- `C_y` = max_i |y_i|, exact (a float).
- `parallel_pairs`: the pairs (i, j) with v_i, v_j parallel or antiparallel, decided exactly.

Values are cached on the InstanceData so several theorems share one computation.
"""

from __future__ import annotations

import numpy as np

from numerics.arith.interval import Interval
from proofs.core import InstanceData


def lambda0_enclosure(instance: InstanceData):
    """SpectralEnclosure of lambda_min(H_inf) for the normalized inputs (cached).

    Two exactly parallel inputs (x_i = x_j, decided exactly by `parallel_pairs`) make rows i and
    j of H_inf equal, so H_inf is singular; it is positive semidefinite (a Gram matrix of the
    feature maps x -> x 1{w.x >= 0}), hence lambda0 = 0 exactly and the enclosure is [0, 0]."""
    if "lambda0" not in instance.cache:
        from numerics.kernels.two_layer import two_layer_relu_gram
        from numerics.linalg.spectral import SpectralEnclosure, lambda_min_enclosure

        H = two_layer_relu_gram(np.asarray(instance.X, dtype=np.float64))
        instance.cache["H_inf"] = H
        par = [(i, j) for i, j, kind in parallel_pairs(instance) if kind == "parallel"]
        if par:
            i, j = par[0]
            instance.cache["lambda0"] = SpectralEnclosure(
                0.0, 0.0, f"exact: inputs {i} and {j} are parallel (equal rows of H_inf, which is positive "
                          "semidefinite)", "exact", 0)
        else:
            instance.cache["lambda0"] = lambda_min_enclosure(H)
    return instance.cache["lambda0"]


def lambda0_interval(instance: InstanceData) -> Interval:
    enc = lambda0_enclosure(instance)
    return Interval(enc.lo, enc.hi)


def lambda0_evidence(instance: InstanceData) -> dict:
    enc = lambda0_enclosure(instance)
    return {"method": enc.method, "backend": enc.backend, "precision_bits": enc.precision_bits}


def label_bound(instance: InstanceData) -> Interval:
    """C_y = max_i |y_i| (exact: the labels are floats)."""
    c = float(np.max(np.abs(np.asarray(instance.y, dtype=np.float64))))
    return Interval(c, c)


def parallel_pairs(instance: InstanceData) -> list[tuple[int, int, str]]:
    if "parallel_pairs" not in instance.cache:
        from numerics.kernels.two_layer import parallel_pairs as exact_parallel_pairs

        instance.cache["parallel_pairs"] = exact_parallel_pairs(np.asarray(instance.X, dtype=np.float64))
    return instance.cache["parallel_pairs"]

