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
