"""The batched trainer against a plain per-network float64 reference, and the theorem's observables."""

import math

import numpy as np
import pytest
import torch

from numerics.empirical import observables as obs
from numerics.empirical.training import train_two_layer_ensemble
from numerics.empirical.two_layer import TwoLayerEnsemble, gradient_from_residual, init_two_layer


def _data(n=12, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.uniform(-1, 1, size=n)
    return X, y


def _reference_gd(X, y, W0, a, eta, steps):
    """Straightforward single-network GD (1810.02054 eqs. 1-4), one neuron-sum at a time."""
    W = W0.copy()
    m = W.shape[0]
    losses = []
    for k in range(steps + 1):
        u = np.array([sum(a[r] * max(W[r] @ x, 0.0) for r in range(m)) / math.sqrt(m) for x in X])
        losses.append(float(((y - u) ** 2).sum()))
        if k == steps:
            break
        grad = np.zeros_like(W)
        for r in range(m):
            for i, x in enumerate(X):
                if W[r] @ x >= 0:
                    grad[r] += (u[i] - y[i]) * a[r] * x / math.sqrt(m)
        W = W - eta * grad
    return W, np.array(losses)


@pytest.mark.parametrize("chunk", [None, 1, 2])
def test_batched_gd_matches_single_network_reference(chunk):
    X, y = _data()
    seeds, m, eta, steps = [3, 7, 11], 16, 0.3, 25
    ens = TwoLayerEnsemble.initialise(seeds, m, X.shape[1])
    tr = train_two_layer_ensemble(ens, torch.tensor(X), torch.tensor(y), step_size=eta, steps=steps,
                                  lambda0=0.05, schedule=list(range(steps + 1)), chunk=chunk)
    for b, s in enumerate(seeds):
        W0, a = (t.numpy() for t in init_two_layer(s, m, X.shape[1]))
        W_ref, loss_ref = _reference_gd(X, y, W0, a, eta, steps)
        np.testing.assert_allclose(ens.W[b].numpy(), W_ref, rtol=0, atol=1e-12)
        np.testing.assert_allclose(tr.loss[b], loss_ref, rtol=1e-12, atol=1e-12)
        # observables against direct formulas
        dist = np.linalg.norm(W_ref - W0, axis=1)
        assert tr.max_movement[b, -1] == pytest.approx(dist.max(), abs=1e-12)
        assert tr.mean_movement[b, -1] == pytest.approx(dist.mean(), abs=1e-12)
        flips = np.mean((X @ W_ref.T >= 0) != (X @ W0.T >= 0))
        assert tr.flip_fraction[b, -1] == pytest.approx(flips, abs=1e-15)
        act = X @ W_ref.T >= 0  # (n, m)
        H = np.array([[X[i] @ X[j] * np.sum(act[i] & act[j]) / m for j in range(len(X))] for i in range(len(X))])
        assert tr.gram_lambda_min[b, -1] == pytest.approx(np.linalg.eigvalsh(H)[0], abs=1e-12)


def test_init_depends_only_on_seed_and_width():
    W1, a1 = init_two_layer(5, 32, 3)
    W2, a2 = init_two_layer(5, 32, 3)
    W3, _ = init_two_layer(5, 64, 3)
    assert torch.equal(W1, W2) and torch.equal(a1, a2)
    assert set(a1.tolist()) <= {-1.0, 1.0}
    assert not torch.allclose(W1, W3[:32])  # widths draw independent weights


def test_relu_derivative_at_zero_is_one():
    # w . x = 0 exactly: the paper's convention counts the neuron as active in the gradient.
    X = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    active = torch.matmul(torch.tensor([[[0.0, 1.0]]], dtype=torch.float64), X.t()) >= 0
    g = gradient_from_residual(active, torch.tensor([[1.0]], dtype=torch.float64), X, torch.tensor([[2.0]], dtype=torch.float64))
    assert torch.equal(g, torch.tensor([[[2.0, 0.0]]], dtype=torch.float64))


def test_sgd_with_full_batch_equals_gd_and_runs_do_not_depend_on_batchmates():
    X, y = _data(n=10)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    kw = dict(step_size=0.2, steps=15, lambda0=0.05, observe=())
    gd = TwoLayerEnsemble.initialise([1, 2], 8, X.shape[1])
    train_two_layer_ensemble(gd, Xt, yt, method="gd", **kw)
    sgd_full = TwoLayerEnsemble.initialise([1, 2], 8, X.shape[1])
    train_two_layer_ensemble(sgd_full, Xt, yt, method="sgd", batch_size=10, **kw)
    assert torch.allclose(gd.W, sgd_full.W, rtol=0, atol=1e-13)
    pair = TwoLayerEnsemble.initialise([1, 2], 8, X.shape[1])
    train_two_layer_ensemble(pair, Xt, yt, method="sgd", batch_size=3, **kw)
    alone = TwoLayerEnsemble.initialise([2], 8, X.shape[1])
    train_two_layer_ensemble(alone, Xt, yt, method="sgd", batch_size=3, **kw)
    assert torch.allclose(pair.W[1], alone.W[0], rtol=0, atol=1e-13)
    assert not torch.allclose(pair.W[1], gd.W[1])


def test_sgd_minibatch_step_matches_reference():
    # One SGD step with batch_size 1 moves only along the chosen sample: W(1) - W(0) = -eta n g_i.
    X, y = _data(n=6)
    ens = TwoLayerEnsemble.initialise([4], 5, X.shape[1])
    W0 = ens.W0[0].numpy().copy()
    a = ens.a[0].numpy()
    train_two_layer_ensemble(ens, torch.tensor(X), torch.tensor(y), step_size=0.1, steps=1, lambda0=0.05,
                             method="sgd", batch_size=1, observe=())
    u = np.maximum(X @ W0.T, 0) @ a / math.sqrt(5)
    steps = [-0.1 * 6 * np.outer(a * (X[i] @ W0.T >= 0), X[i]) * (u[i] - y[i]) / math.sqrt(5) for i in range(6)]
    delta = ens.W[0].numpy() - W0
    assert min(np.abs(delta - s).max() for s in steps) < 1e-13


def test_bound_is_met_with_equality_at_start_and_divergence_is_flagged():
    X, y = _data()
    ens = TwoLayerEnsemble.initialise([0, 1], 32, X.shape[1])
    tr = train_two_layer_ensemble(ens, torch.tensor(X), torch.tensor(y), step_size=5.0, steps=20, lambda0=0.05)
    assert np.array_equal(tr.loss[:, 0], tr.bound[:, 0])
    assert np.all(tr.first_violation >= 1)  # eta = 5 >> 2 / ||H||: the loss grows
    assert np.all(tr.worst_bound_ratio > 1)


def test_no_violation_when_bound_is_loose():
    # A tiny lambda0 makes the bound almost constant; small-step GD decreases the loss monotonically.
    X, y = _data()
    ens = TwoLayerEnsemble.initialise([0, 1, 2], 64, X.shape[1])
    tr = train_two_layer_ensemble(ens, torch.tensor(X), torch.tensor(y), step_size=0.05, steps=50, lambda0=1e-6)
    assert np.all(tr.first_violation == -1)
    assert np.all(tr.loss[:, -1] < tr.loss[:, 0])


def test_gram_distance_and_closed_form():
    X, _ = _data(n=5, d=3)
    H = obs.h_inf_closed_form_float(X)
    np.testing.assert_allclose(np.diag(H), 0.5)
    # Monte Carlo of E[x_i.x_j 1{w.x_i>=0, w.x_j>=0}] (DZPS Assumption 3.1) with a fixed seed
    w = np.random.default_rng(1).normal(size=(400_000, 3))
    A = (w @ X.T >= 0).astype(float)
    H_mc = (X @ X.T) * (A.T @ A) / len(w)
    np.testing.assert_allclose(H, H_mc, atol=5e-3)
    ens = TwoLayerEnsemble.initialise([0], 20, 3)
    active = torch.matmul(ens.W, torch.tensor(X).t()) >= 0
    d = obs.gram_distance(active, torch.tensor(X), torch.tensor(H))
    Hm = obs.finite_width_gram(active, torch.tensor(X))[0].numpy()
    assert d[0].item() == pytest.approx(np.linalg.norm(Hm - H, 2), abs=1e-12)


def test_schedule_and_radii():
    s = obs.log_spaced_schedule(300)
    assert s[0] == 0 and s[-1] == 300 and s == sorted(set(s))
    assert obs.log_spaced_schedule(0) == [0]
    # Cor. 4.1 radius is twice the corrected gradient-flow radius (4 vs 2)
    assert obs.dzps_radius_gd(1.5, 9, 100, 0.1) == pytest.approx(2 * obs.dzps_radius_flow(1.5, 9, 100, 0.1))
    assert obs.dzps_radius_gd(2.0, 4, 16, 0.5) == pytest.approx(4 * 2 * 2.0 / (4 * 0.5))
    with pytest.raises(ValueError, match="steps"):
        obs.log_spaced_schedule(-1)


def test_bad_method_and_batch_size():
    X, y = _data()
    ens = TwoLayerEnsemble.initialise([0], 4, X.shape[1])
    with pytest.raises(ValueError, match="method"):
        train_two_layer_ensemble(ens, torch.tensor(X), torch.tensor(y), step_size=0.1, steps=1, lambda0=0.1, method="adam")
    with pytest.raises(ValueError, match="batch_size"):
        train_two_layer_ensemble(ens, torch.tensor(X), torch.tensor(y), step_size=0.1, steps=1, lambda0=0.1, method="sgd")
