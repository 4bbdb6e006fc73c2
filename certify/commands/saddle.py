"""`certify saddle`: every critical point of an objective in a box, its kind, the strict-saddle
constants, the step sizes the saddle theorems allow, and (optionally) how GD behaves.

    certify saddle --expr "x^2/2 + y^4/4 - y^2/2" --box "x=-2:2,y=-2:2" --out DIR
    certify saddle --builtin monkey-saddle --out DIR
    certify saddle --config examples/saddle_paper_example.toml --out DIR

Writes DIR/certificate.json (schema id `dl-certify/saddle-certificate/1`, sealed with a content
sha256 like `certify run`'s certificate), DIR/report.md and DIR/report.html. Exit 0 when the strict-saddle
property is certified on the box, 1 when it is not (fails or undecided), 2 on bad input (the
message gives the position of the error in the expression or box).

Python API: :func:`certify_saddle` returns the certificate dict.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from certify.certificate import json_safe
from certify.errors import BadInput
from certify.saddle_config import box_from_mapping, box_input, position_message

MAX_VARIABLES = 8
SADDLE_SCHEMA_ID = "dl-certify/saddle-certificate/1"
"""Schema id of the saddle certificate (a different document from `certify run`'s certificate)."""


def objective_from_text(expr_text: str):
    """Parse user text with the restricted grammar; BadInput (with position) when not C^2."""
    from numerics.symbolic.expression import ExpressionError, NONSMOOTH_FUNCTIONS, is_smooth, parse, to_sympy

    try:
        ast = parse(expr_text)
    except ExpressionError as exc:
        raise BadInput("--expr", expr_text, "an expression in the grammar: " + position_message(expr_text, exc)) from None
    if not is_smooth(ast):
        m = re.search(r"\b(" + "|".join(sorted(NONSMOOTH_FUNCTIONS, key=len, reverse=True)) + r")\s*\(", expr_text)
        pos = m.start() if m else 0
        name = m.group(1) if m else "a non-smooth function"
        raise BadInput("--expr", expr_text,
                       f"a C^2 expression; {name} is not twice differentiable (position {pos})\n"
                       f"{expr_text}\n{' ' * pos}^")
    return ast, to_sympy(ast)


def _interval(lo, hi) -> dict:
    return {"lo": repr(float(lo)), "hi": repr(float(hi))}


def _box_json(names, lo, hi) -> dict:
    return {n: _interval(a, b) for n, a, b in zip(names, lo, hi)}


def _point_json(names, p) -> dict:
    out = {
        "box": _box_json(names, p.lo, p.hi),
        "kind": p.kind,
        "hessian_min_eig": _interval(*p.hessian_min_eig),
        "hessian_max_eig": _interval(*p.hessian_max_eig),
        "exists": p.exists.value,
        "unique": p.unique,
        "in_box": p.in_box.value,
        "method": p.method,
        "region": _box_json(names, p.region_lo, p.region_hi),
    }
    ev = {k: v for k, v in p.evidence.items()}
    if ev:
        out["evidence"] = ev
    return out


@dataclass(frozen=True)
class _Budget:
    """The run's time budget (a ``time.monotonic()`` deadline, or None) and its progress sink."""

    deadline: float | None
    sink: object = None

    @staticmethod
    def start(max_seconds, progress) -> "_Budget":
        import time
        return _Budget(None if max_seconds is None else time.monotonic() + float(max_seconds), progress)

    def report(self, info: dict) -> None:
        if self.sink is not None:
            self.sink(info)

    def exhausted(self) -> bool:
        import time
        return self.deadline is not None and time.monotonic() > self.deadline


@dataclass(frozen=True)
class _Objective:
    """The objective as the user gave it: sympy expression, variables, label, where it came from
    (for the certificate), the box ``{name: (lo, hi)}`` and the catalog parameters."""

    expr: object
    variables: tuple
    label: str
    source: dict
    box: dict
    catalog_params: dict

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]


