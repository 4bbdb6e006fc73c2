"""The Clarke subdifferential of an expression at a point, by enumerating active pieces.

For ``f`` given in the restricted grammar (:mod:`numerics.symbolic.expression`) and a point ``x``,
every kink reached exactly (``relu(a)`` with ``a(x) = 0``, ``max(a, b)`` with
``a(x) = b(x)``, ...) is split into its pieces; a combination of pieces is kept when the
cone of directions ``v`` on which it is selected, ``{v : c_j . v > 0 for all j}`` with one
``c_j`` per split (the difference of the competing first-order tangents), has nonempty
interior.  That test is exact: Fourier-Motzkin elimination in rational arithmetic.  Each
surviving combination contributes the gradient of its selected composition; these are the
gradients of the linear pieces of ``v -> f'(x; v)``, call them ``G``.

What ``G`` is, exactly:

* ``conv(G) ⊆ ∂_C f(x)`` always (each element is the Kakade-Lee output for the directions
  in its cone, module docstring of :mod:`.subdifferentiation`).
* ``conv(G) = ∂_C f(x)`` when ``f`` is piecewise linear (only + - and multiplication or
  division by constants around the kinks): then ``f(x + w) = f(x) + f'(x; w)`` for small
  ``w``, and the Clarke subdifferential of a piecewise-linear function at 0 is the hull
  of the gradients of its pieces on open cones.
* ``conv(G) = ∂_C f(x)`` in one variable: the one-sided derivatives are the limits of
  ``f'`` from each side (the pieces are analytic, so they switch finitely often).
* Otherwise ``conv(G)`` may be smaller (``relu(min(y, x^2 - y))`` at 0 has ``G = {0}`` but
  ``∂_C f(0) ⊇ {0} x [-1, 1]``): membership in ``conv(G)`` proves membership in
  ``∂_C f(x)``, but non-membership decides nothing.

Arithmetic is exact (``fractions.Fraction``) when the expression is rational (polynomial
and piecewise-linear operations, integer powers, decimal literals) and the point is
given exactly; otherwise it is float and the result is labelled so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from numerics.symbolic.expression import (
    LEAKY_RELU_DEFAULT_SLOPE,
    Binary,
    Call,
    Constant,
    Expr,
    Number,
    Unary,
    Variable,
    variables,
)

__all__ = [
    "ClarkeEnumeration",
    "clarke_enumeration",
    "strictly_feasible",
    "hull_contains",
    "distance_to_hull",
    "is_piecewise_linear",
    "is_rational",
    "MAX_BRANCHES",
]

MAX_BRANCHES = 4096
_FM_ROW_LIMIT = 20_000
_SMOOTH_FLOAT = ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus")


# ---------------------------------------------------------------------------- structure


def _is_const(e: Expr) -> bool:
    return not variables(e)


def is_rational(expr: Expr) -> bool:
    """True when ``expr`` can be evaluated exactly in rationals at a rational point: no
    transcendental function, no ``pi``, powers only with integer constant exponents."""
    def ok(n: Expr) -> bool:
        if isinstance(n, Constant):
            return False
        if isinstance(n, Call):
            return n.name not in _SMOOTH_FLOAT and all(ok(a) for a in n.args)
        if isinstance(n, Binary):
            if n.op == "^":
                ev = _const_fraction(n.right)
                if ev is None or ev.denominator != 1:
                    return False
            return ok(n.left) and ok(n.right)
        if isinstance(n, Unary):
            return ok(n.operand)
        return True

    return ok(expr)


def _const_fraction(e: Expr) -> Fraction | None:
    """Exact value of a constant rational expression, None if not rational/constant."""
    if not _is_const(e) or not is_rational_constant(e):
        return None
    try:
        return _eval_exact_constant(e)
    except (ZeroDivisionError, ValueError):
        return None


def is_rational_constant(e: Expr) -> bool:
    if isinstance(e, Number):
        return True
    if isinstance(e, Unary):
        return is_rational_constant(e.operand)
    if isinstance(e, Binary):
        if e.op == "^":
            if not (is_rational_constant(e.left) and is_rational_constant(e.right)):
                return False
            ex = _eval_exact_constant(e.right)
            return ex.denominator == 1 and abs(ex) <= 4096
        return is_rational_constant(e.left) and is_rational_constant(e.right)
    if isinstance(e, Call) and e.name in ("abs", "relu", "max", "min", "leaky_relu", "clamp", "hardtanh"):
        return all(is_rational_constant(a) for a in e.args)
    return False


def _eval_exact_constant(e: Expr) -> Fraction:
    br = _evaluate(e, {}, (), exact=True)
    return br[0].value


def is_piecewise_linear(expr: Expr) -> bool:
    """True when ``expr`` is built from constants, variables, + -, multiplication and
    division by constants, and the piecewise-linear functions (abs, relu, leaky_relu,
    max, min, clamp, hardtanh): then it is piecewise affine."""
    def affine(n: Expr) -> bool:
        if isinstance(n, (Number, Variable)):
            return True
        if isinstance(n, Constant):
            return True
        if isinstance(n, Unary):
            return affine(n.operand)
        if isinstance(n, Binary):
            if n.op in "+-":
                return affine(n.left) and affine(n.right)
            if n.op == "*":
                return (_is_const(n.left) and affine(n.right)) or (_is_const(n.right) and affine(n.left))
            if n.op == "/":
                return _is_const(n.right) and affine(n.left)
            return _is_const(n)
        if isinstance(n, Call):
            if n.name in _SMOOTH_FLOAT:
                return _is_const(n)
            return all(affine(a) for a in n.args)
        return False

    return affine(expr)


# ---------------------------------------------------------------------------- cones


def _normalize(row: tuple) -> tuple:
    m = max((abs(c) for c in row), default=0)
    if m == 0:
        return row
    return tuple(c / m for c in row)


def strictly_feasible(rows, n: int) -> bool:
    """Is there ``v`` in R^n with ``c . v > 0`` for every row ``c``?  Exact for Fraction
    rows (Fourier-Motzkin elimination of strict homogeneous inequalities)."""
    current = {_normalize(tuple(r)) for r in rows}
    for k in range(n - 1, -1, -1):
        if any(all(c == 0 for c in r) for r in current):
            return False
        pos = [r for r in current if r[k] > 0]
        neg = [r for r in current if r[k] < 0]
        nxt = {r[:k] for r in current if r[k] == 0}
        if pos and neg:
            if len(pos) * len(neg) > _FM_ROW_LIMIT:
                raise ValueError(f"constraints: {len(pos) * len(neg)} rows after eliminating "
                                 f"variable {k}; more than {_FM_ROW_LIMIT} (too many ties)")
            for p in pos:
                pk = p[k]
                for q in neg:
                    qk = -q[k]
                    nxt.add(_normalize(tuple(p[i] / pk + q[i] / qk for i in range(k))))
        # rows with a one-signed coefficient are satisfied by taking v_k large: dropped
        current = nxt
    return not any(True for _ in current)


def hull_contains(generators, point) -> bool:
    """Exact: is ``point`` in the convex hull of ``generators`` (Fractions or ints)?  Uses
    the separation theorem: it is not iff some ``w`` has ``w.(point - g) > 0`` for all g."""
    point = tuple(Fraction(p) for p in point)
    gens = [tuple(Fraction(c) for c in g) for g in generators]
    if not gens:
        return False
    return not strictly_feasible([tuple(p - c for p, c in zip(point, g)) for g in gens], len(point))


def distance_to_hull(generators, point) -> float:
    """Infinity-norm distance from ``point`` to the convex hull of ``generators`` (float LP;
    scipy HiGHS)."""
    import numpy as np
    from scipy.optimize import linprog

    G = np.array([[float(c) for c in g] for g in generators], dtype=float)  # m x n
    p = np.array([float(c) for c in point], dtype=float)
    m, n = G.shape
    # variables: lambda (m), t; minimize t; |G^T lambda - p| <= t; sum lambda = 1
    c = np.zeros(m + 1)
    c[-1] = 1.0
    A_ub = np.vstack([np.hstack([G.T, -np.ones((n, 1))]), np.hstack([-G.T, -np.ones((n, 1))])])
    b_ub = np.concatenate([p, -p])
    A_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * m + [(0, None)], method="highs")
    if not res.success:
        raise RuntimeError(f"hull distance LP failed: {res.message}")
    return float(res.x[-1])


# ---------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class _Branch:
    value: object
    grad: tuple
    cone: frozenset  # rows c with c . v > 0


def _const(v, n):
    return _Branch(v, (0,) * n, frozenset())


def _combine(children_branches, fn, n):
    """Cartesian product of children's alternatives, dropping inconsistent cones."""
    out = []
    for combo in product(*children_branches):
        cone = frozenset().union(*(b.cone for b in combo))
        if len(cone) > max((len(b.cone) for b in combo), default=0) and not strictly_feasible(cone, n):
            continue
        out.extend(fn(combo, cone))
        if len(out) > MAX_BRANCHES:
            raise ValueError(f"expression: more than {MAX_BRANCHES} combinations of pieces at this point")
    return out


