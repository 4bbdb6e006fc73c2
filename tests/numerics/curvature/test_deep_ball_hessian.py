"""Soundness of the Hessian enclosure over a ball for deep nets (deep-fc and resnet, depth 2 and 3):
every exact Hessian (mpmath second differences at 160 digits) at points of the ball -- on its
boundary, concentrated in one layer or one coordinate, or inside -- lies in the enclosure; the
split form's Weyl bound holds; a ReLU kink inside the ball is refused."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf

from mp_network_oracle import Oracle
from numerics.curvature.activation_derivatives import KinkInside
from numerics.curvature.ball_hessian import one_hidden_layer_hessian, split_ball_hessian
from numerics.curvature.deep_ball_hessian import deep_ball_hessian
from numerics.curvature.perturbed_products import perturbed_times, times_perturbed
from numerics.linalg.spectral import lambda_min_enclosure
from numerics.networks import Architecture, Parameters

FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SWEEP = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODES = ("boundary", "one-layer", "one-coordinate", "inside")


@st.composite
def deep_nets(draw, max_width: int):
    """``(params, X, y, rho)``: a deep-fc or resnet of depth 2 or 3, width 2..max_width, d <= 2,
    n <= 3 (P <= 27 for width 3), weights and inputs at three scales, a ball radius (small for
    ReLU: margins)."""
    kind = draw(st.sampled_from(["deep-fc", "resnet"]))
    act = draw(st.sampled_from(["tanh", "softplus", "relu"]))
    arch = Architecture(kind, draw(st.integers(2, max_width)), draw(st.integers(1, 2)), depth=draw(st.integers(2, 3)),
                        activation=act, train_output=draw(st.booleans()), c_res=draw(st.sampled_from([0.5, 0.9])))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    wscale = draw(st.sampled_from([0.3, 1.0, 3.0]))
    layers = {name: rng.standard_normal(arch.layer_shape(name)) * wscale for name in arch.layer_names}
    n = draw(st.integers(1, 3))
    X = rng.standard_normal((n, arch.input_dim)) * draw(st.sampled_from([1e-3, 1.0, 30.0]))
    rho = draw(st.sampled_from([0.0, 1e-6] if act == "relu" else [0.0, 1e-6, 0.05]))
    return Parameters(arch, layers), X, rng.standard_normal(n), rho


def ball_point(params: Parameters, rho: float, mode: str, seed: int) -> list:
    """A point of the closed ball ``B(theta, rho)`` in mpmath (exactly on the sphere up to 1e-80
    relative for every mode but ``inside``)."""
    arch, rng = params.architecture, np.random.default_rng(seed)
    theta = [mpf(float(t)) for t in params.flatten()]
    step = rng.standard_normal(len(theta))
    if mode == "one-layer":
        sizes = [int(np.prod(arch.layer_shape(nm))) for nm in arch.trained_names]
        k = rng.integers(len(sizes))
        mask = np.zeros(len(theta), dtype=bool)
        mask[sum(sizes[:k]):sum(sizes[:k + 1])] = True
        step = np.where(mask, step, 0.0)
    elif mode == "one-coordinate":
        step = np.zeros(len(theta))
        step[rng.integers(len(theta))] = rng.choice([-1.0, 1.0])
    with mp.workdps(90):
        norm = mp.sqrt(mp.fsum(mpf(float(s)) ** 2 for s in step))
        scale = mpf(rho) / norm * (mpf(float(rng.random())) if mode == "inside" else 1)
        return [t + scale * mpf(float(s)) for t, s in zip(theta, step)]


def _entrywise_inside(H, exact, slack) -> list:
    """The entries of the mp matrix ``exact`` outside the interval matrix H by more than the
    oracle's error ``slack``."""
    P = H.shape[0]
    return [(i, j) for i in range(P) for j in range(P)
            if not mpf(float(H.lo[i, j])) - slack <= exact[i, j] <= mpf(float(H.hi[i, j])) + slack]


