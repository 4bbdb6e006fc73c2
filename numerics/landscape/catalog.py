"""Built-in objectives for the strict-saddle certifier, with their default boxes.

* ``lsjr-example``: f(x, y) = x^2/2 + y^4/4 - y^2/2, the worked example of Lee, Simchowitz,
  Jordan, Recht (COLT 2016): minima (0, +-1), strict saddle (0, 0) with Hessian diag(1, -1).
* ``monkey-saddle``: x^3 - 3 x y^2, a degenerate critical point at 0 (zero Hessian): not a
  strict saddle and not a local minimum (negative control).
* ``quadratic-saddle-d<k>``: x^T H x with H = diag(-1, 1, ..., 1) in k variables (the offconvex
  escape example of Jin et al. 2017): one strict saddle at 0.
* ``matrix-factorization-<d>x<r>``: 1/2 ||U U^T - M||_F^2 with U in R^{d x r} and the rank-1
  M = m m^T, m = (1, 1/2, 0, ...). For r = 1 the critical points are 0 (a strict saddle whose
  Hessian -2 m m^T is singular) and +-m (minima). For r >= 2 the minima form O(r)-orbits
  (U Q, Q orthogonal): they are not isolated, and for r = 2 they are degenerate even across the
  orbit (f grows like t^4 there), so no interval Newton method can enclose them; the search
  accounts for them as a zero-level region of global minima (numerics/symbolic/ideal_saturation.py).
* ``no-critical-point``: x + y^2 (gradient (1, 2y) never vanishes).
* benign-landscape instances (:mod:`numerics.landscape.benign`): ``phase-retrieval-2``,
  ``matrix-sensing-2x1``, ``matrix-completion-3x1``, ``quadratic-net-2x2``, ``tensor-rank1-2``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from numerics.landscape.benign import LANDSCAPES

__all__ = ["CatalogEntry", "builtin", "builtin_names"]


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    description: str
    expr: sp.Expr
    variables: tuple[sp.Symbol, ...]
    box: dict  # variable name -> (lo, hi)
    params: dict = field(default_factory=dict)  # the instance's sizes (family, k, d, n, ...)


def _sym(names):
    return tuple(sp.Symbol(n, real=True) for n in names)


def _lsjr():
    x, y = _sym(("x", "y"))
    return CatalogEntry("lsjr-example", "x^2/2 + y^4/4 - y^2/2 (Lee et al. 2016, worked example)",
                        x**2 / 2 + y**4 / 4 - y**2 / 2, (x, y), {"x": (-2.0, 2.0), "y": (-2.0, 2.0)})


def _monkey():
    x, y = _sym(("x", "y"))
    return CatalogEntry("monkey-saddle", "x^3 - 3 x y^2 (degenerate critical point at 0)",
                        x**3 - 3 * x * y**2, (x, y), {"x": (-1.0, 1.0), "y": (-1.0, 1.0)})


def _no_critical():
    x, y = _sym(("x", "y"))
    return CatalogEntry("no-critical-point", "x + y^2 (no critical point)", x + y**2, (x, y),
                        {"x": (-1.0, 1.0), "y": (-1.0, 1.0)})


def _quadratic(d: int):
    xs = _sym(tuple(f"x{i}" for i in range(1, d + 1)))
    expr = -xs[0] ** 2 + sum((v**2 for v in xs[1:]), sp.Integer(0))
    return CatalogEntry(f"quadratic-saddle-d{d}", f"x^T H x, H = diag(-1, 1, ..., 1), d = {d}",
                        expr, xs, {v.name: (-1.0, 1.0) for v in xs})


def matrix_factorization(d: int, r: int, m=None) -> CatalogEntry:
    """1/2 ||U U^T - m m^T||_F^2 in the d*r entries of U (row-major names u<i><j>)."""
    if d < 1 or r < 1:
        raise ValueError(f"matrix factorization needs d >= 1 and r >= 1, got d={d}, r={r}")
    if m is None:
        m = [sp.Integer(1), sp.Rational(1, 2)] + [sp.Integer(0)] * (d - 2)
        m = m[:d]
    if len(m) != d:
        raise ValueError(f"m must have length d={d}, got {len(m)}")
    names = [f"u{i}{j}" for i in range(1, d + 1) for j in range(1, r + 1)]
    us = _sym(names)
    U = sp.Matrix(d, r, list(us))
    mv = sp.Matrix(d, 1, [sp.nsimplify(v) for v in m])
    E = U * U.T - mv * mv.T
    expr = sum((e**2 for e in E), sp.Integer(0)) / 2
    return CatalogEntry(f"matrix-factorization-{d}x{r}",
                        f"1/2 ||U U^T - M||_F^2, U in R^({d}x{r}), M = m m^T of rank 1, m = {list(mv)}",
                        expr, us, {n: (-2.0, 2.0) for n in names})


def _landscape(builder):
    return lambda: CatalogEntry(*builder())


_FIXED = {"lsjr-example": _lsjr, "monkey-saddle": _monkey, "no-critical-point": _no_critical,
          **{name: _landscape(b) for name, b in LANDSCAPES.items()}}
_PATTERNS = (
    (re.compile(r"quadratic-saddle-d([1-9][0-9]?)$"), lambda g: _quadratic(int(g[0]))),
    (re.compile(r"matrix-factorization-([1-9])x([1-9])$"),
     lambda g: matrix_factorization(int(g[0]), int(g[1]))),
)


def builtin_names() -> list[str]:
    """Names (with the parametrized families shown by example)."""
    return sorted(_FIXED) + ["quadratic-saddle-d<k> (k = 1..99)", "matrix-factorization-<d>x<r> (1..9)"]


def builtin(name: str) -> CatalogEntry:
    """The catalog entry ``name``; ValueError naming the allowed names otherwise."""
    if not isinstance(name, str):
        raise ValueError(f"name={name!r} must be a string; allowed: {', '.join(builtin_names())}")
    if name in _FIXED:
        return _FIXED[name]()
    for pattern, make in _PATTERNS:
        mt = pattern.match(name)
        if mt:
            entry = make(mt.groups())
            if len(entry.variables) > 12:
                raise ValueError(f"name={name!r} has {len(entry.variables)} variables; allowed: at most 12")
            return entry
    raise ValueError(f"name={name!r} is not a built-in objective; allowed: {', '.join(builtin_names())}")