def _split(pieces, cone, n):
    """pieces: list of (value, grad) all tied in value.  Returns branches choosing the
    largest first-order tangent; pieces with equal gradients are merged (degenerate)."""
    uniq = []
    for val, g in pieces:
        if all(g != u[1] for u in uniq):
            uniq.append((val, g))
    if len(uniq) == 1:
        return [_Branch(uniq[0][0], uniq[0][1], cone)]
    out = []
    for i, (val, g) in enumerate(uniq):
        rows = {_normalize(tuple(a - b for a, b in zip(g, h))) for j, (_, h) in enumerate(uniq) if j != i}
        new = cone | rows
        if strictly_feasible(new, n):
            out.append(_Branch(val, g, frozenset(new)))
    return out


def _evaluate(node: Expr, point: dict, names: tuple, exact: bool) -> list[_Branch]:
    n = len(names)
    zero = Fraction(0) if exact else 0.0
    one = Fraction(1) if exact else 1.0

    def num(v):
        return Fraction(v) if exact else float(v)

    def go(e: Expr) -> list[_Branch]:
        if isinstance(e, Number):
            return [_const(num(e.value), n)]
        if isinstance(e, Constant):
            return [_const(math.pi, n)]
        if isinstance(e, Variable):
            i = names.index(e.name)
            return [_Branch(num(point[e.name]), tuple(one if j == i else zero for j in range(n)), frozenset())]
        if isinstance(e, Unary):
            kids = go(e.operand)
            if e.op == "+":
                return kids
            return [_Branch(-b.value, tuple(-c for c in b.grad), b.cone) for b in kids]
        if isinstance(e, Binary):
            return _combine([go(e.left), go(e.right)], lambda c, cone: [_binary(e.op, c[0], c[1], cone)], n)
        if isinstance(e, Call):
            return _combine([go(a) for a in e.args], lambda c, cone: _call(e.name, c, cone), n)
        raise TypeError(f"expr: not a syntax tree node: {e!r}")

    def _binary(op, a, b, cone):
        if op == "+":
            return _Branch(a.value + b.value, tuple(x + y for x, y in zip(a.grad, b.grad)), cone)
        if op == "-":
            return _Branch(a.value - b.value, tuple(x - y for x, y in zip(a.grad, b.grad)), cone)
        if op == "*":
            return _Branch(a.value * b.value,
                           tuple(a.value * y + b.value * x for x, y in zip(a.grad, b.grad)), cone)
        if op == "/":
            if b.value == 0:
                raise ValueError("expression: division by zero at this point")
            q = a.value / b.value
            return _Branch(q, tuple((x - q * y) / b.value for x, y in zip(a.grad, b.grad)), cone)
        # power
        if exact or (all(c == 0 for c in b.grad) and float(b.value).is_integer()):
            k = b.value
            if all(c == 0 for c in b.grad) and (not exact or Fraction(k).denominator == 1):
                k_int = int(k)
                if a.value == 0 and k_int < 1:
                    raise ValueError("expression: 0 raised to a power < 1 is not differentiable here")
                val = a.value ** k_int
                d = k_int * a.value ** (k_int - 1) if k_int != 0 else zero
                return _Branch(val, tuple(d * x for x in a.grad), cone)
        av, bv = float(a.value), float(b.value)
        if all(c == 0 for c in b.grad):
            if av <= 0 and not (av == 0 and bv >= 1):
                raise ValueError("expression: power of a non-positive base is not differentiable here")
            val = av ** bv
            d = bv * av ** (bv - 1) if av != 0 else 0.0
            return _Branch(val, tuple(d * float(x) for x in a.grad), cone)
        if av <= 0:
            raise ValueError("expression: a variable exponent needs a positive base")
        val = av ** bv
        return _Branch(val, tuple(val * (bv * float(x) / av + math.log(av) * float(y))
                                  for x, y in zip(a.grad, b.grad)), cone)

    def _call(name, args, cone):
        a = args[0]
        if name in _SMOOTH_FLOAT:
            x = float(a.value)
            if name == "exp":
                v = math.exp(x)
                d = v
            elif name == "log":
                if x <= 0:
                    raise ValueError("expression: log of a non-positive number")
                v, d = math.log(x), 1.0 / x
            elif name == "sqrt":
                if x <= 0:
                    raise ValueError("expression: sqrt is not differentiable at 0 or below")
                v = math.sqrt(x)
                d = 0.5 / v
            elif name == "sin":
                v, d = math.sin(x), math.cos(x)
            elif name == "cos":
                v, d = math.cos(x), -math.sin(x)
            elif name == "tanh":
                v = math.tanh(x)
                d = 1.0 - v * v
            elif name == "sigmoid":
                v = 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0
                d = v * (1.0 - v)
            else:  # softplus
                v = x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))
                d = 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0
            return [_Branch(v, tuple(d * float(c) for c in a.grad), cone)]
        return _kink(name, args, cone)

    def _largest(pieces, cone, largest=True):
        """pieces: (value, grad) pairs; the max (or min) with lexicographic tie-breaking."""
        vals = [p[0] for p in pieces]
        best = max(vals) if largest else min(vals)
        tied = [p for p in pieces if p[0] == best]
        if len(tied) == 1:
            return [_Branch(tied[0][0], tied[0][1], cone)]
        if largest:
            return _split(tied, cone, n)
        flipped = _split([(-v, tuple(-c for c in g)) for v, g in tied], cone, n)
        return [_Branch(-b.value, tuple(-c for c in b.grad), b.cone) for b in flipped]

    def _kink(name, args, cone):
        a = args[0]
        pa = (a.value, a.grad)
        zero_piece = (zero, (zero,) * n)
        if name == "abs":
            return _largest([pa, (-a.value, tuple(-c for c in a.grad))], cone)
        if name == "relu":
            return _largest([pa, zero_piece], cone)
        if name == "leaky_relu":
            s = args[1].value if len(args) > 1 else num(LEAKY_RELU_DEFAULT_SLOPE)
            scaled = (s * a.value, tuple(s * c for c in a.grad))
            return _largest([pa, scaled], cone, largest=(s <= 1))
        if name in ("max", "min"):
            return _largest([(b.value, b.grad) for b in args], cone, largest=(name == "max"))
        if name in ("clamp", "hardtanh"):
            lo = args[1].value if len(args) > 1 else -one
            hi = args[2].value if len(args) > 2 else one
            out = []
            for b in _largest([pa, (lo, (zero,) * n)], cone):
                out.extend(_largest([(b.value, b.grad), (hi, (zero,) * n)], b.cone, largest=False))
            return out
        raise AssertionError(name)

    return go(node)


