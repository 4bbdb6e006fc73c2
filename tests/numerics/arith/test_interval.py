"""Soundness of interval arithmetic against exact rationals (python-flint fmpq)."""

import math

import numpy as np
import pytest
from flint import arb, ctx, fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith import interval as iv
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from numerics_oracle import contains_ball, contains_rational, q

# adversarial floats: subnormal, tiny, huge, exact small integers, generic
special = st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300,
                           1e300, -1e300, 1.7976931348623157e308, 1.0, -1.0, 0.5, 3.0,
                           1 + 2 ** -52, 1e-16, 2.0 ** 600])
finite = st.one_of(special, st.floats(allow_nan=False, allow_infinity=False),
                   st.floats(-10, 10, allow_nan=False))


@st.composite
def intervals(draw):
    a, b = draw(finite), draw(finite)
    return (min(a, b), max(a, b))


def points_in(lo, hi):
    pts = [lo, hi]
    if hi > lo:
        mid = lo / 2 + hi / 2
        if lo <= mid <= hi:
            pts.append(mid)
    if lo <= 0 <= hi:
        pts.append(0.0)
    return pts


def _check_binary(op, exact, a, b, skip_zero_div=False):
    A, B = Interval(*a), Interval(*b)
    R = op(A, B)
    lo, hi = float(R.lo), float(R.hi)
    assert lo <= hi
    for x in points_in(*a):
        for y in points_in(*b):
            if skip_zero_div and y == 0:
                continue
            val = exact(q(x), q(y))
            assert contains_rational(lo, hi, val) if math.isfinite(lo) and math.isfinite(hi) \
                else (lo == -math.inf or q(lo) <= val) and (hi == math.inf or val <= q(hi)), \
                (a, b, x, y, lo, hi)


@settings(max_examples=400, deadline=None)
@given(intervals(), intervals())
def test_add_sub_mul_contain_exact_results(a, b):
    _check_binary(lambda x, y: x + y, lambda x, y: x + y, a, b)
    _check_binary(lambda x, y: x - y, lambda x, y: x - y, a, b)
    _check_binary(lambda x, y: x * y, lambda x, y: x * y, a, b)


@settings(max_examples=300, deadline=None)
@given(intervals(), intervals())
def test_division_contains_exact_quotients(a, b):
    _check_binary(lambda x, y: x / y, lambda x, y: x / y, a, b, skip_zero_div=True)
    if b[0] <= 0 <= b[1]:
        R = Interval(*a) / Interval(*b)
        assert R.lo == -np.inf and R.hi == np.inf


@settings(max_examples=300, deadline=None)
@given(intervals(), st.integers(-5, 9))
def test_integer_powers_contain_exact_powers(a, k):
    A = Interval(*a)
    if k < 0 and a[0] <= 0 <= a[1]:
        return
    R = A ** k
    for x in points_in(*a):
        if k < 0 and x == 0:
            continue
        val = q(x) ** k
        lo, hi = float(R.lo), float(R.hi)
        assert (lo == -np.inf or q(lo) <= val) and (hi == np.inf or val <= q(hi)), (a, k, x)


@settings(max_examples=300, deadline=None)
@given(intervals())
def test_sqrt_contains_exact_roots(a):
    if a[1] < 0:
        with pytest.raises(ValueError):
            iv.sqrt(Interval(*a))
        return
    R = iv.sqrt(Interval(*a))
    for x in points_in(max(a[0], 0.0), a[1]):
        x = max(x, 0.0)
        # lo^2 <= x <= hi^2 exactly, lo >= 0
        assert R.lo >= 0
        assert q(float(R.lo)) ** 2 <= q(x) <= q(float(R.hi)) ** 2 or float(R.hi) == np.inf


def test_sqrt_exact_edges():
    assert float(iv.sqrt(Interval(0.0)).lo) == 0.0 and float(iv.sqrt(Interval(0.0)).hi) == 0.0
    r = iv.sqrt(Interval(4.0))
    assert r.lo == 2.0 and r.hi > 2.0


@settings(max_examples=200, deadline=None)
@given(st.lists(intervals(), min_size=1, max_size=40))
def test_sum_contains_exact_sum(items):
    lo = np.array([a for a, _ in items])
    hi = np.array([b for _, b in items])
    S = Interval(lo, hi).sum()
    exact_lo = sum((q(x) for x in lo), fmpq(0))
    exact_hi = sum((q(x) for x in hi), fmpq(0))
    assert float(S.lo) == -np.inf or q(float(S.lo)) <= exact_lo
    assert float(S.hi) == np.inf or exact_hi <= q(float(S.hi))


