"""Evaluate a theorem on a concrete instance: quantities, constants, hypotheses, verdict.

One generic procedure for every theorem (DESIGN.md "The data model"):
1. enclose the data-dependent quantities with their numerics routines;
2. when the configuration leaves the width (`m`) or the step (`eta`) open, choose them from the
   theorem's own explicit constants: m = floor(upper bound of the required width) + 1, and
   eta = the lower endpoint of the enclosure of the largest allowed step (both then satisfy the
   hypotheses for every value inside the enclosures);
3. enclose every explicit constant and decide every hypothesis rigorously.

The theorem instance is `certified` only when every hypothesis holds.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import sympy as sp

from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from proofs.core import InstanceData, Theorem, interval_json


def _symbols_of(theorem: Theorem) -> dict[str, sp.Symbol]:
    out: dict[str, sp.Symbol] = {}
    for h in theorem.hypotheses:
        if h.relation is not None:
            for s in h.relation.free_symbols:
                out[s.name] = s
    for c in theorem.constants:
        for s in c.expr.free_symbols:
            out[s.name] = s
    for p in theorem.parameters:
        out[p.name] = p
    for q in theorem.quantities:
        out[q.name] = q.symbol
    return out


def _ceil_above(x: Interval) -> int | None:
    hi = float(x.hi)
    if not math.isfinite(hi) or float(x.lo) <= 0 and hi <= 0:
        return None
    return int(math.floor(hi)) + 1


def evaluate_theorem(theorem: Theorem, instance: InstanceData, params: Mapping[str, Any]) -> dict:
    """Decide every hypothesis of `theorem` on `instance`.

    `params` maps parameter names ("n", "m", "delta", "eta", ...) to exact numbers, with
    m = None meaning "the width the theorem requires" and eta = "auto" meaning "the largest step
    the theorem allows". Returns a JSON-ready dict.
    """
    symbols = _symbols_of(theorem)
    values: dict[sp.Symbol, Any] = {}
    quantities: dict[str, dict] = {}
    for q in theorem.quantities:
        enc = q.compute(instance)
        values[q.symbol] = enc
        entry = {**interval_json(enc), "description": q.description, "method": q.method}
        if q.evidence is not None:
            entry.update(q.evidence(instance))
        quantities[q.name] = entry

    chosen: dict[str, Any] = {}
    notes: list[str] = []
    for name, value in params.items():
        if name in symbols and value is not None and value != "auto":
            values[symbols[name]] = value
            chosen[name] = value

    constants: dict[str, dict] = {}

    def enclose_constant(c):
        try:
            return c.enclose(values)
        except KeyError:
            return None

    # choose the step before the width: widths do not depend on eta, but record both choices
    if "eta" in symbols and params.get("eta", "auto") == "auto":
        step = next((c for c in theorem.constants if c.name == "step_size"), None)
        if step is not None:
            enc = enclose_constant(step)
            if enc is not None and float(enc.lo) > 0 and math.isfinite(float(enc.lo)):
                values[symbols["eta"]] = float(enc.lo)
                chosen["eta"] = float(enc.lo)
                notes.append("step size chosen as the lower endpoint of the enclosure of the largest allowed step")
            else:
                notes.append("the largest allowed step could not be enclosed away from 0; eta left undecided")
    if "m" in symbols and params.get("m") is None:
        width = next((c for c in theorem.constants if c.name == "width"), None)
        if width is not None:
            enc = enclose_constant(width)
            m_req = _ceil_above(enc) if enc is not None else None
            others = [c for c in theorem.constants if c.name.startswith("width") and c is not width]
            for other in others:
                e2 = enclose_constant(other)
                m2 = _ceil_above(e2) if e2 is not None else None
                if m_req is not None and m2 is not None:
                    m_req = max(m_req, m2)
            if m_req is not None:
                values[symbols["m"]] = m_req
                chosen["m"] = m_req
                notes.append("width chosen as the smallest integer above every width the theorem requires")
            else:
                notes.append("the required width could not be enclosed (lambda0 not bounded away from 0); m undecided")

    for c in theorem.constants:
        enc = enclose_constant(c)
        constants[c.name] = {
            **(interval_json(enc) if enc is not None else {"lo": None, "hi": None}),
            "expr": sp.sstr(c.expr),
            "latex": sp.latex(c.expr),
            "description": c.description,
            "big_o": sp.sstr(c.big_o) if c.big_o is not None else None,
            "order": c.order if c.big_o is not None else None,
        }

    hypotheses = []
    for h in theorem.hypotheses:
        missing = []
        if h.relation is not None:
            missing = sorted(s.name for s in h.relation.free_symbols if s not in values)
        unnamed = {u.name for u in theorem.unnamed_constants}
        if missing and set(missing) <= unnamed:
            hypotheses.append(_undecided_with_critical_values(h, missing, theorem, values))
            continue
        if missing:
            hypotheses.append({"id": h.id, "statement": h.statement,
                               "latex": h.latex or sp.latex(h.relation), "verdict": Verdict.UNDECIDED.value,
                               "method": "not evaluated", "evidence": {},
                               "message": f"no value for {', '.join(missing)}"})
            continue
        decided = h.decide(instance, values)
        supplied = sorted(u.name for u in theorem.unnamed_constants
                          if h.relation is not None and u in h.relation.free_symbols)
        if supplied:
            given = ", ".join(f"{name} = {params[name]!r}" for name in supplied)
            decided["method"] += f"; conditional on the user-supplied value(s) {given}"
            decided["message"] = (decided.get("message") or "") + (
                f"verdict assumes {given}: the paper leaves {', '.join(supplied)} unnamed, so this is "
                "the user's claim, not a proved fact")
            decided["conditional_on"] = {name: params[name] for name in supplied}
        hypotheses.append(decided)

    verdict = Verdict.all_of(Verdict(h["verdict"]) for h in hypotheses)
    derivations = {c.name: c.derivation.status() for c in theorem.constants}
    return {
        "id": theorem.id,
        "title": theorem.title,
        "citation": str(theorem.citation),
        "status": "certified" if verdict is Verdict.HOLDS else "not-certified",
        "parameters": {k: (v if not isinstance(v, float) else repr(v)) for k, v in chosen.items()},
        "hypotheses": hypotheses,
        "quantities": quantities,
        "constants": constants,
        "derivation_status": derivations,
        "conclusion": theorem.conclusion,
        "notes": notes + list(theorem.notes),
    }


# ------------------------------------------------------------------ unnamed constants
def critical_value(relation: sp.Basic, symbol: sp.Symbol, values: Mapping[sp.Symbol, Any]) -> dict:
    """The value s* of an unnamed constant `symbol` at which `relation` switches, and the side on
    which it holds ("holds if c <= s*").

    s* solves lhs = rhs for `symbol` (sympy `solve`; exactly one solution is required); its
    enclosure uses the instance's values. The side comes from the sign of d(lhs - rhs)/d symbol,
    proved by sympy from the symbols' assumptions (otherwise the side is reported as unknown).
    """
    from numerics.symbolic.enclosure import enclose

    out = {"symbol": symbol.name, "lo": None, "hi": None, "holds_if": None, "expr": None}
    try:
        sols = sp.solve(sp.Eq(relation.lhs, relation.rhs), symbol, simplify=False, rational=False)
    except (NotImplementedError, ValueError):
        sols = []
    if len(sols) != 1:
        out["message"] = f"{len(sols)} solutions for {symbol.name}; no single critical value"
        return out
    sol = sols[0]
    out["expr"] = sp.sstr(sol)
    try:
        enc = enclose(sol, values)
        out.update(interval_json(enc))
    except (KeyError, TypeError, ValueError) as exc:
        out["message"] = f"critical value not enclosed ({exc})"
        return out
    slope = sp.diff(relation.lhs - relation.rhs, symbol)
    upper_side = isinstance(relation, (sp.GreaterThan, sp.StrictGreaterThan))
    if slope.is_negative:
        out["holds_if"] = "<=" if upper_side else ">="
    elif slope.is_positive:
        out["holds_if"] = ">=" if upper_side else "<="
    return out


def _undecided_with_critical_values(h, missing: list[str], theorem: Theorem,
                                    values: Mapping[sp.Symbol, Any]) -> dict:
    """Verdict undecided; for each unnamed constant, its critical value with the others = 1."""
    syms = {u.name: u for u in theorem.unnamed_constants}
    crit = []
    for name in missing:
        others = {syms[o]: 1 for o in missing if o != name}
        crit.append(critical_value(h.relation.subs(others), syms[name], values))
    parts = []
    for c in crit:
        if c["holds_if"] is not None and c["hi"] is not None and math.isfinite(float(c["hi"])):
            # the conservative end of the enclosure: holds for every value on that side of it
            bound = c["lo"] if c["holds_if"] == "<=" else c["hi"]
            others = [o for o in missing if o != c["symbol"]]
            tail = f" (with {', '.join(others)} = 1)" if others else ""
            positive = bool(syms[c["symbol"]].is_positive)
            if positive and c["holds_if"] == "<=" and float(c["hi"]) <= 0:
                parts.append(f"fails for every {c['symbol']} > 0 (critical value {float(c['hi']):.3g}){tail}")
            elif positive and c["holds_if"] == ">=" and float(c["hi"]) <= 0:
                parts.append(f"holds for every {c['symbol']} > 0 (critical value {float(c['hi']):.3g}){tail}")
            else:
                parts.append(f"holds if {c['symbol']} {c['holds_if']} {float(bound):.3g}{tail}")
        elif c["hi"] is not None:
            parts.append(f"{c['symbol']}: critical value not enclosed (an input quantity is not enclosed, "
                         "e.g. it is only a float estimate)")
        else:
            parts.append(f"{c['symbol']}: {c.get('message', 'no critical value')}")
    return {"id": h.id, "statement": h.statement, "latex": h.latex or sp.latex(h.relation),
            "verdict": Verdict.UNDECIDED.value,
            "method": "unnamed constant(s) of the paper: critical value by sympy solve, enclosed in Arb",
            "evidence": {"critical_values": crit},
            "message": "the paper leaves " + ", ".join(missing) + " unnamed; " + "; ".join(parts)}
