"""Does a recorded certificate agree with its recomputation? The rules of a portable `certify check`.

A certificate written on another machine (another BLAS, another summation order, another
eigenvalue estimate) has enclosures whose endpoints differ in the last bits from the ones this
machine computes; both are true. So `certify check` does not compare endpoints. It compares
what a certificate *states* (docs/independent_checker.md, "What `certify check` compares"):

* **Verdicts** (any field whose recomputed value is ``holds`` / ``fails`` / ``undecided`` or
  ``certified`` / ``not-certified``: hypothesis verdicts, theorem status, existence claims) must
  be re-proved here: the recomputed verdict equals the recorded one. A recorded ``holds`` that
  the recomputation finds ``undecided`` is reported as *not re-proved*, one it finds ``fails``
  as *false*, and a recorded ``undecided`` that this machine decides as a difference too (a
  report would show less than is true).
* **Enclosures** (an object with ``lo`` and ``hi``, unless the rules name it an input or a
  chosen region) must be true statements given the
  recomputation: recorded ``lo <= hi``, recorded ``lo <=`` recomputed ``hi`` and recorded ``hi
  >=`` recomputed ``lo`` (two enclosures of one real number intersect). An enclosure that does
  not meet the recomputed one is false.
* **Everything else** that the recomputation produces (ids, titles, statements, parameters,
  data records, counts, lists) must be equal, key for key: a key the recomputation does not
  produce is rejected as unknown, a missing one as missing, and lists must have the same
  length, so duplicated, inserted or extra entries are caught.
* Fields listed as *records* (the producer's machine, timings, float evidence) are not
  recomputed; the check names them. Fields listed as *descriptions* (which method produced an
  enclosure) may differ between machines; differences are printed as notes.

Paths are written ``theorems[2].hypotheses[1].verdict``; patterns use ``[]`` for any index
and ``*`` for any key (``fnmatch``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

VERDICT_STRENGTH = {
    "holds": 1, "fails": 1, "undecided": 0,
    "certified": 1, "not-certified": 0, "conditional": 0,
}
"""Verdict vocabularies; strength 0 is the weaker claim (it names the kind of difference)."""

MAX_REPORTED = 25


@dataclass(frozen=True)
class Rules:
    """Which fields are records (not compared) or descriptions (differences are notes)."""

    records: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    """Objects with lo and hi that are inputs or chosen regions, not enclosures (compared exactly)."""
    upper_bounds: tuple[str, ...] = ()
    """One-sided claims "the quantity is <= this number": re-proved when the recorded number is at
    least the bound proved here (a looser bound is a true, weaker claim)."""
    lower_bounds: tuple[str, ...] = ()
    """One-sided claims "the quantity is >= this number": re-proved when it is at most the bound
    proved here."""

    def is_record(self, path: str) -> bool:
        return _matches(path, self.records)

    def is_description(self, path: str) -> bool:
        return _matches(path, self.descriptions)

    def is_enclosure(self, path: str, node: Any) -> bool:
        return is_enclosure(node) and not _matches(path, self.exact)


@dataclass
class Agreement:
    """The outcome of a comparison: problems (the check fails) and notes (it passes with them)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    def extend(self, other: "Agreement") -> None:
        self.problems += other.problems
        self.notes += other.notes
        self.unchecked += [u for u in other.unchecked if u not in self.unchecked]

    def truncated_problems(self) -> list[str]:
        """The problems, those naming a hash first (a changed input explains the rest)."""
        ranked = sorted(self.problems, key=lambda p: "sha256" not in p.split(":", 1)[0])
        if len(ranked) <= MAX_REPORTED:
            return ranked
        rest = len(ranked) - MAX_REPORTED
        return ranked[:MAX_REPORTED] + [f"... and {rest} more problems"]


def _generic(path: str) -> str:
    """``a[3].b[0]`` -> ``a[].b[]`` (the form patterns are written in)."""
    out, i = [], 0
    while i < len(path):
        if path[i] == "[":
            j = path.index("]", i)
            out.append("[]")
            i = j + 1
        else:
            out.append(path[i])
            i += 1
    return "".join(out)


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    # "[]" would open a character class in fnmatch: compare with a neutral placeholder
    g = _generic(path).replace("[]", "\x00")
    return any(fnmatchcase(g, p.replace("[]", "\x00")) for p in patterns)


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _short(x: Any, limit: int = 80) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def decimal_endpoint(text: Any) -> float | None:
    """The float a recorded endpoint denotes, or None when it is not a canonical decimal string
    (Python's repr of a float: it round-trips exactly) or denotes NaN."""
    if not isinstance(text, str):
        return None
    try:
        x = float(text)
    except ValueError:
        return None
    if math.isnan(x) or repr(x) != text:
        return None
    return x


def is_enclosure(node: Any) -> bool:
    return isinstance(node, dict) and "lo" in node and "hi" in node


def compare(recorded: Any, fresh: Any, rules: Rules, path: str = "") -> Agreement:
    """Compare a recorded JSON value with its recomputation under the module's rules."""
    out = Agreement()
    _compare(recorded, fresh, rules, path, out)
    return out


