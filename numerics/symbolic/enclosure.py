"""Rigorous enclosures of sympy expressions, given enclosures of their symbols.

Every explicit constant of a theorem (a width, a step size, a rate) is a sympy expression in
parameters (n, delta, m, eta) and data-dependent quantities (lambda0, max|y_i|). `enclose`
evaluates such an expression in Arb ball arithmetic (python-flint) at `prec` bits, starting from
exact balls for each input interval, and rounds the result outward to a float `Interval`. Ball
arithmetic is rigorous for every operation used here (+, -, *, /, integer and rational powers,
sqrt, exp, log, pi), so the returned interval contains the exact value of the expression for
every choice of inputs inside their intervals.

`decide_relation` decides `lhs >= rhs` (or >, <=, <) by enclosing `lhs - rhs`: `holds` when the
enclosure is entirely on the right side, `fails` when entirely on the wrong side, otherwise
`undecided`. Sympy expressions come from theorem modules, never from user text.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any, Mapping, NamedTuple

import numpy as np
import sympy as sp
from flint import arb

from numerics.arith.context import arb_precision, get_context
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict

DEFAULT_PREC = 128


def _to_arb(value: Any) -> arb:
    if isinstance(value, Interval):
        lo, hi = float(value.lo), float(value.hi)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise OverflowError("infinite endpoint")
        return arb(lo).union(arb(hi))
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, (int, np.integer)):
        return arb(int(value))
    if isinstance(value, Fraction):
        return arb(value.numerator) / arb(value.denominator)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise OverflowError("non-finite value")
        return arb(float(value))
    if isinstance(value, sp.Basic):
        return _eval(value, {})
    raise TypeError(f"cannot enclose value of type {type(value).__name__}")


def _eval(expr: sp.Basic, env: Mapping[sp.Symbol, arb]) -> arb:
    if expr.is_Symbol:
        if expr not in env:
            raise KeyError(f"no value for symbol {expr}")
        return env[expr]
    if expr.is_Integer:
        return arb(int(expr))
    if expr.is_Rational:
        return arb(int(expr.p)) / arb(int(expr.q))
    if expr.is_Float:
        # a sympy Float is an exact binary number at its precision
        q = sp.Rational(expr)
        return arb(int(q.p)) / arb(int(q.q))
    if expr is sp.pi:
        return arb.pi()
    if expr is sp.E:
        return arb(1).exp()
    if isinstance(expr, sp.Add):
        out = arb(0)
        for a in expr.args:
            out = out + _eval(a, env)
        return out
    if isinstance(expr, sp.Mul):
        out = arb(1)
        for a in expr.args:
            out = out * _eval(a, env)
        return out
    if isinstance(expr, sp.Pow):
        base, exp = expr.args
        b = _eval(base, env)
        if exp.is_Integer:
            k = int(exp)
            if k >= 0:
                return b ** k
            return arb(1) / (b ** (-k))
        if exp.is_Rational:
            # rational powers need a positive base; arb returns an indeterminate ball otherwise
            return b ** (arb(int(exp.p)) / arb(int(exp.q)))
        return b ** _eval(exp, env)
    if isinstance(expr, sp.log):
        if len(expr.args) != 1:
            raise ValueError("log with base is not supported")
        return _eval(expr.args[0], env).log()
    if isinstance(expr, sp.exp):
        return _eval(expr.args[0], env).exp()
    if isinstance(expr, sp.Abs):
        return abs(_eval(expr.args[0], env))
    if isinstance(expr, (sp.Max, sp.Min)):
        vals = [_eval(a, env) for a in expr.args]
        pick = (lambda a, b: a.max(b)) if isinstance(expr, sp.Max) else (lambda a, b: a.min(b))
        return functools.reduce(pick, vals)
    if isinstance(expr, sp.ceiling):
        x = _eval(expr.args[0], env)
        lo, hi = x.lower(), x.upper()
        return arb(int(lo.ceil().unique_fmpz())).union(arb(int(hi.ceil().unique_fmpz())))
    raise TypeError(f"unsupported expression node {type(expr).__name__}: {expr}")


def _arb_to_interval(x: arb) -> Interval:
    if not x.is_finite():
        return Interval(-np.inf, np.inf)
    lo_a, hi_a = x.lower(), x.upper()
    lo, hi = float(lo_a), float(hi_a)
    # float() rounds to nearest: step one ulp outward unless the endpoint converted exactly
    # (comparisons of exact arbs are decisive), so exact integers stay exact
    if not (np.isfinite(lo) and arb(lo) <= lo_a):
        lo = float(np.nextafter(lo, -np.inf))
    if not (np.isfinite(hi) and arb(hi) >= hi_a):
        hi = float(np.nextafter(hi, np.inf))
    return Interval(lo, hi)


def enclose(expr: sp.Expr, values: Mapping[sp.Symbol, Any], prec: int | None = None) -> Interval:
    """Interval containing the exact value of `expr` for all inputs within their enclosures.

    ``prec`` (bits) defaults to :func:`working_precision` (the numeric context's precision,
    numerics/arith/context.py: `[numerics] precision_bits` of a config)."""
    expr = sp.sympify(expr)
    prec = working_precision(prec)
    try:
        with arb_precision(prec):      # python-flint's precision is global: lock, set, restore
            env = {}
            for sym in expr.free_symbols:
                if sym not in values:
                    raise KeyError(f"no value for symbol {sym}")
                env[sym] = _to_arb(values[sym])
            return _arb_to_interval(_eval(expr, env))
    except OverflowError:
        return Interval(-np.inf, np.inf)


class RelationDecision(NamedTuple):
    """A decided relation with its evidence: both sides and their difference, each enclosed.

    The verdict is read off `difference` (lhs - rhs enclosed at `prec` bits), which can decide
    even when the float enclosures of the two sides overlap (e.g. an integer width one above a
    required width of 1e21)."""

    verdict: Verdict
    lhs: Interval
    rhs: Interval
    difference: Interval


def working_precision(prec: int | None = None) -> int:
    """``prec`` if given, else the context's ``precision_bits``; a float64 context (numpy backend
    at 53 bits, the library default) means "no multiprecision asked for": :data:`DEFAULT_PREC`."""
    if prec is not None:
        return prec
    ctx = get_context()
    float64 = ctx.backend == "numpy" and ctx.precision_bits == 53
    return DEFAULT_PREC if float64 else ctx.precision_bits


def decide_relation(relation: sp.Basic, values: Mapping[sp.Symbol, Any],
                    prec: int | None = None) -> RelationDecision:
    """Decide a sympy relation rigorously: (verdict, lhs, rhs, lhs - rhs) enclosures."""
    if not isinstance(relation, sp.core.relational.Relational) or isinstance(
            relation, (sp.Eq, sp.Ne)):
        raise TypeError(f"expected an inequality, got {relation!r}")
    lhs = enclose(relation.lhs, values, prec)
    rhs = enclose(relation.rhs, values, prec)
    diff = enclose(relation.lhs - relation.rhs, values, prec)
    lo, hi = float(diff.lo), float(diff.hi)
    if isinstance(relation, sp.GreaterThan):
        ok, bad = lo >= 0, hi < 0
    elif isinstance(relation, sp.StrictGreaterThan):
        ok, bad = lo > 0, hi <= 0
    elif isinstance(relation, sp.LessThan):
        ok, bad = hi <= 0, lo > 0
    else:  # StrictLessThan
        ok, bad = hi < 0, lo >= 0
    verdict = Verdict.HOLDS if ok else Verdict.FAILS if bad else Verdict.UNDECIDED
    return RelationDecision(verdict, lhs, rhs, diff)
