"""Soundness: every enclosure of numerics/curvature contains the mpmath value (tiny nets, P <= 30),
including weights of very different magnitudes and points next to ReLU kinks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf

from mp_network_oracle import Oracle
from numerics.arith.interval import Interval
from numerics.curvature.activation_derivatives import KinkInside, activation_derivatives
from numerics.curvature.ball_hessian import one_hidden_layer_hessian
from numerics.curvature.loss_gradient import gradient_balls, gradient_enclosure
from numerics.curvature.taylor_jets import line_derivatives
from numerics.networks import Architecture, Parameters

NETS = [("two-layer", 1, "tanh", True), ("two-layer", 1, "relu", False), ("two-layer", 1, "softplus", True),
        ("deep-fc", 2, "tanh", True), ("deep-fc", 2, "relu", True), ("resnet", 2, "softplus", True),
        ("deep-fc", 1, "softplus", False)]
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _inside(iv: Interval, value, idx=()) -> bool:
    lo, hi = float(iv.lo[idx]), float(iv.hi[idx])
    return mpf(lo) <= value <= mpf(hi)


def tiny_net(net, seed: int, scale: float, n: int = 5, d: int = 2, m: int = 3):
    kind, depth, act, train_output = net
    arch = Architecture(kind, m, d, depth=depth, activation=act, train_output=train_output)
    rng = np.random.default_rng(seed)
    layers = {name: rng.standard_normal(arch.layer_shape(name)) * scale for name in arch.layer_names}
    if not arch.train_output and kind == "two-layer":
        layers["a"] = np.sign(layers["a"]) + (layers["a"] == 0)
    X = rng.standard_normal((n, d)) * rng.choice([1e-3, 1.0, 30.0])
    y = rng.standard_normal(n)
    return Parameters(arch, layers), X, y, rng.standard_normal(arch.parameter_count)


@SLOW
@given(net=st.sampled_from(NETS), seed=st.integers(0, 10 ** 6), scale=st.sampled_from([1e-3, 0.3, 1.0, 4.0]))
def test_line_derivatives_contain_mpmath(net, seed, scale):
    params, X, y, v = tiny_net(net, seed, scale)
    try:
        ld = line_derivatives(params, X, y, v)
    except KinkInside:
        return                      # a pre-activation not proved nonzero: nothing claimed
    L, L1, L2 = Oracle(params, X, y).line(v)
    assert _inside(ld.loss, L) and _inside(ld.slope, L1) and _inside(ld.curvature, L2)
    assert _inside(ld.quotient, L2 / mp.fsum(mpf(float(t)) ** 2 for t in v))


@SLOW
@given(net=st.sampled_from(NETS), seed=st.integers(0, 10 ** 6), scale=st.sampled_from([1e-3, 1.0, 4.0]))
def test_gradient_contains_mpmath(net, seed, scale):
    params, X, y, _ = tiny_net(net, seed, scale, n=4, m=2)
    try:
        g = gradient_enclosure(params, X, y)
    except KinkInside:
        return
    exact = Oracle(params, X, y).gradient()
    assert all(_inside(g, e, (j,)) for j, e in enumerate(exact))


@SLOW
@given(net=st.sampled_from(NETS), seed=st.integers(0, 10 ** 6), scale=st.sampled_from([1e-3, 1.0, 4.0]),
       shift=st.sampled_from([0.0, 1e-17, 3e-9]))
def test_arb_loss_and_gradient_contain_mpmath_at_a_two_float_point(net, seed, scale, shift):
    """gradient_balls at theta + correction (an exact sum between float64 numbers) contains the
    mpmath loss and gradient there, and is tight (the point of computing it in Arb)."""
    params, X, y, v = tiny_net(net, seed, scale, n=4, m=2)
    correction = shift * v
    try:
        enc = gradient_balls(params, X, y, correction=correction if shift else None)
    except KinkInside:
        return
    oracle = Oracle(params, X, y)
    with mp.workdps(80):
        oracle.theta = [a + mpf(float(c)) for a, c in zip(oracle.theta, correction)]
        assert _inside(enc.loss, oracle.at(oracle.theta))
    exact = oracle.gradient()
    assert all(_inside(enc.gradient, e, (j,)) for j, e in enumerate(exact))
    assert np.all(enc.gradient.rad() <= 1e-30 + 1e-15 * np.abs(enc.gradient.mid()))


def test_arb_gradient_on_normalized_rows_contains_mpmath():
    """normalize=True divides the rows in Arb; rows with power-of-two norms normalize exactly, so
    the oracle on the normalized floats is the exact reference."""
    arch = Architecture("two-layer", 2, 2, activation="tanh", train_output=True)
    params = Parameters(arch, {"W": np.array([[0.3, -1.1], [0.7, 0.2]]), "a": np.array([1.0, -0.5])})
    X = np.array([[2.0, 0.0], [0.0, -4.0], [-0.125, 0.0]])
    y = np.array([0.2, -0.3, 0.5])
    enc = gradient_balls(params, X, y, normalize=True)
    exact = Oracle(params, X / np.linalg.norm(X, axis=1, keepdims=True), y).gradient()
    assert all(_inside(enc.gradient, e, (j,)) for j, e in enumerate(exact))


def test_arb_gradient_refuses_a_relu_kink():
    arch = Architecture("two-layer", 2, 2, activation="relu", train_output=True)
    params = Parameters(arch, {"W": np.array([[0.0, 1.0], [-0.5, 0.25]]), "a": np.array([0.7, -1.3])})
    with pytest.raises(KinkInside):
        gradient_balls(params, np.array([[1.0, 0.0], [0.5, 2.0]]), np.array([0.3, -1.0]))


def test_relu_next_to_kink_is_enclosed_or_refused():
    """A pre-activation of 1e-20 at the point: proved positive and enclosed (the oracle's
    difference step moves it by < 1e-27, inside the same piece); exactly 0: refused."""
    arch = Architecture("two-layer", 2, 2, activation="relu", train_output=True)
    X = np.array([[1.0, 0.0], [0.5, 2.0], [-1.0, 1.0]])
    y = np.array([0.3, -1.0, 2.0])
    W = np.array([[1e-20, 1.0], [-0.5, 0.25]])           # z_11 = 1e-20 > 0 next to the kink
    params = Parameters(arch, {"W": W, "a": np.array([0.7, -1.3])})
    v = np.array([0.3, -0.2, 1.0, 0.5, -0.7, 0.4])
    ld = line_derivatives(params, X, y, v)
    L, L1, L2 = Oracle(params, X, y).line(v)
    assert _inside(ld.loss, L) and _inside(ld.slope, L1) and _inside(ld.curvature, L2)
    kinked = params.replace(W=np.array([[0.0, 1.0], [-0.5, 0.25]]))    # z_11 = 0 exactly
    with pytest.raises(KinkInside):
        line_derivatives(kinked, X, y, v)
    with pytest.raises(KinkInside):
        gradient_enclosure(kinked, X, y)


def test_relu_kink_inside_the_ball_is_refused():
    arch = Architecture("two-layer", 2, 2, activation="relu", train_output=True)
    X = np.array([[1.0, 0.0], [0.5, 2.0]])
    params = Parameters(arch, {"W": np.array([[1e-8, 1.0], [-0.5, 0.25]]), "a": np.array([0.7, -1.3])})
    one_hidden_layer_hessian(params, X, np.zeros(2), 1e-9)            # ball inside the piece: fine
    with pytest.raises(KinkInside):
        one_hidden_layer_hessian(params, X, np.zeros(2), 1e-7)        # the ball crosses z_11 = 0


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=st.sampled_from([n for n in NETS if n[1] == 1]), seed=st.integers(0, 10 ** 6),
       rho=st.sampled_from([0.0, 1e-6, 0.05]))
def test_ball_hessian_contains_mpmath_hessians(net, seed, rho):
    params, X, y, _ = tiny_net(net, seed, 1.0, n=3, d=2, m=2)
    try:
        H = one_hidden_layer_hessian(params, X, y, rho)
    except KinkInside:
        return
    oracle = Oracle(params, X, y)
    rng = np.random.default_rng(seed)
    theta = params.flatten()
    for k in range(2):
        step = rng.standard_normal(theta.size)
        step *= rho * (1.0 if k == 0 else rng.random()) / np.linalg.norm(step) * (1 - 1e-9)
        point = theta + step
        if params.architecture.activation == "relu" and k > 0:
            continue
        exact = oracle.hessian_at(point)
        for i in range(theta.size):
            for j in range(theta.size):
                assert _inside(H, exact[i, j], (i, j)), (i, j)


def _mp_derivatives(name, t):
    """sigma, sigma', sigma'' in mpmath from sech / exp (not from the identities the code uses)."""
    if name == "tanh":
        return mp.tanh(t), mp.sech(t) ** 2, -2 * mp.sinh(t) / mp.cosh(t) ** 3
    e = mp.exp(-t)
    return mp.log1p(mp.exp(t)), 1 / (1 + e), e / (1 + e) ** 2


