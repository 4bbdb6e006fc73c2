"""Three-valued verdicts: a hypothesis holds, fails, or is undecided.

`holds` and `fails` are only ever produced by a rigorous computation (enclosures,
exact arithmetic) or a symbolic proof; anything else is `undecided`. Verdicts combine in Kleene's
strong three-valued logic, so an undecided part never turns into a decision by accident:

>>> from numerics.arith.verdict import Verdict
>>> Verdict.HOLDS & Verdict.UNDECIDED
<Verdict.UNDECIDED: 'undecided'>
>>> Verdict.FAILS & Verdict.UNDECIDED
<Verdict.FAILS: 'fails'>
>>> ~Verdict.UNDECIDED
<Verdict.UNDECIDED: 'undecided'>
"""

from __future__ import annotations

from enum import Enum


class Verdict(str, Enum):
    HOLDS = "holds"
    FAILS = "fails"
    UNDECIDED = "undecided"

    def __and__(self, other: "Verdict") -> "Verdict":
        """Conjunction in Kleene's strong three-valued logic."""
        if Verdict.FAILS in (self, other):
            return Verdict.FAILS
        if self is Verdict.HOLDS and other is Verdict.HOLDS:
            return Verdict.HOLDS
        return Verdict.UNDECIDED

    def __or__(self, other: "Verdict") -> "Verdict":
        if Verdict.HOLDS in (self, other):
            return Verdict.HOLDS
        if self is Verdict.FAILS and other is Verdict.FAILS:
            return Verdict.FAILS
        return Verdict.UNDECIDED

    def __invert__(self) -> "Verdict":
        if self is Verdict.HOLDS:
            return Verdict.FAILS
        if self is Verdict.FAILS:
            return Verdict.HOLDS
        return Verdict.UNDECIDED

    @classmethod
    def all_of(cls, verdicts) -> "Verdict":
        out = cls.HOLDS
        for v in verdicts:
            out = out & v
        return out
