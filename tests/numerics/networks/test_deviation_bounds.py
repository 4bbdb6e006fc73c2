"""numerics/networks/reference_pass.py and deviation_bounds.py, and the ball of the deep instance
certificate (numerics/instance/deep_minimizer.py: gram_factors, unit_ball, ball_deviation),
against Arb at 200 bits on tiny nets (n <= 6, m <= 8, H <= 3): every member of the set (points
``theta~ + Jhat^T alpha`` formed exactly, or ``W~ + t Delta W``) evaluated in Arb, forward and
backward, on the exactly normalized inputs, must lie within every bound."""

from __future__ import annotations

import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from arb_network_oracle import (arb_corrected_layers, arb_forward_backward, arb_layers, arb_norm,
                                flatten_grads)
from numerics.arith import upper_bounds as ub
from numerics.instance.deep_minimizer import ball_deviation, gram_factors, unit_ball
from numerics.kernels.two_layer import normalize_rows
from numerics.networks import Architecture, Parameters
from numerics.networks.deviation_bounds import WeightDeviation, deviation_bounds, weight_norms
from numerics.networks.reference_pass import reference_pass
from flint import fmpq_mat

from network_strategies import draw_tiny_network
from numerics_oracle import (ORACLE_BITS, UnresolvedKink, arb_c_sigma, arb_unit_rows, is_positive_definite_exact, q,
                             qmat)

_C = {}


def _c_sigma(act):
    if act not in _C:
        _C[act] = arb_c_sigma(act)
    return _C[act]


@st.composite
def tiny_nets(draw):
    return draw_tiny_network(draw, max_n=6, radii=(0.0, 1e-12, 1e-6, 1e-3))


def _within(ball: arb, bound: float) -> bool:
    return bool(ball <= arb(float(bound)))


def _jhat_row(ref, i: int) -> list[float]:
    arch = ref.architecture
    out = []
    for h, name in enumerate(arch.hidden_names, start=1):
        if name in arch.trained_names:
            out.extend(np.outer(ref.gradients[h - 1][i], ref.layer_input(h)[i]).ravel().tolist())
    if arch.train_output:
        out.extend(ref.features[-1][i].tolist())
    return out


def _check_member(ref, dev, Wm: dict, rows, E0):
    """Every bound of ``dev`` holds for the network with Arb weights ``Wm``; False if a ReLU
    sign cannot be resolved at 200 bits (the sample is then skipped)."""
    arch = ref.architecture
    with ctx.workprec(ORACLE_BITS):
        for i, row in enumerate(rows):
            try:
                zs, xs, u, grads = arb_forward_backward(arch, Wm, row, _c_sigma(arch.activation))
            except UnresolvedKink:
                return False
            for h in range(arch.depth):
                for r, z in enumerate(zs[h]):
                    zhat = float(ref.preactivations[h][i, r])
                    assert _within(abs(z - arb(zhat)), dev.preactivation[h][i, r]), ("T", h, i, r)
                    if dev.signs_proved[h][i, r]:
                        assert (z > 0) if zhat > 0 else (z < 0), ("sign", h, i, r)
            feats = [ref.inputs] + list(ref.features)
            for h in range(arch.depth + 1):
                diff = [x - arb(float(v)) for x, v in zip(xs[h], feats[h][i])]
                assert _within(arb_norm(diff), dev.feature[h][i]), ("E", h, i)
            assert _within(abs(u - arb(float(ref.outputs[i]))), dev.output[i]), ("U", i)
            if np.isfinite(dev.jacobian_rows[i]):
                flat = flatten_grads(arch, grads)
                diff = [g - arb(v) for g, v in zip(flat, _jhat_row(ref, i))]
                assert _within(arb_norm(diff), dev.jacobian_rows[i]), ("J", i)
    return True


def _setup(params, V):
    Xn = normalize_rows(V)
    E0 = ub.norm(Xn.rad(), axis=1)
    ref = reference_pass(params, Xn.mid())
    return ref, E0, weight_norms(params)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_nets())
def test_ball_of_least_norm_corrections_is_inside_every_bound(net):
    params, V, radius, rng = net
    ref, E0, norms = _setup(params, V)
    arch = params.architecture
    gf = gram_factors(ref)
    unit = unit_ball(ref, gf)
    dev = deviation_bounds(ref, norms, ball_deviation(ref, unit, radius), E0)
    rows = arb_unit_rows(V)
    n = V.shape[0]
    feats = [ref.inputs] + list(ref.features)
    alphas = [np.zeros(n)]
    for _ in range(2):
        a = rng.standard_normal(n)
        alphas.append(a / np.linalg.norm(a) * radius * 0.999)
    resolved = []
    for alpha in alphas:
        Wm = arb_corrected_layers(arch, dict(params.layers), ref.gradients, feats, alpha)
        resolved.append(_check_member(ref, dev, Wm, rows, E0))
    assume(all(resolved))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_nets(), st.sampled_from([1e-9, 1e-4, 1e-1]))
