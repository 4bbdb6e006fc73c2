"""The two-layer Gauss-Newton search (float, proposes) and the proof that decides on its point."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.instance.lazy_minimizer import certify_lazy_minimizer
from numerics.instance.levenberg_marquardt import float_floor, levenberg_marquardt
from numerics.instance.two_layer_gauss_newton import (TwoLayerModel, choose_solver, conjugate_gradients,
                                                      two_layer_gauss_newton_search)


def _init(m: int, d: int, seed: int = 0):
    from numerics.empirical.two_layer import init_two_layer

    W0, a = init_two_layer(seed, m, d)
    return W0.numpy(), a.numpy()


def _outputs(X, W, a):
    Xf = X / np.linalg.norm(X, axis=1, keepdims=True)
    return a @ np.maximum(W @ Xf.T, 0.0) / math.sqrt(W.shape[0])


def wine_subsample(n: int = 60, seed: int = 0):
    """Standardized wine rows on the unit sphere, labels +-1 by class parity (a subsample)."""
    datasets = pytest.importorskip("sklearn.datasets")
    b = datasets.load_wine()
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(b.target), size=n, replace=False))
    X = b.data[idx].astype(float)
    X = (X - X.mean(0)) / X.std(0)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, np.where(b.target[idx] % 2 == 0, 1.0, -1.0)


def test_search_reaches_the_float_floor_on_wine_and_the_proof_certifies():
    X, y = wine_subsample()
    W0, a = _init(200, X.shape[1])
    r0 = np.linalg.norm(y - _outputs(X, W0, a))
    s = two_layer_gauss_newton_search(X, y, W0, a)
    floor = float_floor(len(y), 1.0)
    assert s.converged and s.residual_norm <= floor, s.stop_reason
    assert s.start_residual_norm == pytest.approx(r0, rel=1e-12)
    # the reported residual is the residual of the returned weights (recomputed independently)
    assert np.linalg.norm(y - _outputs(X, s.W, a)) <= 10 * floor
    assert list(s.history) == sorted(s.history, reverse=True)         # accepted steps only decrease
    res = certify_lazy_minimizer(X, y, s.W, a, W0)
    assert res.certified, res.reason
    assert float(res.residual_norm.lo) <= s.residual_norm * 1.01 + 1e-15


def test_the_proof_rejects_the_start_point_that_the_search_fixes():
    X, y = wine_subsample()
    W0, a = _init(200, X.shape[1])
    assert not certify_lazy_minimizer(X, y, W0, a, W0).certified


class _ArcTan:
    """u(theta) = arctan(theta), y = 0: the full Gauss-Newton step from theta = 2 overshoots
    (|arctan(-3.54)| > |arctan(2)|), half of it decreases the residual."""

    def __init__(self):
        import torch

        self.y = torch.zeros(1, dtype=torch.float64)

    def residual(self, theta):
        import torch

        return self.y - torch.atan(theta)

    def gram(self, theta):

        J = 1.0 / (1.0 + theta * theta)

        class G:
            scale = float(J[0] ** 2)

            @staticmethod
            def solve(e, mu):
                return e / (J * J + mu)

            @staticmethod
            def apply(v):
                return J * J * v
        return G

    def step(self, theta, alpha):
        return alpha / (1.0 + theta * theta)

    def admissible(self, theta, trial):
        return True


def test_step_halving_triggers_when_the_full_step_overshoots():
    import torch

    theta0 = torch.tensor([2.0], dtype=torch.float64)
    # the full step really overshoots: the premise of the crafted case
    full = theta0 + _ArcTan().step(theta0, _ArcTan().gram(theta0).solve(-torch.atan(theta0), 1e-3 * 0.04))
    assert abs(math.atan(float(full[0]))) > math.atan(2.0)
    out = levenberg_marquardt(_ArcTan(), theta0, max_iterations=1, tol=0.0, floor=0.0, max_halvings=4)
    assert out.iterations == 1 and out.halvings >= 1 and out.residual < math.atan(2.0)
    without = levenberg_marquardt(_ArcTan(), theta0, max_iterations=1, tol=0.0, floor=0.0, max_halvings=0)
    assert without.halvings == 0 and without.trials > out.trials     # rejected, damped and re-solved


def test_too_many_flips_are_refused_and_halved():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 5))
    y = rng.choice([-1.0, 1.0], 30)
    W0, a = _init(40, 5, seed=1)
    free = two_layer_gauss_newton_search(X, y, W0, a, max_iterations=5, max_flip_fraction=1.0)
    strict = two_layer_gauss_newton_search(X, y, W0, a, max_iterations=5, max_flip_fraction=0.002)
    assert strict.halvings > 0 and strict.halvings >= free.halvings
    # every accepted strict step flipped at most 0.2% of the 40 x 30 signs: at most 2 per step
    assert strict.residual_norm < strict.start_residual_norm


def test_cg_solve_agrees_with_the_cholesky_solve():
    import torch

    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 6))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    W0, a = _init(120, 6, seed=2)
    Xt = torch.tensor(X)
    e = torch.tensor(rng.standard_normal(50))
    W = torch.tensor(W0)
    chol = TwoLayerModel(Xt, e, torch.tensor(a), Xt @ Xt.T, "cholesky", 1.0)
    cg = TwoLayerModel(Xt, e, torch.tensor(a), None, "cg", 1.0, cg_tol=1e-12, cg_max_iterations=5000)
    Kc, Kf = chol.gram(W), cg.gram(W)
    v = torch.tensor(rng.standard_normal(50))
    assert torch.allclose(Kc.apply(v), Kf.apply(v), rtol=1e-12, atol=1e-12)      # K v two ways
    mu = 1e-3 * Kc.scale
    x1, x2 = Kc.solve(e, mu), Kf.solve(e, mu)
    assert x2 is not None
    assert float(torch.linalg.norm(x1 - x2) / torch.linalg.norm(x1)) < 1e-8
    # and the dense K is (P^T P) o (X X^T) / m, built here from its definition
    P = (W0 @ X.T > 0).astype(float)
    K = (P.T @ P) * (X @ X.T) / 120
    assert np.allclose(Kc.K.numpy(), K, rtol=0, atol=1e-14)


def test_cg_and_cholesky_searches_reach_the_same_floor():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 8))
    y = rng.choice([-1.0, 1.0], 40)
    W0, a = _init(300, 8)
    s1 = two_layer_gauss_newton_search(X, y, W0, a, solver="cholesky")
    s2 = two_layer_gauss_newton_search(X, y, W0, a, solver="cg", cg_tol=1e-10)
    assert s1.solver == "cholesky" and s2.solver == "cg"
    assert s1.converged and s2.converged
    assert np.abs(s1.W - s2.W).max() < 1e-6          # same iterates up to the solves' accuracy
    assert certify_lazy_minimizer(X, y, s2.W, a, W0).certified


def test_conjugate_gradients_reports_failure_instead_of_a_wrong_answer():
    import torch

    A = torch.tensor([[1.0, 0.0], [0.0, -1.0]], dtype=torch.float64)       # indefinite
    assert conjugate_gradients(lambda v: A @ v, torch.tensor([0.0, 1.0], dtype=torch.float64),
                               torch.ones(2, dtype=torch.float64), 1e-10, 10) is None


def test_solver_choice_and_bad_arguments():
    assert choose_solver("auto", 100, 4096) == "cholesky"
    assert choose_solver("auto", 5000, 4096) == "cg"
    with pytest.raises(ValueError, match="solver"):
        choose_solver("lu", 10)
    X = np.eye(3)
    with pytest.raises(ValueError, match="a: "):
        two_layer_gauss_newton_search(X, np.ones(3), np.ones((2, 3)), np.array([1.0, 0.5]))
    with pytest.raises(ValueError, match="max_flip_fraction"):
        two_layer_gauss_newton_search(X, np.ones(3), np.ones((2, 3)), np.ones(2), max_flip_fraction=0.0)


def test_too_narrow_is_never_certified():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 3))
    y = rng.choice([-1.0, 1.0], 40)
    W0, a = _init(12, 3)                       # m d = 36 < n = 40
    s = two_layer_gauss_newton_search(X, y, W0, a, max_iterations=30)
    res = certify_lazy_minimizer(X, y, s.W, a, W0)
    assert not res.certified and "m d" in res.reason


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_contradictory_duplicate_rows_are_never_certified(scale):
    # x_7 = scale * x_2 normalizes to the same unit row, with the opposite label: no network
    # interpolates both, whatever the search proposes
    rng = np.random.default_rng(6)
    X = rng.standard_normal((20, 4))
    X[7] = scale * X[2]
    y = rng.choice([-1.0, 1.0], 20)
    y[7] = -y[2]
    W0, a = _init(400, 4)
    s = two_layer_gauss_newton_search(X, y, W0, a, max_iterations=20)
    assert not s.converged and s.residual_norm >= 1.0     # >= sqrt(2) for identical float rows
    assert not certify_lazy_minimizer(X, y, s.W, a, W0).certified
