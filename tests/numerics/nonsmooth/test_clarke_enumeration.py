"""Exact ground truth: Fourier-Motzkin feasibility, hull membership, the enumeration of
active pieces, and Kakade-Lee subgradients of random piecewise-linear programs checked
against it."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from numerics.symbolic.expression import Binary, Call, Number, Variable, parse, parse_assignments, to_torch
from numerics.nonsmooth import subdifferentiate
from numerics.nonsmooth.clarke_enumeration import clarke_enumeration
from numerics.nonsmooth.clarke_enumeration import (
    distance_to_hull,
    hull_contains,
    is_piecewise_linear,
    strictly_feasible,
)

D = torch.float64


# ----------------------------------------------------------------- Fourier-Motzkin


def _lp_strictly_feasible(rows, n):
    """Independent check: maximize s subject to c.v >= s, |v_i| <= 1 (s > 0 iff feasible)."""
    A = np.array([[-float(c) for c in r] + [1.0] for r in rows])
    res = linprog(np.r_[np.zeros(n), -1.0], A_ub=A, b_ub=np.zeros(len(rows)),
                  bounds=[(-1, 1)] * n + [(None, 1)], method="highs")
    return -res.fun > 1e-9


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.lists(st.integers(-2, 2), min_size=n, max_size=n),
                                             min_size=1, max_size=6))))
def test_fourier_motzkin_agrees_with_lp(case):
    n, rows = case
    rows = [tuple(Fraction(c) for c in r) for r in rows]
    assert strictly_feasible(rows, n) == _lp_strictly_feasible(rows, n)


def test_fourier_motzkin_small_cases():
    F = Fraction
    assert strictly_feasible([(F(1), F(0)), (F(0), F(1))], 2)
    assert not strictly_feasible([(F(1), F(0)), (F(-1), F(0))], 2)
    assert not strictly_feasible([(F(1), F(1)), (F(-1), F(0)), (F(0), F(-1))], 2)
    assert not strictly_feasible([(F(0), F(0))], 2)
    assert strictly_feasible([], 3)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=1, max_size=5),
       st.tuples(st.integers(-3, 3), st.integers(-3, 3)))
def test_hull_membership_agrees_with_lp_distance(gens, point):
    inside = hull_contains(gens, point)
    dist = distance_to_hull(gens, point)
    assert inside == (dist < 1e-9)


# ----------------------------------------------------------------- known Clarke subdifferentials


def _gens(text, at):
    r = clarke_enumeration(parse(text), parse_assignments(at, exact=True))
    return r, {tuple(g) for g in r.generators}


def test_known_subdifferentials():
    F = Fraction
    assert _gens("relu(x) - relu(-x)", "x=0")[1] == {(F(1),)}
    assert _gens("abs(x)", "x=0")[1] == {(F(1),), (F(-1),)}
    assert _gens("max(x, 2*x)", "x=0")[1] == {(F(1),), (F(2),)}
    assert _gens("abs(x) + abs(y)", "x=0,y=0")[1] == {(a, b) for a in (1, -1) for b in (1, -1)}
    assert _gens("max(x, y, 0)", "x=0,y=0")[1] == {(1, 0), (0, 1), (0, 0)}
    assert _gens("abs(x - y) + 0.1*x", "x=1,y=1")[1] == {(F(11, 10), F(-1)), (F(-9, 10), F(1))}
    assert _gens("clamp(x, 0, 1)", "x=1")[1] == {(F(1),), (F(0),)}
    # relu(x) + relu(x) - 2 relu(x) = 0: the inconsistent choices are pruned
    assert _gens("relu(x) + relu(x) - 2*relu(x)", "x=0")[1] == {(F(0),)}
    # away from every kink: the gradient
    assert _gens("relu(x) + abs(y)", "x=1,y=-2")[1] == {(F(1), F(-1))}


def test_completeness_flags():
    r, _ = _gens("relu(min(y, x^2 - y))", "x=0,y=0")
    assert not r.complete and not r.piecewise_linear
    # the first-order hull {0} is a strict subset of the Clarke subdifferential here
    assert r.contains([0, 1]) is None
    assert r.contains([0, 0]) is True
    r, _ = _gens("exp(x) * abs(x)", "x=0")
    assert r.complete and not r.exact
    assert r.contains([1.5]) is False and r.contains([0.5]) is True
    assert is_piecewise_linear(parse("2*relu(x) - max(x, y)/4 + clamp(3*y, -1, 1)"))
    assert not is_piecewise_linear(parse("x*relu(y)"))


def test_errors_where_a_smooth_part_is_not_differentiable():
    with pytest.raises(ValueError, match="sqrt"):
        clarke_enumeration(parse("sqrt(relu(x))"), {"x": Fraction(0)})
    with pytest.raises(ValueError, match="division"):
        clarke_enumeration(parse("1/x"), {"x": Fraction(0)})
    with pytest.raises(ValueError, match="missing"):
        clarke_enumeration(parse("x + y"), {"x": Fraction(0)})


# ----------------------------------------------------------------- random piecewise-linear programs


_VARS = ("x", "y", "z")


def _pl_trees(names):
    leaves = st.one_of(
        st.sampled_from(names).map(Variable),
        st.integers(0, 2).map(lambda k: Number(Fraction(k))),
    )

    def extend(kids):
        scale = st.sampled_from([Fraction(1), Fraction(2), Fraction(1, 2), Fraction(3)]).map(Number)
        return st.one_of(
            st.tuples(st.sampled_from(["+", "-"]), kids, kids).map(lambda t: Binary(*t)),
            st.tuples(scale, kids).map(lambda t: Binary("*", t[0], t[1])),
            kids.map(lambda k: Call("relu", (k,))),
            kids.map(lambda k: Call("abs", (k,))),
            st.tuples(st.sampled_from(["max", "min"]), st.lists(kids, min_size=2, max_size=3)).map(
                lambda t: Call(t[0], tuple(t[1]))),
            kids.map(lambda k: Call("leaky_relu", (k, Number(Fraction(1, 10))))),
            kids.map(lambda k: Call("clamp", (k, Number(Fraction(-1)), Number(Fraction(1))))),
        )

    return st.recursive(leaves, extend, max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 3).flatmap(lambda n: st.tuples(
        _pl_trees(_VARS[:n]), st.tuples(*[st.integers(-1, 1)] * n), st.just(_VARS[:n]))),
    st.integers(0, 2**31 - 1),
)
def test_kakade_lee_on_random_piecewise_linear_programs_is_a_clarke_generator(case, seed):
    tree, coords, names = case
    point = {v: Fraction(c) for v, c in zip(names, coords)}
    enum = clarke_enumeration(tree, point, names)
    assert enum.complete and enum.exact
    f = to_torch(tree)
    x = torch.tensor([float(c) for c in coords], dtype=D)
    res = subdifferentiate(lambda z: f({v: z[i] for i, v in enumerate(names)}), x,
                           torch.Generator().manual_seed(seed))
    g = res.subgradient.tolist()
    # an element of the B-subdifferential: one of the exact generators (up to rounding) ...
    assert min(max(abs(a - float(b)) for a, b in zip(g, gen)) for gen in enum.generators) < 1e-12
    # ... hence in the Clarke subdifferential
    assert enum.contains(g, tol=1e-12) is True


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_random_relu_network_first_layer_subgradients_against_enumeration(seed):
    """f(W, b) = sum_j a_j relu(W_j . x + b_j) with integer data: exact ties at integer W."""
    rng = np.random.default_rng(seed)
    hidden, dim = 2, 2
    a = rng.integers(-2, 3, size=hidden)
    xdat = rng.integers(-1, 2, size=dim)
    W = rng.integers(-1, 2, size=(hidden, dim))
    b = -(W @ xdat) * rng.integers(0, 2, size=hidden)  # often exactly on the kink
    names = tuple(f"w{j}{i}" for j in range(hidden) for i in range(dim)) + tuple(f"b{j}" for j in range(hidden))
    text = " + ".join(
        f"{a[j]}*relu(" + " + ".join(f"{xdat[i]}*w{j}{i}" for i in range(dim)) + f" + b{j})"
        for j in range(hidden))
    point = {**{f"w{j}{i}": Fraction(int(W[j, i])) for j in range(hidden) for i in range(dim)},
             **{f"b{j}": Fraction(int(b[j])) for j in range(hidden)}}
    enum = clarke_enumeration(parse(text), point, names)

    net = torch.nn.Sequential(torch.nn.Linear(dim, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(W, dtype=D))
        net[0].bias.copy_(torch.tensor(b, dtype=D))
        net[2].weight.copy_(torch.tensor(a, dtype=D).reshape(1, -1))
        net[2].bias.zero_()
    net[2].weight.requires_grad_(False)
    net[2].bias.requires_grad_(False)
    from numerics.nonsmooth import module_subgradients

    grads = module_subgradients(net, torch.tensor(xdat, dtype=D).reshape(1, -1), lambda o: o.sum(),
                                torch.Generator().manual_seed(seed))
    g = grads["0.weight"].reshape(-1).tolist() + grads["0.bias"].tolist()
    assert enum.contains(g, tol=1e-12) is True


def test_enumeration_matches_one_sided_derivatives_in_one_variable():
    for text in ["relu(x) - 2*abs(x - 0) + max(x, 3*x, -x)", "min(relu(x), relu(-x)) + clamp(2*x, -1, 1)"]:
        tree = parse(text)
        enum = clarke_enumeration(tree, {"x": Fraction(0)})
        f = to_torch(tree)
        sides = set()
        for s in (1.0, -1.0):
            r = subdifferentiate(lambda z: f({"x": z}), torch.zeros((), dtype=D), direction=torch.tensor(s, dtype=D))
            sides.add(float(r.subgradient))
        assert sides == {float(g[0]) for g in enum.generators}


def test_all_sign_patterns_reached_by_random_directions():
    # |x| + |y| + |z| at 0: the 8 generators are the 8 sign vectors, each reached by some direction
    tree = parse("abs(x) + abs(y) + abs(z)")
    enum = clarke_enumeration(tree, {v: Fraction(0) for v in "xyz"})
    assert {tuple(int(c) for c in g) for g in enum.generators} == set(itertools.product((1, -1), repeat=3))
    f = to_torch(tree)
    seen = set()
    for seed in range(60):
        r = subdifferentiate(lambda z: f({"x": z[0], "y": z[1], "z": z[2]}), torch.zeros(3, dtype=D),
                             torch.Generator().manual_seed(seed))
        seen.add(tuple(int(c) for c in r.subgradient.tolist()))
    assert seen == set(itertools.product((1, -1), repeat=3))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 3).flatmap(lambda n: st.tuples(
        _pl_trees(_VARS[:n]), st.tuples(*[st.integers(-1, 1)] * n), st.just(_VARS[:n]))),
    st.integers(0, 2**31 - 1),
)
def test_completeness_gradients_at_nearby_generic_points_lie_in_the_hull(case, seed):
    """Independent of the enumeration: a piecewise-linear f equals f(x) + f'(x; y - x) near x,
    so the gradients autograd returns at random nearby points (differentiable there with
    probability one) are gradients of pieces active at x and must lie in conv(G)."""
    tree, coords, names = case
    enum = clarke_enumeration(tree, {v: Fraction(c) for v, c in zip(names, coords)}, names)
    f = to_torch(tree)
    g = torch.Generator().manual_seed(seed)
    x0 = torch.tensor([float(c) for c in coords], dtype=D)
    for _ in range(10):
        y = (x0 + 1e-7 * torch.randn(len(names), generator=g, dtype=D)).requires_grad_(True)
        out = f({v: y[i] for i, v in enumerate(names)})
        grad = torch.autograd.grad(out, [y], allow_unused=True)[0] if out.requires_grad else None
        grad = [0.0] * len(names) if grad is None else grad.tolist()
        assert enum.contains(grad, tol=1e-6) is True, (grad, enum.generators)
