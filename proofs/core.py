"""The theorem model: what a cited result says, and how each of its claims was checked.

One `Theorem` object owns every view of its result (DESIGN.md "The data model"; STYLE.md on
neural-tangents' layers): the sympy parameters, the data-dependent quantities with the numerics
function that encloses each, the hypotheses (relations decided by one rigorous evaluator, or
structural predicates with their own exact checks), the explicit constants with their
derivations, the conclusion and the observables the empirical layer measures.

A `Derivation` is a list of `Step`s. Each step is a sympy claim (an equation or inequality) and
the way it was checked: `sympy` (the claim simplifies to True under the symbols' assumptions;
re-checked every time `check()` runs), `interval` (verified on a range by rigorous enclosures), or
`cited` (taken from the paper or a reviewed hand proof, with the equation number; never
re-checked, and reported as such). A `Discrepancy` records where the printed paper differs from
the checked derivation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Mapping

import sympy as sp

from numerics.symbolic.enclosure import decide_relation, enclose
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict


def _unevaluated(cls):
    def build(lhs, rhs):
        return cls(lhs, rhs, evaluate=False)
    build.__doc__ = f"{cls.__name__} built unevaluated: a claim is stored as written and proved by Step.verify."
    return build


Eq, Le, Ge = _unevaluated(sp.Eq), _unevaluated(sp.LessThan), _unevaluated(sp.GreaterThan)
Lt, Gt = _unevaluated(sp.StrictLessThan), _unevaluated(sp.StrictGreaterThan)


class Check(str, Enum):
    SYMPY = "sympy"
    INTERVAL = "interval"
    CITED = "cited"


@dataclass(frozen=True)
class Citation:
    authors: str
    title: str
    venue: str
    arxiv: str
    result: str
    note: str = ""

    def __str__(self) -> str:
        text = f"{self.authors}, {self.title}, {self.venue}, arXiv:{self.arxiv}, {self.result}"
        return f"{text}. {self.note}" if self.note else text


def _is_proved(expr: sp.Basic) -> bool:
    """True when sympy proves `expr` (a relational or boolean) from the symbols' assumptions."""
    if expr is sp.true:
        return True
    if expr is sp.false or not isinstance(expr, sp.Basic):
        return False
    if isinstance(expr, sp.Equality):
        diff = sp.simplify(expr.lhs - expr.rhs)
        return diff == 0 or sp.simplify(sp.expand(diff)) == 0
    if isinstance(expr, sp.core.relational.Relational):
        diff = expr.lhs - expr.rhs
        candidates = [sp.simplify(diff), sp.factor(sp.simplify(diff)), sp.expand(diff)]
        for d in candidates:
            if isinstance(expr, (sp.GreaterThan,)) and d.is_nonnegative:
                return True
            if isinstance(expr, (sp.StrictGreaterThan,)) and d.is_positive:
                return True
            if isinstance(expr, (sp.LessThan,)) and d.is_nonpositive:
                return True
            if isinstance(expr, (sp.StrictLessThan,)) and d.is_negative:
                return True
        return False
    if isinstance(expr, sp.And):
        return all(_is_proved(a) for a in expr.args)
    return bool(sp.simplify(expr) is sp.true)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a claim and how it is checked.

    For `Check.SYMPY`, `claim` is a sympy Eq/Ge/Gt/Le/Lt (or And of them); `substitution`
    rewrites symbols before the proof (e.g. n = (1 + s)**2 with s >= 0 to encode n >= 1), and the
    step holds when sympy proves the substituted claim from the symbols' assumptions.
    For `Check.CITED`, `reference` names the equation or page the claim is taken from.
    """

    description: str
    claim: Any
    check: Check
    reference: str = ""
    substitution: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    verifier: Callable[[], bool] | None = None

    def verify(self) -> Verdict:
        if self.check is Check.CITED:
            return Verdict.UNDECIDED
        if self.verifier is not None:
            return Verdict.HOLDS if self.verifier() else Verdict.UNDECIDED
        # substitutions apply in the order given (a list of pairs keeps sympy from reordering them)
        claim = self.claim.subs(list(dict(self.substitution).items())) if self.substitution else self.claim
        return Verdict.HOLDS if _is_proved(claim) else Verdict.UNDECIDED

    def as_dict(self) -> dict:
        return {
            "description": self.description,
            "claim": sp.sstr(self.claim),
            "latex": sp.latex(self.claim),
            "check": self.check.value,
            "reference": self.reference,
            "substitution": {sp.sstr(k): sp.sstr(v) for k, v in dict(self.substitution).items()},
        }


@dataclass(frozen=True)
class Discrepancy:
    """Where the printed paper differs from the checked derivation."""

    location: str
    printed: str
    checked: str
    consequence: str

    def as_dict(self) -> dict:
        return dict(location=self.location, printed=self.printed, checked=self.checked,
                    consequence=self.consequence)


@dataclass(frozen=True)
class Derivation:
    steps: tuple[Step, ...]
    discrepancies: tuple[Discrepancy, ...] = ()

    def check(self) -> list[tuple[Step, Verdict]]:
        return [(s, s.verify()) for s in self.steps]

    def status(self) -> str:
        """'checked' when every sympy/interval step is proved; cited steps are listed apart."""
        results = self.check()
        if any(v is not Verdict.HOLDS for s, v in results if s.check is not Check.CITED):
            return "unproved-step"
        return "checked" if all(s.check is not Check.CITED for s in self.steps) else "checked-with-cited"


@dataclass(frozen=True)
class Constant:
    """An explicit constant (a width, a step size, a rate) as a sympy expression.

    `big_o` is derived from `expr` (its leading monomial in `asymptotic_in`), never typed in;
    `printed_big_o` is the paper's O/Omega form, compared to the derived one in a checked step.
    """

    name: str
    symbol: sp.Symbol
    expr: sp.Expr
    description: str
    derivation: Derivation
    asymptotic_in: tuple[sp.Symbol, ...] = ()
    order: str = "Omega"
    printed_big_o: sp.Expr | None = None

    @property
    def big_o(self) -> sp.Expr | None:
        if not self.asymptotic_in:
            return None
        return leading_form(self.expr, self.asymptotic_in)

    def enclose(self, values: Mapping[sp.Symbol, Any]) -> Interval:
        return enclose(self.expr, values)


def leading_form(expr: sp.Expr, variables: tuple[sp.Symbol, ...]) -> sp.Expr:
    """The O-form of `expr`: drop constant factors, keep the dominant power of each variable.

    Sums are reduced to the term of highest total degree in `variables` (as n -> infinity for
    polynomial parts; `delta`, `lambda0` enter as powers). Logarithms are kept.
    """
    factors = sp.Mul.make_args(expr)
    kept = []
    for f in factors:
        if not f.free_symbols & set(variables):
            continue
        base, exp = f.as_base_exp()
        if isinstance(base, sp.log):
            arg_coeff, arg_rest = base.args[0].as_coeff_Mul()
            kept.append(sp.log(arg_rest) ** exp)
        elif isinstance(base, sp.Add):
            base = _dominant_term(base, variables)
            kept.append(base ** exp)
        else:
            kept.append(f)
    out = sp.Mul(*kept)
    # strip numeric coefficients introduced by the dominant terms
    coeff, rest = out.as_coeff_Mul()
    return rest


def _degree(expr: sp.Expr, variables: tuple[sp.Symbol, ...]) -> sp.Expr:
    """Total degree of a product in `variables` (logarithms count as degree 0)."""
    deg = sp.Integer(0)
    for f in sp.Mul.make_args(expr):
        base, exp = f.as_base_exp()
        if base in variables:
            deg += exp
        elif isinstance(base, sp.Add):
            deg += exp * _degree(_dominant_term(base, variables), variables)
    return deg


def _dominant_term(expr: sp.Add, variables: tuple[sp.Symbol, ...]) -> sp.Expr:
    """The term of highest total degree (as every variable grows together); ties keep the first."""
    best, best_deg = None, None
    for term in expr.args:
        deg = _degree(term, variables)
        if best is None or bool(deg > best_deg):
            best, best_deg = term, deg
    coeff, rest = best.as_coeff_Mul()
    return rest


@dataclass(frozen=True)
class Quantity:
    """A data-dependent value a hypothesis mentions, with the numerics routine that encloses it."""

    name: str
    symbol: sp.Symbol
    description: str
    method: str
    compute: Callable[["InstanceData"], Interval] | None = None
    evidence: Callable[["InstanceData"], dict] | None = None


@dataclass(frozen=True)
class StructuralResult:
    verdict: Verdict
    method: str
    evidence: dict
    message: str = ""


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis of a theorem.

    Either `relation` (a sympy relational over parameters, quantities and constants, decided by
    the generic rigorous evaluator) or `predicate` (a structural check that returns a
    StructuralResult from the instance; it must be exact or rigorous).
    """

    id: str
    statement: str
    relation: Any = None
    predicate: Callable[["InstanceData"], StructuralResult] | None = None
    latex: str = ""

    def decide(self, instance: "InstanceData", values: Mapping[sp.Symbol, Any]) -> dict:
        if self.predicate is not None:
            r = self.predicate(instance)
            return {"id": self.id, "statement": self.statement, "latex": self.latex,
                    "verdict": r.verdict.value, "method": r.method, "evidence": r.evidence,
                    "message": r.message}
        verdict, lhs, rhs, diff = decide_relation(self.relation, values)
        return {
            "id": self.id,
            "statement": self.statement,
            "latex": self.latex or sp.latex(self.relation),
            "verdict": verdict.value,
            "method": "interval evaluation of both sides in Arb ball arithmetic",
            "evidence": {"lhs": interval_json(lhs), "rhs": interval_json(rhs),
                         "lhs_minus_rhs": interval_json(diff)},
            "message": "",
        }


