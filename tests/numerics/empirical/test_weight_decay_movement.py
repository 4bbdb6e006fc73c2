"""numerics.empirical.weight_decay_movement: the decayed GD step, the observables, and the slope change."""

import json
import math

import numpy as np
import pytest
import torch

from numerics.empirical import weight_decay_movement as wdm
from numerics.empirical.deep import sphere_data
from numerics.empirical.two_layer import TwoLayerEnsemble


def _data(n=6, d=3, seed=0):
    X, y = sphere_data(n, d, seed)
    return torch.tensor(X), torch.tensor(y)


def test_one_step_is_gradient_descent_on_the_loss_plus_half_wd_times_the_squared_norm():
    X, y = _data()
    ens = TwoLayerEnsemble.initialise([0, 1], 7, 3)
    eta, wd = 0.3, 0.05
    W1, _ = wdm.train_with_weight_decay(ens, X, y, steps=1, step_size=eta, weight_decay=wd)
    # independent: autograd of 1/2 |m^-1/2 relu(X W^T) a - y|^2 + wd/2 |W|^2 (ties relu'(0) have probability 0)
    W = ens.W0.clone().requires_grad_(True)
    u = (torch.relu(W @ X.t()) * ens.a.unsqueeze(2)).sum(1) / math.sqrt(7)
    obj = 0.5 * ((u - y) ** 2).sum() + 0.5 * wd * (W ** 2).sum()
    (g,) = torch.autograd.grad(obj, W)
    assert torch.allclose(W1, ens.W0 - eta * g, rtol=0, atol=1e-14)


def test_decay_alone_shrinks_the_weights_geometrically():
    # with y equal to the network's own outputs the loss gradient vanishes at the start; a large decay then
    # dominates: after one step W = (1 - eta wd) W0 exactly
    X, _ = _data()
    ens = TwoLayerEnsemble.initialise([3], 5, 3)
    u = (torch.relu(ens.W0 @ X.t()) * ens.a.unsqueeze(2)).sum(1)[0] / math.sqrt(5)
    W1, loss = wdm.train_with_weight_decay(ens, X, u, steps=1, step_size=0.2, weight_decay=0.5)
    assert torch.allclose(W1, 0.9 * ens.W0, rtol=1e-15, atol=0)
    assert float(loss[0]) > 0  # the shrunk network no longer fits its own outputs


def test_movement_observables_against_explicit_norms():
    rng = np.random.default_rng(1)
    W0 = torch.tensor(rng.standard_normal((2, 4, 3)))
    W = W0 + torch.tensor(rng.standard_normal((2, 4, 3))) * 0.1
    obs = wdm.movement_observables(W, W0)
    for b in range(2):
        dist = [np.linalg.norm((W - W0)[b, r].numpy()) for r in range(4)]
        assert obs["mean_neuron"][b] == pytest.approx(np.mean(dist), rel=1e-13)
        assert obs["max_neuron"][b] == pytest.approx(np.max(dist), rel=1e-13)
        assert obs["relative_frobenius"][b] == pytest.approx(
            np.linalg.norm((W - W0)[b].numpy()) / np.linalg.norm(W0[b].numpy()), rel=1e-13)


def test_weight_decay_changes_the_width_exponent_of_the_distance_small_instance():
    res = wdm.run_weight_decay_movement(widths=[32, 128, 512], n=8, d=3, seeds=3, steps=300, weight_decay=0.05,
                                        device="cpu", resamples=500)
    json.dumps(res, allow_nan=False)
    none, decay = res["slopes"]["none"]["mean_neuron"], res["slopes"]["decay"]["mean_neuron"]
    assert none["lo"] <= -0.5 + 0.15 and none["hi"] < -0.3  # close to the kernel regime's -1/2
    assert decay["lo"] > -0.2  # with decay the distance no longer shrinks with the width
    assert none["hi"] < decay["lo"]  # the intervals are disjoint
    assert res["config"]["eta_wd_steps"] == pytest.approx(res["config"]["step_size"] * 0.05 * 300)


@pytest.mark.parametrize("kw,name", [(dict(widths=[32]), "widths"), (dict(weight_decay=0.0), "weight_decay"),
                                     (dict(steps=0), "steps"), (dict(step_size=-1.0), "step_size"),
                                     (dict(device="tpu"), "device")])
def test_bad_arguments_raise_value_errors_naming_the_argument(kw, name):
    with pytest.raises(ValueError, match=rf"^{name}: got .*allowed"):
        wdm.run_weight_decay_movement(**{"widths": [4, 8], "n": 4, "d": 3, "seeds": 1, "steps": 2, **kw})