def test_arbitrary_weight_changes_within_their_norms(net, size):
    """A set ``{W~ + t Delta W : 0 <= t <= 1}`` described by the norms of Delta W."""
    params, V, _, rng = net
    ref, E0, norms = _setup(params, V)
    arch = params.architecture
    deltas = {name: rng.standard_normal(arch.layer_shape(name)) * size for name in arch.trained_names}
    ln, nn, fo = [], [], []
    for h, name in enumerate(arch.hidden_names, start=1):
        D = deltas.get(name, np.zeros(arch.layer_shape(name)))
        ln.append(float(ub.norm(D)))
        nn.append(ub.norm(D, axis=1))
        fo.append(ub.matmul(np.abs(ref.layer_input(h)), np.abs(D).T))
    Da = deltas.get("a", np.zeros(arch.width))
    wd = WeightDeviation(tuple(ln), tuple(nn), tuple(fo), float(ub.norm(Da)),
                         ub.matmul(np.abs(ref.features[-1]), np.abs(Da)))
    dev = deviation_bounds(ref, norms, wd, E0)
    rows = arb_unit_rows(V)
    resolved = []
    for t in (0.0, 1.0, float(rng.random())):
        W = arb_layers(arch, dict(params.layers))
        with ctx.workprec(ORACLE_BITS):
            for name, D in deltas.items():
                if name == "a":
                    W["a"] = [w + arb(t) * arb(float(x)) for w, x in zip(W["a"], D.tolist())]
                else:
                    W[name] = [[w + arb(t) * arb(float(x)) for w, x in zip(wr, dr)] for wr, dr in zip(W[name], D.tolist())]
        resolved.append(_check_member(ref, dev, W, rows, E0))
    assume(all(resolved))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_nets())
def test_float_factor_gram_contains_the_exact_jhat_jhat_t(net):
    params, V, _, _ = net
    ref, _, _ = _setup(params, V)
    gf = gram_factors(ref)
    n = V.shape[0]
    rows = [[q(v) for v in _jhat_row(ref, i)] for i in range(n)]
    for i in range(n):
        for j in range(n):
            exact = sum((a * b for a, b in zip(rows[i], rows[j])), q(0.0))
            assert q(float(gf.gram.lo[i, j])) <= exact <= q(float(gf.gram.hi[i, j])), (i, j)


def test_reference_pass_rounding_bounds_are_about_one_rounding():
    """At m = 256, H = 3 the one-layer bounds stay within a few ulps (split products), far below
    the a-priori gamma_m |W||x| of a plain product."""
    arch = Architecture("deep-fc", 256, 16, depth=3)
    rng = np.random.default_rng(1)
    params = Parameters(arch, {n: rng.standard_normal(arch.layer_shape(n)) for n in arch.layer_names})
    V = rng.standard_normal((20, 16))
    ref, E0, norms = _setup(params, V)
    for z, ze in zip(ref.preactivations, ref.z_err):
        assert (ze <= 4 * np.spacing(np.abs(z)) + 1e-17).all()   # |x||w| ~ 10 here
    dev = deviation_bounds(ref, norms, WeightDeviation.zero(ref), E0)
    assert dev.output.max() < 1e-11 and dev.all_signs_proved


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_nets())
def test_ball_of_least_norm_corrections_long(net):
    test_ball_of_least_norm_corrections_is_inside_every_bound.hypothesis.inner_test(net)


@pytest.mark.parametrize("shape,scale", [((50, 30), 1.0), ((7, 40), 1e-200), ((64, 64), 1e150), ((1, 5), 1.0)])
def test_spectral_norm_upper_bound(shape, scale):
    from numerics.networks.deviation_bounds import spectral_norm_upper

    W = np.random.default_rng(0).standard_normal(shape) * scale
    s = spectral_norm_upper(W)
    exact = np.linalg.svd(W, compute_uv=False)[0]
    assert exact <= s <= float(ub.norm(W))
    if scale == 1.0:                          # W^T W under- or overflows: the Frobenius norm then
        assert s <= 1.6 * exact
    # exact rationals: s^2 I - F^T F is positive definite, so ||W||_2 < s
    F = W if W.shape[0] >= W.shape[1] else W.T
    Fq = qmat(F)
    X = fmpq_mat(F.shape[1], F.shape[1], [q(s) * q(s) if i == j else 0 for i in range(F.shape[1])
                                             for j in range(F.shape[1])]) - Fq.transpose() * Fq
    assert is_positive_definite_exact(X)
