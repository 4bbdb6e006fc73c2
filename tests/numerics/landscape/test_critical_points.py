"""Certified critical points: the paper's example, negative controls, soundness of the eigenvalue
enclosures and of the strict-saddle constants against high-precision references."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.landscape.census import find_critical_points
from numerics.landscape.saddle_constants import (forward_invariant, gradient_lipschitz_upper, hessian_lipschitz_upper,
                                                 robust_strict_saddle_constants)
from numerics.landscape.spectrum import _lambda_min_arb, eigen_bounds, lambda_min_bounds
from numerics.arith.interval import Interval
from numerics.symbolic.derivatives import DerivativeEnclosures, smooth_objective
from numerics.landscape.catalog import builtin
from numerics.arith.verdict import Verdict

x, y = sp.symbols("x y", real=True)


def _contains(p, point):
    return bool((p.lo <= np.asarray(point)).all() and (np.asarray(point) <= p.hi).all())


@pytest.fixture(scope="module")
def paper():
    o = smooth_objective(x**2 / 2 + y**4 / 4 - y**2 / 2, (x, y))
    return o, find_critical_points(o, [-2, -2], [2, 2])


def test_paper_example_three_critical_points(paper):
    o, r = paper
    assert r.complete
    assert len(r.points) == 3
    assert all(p.exists is Verdict.HOLDS and p.unique for p in r.points)
    saddle = [p for p in r.points if _contains(p, [0, 0])]
    plus = [p for p in r.points if _contains(p, [0, 1])]
    minus = [p for p in r.points if _contains(p, [0, -1])]
    assert len(saddle) == len(plus) == len(minus) == 1
    assert saddle[0].kind == "strict-saddle"
    # Hessian at the origin is diag(1, -1)
    lo, hi = saddle[0].hessian_min_eig
    assert lo <= -1 <= hi < 0
    lo, hi = saddle[0].hessian_max_eig
    assert 0 < lo <= 1 <= hi
    for p in plus + minus:
        assert p.kind == "local-min"
        assert p.hessian_min_eig[0] <= 1 <= p.hessian_min_eig[1]   # Hessian diag(1, 2) at (0, +-1)
    assert r.strict_saddle_property() is Verdict.HOLDS


def test_enclosures_are_small(paper):
    _, r = paper
    for p in r.points:
        assert np.max(p.hi - p.lo) < 1e-12
        assert (p.region_lo <= p.lo).all() and (p.hi <= p.region_hi).all()


def test_monkey_saddle_never_strict():
    e = builtin("monkey-saddle")
    o = smooth_objective(e.expr, e.variables)
    r = find_critical_points(o, [-1, -1], [1, 1])
    assert not any(p.kind == "strict-saddle" for p in r.points)
    assert r.strict_saddle_property() is not Verdict.HOLDS
    # the origin is found exactly, with a zero Hessian, and f decreases along a ray
    origin = [p for p in r.points if _contains(p, [0, 0])]
    assert origin and origin[0].kind == "degenerate"
    assert origin[0].hessian_min_eig == (0.0, 0.0)
    assert r.strict_saddle_property() is Verdict.FAILS
    # the gradient ideal (3x^2 - 3y^2, -6xy) contains a power of x^2 + y^2, so the origin is the
    # only critical point at all: the isolation certificate proves it and the search is complete
    assert origin[0].unique and origin[0].method == "exact-point+isolated"
    assert r.complete and len(r.points) == 1


def test_monkey_saddle_off_centre_box():
    o = smooth_objective(x**3 - 3 * x * y**2, (x, y))
    r = find_critical_points(o, [-0.3, -0.7], [0.9, 0.2])
    assert not any(p.kind == "strict-saddle" for p in r.points)
    assert r.strict_saddle_property() is not Verdict.HOLDS


def test_no_critical_point():
    o = smooth_objective(x + y**2, (x, y))
    r = find_critical_points(o, [-1, -1], [1, 1])
    assert r.points == [] and r.complete
    assert r.strict_saddle_property() is Verdict.HOLDS


def test_no_critical_point_nonpolynomial():
    o = smooth_objective(sp.exp(x) + sp.sin(y), (x, y))   # sin' = cos vanishes at pi/2, outside
    r = find_critical_points(o, [-1, -1], [1, 1])
    assert r.points == [] and r.complete


def test_quadratic_saddle_in_three_variables():
    e = builtin("quadratic-saddle-d3")
    o = smooth_objective(e.expr, e.variables)
    r = find_critical_points(o, [-1] * 3, [1] * 3)
    assert r.complete and len(r.points) == 1
    p = r.points[0]
    assert _contains(p, [0, 0, 0]) and p.kind == "strict-saddle"
    assert p.hessian_min_eig[0] <= -2 <= p.hessian_min_eig[1]


def test_local_max_and_shifted_critical_points():
    # f = -(x - 1/3)^2 - (y + 0.2)^2: one local maximum at (1/3, -0.2)
    o = smooth_objective(-(x - sp.Rational(1, 3)) ** 2 - (y + sp.Rational(1, 5)) ** 2, (x, y))
    r = find_critical_points(o, [-1, -1], [1, 1])
    assert r.complete and len(r.points) == 1
    p = r.points[0]
    assert p.kind == "local-max"
    assert p.lo[0] <= 1 / 3 <= p.hi[0] and p.lo[1] <= -0.2 <= p.hi[1]


def test_critical_point_on_box_boundary():
    # minimum at y = 1, exactly on the boundary of the box
    o = smooth_objective(x**2 + (y - 1) ** 2, (x, y))
    r = find_critical_points(o, [-1, -1], [1, 1])
    assert len(r.points) == 1 and r.points[0].kind == "local-min"
    assert _contains(r.points[0], [0, 1])
    assert r.points[0].in_box is not Verdict.FAILS


def test_matrix_factorization_rank_one_vector():
    e = builtin("matrix-factorization-3x1")
    o = smooth_objective(e.expr, e.variables)
    r = find_critical_points(o, [-2] * 3, [2] * 3)
    assert r.complete
    m = np.array([1.0, 0.5, 0.0])
    kinds = sorted(p.kind for p in r.points)
    assert kinds == ["local-min", "local-min", "strict-saddle"]
    assert any(_contains(p, m) for p in r.points) and any(_contains(p, -m) for p in r.points)
    saddle = [p for p in r.points if p.kind == "strict-saddle"][0]
    assert _contains(saddle, [0, 0, 0])
    # Hessian at 0 is -2 m m^T: lambda_min = -2 ||m||^2 = -2.5
    assert saddle.hessian_min_eig[0] <= -2.5 <= saddle.hessian_min_eig[1]
    assert r.strict_saddle_property() is Verdict.HOLDS


def test_bad_box():
    o = smooth_objective(x + y, (x, y))
    with pytest.raises(ValueError, match="lo < hi"):
        find_critical_points(o, [1, 0], [0, 1])
    with pytest.raises(ValueError, match="2 lower"):
        find_critical_points(o, [0], [1])


# --------------------------------------------------------------- eigenvalue enclosures
sym_entries = st.floats(-10, 10, allow_nan=False)


def _exact_spectrum_checks(X, lmin, lmax):
    """Exact oracle (Sturm sequences on the rational characteristic polynomial of the float matrix
    X): lambda_min(X) in lmin and lambda_max(X) in lmax."""
    from fractions import Fraction
    lam = sp.Symbol("lam")
    R = sp.Matrix([[sp.Rational(Fraction(float(v)).numerator, Fraction(float(v)).denominator) for v in row]
                   for row in X])
    poly = sp.Poly(R.charpoly(lam).as_expr(), lam)
    bound = 1 + sum(abs(v) for v in R)

    def q(v):
        f = Fraction(float(v))
        return sp.Rational(f.numerator, f.denominator)

    def roots_in(a, b):
        return poly.count_roots(a, b)

    a, b = q(lmin[0]), q(lmin[1])
    assert roots_in(-bound, a) - (1 if poly.eval(a) == 0 else 0) == 0   # nothing below lmin.lo
    assert roots_in(-bound, b) >= 1                                    # something at or below lmin.hi
    a, b = q(lmax[0]), q(lmax[1])
    assert roots_in(b, bound) - (1 if poly.eval(b) == 0 else 0) == 0    # nothing above lmax.hi
    assert roots_in(a, bound) >= 1


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 4), data=st.data(), rad=st.sampled_from([0.0, 1e-12, 1e-6, 0.1]))
def test_lambda_min_bounds_sound(n, data, rad):
    vals = data.draw(st.lists(sym_entries, min_size=n * n, max_size=n * n))
    A = np.array(vals).reshape(n, n)
    A = 0.5 * (A + A.T)
    Ai = Interval(A - rad, A + rad)
    t = data.draw(st.floats(0, 1))
    X = A - rad + 2 * rad * t  # a symmetric member of the interval matrix
    X = np.minimum(np.maximum(0.5 * (X + X.T), A - rad), A + rad)
    e = eigen_bounds(Ai)
    _exact_spectrum_checks(X, e["min"], e["max"])
    _exact_spectrum_checks(X, _lambda_min_arb(Ai), e["max"])
    _exact_spectrum_checks(X, lambda_min_bounds(Ai), e["max"])


def test_lambda_min_repeated_eigenvalues():
    A = Interval(np.eye(3) * 2.0)
    lo, hi = lambda_min_bounds(A)
    assert lo <= 2.0 <= hi and hi - lo < 1e-9


# --------------------------------------------------------------- constants
def test_lipschitz_constants_paper(paper):
    o, r = paper
    D = DerivativeEnclosures(o)
    ell = gradient_lipschitz_upper(D, r.box_lo, r.box_hi)
    rho = hessian_lipschitz_upper(D, r.box_lo, r.box_hi)
    # exact sup ||Hessian|| = max(1, |3 y^2 - 1|) = 11 at y = +-2; sup |6 y| = 12
    assert 11 <= ell <= 11 * 1.01
    assert 12 <= rho <= 12 * 1.5


def test_forward_invariance(paper):
    o, r = paper
    D = DerivativeEnclosures(o)
    v, _ = forward_invariant(D, r.box_lo, r.box_hi, 0.9 / 11)
    assert v is Verdict.HOLDS
    # alpha = 1: (x, 2) -> (0, 2 - 6) leaves the box
    v, ev = forward_invariant(D, r.box_lo, r.box_hi, 1.0)
    assert v is Verdict.FAILS


@settings(max_examples=200, deadline=None)
@given(px=st.floats(-2, 2), py=st.floats(-2, 2))
def test_robust_strict_saddle_triple_holds_pointwise(paper, px, py):
    o, r = paper
    if "c" not in _CONST:
        _CONST["c"] = robust_strict_saddle_constants(DerivativeEnclosures(o), r)
    c = _CONST["c"]
    assert c["verdict"] is Verdict.HOLDS and c["theta"] > 0 and c["gamma"] > 0 and c["zeta"] > 0
    mpmath.mp.prec = 200
    X, Y = mpmath.mpf(px), mpmath.mpf(py)
    gnorm = mpmath.sqrt(X ** 2 + (Y ** 3 - Y) ** 2)
    lmin = min(mpmath.mpf(1), 3 * Y ** 2 - 1)
    dist = min(mpmath.sqrt(X ** 2 + (Y - 1) ** 2), mpmath.sqrt(X ** 2 + (Y + 1) ** 2))
    assert gnorm >= c["theta"] or lmin <= -c["gamma"] or dist <= c["zeta"]


_CONST: dict = {}


def D_grad_check(o, q) -> bool:
    """The gradient enclosure over the point's box contains 0 (a necessary condition)."""
    g = DerivativeEnclosures(o).gradient(q.lo[None, :], q.hi[None, :])
    return bool(((g.lo <= 0) & (g.hi >= 0)).all())


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 3), data=st.data())
def test_random_quadratics_with_cubic_term(n, data):
    """f = (x-a)^T A (x-a) + (x_1 - a_1)^3 / 10 on a box around the rational point a: a is a critical
    point with Hessian 2A; its enclosure, kind and lambda_min enclosure must agree with mpmath."""
    ints = st.integers(-4, 4)
    entries = data.draw(st.lists(ints, min_size=n * n, max_size=n * n))
    A = sp.Matrix(n, n, entries)
    A = (A + A.T) / 2 + sp.eye(n) * data.draw(st.integers(-3, 3))
    if A.det() == 0:
        return
    a = [sp.Rational(data.draw(st.integers(-30, 30)), 37) for _ in range(n)]
    xs = sp.symbols(f"z0:{n}", real=True)
    dv = sp.Matrix([xi - ai for xi, ai in zip(xs, a)])
    f = (dv.T * A * dv)[0] + dv[0] ** 3 / 10
    o = smooth_objective(f, xs)
    lo = [float(ai) - 0.37 for ai in a]
    hi = [float(ai) + 0.41 for ai in a]
    r = find_critical_points(o, lo, hi, max_boxes=20_000)
    mpmath.mp.prec = 200
    ev = sorted(mpmath.eigsy(mpmath.matrix([[2 * float(A[i, j]) for j in range(n)] for i in range(n)]))[0])
    hits = [p for p in r.points if all(p.lo[k] <= a[k] <= p.hi[k] for k in range(n))]
    assert len(hits) == 1, [(p.lo, p.hi) for p in r.points]
    p = hits[0]
    assert mpmath.mpf(p.hessian_min_eig[0]) <= ev[0] <= mpmath.mpf(p.hessian_min_eig[1])
    expected = "local-min" if ev[0] > 0 else ("local-max" if ev[-1] < 0 else "strict-saddle")
    assert p.kind in (expected, "undecided")
    for q in r.points:   # any other critical point must really be one (gradient zero somewhere inside)
        if q is not p and q.exists is Verdict.HOLDS and q.unique:
            g = D_grad_check(o, q)
            assert g