def _compare(rec: Any, new: Any, rules: Rules, path: str, out: Agreement) -> None:
    if path and rules.is_record(path):
        if _generic(path) not in out.unchecked:
            out.unchecked.append(_generic(path))
        return
    if rules.is_enclosure(path, new):
        _compare_enclosure(rec, new, rules, path, out)
        return
    if isinstance(new, dict):
        if not isinstance(rec, dict):
            out.problems.append(f"{path or 'CERT'}: recorded {_short(rec)}, expected an object")
            return
        for k in rec:
            if k in new:
                continue
            sub = _join(path, k)
            if rules.is_record(sub):
                _compare(rec[k], None, rules, sub, out)     # names it as not recomputed
            else:
                out.problems.append(f"{sub}: unknown key (the recomputation has no such field)")
        for k, v in new.items():
            sub = _join(path, k)
            if k not in rec:
                if not rules.is_record(sub):
                    out.problems.append(f"{sub}: missing from the certificate")
                continue
            _compare(rec[k], v, rules, sub, out)
        return
    if isinstance(new, list):
        if not isinstance(rec, list):
            out.problems.append(f"{path}: recorded {_short(rec)}, expected a list")
            return
        if len(rec) != len(new):
            out.problems.append(f"{path}: {len(rec)} entries recorded, {len(new)} recomputed "
                                "(duplicated, inserted or missing entries)")
        for i, (a, b) in enumerate(zip(rec, new)):
            _compare(a, b, rules, _join(path, i), out)
        return
    _compare_leaf(rec, new, rules, path, out)


def _compare_leaf(rec: Any, new: Any, rules: Rules, path: str, out: Agreement) -> None:
    same = rec == new and type(rec) is type(new)
    if same:
        return
    if isinstance(new, str) and new in VERDICT_STRENGTH:
        _compare_verdict(rec, new, path, out)
        return
    for patterns, side in ((rules.upper_bounds, "upper"), (rules.lower_bounds, "lower")):
        if _matches(path, patterns):
            _compare_one_sided(rec, new, side, path, out)
            return
    if rules.is_description(path):
        out.notes.append(f"{path}: recorded {_short(rec)}, this machine {_short(new)} (a description; "
                         "it may differ between machines)")
        return
    out.problems.append(f"{path}: recorded {_short(rec)}, recomputed {_short(new)}")


def _bound_value(x: Any) -> float | None:
    if isinstance(x, bool) or x is None:
        return None
    if isinstance(x, (int, float)):
        return float(x) if not math.isnan(float(x)) else None
    return decimal_endpoint(x)


def _compare_one_sided(rec: Any, new: Any, side: str, path: str, out: Agreement) -> None:
    """A recorded one-sided bound is re-proved when it is implied by the bound proved here."""
    r, f = _bound_value(rec), _bound_value(new)
    if f is None:
        out.problems.append(f"{path}: recorded {_short(rec)}, recomputed {_short(new)}")
        return
    if r is None:
        out.problems.append(f"{path}: recorded {_short(rec)}, not a number written as Python's repr")
        return
    if (side == "upper" and r < f) or (side == "lower" and r > f):
        word = "below" if side == "upper" else "above"
        out.problems.append(f"{path}: recorded {side} bound {_short(rec)} is not re-proved here: it is {word} the "
                            f"bound this machine proves ({_short(new)})")


def _compare_verdict(rec: Any, new: str, path: str, out: Agreement) -> None:
    if not isinstance(rec, str) or rec not in VERDICT_STRENGTH:
        out.problems.append(f"{path}: recorded {_short(rec)}, which is not a verdict (recomputed {new!r})")
        return
    statuses = ("certified", "conditional", "not-certified")
    same_vocabulary = (rec in statuses) == (new in statuses)
    if not same_vocabulary:
        out.problems.append(f"{path}: recorded {rec!r}, recomputed {new!r}")
    elif VERDICT_STRENGTH[rec] == 0:
        out.problems.append(f"{path}: recorded {rec!r}, but this machine proves {new!r} (a verdict that "
                            "differs from the recomputation, although the weaker one)")
    elif VERDICT_STRENGTH[new] == 0:
        out.problems.append(f"{path}: recorded {rec!r} is not re-proved here (recomputed {new!r})")
    else:
        out.problems.append(f"{path}: recorded {rec!r} is false (recomputed {new!r})")


def _compare_enclosure(rec: Any, new: dict, rules: Rules, path: str, out: Agreement) -> None:
    if not is_enclosure(rec):
        out.problems.append(f"{path}: recorded {_short(rec)}, expected an enclosure with lo and hi")
        return
    rest_rec = {k: v for k, v in rec.items() if k not in ("lo", "hi")}
    rest_new = {k: v for k, v in new.items() if k not in ("lo", "hi")}
    _compare(rest_rec, rest_new, rules, path, out)
    if new["lo"] is None or new["hi"] is None or rec["lo"] is None or rec["hi"] is None:
        if (rec["lo"], rec["hi"]) != (new["lo"], new["hi"]):
            out.problems.append(f"{path}: recorded [{rec['lo']}, {rec['hi']}], recomputed "
                                f"[{new['lo']}, {new['hi']}] (an enclosure on one side only)")
        return
    lo, hi = decimal_endpoint(rec["lo"]), decimal_endpoint(rec["hi"])
    for name, value, parsed in (("lo", rec["lo"], lo), ("hi", rec["hi"], hi)):
        if parsed is None:
            out.problems.append(f"{path}.{name}: recorded {_short(value)}, not a decimal float string "
                                "that round-trips (Python repr)")
    if lo is None or hi is None:
        return
    flo, fhi = float(new["lo"]), float(new["hi"])
    if not lo <= hi:
        out.problems.append(f"{path}.lo: recorded {rec['lo']} > hi {rec['hi']} (an empty interval)")
    elif lo > fhi:
        out.problems.append(f"{path}.lo: recorded {rec['lo']} is above the recomputed upper bound "
                            f"{new['hi']} (false)")
    elif hi < flo:
        out.problems.append(f"{path}.hi: recorded {rec['hi']} is below the recomputed lower bound "
                            f"{new['lo']} (false)")
