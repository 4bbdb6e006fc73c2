"""Where an expression is C^2 (numerics/symbolic/domain.py) and exact constants of any size
(numerics/symbolic/derivatives.enclose_fraction), checked against exact rationals."""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith.verdict import Verdict
from numerics.symbolic.derivatives import enclose_fraction
from numerics.symbolic.domain import domain_conditions, singular_terms

x, y = sp.symbols("x y", real=True)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**6), st.integers(-1200, 1200), st.booleans())
def test_enclose_fraction_contains_the_value(m, e, negative):
    q = Fraction(m) * Fraction(10) ** e * (-1 if negative else 1)
    lo, hi = enclose_fraction(q)
    assert (lo == -math.inf or Fraction(lo) <= q) and (hi == math.inf or q <= Fraction(hi))
    assert lo <= hi


def test_enclose_fraction_is_tight_in_range():
    q = Fraction(1, 3)
    lo, hi = enclose_fraction(q)
    assert Fraction(lo) < q < Fraction(hi) and math.nextafter(lo, 1) == hi


def test_singular_terms_found():
    terms = {(sp.sstr(t), r) for t, _, r in singular_terms(sp.sqrt(x) + 1 / (y - 2) + sp.log(x + y**2) + x**3)}
    assert terms == {("sqrt(x)", "> 0"), ("1/(y - 2)", "!= 0"), ("log(x + y**2)", "> 0")}


@settings(max_examples=60, deadline=None)
@given(st.fractions(-3, 3, max_denominator=64), st.fractions(-3, 3, max_denominator=64),
       st.fractions(Fraction(1, 64), 2, max_denominator=64))
def test_square_root_verdicts_are_sound(a, lo, width):
    """sqrt(x - a) on x in [lo, lo + width]: holds only if x - a > 0 on the whole interval; a
    fails verdict comes with a point where x - a <= 0 (exact check)."""
    hi = lo + width
    c = domain_conditions(sp.sqrt(x - sp.Rational(a.numerator, a.denominator)) + y**2, (x, y),
                          [float(lo), -1.0], [float(hi), 1.0])[0]
    if c.verdict is Verdict.HOLDS:
        assert Fraction(float(lo)) > a
    if c.verdict is Verdict.FAILS:
        assert Fraction(c.witness[0]) <= a and Fraction(float(lo)) <= Fraction(c.witness[0]) <= Fraction(float(hi))
    if Fraction(float(lo)) > a + Fraction(1, 10**6):
        assert c.verdict is Verdict.HOLDS       # a margin this wide is always proved