def _objective(expr, builtin, sympy_expr, box) -> _Objective:
    """Exactly one of ``expr`` / ``builtin`` / ``sympy_expr``, parsed, with its box (BadInput)."""
    import sympy as sp

    given = [v for v in (expr, builtin, sympy_expr) if v is not None]
    if len(given) != 1:
        raise BadInput("--expr/--builtin", given or None, "exactly one of --expr or --builtin")
    if sympy_expr is not None:
        sym_expr = sp.sympify(sympy_expr)
        label = sp.sstr(sym_expr)
        if box is None:
            raise BadInput("box", None, "a box such as 'x=-2:2,y=-2:2' naming every variable")
        return _Objective(sym_expr, _sorted_variables(sym_expr), label, {"sympy": label}, box_input(box), {})
    if builtin is not None:
        from numerics.landscape.catalog import builtin as get_builtin
        try:
            entry = get_builtin(builtin)
        except ValueError as exc:
            raise BadInput("--builtin", builtin, str(exc).split("; ", 1)[-1]) from None
        source = {"builtin": entry.name, "description": entry.description, "expr": sp.sstr(entry.expr)}
        return _Objective(entry.expr, entry.variables, entry.name, source,
                          box_input(box) if box else dict(entry.box), dict(entry.params))
    _, sym_expr = objective_from_text(expr)
    if box is None:
        raise BadInput("--box", None, "a box such as 'x=-2:2,y=-2:2' naming every variable of --expr")
    return _Objective(sym_expr, _sorted_variables(sym_expr), expr, {"expr": expr, "sympy": sp.sstr(sym_expr)},
                      box_input(box), {})


def _sorted_variables(sym_expr) -> tuple:
    return tuple(sorted(sym_expr.free_symbols, key=lambda s: s.name))


def _check_options(obj: _Objective, expr, builtin, box, step, epsilon, delta, c, max_boxes, algebra_budget) -> None:
    """BadInput naming the option when a variable count, the box or a number is not allowed."""
    import math

    names = obj.names
    if not names:
        raise BadInput("--expr", expr, "an expression with at least one variable")
    if len(names) > MAX_VARIABLES:
        raise BadInput("--expr", expr or builtin, f"at most {MAX_VARIABLES} variables (got {len(names)})")
    if set(obj.box) != set(names):
        raise BadInput("--box", box, f"exactly the variables {names} (got {sorted(obj.box)})")
    for opt, val, cond in (("--step", step, "a positive finite number"), ("--epsilon", epsilon, "a positive number"),
                           ("--c", c, "a positive number")):
        if val is not None and not (val > 0 and math.isfinite(val)):
            raise BadInput(opt, val, cond)
    if delta is not None and not (0 < delta < 1):
        raise BadInput("--delta", delta, "a number in (0, 1)")
    if max_boxes < 1:
        raise BadInput("--max-boxes", max_boxes, "a positive integer")
    if isinstance(algebra_budget, bool) or not isinstance(algebra_budget, (int, float)) \
            or not (0 < algebra_budget <= 3600):
        raise BadInput("--algebra-budget", algebra_budget, "a number of seconds in (0, 3600]")


def _smooth_objective(obj: _Objective, expr, builtin):
    from numerics.symbolic.derivatives import smooth_objective

    try:
        return smooth_objective(obj.expr, obj.variables, label=obj.label)
    except ValueError as exc:
        raise BadInput("--expr", expr or builtin, f"a C^2 expression ({exc})") from None


def _check_domain(obj: _Objective, blo, bhi, expr, builtin) -> None:
    """BadInput naming the term when f is not C^2 on the whole box (a fractional power or log of
    an argument that is not positive, a division by an argument that may vanish)."""
    from numerics.arith.verdict import Verdict
    from numerics.symbolic.domain import domain_conditions

    for cond in domain_conditions(obj.expr, obj.variables, blo, bhi):
        if cond.verdict is Verdict.HOLDS:
            continue
        where = (f"it is not at {dict(zip(obj.names, cond.witness))}" if cond.verdict is Verdict.FAILS
                 else "this could not be proved on the whole box")
        raise BadInput("--expr" if builtin is None else "--builtin", expr or builtin,
                       f"an objective that is C^2 on the whole box: the term {cond.term} needs "
                       f"{cond.argument} {cond.requirement}, and {where}; shrink the box or change the term")