# ---------------------------------------------------------------------------- public


@dataclass(frozen=True)
class ClarkeEnumeration:
    """The result of :func:`clarke_enumeration`.

    ``generators``: the gradients G of the pieces of ``f'(x; .)`` (no duplicates), in the
    order of ``names``.  ``complete``: ``conv(G)`` is the whole Clarke subdifferential
    (piecewise-linear expression, or one variable).  ``exact``: computed in rational
    arithmetic.  ``value``: ``f(x)``."""

    names: tuple[str, ...]
    value: object
    generators: tuple[tuple, ...]
    complete: bool
    exact: bool
    piecewise_linear: bool

    def contains(self, g, tol: float = 0.0):
        """Is ``g`` in the Clarke subdifferential?  True when ``g`` lies in ``conv(G)``
        (exactly, or within ``tol`` in the infinity norm); False when it is farther than
        ``tol`` and ``complete``; None (undecided) when it is farther and not complete."""
        g = tuple(g)
        if len(g) != len(self.names):
            raise ValueError(f"g: has {len(g)} entries, expected {len(self.names)} ({self.names})")
        inside = None
        if len(self.generators) <= 64 and len(g) <= 8:
            try:
                inside = hull_contains(self.generators, [Fraction(float(c)) if not isinstance(c, Fraction)
                                                         else c for c in g])
            except ValueError:
                inside = None
        if inside:
            return True
        if inside is None or tol > 0:
            if distance_to_hull(self.generators, g) <= tol:
                return True
        return False if self.complete else None

    def as_floats(self) -> list[list[float]]:
        return [[float(c) for c in gen] for gen in self.generators]


