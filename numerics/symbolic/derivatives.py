"""Interval enclosures of a smooth objective and its derivatives over boxes.

sympy differentiates the objective symbolically (exact: derivatives of an exact expression);
each entry of the gradient, the Hessian and the third-derivative tensor is then evaluated over a
box with :class:`~numerics.arith.interval.Interval` arithmetic (outward rounded + - * /, integer
powers, sqrt; :mod:`numerics.arith.elementary` for exp, log, sin, cos, tanh). Interval evaluation of
an expression tree contains the exact range of the expression over the box (the fundamental
theorem of interval arithmetic, Moore 1966), so every returned interval contains the true value
of the derivative at every point of the box.

Evaluation is batched: a stack of ``B`` boxes (``lo``, ``hi`` of shape ``(B, n)``) is evaluated
in one pass of numpy operations. Common subexpressions are shared (``sympy.cse``).

:func:`gradient_mean_value` tightens the gradient on small boxes with the mean-value form
``g(X) ⊆ g(c) + H(X) (X - c)`` (Moore; Neumaier, Interval Methods for Systems of Equations,
1990, Sec. 2.3), intersected with the natural enclosure.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp

from numerics.arith import elementary
from numerics.arith.interval import Interval
from numerics.arith.rounding import round_down_fraction, round_up_fraction
from numerics.arith import interval as iv
from numerics.arith import rounding
__all__ = ["SmoothObjective", "smooth_objective", "IntervalProgram", "DerivativeEnclosures",
           "NOT_SMOOTH_NODES"]

NOT_SMOOTH_NODES = (sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign, sp.Piecewise, sp.floor,
                    sp.ceiling)


@dataclass(frozen=True)
class SmoothObjective:
    """A C-infinity objective (on the interior of its natural domain) with exact derivatives.

    ``names`` fixes the variable order; ``gradient[i]`` and ``hessian[i][j]`` are sympy
    expressions. Build with :func:`smooth_objective`.
    """

    expr: sp.Expr
    variables: tuple[sp.Symbol, ...]
    gradient: tuple[sp.Expr, ...]
    hessian: tuple[tuple[sp.Expr, ...], ...]
    label: str = ""
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    @property
    def dim(self) -> int:
        return len(self.variables)

    def third(self) -> tuple:
        """Third derivatives T[i][j][k] (computed on first use)."""
        if "third" not in self.cache:
            n = self.dim
            self.cache["third"] = tuple(tuple(tuple(
                sp.diff(self.hessian[i][j], self.variables[k]) for k in range(n))
                for j in range(n)) for i in range(n))
        return self.cache["third"]


def smooth_objective(expr, variables=None, label: str = "") -> SmoothObjective:
    """Differentiate ``expr`` (a sympy expression) twice in ``variables`` (default: its free
    symbols sorted by name).

    Raises ValueError when ``expr`` contains a non-smooth node (Abs, Max, Min, Heaviside, sign,
    Piecewise, floor, ceiling), a function this module cannot enclose, or no variable.
    """
    expr = sp.sympify(expr)
    bad = sorted({type(a).__name__ for a in sp.preorder_traversal(expr)
                  if isinstance(a, NOT_SMOOTH_NODES)})
    if bad:
        raise ValueError(f"expr: {expr} uses the non-differentiable function(s) {', '.join(bad)}; "
                         "allowed: a C^2 expression (+ - * / powers exp log sqrt sin cos tanh)")
    if variables is None:
        variables = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
    variables = tuple(variables)
    if not variables:
        raise ValueError(f"expr: {expr} has no variables; allowed: an expression in at least one variable")
    extra = expr.free_symbols - set(variables)
    if extra:
        raise ValueError(f"expr: symbols {sorted(s.name for s in extra)} are not among the variables "
                         f"{[v.name for v in variables]}")
    grad = tuple(sp.diff(expr, v) for v in variables)
    n = len(variables)
    hess = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            hess[i][j] = hess[j][i] = sp.diff(grad[i], variables[j])
    obj = SmoothObjective(expr, variables, grad, tuple(tuple(r) for r in hess), label)
    # fail early on functions without an interval extension
    IntervalProgram([expr], variables)
    return obj


# ----------------------------------------------------------------------------- constants
def _const_interval(value: sp.Expr) -> Interval:
    """An enclosure of a numeric sympy constant."""
    if value.is_Integer:
        q = Fraction(int(value))
    elif value.is_Rational:
        q = Fraction(int(value.p), int(value.q))
    elif value.is_Float:
        q = Fraction(str(sp.Rational(value)))
    else:
        raise ValueError(f"not a rational constant: {value}")
    return Interval(*enclose_fraction(q))


_FLOAT_MAX = Fraction(sys.float_info.max)


def enclose_fraction(q: Fraction) -> tuple[float, float]:
    """Floats ``lo <= q <= hi``, the tightest ones, for any rational ``q``: beyond the largest
    float the enclosure reaches to +-inf (``float(q)`` would overflow); below the smallest
    subnormal it is rounded outward as any other value."""
    if q > _FLOAT_MAX:
        return sys.float_info.max, math.inf
    if q < -_FLOAT_MAX:
        return -math.inf, -sys.float_info.max
    return round_down_fraction(q), round_up_fraction(q)


_UNARY = {
    sp.exp: elementary.exp,
    sp.log: elementary.log,
    sp.sin: elementary.sin,
    sp.cos: elementary.cos,
    sp.tanh: elementary.tanh,
}


class IntervalProgram:
    """A list of sympy expressions compiled for batched interval evaluation.

    ``evaluate(env)`` takes ``{symbol: Interval}`` (any common broadcast shape) and returns the
    list of enclosures, one per expression.
    """

    def __init__(self, exprs, variables):
        self.variables = tuple(variables)
        replacements, reduced = sp.cse(list(exprs), optimizations="basic")
        self.replacements = replacements
        self.reduced = reduced
        for _, e in replacements:
            self._check(e)
        for e in reduced:
            self._check(e)

    def _check(self, e: sp.Expr) -> None:
        for a in sp.preorder_traversal(e):
            if isinstance(a, sp.Function) and type(a) not in _UNARY:
                raise ValueError(f"function {type(a).__name__} has no interval extension here; "
                                 f"allowed: {', '.join(f.__name__ for f in _UNARY)}, sqrt, powers")
            if isinstance(a, NOT_SMOOTH_NODES):
                raise ValueError(f"non-smooth node {type(a).__name__} in {e}")

    def evaluate(self, env: dict) -> list[Interval]:
        env = dict(env)
        cache: dict = {}
        for sym, e in self.replacements:
            env[sym] = self._eval(e, env, cache)
        return [self._eval(e, env, cache) for e in self.reduced]

    def _eval(self, e, env, cache) -> Interval:
        if e in env:
            return env[e]
        if e.is_Number:
            key = ("c", e)
            if key not in cache:
                cache[key] = _const_interval(e)
            return cache[key]
        if e is sp.pi:
            return elementary.pi_interval()
        if e is sp.E:
            return elementary.exp(Interval(1.0))
        if isinstance(e, sp.Add):
            out = None
            for a in e.args:
                v = self._eval(a, env, cache)
                out = v if out is None else out + v
            return out
        if isinstance(e, sp.Mul):
            out = None
            for a in e.args:
                v = self._eval(a, env, cache)
                out = v if out is None else out * v
            return out
        if isinstance(e, sp.Pow):
            base, ex = e.args
            b = self._eval(base, env, cache)
            if ex.is_Integer:
                k = int(ex)
                if k == -1:
                    return 1.0 / b
                return b ** k
            if ex.is_Rational and int(ex.q) == 2:
                r = iv.sqrt(b)
                p = int(ex.p)
                return r ** p if p > 0 else 1.0 / (r ** (-p))
            # b ** y = exp(y log b) on b > 0
            return elementary.exp(self._eval(ex, env, cache) * elementary.log(b))
        fn = _UNARY.get(type(e))
        if fn is not None:
            return fn(self._eval(e.args[0], env, cache))
        raise ValueError(f"cannot enclose the sympy node {type(e).__name__}: {e}")


def _stack(values: list[Interval], batch: int) -> Interval:
    lo = np.empty((batch, len(values)))
    hi = np.empty((batch, len(values)))
    for k, v in enumerate(values):
        lo[:, k] = np.broadcast_to(v.lo, (batch,))
        hi[:, k] = np.broadcast_to(v.hi, (batch,))
    return Interval._raw(lo, hi)


def _check_boxes(lo, hi, n: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.atleast_2d(np.asarray(lo, dtype=np.float64))
    hi = np.atleast_2d(np.asarray(hi, dtype=np.float64))
    if lo.shape != hi.shape or lo.shape[1] != n:
        raise ValueError(f"boxes: lo and hi must have shape (B, {n}), got {lo.shape} and {hi.shape}")
    if np.isnan(lo).any() or np.isnan(hi).any() or not (lo <= hi).all():
        raise ValueError("boxes: need lo <= hi elementwise and no NaN")
    return lo, hi


class DerivativeEnclosures:
    """Batched interval enclosures of f, its gradient, Hessian and third derivatives.

    Every method takes boxes ``lo``, ``hi`` of shape ``(B, n)`` (points: ``lo == hi``) and
    returns Intervals of shape ``(B,)``, ``(B, n)``, ``(B, n, n)`` or ``(B, n, n, n)`` that
    contain the exact values at every point of each box.
    """

    def __init__(self, objective: SmoothObjective):
        self.objective = objective
        self.n = objective.dim
        n = self.n
        self._upper = [(i, j) for i in range(n) for j in range(i, n)]
        self._f = None
        self._g = None
        self._gh = None
        self._t = None

    def _env(self, lo, hi):
        return {v: Interval._raw(lo[:, k], hi[:, k]) for k, v in enumerate(self.objective.variables)}

    def value(self, lo, hi) -> Interval:
        lo, hi = _check_boxes(lo, hi, self.n)
        if self._f is None:
            self._f = IntervalProgram([self.objective.expr], self.objective.variables)
        v = self._f.evaluate(self._env(lo, hi))[0]
        return Interval._raw(np.broadcast_to(v.lo, (lo.shape[0],)).copy(),
                             np.broadcast_to(v.hi, (lo.shape[0],)).copy())

    def gradient(self, lo, hi) -> Interval:
        lo, hi = _check_boxes(lo, hi, self.n)
        if self._g is None:
            self._g = IntervalProgram(self.objective.gradient, self.objective.variables)
        return _stack(self._g.evaluate(self._env(lo, hi)), lo.shape[0])

    def gradient_hessian(self, lo, hi) -> tuple[Interval, Interval]:
        lo, hi = _check_boxes(lo, hi, self.n)
        n = self.n
        if self._gh is None:
            H = self.objective.hessian
            self._gh = IntervalProgram(list(self.objective.gradient) + [H[i][j] for i, j in self._upper],
                                       self.objective.variables)
        vals = self._gh.evaluate(self._env(lo, hi))
        B = lo.shape[0]
        g = _stack(vals[:n], B)
        flat = _stack(vals[n:], B)
        Hlo = np.empty((B, n, n))
        Hhi = np.empty((B, n, n))
        for k, (i, j) in enumerate(self._upper):
            Hlo[:, i, j] = Hlo[:, j, i] = flat.lo[:, k]
            Hhi[:, i, j] = Hhi[:, j, i] = flat.hi[:, k]
        return g, Interval._raw(Hlo, Hhi)

    def hessian(self, lo, hi) -> Interval:
        return self.gradient_hessian(lo, hi)[1]

    def third(self, lo, hi) -> Interval:
        lo, hi = _check_boxes(lo, hi, self.n)
        n = self.n
        T = self.objective.third()
        idx = [(i, j, k) for i in range(n) for j in range(i, n) for k in range(j, n)]
        if self._t is None:
            self._t = IntervalProgram([T[i][j][k] for i, j, k in idx], self.objective.variables)
        vals = self._t.evaluate(self._env(lo, hi))
        B = lo.shape[0]
        flat = _stack(vals, B)
        Tlo = np.empty((B, n, n, n))
        Thi = np.empty((B, n, n, n))
        from itertools import permutations
        for m, (i, j, k) in enumerate(idx):
            for p in set(permutations((i, j, k))):
                Tlo[(slice(None),) + p] = flat.lo[:, m]
                Thi[(slice(None),) + p] = flat.hi[:, m]
        return Interval._raw(Tlo, Thi)

    def gradient_mean_value(self, lo, hi) -> tuple[Interval, Interval, Interval]:
        """(g, H, g(c)): the gradient over each box as natural ∩ mean-value enclosure, the
        Hessian enclosure over the box and the gradient enclosure at the box midpoint c."""
        lo, hi = _check_boxes(lo, hi, self.n)
        c = 0.5 * lo + 0.5 * hi
        c = np.clip(c, lo, hi)
        g, H = self.gradient_hessian(lo, hi)
        gc = self.gradient(c, c)
        d = Interval._raw(rounding.down(lo - c), rounding.up(hi - c))  # X - c, outward
        mv = gc
        for j in range(self.n):
            mv = mv + H[:, :, j] * d[:, j:j + 1]
        lo_o = np.maximum(g.lo, mv.lo)
        hi_o = np.minimum(g.hi, mv.hi)
        # both contain the true range, so they intersect; guard against rounding ties
        lo_o = np.minimum(lo_o, hi_o)
        return Interval._raw(lo_o, hi_o), H, gc