def _critical_point_search(objective, blo, bhi, symmetry, max_boxes, algebra_budget, budget: "_Budget"):
    """Every critical point in the box (modulo rotation orbits with ``right-rotation``)."""
    from numerics.landscape.census import find_critical_points

    if symmetry == "right-rotation":
        from numerics.landscape.symmetry import find_critical_orbits_right_rotation
        if objective.dim % 2:
            raise BadInput("--symmetry", symmetry, "an objective in the entries of U in R^{d x 2} (even count)")
        try:
            return find_critical_orbits_right_rotation(objective, objective.dim // 2, blo, bhi, max_boxes=max_boxes,
                                                       algebra_budget_s=float(algebra_budget),
                                                       deadline=budget.deadline, progress=budget.report)
        except ValueError as exc:
            raise BadInput("--symmetry", symmetry, str(exc)) from None
    if symmetry == "none":
        return find_critical_points(objective, blo, bhi, max_boxes=max_boxes, algebra_budget_s=float(algebra_budget),
                                    deadline=budget.deadline, progress=budget.report)
    raise BadInput("--symmetry", symmetry, "'none' or 'right-rotation'")


def _landscape_facts(objective, search, blo, bhi, step, budget: "_Budget"):
    """The certified constants on the box (ell, rho, Delta_f, the robust strict-saddle triple),
    the step, forward invariance and the global-minima verdict, as the theorems read them."""
    import math

    import numpy as np

    from numerics.arith.verdict import Verdict
    from numerics.landscape.global_minima import local_minima_are_global
    from numerics.landscape.saddle_constants import (forward_invariant, gradient_lipschitz_upper,
                                                     hessian_lipschitz_upper, robust_strict_saddle_constants,
                                                     sup_over_box)
    from numerics.symbolic.derivatives import DerivativeEnclosures
    from proofs.saddle_facts import SaddleFacts

    D = DerivativeEnclosures(objective)
    dl = budget.deadline
    budget.report({"stage": "constants: ell, rho, Delta_f"})
    ell = gradient_lipschitz_upper(D, blo, bhi, deadline=dl)
    rho = hessian_lipschitz_upper(D, blo, bhi, deadline=dl)
    f_sup = sup_over_box(lambda lo, hi: D.value(lo, hi).hi, blo, bhi, rounds=2, deadline=dl)
    f_neg_inf = sup_over_box(lambda lo, hi: -D.value(lo, hi).lo, blo, bhi, rounds=2, deadline=dl)
    delta_f = float(np.nextafter(f_sup + f_neg_inf, np.inf))
    budget.report({"stage": "constants: robust strict saddle (theta, gamma, zeta)"})
    constants = robust_strict_saddle_constants(D, search, deadline=dl)
    alpha_max = float(np.nextafter(1.0 / ell, 0.0)) if ell > 0 and math.isfinite(ell) else None
    alpha = step if step is not None else (0.9 / ell if alpha_max else None)
    budget.report({"stage": "forward invariance and global minima"})
    if alpha is not None:
        fi = forward_invariant(D, blo, bhi, alpha, deadline=dl)
    else:
        fi = (Verdict.UNDECIDED, {"reason": "no finite gradient-Lipschitz bound"})
    facts = SaddleFacts(search=search, ell=ell, rho=rho, delta_f=delta_f, dim=objective.dim, constants=constants,
                        forward_invariance=fi, smooth=True,
                        constant_hessian=all(not h.free_symbols for row in objective.hessian for h in row),
                        local_minima_global=local_minima_are_global(objective, search))
    return facts, alpha, alpha_max


