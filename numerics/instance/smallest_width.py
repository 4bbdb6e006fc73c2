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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping


@dataclass
class WidthSearch:
    """Outcome of :func:`smallest_certified_width`: ``smallest`` (None when no tried width
    certified) and every ``(width, certified)`` tried, in order."""

    smallest: int | None
    tried: list[tuple[int, bool]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"smallest_width": self.smallest,
                "tried": [{"width": m, "certified": ok} for m, ok in self.tried]}


def smallest_certified_width(certified: Callable[[int], bool], start: int, max_width: int,
                             tolerance: float = 0.0, known: Mapping[int, bool] | None = None) -> WidthSearch:
    """Doubling from ``start`` up to ``max_width``, then bisection down to a gap of at most
    ``max(1, tolerance * hi)`` widths; ``known`` results are reused (module docstring)."""
    if not (isinstance(start, int) and start >= 1 and isinstance(max_width, int) and max_width >= start):
        raise ValueError(f"start={start!r}, max_width={max_width!r}; allowed: integers 1 <= start <= max_width")
    out = WidthSearch(None)
    cache: dict[int, bool] = {}
    known = dict(known or {})

    def test(m: int) -> bool:
        if m not in cache:
            cache[m] = bool(known[m]) if m in known else bool(certified(m))
            out.tried.append((m, cache[m]))
        return cache[m]

    lo, m = start - 1, start    # lo: largest width known to fail or below the range (never tried)
    while not test(m):
        lo = m
        if m >= max_width:
            return out
        m = min(2 * m, max_width)
    hi = m
    while hi - lo > max(1, int(tolerance * hi)):
        mid = (lo + hi) // 2
        if test(mid):
            hi = mid
        else:
            lo = mid
    out.smallest = hi
    return out
