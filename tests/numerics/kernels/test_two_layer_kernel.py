"""H_inf interval Gram matrix and exact parallel-pair detection against Arb at 200 bits."""

from fractions import Fraction

import numpy as np
import pytest
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith import elementary
from numerics.arith.context import workprec
from unittest import mock

from flint import ctx

from numerics.kernels import two_layer as kernels
from numerics.kernels.two_layer import _product_radius, _unit_rows, normalize_rows, parallel_pairs, two_layer_relu_gram
from numerics_oracle import (arb_relu_kernel_entry, arb_unit_rows, contains_ball,
                             relu_kernel_known_range)


@st.composite
def datasets(draw, max_n=9):
    n = draw(st.integers(2, max_n))
    d = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    X = rng.standard_normal((n, d))
    family = draw(st.sampled_from(["random", "near-parallel", "parallel", "antiparallel",
                                   "scaled", "subnormal", "huge", "mixed-scale"]))
    if family == "near-parallel" and n >= 2:
        ang = 10.0 ** -draw(st.floats(4, 12))
        w = rng.standard_normal(d)
        X[1] = X[0] + ang * np.linalg.norm(X[0]) * w / np.linalg.norm(w)
    elif family == "parallel":
        X[1] = X[0] * 2.0 ** draw(st.integers(-60, 60))     # exact multiple
    elif family == "antiparallel":
        X[1] = -X[0] * 0.5
    elif family == "scaled":
        X *= 10.0 ** rng.uniform(-100, 100, (n, 1))
    elif family == "subnormal":
        X *= 1e-315
    elif family == "huge":
        X *= 1e300
    elif family == "mixed-scale":
        X *= 10.0 ** rng.uniform(-150, 150, (n, d))
    X[~X.any(axis=1), 0] = 1.0
    return X


@settings(max_examples=150, deadline=None)
@given(datasets(), st.booleans(), st.sampled_from(["proved-polynomial", "margin"]))
def test_gram_entries_contain_arb_values(X, accurate_norms, mode):
    # both row-norm modes (Dot2 from ACCURATE_NORMS_FROM_N rows on, plain below); the proved
    # bulk evaluation (default) and the opt-in libm margin one
    with mock.patch.object(kernels, "ACCURATE_NORMS_FROM_N", 2 if accurate_norms else 10 ** 9), \
            elementary.elementary_mode_scope(mode):
        H = two_layer_relu_gram(X, block_rows=3)
    assert np.array_equal(H.lo, H.lo.T) and np.array_equal(H.hi, H.hi.T)
    xs = arb_unit_rows(X)
    n = X.shape[0]
    for i in range(n):
        assert H.lo[i, i] == 0.5 and H.hi[i, i] == 0.5
        for j in range(i + 1, n):
            ratio = _exact_ratio(X[i], X[j])
            if ratio is None:
                ball = arb_relu_kernel_entry(xs[i], xs[j])
            else:  # exactly (anti)parallel: the exact value is 1/2 or 0
                ball = arb(0.5) if ratio > 0 else arb(0)
            known = relu_kernel_known_range(xs[i], xs[j])
            assert contains_ball(float(H.lo[i, j]), float(H.hi[i, j]), ball, known), (i, j)


def _exact_ratio(u, v):
    """c with v = c u exactly (rationals), or None."""
    ratios = set()
    for a, b in zip(u.tolist(), v.tolist()):
        if a == 0 and b == 0:
            continue
        if a == 0 or b == 0:
            return None
        ratios.add(Fraction(b) / Fraction(a))
    return ratios.pop() if len(ratios) == 1 else None


@settings(max_examples=80, deadline=None)
@given(datasets())
def test_normalized_rows_contain_arb_unit_vectors(X):
    Xn = normalize_rows(X)
    xs = arb_unit_rows(X)
    for i, row in enumerate(xs):
        for k, ball in enumerate(row):
            assert contains_ball(float(Xn.lo[i, k]), float(Xn.hi[i, k]), ball, (-1.0, 1.0))


def test_exactly_parallel_pair_contains_one_half_and_antiparallel_zero():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 3))
    X[1] = 4.0 * X[0]
    X[2] = -0.25 * X[0]
    H = two_layer_relu_gram(X)
    assert H.lo[0, 1] <= 0.5 <= H.hi[0, 1]
    assert H.lo[0, 2] <= 0.0 <= H.hi[0, 2]
    assert parallel_pairs(X) == [(0, 1, "parallel"), (0, 2, "antiparallel"),
                                 (1, 2, "antiparallel")]