def _theorems(facts, alpha, epsilon, delta, c, catalog_params) -> list[dict]:
    """Each saddle theorem evaluated on the facts (lsjr2016, jin2017, ghjy2015, the landscape
    statement, and Du-Lee for quadratic networks)."""
    import sympy as sp

    from proofs import benign_landscape, ghjy2015, jin2017, lsjr2016
    from proofs.core import InstanceData
    from proofs.evaluation import evaluate_theorem

    instance = InstanceData(X=None, y=None, params={}, cache={"saddle": facts})
    lsjr_params = {"alpha": sp.nsimplify(alpha, rational=True)} if alpha is not None else {}
    theorems = [evaluate_theorem(lsjr2016.THEOREM, instance, lsjr_params)]
    eps_val, eps_note = _pgd_epsilon(epsilon, facts)
    jin_params = {"delta": sp.nsimplify(delta, rational=True) if delta else jin2017.DEFAULT_DELTA,
                  "c": sp.nsimplify(c, rational=True) if c else jin2017.DEFAULT_C,
                  "d": facts.dim, "Delta_f": facts.delta_f if facts.delta_f > 0 else None,
                  "epsilon": eps_val}
    instance.params.update({"c": jin_params["c"]})
    theorems.append(evaluate_theorem(jin2017.THEOREM, instance, {k: v for k, v in jin_params.items() if v is not None}))
    theorems[-1]["notes"].insert(0, f"epsilon = {eps_val!r} ({eps_note}); c = {jin_params['c']} "
                                    f"(default {jin2017.DEFAULT_C}); delta = {jin_params['delta']}")
    theorems.append(evaluate_theorem(ghjy2015.THEOREM, instance, {}))
    theorems.append(evaluate_theorem(benign_landscape.LANDSCAPE, instance, lsjr_params))
    if catalog_params.get("family") == "quadratic-net":
        for thm in (benign_landscape.DU_LEE, benign_landscape.DU_LEE_PERTURBED):
            theorems.append(evaluate_theorem(thm, instance, {k_: catalog_params[k_] for k_ in ("k", "d", "n")}))
    return theorems


def _pgd_epsilon(epsilon, facts) -> tuple:
    """The PGD target: the user's, or min(theta, gamma^2/rho) (Jin et al. 2017, Theorem 5)."""
    if epsilon is not None:
        return epsilon, "user"
    th, gm = facts.constants.get("theta"), facts.constants.get("gamma")
    cands = [v for v in (th, (gm ** 2 / facts.rho) if gm and facts.rho > 0 else None) if v]
    return (min(cands) if cands else None), "min(theta, gamma^2/rho) (Theorem 5)"


def _constants_json(facts) -> dict:
    constants = facts.constants
    return {
        "ell": {"hi": repr(facts.ell), "meaning": "sup ||Hessian f||_2 over the box <= ell"},
        "rho": {"hi": repr(facts.rho), "meaning": "sup ||D^3 f||_F over the box <= rho (Hessian-Lipschitz)"},
        "Delta_f": {"hi": repr(facts.delta_f), "meaning": "sup f - inf f over the box <= Delta_f"},
        "theta": None if constants["theta"] is None else repr(constants["theta"]),
        "gamma": None if constants["gamma"] is None else repr(constants["gamma"]),
        "zeta": repr(constants["zeta"]),
        "strong_convexity": None if constants["strong_convexity"] is None else repr(constants["strong_convexity"]),
        "robust_strict_saddle": constants["verdict"].value,
    }


def _step_size_json(facts, alpha, alpha_max) -> dict:
    fi = facts.forward_invariance
    return {
        "allowed_below": None if alpha_max is None else repr(alpha_max),
        "rule": "0 < alpha < 1/ell (Lee et al. 2016, Theorem 4.1)",
        "chosen": None if alpha is None else repr(float(alpha)),
        "forward_invariance": {"verdict": fi[0].value, "evidence": fi[1]},
    }


def _unresolved_json(names, boxes) -> dict:
    """The sub-boxes not accounted for: how many, the first 20, and (when any) the smallest box
    holding all of them, the region where the census could not be resolved."""
    out = {"count": len(boxes), "boxes": [_box_json(names, a, b) for a, b in boxes[:20]]}
    if boxes:
        from numerics.landscape.search import hull
        out["hull"] = _box_json(names, *hull(boxes))
    return out


def _search_json(names, search) -> dict:
    """The census part of the certificate: every listed point; ``complete`` when the list counts
    the critical points in the box exactly (``census``); ``accounted`` when every part of the box
    is excluded or covered by a listed point or region (what the strict-saddle property needs);
    what is unresolved."""
    census = search.census()
    return {
        "critical_points": [_point_json(names, p) for p in search.points],
        "complete": census.complete,
        "accounted": bool(search.complete),
        "census": census.as_dict(),
        "unresolved": _unresolved_json(names, search.undecided_boxes),
        "search": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in search.stats.items()},
    }


