"""numerics.arith.dyadic: floats read as (-1)^s odd 2^e from their bits, and exact conversions,
checked against Python's exact rationals."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith.dyadic import InexactConversion, dyadic_parts, exact_float64

finite = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(finite, min_size=1, max_size=8))
def test_parts_reconstruct_the_value_exactly(values):
    neg, odd, exp = dyadic_parts(np.array(values))
    for v, s, o, e in zip(values, neg.tolist(), odd.tolist(), exp.tolist()):
        assert Fraction(v) == (-1) ** s * o * Fraction(2) ** e
        assert o == 0 or o % 2 == 1
        assert (o == 0) == (v == 0)


def test_subnormals_and_extremes():
    tiny = np.nextafter(0.0, 1.0)                       # 2^-1074
    vals = np.array([tiny, -3 * tiny, 2.2250738585072014e-308, 1.7976931348623157e308, -0.0, 2.0 ** -1000])
    neg, odd, exp = dyadic_parts(vals)
    assert (odd[0], exp[0]) == (1, -1074)
    assert (bool(neg[1]), odd[1], exp[1]) == (True, 3, -1074)
    assert (odd[2], exp[2]) == (1, -1022)
    assert odd[4] == 0 and not neg[4]
    assert (odd[5], exp[5]) == (1, -1000)


def test_parts_do_not_depend_on_flush_to_zero():
    torch = pytest.importorskip("torch")
    vals = np.array([2.3e-308, 2.2e-308, 5e-324])
    ref = [a.copy() for a in dyadic_parts(vals)]
    torch.set_flush_denormal(True)
    try:
        got = dyadic_parts(vals)
    finally:
        torch.set_flush_denormal(False)
    for a, b in zip(ref, got):
        assert np.array_equal(a, b)


def test_nonfinite_is_refused():
    with pytest.raises(ValueError, match=r"\[1\]"):
        dyadic_parts(np.array([1.0, np.inf]))


def test_int64_beyond_2_53():
    ok = np.array([2 ** 53, -(2 ** 53), 2 ** 60, 2 ** 62 + 2 ** 10, 7], dtype=np.int64)
    assert [Fraction(v) for v in exact_float64(ok).tolist()] == [Fraction(int(v)) for v in ok]
    bad = np.array([[1, 2 ** 53 + 3, 5]], dtype=np.int64)
    with pytest.raises(InexactConversion) as exc:
        exact_float64(bad)
    assert exc.value.index == (0, 1) and exc.value.value == str(2 ** 53 + 3)
    with pytest.raises(InexactConversion):
        exact_float64(np.array([2 ** 64 - 1], dtype=np.uint64))
    for v in (2 ** 53 + 1, -(2 ** 53 + 1)):          # rounds to +-2^53 itself: a boundary case
        with pytest.raises(InexactConversion):
            exact_float64(np.array([v], dtype=np.int64))


@settings(max_examples=150, deadline=None)
@given(st.integers(-(2 ** 63), 2 ** 63 - 1))
def test_int64_accepted_exactly_when_representable(v):
    arr = np.array([v], dtype=np.int64)
    representable = Fraction(float(v)) == v
    if representable:
        assert Fraction(exact_float64(arr)[0]) == v
    else:
        with pytest.raises(InexactConversion):
            exact_float64(arr)


@pytest.mark.skipif(np.finfo(np.longdouble).nmant <= 52, reason="long double is float64 on this platform")
def test_longdouble_rounding_is_refused():
    x = np.array([1.0, 0.5], dtype=np.longdouble)
    x[1] = np.longdouble(1) + np.longdouble(2) ** -60      # needs 61 bits
    with pytest.raises(InexactConversion) as exc:
        exact_float64(x)
    assert exc.value.index == (1,)
    assert exact_float64(np.array([0.25, 3.0], dtype=np.longdouble)).tolist() == [0.25, 3.0]


def test_floats_and_bools_convert():
    assert exact_float64(np.array([0.1], dtype=np.float32))[0] == float(np.float32(0.1))
    assert exact_float64(np.array([True, False])).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError):
        exact_float64(np.array(["a"]))
