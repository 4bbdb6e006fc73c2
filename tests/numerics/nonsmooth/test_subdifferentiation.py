"""Kakade-Lee subdifferentiation: known Clarke subdifferentials, piece selection at ties,
agreement with autograd away from kinks, directional derivatives, modules, and the
qualification errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.nonsmooth import (
    NotQualified,
    module_subdifferentiate,
    UnsupportedOperation,
    module_subgradients,
    subdifferentiate,
    subgradient,
)

D = torch.float64
ZERO = torch.zeros((), dtype=D)


def gen(seed):
    return torch.Generator().manual_seed(seed)


def both_sides(fn, x=ZERO):
    """Subgradients for the directions +1 and -1 of a function of one real variable."""
    return [float(subdifferentiate(fn, x, direction=torch.tensor(s, dtype=D)).subgradient) for s in (1.0, -1.0)]


# ----------------------------------------------------------------- the reference examples


@pytest.mark.parametrize("seed", range(5))
def test_relu_minus_relu_of_minus_is_identity_derivative(seed):
    # relu(x) - relu(-x) = x: Clarke subdifferential {1}; autograd gives 0
    g = subgradient(lambda x: torch.relu(x) - torch.relu(-x), ZERO, gen(seed))
    assert float(g) == 1.0


def test_every_spelling_of_relu_gives_the_identity_derivative():
    spellings = [
        lambda x: F.relu(x) - F.relu(-x),
        lambda x: x.relu() - (-x).relu(),
        lambda x: torch.maximum(x, ZERO) - torch.maximum(-x, ZERO),
        lambda x: torch.clamp_min(x, 0) - torch.clamp_min(-x, 0),
        lambda x: torch.clamp(x, min=0) - torch.clamp(-x, min=0),
        lambda x: torch.where(x > 0, x, 0 * x) - torch.where(-x > 0, -x, 0 * x),
        lambda x: torch.nn.ReLU()(x) - torch.nn.ReLU()(-x),
        lambda x: F.leaky_relu(x, 0.0) - F.leaky_relu(-x, 0.0),
    ]
    for fn in spellings:
        assert both_sides(fn) == [1.0, 1.0]


def test_abs_at_zero_lies_in_minus_one_one_and_both_ends_are_reached():
    values = both_sides(torch.abs)
    assert values == [1.0, -1.0]
    for seed in range(10):
        assert -1.0 <= float(subgradient(torch.abs, ZERO, gen(seed))) <= 1.0


def test_max_of_x_and_2x_at_zero():
    # Clarke subdifferential [1, 2]: the right piece is 2x, the left piece x
    assert both_sides(lambda x: torch.maximum(x, 2 * x)) == [2.0, 1.0]
    assert both_sides(lambda x: torch.max(x, 2 * x)) == [2.0, 1.0]
    assert both_sides(lambda x: torch.stack([x, 2 * x]).max()) == [2.0, 1.0]
    assert both_sides(lambda x: torch.stack([x, 2 * x]).amax(0)) == [2.0, 1.0]
    assert both_sides(lambda x: torch.stack([x, 2 * x]).max(0).values) == [2.0, 1.0]
    assert both_sides(lambda x: torch.minimum(x, 2 * x)) == [1.0, 2.0]


def test_nested_kinks():
    cases = {
        # relu(relu(x) - relu(-x)) - relu(-x) = relu(x) - relu(-x) = x
        (lambda x: torch.relu(torch.relu(x) - torch.relu(-x)) - torch.relu(-x)): [1.0, 1.0],
        # |relu(x) - 2 relu(-x)|: slope 1 on the right, 2 * (-1) = -2 on the left
        (lambda x: torch.abs(torch.relu(x) - 2 * torch.relu(-x))): [1.0, -2.0],
        # clamp(x, 0, 1) + clamp(-x, 0, 1) = |x| near 0
        (lambda x: torch.clamp(x, 0, 1) + torch.clamp(-x, 0, 1)): [1.0, -1.0],
        # hardtanh(x, 0, 1) - hardtanh(-x, 0, 1) = x near 0
        (lambda x: F.hardtanh(x, 0.0, 1.0) - F.hardtanh(-x, 0.0, 1.0)): [1.0, 1.0],
        # max(x, -x, 3x) = right slope 3, left slope -1
        (lambda x: torch.stack([x, -x, 3 * x]).max()): [3.0, -1.0],
        # leaky_relu(x, .1) - leaky_relu(-x, .1) = 1.1 x
        (lambda x: F.leaky_relu(x, 0.1) - F.leaky_relu(-x, 0.1)): [1.1, 1.1],
        (lambda x: F.relu6(x) - F.relu6(-x)): [1.0, 1.0],
        (lambda x: F.l1_loss(x, ZERO)): [1.0, -1.0],
    }
    for fn, expected in cases.items():
        got = both_sides(fn)
        assert got == pytest.approx(expected, abs=1e-15)


def test_kink_reached_away_from_zero_and_smooth_inner_functions():
    one = torch.ones((), dtype=D)
    # relu(x - 1) - relu(1 - x) = x - 1
    assert both_sides(lambda x: torch.relu(x - 1) - torch.relu(1 - x), one) == [1.0, 1.0]
    # relu(sin(x)) at 0: right derivative cos(0) = 1, left 0
    assert both_sides(lambda x: torch.relu(torch.sin(x))) == [1.0, 0.0]
    # max(exp(x) - 1, x^3): right piece exp (slope 1 > 0), left piece: x^3 has slope 0 > -1... lex
    got = both_sides(lambda x: torch.maximum(torch.exp(x) - 1, x ** 3))
    assert got == [1.0, 0.0]


def test_clamp_at_both_bounds_and_tensor_bounds():
    lo = torch.tensor([0.0, -1.0], dtype=D)
    hi = torch.tensor([1.0, 0.0], dtype=D)
    x = torch.tensor([0.0, 0.0], dtype=D)  # on the lower bound for 0, the upper for 1
    for sign in (1.0, -1.0):
        d = torch.full((2,), sign, dtype=D)
        g = subdifferentiate(lambda z: torch.clamp(z, lo, hi).sum(), x, direction=d).subgradient
        assert g.tolist() == ([1.0, 0.0] if sign > 0 else [0.0, 1.0])


# ----------------------------------------------------------------- reductions and pooling


def test_max_reduction_with_dim_returns_consistent_indices():
    x = torch.tensor([[1.0, 1.0, 0.0], [2.0, 0.0, 2.0]], dtype=D)
    d = torch.tensor([[0.0, 1.0, 5.0], [-1.0, 0.0, 1.0]], dtype=D)

    captured = {}

    def fn(z):
        out = torch.max(z, dim=1)
        captured["indices"] = out.indices
        return out.values.sum()

    g = subdifferentiate(fn, x, direction=d).subgradient
    assert captured["indices"].tolist() == [1, 2]
    assert g.tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]


def test_amax_over_several_dims_and_keepdim():
    x = torch.zeros(2, 3, 2, dtype=D)
    d = torch.arange(12, dtype=D).reshape(2, 3, 2)
    g = subdifferentiate(lambda z: z.amax(dim=(0, 2), keepdim=True).sum(), x, direction=d).subgradient
    # for each middle index j, the largest tangent over (i, k) is at i = 1, k = 1
    expected = torch.zeros(2, 3, 2, dtype=D)
    expected[1, :, 1] = 1.0
    assert torch.equal(g, expected)


@pytest.mark.parametrize("seed", range(3))
def test_max_pool2d_on_tied_windows_selects_one_element_per_window(seed):
    x = torch.zeros(2, 3, 6, 6, dtype=D)
    g = subgradient(lambda z: F.max_pool2d(z, 2).sum(), x, gen(seed))
    windows = g.reshape(2, 3, 3, 2, 3, 2).sum(dim=(3, 5))
    assert torch.equal(windows, torch.ones_like(windows))
    assert set(g.unique().tolist()) <= {0.0, 1.0}


def test_max_pool_matches_autograd_without_ties():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 7, 7, dtype=D)
    w = torch.randn(2, 3, 4, 4, dtype=D)
    for fn in [lambda z: (F.max_pool2d(z, 3, stride=2, padding=1) * w).sum(),
               lambda z: (F.max_pool2d(z, (2, 3), stride=(2, 2), dilation=(1, 2)) ** 2).sum(),
               lambda z: F.max_pool1d(z.reshape(2, 3, 49), 4, stride=3).pow(2).sum(),
               lambda z: torch.nn.MaxPool2d(2)(z).sum()]:
        xg = x.clone().requires_grad_(True)
        (ref,) = torch.autograd.grad(fn(xg), [xg])
        assert torch.allclose(subgradient(fn, x, gen(1)), ref, atol=1e-12)


# ----------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_smooth_and_generic_points_agree_with_autograd(seed):
    g = gen(seed)
    x = torch.randn(5, dtype=D, generator=g)
    W = torch.randn(4, 5, dtype=D, generator=g)

    def fn(z):
        h = torch.relu(W @ z) + torch.tanh(W @ z) + torch.abs(z[:4]) + torch.clamp(z[:4], -0.3, 0.3)
        return torch.maximum(h, 0.5 * h.flip(0)).sum() + torch.max(z) ** 2

    xg = x.clone().requires_grad_(True)
    (ref,) = torch.autograd.grad(fn(xg), [xg])
    assert torch.allclose(subgradient(fn, x, g), ref, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_directional_derivative_is_linear_in_the_returned_subgradient(seed):
    # at the drawn direction v, f'(x; v) = <g, v> for the returned g
    g = gen(seed)
    x = torch.randint(-1, 2, (4,), generator=g).to(D)  # integer points: many exact ties
    W = torch.randint(-2, 3, (3, 4), generator=g).to(D)

    def fn(z):
        h = torch.relu(W @ z) - torch.abs(z[:3]) + torch.maximum(z[1:], z[:-1])
        return h.sum() + torch.stack([z.sum(), -z.sum(), z[0]]).max()

    res = subdifferentiate(fn, x, g)
    assert float(res.directional_derivative) == pytest.approx(float(res.subgradient @ res.direction), abs=1e-12)
    # and it is the one-sided derivative: f(x + t v) = f(x) + t f'(x; v) for small t (piecewise linear)
    t = 1e-6
    fd = (fn(x + t * res.direction) - fn(x)) / t
    assert float(fd) == pytest.approx(float(res.directional_derivative), abs=1e-6)


def test_trace_counts_ties_and_degenerate_ties():
    res = subdifferentiate(lambda x: torch.relu(x - x).sum() + torch.relu(x).sum(),
                           torch.zeros(3, dtype=D), gen(0))
    assert [r.primitive for r in res.trace.records] == ["relu", "relu"]
    assert res.trace.records[0].ties == 3 and res.trace.records[0].degenerate == 3
    assert res.trace.records[1].ties == 3 and res.trace.records[1].degenerate == 0
    # the selection of each kink is recorded: the second relu takes the x piece where v > 0
    name, sel = res.trace.selections[1]
    assert name == "relu" and torch.equal(sel.data, res.direction > 0)


def test_float32_and_reproducibility():
    x = torch.zeros(4, dtype=torch.float32)
    fn = lambda z: torch.abs(z).sum() + torch.relu(z).sum()  # noqa: E731
    a = subgradient(fn, x, gen(3))
    b = subgradient(fn, x, gen(3))
    assert a.dtype == torch.float32 and torch.equal(a, b)
    assert set(a.tolist()) <= {2.0, -1.0}


def test_constant_function_and_bad_outputs():
    assert float(subgradient(lambda x: torch.ones((), dtype=D), ZERO, gen(0))) == 0.0
    with pytest.raises(ValueError, match="one element"):
        subgradient(lambda x: torch.stack([x, x]), ZERO, gen(0))
    with pytest.raises(TypeError, match="floating"):
        subgradient(torch.relu, torch.zeros(2, dtype=torch.int64))


# ----------------------------------------------------------------- modules


def test_module_subgradients_at_zero_initialization():
    # all first-layer pre-activations are exactly 0: every relu is tied
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)).double()
    with torch.no_grad():
        net[0].weight.zero_()
        net[0].bias.zero_()
    x = torch.randn(5, 3, dtype=D, generator=gen(0))
    grads = module_subgradients(net, x, lambda out: out.square().mean(), gen(1))
    assert set(grads) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert all(grads[k].shape == p.shape for k, p in net.named_parameters())
    # at W1 = 0, b1 = 0 the output is the constant b2: its gradient 2 b2 is exact
    assert float(grads["2.bias"]) == pytest.approx(2 * float(net[2].bias.detach()), abs=1e-14)


def test_module_matches_autograd_at_generic_parameters_cnn():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(12, 2)).double()
    x = torch.randn(4, 1, 4, 4, dtype=D)
    y = torch.tensor([0, 1, 1, 0])
    loss = lambda out: F.cross_entropy(out, y)  # noqa: E731
    grads = module_subgradients(net, x, loss, gen(0))
    ref = torch.autograd.grad(loss(net(x)), list(net.parameters()))
    for (k, _), r in zip(net.named_parameters(), ref):
        assert torch.allclose(grads[k], r, atol=1e-12)


# ----------------------------------------------------------------- outside the library


@pytest.mark.parametrize(
    "op, fn",
    [
        ("sign", lambda x: torch.sign(x).sum()),
        ("floor", lambda x: torch.floor(x).sum()),
        ("round", lambda x: torch.round(x).sum()),
        ("sort", lambda x: x.sort().values[0]),
        ("argmax", lambda x: x[x.argmax()]),
        ("topk", lambda x: x.topk(1).values.sum()),
        ("median", lambda x: x.median()),
        ("elu", lambda x: F.elu(x, alpha=0.5).sum()),
        ("relu_", lambda x: x.clone().relu_().sum()),
        ("hinge_embedding_loss", lambda x: F.hinge_embedding_loss(x, torch.ones(3, dtype=D))),
        ("float", lambda x: ((x > 0).float() * x).sum()),
        ("mul", lambda x: ((x > 0) * x).sum()),
        ("max_pool2d", lambda x: F.max_pool2d(x.reshape(1, 1, 1, 3), (1, 2), ceil_mode=True).sum()),
    ],
)
def test_unsupported_operations_raise_naming_the_op(op, fn):
    with pytest.raises(UnsupportedOperation) as info:
        subgradient(fn, torch.zeros(3, dtype=D), gen(0))
    assert info.value.op == op
    assert op in str(info.value)


@pytest.mark.parametrize(
    "op, fn",
    [
        ("sqrt", lambda x: torch.sqrt(torch.relu(x)).sum()),
        ("log", lambda x: torch.log(x.abs()).sum()),
        ("where", lambda x: torch.where(x > 0, 1 + x, x).sum()),
        ("norm", lambda x: torch.norm(x)),
        ("__bool__", lambda x: x[0] if bool(x[0] > 0) else -x[0]),
    ],
)
def test_unqualified_points_raise(op, fn):
    with pytest.raises(NotQualified) as info:
        subgradient(fn, torch.zeros(3, dtype=D), gen(0))
    assert info.value.op == op


def test_qualified_away_from_the_singular_set():
    x = torch.tensor([1.0, 2.0, 3.0], dtype=D)
    g = subgradient(lambda z: torch.sqrt(torch.relu(z)).sum() + torch.norm(z), x, gen(0))
    assert torch.allclose(g, 0.5 / x.sqrt() + x / x.norm(), atol=1e-14)
    # branching on an untied comparison is fine
    assert float(subgradient(lambda z: z[0] if bool(z[0] > 0) else -z[0], x, gen(0))[0]) == 1.0


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from([(2, None, 0), (3, 2, 1), (2, 1, 0), (3, 3, 0)]))
def test_fast_pool_tie_check_agrees_with_window_enumeration(seed, geometry):
    from numerics.nonsmooth.library import _pool_parse, _pool_windows, pool_has_ties

    k, stride, pad = geometry
    g = gen(seed)
    x = torch.randint(0, 3, (1, 2, 6, 7), generator=g).to(D)
    _, params = _pool_parse(2)((x, k), {"stride": stride, "padding": pad})
    cols, _, _ = _pool_windows(x, params)
    expected = bool(((cols == cols.amax(dim=2, keepdim=True)).sum(dim=2) > 1).any())
    assert pool_has_ties(x, params) == expected


def test_relu_then_max_pool_zero_ties_do_not_need_tangents():
    # all-zero pooling windows after an untied relu are ties of locally constant pieces
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(16, 1)).double()
    x = torch.randn(6, 1, 4, 4, dtype=D)
    with torch.no_grad():
        net[0].bias.fill_(-0.5)  # many negative pre-activations: many all-zero windows
    res = module_subdifferentiate(net, x, lambda o: o.square().mean(), gen(0))
    assert not res.trace.tangent_pass
    ref = torch.autograd.grad(net(x).square().mean(), list(net.parameters()))
    for (k, _), r in zip(net.named_parameters(), ref):
        assert torch.allclose(res.subgradient[k], r, atol=1e-12)
    # a positive tie inside a window does need them
    z = torch.zeros(1, 1, 2, 2, dtype=D)
    z[0, 0, 0, :] = 1.0
    r2 = subdifferentiate(lambda t: F.max_pool2d(torch.relu(t), 2).sum(), z, gen(0))
    assert r2.trace.tangent_pass and r2.subgradient.sum() == 1.0
