"""The census of critical points (issue 15): a point proved twice is listed once, a non-isolated
critical set never yields a complete census, and a point whose membership in the box is
undecided is not counted as in the box; exact input constants stay exact."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from numerics.arith.verdict import Verdict
from numerics.landscape.census import find_critical_points
from numerics.landscape.results import is_isolated_point
from numerics.symbolic.derivatives import smooth_objective

x, y, z = sp.symbols("x y z", real=True)


def _contains(p, point) -> bool:
    return all(lo <= v <= hi for lo, v, hi in zip(p.lo, point, p.hi))


def _region_contains(p, point) -> bool:
    return all(lo <= v <= hi for lo, v, hi in zip(p.region_lo, point, p.region_hi))


def test_circle_of_critical_points_is_never_a_complete_census():
    """-(x^2+y^2-1)^2 - 3 z^2: the origin (a strict saddle) and the circle x^2+y^2 = 1, z = 0 of
    non-isolated critical points (lambda_min = -8 there)."""
    o = smooth_objective(-(x**2 + y**2 - 1) ** 2 - 3 * z**2, (x, y, z))
    r = find_critical_points(o, [-1.5, -1.5, -0.5], [1.5, 1.5, 0.5], max_boxes=2000)
    census = r.census()
    assert not census.complete and census.regions >= 1 and census.reasons
    # the origin is listed once
    assert sum(_contains(p, (0.0, 0.0, 0.0)) for p in r.points if p.exists is Verdict.HOLDS) == 1
    # every point of the circle lies in a listed row that is not counted as an isolated point
    for t in np.linspace(0, 2 * np.pi, 37):
        c = (np.cos(t), np.sin(t), 0.0)
        rows = [p for p in r.points if _region_contains(p, c)]
        assert rows and all(not is_isolated_point(p) for p in rows), c
        assert all(p.kind == "strict-saddle" for p in rows)
    # all of them are strict saddles: the property itself is proved
    assert r.complete and r.strict_saddle_property() is Verdict.HOLDS


def test_exact_point_inside_a_krawczyk_region_is_the_same_point():
    """The origin is found twice, by Krawczyk and as an exact rational point of a cluster's
    region: it is listed in one row (the exact coordinates join the Krawczyk row)."""
    o = smooth_objective(-(x**2 + y**2 - 1) ** 2 - 3 * z**2, (x, y, z))
    r = find_critical_points(o, [-1.5, -1.5, -0.5], [1.5, 1.5, 0.5], max_boxes=2000)
    origin = [p for p in r.points if p.exists is Verdict.HOLDS and _contains(p, (0.0, 0.0, 0.0))]
    assert len(origin) == 1 and origin[0].unique
    exact = origin[0].evidence.get("exact_point")
    assert exact is None or [Fraction(v) for v in exact] == [0, 0, 0]


def _shifted_saddle(shift: sp.Rational):
    return smooth_objective((x - 1 - shift) ** 2 - y**2, (x, y))


def test_point_just_outside_the_box_is_not_counted():
    """(x - 1 - 1e-17)^2 - y^2 on [-1, 1]^2: the only critical point (1 + 1e-17, 0) is outside."""
    r = find_critical_points(_shifted_saddle(sp.Rational(1, 10**17)), [-1, -1], [1, 1])
    census = r.census()
    assert r.points == [] and census.complete and census.points == 0


def test_point_just_inside_the_box_is_counted_exactly():
    r = find_critical_points(_shifted_saddle(-sp.Rational(1, 10**17)), [-1, -1], [1, 1])
    assert len(r.points) == 1 and r.census().complete and r.census().points == 1
    p = r.points[0]
    assert p.in_box is Verdict.HOLDS
    assert [Fraction(v) for v in p.evidence["exact_point"]] == [1 - Fraction(1, 10**17), 0]


def test_point_just_outside_the_lower_face():
    o = smooth_objective((x + 1 + sp.Rational(3, 10**18)) ** 2 - y**2, (x, y))
    r = find_critical_points(o, [-1, -1], [1, 1])
    assert r.points == [] and r.census().complete


def test_undecided_membership_is_not_counted():
    """(x - exp(1e-17))^2 - y^2: the critical point exp(1e-17) > 1 is irrational and within an ulp
    of the face x = 1, so neither floats nor an exact rational point decide its membership: it is
    listed as undecided and not counted, and the census is incomplete."""
    o = smooth_objective((x - sp.exp(sp.Rational(1, 10**17))) ** 2 - y**2, (x, y))
    r = find_critical_points(o, [-1, -1], [1, 1])
    census = r.census()
    assert len(r.points) == 1 and r.points[0].in_box is Verdict.UNDECIDED
    assert census.points == 0 and census.membership_undecided == 1 and not census.complete
