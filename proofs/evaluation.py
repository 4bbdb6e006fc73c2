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

from numerics.interval import Interval
from numerics.verdict import Verdict
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
        if missing:
            hypotheses.append({"id": h.id, "statement": h.statement,
                               "latex": h.latex or sp.latex(h.relation), "verdict": Verdict.UNDECIDED.value,
                               "method": "not evaluated", "evidence": {},
                               "message": f"no value for {', '.join(missing)}"})
            continue
        hypotheses.append(h.decide(instance, values))

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
