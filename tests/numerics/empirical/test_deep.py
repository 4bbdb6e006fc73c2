"""Deep FC / ResNet GD ensembles in the DLLWZ parametrization (small, CPU)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from numerics.empirical.deep import (deep_width_sweep, init_deep, last_layer_gram, predictions, smallest_interpolating_width,
                                     sphere_data, tangent_gram, train_deep)
from numerics.kernels.deep import fc_gram, resnet_gram


def test_initial_gram_is_psd_and_step_is_stable():
    X, y = sphere_data(6, 4, 0)
    ens = init_deep("resnet", (0, 1), 32, 4, 3)
    G = tangent_gram(ens, torch.tensor(X))
    assert G.shape == (2, 6, 6)
    assert torch.linalg.eigvalsh(G)[:, 0].min() > -1e-8
    r = train_deep(ens, X, y, steps=60)
    assert all(f < i for f, i in zip(r["loss_final"], r["loss_initial"]))


@pytest.mark.parametrize("arch", ["fc", "resnet"])
def test_last_layer_gram_at_large_width_approaches_kernel(arch):
    X, _ = sphere_data(4, 3, 1)
    ens = init_deep(arch, (0, 1, 2), 2000, 3, 3, c_res=0.5)
    G = last_layer_gram(ens, torch.tensor(X)).mean(0).numpy()
    K = (fc_gram(X, 3) if arch == "fc" else resnet_gram(X, 3, 0.5)).value
    # a_r^2 is random here (mean 1), so the tolerance is looser than numerics/test_ntk.py's
    assert np.abs(G - K).max() < 0.15 * np.abs(K).max()


def test_predictions_shape_and_bad_arguments():
    ens = init_deep("fc", (0,), 8, 3, 2)
    assert predictions(ens, torch.eye(3, dtype=torch.float64)).shape == (1, 3)
    with pytest.raises(ValueError, match="architecture"):
        init_deep("lstm", (0,), 8, 3, 2)
    with pytest.raises(ValueError, match="c_res"):
        init_deep("resnet", (0,), 8, 3, 2, c_res=1.2)


def test_smallest_interpolating_width_small_sweep():
    X, y = sphere_data(6, 4, 0)
    r = smallest_interpolating_width(X, y, "resnet", 2, [16, 64], seeds=(0, 1), steps=300)
    assert r["empirical_width"] in (16, 64)
    row = next(p for p in r["per_width"] if p["width"] == r["empirical_width"])
    assert row["successes"] == row["trials"] == 2 and row["ci"][1] == 1.0


def test_width_sweep_fits_exponents():
    out = deep_width_sweep(ns=[4, 8], depths=[2, 3], widths=[8, 32], d=4, seeds=(0,), steps=200)
    assert len(out["by_n"]) == 2 and len(out["by_depth"]) == 2
    assert out["theory"]["exponent_in_n"] == 4
    for key in ("width_exponent_in_n", "parameter_exponent_in_n"):
        fit = out[key]
        assert fit is None or fit["points"] == 2


def test_full_tangent_kernel_of_wide_fc_net_approaches_theta():
    """All-layer J J^T of the DLLWZ fully connected net (output a trained too) -> Theta^(L) of
    1904.11955 (same parametrization: sqrt(c_sigma/m) scaling, N(0, 1) weights)."""
    from numerics.kernels.deep import ntk_gram

    X, _ = sphere_data(4, 3, 2)
    ens = init_deep("fc", (0, 1), 1500, 3, 2)
    G = tangent_gram(ens, torch.tensor(X)).mean(0).numpy()
    T = ntk_gram(X, 2).value
    assert np.abs(G - T).max() < 0.1 * np.abs(T).max()
