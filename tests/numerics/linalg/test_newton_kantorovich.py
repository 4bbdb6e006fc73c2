"""Newton-Kantorovich on the least-norm correction: every proved radius must reach a real zero.

Oracles: the exact distance from x0 to the zero set of maps whose zeros are known in closed form
(x^2 - c, ||x||^2 - 1, diagonal quadratic systems), evaluated in Arb at 200 bits; exact
rationals for the singular-value and residual bounds."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from flint import arb, ctx, fmpq, fmpq_mat
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from numerics.arith import interval as iv
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from numerics.linalg.newton_kantorovich import (kantorovich_zero, prove_zero_near, residual_norm_upper,
                                                simplified_newton_zero,
                                                smallest_singular_value_lower)
from numerics_oracle import ORACLE_BITS, is_positive_definite_exact, q

floats = st.floats(min_value=1e-6, max_value=1e3, allow_nan=False)


def _arb_le(a: arb, b: float) -> bool:
    return bool(a <= arb(b))


# ------------------------------------------------------------------ the scalar theorem
def test_kantorovich_radius_matches_the_formula_and_is_rounded_up():
    z = kantorovich_zero(1e-3, 2.0, 3.0, 1.0)
    assert z.verdict is Verdict.HOLDS
    h = Fraction(3) * Fraction(1e-3) / 4
    exact = 2 * Fraction(1e-3) / (2 * (1 + math.sqrt(1 - 2 * float(h))))
    assert Fraction(z.radius) >= Fraction(exact) * (1 - Fraction(1, 10 ** 12))
    assert z.radius <= 2 * 1e-3 / 2 * 1.0000001          # never above 2 eps / sigma


def test_kantorovich_refuses_h_above_one_half_and_rank_deficiency():
    assert kantorovich_zero(1.0, 1.0, 0.5000001 * 2, 10.0).verdict is Verdict.UNDECIDED
    assert kantorovich_zero(1.0, 1.0, 0.5, 10.0).verdict is Verdict.HOLDS            # h = 1/2 exactly
    assert kantorovich_zero(1e-3, 0.0, 1.0, 1.0).verdict is Verdict.UNDECIDED
    assert kantorovich_zero(math.inf, 1.0, 1.0, 1.0).verdict is Verdict.UNDECIDED
    z = kantorovich_zero(1e-3, 1.0, 1.0, 1e-6)           # the ball is too small for the radius
    assert z.verdict is Verdict.UNDECIDED and "ball" in z.reason


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_kantorovich_rejects_invalid_bounds(bad):
    with pytest.raises(ValueError):
        kantorovich_zero(bad, 1.0, 1.0, 1.0)


# ------------------------------------------------------------------ maps with known zeros
def _scalar_square(x0: float, c: float):
    """F(x) = x^2 - c: residual, Jacobian and the global Lipschitz constant 2 of F'."""
    r = iv.as_interval(np.array([x0])) ** 2 - c
    J = Interval(np.array([[2 * x0]]))
    return r, J


@settings(max_examples=200, deadline=None)
@given(x0=st.floats(min_value=1e-3, max_value=1e3), rel=st.floats(min_value=-0.4, max_value=0.4),
       tiny=st.booleans())
def test_radius_reaches_the_root_of_x2_minus_c(x0, rel, tiny):
    c = (x0 * (1 + (rel * 1e-9 if tiny else rel))) ** 2
    r, J = _scalar_square(x0, c)
    z = prove_zero_near(r, J, lambda rho: 2.0)
    if z.verdict is Verdict.HOLDS:
        with ctx.workprec(ORACLE_BITS):
            dist = abs(arb(x0) - arb(c).sqrt())
            assert _arb_le(dist, z.radius)


@settings(max_examples=200, deadline=None)
@given(x0=st.floats(min_value=-1e3, max_value=1e3))
def test_no_zero_is_ever_claimed_for_x2_plus_1(x0):
    r = iv.as_interval(np.array([x0])) ** 2 + 1.0
    z = prove_zero_near(r, Interval(np.array([[2 * x0]])), lambda rho: 2.0)
    assert z.verdict is not Verdict.HOLDS


@settings(max_examples=150, deadline=None)
@given(v=st.lists(st.floats(min_value=-3, max_value=3), min_size=3, max_size=3),
       scale=st.floats(min_value=0.5, max_value=1.5))
def test_radius_reaches_the_unit_sphere(v, scale):
    """F(x) = ||x||^2 - 1 (one equation, three unknowns): dist(x0, zeros) = | ||x0|| - 1 |."""
    x = np.array(v)
    nrm = float(np.linalg.norm(x))
    assume(nrm > 1e-3)
    x = x / nrm * scale
    r = (iv.as_interval(x) ** 2).sum() - 1.0
    r = Interval._raw(np.atleast_1d(r.lo), np.atleast_1d(r.hi))
    J = (iv.as_interval(x) * 2.0).reshape(1, 3)
    z = prove_zero_near(r, J, lambda rho: 2.0)          # ||2 (x - x')|| = 2 ||x - x'||
    if z.verdict is Verdict.HOLDS:
        with ctx.workprec(ORACLE_BITS):
            n2 = sum((arb(float(t)) ** 2 for t in x), arb(0))
            assert _arb_le(abs(n2.sqrt() - 1), z.radius)
    if abs(scale - 1) < 0.05:
        assert z.verdict is Verdict.HOLDS


