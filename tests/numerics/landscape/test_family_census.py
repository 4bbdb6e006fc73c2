"""The certified critical-point census of each family at the size it reaches: complete, and
"every local minimum is global" decided as the landscape theorems predict (or honestly undecided
where the objective is not evidently non-negative)."""

from __future__ import annotations

import pytest

from numerics.landscape.families import family
from numerics.landscape.families.census import run_census


@pytest.mark.parametrize("name", ["phase-retrieval", "matrix-sensing"])
def test_small_census_is_complete_and_benign(name):
    entry, note = family(name).census({})
    c = run_census(entry)
    assert c["complete"] and c["local_minima_global"] == "holds" and c["strict_saddle_property"] == "holds"
    assert c["kinds"].get("local-min", 0) == 2           # +-x*: the two global minima


@pytest.mark.parametrize("name", ["tensor", "dictionary", "maxcut"])
def test_manifold_families_are_reported_beyond_the_census(name):
    entry, note = family(name).census({})
    assert entry is None and "beyond the census" in note


@pytest.mark.slow
@pytest.mark.parametrize("name, verdict", [("quadratic-net", "holds"), ("matrix-completion", "holds"),
                                           ("rank-k", "holds"), ("relu-design", "undecided")])
def test_census_of_the_larger_instances(name, verdict):
    c = run_census(family(name).census({})[0])
    assert c["complete"] and c["local_minima_global"] == verdict


def test_known_zeros_never_rescue_a_spurious_local_minimum():
    """matrix-completion-3x1 has spurious local minima at +-(1, 0, 1) (f = 17/32): the planted
    zeros +-z lie in no region of those minima, so the known-zero argument must not apply."""
    import numpy as np
    import sympy as sp

    from numerics.landscape.catalog import builtin
    from numerics.landscape.census import find_critical_points
    from numerics.landscape.families.census import _minima_at_known_zeros
    from numerics.symbolic.derivatives import smooth_objective

    e = builtin("matrix-completion-3x1")
    names = [v.name for v in e.variables]
    search = find_critical_points(smooth_objective(e.expr, e.variables), np.array([e.box[n][0] for n in names]),
                                  np.array([e.box[n][1] for n in names]))
    z = (1, sp.Rational(1, 2), -1)
    assert not _minima_at_known_zeros(e, search, [z, tuple(-v for v in z)])
    # a "zero" where f != 0 is ignored, so it cannot rescue anything either
    assert not _minima_at_known_zeros(e, search, [(1, 0, 1)])


@pytest.mark.slow
def test_phase_retrieval_census_in_three_variables():
    c = run_census(family("phase-retrieval").census({"n": 3})[0])
    assert c["complete"] and c["local_minima_global"] == "holds" and c["kinds"]["local-min"] == 2