def _check_ball(net, mode, seed):
    params, X, y, rho = net
    try:
        H = deep_ball_hessian(params, X, y, rho)
        split = split_ball_hessian(params, X, y, rho)
    except KinkInside:
        assert params.architecture.activation == "relu"     # only ReLU has kinks; nothing is claimed
        return
    oracle = Oracle(params, X, y)
    point = ball_point(params, rho, mode, seed)
    at_point = oracle.second_differences(params.flatten())
    in_ball = oracle.second_differences(point) if rho > 0 else at_point
    slack = max(oracle.difference_slack(params.flatten()), oracle.difference_slack(point))
    assert _entrywise_inside(H, in_ball, slack) == []
    assert _entrywise_inside(split.core, at_point, slack) == []   # J^T J at theta + second order over the ball
    enc = lambda_min_enclosure(split.core, rel_tol=1e-3, backend="numpy", max_precision_bits=53)
    with mp.workdps(40):
        eig = mp.eigsy(in_ball)[0]
        assert min(eig) >= mpf(enc.lo) - mpf(split.deviation) - len(eig) * slack   # Weyl
        E = in_ball - mp.matrix(split.core.mid().tolist())
        rad = mpf(float(np.sqrt((split.core.rad() ** 2).sum()))) * (1 + mpf(2) ** -40)
        assert max(abs(v) for v in mp.eigsy(E)[0]) <= rad + mpf(split.deviation) + len(eig) * slack


@FAST
@given(net=deep_nets(2), mode=st.sampled_from(MODES), seed=st.integers(0, 10 ** 6))
def test_every_hessian_in_the_ball_lies_in_both_enclosures(net, mode, seed):
    _check_ball(net, mode, seed)


@pytest.mark.slow
@SWEEP
@given(net=deep_nets(3), mode=st.sampled_from(MODES), seed=st.integers(0, 10 ** 6))
def test_every_hessian_in_the_ball_lies_in_both_enclosures_sweep(net, mode, seed):
    _check_ball(net, mode, seed)


@pytest.mark.parametrize("kind", ["deep-fc", "resnet"])
@pytest.mark.parametrize("act", ["tanh", "softplus"])
def test_boundary_points_of_a_depth_three_net(kind, act):
    """One fixed depth-3 case per kind and activation (P = 14), a point on the sphere."""
    arch = Architecture(kind, 2, 2, depth=3, activation=act, train_output=True)
    rng = np.random.default_rng(7)
    params = Parameters(arch, {nm: rng.standard_normal(arch.layer_shape(nm)) for nm in arch.layer_names})
    _check_ball((params, rng.standard_normal((2, 2)), rng.standard_normal(2), 0.02), "boundary", 3)


@pytest.mark.parametrize("act, train_output", [("tanh", True), ("softplus", False), ("relu", True)])
def test_depth_one_agrees_with_the_explicit_formulas(act, train_output):
    """The adjoint formulas at depth 1 against the explicit one-hidden-layer enclosure: both
    contain every Hessian of the ball, so they overlap everywhere; at the point they agree to
    rounding."""
    arch = Architecture("deep-fc", 3, 2, depth=1, activation=act, train_output=train_output)
    rng = np.random.default_rng(11)
    params = Parameters(arch, {nm: rng.standard_normal(arch.layer_shape(nm)) for nm in arch.layer_names})
    X, y = rng.standard_normal((5, 2)), rng.standard_normal(5)
    for rho in (0.0, 1e-3):
        A, B = deep_ball_hessian(params, X, y, rho), one_hidden_layer_hessian(params, X, y, rho)
        assert (np.maximum(A.lo, B.lo) <= np.minimum(A.hi, B.hi)).all()
    A, B = deep_ball_hessian(params, X, y, 0.0), one_hidden_layer_hessian(params, X, y, 0.0)
    assert np.abs(A.mid() - B.mid()).max() <= 1e-12 * max(1.0, np.abs(B.mid()).max())


def test_interval_inputs_are_enclosed_too():
    """Rows given as intervals (as the exactly normalized rows are): the enclosure with rows
    widened by 1e-9 contains the Hessian at the float rows, at a point of the ball's sphere."""
    from numerics.arith.interval import Interval

    arch = Architecture("resnet", 2, 2, depth=2, activation="softplus", train_output=True)
    rng = np.random.default_rng(5)
    params = Parameters(arch, {nm: rng.standard_normal(arch.layer_shape(nm)) for nm in arch.layer_names})
    X, y = rng.standard_normal((3, 2)), rng.standard_normal(3)
    rows = Interval.from_mid_rad(X, np.full(X.shape, 1e-9))
    H = deep_ball_hessian(params, rows, y, 1e-3)
    assert H.rad().max() > deep_ball_hessian(params, X, y, 1e-3).rad().max()      # the rows' width counts
    oracle = Oracle(params, X, y)
    point = ball_point(params, 1e-3, "boundary", 1)
    assert _entrywise_inside(H, oracle.second_differences(point), oracle.difference_slack(point)) == []


