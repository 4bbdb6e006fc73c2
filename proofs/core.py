"""The theorem model: what a cited result says, and how each of its claims was checked.

One `Theorem` object owns every view of its result: the sympy parameters, the data-dependent
quantities with the numerics function that encloses each, the hypotheses (relations decided by one
rigorous evaluator, or structural predicates with their own exact checks), the explicit constants
with their derivations, the conclusion and the observables the empirical layer measures.

A `Derivation` is a list of `Step`s. Each step is a sympy claim (an equation or inequality) and
the way it was checked, one of four kinds (`Check`):

- `sympy`: a machine-checked identity or inequality. sympy proves the claim from the symbols'
  assumptions every time `check()` runs; a claim that sympy disproves, or that fails rigorously at
  an exact sample point of its domain, is reported as failing.
- `interval`: enclosed numerically. The claim is decided by Arb ball arithmetic over the ranges the
  step names (`ranges`), which proves it for every point of the ranges.
- `cited`: taken from the paper (or a standard result), with its equation number in `reference`;
  never re-checked, and never reported as holding.
- `empirical`: measured (a test, a benchmark); evidence beside the derivation, never a proof, and
  never reported as holding.

A `Discrepancy` records where the printed paper differs from the checked derivation. The
derivations themselves are written out in docs/ (docs/dzps_constants.md, docs/dllwz_width.md).
"""

from __future__ import annotations

import itertools
import random
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
    """How a derivation step was checked (see the module docstring)."""

    SYMPY = "sympy"
    INTERVAL = "interval"
    CITED = "cited"
    EMPIRICAL = "empirical"

    @property
    def machine_checked(self) -> bool:
        """True for the kinds whose verdict is computed (sympy, interval); cited and empirical
        steps are never reported as holding."""
        return self in (Check.SYMPY, Check.INTERVAL)


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


class LeadingForm(sp.Function):
    """`LeadingForm(expr, v1, v2, ...)`: the O-form of `expr` in the variables v1, v2, ... .

    It stays unevaluated in a claim, so a derivation step shows the explicit constant it starts
    from; `doit()` computes :func:`leading_form` (the dominant power of each variable, constant
    factors dropped), and sympy then checks the step's equation.
    """

    def doit(self, deep: bool = True, **hints):
        expr, *variables = self.args
        return leading_form(expr, tuple(variables))

    def _latex(self, printer, exp=None):
        expr, *variables = self.args
        sub = ", ".join(printer._print(v) for v in variables)
        out = r"\operatorname{lead}_{%s}\left(%s\right)" % (sub, printer._print(expr))
        return out if exp is None else r"%s^{%s}" % (out, exp)


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
        return _sign_is_proved(expr)
    if isinstance(expr, sp.And):
        return all(_is_proved(a) for a in expr.args)
    return bool(sp.simplify(expr) is sp.true)


def _sign_is_proved(rel: sp.core.relational.Relational) -> bool:
    """An inequality lhs ~ rhs, proved from the sign of lhs - rhs in one of three normal forms."""
    diff = rel.lhs - rel.rhs
    sign = {sp.GreaterThan: "is_nonnegative", sp.StrictGreaterThan: "is_positive",
            sp.LessThan: "is_nonpositive", sp.StrictLessThan: "is_negative"}.get(type(rel))
    if sign is None:
        return False
    return any(getattr(d, sign) is True
               for d in (sp.simplify(diff), sp.factor(sp.simplify(diff)), sp.expand(diff)))


def _is_disproved(expr: sp.Basic) -> bool:
    """True when sympy proves the negation of `expr` for every value of its symbols."""
    if expr is sp.false:
        return True
    if isinstance(expr, sp.Equality):
        return sp.simplify(expr.lhs - expr.rhs).is_zero is False
    if isinstance(expr, sp.core.relational.Relational) and not isinstance(expr, sp.Unequality):
        return _sign_is_proved(expr.negated)
    if isinstance(expr, sp.And):
        return any(_is_disproved(a) for a in expr.args)
    return False