@pytest.mark.parametrize("name", ["tanh", "softplus"])
def test_activation_derivatives_contain_mpmath(name):
    z = np.array([-800.0, -30.0, -1e-300, 0.0, 5e-324, 1e-8, 0.7, 19.5, 40.0, 710.0])
    enclosures = activation_derivatives(name, Interval(z))
    with mp.workdps(60):
        for i, t in enumerate(z):
            for enc, exact in zip(enclosures, _mp_derivatives(name, mpf(t))):
                assert _inside(enc, exact, (i,)), (name, t)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=st.sampled_from([n for n in NETS if n[1] == 1 and n[2] != "relu"]), seed=st.integers(0, 10 ** 6),
       rho=st.sampled_from([1e-6, 0.05]))
def test_split_ball_hessian_bounds_every_hessian_in_the_ball(net, seed, rho):
    """lambda_min(hess L(theta')) >= lambda_min over the core - deviation, checked by Weyl in
    mpmath: the distance of the exact Hessian to the core's midpoint is within rad + deviation."""
    from numerics.curvature.ball_hessian import split_ball_hessian

    params, X, y, _ = tiny_net(net, seed, 1.0, n=3, d=2, m=2)
    split = split_ball_hessian(params, X, y, rho)
    oracle = Oracle(params, X, y)
    rng = np.random.default_rng(seed)
    step = rng.standard_normal(params.flatten().size)
    step *= rho * (1 - 1e-9) / np.linalg.norm(step)
    exact = oracle.hessian_at(params.flatten() + step)
    with mp.workdps(40):
        mid = mp.matrix(split.core.mid().tolist())
        rad = split.core.rad()
        E = exact - mid
        # ||E||_2 <= ||rad||_F + deviation must hold for the exact Hessian in the ball
        assert mp.mnorm(E, "F") <= mpf(float(np.sqrt((rad ** 2).sum()))) * (1 + mpf(1e-12)) + mpf(split.deviation) or \
            max(abs(x) for x in mp.eigsy(E)[0]) <= mpf(float(np.sqrt((rad ** 2).sum()))) + mpf(split.deviation)
