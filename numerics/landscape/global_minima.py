"""Are the local minima found in a box global minima of f on R^n? The verdict from a finished
critical-point census (:mod:`.census`) and the form of f (docs/saddle_certification.md, "The theorems,
and what stays undecided")."""

from __future__ import annotations

from numerics.arith.verdict import Verdict
from numerics.landscape.results import CriticalPointSearch
from numerics.landscape.verify import nonvanishing
from numerics.symbolic.derivatives import (
    DerivativeEnclosures,
    IntervalProgram,
    SmoothObjective,
)
from numerics.symbolic.ideal_saturation import (
    structurally_nonnegative,
    zero_level_certificate,
)


def local_minima_are_global(objective: SmoothObjective, search: CriticalPointSearch) -> tuple[Verdict, dict]:
    """Is every local minimum of f in the box a global minimum of f on R^n?

    ``holds`` needs: f >= 0 by its form (:func:`structurally_nonnegative`), a complete search,
    and for every listed critical point either a proof that it is not a local minimum (a strict
    saddle or local maximum: lambda_min(Hessian) < 0; a degenerate point with a descent ray) or
    a proof that f = 0 there (a zero-level region; an exact rational point with f = 0; an
    enclosure on which a zero-level polynomial g has no zero). Then every local minimum in the
    box has f = 0 = min f. When the search is complete and no critical point can be a local
    minimum at all, the statement holds vacuously, for any f.

    ``fails`` needs a certified local minimum ``p`` (existence proved, kind local-min) and a
    certified point ``q`` with ``sup f(q) < inf f(p)``: then p is a local but not a global
    minimum (a spurious one). Otherwise ``undecided``, with the reason.
    """
    D = DerivativeEnclosures(objective)
    ev: dict = {"spurious": [], "unproved": []}

    ev["spurious"] = _spurious_minima(objective, D, search)
    if ev["spurious"]:
        ev["reason"] = "a certified local minimum has a larger value than another certified point"
        return Verdict.FAILS, ev
    if not search.complete:
        ev["reason"] = f"the search is incomplete ({len(search.undecided_boxes)} sub-box(es) unaccounted for)"
        return Verdict.UNDECIDED, ev
    candidates = [p for p in search.points
                  if not (p.kind in ("strict-saddle", "local-max")
                          or p.kind == "degenerate" and p.evidence.get("not_local_min"))]
    if not candidates:
        ev["reason"] = ("the search is complete and no critical point in the box is a local minimum "
                        "(every one is a strict saddle, a local maximum or has a descent ray)")
        return Verdict.HOLDS, ev
    if not structurally_nonnegative(objective.expr):
        ev["reason"] = "f >= 0 is not evident from the expression, so no value is known to be the global minimum"
        return Verdict.UNDECIDED, ev
    ev["unproved"] = _unproved(objective, candidates)
    if ev["unproved"]:
        ev["reason"] = "some critical point is neither proved non-minimal nor proved to have f = 0"
        return Verdict.UNDECIDED, ev
    ev["reason"] = ("f >= 0, the search is complete, and every critical point is a strict saddle, a local "
                    "maximum, a degenerate point with a descent ray, or has f = 0")
    return Verdict.HOLDS, ev


def _spurious_minima(objective: SmoothObjective, D: DerivativeEnclosures, search: CriticalPointSearch) -> list:
    """Certified local minima p with a certified point q where sup f(q) < inf f(p) (or a
    zero-level region, f = 0 there, while inf f(p) > 0 for f >= 0 by its form)."""
    def f_range(p):
        v = D.value(p.lo[None, :], p.hi[None, :])
        return float(v.lo[0]), float(v.hi[0])

    certified = [p for p in search.points if p.exists is Verdict.HOLDS and p.in_box is Verdict.HOLDS]
    values = {id(p): f_range(p) for p in certified if p.method != "zero-level-set"}
    out = []
    for p in certified:
        if p.kind != "local-min" or p.method == "zero-level-set":
            continue
        lo_p = values[id(p)][0]
        for q in certified:
            if q is not p and (q.method == "zero-level-set" and structurally_nonnegative(objective.expr)
                               and lo_p > 0 or q.method != "zero-level-set" and values[id(q)][1] < lo_p):
                out.append({"local_min": [float(v) for v in 0.5 * (p.lo + p.hi)],
                            "f_lower": lo_p, "lower_point": [float(v) for v in 0.5 * (q.lo + q.hi)]})
                break
    return out


def _unproved(objective: SmoothObjective, candidates) -> list:
    """The candidates (possible local minima) not proved to have f = 0: neither a zero-level
    region nor already marked, nor an enclosure on which a zero-level polynomial has no zero
    (marked ``global_min`` here when it is)."""
    prog = None
    if any(p.kind == "local-min" and p.method != "zero-level-set" and "global_min" not in p.evidence
           for p in candidates):
        cert, _ = zero_level_certificate(objective.expr, objective.variables)
        if cert is not None:
            prog = IntervalProgram(list(cert.polynomials), objective.variables)
    out = []
    for p in candidates:
        if p.method == "zero-level-set" or "global_min" in p.evidence:
            continue
        if p.kind == "local-min" and prog is not None and nonvanishing(prog, objective.variables,
                                                                        p.lo[None, :], p.hi[None, :])[0]:
            p.evidence["global_min"] = "a zero-level polynomial g has no zero on the enclosure: f = 0 here"
            continue
        out.append({"kind": p.kind, "method": p.method, "point": [float(v) for v in 0.5 * (p.lo + p.hi)]})
    return out
