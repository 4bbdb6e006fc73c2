"""End to end: a strict local minimum of a depth-2 tanh net (deep-fc and resnet, n > P) is
certified by certify_critical_point through the deep Hessian enclosure over a ball."""

from __future__ import annotations

import numpy as np
import pytest
from mpmath import mp, mpf

from float_minima import noisy_teacher_minimum
from mp_network_oracle import Oracle
from numerics.curvature.critical_point import STRICT_LOCAL_MINIMUM, certify_critical_point
from numerics.networks import Architecture


@pytest.mark.parametrize("kind, seed", [("deep-fc", 0), ("resnet", 2)])
def test_depth_two_tanh_minimum_is_certified(kind, seed):
    arch = Architecture(kind, 2, 2, depth=2, activation="tanh", train_output=True)    # P = 10
    params, X, y = noisy_teacher_minimum(arch, seed, n=40)
    res = certify_critical_point(params, X, y, normalize=False)
    assert res.status == STRICT_LOCAL_MINIMUM and res.loss_positive, res.reason
    lo, hi = res.lambda_min
    center = res.center                   # the refined point; the ball is around its float part
    assert 0 < lo <= hi and res.critical_point_distance >= center.moved
    oracle = Oracle(center.params, X, y)
    at = center.params.flatten()
    with mp.workdps(40):
        eig = mp.eigsy(oracle.second_differences(at))[0]
        assert min(eig) >= mpf(lo) - len(eig) * oracle.difference_slack(at)    # the center is in the ball
        exact_center = [mpf(float(a)) + mpf(float(b)) for a, b in zip(at, center.correction)]
        assert mpf(float(res.loss.lo)) <= oracle.at(exact_center)

def test_a_moved_deep_point_is_not_certified_a_minimum():
    arch = Architecture("deep-fc", 2, 2, depth=2, activation="tanh", train_output=True)
    params, X, y = noisy_teacher_minimum(arch, 0, n=40)
    moved = params.unflatten(params.flatten() + 0.05)
    assert certify_critical_point(moved, X, y, normalize=False).status != STRICT_LOCAL_MINIMUM


def test_a_deep_minimum_on_the_exactly_normalized_rows_is_certified():
    """normalize=True: the ball Hessian of the depth-2 net takes the interval enclosure of the
    exact rows x_i / ||x_i||; a float minimum on their roundings is certified."""
    from float_minima import float_minimum
    from numerics.kernels.two_layer import normalize_rows
    from numerics.networks import Parameters
    from numerics.networks.float_forward import outputs

    rng = np.random.default_rng(2)
    arch = Architecture("deep-fc", 2, 2, depth=2, activation="tanh", train_output=True)
    X = rng.standard_normal((40, 2)) * 3.0
    teacher = Parameters(arch, {k: rng.standard_normal(arch.layer_shape(k)) * 2 for k in arch.layer_names})
    Xn = normalize_rows(X).mid()
    y = outputs(teacher, Xn) + 0.1 * rng.standard_normal(40)
    res = certify_critical_point(float_minimum(teacher, Xn, y), X, y, normalize=True)
    assert res.status == STRICT_LOCAL_MINIMUM and res.normalized
    assert res.critical_point_distance >= res.center.moved