@dataclass
class InstanceData:
    """What a theorem is evaluated on: the raw float inputs, labels, the configuration's
    parameters (by name: n, d, m, delta, eta, depth, ...) and cached enclosures."""

    X: Any
    y: Any
    params: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Theorem:
    id: str
    title: str
    citation: Citation
    parameters: tuple[sp.Symbol, ...]
    quantities: tuple[Quantity, ...]
    hypotheses: tuple[Hypothesis, ...]
    constants: tuple[Constant, ...]
    conclusion: str
    conclusion_latex: str = ""
    observables: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    family: str = ""
    # constants the paper leaves unnamed ("some small constant c", 2^O(H)): sympy symbols the user
    # may supply; otherwise a hypothesis mentioning them is undecided and reports critical values
    unnamed_constants: tuple[sp.Symbol, ...] = ()

    def constant(self, name: str) -> Constant:
        for c in self.constants:
            if c.name == name:
                return c
        raise KeyError(f"theorem {self.id} has no constant {name!r}")

    def derivation_status(self) -> dict:
        return {c.name: c.derivation.status() for c in self.constants}

    def statement_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "citation": str(self.citation),
            "parameters": [sp.sstr(p) for p in self.parameters],
            "quantities": [dict(name=q.name, description=q.description, method=q.method)
                           for q in self.quantities],
            "hypotheses": [dict(id=h.id, statement=h.statement,
                                latex=h.latex or (sp.latex(h.relation) if h.relation is not None else ""))
                           for h in self.hypotheses],
            "constants": [
                dict(name=c.name, expr=sp.sstr(c.expr), latex=sp.latex(c.expr), description=c.description,
                     big_o=sp.sstr(c.big_o) if c.big_o is not None else None,
                     big_o_latex=(f"\\{c.order}\\left({sp.latex(c.big_o)}\\right)"
                                  if c.big_o is not None else None),
                     steps=[s.as_dict() for s in c.derivation.steps],
                     discrepancies=[d.as_dict() for d in c.derivation.discrepancies])
                for c in self.constants
            ],
            "conclusion": self.conclusion,
            "conclusion_latex": self.conclusion_latex,
            "observables": list(self.observables),
            "notes": list(self.notes),
        }


def interval_json(x: Interval | None) -> dict | None:
    """Decimal strings that round-trip exactly to the float endpoints."""
    if x is None:
        return None
    return {"lo": repr(float(x.lo)), "hi": repr(float(x.hi))}


def interval_from_json(d: Mapping[str, str]) -> Interval:
    return Interval(float(d["lo"]), float(d["hi"]))
