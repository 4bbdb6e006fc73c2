"""numerics/instance/deep_gauss_newton.py and smallest_width.py (float search; width bisection)."""

import numpy as np
import pytest

from numerics.instance.deep_gauss_newton import deep_gauss_newton_search, gradient_descent
from numerics.instance.smallest_width import smallest_certified_width
from numerics.networks import Architecture
from numerics.networks.float_forward import outputs
from numerics.networks.initialization import initial_parameters
from numerics.kernels.two_layer import normalize_rows


@pytest.mark.parametrize("kind,depth,m", [("deep-fc", 3, 24), ("resnet", 2, 48), ("deep-fc", 2, 64)])
def test_search_reaches_the_float_floor_and_reports_it(kind, depth, m):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 4)), rng.choice([-1.0, 1.0], size=12)
    p0 = initial_parameters(Architecture(kind, m, 4, depth=depth), 0)
    s = deep_gauss_newton_search(p0, X, y)
    u = outputs(s.params, normalize_rows(X).mid())
    assert s.converged and np.linalg.norm(u - y) < 1e-12
    assert abs(np.linalg.norm(u - y) - s.residual_norm) < 1e-12
    assert list(s.history) == sorted(s.history, reverse=True)       # accepted steps only decrease
    assert s.as_dict()["iterations"] == s.iterations == len(s.history)


def test_a_spurious_stationary_point_is_reported_not_hidden():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 4)), rng.choice([-1.0, 1.0], size=12)
    p0 = initial_parameters(Architecture("two-layer", 24, 4), 0)
    s = deep_gauss_newton_search(p0, X, y)
    assert not s.converged and s.residual_norm > 0.1
    assert s.stop_reason.startswith(("slow progress", "stalled"))


def test_gradient_descent_decreases_the_loss():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((10, 3)), rng.choice([-1.0, 1.0], size=10)
    p0 = initial_parameters(Architecture("deep-fc", 32, 3, depth=2), 0)
    loss0 = 0.5 * np.sum((outputs(p0, normalize_rows(X).mid()) - y) ** 2)
    p, info = gradient_descent(p0, X, y, 30)
    assert float(info["final_loss_float"]) < loss0


def test_width_search_doubles_then_bisects():
    calls = []

    def certified(m):
        calls.append(m)
        return m >= 37

    w = smallest_certified_width(certified, 4, 1000)
    assert w.smallest == 37
    assert calls[:5] == [4, 8, 16, 32, 64]
    assert all(ok == (m >= 37) for m, ok in w.tried)
    assert smallest_certified_width(lambda m: False, 4, 20).smallest is None
    with pytest.raises(ValueError):
        smallest_certified_width(certified, 0, 10)