def test_lambda_min_tiny_negative_eigenvalue():
    # lambda_min = -(4.5e-122)^2 < 0: a relative-accuracy eigensolver returns 0 here
    A = np.array([[0.0, 4.54398951011e-122], [4.54398951011e-122, 1.0]])
    e = eigen_bounds(Interval(A))
    _exact_spectrum_checks(A, e["min"], e["max"])
    assert e["min"][1] < 0


_TRIG: dict = {}


def _trig_setup():
    if not _TRIG:
        o = smooth_objective(sp.sin(x) * sp.cos(y) + x**2 / 4, (x, y))
        D = DerivativeEnclosures(o)
        blo, bhi = np.array([-2.0, -2.0]), np.array([2.0, 2.0])
        ell = gradient_lipschitz_upper(D, blo, bhi)
        alpha = 0.9 / ell
        _TRIG.update(o=o, ell=ell, rho=hessian_lipschitz_upper(D, blo, bhi), alpha=alpha)
    return _TRIG


@settings(max_examples=150, deadline=None)
@given(px=st.floats(-2, 2), py=st.floats(-2, 2), qx=st.floats(-2, 2), qy=st.floats(-2, 2))
def test_lipschitz_bounds_and_invariance_pointwise(px, py, qx, qy):
    c = _trig_setup()
    mpmath.mp.prec = 200
    X, Y = mpmath.mpf(px), mpmath.mpf(py)
    # Hessian of sin x cos y + x^2/4 and its spectral norm
    a = -mpmath.sin(X) * mpmath.cos(Y) + mpmath.mpf(1) / 2
    b = -mpmath.cos(X) * mpmath.sin(Y)
    d = -mpmath.sin(X) * mpmath.cos(Y)
    disc = mpmath.sqrt(((a - d) / 2) ** 2 + b ** 2)
    norm = max(abs((a + d) / 2 + disc), abs((a + d) / 2 - disc))
    assert norm <= c["ell"]
    # Hessian-Lipschitz: ||H(p) - H(q)||_2 <= rho ||p - q||
    Q1, Q2 = mpmath.mpf(qx), mpmath.mpf(qy)
    a2 = -mpmath.sin(Q1) * mpmath.cos(Q2) + mpmath.mpf(1) / 2
    b2 = -mpmath.cos(Q1) * mpmath.sin(Q2)
    d2 = -mpmath.sin(Q1) * mpmath.cos(Q2)
    da, db, dd = a - a2, b - b2, d - d2
    dnorm = max(abs((da + dd) / 2 + mpmath.sqrt(((da - dd) / 2) ** 2 + db ** 2)),
                abs((da + dd) / 2 - mpmath.sqrt(((da - dd) / 2) ** 2 + db ** 2)))
    assert dnorm <= c["rho"] * mpmath.sqrt((X - Q1) ** 2 + (Y - Q2) ** 2) + mpmath.mpf(10) ** -40


