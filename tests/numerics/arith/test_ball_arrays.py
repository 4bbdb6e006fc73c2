"""numerics.arith.ball_arrays: every ball operation contains the exact rational result, and the
conversion to intervals keeps it (huge, tiny and cancelling magnitudes included)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith.ball_arrays import BallArray, matmul
from numerics.arith.context import arb_precision

MAGNITUDES = st.sampled_from([1e-300, 1e-20, 1.0, 3e7, 1e150])


def _exact(a: np.ndarray) -> np.ndarray:
    return np.vectorize(Fraction, otypes=[object])(a)


def _contains(iv, exact: np.ndarray) -> bool:
    lo, hi = iv.lo.ravel(), iv.hi.ravel()
    return all(Fraction(float(l)) <= e <= Fraction(float(h)) for l, e, h in zip(lo, exact.ravel(), hi))


def _arrays(seed: int, scale: float, shape):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) * scale


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10 ** 6), sa=MAGNITUDES, sb=MAGNITUDES, bits=st.sampled_from([53, 64, 160]))
def test_matmul_and_elementwise_contain_the_exact_result(seed, sa, sb, bits):
    A, B = _arrays(seed, sa, (3, 4)), _arrays(seed + 1, sb, (4, 2))
    C = _arrays(seed + 2, sa, (3, 4))
    with arb_precision(bits):
        P = matmul(BallArray.exact(A), B).interval()
        E = (BallArray.exact(A) * C - C + 1.5).interval()
        V = matmul(BallArray.exact(A), B[:, 0]).interval()
    assert _contains(P, _exact(A).dot(_exact(B)))
    assert _contains(E, _exact(A) * _exact(C) - _exact(C) + Fraction(3, 2))
    assert _contains(V, _exact(A).dot(_exact(B[:, 0])))


def test_cancellation_is_resolved_where_float64_cannot():
    """(1 + 2^-60) - 1 in balls: exact at 160 bits, while float64 rounds 1 + 2^-60 to 1."""
    with arb_precision(160):
        x = BallArray.exact(np.array([1.0])) + 2.0 ** -60
        diff = (x - 1.0).interval()
    assert diff.lo[0] == diff.hi[0] == 2.0 ** -60


def test_non_finite_and_mismatched_operands_are_refused():
    with pytest.raises(ValueError, match="not finite"):
        BallArray.exact(np.array([np.nan]))
    with arb_precision(64):
        with pytest.raises(ValueError, match="do not chain"):
            matmul(BallArray.exact(np.ones((2, 3))), np.ones((2, 2)))


def test_ball_arrays_are_immutable():
    b = BallArray.exact(np.ones(2))
    with pytest.raises(AttributeError):
        b.x = 1
    with pytest.raises(ValueError):
        b.balls[0] = 0
