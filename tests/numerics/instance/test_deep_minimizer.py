"""numerics/instance/deep_minimizer.py: what a certificate claims is checked at 200 bits, and the
cases where no zero-loss minimizer can exist (or where an activation flips inside the ball) are
never certified."""

from __future__ import annotations

import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from arb_network_oracle import arb_corrected_layers, arb_forward_backward, arb_newton_zero, arb_norm
from numerics.instance.deep_gauss_newton import deep_gauss_newton_search
from numerics.instance.deep_minimizer import CERTIFIED, certify_deep_minimizer
from numerics.kernels.two_layer import normalize_rows
from numerics.networks import Architecture
from numerics.networks.initialization import initial_parameters
from numerics.networks.reference_pass import reference_pass
from numerics_oracle import ORACLE_BITS, UnresolvedKink, arb_c_sigma, arb_unit_rows

_C = {}


def _c_sigma(act):
    if act not in _C:
        _C[act] = arb_c_sigma(act)
    return _C[act]


def _data(n, d, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * scale
    y = rng.choice([-1.0, 1.0], size=n) * rng.uniform(0.5, 1.5, size=n)
    return X, y


def _found(kind, depth, act, m, X, y, seed=0, train_output=None, iterations=60):
    arch = Architecture(kind, m, X.shape[1], depth=depth, activation=act, train_output=train_output)
    p0 = initial_parameters(arch, seed)
    s = deep_gauss_newton_search(p0, X, y, max_iterations=iterations)
    return p0, s


def _oracle_check(params, X, y, res):
    """Newton at 200 bits from alpha = 0 converges to a zero inside the certified ball, with
    every ReLU sign that of the float pass."""
    arch = params.architecture
    ref = reference_pass(params, normalize_rows(X).mid())
    rows_x = [ref.inputs] + list(ref.features)
    rows = arb_unit_rows(X)
    alpha, worst, zs = arb_newton_zero(arch, dict(params.layers), ref.gradients, rows_x, rows, y,
                                       _c_sigma(arch.activation))
    with ctx.workprec(ORACLE_BITS):
        assert worst < arb(1e-30), worst          # c_sigma of tanh/softplus is a 1e-40 ball
        assert arb_norm(alpha) <= arb(res.radius), (arb_norm(alpha), res.radius)
        if arch.activation == "relu":
            for i, zi in enumerate(zs):
                for h, zh in enumerate(zi):
                    for r, z in enumerate(zh):
                        zhat = ref.preactivations[h][i, r]
                        assert (z > 0) if zhat > 0 else (z < 0), (i, h, r)


CASES = [("deep-fc", 2, "relu", 8, 3, 5), ("resnet", 3, "relu", 6, 3, 5), ("two-layer", 1, "relu", 8, 3, 4),
         ("deep-fc", 1, "relu", 8, 3, 5), ("deep-fc", 2, "tanh", 6, 3, 5), ("resnet", 2, "softplus", 6, 2, 4)]


@pytest.mark.parametrize("kind,depth,act,m,d,n", CASES)
def test_certified_minimizer_is_a_zero_at_200_bits(kind, depth, act, m, d, n):
    X, y = _data(n, d, seed=m + n)
    p0, s = _found(kind, depth, act, m, X, y)
    res = certify_deep_minimizer(s.params, X, y, p0)
    assert res.status == CERTIFIED, (res.reason, res.attempts)
    assert float(res.lambda_min.lo) > 0 and res.contraction < 1
    _oracle_check(s.params, X, y, res)
    names = [L.name for L in res.layers]
    assert names == list(s.params.architecture.layer_names)
    for L in res.layers:
        assert L.distance_from_init.lo <= L.distance_from_init.hi
        assert L.correction_frobenius <= res.parameter_distance * (1 + 1e-12)


@st.composite
def small_problems(draw):
    kind = draw(st.sampled_from(["deep-fc", "resnet", "two-layer"]))
    depth = 1 if kind == "two-layer" else draw(st.integers(1, 3))
    act = draw(st.sampled_from(["relu", "relu", "tanh", "softplus"])) if kind != "two-layer" else "relu"
    m, d, n = draw(st.integers(4, 8)), draw(st.integers(2, 4)), draw(st.integers(1, 6))
    X, y = _data(n, d, draw(st.integers(0, 10 ** 6)), scale=10.0 ** draw(st.integers(-100, 100)))
    return kind, depth, act, m, X, y, draw(st.integers(0, 100))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_every_certificate_is_confirmed_at_200_bits(problem):
    kind, depth, act, m, X, y, seed = problem
    p0, s = _found(kind, depth, act, m, X, y, seed)
    res = certify_deep_minimizer(s.params, X, y, p0)
    assume(res.certified)
    try:
        _oracle_check(s.params, X, y, res)
    except UnresolvedKink:
        raise AssertionError("a ReLU pre-activation is 0 at 200 bits inside a certified ball")


@st.composite
def impossible_data(draw):
    """Data with a repeated input (same or flipped label) or a parallel copy v, c v (c > 0)."""
    n, d = draw(st.integers(2, 6)), draw(st.integers(2, 4))
    X, y = _data(n, d, draw(st.integers(0, 10 ** 6)))
    i = draw(st.integers(0, n - 1))
    how = draw(st.sampled_from(["duplicate", "flipped", "parallel"]))
    row = X[i] * (draw(st.sampled_from([2.0, 0.5, 3.0])) if how == "parallel" else 1.0)
    label = -y[i] if how == "flipped" else y[i] + (0.25 if how == "parallel" else 0.0)
    X = np.vstack([X, row])
    y = np.append(y, label)
    kind = draw(st.sampled_from(["deep-fc", "resnet"]))
    return kind, draw(st.integers(1, 2)), draw(st.sampled_from(["relu", "tanh"])), X, y


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(impossible_data())
def test_repeated_or_parallel_inputs_are_never_certified(problem):
    kind, depth, act, X, y = problem
    p0, s = _found(kind, depth, act, 8, X, y, iterations=30)
    res = certify_deep_minimizer(s.params, X, y, p0)
    assert not res.certified
    assert "lambda_min" in res.reason


def test_too_few_parameters_is_reported():
    X, y = _data(30, 2, 0)
    p0, _ = _found("deep-fc", 1, "relu", 4, X, y, iterations=1)
    res = certify_deep_minimizer(p0, X, y)
    assert not res.certified and "P = 12 < n = 30" in res.reason


def test_an_activation_that_flips_inside_the_ball_fails_the_margin_check():
    """Shift the labels so that the ball of the argument grows until a first-order move of the
    smallest-margin pre-activation crosses 0 inside it: the flip is exhibited at 200 bits, and
    the certificate refuses with the sign reason."""
    X, y = _data(5, 3, 11)
    p0, s = _found("deep-fc", 2, "relu", 8, X, y)
    params = s.params
    assert certify_deep_minimizer(params, X, y, p0).certified
    ref = reference_pass(params, normalize_rows(X).mid())
    h, i, r = min(((h, i, r) for h in range(2) for i in range(5) for r in range(8)),
                  key=lambda t: abs(ref.preactivations[t[0]][t[1], t[2]]))
    margin = abs(ref.preactivations[h][i, r])
    # d z_ir / d alpha (first order), by finite differences of the float pass along Jhat^T e_j
    rows_x = [ref.inputs] + list(ref.features)
    grad = np.zeros(5)
    eps = 1e-7
    for j in range(5):
        layers = _moved(params, ref, eps * np.eye(5)[j])
        grad[j] = (reference_pass(layers, ref.inputs).preactivations[h][i, r] - ref.preactivations[h][i, r]) / eps
    shift = 3.0 * margin / np.linalg.norm(grad)                  # the flip point needs ||alpha|| ~ shift
    res0 = certify_deep_minimizer(params, X, y, p0)
    lam = float(res0.lambda_min.lo)
    y2 = y + (shift * lam) * np.eye(5)[0]                        # eps ~ shift lam, radius ~ 2 shift
    res = certify_deep_minimizer(params, X, y2, p0)
    assert not res.certified
    assert "sign" in res.reason
    # the flip exists inside the ball: alpha = -t sign(z) grad/|grad| with ||alpha|| <= radius
    alpha = -np.sign(ref.preactivations[h][i, r]) * grad / np.linalg.norm(grad) * min(res.radius, 2.5 * shift) * 0.999
    W = arb_corrected_layers(params.architecture, dict(params.layers), ref.gradients, rows_x, alpha)
    zs, _, _, _ = arb_forward_backward(params.architecture, W, arb_unit_rows(X)[i], _c_sigma("relu"))
    zhat = ref.preactivations[h][i, r]
    with ctx.workprec(ORACLE_BITS):
        assert (zs[h][r] < 0) if zhat > 0 else (zs[h][r] > 0), "no flip exhibited"


def _moved(params, ref, alpha):
    """theta~ + Jhat^T alpha in float (for finite differences only)."""
    arch = params.architecture
    layers = dict(params.layers)
    for h, name in enumerate(arch.hidden_names, start=1):
        if name in arch.trained_names:
            layers[name] = layers[name] + (ref.gradients[h - 1] * alpha[:, None]).T @ ref.layer_input(h)
    if arch.train_output:
        layers["a"] = layers["a"] + ref.features[-1].T @ alpha
    return params.replace(**layers)
