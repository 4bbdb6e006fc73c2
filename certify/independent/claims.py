"""Claims and their outcomes: what the independent checker replayed, and how each came out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flint import arb

from certify.independent.exact import exact_arb
from certify.independent.inputs import ReplayError

REPLAYED, FALSE, NOT_REPLAYED = "replayed", "false", "not replayed"


@dataclass(frozen=True)
class Claim:
    """One recorded statement and the outcome of its replay."""

    field: str
    statement: str
    outcome: str
    how: str = ""


@dataclass
class ReplayResult:
    claims: list[Claim] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.claims) and all(c.outcome == REPLAYED for c in self.claims)

    def add(self, claim: Claim) -> Claim:
        self.claims.append(claim)
        return claim

    def skip(self, where: str, why: str) -> None:
        self.skipped.append((where, why))

    def lines(self) -> list[str]:
        out = [f"[{c.outcome}] {c.field}: {c.statement}" + (f" ({c.how})" if c.how else "") for c in self.claims]
        out += [f"[not in scope] {w}: {why}" for w, why in self.skipped]
        return out


def endpoint(text, where: str) -> float:
    """A recorded endpoint: a decimal string that round-trips to a float (Python repr)."""
    if not isinstance(text, str):
        raise ReplayError(where, text, "a decimal string (Python's repr of a float)")
    try:
        x = float(text)
    except ValueError:
        raise ReplayError(where, text, "a decimal string (Python's repr of a float)") from None
    if math.isnan(x) or repr(x) != text:
        raise ReplayError(where, text, "a decimal string that round-trips to a float (no NaN)")
    return x


def recorded_interval(rec, where: str) -> tuple[float, float]:
    if not isinstance(rec, dict) or "lo" not in rec or "hi" not in rec:
        raise ReplayError(where, rec, "an enclosure {lo, hi}")
    return endpoint(rec["lo"], f"{where}.lo"), endpoint(rec["hi"], f"{where}.hi")


def inside(ball: arb | None, lo: float, hi: float) -> str:
    """REPLAYED when the ball lies in [lo, hi], FALSE when it misses it, else NOT_REPLAYED."""
    if ball is None or not ball.is_finite():
        return NOT_REPLAYED
    a, b = exact_arb(lo), exact_arb(hi)
    if ball.lower() >= a and ball.upper() <= b:
        return REPLAYED
    if ball.upper() < a or ball.lower() > b:
        return FALSE
    return NOT_REPLAYED


def enclosure_claim(result: ReplayResult, where: str, rec, ball: arb | None, what: str) -> Claim:
    lo, hi = recorded_interval(rec, where)
    if lo == -math.inf and hi == math.inf:      # the whole line (e.g. a width at lambda0 = 0)
        return result.add(Claim(where, f"{what} in [{rec['lo']}, {rec['hi']}]", REPLAYED,
                                "the whole line: nothing is claimed"))
    outcome = FALSE if lo > hi else inside(ball, lo, hi)
    how = "" if ball is None else f"Arb ball {ball.str(radius=True, more=False)}"
    return result.add(Claim(where, f"{what} in [{rec['lo']}, {rec['hi']}]", outcome, how))


def decide(lhs: arb, op: str, rhs: arb) -> str | None:
    """'holds' / 'fails' when the balls decide ``lhs op rhs``, None otherwise."""
    holds = {">": lhs > rhs, ">=": lhs >= rhs, "<=": lhs <= rhs, "<": lhs < rhs}[op]
    fails = {">": lhs <= rhs, ">=": lhs < rhs, "<=": lhs > rhs, "<": lhs >= rhs}[op]
    return "holds" if holds else "fails" if fails else None


def verdict_claim(result: ReplayResult, where: str, recorded, replayed: str | None, statement: str,
                  how: str = "") -> Claim:
    """A recorded verdict against the replayed one (None: the replay did not decide)."""
    if recorded not in ("holds", "fails", "undecided"):
        raise ReplayError(where, recorded, "'holds', 'fails' or 'undecided'")
    if recorded == "undecided":
        outcome = REPLAYED
        how = "nothing is claimed" + ("" if replayed is None else f"; the replay decides {replayed!r}")
    elif replayed is None:
        outcome = NOT_REPLAYED
    else:
        outcome = REPLAYED if replayed == recorded else FALSE
    return result.add(Claim(where, f"{statement}: {recorded}", outcome, how))