# sample values by assumption, exact, for the counterexample search of unproved sympy steps
_SAMPLES = (
    (("integer", "positive"), (1, 2, 3, 10)),
    (("integer", "nonnegative"), (0, 1, 2, 10)),
    (("integer",), (-2, 0, 1, 3)),
    (("positive",), (sp.Rational(1, 3), 1, sp.Rational(5, 2), 100)),
    (("nonnegative",), (0, sp.Rational(1, 3), 1, 100)),
    (("negative",), (sp.Rational(-1, 3), -1, sp.Rational(-5, 2), -100)),
    (("nonpositive",), (0, sp.Rational(-1, 3), -1, -100)),
    (("real",), (-2, 0, sp.Rational(1, 3), 3)),
)
_MAX_POINTS = 256


def _samples_of(symbol: sp.Symbol) -> tuple | None:
    for assumptions, values in _SAMPLES:
        if all(getattr(symbol, f"is_{a}") is True for a in assumptions):
            return values
    return None


def _sample_points(symbols: list[sp.Symbol]):
    """Exact points of the domain the symbols' assumptions describe (None if one has no known
    real domain): the full grid of sample values, or a seeded subset of it when large."""
    grids = [_samples_of(s) for s in symbols]
    if any(g is None for g in grids):
        return []
    points = list(itertools.product(*grids))
    if len(points) > _MAX_POINTS:
        points = random.Random(0).sample(points, _MAX_POINTS)
    return [dict(zip(symbols, p)) for p in points]


def _fails_at(claim: sp.Basic, point: Mapping[sp.Symbol, Any]) -> bool:
    """True when Arb proves that `claim` is false at `point` (a rigorous counterexample)."""
    try:
        if isinstance(claim, sp.And):
            return any(_fails_at(a, point) for a in claim.args)
        if isinstance(claim, sp.Equality):
            diff = enclose(claim.lhs - claim.rhs, point)
            return float(diff.lo) > 0 or float(diff.hi) < 0
        if isinstance(claim, sp.core.relational.Relational) and not isinstance(claim, sp.Unequality):
            return decide_relation(claim, point).verdict is Verdict.FAILS
    except (TypeError, ValueError, KeyError, ZeroDivisionError):
        return False
    return False


def counterexample(claim: sp.Basic) -> dict | None:
    """An exact point of the claim's domain (from the symbols' assumptions) at which ball
    arithmetic proves the claim false, or None when no sampled point does."""
    if not isinstance(claim, sp.Basic) or isinstance(claim, sp.logic.boolalg.BooleanAtom):
        return None
    symbols = sorted(claim.free_symbols, key=lambda s: s.name)
    for point in _sample_points(symbols):
        if _fails_at(claim, point):
            return point
    return None