def clarke_enumeration(expr: Expr, point: dict, names: tuple[str, ...] | None = None) -> ClarkeEnumeration:
    """Enumerate the pieces of ``expr`` active on open cones at ``point`` (module docstring).

    ``point`` maps every variable to a number; Fractions (``parse_assignments(...,
    exact=True)``) keep the computation exact for rational expressions.  ``names`` orders
    the coordinates (default: the sorted variables).  Raises ValueError where the
    expression is not differentiable along its smooth parts (log or sqrt at 0, division
    by 0) or has too many tied kinks."""
    names = tuple(variables(expr)) if names is None else tuple(names)
    missing = [v for v in variables(expr) if v not in point]
    if missing:
        raise ValueError(f"point: missing value(s) for {missing}")
    exact = is_rational(expr) and all(isinstance(point[v], (int, Fraction)) for v in names if v in point)
    pt = {k: (Fraction(v) if exact else float(v)) for k, v in point.items()}
    if not exact:
        pt = {k: float(v) for k, v in point.items()}
    branches = _evaluate(expr, pt, names, exact)
    gens: list[tuple] = []
    for b in branches:
        if b.grad not in gens:
            gens.append(b.grad)
    pl = is_piecewise_linear(expr)
    return ClarkeEnumeration(names, branches[0].value, tuple(gens), pl or len(names) <= 1, exact, pl)
