"""The smallest certified width: doubling, then bisection over the width m.

``certified(m)`` runs the whole pipeline at width m (initialization, search, proof) and says
whether the proof succeeded. Doubling from ``start`` finds a certified width ``hi`` (or gives up
at ``max_width``); bisection between the last failure (or ``start - 1``) and ``hi`` then narrows
it down. Widths below ``start`` are never tried. The
answer is the smallest width that was *certified*, each one a proved statement; certification is
not known to be monotone in m, so a width below the answer may also certify (the search reports
every width it tried).

``known`` (width -> certified) holds results already proved, e.g. read back from a journal: the
search consults it before calling ``certified``, so a resumed search retraces the same path and
calls ``certified`` only for the widths it had not reached.

The search is also a step machine (:class:`WidthBisection`: ``next`` is the width whose result
it needs, ``record`` feeds that result in), so a driver can run several seeds' searches at once
(:func:`advance_searches`: one pending width per search, each evaluation a task of a
``concurrent.futures.Executor``) and keep every result as soon as its task finishes.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Callable, Generator, Mapping


@dataclass
class WidthSearch:
    """Outcome of :func:`smallest_certified_width`: ``smallest`` (None when no tried width
    certified) and every ``(width, certified)`` tried, in order."""

    smallest: int | None
    tried: list[tuple[int, bool]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"smallest_width": self.smallest,
                "tried": [{"width": m, "certified": ok} for m, ok in self.tried]}


class WidthBisection:
    """Doubling from ``start`` up to ``max_width``, then bisection down to a gap of at most
    ``max(1, tolerance * hi)`` widths, one width at a time: ``next`` is the width whose result is
    needed (None once the search is over), ``record(certified)`` gives it; ``known`` results are
    reused without being asked for (module docstring). ``result`` is the :class:`WidthSearch`."""

    def __init__(self, start: int, max_width: int, tolerance: float = 0.0, known: Mapping[int, bool] | None = None):
        if not (isinstance(start, int) and start >= 1 and isinstance(max_width, int) and max_width >= start):
            raise ValueError(f"start={start!r}, max_width={max_width!r}; allowed: integers 1 <= start <= max_width")
        self.result = WidthSearch(None)
        self._steps = self._search(start, max_width, tolerance, dict(known or {}))
        self.next: int | None = self._advance(None)

    def record(self, certified: bool) -> None:
        """The result at width ``next``; the search moves on to the next width it needs."""
        if self.next is None:
            raise ValueError("record: the search is over; allowed: only while next is a width")
        self.next = self._advance(bool(certified))

    def _advance(self, value: bool | None) -> int | None:
        try:
            return self._steps.send(value)
        except StopIteration:
            return None

    def _search(self, start: int, max_width: int, tolerance: float,
                known: dict[int, bool]) -> Generator[int, bool, None]:
        out, cache = self.result, {}

        def test(m: int):
            if m not in cache:
                cache[m] = bool(known[m]) if m in known else bool((yield m))
                out.tried.append((m, cache[m]))
            return cache[m]

        lo, m = start - 1, start    # lo: largest width known to fail or below the range (never tried)
        while not (yield from test(m)):
            lo = m
            if m >= max_width:
                return
            m = min(2 * m, max_width)
        hi = m
        while hi - lo > max(1, int(tolerance * hi)):
            mid = (lo + hi) // 2
            if (yield from test(mid)):
                hi = mid
            else:
                lo = mid
        out.smallest = hi


def smallest_certified_width(certified: Callable[[int], bool], start: int, max_width: int,
                             tolerance: float = 0.0, known: Mapping[int, bool] | None = None) -> WidthSearch:
    """:class:`WidthBisection` with ``certified(m)`` called for each width it needs, in turn."""
    search = WidthBisection(start, max_width, tolerance, known)
    while search.next is not None:
        search.record(certified(search.next))
    return search.result


def advance_searches(searches: Mapping[Hashable, WidthBisection], submit: Callable[[Hashable, int], cf.Future],
                     finished: Callable[[Hashable, int, Any], bool]) -> None:
    """Run several searches at once: each one's ``next`` width is submitted (``submit(key, m)``
    returns a future), so at any time one width per unfinished search is pending; as each future
    completes, ``finished(key, m, result)`` (e.g. appends the result to a journal) returns whether
    m is certified and that search advances. When a task raises (or the caller is interrupted),
    every result already completed is passed to ``finished``, the other pending futures are
    cancelled and the exception propagates."""
    pending: dict[cf.Future, tuple[Hashable, int]] = {}
    try:
        for key, search in searches.items():
            if search.next is not None:
                pending[submit(key, search.next)] = (key, search.next)
        while pending:
            done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            failure = None
            for fut in [f for f in pending if f in done]:     # in the order submitted
                key, m = pending.pop(fut)
                if fut.exception() is not None:
                    failure = failure or fut.exception()
                    continue
                search = searches[key]
                search.record(finished(key, m, fut.result()))
                if search.next is not None and failure is None:
                    pending[submit(key, search.next)] = (key, search.next)
            if failure is not None:
                raise failure
    except BaseException:
        for fut in pending:
            fut.cancel()                            # no effect on a future already done
        for fut, (key, m) in pending.items():
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                finished(key, m, fut.result())      # completed before the interruption: kept
        raise

