"""Arora et al. Thm 4.1's predicted trajectory equals the linear recursion it abbreviates."""

import numpy as np
import pytest

from numerics.empirical.arora_trajectory import predicted_residual_norms, trajectory_gap
from numerics.empirical.observables import h_inf_closed_form_float


def test_prediction_is_the_linear_recursion():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(7, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.uniform(-1, 1, 7)
    H, eta = h_inf_closed_form_float(X), 0.4
    u = np.zeros(7)  # u~(0) = 0, u~(k+1) = u~(k) - eta H (u~(k) - y)   (1901.08584 eq. 7)
    norms = []
    for _ in range(31):
        norms.append(np.linalg.norm(y - u))
        u = u - eta * H @ (u - y)
    ks = [0, 1, 5, 30]
    np.testing.assert_allclose(predicted_residual_norms(H, y, eta, ks), np.array(norms)[ks], rtol=1e-12)


def test_gap():
    assert trajectory_gap([1.0, 0.5], [1.0, 0.25], 2.0) == pytest.approx(0.125)
    with pytest.raises(ValueError, match="scale"):
        trajectory_gap([1.0], [1.0], 0.0)
