"""Evaluate a theorem on a concrete instance: quantities, parameters, constants, hypotheses, verdict.

One generic procedure for every theorem, in four stages with typed results:
1. `enclose_quantities`: the data-dependent quantities, each by its numerics routine;
2. `choose_parameters`: the configuration's values, plus the parameters it leaves open that a
   constant bounds (`Constant.bounds`), one enclosure width inside the allowed region: for each
   required width's enclosure [lo, hi], m = the smallest integer above hi + (hi - lo) (the largest
   over the widths); for the largest allowed step's enclosure [lo, hi], eta = lo - (hi - lo)
   (lo / 2 when that is not positive). Both satisfy the hypotheses for every value inside the
   enclosures, and the margin makes the choice portable: any recomputation whose enclosures are
   at most as wide (another machine, another summation order: `certify check`,
   docs/independent_checker.md) re-proves the hypotheses at the recorded m and eta;
3. `enclose_constants`: every explicit constant;
4. `decide_hypotheses`: every hypothesis, rigorously; a hypothesis that mentions a constant the
   paper leaves unnamed is undecided and reports the constant's critical value, unless the user
   supplied the constant (then the verdict is conditional on that claim). An undecided
   hypothesis that depends on a quantity enclosed without its float estimates (every float
   eigensolver failed: numerics.linalg.spectral.EIGENSOLVER_FAILED in the quantity's evidence,
   e.g. its spectral method) names that failure in its message.

The theorem instance is `certified` only when every hypothesis holds. `TheoremEvaluation.as_json`
is the theorem's entry of the certificate.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Mapping

import sympy as sp

from numerics.arith.elementary import MARGIN_PREMISE, elementary_mode, premise_log
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from numerics.symbolic.enclosure import enclose
from proofs.core import (Constant, Direction, Hypothesis, HypothesisResult, InstanceData, Quantity, Theorem,
                         interval_json)

OPEN = (None, "auto")
"""Configuration values that leave a parameter to the theorem (a width omitted, step "auto")."""


# ------------------------------------------------------------------ typed results
@dataclass(frozen=True)
class QuantityEnclosure:
    quantity: Quantity
    enclosure: Interval
    evidence: Mapping[str, Any]

    def as_json(self) -> dict:
        return {**interval_json(self.enclosure), "description": self.quantity.description,
                "method": self.quantity.method, **self.evidence}


@dataclass(frozen=True)
class ParameterChoice:
    """The values every symbol takes (given, chosen, or a quantity's enclosure), the parameters the
    certificate records (given or chosen) and how open parameters were chosen."""

    values: Mapping[sp.Symbol, Any]
    recorded: Mapping[str, Any]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ConstantEnclosure:
    constant: Constant
    enclosure: Interval | None   # None: an input has no value (e.g. an unnamed constant)

    def as_json(self) -> dict:
        c = self.constant
        ends = interval_json(self.enclosure) if self.enclosure is not None else {"lo": None, "hi": None}
        return {**ends, "expr": sp.sstr(c.expr), "latex": sp.latex(c.expr), "description": c.description,
                "big_o": sp.sstr(c.big_o) if c.big_o is not None else None,
                "order": c.order if c.big_o is not None else None}


@dataclass(frozen=True)
class CriticalValue:
    """The value s* of an unnamed constant at which a hypothesis switches, enclosed, and the side
    on which it holds ("holds if c <= s*"); `holds_if` None when the side is not proved."""

    symbol: str
    lo: str | None = None
    hi: str | None = None
    holds_if: str | None = None
    expr: str | None = None
    message: str | None = None

    def as_json(self) -> dict:
        out = {"symbol": self.symbol, "lo": self.lo, "hi": self.hi, "holds_if": self.holds_if, "expr": self.expr}
        if self.message is not None:
            out["message"] = self.message
        return out


@dataclass(frozen=True)
class TheoremEvaluation:
    theorem: Theorem
    quantities: tuple[QuantityEnclosure, ...]
    parameters: ParameterChoice
    constants: tuple[ConstantEnclosure, ...]
    hypotheses: tuple[HypothesisResult, ...]

    @property
    def verdict(self) -> Verdict:
        return Verdict.all_of(h.verdict for h in self.hypotheses)

    premises: frozenset = frozenset()

    @property
    def status(self) -> str:
        """``certified`` when every hypothesis holds and no premise was used; ``conditional``
        when they hold only under a premise (the opt-in libm margin of the elementary
        functions); ``not-certified`` otherwise."""
        if self.verdict is not Verdict.HOLDS:
            return "not-certified"
        return "conditional" if self.premises else "certified"

    def as_json(self) -> dict:
        thm = self.theorem
        return {
            "id": thm.id,
            "title": thm.title,
            "citation": str(thm.citation),
            "status": self.status,
            "parameters": {k: (repr(v) if isinstance(v, float) else v)
                           for k, v in self.parameters.recorded.items()},
            "hypotheses": [h.as_json() for h in self.hypotheses],
            "quantities": {q.quantity.name: q.as_json() for q in self.quantities},
            "constants": {c.constant.name: c.as_json() for c in self.constants},
            "derivation_status": thm.derivation_status(),
            "conclusion": thm.conclusion,
            "notes": list(self.parameters.notes) + list(thm.notes),
        }


# ------------------------------------------------------------------ the four stages
def evaluate(theorem: Theorem, instance: InstanceData, params: Mapping[str, Any]) -> TheoremEvaluation:
    """Decide every hypothesis of `theorem` on `instance`.

    `params` maps parameter names ("n", "m", "delta", "eta", ...) to exact numbers; an omitted,
    None or "auto" value leaves a parameter that a constant bounds to the theorem (the width it
    requires, the largest step it allows).
    """
    with premise_log() as logged:
        quantities = enclose_quantities(theorem, instance)
        choice = choose_parameters(theorem, params, {q.quantity.symbol: q.enclosure for q in quantities})
        constants = enclose_constants(theorem, choice.values)
        hypotheses = decide_hypotheses(theorem, instance, choice.values, params)
    hypotheses = tuple(_name_estimate_failure(h, theorem, quantities) for h in hypotheses)
    premises = frozenset(logged) | elementary_premises_in_force()
    if premises:
        hypotheses = tuple(_on_premises(h, premises) for h in hypotheses)
    return TheoremEvaluation(theorem, quantities, choice, constants, hypotheses, premises)


def _depends_on(relation, theorem: Theorem) -> set:
    """The symbols a relation depends on: its own, those of the constants it mentions, and
    those of the constants that bound a parameter it mentions (the evaluation chose it)."""
    symbols, grown = set(relation.free_symbols), True
    while grown:
        grown = False
        for c in theorem.constants:
            used = c.symbol in symbols or (c.bounds is not None and c.bounds.parameter in symbols)
            if used and not c.expr.free_symbols <= symbols:
                symbols |= c.expr.free_symbols
                grown = True
    return symbols


def _name_estimate_failure(result: HypothesisResult, theorem: Theorem,
                           quantities: tuple[QuantityEnclosure, ...]) -> HypothesisResult:
    """An undecided hypothesis names the quantities it depends on that were enclosed without
    float estimates (module docstring, stage 4)."""
    from numerics.linalg.spectral import EIGENSOLVER_FAILED

    h = next((h for h in theorem.hypotheses if h.id == result.id), None)
    if result.verdict is not Verdict.UNDECIDED or h is None or h.relation is None:
        return result
    used = _depends_on(h.relation, theorem)
    failed = [f"{q.quantity.name}: {text}" for q in quantities if q.quantity.symbol in used
              for text in q.evidence.values() if isinstance(text, str) and EIGENSOLVER_FAILED in text]
    if not failed:
        return result
    note = "undecided because " + "; ".join(failed)
    return dataclasses.replace(result, message=f"{result.message}; {note}" if result.message else note)


def elementary_premises_in_force() -> frozenset:
    """The margin mode's premise while it is in force: quantities cached on the instance by an
    earlier theorem rest on it too, so every theorem evaluated in this mode is conditional."""
    return frozenset({MARGIN_PREMISE}) if elementary_mode() == "margin" else frozenset()


def _on_premises(result: HypothesisResult, premises: frozenset) -> HypothesisResult:
    """A verdict that holds only under `premises` (named in conditional_on and the message)."""
    if result.verdict is not Verdict.HOLDS:
        return result
    named = "; ".join(sorted(premises))
    given = dict(result.conditional_on or {})
    given["premise"] = named
    return HypothesisResult(result.id, result.statement, result.latex, result.verdict,
                            result.method + f"; conditional on the premise: {named}", result.evidence,
                            (result.message + " " if result.message else "") +
                            f"holds only under the premise: {named}",
                            conditional_on=given, cited=result.cited)


def evaluate_theorem(theorem: Theorem, instance: InstanceData, params: Mapping[str, Any]) -> dict:
    """`evaluate(...)` as the theorem's JSON entry of a certificate."""
    return evaluate(theorem, instance, params).as_json()


def enclose_quantities(theorem: Theorem, instance: InstanceData) -> tuple[QuantityEnclosure, ...]:
    return tuple(QuantityEnclosure(q, q.compute(instance), q.evidence(instance) if q.evidence else {})
                 for q in theorem.quantities)


def choose_parameters(theorem: Theorem, params: Mapping[str, Any],
                      enclosed: Mapping[sp.Symbol, Interval]) -> ParameterChoice:
    """Given values first; then each open parameter that a constant bounds, steps before widths
    (a width never depends on the step)."""
    symbols = symbols_by_name(theorem)
    values: dict[sp.Symbol, Any] = dict(enclosed)
    recorded: dict[str, Any] = {}
    for name, value in params.items():
        if name in symbols and value not in OPEN:
            values[symbols[name]] = value
            recorded[name] = value
    notes = []
    for direction in (Direction.AT_MOST, Direction.AT_LEAST):
        for parameter, bounding in _open_bounds(theorem, params, direction).items():
            value, note = _choose(parameter, direction, [_enclosure(c, values) for c in bounding])
            notes.append(note)
            if value is not None:
                values[parameter] = recorded[parameter.name] = value
    return ParameterChoice(values, recorded, tuple(notes))


def enclose_constants(theorem: Theorem, values: Mapping[sp.Symbol, Any]) -> tuple[ConstantEnclosure, ...]:
    return tuple(ConstantEnclosure(c, _enclosure(c, values)) for c in theorem.constants)


def decide_hypotheses(theorem: Theorem, instance: InstanceData, values: Mapping[sp.Symbol, Any],
                      params: Mapping[str, Any]) -> tuple[HypothesisResult, ...]:
    return tuple(decide_hypothesis(h, theorem, instance, values, params) for h in theorem.hypotheses)


def decide_hypothesis(h: Hypothesis, theorem: Theorem, instance: InstanceData,
                      values: Mapping[sp.Symbol, Any], params: Mapping[str, Any]) -> HypothesisResult:
    missing = sorted(s.name for s in h.relation.free_symbols if s not in values) if h.relation is not None else []
    unnamed = {u.name for u in theorem.unnamed_constants}
    if missing and set(missing) <= unnamed:
        return undecided_with_critical_values(h, missing, theorem, values)
    if missing:
        return HypothesisResult(h.id, h.statement, h.display_latex(), Verdict.UNDECIDED, "not evaluated", {},
                                f"no value for {', '.join(missing)}")
    result = h.decide(instance, values)
    supplied = sorted(u.name for u in theorem.unnamed_constants
                      if h.relation is not None and u in h.relation.free_symbols)
    return _conditional_on(result, {name: params[name] for name in supplied}) if supplied else result


# ------------------------------------------------------------------ parameter choice
def symbols_by_name(theorem: Theorem) -> dict[str, sp.Symbol]:
    """Every symbol the theorem mentions, by name (parameters and quantities win ties)."""
    out: dict[str, sp.Symbol] = {}
    for h in theorem.hypotheses:
        if h.relation is not None:
            out.update((s.name, s) for s in h.relation.free_symbols)
    for c in theorem.constants:
        out.update((s.name, s) for s in c.expr.free_symbols)
    out.update((p.name, p) for p in theorem.parameters)
    out.update((q.name, q.symbol) for q in theorem.quantities)
    return out


def _open_bounds(theorem: Theorem, params: Mapping[str, Any],
                 direction: Direction) -> dict[sp.Symbol, list[Constant]]:
    """parameter -> the constants bounding it in `direction`, for parameters the params leave open."""
    out: dict[sp.Symbol, list[Constant]] = {}
    for c in theorem.constants:
        b = c.bounds
        if b is not None and b.direction is direction and params.get(b.parameter.name) in OPEN:
            out.setdefault(b.parameter, []).append(c)
    return out


def _choose(parameter: sp.Symbol, direction: Direction,
            enclosures: list[Interval | None]) -> tuple[Any, str]:
    if direction is Direction.AT_MOST:
        return _largest_allowed(parameter, enclosures)
    return _smallest_integer_above(parameter, enclosures)


def _largest_allowed(parameter: sp.Symbol, enclosures: list[Interval | None]) -> tuple[float | None, str]:
    """One enclosure width below the enclosure of the largest allowed value (the least over several)."""
    ok = [e is not None and float(e.lo) > 0 and math.isfinite(float(e.hi)) for e in enclosures]
    if enclosures and all(ok):
        return (min(_step_below(e) for e in enclosures),
                "step size chosen one enclosure width below the enclosure of the largest allowed step")
    return None, (f"the largest allowed step could not be enclosed away from 0; {parameter.name} "
                  "left undecided")


def _smallest_integer_above(parameter: sp.Symbol, enclosures: list[Interval | None]) -> tuple[int | None, str]:
    """The smallest integer above the upper endpoint of every enclosure."""
    above = [_integer_above(e) if e is not None else None for e in enclosures]
    if above and all(a is not None for a in above):
        return max(above), ("width chosen as the smallest integer one enclosure width above every width the "
                            "theorem requires")
    return None, (f"the required width could not be enclosed (lambda0 not bounded away from 0); "
                  f"{parameter.name} undecided")


def _integer_above(x: Interval) -> int | None:
    """The smallest integer above hi + (hi - lo) for the enclosure [lo, hi] (exact rationals)."""
    lo, hi = float(x.lo), float(x.hi)
    if not (math.isfinite(hi) and math.isfinite(lo)) or lo <= 0 and hi <= 0:
        return None
    return math.floor(Fraction(hi) + (Fraction(hi) - Fraction(lo))) + 1


def _step_below(x: Interval) -> float:
    """A float at most lo - (hi - lo) (at most lo / 2 when that is not positive) for the
    enclosure [lo, hi] of the largest allowed step, lo > 0."""
    lo, hi = Fraction(float(x.lo)), Fraction(float(x.hi))
    target = lo - (hi - lo)
    if target <= 0:
        target = lo / 2
    step = float(target)
    return step if Fraction(step) <= target else math.nextafter(step, 0.0)


def _enclosure(c: Constant, values: Mapping[sp.Symbol, Any]) -> Interval | None:
    try:
        return c.enclose(values)
    except KeyError:
        return None


# ------------------------------------------------------------------ unnamed constants
def _conditional_on(result: HypothesisResult, supplied: Mapping[str, Any]) -> HypothesisResult:
    """The verdict rests on the user's values of constants the paper leaves unnamed."""
    given = ", ".join(f"{name} = {value!r}" for name, value in supplied.items())
    message = (result.message or "") + (
        f"verdict assumes {given}: the paper leaves {', '.join(supplied)} unnamed, so this is "
        "the user's claim, not a proved fact")
    return HypothesisResult(result.id, result.statement, result.latex, result.verdict,
                            result.method + f"; conditional on the user-supplied value(s) {given}",
                            result.evidence, message, conditional_on=dict(supplied), cited=result.cited)


@lru_cache(maxsize=256)
def _solve_for(relation: sp.Basic, symbol: sp.Symbol) -> tuple:
    """The solutions of lhs = rhs for ``symbol`` (symbolic, so the same for every instance:
    cached; sympy's solve of a Max of several terms takes seconds)."""
    try:
        return tuple(sp.solve(sp.Eq(relation.lhs, relation.rhs), symbol, simplify=False, rational=False))
    except (NotImplementedError, ValueError):
        return ()


def critical_value(relation: sp.Basic, symbol: sp.Symbol, values: Mapping[sp.Symbol, Any]) -> CriticalValue:
    """The value s* of an unnamed constant `symbol` at which `relation` switches, and the side on
    which it holds ("holds if c <= s*").

    s* solves lhs = rhs for `symbol` (sympy `solve`; exactly one solution is required); its
    enclosure uses the instance's values. The side comes from the sign of d(lhs - rhs)/d symbol,
    proved by sympy from the symbols' assumptions (otherwise the side is reported as unknown).
    """
    sols = list(_solve_for(relation, symbol))
    if len(sols) != 1:
        return CriticalValue(symbol.name, message=f"{len(sols)} solutions for {symbol.name}; no single critical value")
    sol = sols[0]
    try:
        ends = interval_json(enclose(sol, values))
    except (KeyError, TypeError, ValueError) as exc:
        return CriticalValue(symbol.name, expr=sp.sstr(sol), message=f"critical value not enclosed ({exc})")
    return CriticalValue(symbol.name, ends["lo"], ends["hi"], _side_where_it_holds(relation, symbol), sp.sstr(sol))


def _side_where_it_holds(relation: sp.Basic, symbol: sp.Symbol) -> str | None:
    slope = sp.diff(relation.lhs - relation.rhs, symbol)
    upper_side = isinstance(relation, (sp.GreaterThan, sp.StrictGreaterThan))
    if slope.is_negative:
        return "<=" if upper_side else ">="
    if slope.is_positive:
        return ">=" if upper_side else "<="
    return None


def undecided_with_critical_values(h: Hypothesis, missing: list[str], theorem: Theorem,
                                   values: Mapping[sp.Symbol, Any]) -> HypothesisResult:
    """Verdict undecided; for each unnamed constant, its critical value with the others = 1."""
    syms = {u.name: u for u in theorem.unnamed_constants}
    crit = []
    for name in missing:
        others = {syms[o]: 1 for o in missing if o != name}
        crit.append(critical_value(h.relation.subs(others), syms[name], values))
    parts = [_critical_value_text(c, missing, syms[c.symbol]) for c in crit]
    return HypothesisResult(
        h.id, h.statement, h.display_latex(), Verdict.UNDECIDED,
        "unnamed constant(s) of the paper: critical value by sympy solve, enclosed in Arb",
        {"critical_values": [c.as_json() for c in crit]},
        "the paper leaves " + ", ".join(missing) + " unnamed; " + "; ".join(parts))


def _critical_value_text(c: CriticalValue, missing: list[str], symbol: sp.Symbol) -> str:
    if c.hi is None:
        return f"{c.symbol}: {c.message or 'no critical value'}"
    if c.holds_if is None or not math.isfinite(float(c.hi)):
        return (f"{c.symbol}: critical value not enclosed (an input quantity is not enclosed, "
                "e.g. it is only a float estimate)")
    others = [o for o in missing if o != c.symbol]
    tail = f" (with {', '.join(others)} = 1)" if others else ""
    hi = float(c.hi)
    if symbol.is_positive and hi <= 0:
        side = "fails" if c.holds_if == "<=" else "holds"
        return f"{side} for every {c.symbol} > 0 (critical value {hi:.3g}){tail}"
    # the conservative end of the enclosure: holds for every value on that side of it
    bound = c.lo if c.holds_if == "<=" else c.hi
    return f"holds if {c.symbol} {c.holds_if} {float(bound):.3g}{tail}"
