"""The error-free transformations and the compensated (Dot2) products, checked directly against
exact rationals: TwoSum and TwoProduct are exact where their theorems say so, and every Dot2
error bound contains the exact value, including ill-conditioned dot products (massive
cancellation), huge and tiny magnitudes and interval inputs."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from numerics.arith.accurate_dot import dot2_matvec, dot_enclosure, matvec_enclosure, quadratic_form_enclosure
from numerics.arith.error_free import split, two_product, two_sum
from numerics.arith.interval import Interval

F = Fraction
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
moderate = st.floats(min_value=-2.0 ** 400, max_value=2.0 ** 400, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(finite, finite)
def test_two_sum_is_exact(a, b):
    s, e = two_sum(np.float64(a), np.float64(b))
    assume(np.isfinite(s))
    assert s == np.float64(a) + np.float64(b)
    assert F(a) + F(b) == F(float(s)) + F(float(e))


@settings(max_examples=400, deadline=None)
@given(moderate, moderate)
def test_two_product_is_exact_without_underflow(a, b):
    with np.errstate(under="ignore"):
        p, e = two_product(np.float64(a), np.float64(b))
    assume(a == 0 or b == 0 or abs(a * b) >= 2.0 ** -960)      # the theorem's no-underflow range
    assert p == np.float64(a) * np.float64(b)
    assert F(a) * F(b) == F(float(p)) + F(float(e))


def _significant_bits(x: float) -> int:
    num = abs(F(x).numerator)
    while num and num % 2 == 0:
        num //= 2
    return num.bit_length()


@settings(max_examples=300, deadline=None)
@given(moderate)
def test_split_halves_are_exact_and_short(a):
    """Veltkamp's splitting: a = hi + lo exactly, each half with at most 26 significant bits (so
    every product of halves is exact, the basis of TwoProduct)."""
    hi, lo = split(np.float64(a))
    assert F(float(hi)) + F(float(lo)) == F(a)
    assert _significant_bits(float(hi)) <= 26 and _significant_bits(float(lo)) <= 26


def _exact_matvec(AT: np.ndarray, v: np.ndarray) -> list:
    return [sum(F(float(AT[j, i])) * F(float(v[j])) for j in range(AT.shape[0])) for i in range(AT.shape[1])]


def ill_conditioned(rng, n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """x, y with x . y tiny against |x| . |y| (Ogita-Rump-Oishi's GenDot idea): the last pair
    cancels the float sum of the others up to rounding."""
    x = rng.standard_normal(n) * 2.0 ** rng.integers(-30, 30, n) * scale
    y = rng.standard_normal(n) * 2.0 ** rng.integers(-30, 30, n)
    partial = float(np.dot(x[:-1], y[:-1]))
    x[-1] = 1.0 * scale
    y[-1] = -partial / scale
    return x, y


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("scale", [1.0, 2.0 ** -500, 2.0 ** 300, 2.0 ** -1000])
def test_dot2_bound_contains_the_exact_value(seed, scale):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    x, y = ill_conditioned(rng, n, scale)
    AT = np.stack([x, rng.standard_normal(n) * scale], axis=1)      # two columns: A = [x; random]
    with np.errstate(under="ignore", over="ignore"):
        res = dot2_matvec(AT, y)
    if res is None:
        assert max(np.abs(AT).max(), np.abs(y).max()) >= 2.0 ** 480
        return
    w, err = res
    exact = _exact_matvec(AT, y)
    for i in range(2):
        assert abs(F(float(w[i])) - exact[i]) <= F(float(err[i])), (i, float(w[i]), float(err[i]))


def test_dot2_is_far_more_accurate_than_the_float_dot_on_cancellation():
    rng = np.random.default_rng(5)
    x, y = ill_conditioned(rng, 30, 1.0)
    w, err = dot2_matvec(x[:, None], y)
    exact = _exact_matvec(x[:, None], y)[0]
    plain = F(float(np.dot(x, y)))
    assert abs(F(float(w[0])) - exact) <= abs(plain - exact)
    bound = sum(abs(F(float(a)) * F(float(b))) for a, b in zip(x, y))
    assert F(float(err[0])) < bound * F(1, 2 ** 80) + abs(exact) * F(1, 2 ** 50)


def test_dot2_refuses_magnitudes_where_splitting_overflows():
    assert dot2_matvec(np.array([[2.0 ** 490]]), np.array([1.0])) is None


@pytest.mark.parametrize("seed", range(20))
def test_dot_enclosure_contains_the_exact_dot(seed):
    rng = np.random.default_rng(100 + seed)
    x, y = ill_conditioned(rng, int(rng.integers(2, 50)), 2.0 ** float(rng.integers(-600, 600)))
    with np.errstate(under="ignore", over="ignore"):
        enc = dot_enclosure(x, y)
    exact = sum(F(float(a)) * F(float(b)) for a, b in zip(x, y))
    assert F(float(enc.lo)) <= exact <= F(float(enc.hi))


@pytest.mark.parametrize("seed", range(10))
def test_interval_dot_and_matvec_contain_every_member(seed):
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(2, 12))
    M = rng.standard_normal((n, n))
    M = (M + M.T) / 2
    R = np.abs(rng.standard_normal((n, n))) * 1e-6
    R = (R + R.T) / 2
    A = Interval(M - R, M + R)
    v = rng.standard_normal(n)
    W = matvec_enclosure(A, v)
    Q = quadratic_form_enclosure(A, v)
    xi = Interval(v - 1e-3, v + 1e-3)
    D = dot_enclosure(xi, v)
    for _ in range(5):
        t = rng.random((n, n))
        X = np.triu(A.lo + t * (A.hi - A.lo))
        X = X + np.triu(X, 1).T                  # a symmetric member of A
        Xv = _exact_matvec(X.T, v)
        for i in range(n):
            assert F(float(W.lo[i])) <= Xv[i] <= F(float(W.hi[i]))
        q = sum(F(float(v[i])) * Xv[i] for i in range(n))
        assert F(float(Q.lo)) <= q <= F(float(Q.hi))
        u = v - 1e-3 + 2e-3 * rng.random(n)
        d = sum(F(float(a)) * F(float(b)) for a, b in zip(u, v))
        assert F(float(D.lo)) <= d <= F(float(D.hi))
