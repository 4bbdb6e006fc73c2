"""numerics/networks/interval_forward.py against Arb at 200 bits (tests/numerics_oracle.py) on
tiny nets (n <= 8, m <= 8, H <= 3), every kind and activation, boxes of parameters, exact
normalized inputs of any magnitude; ReLU signs next to kinks against exact rationals."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from numerics.arith.interval import Interval
from numerics.kernels.two_layer import normalize_rows
from numerics.networks import Architecture, IntervalParameters, Parameters
from numerics.networks.float_forward import forward, unit_rows
from numerics.networks.interval_forward import (activation_enclosure, activation_pattern,
                                                enclose_forward, hidden_scale_enclosure,
                                                residual_scale_enclosure)
from network_strategies import draw_tiny_network
from numerics_oracle import (ORACLE_BITS, UnresolvedKink, arb_c_sigma, arb_network_forward,
                             arb_softplus, arb_unit_rows, contains_ball)

_C_SIGMA = {}


def _c_sigma(act):
    if act not in _C_SIGMA:
        _C_SIGMA[act] = arb_c_sigma(act)
    return _C_SIGMA[act]


@st.composite
def tiny_problems(draw):
    params, V, radius, rng = draw_tiny_network(draw, max_n=8, radii=(0.0, 1e-12, 1e-6, 1e-2))
    return params, V, radius, draw(st.booleans()), rng


def _members(box: IntervalParameters, rng, count: int) -> list[dict]:
    """Float networks inside the box: corners and interior points."""
    out = []
    for _ in range(count):
        layers = {}
        for name, I in box.layers.items():
            t = rng.integers(0, 3, size=I.shape)
            v = np.where(t == 0, I.lo, np.where(t == 1, I.hi, I.lo + (I.hi - I.lo) * rng.random(I.shape)))
            layers[name] = np.clip(v, I.lo, I.hi)
        out.append(layers)
    return out


def _assert_encloses(I: Interval, balls, what: str, known_range=None):
    """Every ball (the part of it inside ``known_range``, where the truth lies) is inside I."""
    lo, hi = np.atleast_1d(I.lo), np.atleast_1d(I.hi)
    for idx, ball in enumerate(balls):
        assert contains_ball(float(lo[idx]), float(hi[idx]), ball, known_range), (what, idx, lo[idx], hi[idx], ball)


def _check_member(enc, pattern, arch, layers, rows):
    try:
        zs, xs, us = arb_network_forward(arch.kind, arch.activation, layers, rows, _c_sigma(arch.activation),
                                         arch.c_res)
    except UnresolvedKink:
        return False
    # relu / softplus features are >= 0 (a 200-bit ball of exp(-1e90) straddles 0)
    positive = (0.0, np.inf) if arch.activation != "tanh" else None
    with ctx.workprec(ORACLE_BITS):
        for h in range(arch.depth):
            for i in range(len(rows)):
                _assert_encloses(enc.preactivations[h][i], zs[h][i], f"Z{h + 1} row {i}")
                _assert_encloses(enc.features[h][i], xs[h][i], f"x{h + 1} row {i}", positive)
                for r, z in enumerate(zs[h][i]):
                    s = int(pattern.signs[h][i, r])
                    assert s == 0 or (s > 0 and z > 0) or (s < 0 and z < 0), ("wrong sign", h, i, r, z)
                    assert arb(float(pattern.margins[h][i, r])) <= abs(z) or pattern.margins[h][i, r] == 0
        _assert_encloses(enc.outputs, us, "u")
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_enclosures_contain_every_member_of_the_box(problem):
    params, V, radius, exact_inputs, rng = problem
    arch = params.architecture
    box = IntervalParameters.around(params, radius)
    X = V if exact_inputs else normalize_rows(V)
    with ctx.workprec(ORACLE_BITS):
        rows = [[arb(float(v)) for v in row] for row in V.tolist()] if exact_inputs else arb_unit_rows(V)
    enc = enclose_forward(box, X)
    pattern = activation_pattern(enc)
    members = [dict(params.layers)] + _members(box, rng, 2)
    resolved = [_check_member(enc, pattern, arch, layers, rows) for layers in members]
    assume(all(resolved))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_enclosures_contain_every_member_of_the_box_long(problem):
    test_enclosures_contain_every_member_of_the_box.hypothesis.inner_test(problem)


def test_point_enclosure_is_tight_and_contains_the_float_forward():
    arch = Architecture("resnet", 8, 4, depth=3, activation="tanh")
    rng = np.random.default_rng(0)
    params = Parameters(arch, {n: rng.standard_normal(arch.layer_shape(n)) for n in arch.layer_names})
    V = rng.standard_normal((6, 4))
    enc = enclose_forward(params, normalize_rows(V))
    u = forward(params, unit_rows(V)).outputs
    assert (enc.outputs.width() < 1e-12).all()
    assert np.allclose(enc.outputs.mid(), u, rtol=1e-12, atol=1e-13)


# ------------------------------------------------------------------ scalings and activations
@pytest.mark.parametrize("kind, act", [("two-layer", "relu"), ("deep-fc", "relu"), ("deep-fc", "tanh"),
                                       ("resnet", "softplus")])
@pytest.mark.parametrize("m", [1, 3, 7, 1000])
def test_scale_enclosures_contain_the_exact_scalings(kind, act, m):
    arch = Architecture(kind, m, 2, depth=3 if kind != "two-layer" else 1, activation=act, c_res=0.3)
    with ctx.workprec(ORACLE_BITS):
        alpha = 1 / arb(m).sqrt() if kind == "two-layer" else (_c_sigma(act) / m).sqrt()
        beta = arb(0.3) / (arch.depth * arb(m).sqrt())
    A, B = hidden_scale_enclosure(arch), residual_scale_enclosure(arch)
    assert contains_ball(float(A.lo), float(A.hi), alpha) and contains_ball(float(B.lo), float(B.hi), beta)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["relu", "tanh", "softplus"]),
       st.floats(-800, 800, allow_nan=False), st.floats(0, 50, allow_nan=False),
       st.sampled_from([1.0, 1e-300, 1e-12, 5e-324]))
def test_activation_enclosure_contains_arb_values(act, a, w, tiny):
    lo, hi = a * tiny, (a + w) * tiny if tiny == 1.0 else a * tiny + w * tiny
    lo, hi = min(lo, hi), max(lo, hi)
    I = activation_enclosure(act, Interval(np.array([lo]), np.array([hi])))
    with ctx.workprec(ORACLE_BITS):
        for t in (lo, hi, 0.5 * (lo + hi)):
            z = arb(t)
            y = (z if z > 0 else arb(0)) if act == "relu" else (z.tanh() if act == "tanh" else arb_softplus(z))
            known = {"relu": (0.0, np.inf), "tanh": (-1.0, 1.0), "softplus": (0.0, np.inf)}[act]
            assert contains_ball(float(I.lo[0]), float(I.hi[0]), y, known), (act, t, I)


# ------------------------------------------------------------------ ReLU kinks
_NEAR = st.one_of(st.just(0.0), st.floats(1e-17, 1e-11), st.floats(-1e-11, -1e-17))


def _exact_z(w_row, x_exact):
    return sum(Fraction(w) * xk for w, xk in zip(w_row, x_exact))


@settings(max_examples=150, deadline=None)
@given(_NEAR, st.sampled_from([0.0, 1e-14, 1e-13, 1e-12]), st.integers(-60, 60),
       st.integers(0, 2 ** 32 - 1), st.booleans())
def test_first_layer_sign_next_to_a_kink_is_never_wrong(delta, radius, exponent, seed, train_output):
    """x = (3, 4)/5 exactly (stored rows (3, 4) 2^k); row 0 of W is (4, -3 + delta): z_0 =
    0.8 (w_01 + 3) exactly. Over the box W +- r, z_0 ranges over z_0 +- 1.4 r, so a proved sign
    must hold at both ends, and a box that reaches 0 must leave the sign unknown."""
    rng = np.random.default_rng(seed)
    arch = Architecture("two-layer", 3, 2, train_output=train_output)
    W = rng.standard_normal((3, 2))
    W[0] = (4.0, -3.0 + delta)
    params = Parameters(arch, {"W": W, "a": np.array([1.0, -1.0, 1.0])})
    V = np.array([[3.0, 4.0], [1.0, 2.0]]) * 2.0 ** exponent
    enc = enclose_forward(IntervalParameters.around(params, radius), normalize_rows(V))
    s = int(activation_pattern(enc).signs[0][0, 0])
    z0 = _exact_z(W[0], (Fraction(3, 5), Fraction(4, 5)))
    spread = Fraction(radius) * Fraction(7, 5)
    if s > 0:
        assert z0 - spread > 0
    elif s < 0:
        assert z0 + spread < 0
    if abs(z0) <= spread:
        assert s == 0
    if z0 == 0:
        with ctx.workprec(ORACLE_BITS):
            zs, xs, us = arb_network_forward("two-layer", "relu", params.layers, arb_unit_rows(V), arb(2),
                                             exact_zeros={(1, 0, 0)})
        _assert_encloses(enc.outputs, us, "u")


@settings(max_examples=100, deadline=None)
@given(_NEAR, st.sampled_from(["deep-fc", "resnet"]), st.integers(0, 2 ** 32 - 1))
def test_deep_layer_sign_next_to_a_kink_is_never_wrong(delta, kind, seed):
    """m = 2, ReLU: alpha = sqrt(2/2) = 1, W1 = I, so x^(1) = (3, 4)/5 exactly and z^(2)_0 =
    4 (3/5) + (-3 + delta)(4/5) exactly; the second-layer sign is never wrong and unknown at 0."""
    rng = np.random.default_rng(seed)
    arch = Architecture(kind, 2, 2, depth=2)
    W2 = rng.standard_normal((2, 2))
    W2[0] = (4.0, -3.0 + delta)
    params = Parameters(arch, {"W1": np.eye(2), "W2": W2, "a": rng.standard_normal(2)})
    V = np.array([[3.0, 4.0]])
    enc = enclose_forward(params, normalize_rows(V))
    s = int(activation_pattern(enc).signs[1][0, 0])
    z0 = _exact_z(W2[0], (Fraction(3, 5), Fraction(4, 5)))
    assert s == 0 or (s > 0) == (z0 > 0)
    if z0 == 0:
        assert s == 0
        with ctx.workprec(ORACLE_BITS):
            _, _, us = arb_network_forward(kind, "relu", params.layers, arb_unit_rows(V), arb(2),
                                           exact_zeros={(2, 0, 0)})
        _assert_encloses(enc.outputs, us, "u")


def test_pattern_counts_and_margins():
    arch = Architecture("two-layer", 2, 2)
    params = Parameters(arch, {"W": np.array([[1.0, 0.0], [1.0, -1.0]]), "a": np.array([1.0, 1.0])})
    pat = activation_pattern(enclose_forward(params, np.array([[0.5, 0.5], [-2.0, 1.0]])))
    # z = [[0.5, 0], [-2, -3]] exactly (float inputs are exact points)
    assert pat.signs[0].tolist() == [[1, 0], [-1, -1]]
    assert pat.unknown_count == 1 and not pat.all_certified
    assert pat.margins[0][0, 1] == 0.0 and 0.5 - 1e-15 <= pat.margins[0][0, 0] <= 0.5
    assert 2.0 - 1e-15 <= pat.margins[0][1, 0] <= 2.0 and pat.min_margin == 0.0


def test_bad_arguments():
    arch = Architecture("deep-fc", 2, 3, depth=1)
    params = Parameters(arch, {"W1": np.ones((2, 3)), "a": np.ones(2)})
    with pytest.raises(ValueError, match=r"interval array 'X' has shape \(1, 2\)"):
        enclose_forward(params, Interval(np.zeros((1, 2))))
    with pytest.raises(TypeError, match="Parameters or IntervalParameters"):
        enclose_forward(dict(params.layers), np.zeros((1, 3)))