def test_forward_invariance_failure_has_a_real_witness():
    # sin x cos y + x^2/4: at (1, 2) the y-gradient -sin(1) sin(2) < 0 pushes y above 2
    o = smooth_objective(sp.sin(x) * sp.cos(y) + x**2 / 4, (x, y))
    D = DerivativeEnclosures(o)
    v, ev = forward_invariant(D, np.array([-2.0, -2.0]), np.array([2.0, 2.0]), 0.5)
    assert v is Verdict.FAILS
    mpmath.mp.prec = 200
    X, Y = (mpmath.mpf(t) for t in ev["point"])
    img = (X - mpmath.mpf(0.5) * (mpmath.cos(X) * mpmath.cos(Y) + X / 2),
           Y - mpmath.mpf(0.5) * (-mpmath.sin(X) * mpmath.sin(Y)))
    assert any(t < -2 or t > 2 for t in img)


@settings(max_examples=100, deadline=None)
@given(px=st.floats(-2, 2), py=st.floats(-2, 2))
def test_forward_invariance_holds_pointwise(paper, px, py):
    o, r = paper
    v, _ = forward_invariant(DerivativeEnclosures(o), r.box_lo, r.box_hi, 0.9 / 11) if "fi" not in _CONST \
        else (_CONST["fi"], None)
    _CONST["fi"] = v
    assert v is Verdict.HOLDS
    mpmath.mp.prec = 200
    X, Y = mpmath.mpf(px), mpmath.mpf(py)
    al = mpmath.mpf(0.9 / 11)
    assert -2 <= X - al * X <= 2 and -2 <= Y - al * (Y ** 3 - Y) <= 2


