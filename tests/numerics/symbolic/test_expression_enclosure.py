"""Soundness of the sympy -> Arb evaluator against mpmath at 200 bits."""

import math

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from numerics.symbolic.enclosure import decide_relation, enclose
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict

n, lam, d, C = sp.symbols("n lambda0 delta C_y", positive=True)
EXPRS = [
    13824 / sp.pi * (C**2 + sp.Rational(1, 2)) * n**6 / (lam**4 * d**3),
    131072 / sp.pi * (C**2 + sp.Rational(1, 2)) * n**2 * (n**2 + n**sp.Rational(3, 2))**2 / (lam**4 * d**3),
    256 * n**2 * sp.log(4 * n / d) / lam**2,
    lam / (4 * n**2),
    sp.sqrt(n) * sp.exp(-lam) - sp.log(1 + d) / C,
]

positive = st.floats(min_value=1e-8, max_value=1e8, allow_nan=False, allow_infinity=False)


def _mp_value(expr, vals):
    mpmath.mp.prec = 200
    f = sp.lambdify(list(vals), expr, modules="mpmath")
    return f(*[mpmath.mpf(v) for v in vals.values()])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXPRS), positive, positive, st.floats(min_value=1e-6, max_value=0.999999), positive,
       st.floats(min_value=0, max_value=1e-3))
def test_enclosure_contains_high_precision_value(expr, nv, lv, dv, cv, rel):
    vals = {n: nv, lam: lv, d: dv, C: cv}
    exact = _mp_value(expr, vals)
    enc = enclose(expr, {n: nv, lam: lv, d: dv, C: cv})
    assert mpmath.mpf(float(enc.lo)) <= exact <= mpmath.mpf(float(enc.hi))
    # interval inputs: every point value inside must be enclosed too
    lo, hi = lv, lv * (1 + rel)
    enc2 = enclose(expr, {n: nv, lam: Interval(lo, hi), d: dv, C: cv})
    for v in (lo, hi, (lo + hi) / 2):
        ex = _mp_value(expr, {n: nv, lam: v, d: dv, C: cv})
        assert mpmath.mpf(float(enc2.lo)) <= ex <= mpmath.mpf(float(enc2.hi))


def test_point_enclosures_are_tight():
    enc = enclose(EXPRS[0], {n: 20, lam: 0.1, d: 0.05, C: 1.0})
    assert float(enc.hi - enc.lo) <= 4 * math.ulp(float(enc.hi))


def test_relation_verdicts_are_three_valued():
    m = sp.Symbol("m", positive=True)
    rel = sp.StrictGreaterThan(m, lam / 4, evaluate=False)
    assert decide_relation(rel, {m: 1.0, lam: Interval(0.5, 1.0)})[0] is Verdict.HOLDS
    assert decide_relation(rel, {m: 0.1, lam: Interval(0.5, 1.0)})[0] is Verdict.FAILS
    assert decide_relation(rel, {m: 0.2, lam: Interval(0.5, 1.0)})[0] is Verdict.UNDECIDED
    # unbounded input can never decide
    assert decide_relation(rel, {m: 1.0, lam: Interval(0.5, math.inf)})[0] is Verdict.UNDECIDED


def test_missing_symbol_is_an_error():
    with pytest.raises(KeyError):
        enclose(n + lam, {n: 1})