def certify_saddle(*, expr: str | None = None, builtin: str | None = None, box: str | dict | None = None,
                   sympy_expr=None,
                   step: float | None = None, epsilon: float | None = None, delta: float | None = None,
                   c: float | None = None, max_boxes: int = 200_000, algebra_budget: float = 30.0,
                   empirical: bool = False,
                   runs: int = 500, seed: int = 0, symmetry: str = "none", max_seconds: float | None = None,
                   progress=None) -> dict:
    """Run the whole saddle pipeline and return the (unsealed) certificate dict.

    The objective is one of: ``expr`` (text in the restricted grammar), ``builtin`` (a catalog
    name) or ``sympy_expr`` (a sympy expression, Python API only); ``box`` is the box text or a
    mapping ``{name: (lo, hi)}`` (default for a builtin: its own box).

    ``max_seconds``: past this time budget nothing more is refined or resolved and the
    certificate says what is left (unresolved boxes, undecided verdicts); ``progress`` is called
    with a dict (``stage`` and counters) as the work goes on.

    The certificate records every input under ``inputs`` (the box as exact decimal strings), so
    :func:`check_saddle_certificate` recomputes it deterministically (a run cut short by
    ``max_seconds`` is recomputed under the same budget and may differ on another machine)."""
    import numpy as np
    import sympy as sp

    from certify.certificate import environment, tool_version
    from numerics.arith.verdict import Verdict

    obj = _objective(expr, builtin, sympy_expr, box)
    _check_options(obj, expr, builtin, box, step, epsilon, delta, c, max_boxes, algebra_budget)
    if max_seconds is not None and (isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float))
                                    or not (0 < max_seconds <= 86400)):
        raise BadInput("--max-seconds", max_seconds, "a number of seconds in (0, 86400]")
    budget = _Budget.start(max_seconds, progress)
    names = obj.names
    blo = np.array([obj.box[n][0] for n in names], dtype=np.float64)
    bhi = np.array([obj.box[n][1] for n in names], dtype=np.float64)
    objective = _smooth_objective(obj, expr, builtin)
    _check_domain(obj, blo, bhi, expr, builtin)
    search = _critical_point_search(objective, blo, bhi, symmetry, max_boxes, algebra_budget, budget)
    facts, alpha, alpha_max = _landscape_facts(objective, search, blo, bhi, step, budget)
    budget.report({"stage": "theorems"})
    theorems = _theorems(facts, alpha, epsilon, delta, c, obj.catalog_params)
    ssp = search.strict_saddle_property()
    lmg = facts.local_minima_global
    inputs = {"objective": {"builtin": builtin} if builtin is not None else
              {"expr": expr} if expr is not None else {"sympy": obj.label},
              "box": {n: [repr(float(a)), repr(float(b))] for n, a, b in zip(names, blo, bhi)},
              "step": step, "epsilon": epsilon, "delta": delta, "c": c, "max_boxes": int(max_boxes),
              "algebra_budget": float(algebra_budget),
              "symmetry": symmetry, "empirical": bool(empirical), "runs": int(runs), "seed": int(seed)}
    if max_seconds is not None:
        inputs["max_seconds"] = float(max_seconds)
    cert = {
        "schema": SADDLE_SCHEMA_ID,
        "kind": "saddle",
        "tool_version": tool_version(),
        "environment": environment(),
        "inputs": inputs,
        "objective": {**obj.source, "latex": sp.latex(obj.expr), "variables": names,
                      "box": _box_json(names, blo, bhi)},
        **_search_json(names, search),
        "strict_saddle_property": ssp.value,
        "local_minima_global": {"verdict": lmg[0].value, **lmg[1]},
        "symmetry": symmetry,
        "constants": _constants_json(facts),
        "step_size": _step_size_json(facts, alpha, alpha_max),
        "theorems": theorems,
        "verdict": "certified" if ssp is Verdict.HOLDS else "not-certified",
    }
    if budget.exhausted():
        cert["budget"] = {"max_seconds": float(max_seconds), "exhausted": True,
                          "note": "the time budget ran out: what was not finished is reported as unresolved or "
                                  "undecided, never as proved"}
    if empirical and alpha is not None:
        cert["empirical"] = _empirical(objective, search, blo, bhi, float(alpha), theorems, runs, seed)
        if builtin is not None and builtin.startswith("quadratic-saddle"):
            from numerics.empirical.saddle_escape import quadratic_escape
            cert["empirical"]["quadratic_escape_vs_dimension"] = quadratic_escape(runs=min(runs, 200), seed=seed)
    return json_safe(cert)


