"""Benign-landscape instances: "every local minimum is global" decided on small exact instances,
each verdict checked against facts derived independently (exact sympy algebra at known points)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from numerics.landscape.benign import LANDSCAPES
from numerics.landscape.census import find_critical_points
from numerics.landscape.global_minima import local_minima_are_global
from numerics.landscape.symmetry import find_critical_orbits_right_rotation
from numerics.symbolic.ideal_saturation import structurally_nonnegative
from numerics.symbolic.derivatives import smooth_objective
from numerics.landscape.catalog import builtin
from numerics.arith.verdict import Verdict

KNOWN_MINIMIZER = {
    "phase-retrieval-2": (1, sp.Rational(1, 2)),
    "matrix-sensing-2x1": (1, sp.Rational(1, 2)),
    "matrix-completion-3x1": (1, sp.Rational(1, 2), -1),
    "quadratic-net-2x2": (1, 0, sp.Rational(1, 2), 1),      # W* in column-major order
    "tensor-rank1-2": (1, sp.Rational(1, 2)),
}


def _search(name, symmetry=False):
    e = builtin(name)
    o = smooth_objective(e.expr, e.variables)
    lo = [e.box[v.name][0] for v in e.variables]
    hi = [e.box[v.name][1] for v in e.variables]
    r = (find_critical_orbits_right_rotation(o, len(lo) // 2, lo, hi) if symmetry
         else find_critical_points(o, lo, hi))
    return e, o, r


@pytest.mark.parametrize("name", sorted(LANDSCAPES))
def test_instances_are_nonnegative_with_a_known_zero(name):
    e = builtin(name)
    assert structurally_nonnegative(e.expr)
    assert all(c.is_Rational for c in sp.Poly(sp.expand(e.expr), *e.variables).coeffs())
    sub = dict(zip(e.variables, KNOWN_MINIMIZER[name]))
    assert sp.simplify(e.expr.subs(sub)) == 0
    assert all(sp.simplify(sp.diff(e.expr, v).subs(sub)) == 0 for v in e.variables)


@pytest.mark.parametrize("name", ["phase-retrieval-2", "matrix-sensing-2x1"])
def test_benign_instances(name):
    e, o, r = _search(name)
    verdict, ev = local_minima_are_global(o, r)
    assert verdict is Verdict.HOLDS, ev
    x = np.array([float(v) for v in KNOWN_MINIMIZER[name]])
    mins = [p for p in r.points if p.kind == "local-min"]
    for sign in (1, -1):
        assert any((p.lo <= sign * x).all() and (sign * x <= p.hi).all() for p in mins)


def test_matrix_completion_instance_has_a_spurious_minimum():
    """(1, 0, 1): too few observed entries leave the sign of u3 relative to u1 free when u2 = 0."""
    e, o, r = _search("matrix-completion-3x1")
    verdict, ev = local_minima_are_global(o, r)
    assert verdict is Verdict.FAILS and ev["spurious"]
    # independent exact check: critical, positive definite Hessian, f = 17/32 > 0 = f(z)
    u = e.variables
    pt = dict(zip(u, (1, 0, 1)))
    assert all(sp.diff(e.expr, v).subs(pt) == 0 for v in u)
    H = sp.hessian(e.expr, u).subs(pt)
    assert all(H[:k, :k].det() > 0 for k in range(1, 4))
    assert e.expr.subs(pt) == sp.Rational(17, 32)
    assert any(np.allclose(s["local_min"], [1, 0, 1], atol=1e-9) or np.allclose(s["local_min"], [-1, 0, -1], atol=1e-9)
               for s in ev["spurious"])


def test_spurious_minimum_of_a_univariate_polynomial():
    x, y = sp.symbols("x y", real=True)
    f = x**2 * ((x - 2) ** 2 + sp.Rational(1, 4)) + y**2
    o = smooth_objective(f, (x, y))
    r = find_critical_points(o, [-1, -1], [3, 1])
    verdict, ev = local_minima_are_global(o, r)
    assert verdict is Verdict.FAILS
    x_star = (6 + np.sqrt(2)) / 4                        # root of 2x^2 - 6x + 17/4, the local min
    assert any(abs(s["local_min"][0] - x_star) < 1e-9 for s in ev["spurious"])


def test_not_nonnegative_is_undecided():
    e, o, r = _search("lsjr-example")
    verdict, ev = local_minima_are_global(o, r)
    assert verdict is Verdict.UNDECIDED and "f >= 0" in ev["reason"]


def test_quadratic_net_with_k_equal_d_is_benign():
    """Du & Lee 2018: k >= d gives no spurious local minima; certified on the instance."""
    e, o, r = _search("quadratic-net-2x2", symmetry=True)
    assert r.complete
    verdict, ev = local_minima_are_global(o, r)
    assert verdict is Verdict.HOLDS, ev
    assert e.params["k"] >= e.params["d"]


def test_tensor_rank_one_degenerate_saddle_but_benign():
    """0 is a degenerate critical point (zero Hessian; f decreases along a): not a strict saddle,
    so the strict-saddle property fails, yet it is isolated and not a minimum, so every local
    minimum is global."""
    e, o, r = _search("tensor-rank1-2")
    assert r.complete
    assert r.strict_saddle_property() is Verdict.FAILS
    origin = [p for p in r.points if (p.lo <= 0).all() and (p.hi >= 0).all() and p.exists is Verdict.HOLDS]
    assert origin and origin[0].kind == "degenerate" and origin[0].unique
    assert origin[0].evidence["not_local_min"]
    verdict, ev = local_minima_are_global(o, r)
    assert verdict is Verdict.HOLDS, ev


def test_inflection_point_is_isolated():
    x, y = sp.symbols("x y", real=True)
    f = x**2 * ((x - 2) ** 2 + sp.Rational(1, 2)) + y**2     # f' has a double root at x = 3/2
    o = smooth_objective(f, (x, y))
    r = find_critical_points(o, [-1, -1], [3, 1])
    assert r.complete
    infl = [p for p in r.points if p.method == "exact-point+isolated"]
    assert len(infl) == 1 and infl[0].evidence["exact_point"] == ["3/2", "0"]
    assert sp.diff(f, x, 2).subs({x: sp.Rational(3, 2), y: 0}) == 0      # degenerate, independently
    assert local_minima_are_global(o, r)[0] is Verdict.HOLDS


@pytest.mark.parametrize("name", ["monkey-saddle", "quadratic-saddle-d3"])
def test_no_local_minimum_at_all_holds_vacuously(name):
    e, o, r = _search(name)
    assert r.complete and not [p for p in r.points if p.kind == "local-min"]
    verdict, ev = local_minima_are_global(o, r)
    assert verdict is Verdict.HOLDS and "no critical point" in ev["reason"]