# --------------------------------------------------------------- rotation orbits
def test_right_rotation_invariance_is_proved_or_refused():
    from numerics.landscape.symmetry import right_rotation_invariant
    e = builtin("matrix-factorization-2x2")
    assert right_rotation_invariant(smooth_objective(e.expr, e.variables), 2)
    u = sp.symbols("a b c d", real=True)
    assert not right_rotation_invariant(smooth_objective(u[0] ** 2 + u[1] * u[2] + u[3] ** 4, u), 2)
    assert right_rotation_invariant(smooth_objective((u[0] ** 2 + u[1] ** 2 - 1) ** 2 + u[2] ** 2 + u[3] ** 2, u), 2)


def test_structurally_nonnegative():
    from numerics.symbolic.ideal_saturation import structurally_nonnegative
    assert structurally_nonnegative((x - 1) ** 2 / 2 + sp.Rational(3, 4) * (x * y - 2) ** 4 + sp.exp(x))
    assert not structurally_nonnegative((x - 1) ** 2 - y ** 2)
    assert not structurally_nonnegative(x ** 3)


def test_matrix_factorization_2x2_orbits():
    """U in R^{2x2}, M = m m^T of rank 1: critical set = {0} (strict saddle) and the circle
    U U^T = M (global minima, degenerate even modulo rotations: f = t^4/2 along u22)."""
    from numerics.landscape.symmetry import find_critical_orbits_right_rotation
    e = builtin("matrix-factorization-2x2")
    o = smooth_objective(e.expr, e.variables)
    r = find_critical_orbits_right_rotation(o, 2, [-2] * 4, [2] * 4)
    kinds = sorted(p.kind for p in r.points if p.exists is Verdict.HOLDS)
    assert kinds == ["local-min", "strict-saddle"]
    mins = [p for p in r.points if p.kind == "local-min"]
    # representative on the slice U_12 = 0, U_11 >= 0: U = [[1, 0], [1/2, 0]]
    assert _contains(mins[0], [1, 0, 0.5, 0]) and "global" in mins[0].evidence["orbit"]
    saddle = [p for p in r.points if p.kind == "strict-saddle" and p.exists is Verdict.HOLDS][0]
    assert _contains(saddle, [0, 0, 0, 0])
    assert saddle.hessian_min_eig[0] <= -2.5 <= saddle.hessian_min_eig[1]
    # the degenerate minima cannot be enclosed with uniqueness; the zero-level certificate
    # accounts for them as global minima, so the search is complete
    assert r.complete and r.strict_saddle_property() is Verdict.HOLDS


def test_orbit_search_refuses_non_invariant():
    from numerics.landscape.symmetry import find_critical_orbits_right_rotation
    u = sp.symbols("a b c d", real=True)
    with pytest.raises(ValueError, match="could not be proved"):
        find_critical_orbits_right_rotation(smooth_objective(u[0] + u[1] ** 2 + u[2] * u[3], u), 2, [-1] * 4, [1] * 4)