def _empirical(objective, search, blo, bhi, alpha, theorems, runs, seed) -> dict:

    from numerics.empirical.saddle_escape import escape_times, gd_endpoints

    pts = []
    for k, p in enumerate(search.points):
        if p.exists.value == "holds":
            pts.append((f"{p.kind}#{k}", p.lo, p.hi))
    ends = gd_endpoints(objective.expr, objective.variables, blo, bhi, pts, alpha, runs=runs, steps=1000, seed=seed)
    out = {"evidence_only": True, "gd_endpoints": ends.to_dict()}
    saddles = [p for p in search.points if p.kind == "strict-saddle" and p.exists.value == "holds"]
    jin = next(t for t in theorems if t["id"] == "jin2017-pgd")
    consts = jin["constants"]
    try:
        r = float(consts["r"]["hi"])
        g_thres = float(consts["g_thres"]["lo"])
        t_thres = int(min(float(consts["t_thres"]["hi"]), 10_000))
        f_thres = float(consts["f_thres"]["lo"])
    except (TypeError, KeyError, ValueError):
        r = g_thres = f_thres = None
    if saddles and r and g_thres and f_thres:
        s = saddles[0]
        out["escape"] = escape_times(objective.expr, objective.variables, 0.5 * (s.lo + s.hi), alpha, radius=r,
                                     g_thres=g_thres, t_thres=t_thres, drop=f_thres, runs=100,
                                     max_steps=max(2000, 3 * t_thres), seed=seed)
    return out


def saddle_rules():
    """What `certify check` does not recompute in a saddle certificate: the producer's machine,
    its version, the search's bookkeeping (box counters and timings: they depend on where the
    bisection happened to split, not on what was proved) and the float evidence. The search box,
    the uniqueness regions and the unresolved boxes are compared exactly (they are inputs or
    chosen regions, not enclosures)."""
    from certify.agreement import Rules

    return Rules(records=("environment", "environment.*", "tool_version", "search", "search.*",
                          "empirical", "empirical.*"),
                 exact=("objective.box.*", "critical_points[].region.*", "unresolved.*", "unresolved.boxes[]",
                        "unresolved.boxes[].*"))


def _recompute_kwargs(inputs) -> dict:
    """certify_saddle keyword arguments from a certificate's `inputs` (BadInput when malformed)."""
    if not isinstance(inputs, dict):
        raise BadInput("CERT.inputs", None if inputs is None else "{...}",
                       "a saddle certificate that records its inputs (written by `certify saddle` of this version)")
    expected = {"objective", "box", "step", "epsilon", "delta", "c", "max_boxes", "algebra_budget", "symmetry",
                "empirical", "runs", "seed"}
    if set(inputs) - {"max_seconds"} != expected:
        raise BadInput("CERT.inputs", sorted(inputs), f"exactly the keys {sorted(expected)} (and max_seconds when a "
                                                      "time budget was given)")
    if "max_seconds" in inputs and (isinstance(inputs["max_seconds"], bool)
                                    or not isinstance(inputs["max_seconds"], (int, float))):
        raise BadInput("CERT.inputs.max_seconds", inputs["max_seconds"], "a number of seconds")
    obj = inputs["objective"]
    if not isinstance(obj, dict) or len(obj) != 1 or next(iter(obj)) not in ("expr", "builtin", "sympy") \
            or not isinstance(next(iter(obj.values())), str):
        raise BadInput("CERT.inputs.objective", obj, "one of {expr: TEXT}, {builtin: NAME}, {sympy: TEXT}")
    if isinstance(inputs["algebra_budget"], bool) or not isinstance(inputs["algebra_budget"], (int, float)):
        raise BadInput("CERT.inputs.algebra_budget", inputs["algebra_budget"], "a number of seconds")
    for k in ("step", "epsilon", "delta", "c"):
        if inputs[k] is not None and (isinstance(inputs[k], bool) or not isinstance(inputs[k], (int, float))):
            raise BadInput(f"CERT.inputs.{k}", inputs[k], "null or a number")
    for k in ("max_boxes", "runs", "seed"):
        if isinstance(inputs[k], bool) or not isinstance(inputs[k], int):
            raise BadInput(f"CERT.inputs.{k}", inputs[k], "an integer")
    if not isinstance(inputs["symmetry"], str) or not isinstance(inputs["empirical"], bool):
        raise BadInput("CERT.inputs", "{...}", "symmetry a string and empirical a boolean")
    kw = {k: inputs[k] for k in expected - {"objective", "empirical"}}
    kw["max_seconds"] = inputs.get("max_seconds")
    kw["box"] = box_from_mapping(inputs["box"], "CERT.inputs.box")
    kind, text = next(iter(obj.items()))
    if kind == "sympy":
        # a Python-API objective: re-read through the restricted grammar (never sympify user text)
        kw["sympy_expr"] = objective_from_text(text)[1]
    else:
        kw[kind] = text
    return kw


