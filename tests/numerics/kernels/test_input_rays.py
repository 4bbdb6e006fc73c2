"""numerics.kernels.input_rays: exact parallel and antiparallel rows, against Python's exact
rationals (all 2x2 minors zero and the sign of a common nonzero coordinate)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.kernels.input_rays import parallel_pairs, ray_classes
from numerics.kernels.two_layer import parallel_pairs as kernel_parallel_pairs


def exact_pairs(X):
    rows = [[Fraction(v) for v in r] for r in X.tolist()]
    out = []
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            a, b = rows[i], rows[j]
            if all(a[k] * b[l] == a[l] * b[k] for k in range(len(a)) for l in range(len(a))):
                k = next(k for k in range(len(a)) if a[k] != 0)
                out.append((i, j, "parallel" if (a[k] > 0) == (b[k] > 0) else "antiparallel"))
    return out


# small odd mantissas and wide exponents: many exact multiples, subnormals and huge values
entries = st.builds(lambda s, o, e: (-1) ** s * o * 2.0 ** e, st.integers(0, 1), st.sampled_from([0, 1, 3, 5]),
                    st.integers(-1074, 900))


@st.composite
def families(draw):
    d = draw(st.integers(1, 4))
    base = [draw(st.lists(entries, min_size=d, max_size=d).filter(lambda r: any(r))) for _ in range(draw(st.integers(1, 4)))]
    rows = list(base)
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.sampled_from(base))
        c = draw(st.sampled_from([1.0, -1.0, 2.0 ** -1000, 3.0, -0.5, 2.0 ** 500]))
        scaled = [c * v for v in r]
        if all(np.isfinite(scaled)) and any(scaled) and \
                all(Fraction(c) * Fraction(v) == Fraction(w) for v, w in zip(r, scaled)):
            rows.append(scaled)
    return np.array(rows, dtype=np.float64)


@settings(max_examples=80, deadline=None)
@given(families())
def test_pairs_equal_the_exact_rational_answer(X):
    assert parallel_pairs(X) == exact_pairs(X)
    assert kernel_parallel_pairs(X) == exact_pairs(X)


def test_subnormal_rows_of_the_issue():
    r0 = np.array([2.3e-308, 2.2e-308, 0.0])
    X = np.array([r0, 2 * r0, [1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [3.0, 1.0, 1.0]])
    assert parallel_pairs(X) == [(0, 1, "parallel")]
    # a subnormal that is not zero: [1, 2^-1074] is not parallel to [1, 0]
    tiny = np.nextafter(0.0, 1.0)
    assert parallel_pairs(np.array([[1.0, tiny], [1.0, 0.0]])) == []
    assert parallel_pairs(np.array([[tiny, 3 * tiny], [2.0 ** -1000, 3 * 2.0 ** -1000]])) == [(0, 1, "parallel")]


def test_three_rows_at_scales_1_1_32_1_128():
    v = np.array([0.3, -1.7, 2.9])
    X = np.array([v, v / 32, v / 128, [1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    assert parallel_pairs(X) == [(0, 1, "parallel"), (0, 2, "parallel"), (1, 2, "parallel")]
    assert ray_classes(X) == [[0, 1, 2], [3], [4]]


def test_int64_rows_that_float64_would_round_are_refused():
    v = np.array([1, 2 ** 53 + 3, 5], dtype=np.int64)
    with pytest.raises(ValueError, match="not exactly representable"):
        kernel_parallel_pairs(np.stack([v, 3 * v, np.array([1, 2, 3])]))


def test_rounded_multiples_are_not_parallel():
    v = np.array([0.1, 0.7, 1.3])
    w = v * 3.0                                   # rounded: generally not an exact multiple
    expected = exact_pairs(np.array([v, w]))
    assert parallel_pairs(np.array([v, w])) == expected


def test_float_unit_rows_of_rows_at_extreme_scales():
    from numerics.networks.float_forward import unit_rows

    v = np.array([3.0, -4.0, 12.0])
    U = unit_rows(np.array([v, v * 2.0 ** -1000, v * 2.0 ** 1000, [5e-324, 0.0, 0.0]]))
    assert np.isfinite(U).all()
    assert np.allclose(U[:3], v / 13.0, rtol=1e-15, atol=0) and U[3].tolist() == [1.0, 0.0, 0.0]