def test_interval_validation():
    with pytest.raises(ValueError, match="NaN"):
        Interval(np.nan, 1.0)
    with pytest.raises(ValueError, match="lo <= hi"):
        Interval(2.0, 1.0)
    with pytest.raises(TypeError):
        Interval(1.0, 2.0) ** 0.5
    with pytest.raises(TypeError):
        bool(Interval(1.0, 2.0))


def test_shape_api_and_reflected_operands():
    A = Interval(np.zeros((2, 3)), np.ones((2, 3)))
    assert A.shape == (2, 3) and A.ndim == 2 and A.T.shape == (3, 2) and len(A) == 2
    assert A[0].shape == (3,) and A.reshape(6).shape == (6,)
    B = np.ones((2, 3)) + A
    assert isinstance(B, Interval) and np.all(B.lo <= 1.0) and np.all(B.hi >= 2.0)
    C = 2.0 - A
    assert np.all(C.lo <= 1.0) and np.all(C.hi >= 2.0)
    D = 1.0 / Interval(2.0, 4.0)
    assert D.contains(0.25) and D.contains(0.5)
    assert A.contains(np.full((2, 3), 0.5)).all()
    assert np.all(A.mid() >= A.lo) and np.all(A.mid() <= A.hi)
    m, r = A.mid(), A.rad()
    assert np.all(m - r <= A.lo) and np.all(m + r >= A.hi)
    assert np.all(A.width() >= 1.0)
    X = Interval(-2.0, 1.0)
    assert float(X.mag()) == 2.0 and float(X.mig()) == 0.0
    H = Interval.hull(Interval(0.0, 1.0), 3.0)
    assert float(H.lo) == 0.0 and float(H.hi) == 3.0


def test_comparisons_are_three_valued():
    assert iv.certainly_lt(Interval(0.0, 1.0), 2.0) is Verdict.HOLDS
    assert iv.certainly_lt(Interval(0.0, 1.0), 0.5) is Verdict.UNDECIDED
    assert iv.certainly_lt(Interval(1.0, 2.0), 1.0) is Verdict.FAILS
    assert iv.certainly_le(Interval(0.0, 1.0), 1.0) is Verdict.HOLDS
    assert iv.certainly_gt(Interval(3.0, 4.0), Interval(1.0, 2.0)) is Verdict.HOLDS
    assert iv.certainly_ge(Interval(0.0, 1.0), Interval(1.0, 2.0)) is Verdict.UNDECIDED
    # conjunction over entries: one failing entry makes the whole statement fail
    v = iv.certainly_lt(Interval(np.array([0.0, 5.0])), 1.0)
    assert v is Verdict.FAILS
    el = iv.compare_lt(Interval(np.array([0.0, 5.0, 0.5]), np.array([0.0, 5.0, 1.5])), 1.0)
    assert list(el) == [Verdict.HOLDS, Verdict.FAILS, Verdict.UNDECIDED]


def test_unbounded_and_overflow_endpoints():
    big = Interval(1e308)
    s = big + big
    assert float(s.hi) == np.inf and float(s.lo) == np.finfo(float).max
    p = Interval(0.0) * Interval(-np.inf, np.inf)
    assert float(p.lo) == 0.0 and float(p.hi) == 0.0


@pytest.mark.parametrize("n, seed", [(20_000, 11), (100_000, 7)])
def test_elementwise_arithmetic_random_cases(n, seed):
    """Random interval pairs from adversarial magnitudes (1e5 in the slow suite, 2e4 in every run),
    all four operations, exact check."""
    rng = np.random.default_rng(seed)
    mags = 10.0 ** rng.uniform(-320, 300, (4, n))
    vals = np.where(rng.random((4, n)) < 0.5, -1, 1) * mags
    alo, ahi = np.minimum(vals[0], vals[1]), np.maximum(vals[0], vals[1])
    blo, bhi = np.minimum(vals[2], vals[3]), np.maximum(vals[2], vals[3])
    A, B = Interval(alo, ahi), Interval(blo, bhi)
    results = {"+": A + B, "-": A - B, "*": A * B, "/": A / B}
    for i in range(n):
        for x in (alo[i], ahi[i]):
            for y in (blo[i], bhi[i]):
                qx, qy = q(x), q(y)
                for name, R in results.items():
                    if name == "/" and y == 0:
                        continue
                    val = {"+": qx + qy, "-": qx - qy, "*": qx * qy,
                           "/": qx / qy if y != 0 else None}[name]
                    lo, hi = float(R.lo[i]), float(R.hi[i])
                    assert (lo == -np.inf or q(lo) <= val) and (hi == np.inf or val <= q(hi))
