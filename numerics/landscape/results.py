"""The values a critical-point search returns: one certified critical point (or region), and the
whole search with its census.

The kinds and what proves them are in docs/saddle_certification.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from numerics.arith.verdict import Verdict

KINDS = ("local-min", "strict-saddle", "local-max", "degenerate", "undecided")


@dataclass
class CriticalPoint:
    """A certified critical point (or a strict-saddle region, ``unique`` False)."""

    lo: np.ndarray                      # tight enclosure of the point
    hi: np.ndarray
    region_lo: np.ndarray               # box in which uniqueness (or the saddle bound) is proved
    region_hi: np.ndarray
    exists: Verdict
    unique: bool
    method: str
    kind: str = "undecided"
    hessian_min_eig: tuple[float, float] = (-math.inf, math.inf)
    hessian_max_eig: tuple[float, float] = (-math.inf, math.inf)
    in_box: Verdict = Verdict.HOLDS
    evidence: dict = field(default_factory=dict)

    def satisfies_strict_saddle_condition(self) -> Verdict:
        """Local min or lambda_min < 0 (Lee et al. 2016 Def. 2.2 / strict-saddle property)."""
        if self.kind in ("local-min", "strict-saddle", "local-max"):
            return Verdict.HOLDS
        if self.kind == "degenerate" and self.evidence.get("not_local_min"):
            return Verdict.FAILS
        return Verdict.UNDECIDED


@dataclass
class CriticalPointSearch:
    """The result of a search. ``complete``: every part of the box is accounted for (excluded,
    a listed point's uniqueness region, or a listed region whose kind is proved); the strict-saddle
    property needs only that. Whether the list *counts* the critical points is :meth:`census`."""

    names: tuple[str, ...]
    box_lo: np.ndarray
    box_hi: np.ndarray
    points: list[CriticalPoint]
    complete: bool
    stats: dict
    undecided_boxes: list[tuple[np.ndarray, np.ndarray]]

    def strict_saddle_property(self) -> Verdict:
        """Every critical point in the box is a local min or a strict saddle."""
        verdicts = [p.satisfies_strict_saddle_condition() for p in self.points
                    if p.exists is Verdict.HOLDS and p.in_box is Verdict.HOLDS]
        if Verdict.FAILS in verdicts:
            return Verdict.FAILS
        region_ok = all(p.satisfies_strict_saddle_condition() is Verdict.HOLDS for p in self.points)
        if self.complete and region_ok:
            return Verdict.HOLDS
        return Verdict.UNDECIDED

    def by_kind(self, kind: str) -> list[CriticalPoint]:
        return [p for p in self.points if p.kind == kind]

    def census(self) -> Census:
        """How many critical points the box holds, as far as is proved (:class:`Census`)."""
        isolated = [p for p in self.points if is_isolated_point(p)]
        membership = [p for p in self.points if not is_isolated_point(p) and p.in_box is not Verdict.HOLDS]
        regions = [p for p in self.points if not is_isolated_point(p) and p.in_box is Verdict.HOLDS]
        reasons = []
        if self.undecided_boxes:
            reasons.append(f"{len(self.undecided_boxes)} sub-box(es) not accounted for")
        if regions:
            reasons.append(f"{len(regions)} listed region(s) hold an unknown number of critical points "
                           "(a non-isolated critical set, or no proof of existence or uniqueness)")
        if membership:
            reasons.append(f"{len(membership)} critical point(s) may lie outside the box (membership undecided)")
        return Census(complete=self.complete and not reasons, points=len(isolated), regions=len(regions),
                      membership_undecided=len(membership), unresolved_boxes=len(self.undecided_boxes),
                      reasons=tuple(reasons))


def is_isolated_point(p: CriticalPoint) -> bool:
    """One critical point, proved to exist, to be the only one of its region, and to lie in the box."""
    return p.exists is Verdict.HOLDS and p.unique and p.in_box is Verdict.HOLDS


@dataclass(frozen=True)
class Census:
    """The count of critical points in the box. ``complete``: the listed isolated points are
    exactly the critical points in the box (every part of the box accounted for, no region with
    an unknown number of points, no point whose membership in the box is undecided); then
    ``points`` is the number of critical points in the box. Otherwise the box holds at least
    ``points`` of them, and ``reasons`` says what is unresolved."""

    complete: bool
    points: int
    regions: int
    membership_undecided: int
    unresolved_boxes: int
    reasons: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"complete": self.complete, "isolated_points": self.points, "regions": self.regions,
                "membership_undecided": self.membership_undecided, "unresolved_boxes": self.unresolved_boxes,
                "reasons": list(self.reasons)}