def check_saddle_certificate(cert: dict, directory=None):
    """Recompute a saddle certificate from its recorded inputs and compare it with the recorded
    one (certify/agreement.py: verdicts re-proved, enclosures consistent, the rest equal;
    every unknown or missing key is reported). Empirical evidence is not recomputed (it is
    evidence, never a verdict)."""
    import json

    from certify.agreement import Agreement, compare
    from certify.certificate import integrity_problems

    out = Agreement(problems=integrity_problems(cert))
    try:
        kw = _recompute_kwargs(cert.get("inputs"))
        fresh = json.loads(json.dumps(certify_saddle(**kw, empirical=False), allow_nan=False))
    except BadInput as exc:
        if str(exc.field).startswith("CERT.inputs") and cert.get("inputs") is None:
            raise
        out.problems.append(f"the recorded inputs are rejected on recomputation: {exc}")
        return out
    fresh["inputs"]["empirical"] = cert["inputs"]["empirical"]  # the only input the recomputation skips
    fresh["content_sha256"] = cert.get("content_sha256")         # checked by integrity_problems
    out.extend(compare(cert, fresh, saddle_rules()))
    return out


CONFIG_FIELDS = {"--expr": "objective.expr", "--builtin": "objective.builtin", "--box": "objective.box",
                 "--expr/--builtin": "objective", "--step": "saddle.step", "--epsilon": "saddle.epsilon",
                 "--delta": "saddle.delta", "--c": "saddle.c", "--max-boxes": "saddle.max_boxes",
                 "--algebra-budget": "saddle.algebra_budget", "--max-seconds": "saddle.max_seconds",
                 "--symmetry": "saddle.symmetry", "--runs": "empirical.runs"}
"""Command-line option -> the TOML key that sets it (errors of a --config run name the key)."""


def certify_saddle_config(path, progress=None) -> dict:
    """Load a saddle TOML config (certify/saddle_config.py) and run :func:`certify_saddle` on it;
    errors name the config's dotted keys."""
    from certify.saddle_config import load_saddle_config

    kwargs = load_saddle_config(path).certify_kwargs()
    try:
        return certify_saddle(**kwargs, progress=progress)
    except BadInput as exc:
        field = CONFIG_FIELDS.get(exc.field)
        if field is None:
            raise
        raise BadInput(field, exc.value, exc.allowed) from None


class ProgressLines:
    """Progress of a saddle run on stderr (rich): one line per stage, and the search's box
    counters at most every ``every`` seconds, each with the elapsed time."""

    def __init__(self, every: float = 2.0):
        import time

        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)
        self.t0 = self.last = time.monotonic()
        self.every = every
        self.stage = None

    def __call__(self, info: dict) -> None:
        import time

        now = time.monotonic()
        stage = info.get("stage", "")
        if stage == self.stage and now - self.last < self.every:
            return
        self.stage, self.last = stage, now
        counters = ", ".join(f"{k} {v}" for k, v in info.items() if k != "stage")
        self.console.print(f"[dim]saddle {now - self.t0:7.1f} s[/dim] {stage}" + (f": {counters}" if counters else ""))


def census_line(cert: dict) -> str:
    """One line that states the count as proved, with the kinds of the isolated points."""
    from certify.saddle_report import census_text

    return census_text(cert, sep="; ", kinds=True)


@click.command("saddle")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="A TOML file with [objective], [saddle] and [empirical] tables instead of the options below "
                   "(see certify/saddle_config.py); not combinable with them.")
