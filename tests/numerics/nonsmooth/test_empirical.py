"""Empirical nonsmooth tools: the min-norm QP, the Goldstein estimate, the stochastic
subgradient method on a small ReLU net, and the relu'(0) experiment (all small)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.nonsmooth.goldstein import goldstein_min_norm, min_norm_in_hull, uniform_in_ball
from numerics.nonsmooth.relu_derivative_at_zero import relu_derivative_at_zero_experiment, relu_s
from numerics.nonsmooth.stochastic_subgradient import compare_schedules, run_subgradient_method


def test_min_norm_known_cases():
    assert min_norm_in_hull(np.array([[1.0, 0.0], [-1.0, 0.0]]))[0] == pytest.approx(0.0, abs=1e-9)
    assert min_norm_in_hull(np.array([[1.0, 1.0], [1.0, -1.0]]))[0] == pytest.approx(1.0, abs=1e-9)
    assert min_norm_in_hull(np.array([[3.0, 4.0]]))[0] == pytest.approx(5.0)
    # segment from (2, 1) to (-1, 1): closest point (0, 1)
    norm, w = min_norm_in_hull(np.array([[2.0, 1.0], [-1.0, 1.0]]))
    assert norm == pytest.approx(1.0, abs=1e-8) and w == pytest.approx([1 / 3, 2 / 3], abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_min_norm_satisfies_the_optimality_condition(m, n, seed):
    # v = argmin over conv(G) iff g_i . v >= |v|^2 for every row g_i
    G = np.random.default_rng(seed).normal(size=(m, n))
    norm, w = min_norm_in_hull(G)
    v = w @ G
    assert abs(np.linalg.norm(v) - norm) < 1e-12 and abs(w.sum() - 1) < 1e-9 and (w >= 0).all()
    assert (G @ v >= norm**2 - 1e-6 * max(1.0, np.abs(G).max() ** 2)).all()


def test_uniform_in_ball_stays_in_the_ball():
    pts = uniform_in_ball(torch.ones(3, dtype=torch.float64), 0.5, 200, torch.Generator().manual_seed(0))
    assert ((pts - 1).norm(dim=1) <= 0.5 + 1e-12).all()


def test_goldstein_estimate_of_abs():
    def grad(z):
        return torch.sign(z)  # gradient of sum |z_i| away from 0

    g = torch.Generator().manual_seed(0)
    at_kink = goldstein_min_norm(grad, torch.zeros(1, dtype=torch.float64), 0.1, 16, g)
    away = goldstein_min_norm(grad, torch.ones(1, dtype=torch.float64), 0.1, 16, g)
    assert at_kink.norm < 1e-6 and away.norm == pytest.approx(1.0, abs=1e-8)
    with pytest.raises(ValueError, match="eps"):
        goldstein_min_norm(grad, torch.zeros(1), 0.0)


def test_subgradient_method_decreases_loss_and_goldstein_measure():
    run = run_subgradient_method("0.5/(k+1)^0.75", steps=60, record_every=30, goldstein_samples=8,
                                 width=8, n=32)
    assert run.steps == [0, 30, 60]
    assert run.loss[-1] < run.loss[0]
    assert run.goldstein[-1] < run.goldstein[0]
    assert all(gs <= gn + 1e-9 for gs, gn in zip(run.goldstein, run.gradient_norm))


def test_schedules_kakade_lee_and_projection():
    runs = compare_schedules(("0.5/(k+1)", "0.05"), steps=10, record_every=10, goldstein_samples=4, width=4, n=16)
    assert set(runs) == {"0.5/(k+1)", "0.05"}
    kl = run_subgradient_method(steps=10, record_every=10, goldstein_samples=4, width=4, n=16,
                                subgradients="kakade-lee")
    ad = run_subgradient_method(steps=10, record_every=10, goldstein_samples=4, width=4, n=16)
    # generic iterates: no kink reached exactly, so both subgradients coincide
    assert kl.loss == pytest.approx(ad.loss, rel=1e-12)
    proj = run_subgradient_method(steps=10, record_every=10, goldstein_samples=4, width=4, n=16,
                                  projection_radius=1.0)
    assert proj.max_param_norm <= 1.0 + 1e-12
    with pytest.raises(ValueError, match="only k"):
        run_subgradient_method("1/(j+1)", steps=1)


def test_relu_with_chosen_derivative_at_zero():
    for s in (0.0, 0.5, 1.0):
        x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        (g,) = torch.autograd.grad(relu_s(x, s).sum(), [x])
        assert g.tolist() == [0.0, s, 1.0]


def test_relu_prime_experiment_fields():
    res = relu_derivative_at_zero_experiment(dtypes=(torch.float32, torch.float64), n=32, d=8, width=8,
                                             steps=8, batch_size=8)
    assert [r.dtype for r in res] == ["float32", "float64"]
    for r in res:
        assert 0.0 <= r.gradient_differs <= r.tie_fraction <= 1.0
        assert set(r.final_loss) == {0.0, 0.5, 1.0}
