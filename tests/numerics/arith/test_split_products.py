"""numerics/arith/split_products.py and upper_bounds.py against exact rational arithmetic."""

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith import upper_bounds as ub
from numerics.arith.split_products import accurate_matmul_enclosure, split_exact


@st.composite
def matrices(draw):
    n, k, m = draw(st.integers(1, 5)), draw(st.integers(1, 40)), draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    ea = draw(st.sampled_from([0, 0, -300, 300, -1000, 1000]))
    eb = draw(st.sampled_from([0, 0, -300, 300, -60]))
    A = rng.standard_normal((n, k)) * 2.0 ** (rng.integers(-30, 30, size=(n, k)) + ea / 2)
    B = rng.standard_normal((k, m)) * 2.0 ** (rng.integers(-30, 30, size=(k, m)) + eb / 2)
    if draw(st.booleans()):                      # cancellation: a row of A orthogonal-ish to B
        A[0] = rng.standard_normal(k)
        B[:, 0] = A[0] * 0 + 1.0
        A[0, -1] = -(A[0, :-1].sum()) if k > 1 else A[0, -1]
    if draw(st.booleans()):
        A[rng.integers(0, n), :] = 0.0
    return A, B


def _exact(A, B):
    return [[sum((Fraction(float(a)) * Fraction(float(b)) for a, b in zip(A[i], B[:, j])), Fraction(0))
             for j in range(B.shape[1])] for i in range(A.shape[0])]


@settings(max_examples=150, deadline=None)
@given(matrices())
def test_enclosure_contains_the_exact_product(AB):
    A, B = AB
    C = accurate_matmul_enclosure(A, B)
    E = _exact(A, B)
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            assert Fraction(float(C.lo[i, j])) <= E[i][j] <= Fraction(float(C.hi[i, j])), (i, j)


@settings(max_examples=100, deadline=None)
@given(matrices())
def test_split_is_exact_and_high_parts_are_short(AB):
    A, _ = AB
    A1, A2, s = split_exact(A, 1, 20)
    assert np.array_equal(A1 + A2, A)
    for i in range(A.shape[0]):
        for a, a1, a2 in zip(A[i], A1[i], A2[i]):
            assert Fraction(float(a1)) + Fraction(float(a2)) == Fraction(float(a))
            q = Fraction(float(a1)) / Fraction(2) ** int(s[i, 0])
            assert q.denominator == 1 and abs(q) <= 2 ** 20


def test_radius_is_about_one_rounding():
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((30, 512)), rng.standard_normal((512, 40))
    C = accurate_matmul_enclosure(A, B)
    mid = 0.5 * (C.lo + C.hi)
    plain = 512 * 2.0 ** -53 * (np.abs(A) @ np.abs(B))      # the a-priori gamma_k |A||B| of a plain product
    assert ((C.hi - C.lo) <= 4 * np.spacing(np.abs(mid)) + 1e-4 * plain).all()
    v = accurate_matmul_enclosure(A, B[:, 0])
    assert v.shape == (30,) and (v.lo <= C.hi[:, 0]).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1e300, allow_nan=False), min_size=1, max_size=30),
       st.lists(st.floats(1e-300, 1e300, allow_nan=False), min_size=1, max_size=30))
def test_upper_bounds_bound_the_exact_results(xs, ys):
    k = min(len(xs), len(ys))
    x, y = np.array(xs[:k]), np.array(ys[:k])
    def ok(bound, exact):              # inf is a valid (useless) upper bound
        return bound == np.inf or Fraction(float(bound)) >= exact

    F = lambda v: Fraction(float(v))  # noqa: E731
    for a, b, s, p, q in zip(x, y, ub.add(x, y), ub.mul(x, y), ub.div(x, y)):
        assert ok(s, F(a) + F(b)) and ok(p, F(a) * F(b)) and ok(q, F(a) / F(b))
    assert ok(ub.total(x), sum((F(a) for a in x), Fraction(0)))
    nrm = ub.norm(x)
    assert nrm == np.inf or F(nrm) ** 2 >= sum((F(a) ** 2 for a in x), Fraction(0))
    for v in (0.0, 5e-324, 1e-310, 2.0 ** -1022, 1.0, 1.9999999999999998, 1e308):
        assert ub.above(v) >= np.nextafter(v, np.inf) and ub.below(v) <= np.nextafter(v, -np.inf)
        assert ub.above(-v) >= np.nextafter(-v, np.inf)
