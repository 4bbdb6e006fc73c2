"""Doubling then bisection over the width: the answer for monotone oracles, reuse of known
results (a resumed journal), an interrupted search resumed without losing or redoing work, and
several searches advanced at once through an executor (one pending width each, each result
journaled as it arrives)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.instance.smallest_width import WidthBisection, advance_searches, smallest_certified_width


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


# ------------------------------------------------------------------------ several searches at once
THRESHOLDS = {0: 37, 1: 300, 2: 5, 3: 4096}


def _sequential(threshold, start=3, max_width=4096):
    return smallest_certified_width(lambda m: m >= threshold, start, max_width)


def test_concurrent_searches_journal_each_width_before_their_next_one():
    """A real thread pool: one pending width per search, each result handed to ``finished`` (the
    journal) before that search's next width is submitted, the searches interleave, and each
    ends where the sequential search with the same oracle ends, by the same path."""
    import random
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    journal: list[tuple[int, int, bool]] = []
    in_flight = {k: 0 for k in THRESHOLDS}
    lock = threading.Lock()
    rng = random.Random(0)

    def evaluate(key, m):
        time.sleep(rng.random() * 2e-3)
        return m >= THRESHOLDS[key]

    with ThreadPoolExecutor(max_workers=4) as pool:
        def submit(key, m):
            with lock:
                in_flight[key] += 1
                assert in_flight[key] == 1, f"search {key} has two pending widths"
                # everything this search asked for before m is already journaled
                assert [w for k, w, _ in journal if k == key] == [w for w, _ in searches[key].result.tried]
            return pool.submit(evaluate, key, m)

        def finished(key, m, ok):
            with lock:
                in_flight[key] -= 1
                journal.append((key, m, ok))
            return ok

        searches = {k: WidthBisection(3, 4096) for k in THRESHOLDS}
        advance_searches(searches, submit, finished)
    for k, t in THRESHOLDS.items():
        full = _sequential(t)
        assert searches[k].result.smallest == full.smallest and searches[k].result.tried == full.tried
        assert [(m, ok) for kk, m, ok in journal if kk == k] == full.tried
        assert searches[k].next is None
    # the searches advanced together: every search's first width is journaled before any
    # search's last one
    last = min(max(i for i, (k, _, _) in enumerate(journal) if k == key) for key in THRESHOLDS)
    first = max(min(i for i, (k, _, _) in enumerate(journal) if k == key) for key in THRESHOLDS)
    assert first < last


@settings(max_examples=60, deadline=None)
@given(stop_after=st.integers(0, 40))
def test_interrupted_concurrent_searches_resume_from_the_journal(stop_after):
    """Evaluation number ``stop_after`` raises: every width evaluated before it is journaled, and
    the resumed searches evaluate only the others (counted), ending where a fresh run ends."""
    from numerics.empirical.sweep import InProcessExecutor

    executor = InProcessExecutor()
    journal: dict[int, dict[int, bool]] = {k: {} for k in THRESHOLDS}
    evaluations = []

    class Stop(Exception):
        pass

    def evaluate(key, m):
        if len(evaluations) == stop_after:
            raise Stop
        evaluations.append((key, m))
        return m >= THRESHOLDS[key]

    def finished(key, m, ok):
        journal[key][m] = ok
        return ok

    try:
        advance_searches({k: WidthBisection(3, 4096) for k in THRESHOLDS},
                         lambda k, m: executor.submit(evaluate, k, m), finished)
    except Stop:
        pass
    assert sorted(evaluations) == sorted((k, m) for k, ws in journal.items() for m in ws)   # nothing lost
    again = []

    def counting(key, m):
        assert m not in journal[key], f"search {key}: width {m} is journaled and evaluated again"
        again.append((key, m))
        return m >= THRESHOLDS[key]

    resumed = {k: WidthBisection(3, 4096, known=journal[k]) for k in THRESHOLDS}
    advance_searches(resumed, lambda k, m: executor.submit(counting, k, m), lambda k, m, ok: ok)
    fresh = {k: _sequential(t) for k, t in THRESHOLDS.items()}
    assert all(resumed[k].result.tried == fresh[k].tried for k in THRESHOLDS)
    assert len(evaluations) + len(again) == sum(len(f.tried) for f in fresh.values())


def test_a_finished_search_refuses_more_results():
    search = WidthBisection(4, 4)
    search.record(True)
    assert search.next is None and search.result.smallest == 4
    with pytest.raises(ValueError, match="over"):
        search.record(False)