@settings(max_examples=100, deadline=None)
@given(x=st.lists(st.floats(min_value=0.05, max_value=10), min_size=3, max_size=3),
       rel=st.lists(st.floats(min_value=-0.2, max_value=0.2), min_size=3, max_size=3))
def test_radius_reaches_the_root_of_a_diagonal_system(x, rel):
    """F_i(x) = x_i^2 - c_i: the nearest zero is (sqrt c_i), distance in Arb."""
    x0 = np.array(x)
    c = (x0 * (1 + np.array(rel))) ** 2
    r = iv.as_interval(x0) ** 2 - c
    J = Interval(np.diag(2 * x0))
    z = prove_zero_near(r, J, lambda rho: 2.0)
    if z.verdict is Verdict.HOLDS:
        with ctx.workprec(ORACLE_BITS):
            d2 = sum(((arb(float(a)) - arb(float(b)).sqrt()) ** 2 for a, b in zip(x0, c)), arb(0))
            assert _arb_le(d2.sqrt(), z.radius)


# ------------------------------------------------------------------ the bounds
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10 ** 6), m=st.integers(1, 4), extra=st.integers(0, 3),
       cond=st.sampled_from([1.0, 1e-4, 1e-8]))
def test_smallest_singular_value_lower_is_below_the_exact_one(seed, m, extra, cond):
    rng = np.random.default_rng(seed)
    N = m + extra
    J = rng.standard_normal((m, N))
    J[-1] = J[0] * (1 + cond) if m > 1 else J[-1] * cond      # near-rank-deficient rows
    s = smallest_singular_value_lower(Interval(J))
    assert s >= 0
    if s > 0:
        G = fmpq_mat([[sum((q(J[i, k]) * q(J[j, k]) for k in range(N)), fmpq(0)) for j in range(m)]
                      for i in range(m)])
        s2 = q(s) * q(s)
        for i in range(m):
            G[i, i] = G[i, i] - s2
        # lambda_min(J J^T) >= s^2: J J^T - s^2 I is PSD (PD unless s is exactly sigma_m)
        assert is_positive_definite_exact(G) or s2 == 0


@settings(max_examples=100, deadline=None)
@given(v=st.lists(st.floats(min_value=-1e150, max_value=1e150, allow_nan=False), min_size=1, max_size=6))
def test_residual_norm_upper_is_above_the_exact_norm(v):
    x = np.array(v)
    b = residual_norm_upper(Interval(x))
    with ctx.workprec(ORACLE_BITS):
        exact = sum((arb(float(t)) ** 2 for t in x), arb(0)).sqrt()
        assert math.isinf(b) or _arb_le(exact, b)


# ------------------------------------------------------------------ frozen-derivative form
def test_holds_exactly_at_the_boundary_and_fails_just_beyond():
    # eps = r (sigma - delta) exactly in rationals: 0.5 = 1 * (0.75 - 0.25)
    assert simplified_newton_zero(0.5, 0.75, 0.25, 1.0).verdict is Verdict.HOLDS
    assert simplified_newton_zero(math.nextafter(0.5, 1), 0.75, 0.25, 1.0).verdict is Verdict.UNDECIDED
    c = simplified_newton_zero(0.1, 1.0, 1.0, 1.0)
    assert c.verdict is Verdict.UNDECIDED and "not < 1" in c.reason
    assert simplified_newton_zero(0.1, 0.0, 0.0, 1.0).verdict is Verdict.UNDECIDED
    assert simplified_newton_zero(math.inf, 1.0, 0.0, 1.0).verdict is Verdict.UNDECIDED


def test_a_map_it_certifies_has_its_zero_in_the_ball():
    """G(a) = M a + c a^3 - b in 1-D with known zero: certified radius must contain it."""
    M, c, b = 2.0, 0.1, 0.01
    r = 0.02
    delta = 3 * c * r ** 2 * (1 + 1e-12)              # sup |G' - M| on [-r, r]
    cert = simplified_newton_zero(abs(b) * (1 + 1e-15), M, delta, r)
    assert cert.verdict is Verdict.HOLDS
    roots = np.roots([c, 0, M, -b])
    real = [z.real for z in roots if abs(z.imag) < 1e-12]
    assert sum(abs(z) <= r for z in real) == 1


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_simplified_newton_bad_bounds(bad):
    with pytest.raises(ValueError):
        simplified_newton_zero(bad, 1.0, 0.0, 1.0)
