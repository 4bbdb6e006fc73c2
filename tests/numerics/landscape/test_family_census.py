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