@click.option("--expr", default=None, help="Objective in the restricted grammar, e.g. \"x^2/2 + y^4/4 - y^2/2\".")
@click.option("--builtin", "builtin_name", default=None,
              help="A catalog objective: lsjr-example, monkey-saddle, no-critical-point, quadratic-saddle-d<k>, "
                   "matrix-factorization-<d>x<r>; benign-landscape instances phase-retrieval-2, matrix-sensing-2x1, "
                   "matrix-completion-3x1, quadratic-net-2x2 (use --symmetry right-rotation), tensor-rank1-2.")
@click.option("--box", default=None, help="Search box, e.g. \"x=-2:2,y=-2:2\" (default for --builtin: its own box).")
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True)
@click.option("--step", type=float, default=None, help="GD step alpha (default 0.9/ell).")
@click.option("--epsilon", type=float, default=None, help="PGD target epsilon (default min(theta, gamma^2/rho)).")
@click.option("--delta", type=float, default=None, help="PGD failure probability (default 0.1).")
@click.option("--c", "c_const", type=float, default=None, help="PGD absolute constant c (default 1).")
@click.option("--max-boxes", type=int, default=200_000, show_default=True)
@click.option("--algebra-budget", type=float, default=30.0, show_default=True,
              help="Seconds allowed to each Groebner-basis computation (zero-level and isolation certificates "
                   "of polynomial objectives); past it the search goes on without that certificate.")
@click.option("--max-seconds", type=float, default=None,
              help="Time budget in seconds: past it nothing more is refined or resolved, and the certificate "
                   "reports what is left as unresolved or undecided (never as proved). Default: no budget.")
@click.option("--quiet", is_flag=True, default=False, help="No progress messages on stderr.")
@click.option("--empirical/--no-empirical", default=False, show_default=True,
              help="Also run GD/PGD in torch (evidence only).")
@click.option("--symmetry", type=click.Choice(["none", "right-rotation"]), default="none", show_default=True,
              help="right-rotation: f(U R) = f(U) for plane rotations R (variables: U in R^{d x 2}, row-major); "
                   "critical points are searched modulo the rotation orbits.")
@click.option("--runs", type=int, default=500, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def command(config_path, expr, builtin_name, box, out, step, epsilon, delta, c_const, max_boxes, algebra_budget,
            max_seconds, quiet, empirical, symmetry, runs, seed) -> None:
    """Certify every critical point of an objective in a box and its strict-saddle property."""
    from certify.fp_environment import checked_environment

    checked_environment()   # exit 2 in a flush-to-zero / directed-rounding process, before computing
    from click.core import ParameterSource

    from certify.certificate import seal, write_json_atomic
    from certify.saddle_report import render_saddle_html, render_saddle_markdown

    ctx = click.get_current_context()
    progress = None if quiet else ProgressLines()
    if config_path is not None:
        given = ["/".join(p.opts + p.secondary_opts) for p in ctx.command.params
                 if p.name not in ("config_path", "out", "quiet")
                 and ctx.get_parameter_source(p.name) not in (ParameterSource.DEFAULT, None)]
        if given:
            raise BadInput("--config", config_path, "either --config FILE.toml or the command-line options, not both "
                                                    f"(also given: {', '.join(given)}; only --out goes with --config)")
        cert = seal(certify_saddle_config(config_path, progress=progress))
    else:
        if runs < 1:
            raise BadInput("--runs", runs, "a positive integer")
        cert = seal(certify_saddle(expr=expr, builtin=builtin_name, box=box, step=step, epsilon=epsilon, delta=delta,
                                   c=c_const, max_boxes=max_boxes, algebra_budget=algebra_budget,
                                   empirical=empirical, runs=runs, seed=seed,
                                   symmetry=symmetry, max_seconds=max_seconds, progress=progress))
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(outdir / "certificate.json", cert)
    (outdir / "report.md").write_text(render_saddle_markdown(cert), encoding="utf-8")
    (outdir / "report.html").write_text(render_saddle_html(cert), encoding="utf-8")
    click.echo(census_line(cert))
    click.echo(f"strict-saddle property: {cert['strict_saddle_property']}")
    if cert["step_size"]["allowed_below"]:
        click.echo(f"allowed step: alpha < {float(cert['step_size']['allowed_below']):.6g}")
    click.echo(f"wrote {outdir}/certificate.json, {outdir}/report.md, {outdir}/report.html")
    sys.exit(0 if cert["strict_saddle_property"] == "holds" else 1)