def _verdict_of(value: bool | Verdict) -> Verdict:
    if isinstance(value, Verdict):
        return value
    return Verdict.HOLDS if value else Verdict.UNDECIDED


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a claim and how it is checked (`Check`).

    `Check.SYMPY`: `claim` is a sympy Eq/Ge/Gt/Le/Lt (or And of them); `substitution` rewrites
    symbols first (e.g. n = (1 + s)**2 with s >= 0 to encode n >= 1), unevaluated parts
    (integrals, `LeadingForm`) are evaluated, and the step holds when sympy proves the claim
    from the symbols' assumptions; it fails when sympy proves the negation or ball arithmetic
    finds an exact counterexample. `verifier`, when given, replaces sympy's proof attempt (a
    sympy computation the generic prover cannot do, returning bool or Verdict).
    `Check.INTERVAL`: `claim` is an inequality decided by Arb over `ranges` (symbol -> Interval).
    `Check.CITED`: `reference` names the paper's equation or page the claim is taken from.
    `Check.EMPIRICAL`: `reference` names where it is measured (a test, a benchmark).
    """

    description: str
    claim: Any
    check: Check
    reference: str = ""
    substitution: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    verifier: Callable[[], bool | Verdict] | None = None
    ranges: Mapping[sp.Symbol, Interval] = field(default_factory=dict)

    def verify(self) -> Verdict:
        """HOLDS only for a machine-checked step that was proved; cited and empirical steps are
        UNDECIDED by construction."""
        if not self.check.machine_checked:
            return Verdict.UNDECIDED
        if self.check is Check.INTERVAL:
            return self._verify_on_ranges()
        claim = self.substituted_claim()
        if self.verifier is not None:
            verdict = _verdict_of(self.verifier())
        else:
            verdict = Verdict.HOLDS if _is_proved(claim) else Verdict.UNDECIDED
        if verdict is Verdict.UNDECIDED and (_is_disproved(claim) or counterexample(claim) is not None):
            return Verdict.FAILS
        return verdict

    def substituted_claim(self) -> sp.Basic:
        """The claim after the substitution (in the order given) and with unevaluated parts done."""
        claim = self.claim
        if self.substitution:
            # a list of pairs keeps sympy from reordering the substitutions
            claim = claim.subs(list(dict(self.substitution).items()))
        return claim.doit() if isinstance(claim, sp.Basic) else claim

    def _verify_on_ranges(self) -> Verdict:
        claim = self.claim
        if (not isinstance(claim, sp.core.relational.Relational) or isinstance(claim, (sp.Eq, sp.Ne))
                or not self.ranges or set(claim.free_symbols) - set(self.ranges)):
            return Verdict.UNDECIDED
        return decide_relation(claim, dict(self.ranges)).verdict

    def as_dict(self) -> dict:
        out = {
            "description": self.description,
            "claim": sp.sstr(self.claim),
            "latex": sp.latex(self.claim),
            "check": self.check.value,
            "reference": self.reference,
            "substitution": {sp.sstr(k): sp.sstr(v) for k, v in dict(self.substitution).items()},
        }
        if self.ranges:
            out["ranges"] = {sp.sstr(k): [repr(float(v.lo)), repr(float(v.hi))] for k, v in self.ranges.items()}
        return out


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
        """How far the derivation is machine-checked.

        'failed-step' when a sympy/interval step is disproved, 'unproved-step' when one is not
        proved; otherwise 'checked' when every step is machine-checked, or 'checked-with-cited',
        'checked-with-empirical', 'checked-with-cited-and-empirical' naming the kinds of the steps
        that are taken from the paper or measured rather than proved.
        """
        verdicts = [v for s, v in self.check() if s.check.machine_checked]
        if Verdict.FAILS in verdicts:
            return "failed-step"
        if any(v is not Verdict.HOLDS for v in verdicts):
            return "unproved-step"
        unchecked = [kind.value for kind in (Check.CITED, Check.EMPIRICAL)
                     if any(s.check is kind for s in self.steps)]
        return "-".join(["checked", "with", "-and-".join(unchecked)]) if unchecked else "checked"


class Direction(str, Enum):
    """Which side of a constant a parameter must lie on."""

    AT_LEAST = "at-least"   # a width: the parameter must be at least the constant
    AT_MOST = "at-most"     # a step size: the parameter must be at most the constant


@dataclass(frozen=True)
class Bound:
    """The constant bounds `parameter`, a value the configuration may leave open (omitted, None
    or "auto"); the evaluation then chooses the parameter from the constant's enclosure."""

    parameter: sp.Symbol
    direction: Direction


