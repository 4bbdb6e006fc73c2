"""Doubling then bisection over the width: the answer for monotone oracles, reuse of known
results (a resumed journal), and an interrupted search resumed without losing or redoing work."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.instance.smallest_width import smallest_certified_width


@settings(max_examples=200, deadline=None)
@given(start=st.integers(1, 50), threshold=st.integers(1, 5000), max_width=st.integers(1, 6000))
def test_monotone_oracle_gives_the_threshold(start, threshold, max_width):
    max_width = max(max_width, start)
    calls = []

    def certified(m):
        calls.append(m)
        return m >= threshold

    out = smallest_certified_width(certified, start, max_width)
    if threshold > max_width:
        assert out.smallest is None
    else:
        assert out.smallest == max(threshold, start)
    assert len(calls) == len(set(calls)) == len(out.tried)        # each width proved once
    assert all(start <= m <= max_width for m in calls)
    assert all(ok == (m >= threshold) for m, ok in out.tried)


@settings(max_examples=100, deadline=None)
@given(threshold=st.integers(1, 3000), stop_after=st.integers(0, 30))
def test_interrupted_search_resumes_from_its_journal(threshold, stop_after):
    journal: dict[int, bool] = {}

    class Interrupted(Exception):
        pass

    def interrupting(m):
        if len(journal) >= stop_after:
            raise Interrupted
        journal[m] = m >= threshold        # appended as soon as proved
        return journal[m]

    try:
        first = smallest_certified_width(interrupting, 3, 4096)
    except Interrupted:
        first = None
    again = []

    def certified(m):
        assert m not in journal, f"width {m} was proved before the interruption and is redone"
        again.append(m)
        return m >= threshold

    resumed = smallest_certified_width(certified, 3, 4096, known=journal)
    full = smallest_certified_width(lambda m: m >= threshold, 3, 4096)
    assert resumed.smallest == full.smallest
    assert [m for m, _ in resumed.tried] == [m for m, _ in full.tried]      # the same path
    assert len(journal) + len(again) == len(full.tried)                      # nothing lost, nothing redone
    if first is not None:
        assert first.smallest == full.smallest


def test_non_monotone_oracle_still_returns_a_certified_width():
    ok = {16, 40, 41, 64}
    out = smallest_certified_width(lambda m: m in ok, 4, 100)
    assert out.smallest in ok


def test_bad_bounds_are_value_errors():
    with pytest.raises(ValueError, match="start"):
        smallest_certified_width(lambda m: True, 5, 4)
