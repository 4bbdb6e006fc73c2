"""`certify subgradient`: autograd's derivative against a provably correct subgradient.

    certify subgradient --expr "relu(x) - relu(-x)" --at "x=0"
    certify subgradient --expr "max(x, 2*y) + abs(x - y)" --at "x=0,y=0" --json out.json

Prints (and with ``--json`` writes) the value, PyTorch autograd's derivative, a Kakade-Lee
subgradient (numerics.nonsmooth), the generators of the Clarke subdifferential found by
exact enumeration of the active pieces, and whether autograd's value lies in the Clarke
subdifferential (``true``, ``false``, or ``null`` when undecided).  JSON keys
``autograd``, ``subgradient``, ``autograd_in_clarke`` (numbers for one variable, lists in
the order of ``variables`` for several).

Exit 0 when the Kakade-Lee subgradient is verified to lie in the Clarke subdifferential,
1 when that is undecided, 2 on bad input (the message gives the position of the error).
"""

from __future__ import annotations

import json
import sys

import click

from certify.errors import BadInput

ALLOWED_EXPR = ("numbers, variables, + - * / ^ **, parentheses and the functions "
                "exp log sqrt sin cos tanh sigmoid softplus abs relu leaky_relu(x[, slope]) "
                "max(a, b, ...) min(a, b, ...) clamp(x, lo, hi) hardtanh(x[, lo, hi])")


def _parse_inputs(expr_text: str, at_text: str):
    from numerics.symbolic.expression import ExpressionError, parse, parse_assignments, variables

    try:
        expr = parse(expr_text)
    except ExpressionError as exc:
        raise BadInput("--expr", expr_text, f"{exc.message} (position {exc.position})\n"
                       f"{exc.pointer(expr_text)}\nallowed: {ALLOWED_EXPR}") from None
    try:
        point = parse_assignments(at_text, exact=True)
    except ExpressionError as exc:
        raise BadInput("--at", at_text, f"{exc.message} (position {exc.position})\n"
                       f"{exc.pointer(at_text)}\nallowed: name=number pairs such as 'x=0,y=1.5'") from None
    names = variables(expr)
    if not names:
        raise BadInput("--expr", expr_text, "an expression with at least one variable")
    missing = [v for v in names if v not in point]
    extra = [v for v in point if v not in names]
    if missing or extra:
        raise BadInput("--at", at_text, f"a value for each variable of the expression, {list(names)}"
                       + (f"; missing {missing}" if missing else "") + (f"; unknown {extra}" if extra else ""))
    return expr, point, names


def subgradient_report(expr_text: str, at_text: str, seed: int = 0) -> dict:
    """The JSON-ready report of ``certify subgradient`` (raises BadInput on bad input)."""
    import torch

    from numerics.nonsmooth import NotQualified, UnsupportedOperation, audit_expression

    expr, point, names = _parse_inputs(expr_text, at_text)
    try:
        result = audit_expression(expr, point, torch.Generator().manual_seed(seed))
    except (NotQualified, UnsupportedOperation, ValueError) as exc:
        raise BadInput("--at", at_text, f"a point where the smooth parts of the expression are "
                       f"differentiable ({exc})") from None
    single = len(names) == 1

    def shape(v):
        return v[0] if single else list(v)

    clarke = result.clarke
    if clarke.piecewise_linear:
        method = "exact enumeration (piecewise-linear expression: the hull is the Clarke subdifferential)"
    elif clarke.complete:
        method = "enumeration (one variable: the hull of the one-sided derivatives is the Clarke subdifferential)"
    else:
        method = ("first-order enumeration (the hull is contained in the Clarke subdifferential; "
                  "it may be smaller)")
    return {
        "expr": expr_text,
        "at": {k: float(v) for k, v in point.items()},
        "variables": list(names),
        "value": result.value,
        "autograd": shape(result.autograd),
        "subgradient": shape(result.subgradient),
        "autograd_in_clarke": result.autograd_in_clarke,
        "subgradient_in_clarke": result.subgradient_in_clarke,
        "clarke": {
            "generators": [shape(g) for g in clarke.as_floats()],
            "generators_exact": [[str(c) for c in g] for g in clarke.generators] if clarke.exact else None,
            "complete": clarke.complete,
            "arithmetic": "rational" if clarke.exact else "float",
            "method": method,
        },
        "tolerance": result.tol,
        "kinks": [
            {"primitive": s.primitive, "call": s.index, "autograd_local": list(s.autograd_local),
             "selected_local": list(s.selected_local)}
            for s in result.sites
        ],
        "seed": seed,
    }


def _fmt(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return f"{v:.17g}" if isinstance(v, float) else str(v)


def _verdict(v) -> str:
    return {True: "yes", False: "NO", None: "undecided"}[v]


@click.command("subgradient")
@click.option("--expr", "expr_text", required=True, help="Expression in the restricted grammar, e.g. \"relu(x) - relu(-x)\".")
@click.option("--at", "at_text", required=True, help="The point, e.g. \"x=0\" or \"x=0,y=1\".")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the report as JSON to this file ('-' for stdout only).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random direction.")
def command(expr_text: str, at_text: str, json_path: str | None, seed: int) -> None:
    """Compare autograd's derivative with a provably correct (Kakade-Lee) subgradient."""
    from certify.fp_environment import checked_environment

    checked_environment()   # exit 2 in a flush-to-zero / directed-rounding process, before computing
    report = subgradient_report(expr_text, at_text, seed)
    if json_path == "-":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(f"f = {expr_text} at {at_text}: value {_fmt(report['value'])}")
        click.echo(f"variables:                 {', '.join(report['variables'])}")
        click.echo(f"autograd (PyTorch):        {_fmt(report['autograd'])}")
        click.echo(f"Kakade-Lee subgradient:    {_fmt(report['subgradient'])}")
        gens = ", ".join(_fmt(g) for g in report["clarke"]["generators"])
        click.echo(f"Clarke subdifferential:    conv{{{gens}}}  [{report['clarke']['method']}; "
                   f"{report['clarke']['arithmetic']} arithmetic]")
        click.echo(f"autograd in Clarke:        {_verdict(report['autograd_in_clarke'])}")
        click.echo(f"subgradient in Clarke:     {_verdict(report['subgradient_in_clarke'])}")
        for k in report["kinks"]:
            click.echo(f"  kink {k['primitive']} #{k['call']}: autograd's local derivative "
                       f"{_fmt(k['autograd_local'])}, selected piece {_fmt(k['selected_local'])}")
        if json_path:
            with open(json_path, "w", encoding="utf-8") as fh:
                json.dump(report, fh, indent=2)
            click.echo(f"wrote {json_path}")
    sys.exit(0 if report["subgradient_in_clarke"] is True else 1)