@dataclass(frozen=True)
class Constant:
    """An explicit constant (a width, a step size, a rate) as a sympy expression.

    `big_o` is derived from `expr` (its leading monomial in `asymptotic_in`), never typed in;
    `printed_big_o` is the paper's O/Omega form, compared to the derived one in a checked step.
    `bounds` says which parameter the constant bounds, if the evaluation may choose it.
    """

    name: str
    symbol: sp.Symbol
    expr: sp.Expr
    description: str
    derivation: Derivation
    asymptotic_in: tuple[sp.Symbol, ...] = ()
    order: str = "Omega"
    printed_big_o: sp.Expr | None = None
    bounds: Bound | None = None

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
            kept.append(sp.log(base.args[0].as_coeff_Mul()[1]) ** exp)
        elif isinstance(base, sp.Add):
            base = _dominant_term(base, variables)
            kept.append(base ** exp)
        else:
            kept.append(f)
    # strip numeric coefficients introduced by the dominant terms
    return sp.Mul(*kept).as_coeff_Mul()[1]


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
    return best.as_coeff_Mul()[1]


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
    """The result of a structural hypothesis check.

    `cited` names a proposition of a paper that the verdict would rest on; such a result is
    never HOLDS (a cited fact is not proved on the instance), and the report shows it as cited.
    """

    verdict: Verdict
    method: str
    evidence: dict
    message: str = ""
    cited: str = ""

    def __post_init__(self):
        if self.cited and self.verdict is Verdict.HOLDS:
            raise ValueError(f"a result that rests on a cited proposition ({self.cited}) cannot hold")


@dataclass(frozen=True)
class HypothesisResult:
    """A decided hypothesis: its verdict, how it was decided and the evidence.

    `conditional_on`: user-supplied values of constants the paper leaves unnamed that the verdict
    assumes; `cited`: the cited proposition a structural result rests on (never HOLDS).
    """

    id: str
    statement: str
    latex: str
    verdict: Verdict
    method: str
    evidence: Mapping[str, Any]
    message: str = ""
    conditional_on: Mapping[str, Any] | None = None
    cited: str = ""

    def as_json(self) -> dict:
        out = {"id": self.id, "statement": self.statement, "latex": self.latex,
               "verdict": self.verdict.value, "method": self.method, "evidence": self.evidence,
               "message": self.message}
        if self.conditional_on is not None:
            out["conditional_on"] = dict(self.conditional_on)
        if self.cited:
            out["cited"] = self.cited
        return out


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis of a theorem.

    Either `relation` (a sympy relational over parameters, quantities and constants, decided by
    the generic rigorous evaluator) or `predicate` (a structural check that returns a
    StructuralResult from the instance; it must be exact or rigorous). `refuted_by` (optional,
    with a relation): an exact structural check tried first; when it returns a result (FAILS,
    naming why) that result is the verdict, e.g. two parallel inputs make lambda0 = 0 exactly.
    """

    id: str
    statement: str
    relation: Any = None
    predicate: Callable[["InstanceData"], StructuralResult] | None = None
    latex: str = ""
    refuted_by: Callable[["InstanceData"], StructuralResult | None] | None = None

    def display_latex(self) -> str:
        return self.latex or (sp.latex(self.relation) if self.relation is not None else "")

    def decide(self, instance: "InstanceData", values: Mapping[sp.Symbol, Any]) -> HypothesisResult:
        if self.predicate is not None:
            r = self.predicate(instance)
            return HypothesisResult(self.id, self.statement, self.latex, r.verdict, r.method, r.evidence,
                                    r.message, cited=r.cited)
        refutation = self.refuted_by(instance) if self.refuted_by is not None else None
        if refutation is not None:
            if refutation.verdict is not Verdict.FAILS:
                raise ValueError(f"a refutation of {self.id!r} must fail the hypothesis, got {refutation.verdict}")
            return HypothesisResult(self.id, self.statement, self.display_latex(), refutation.verdict,
                                    refutation.method, refutation.evidence, refutation.message)
        verdict, lhs, rhs, diff = decide_relation(self.relation, values)
        return HypothesisResult(
            self.id, self.statement, self.display_latex(), verdict,
            "interval evaluation of both sides in Arb ball arithmetic",
            {"lhs": interval_json(lhs), "rhs": interval_json(rhs), "lhs_minus_rhs": interval_json(diff)})


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
            "hypotheses": [dict(id=h.id, statement=h.statement, latex=h.display_latex())
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