def _relu_net_next_to_a_kink():
    """Depth-2 ReLU net (alpha = 1 at m = 2) with z^(2)_11 = 2^-21 > 0 exactly: a kink at distance
    2^-21 / ||x^(1)_1|| ~ 4e-7 (move W2[0, 0])."""
    arch = Architecture("deep-fc", 2, 2, depth=2, activation="relu", train_output=True)
    params = Parameters(arch, {"W1": np.array([[1.0, 0.0], [0.5, 0.25]]),
                               "W2": np.array([[1.0, -2.0 + 2.0 ** -20], [0.75, 0.5]]), "a": np.array([0.7, -1.3])})
    return params, np.array([[1.0, 0.0], [0.5, 2.0]]), np.array([0.3, -1.0])


def test_relu_kink_inside_the_ball_is_refused():
    params, X, y = _relu_net_next_to_a_kink()
    H = deep_ball_hessian(params, X, y, 1e-9)                 # the ball stays on one piece: enclosed
    oracle = Oracle(params, X, y)
    exact = oracle.second_differences(params.flatten())
    assert _entrywise_inside(H, exact, oracle.difference_slack(params.flatten())) == []
    for rho in (1e-6, 1e-3):                                     # the ball crosses z^(2)_11 = 0
        with pytest.raises(KinkInside):
            split_ball_hessian(params, X, y, rho)


def test_relu_deep_net_is_never_a_certified_minimum():
    """Consecutive trained ReLU layers: rescaling symmetry, no strict minimum (named, not tried)."""
    from numerics.curvature.critical_point import STRICT_LOCAL_MINIMUM, certify_critical_point

    params, X, y = _relu_net_next_to_a_kink()
    res = certify_critical_point(params, X, y, normalize=False)
    assert res.status != STRICT_LOCAL_MINIMUM
    assert any("(c w_r, a_r / c)" in s for s in res.structure)


# ------------------------------------------------------------------ products over a Frobenius ball
def _exact_product(A, B) -> list:
    return [[sum(Fraction(A[i][k]) * Fraction(B[k][j]) for k in range(len(B))) for j in range(len(B[0]))]
            for i in range(len(A))]


def _perturbation(rng, shape, rho: float) -> np.ndarray:
    """Floats with exact Frobenius norm <= rho (checked in rationals)."""
    D = rng.standard_normal(shape)
    D *= rho / np.linalg.norm(D)
    while sum(Fraction(float(t)) ** 2 for t in D.ravel()) > Fraction(rho) ** 2:
        D *= 1 - 2.0 ** -40
    return D


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10 ** 6), scale_a=st.sampled_from([1e-300, 1e-5, 1.0, 1e5, 1e150]),
       scale_b=st.sampled_from([5e-324, 1e-8, 1.0, 1e100]), rho=st.sampled_from([0.0, 1e-300, 1e-6, 0.5, 1e3]))
def test_products_with_a_perturbed_factor_contain_the_exact_product(seed, scale_a, scale_b, rho):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((3, 4)) * scale_a
    B = rng.standard_normal((4, 2)) * scale_b
    D = _perturbation(rng, B.shape, rho)
    encl = times_perturbed(A, B, rho)
    for i, row in enumerate(_exact_product(A, B)):
        for j, v in enumerate(row):
            v += sum(Fraction(float(A[i, k])) * Fraction(float(D[k, j])) for k in range(4))
            assert Fraction(float(encl.lo[i, j])) <= v <= Fraction(float(encl.hi[i, j]))
    D2 = _perturbation(rng, A.shape, rho)
    encl = perturbed_times(A, B, rho)
    for i, row in enumerate(_exact_product(A, B)):
        for j, v in enumerate(row):
            v += sum(Fraction(float(D2[i, k])) * Fraction(float(B[k, j])) for k in range(4))
            assert Fraction(float(encl.lo[i, j])) <= v <= Fraction(float(encl.hi[i, j]))