def test_parallel_pairs_is_exact_not_approximate():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 4))
    X[1] = X[0] * 3.0            # 3 * x is rounded: generally NOT exactly parallel
    X[2] = X[0].copy()
    X[2][0] = np.nextafter(X[2][0], 10.0)   # one ulp off: not parallel
    X[3] = X[0] * 2.0 ** -1000   # exact scaling
    exact3 = all(float(a) * 3.0 / 3.0 == a for a in X[0])
    pairs = parallel_pairs(X)
    assert (0, 3, "parallel") in pairs
    assert (0, 2, "parallel") not in pairs
    # 3 * v is parallel only if every product is exact; check with rationals independently
    from fractions import Fraction
    ratios = {Fraction(b) / Fraction(a) for a, b in zip(X[0], X[1]) if a != 0}
    assert ((0, 1, "parallel") in pairs) == (len(ratios) == 1)
    del exact3


def test_parallel_pairs_scales_with_prescreen():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3000, 10))
    X[2999] = -X[17] * 2.0
    assert parallel_pairs(X) == [(17, 2999, "antiparallel")]


def test_bad_input_names_the_row():
    X = np.ones((3, 2))
    X[1] = 0.0
    with pytest.raises(ValueError, match="row 1"):
        two_layer_relu_gram(X)
    with pytest.raises(ValueError, match="row 1"):
        parallel_pairs(X)
    with pytest.raises(ValueError, match="non-finite"):
        normalize_rows(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="2-D"):
        normalize_rows(np.ones(3))
    with pytest.raises(ValueError, match="non-empty"):
        normalize_rows(np.ones((0, 3)))


def test_strict_mode_gram_contains_arb_values():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 3))
    X[1] = X[0] + 1e-9 * rng.standard_normal(3)
    with workprec(strict_elementary=True):
        H = two_layer_relu_gram(X)
    xs = arb_unit_rows(X)
    for i in range(5):
        for j in range(i + 1, 5):
            assert contains_ball(float(H.lo[i, j]), float(H.hi[i, j]),
                                 arb_relu_kernel_entry(xs[i], xs[j]))


def test_gram_is_tight_on_generic_data():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 10))
    H = two_layer_relu_gram(X)
    assert float(np.max(H.hi - H.lo)) < 1e-13


@settings(max_examples=150, deadline=None)
@given(datasets(max_n=6), st.booleans())
def test_unit_rows_and_product_radius_against_arb(X, accurate):
    """|x_ik - M_ik| <= c |M_ik| + e and |x_i.x_j - fl(M_i.M_j)| <= rho, checked in Arb."""
    M, c, e = _unit_rows(X, accurate)
    rho = _product_radius(X.shape[1], c, e)
    xs = arb_unit_rows(X)
    with ctx.workprec(200):
        for i, row in enumerate(xs):
            for k, ball in enumerate(row):
                assert abs(ball - arb(float(M[i, k]))) <= arb(c) * abs(arb(float(M[i, k]))) + arb(e), (i, k)
        for i in range(len(xs)):
            for j in range(len(xs)):
                exact = sum((a * b for a, b in zip(xs[i], xs[j])), arb(0))
                t = float(np.dot(M[i], M[j]))
                assert abs(exact - arb(t)) <= arb(rho), (i, j)


def test_proved_bulk_entries_at_adversarial_points():
    """The proved bulk evaluation of f(t) = t (pi - arccos t)/(2 pi) (rho = 0): h -+ r contains
    Arb's value at t = 0, +-tiny, +-1/2 and neighbours, +-0.999 and random points."""
    rng = np.random.default_rng(7)
    pts = [0.0, -0.0, 5e-324, -1e-300, 1e-16, 0.5, -0.5, np.nextafter(0.5, 0), np.nextafter(0.5, 1),
           np.nextafter(-0.5, 0), 0.999, -0.999, 0.998999, 1 / 3, -2 / 3]
    t = np.concatenate([pts, rng.uniform(-0.999, 0.999, 200)]).reshape(5, -1)
    h, r = kernels._bulk_proved(t.copy(), 0.0)
    lo, hi = h - r, h + r
    with ctx.workprec(200):
        for x, a, b in zip(t.ravel().tolist(), lo.ravel().tolist(), hi.ravel().tolist()):
            s = arb(x)
            ball = s * (arb.pi() - s.acos()) / (2 * arb.pi())
            assert contains_ball(a, b, ball), (x, a, b)
