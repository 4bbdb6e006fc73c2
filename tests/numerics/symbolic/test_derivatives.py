"""Soundness of the interval derivative enclosures against sympy's arbitrary-precision evalf
(60 digits) at random exact points of random boxes, including tiny, point and wide boxes."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.symbolic.derivatives import DerivativeEnclosures, IntervalProgram, smooth_objective

x, y = sp.symbols("x y", real=True)
OBJECTIVES = [
    x**2 / 2 + y**4 / 4 - y**2 / 2,
    x**3 - 3 * x * y**2,
    sp.exp(sp.sin(x) * y) + sp.cos(x - y) / 3,
    sp.tanh(x + 2 * y) * x - sp.Rational(1, 7) * y**5,
    sp.log(1 + x**2 + y**2) + sp.sqrt(2 + x * y / 4),
    (x**2 + y**2 + 1) ** sp.Rational(3, 2) - 1 / (3 + sp.sin(y)),
    sp.Float("0.1") * x * y + sp.pi * x**2,
]
_DERIVS = {}


def _derivs(k):
    if k not in _DERIVS:
        o = smooth_objective(OBJECTIVES[k], (x, y))
        _DERIVS[k] = (o, DerivativeEnclosures(o))
    return _DERIVS[k]


def _exact(e, px, py):
    v = e.subs({x: sp.Rational(Fraction(px).numerator, Fraction(px).denominator),
                y: sp.Rational(Fraction(py).numerator, Fraction(py).denominator)})
    return sp.Float(v.evalf(60), 60)


coord = st.floats(-2.0, 2.0, allow_nan=False)
width = st.sampled_from([0.0, 1e-300, 1e-12, 1e-6, 0.01, 0.5, 2.0])


@settings(max_examples=60, deadline=None)
@given(k=st.integers(0, len(OBJECTIVES) - 1), cx=coord, cy=coord, wx=width, wy=width,
       tx=st.floats(0, 1), ty=st.floats(0, 1))
def test_enclosures_contain_exact_derivatives(k, cx, cy, wx, wy, tx, ty):
    o, D = _derivs(k)
    lo = np.array([[cx, cy]])
    hi = np.array([[cx + wx, cy + wy]])
    px = float(np.clip(cx + tx * wx, cx, cx + wx))
    py = float(np.clip(cy + ty * wy, cy, cy + wy))
    f = D.value(lo, hi)
    g, H = D.gradient_hessian(lo, hi)
    gm, _, _ = D.gradient_mean_value(lo, hi)
    T = D.third(lo, hi)

    def inside(enc_lo, enc_hi, e):
        v = _exact(e, px, py)
        assert sp.Float(enc_lo, 60) <= v <= sp.Float(enc_hi, 60), (e, px, py, enc_lo, enc_hi, v)

    inside(f.lo[0], f.hi[0], o.expr)
    for i in range(2):
        inside(g.lo[0, i], g.hi[0, i], o.gradient[i])
        inside(gm.lo[0, i], gm.hi[0, i], o.gradient[i])
        for j in range(2):
            inside(H.lo[0, i, j], H.hi[0, i, j], o.hessian[i][j])
    t3 = o.third()
    for i, j, m in [(0, 0, 0), (0, 1, 1), (1, 1, 1), (1, 0, 1)]:
        inside(T.lo[0, i, j, m], T.hi[0, i, j, m], t3[i][j][m])


def test_point_boxes_are_tight_for_polynomials():
    o, D = _derivs(0)
    g, H = D.gradient_hessian(np.array([[0.0, 1.0]]), np.array([[0.0, 1.0]]))
    assert (g.lo <= 0).all() and (g.hi >= 0).all() and (g.hi - g.lo <= 1e-15).all()
    exact_h = np.array([[1.0, 0.0], [0.0, 2.0]])
    assert (H.lo[0] <= exact_h).all() and (H.hi[0] >= exact_h).all() and (H.hi - H.lo <= 1e-14).all()


def test_batched_equals_single():
    o, D = _derivs(2)
    rng = np.random.default_rng(1)
    lo = rng.uniform(-2, 1, (5, 2))
    hi = lo + rng.uniform(0, 1, (5, 2))
    g, H = D.gradient_hessian(lo, hi)
    for b in range(5):
        g1, H1 = D.gradient_hessian(lo[b:b + 1], hi[b:b + 1])
        assert np.array_equal(g1.lo[0], g.lo[b]) and np.array_equal(H1.hi[0], H.hi[b])


@pytest.mark.parametrize("bad", [sp.Abs(x) + y, sp.Max(x, y), sp.Heaviside(x) * y, sp.sign(x)])
def test_non_smooth_rejected(bad):
    with pytest.raises(ValueError, match="non-differentiable"):
        smooth_objective(bad, (x, y))


def test_unknown_function_rejected():
    with pytest.raises(ValueError, match="no interval extension"):
        IntervalProgram([sp.gamma(x)], (x,))


def test_bad_boxes_rejected():
    o, D = _derivs(0)
    with pytest.raises(ValueError, match="lo <= hi"):
        D.gradient(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))
    with pytest.raises(ValueError, match="shape"):
        D.gradient(np.array([[0.0]]), np.array([[1.0]]))
