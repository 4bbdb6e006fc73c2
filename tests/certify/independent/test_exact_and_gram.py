"""The independent checker's exact integer forms and its H_inf balls, against exact rationals
and mpmath at 60 digits (adversarial rows: parallel, antiparallel, near-parallel, orthogonal,
subnormal and huge entries)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from certify.independent.exact import dyadic, floor_scaled, integer_rows
from certify.independent.gram import h_inf, integer_gram, parallel_pairs, unit_gram

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=finite),
       st.booleans())
def test_integer_rows_are_exact(A, per_row):
    Z, E = integer_rows(A, per_row=per_row)
    for i in range(A.shape[0]):
        for k in range(A.shape[1]):
            assert Fraction(A[i, k]) == Fraction(Z[i][k]) * Fraction(2) ** E[i]
    if not per_row:
        assert len(set(E)) <= 1


def test_integer_rows_refuse_non_finite():
    with pytest.raises(ValueError):
        integer_rows(np.array([[1.0, np.nan]]))


def test_dyadic_and_floor_scaled():
    with ctx.workprec(100):
        x = arb(2).sqrt().mid()
        q = dyadic(x)
        assert q * q != 2 and abs(q * q - 2) < Fraction(1, 2 ** 90)
        assert floor_scaled(x, 10) == int(q * 1024) and floor_scaled(-x, 10) == -int(q * 1024) - 1


def _mp_h(v, w):
    with mpmath.workdps(60):
        v = [mpmath.mpf(float(t)) for t in v]
        w = [mpmath.mpf(float(t)) for t in w]
        c = mpmath.fsum(a * b for a, b in zip(v, w)) / mpmath.sqrt(mpmath.fsum(a * a for a in v)
                                                                   * mpmath.fsum(b * b for b in w))
        c = min(max(c, -1), 1)
        return c * (mpmath.pi - mpmath.acos(c)) / (2 * mpmath.pi), c


def adversarial_rows(rng) -> np.ndarray:
    base = rng.standard_normal((6, 4))
    near = base[0].copy()
    near[1] = np.nextafter(near[1], np.inf)
    orth = np.array([base[1, 1], -base[1, 0], 0.0, 0.0])
    return np.vstack([base, 2.0 * base[0], -0.5 * base[1], near, orth, base[2] * 2.0 ** -1060,
                      base[3] * 1e300, np.array([5e-324, 0.0, 1.0, 0.0])])


@pytest.mark.parametrize("seed", range(3))
def test_h_inf_balls_contain_the_true_entries(seed):
    X = adversarial_rows(np.random.default_rng(seed))
    with ctx.workprec(128):
        g = integer_gram(X)
        H = h_inf(g)
        G = unit_gram(g)
    n = X.shape[0]
    for i in range(n):
        for j in range(n):
            h, c = _mp_h(X[i], X[j])
            with mpmath.workdps(60):
                lo, hi = (mpmath.mpf(H[i][j].lower().str(60, radius=False)),
                          mpmath.mpf(H[i][j].upper().str(60, radius=False)))
                assert lo - mpmath.mpf(10) ** -55 <= h <= hi + mpmath.mpf(10) ** -55, (i, j)
                assert H[i][j].rad() < arb(2) ** -100
                clo, chi = (mpmath.mpf(G[i][j].lower().str(60, radius=False)),
                            mpmath.mpf(G[i][j].upper().str(60, radius=False)))
                assert clo - mpmath.mpf(10) ** -55 <= c <= chi + mpmath.mpf(10) ** -55


def test_parallel_entries_are_exact():
    X = adversarial_rows(np.random.default_rng(0))
    with ctx.workprec(128):
        H = h_inf(integer_gram(X))
    assert H[0][6].is_exact() and H[0][6] == arb(1) / 2          # x_6 = x_0
    assert H[1][7].is_exact() and H[1][7] == 0                   # x_7 = -x_1: c (pi - pi) = 0


def test_parallel_pairs_agree_with_exact_cross_products():
    X = adversarial_rows(np.random.default_rng(1))
    pairs = parallel_pairs(integer_gram(X))

    def kind(v, w):
        fv, fw = [Fraction(t) for t in v], [Fraction(t) for t in w]
        minors = [fv[a] * fw[b] - fv[b] * fw[a] for a in range(len(v)) for b in range(a + 1, len(v))]
        if any(minors):
            return None
        return "parallel" if sum(a * b for a, b in zip(fv, fw)) > 0 else "antiparallel"

    n = X.shape[0]
    expected = [(i, j, kind(X[i], X[j])) for i in range(n) for j in range(i + 1, n) if kind(X[i], X[j])]
    assert pairs == expected
    assert (0, 6, "parallel") in pairs and (1, 7, "antiparallel") in pairs and (0, 8, "parallel") not in pairs
