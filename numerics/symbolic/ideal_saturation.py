"""Critical points on the zero level of a non-negative polynomial, by ideal saturation.

Let ``f`` be a polynomial with rational coefficients and ``I = (df/dx_1, ..., df/dx_n)`` its
gradient ideal in Q[x]. If ``f^k g`` lies in ``I`` then ``f(x)^k g(x) = 0`` at every real
critical point ``x`` (every generator of ``I`` vanishes there), so

    g(x) != 0  and  grad f(x) = 0   imply   f(x) = 0.                                  (*)

When in addition ``f >= 0`` everywhere (checked on the expression tree:
:func:`structurally_nonnegative`), a critical point with ``f = 0`` is a *global* minimizer. An
interval enclosure of ``g`` over a box that excludes 0 therefore proves that every critical
point in the box is a global minimum, whatever the critical set looks like there: a circle or a
higher-dimensional orbit of minima, or minima that are degenerate even across the orbit (the
quartic valley of ``1/2 ||U U^T - M||_F^2`` with ``U`` in R^{2x2} and ``rank M = 1``), where no
interval Newton / Krawczyk test can succeed because the Hessian is singular on the whole set.

The polynomials ``g`` are the generators of the saturation ``I : f^oo = {g : f^k g in I for some
k}`` (Cox, Little, O'Shea, *Ideals, Varieties, and Algorithms*, 4th ed., Sec. 4.4, Thm. 14:
``I : f^oo = (I + (1 - t f)) ∩ Q[x]``, computed by a lex Groebner basis that eliminates ``t``,
Sec. 3.1). Each ``g`` kept is re-proved independently of the elimination: ``f^k g`` reduces to 0
modulo a (grevlex) Groebner basis of ``I`` for an explicit ``k``, which exhibits ``f^k g`` as a
combination of elements of ``I``. All of this is exact rational arithmetic in sympy.

Cost: Groebner bases are doubly exponential in the worst case. The computation runs under a
wall-clock budget (in a forked process where available); past it, no certificate is returned
and the caller proceeds without (*). Measured: 0.1 s for 4 variables (matrix factorization
2x2), 20 s for 6 (2x3), 235 s for 6 (3x2) on a 2-core CPU.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import sympy as sp

__all__ = ["ZeroLevelCertificate", "zero_level_certificate", "isolation_certificate", "structurally_nonnegative",
           "polynomial_with_rational_coefficients"]

MAX_POWER = 6   # f^k g in I is tried for k = 1..MAX_POWER


def structurally_nonnegative(e) -> bool:
    """True when the sympy expression is >= 0 everywhere by its form: sums and products of
    non-negative numbers, even powers, exp, and non-negative terms raised to any power."""
    if e.is_Number:
        return bool(e >= 0)
    if isinstance(e, (sp.Add, sp.Mul)):
        return all(structurally_nonnegative(a) for a in e.args)
    if isinstance(e, sp.Pow):
        base, ex = e.args
        if ex.is_Integer and int(ex) % 2 == 0:
            return True
        return structurally_nonnegative(base) and ex.is_real is True and (ex.is_nonnegative or False)
    if isinstance(e, sp.exp):
        return True
    return False


def polynomial_with_rational_coefficients(expr, variables) -> sp.Poly | None:
    """``expr`` as a polynomial over Q in ``variables``, or None when it is not one."""
    try:
        p = sp.Poly(sp.expand(expr), *variables)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return None
    if not all(c.is_Rational for c in p.coeffs()):
        return None
    return p


@dataclass(frozen=True)
class ZeroLevelCertificate:
    """Polynomials ``g_j`` with ``f^{k_j} g_j`` in the gradient ideal of ``f >= 0`` (module doc).

    ``polynomials[j]`` is ``g_j`` (sympy, in ``variables``), ``powers[j]`` is ``k_j``. Where
    some ``g_j`` does not vanish, every critical point of ``f`` is a global minimizer (f = 0).
    """

    polynomials: tuple
    powers: tuple
    variables: tuple
    seconds: float

    def as_dict(self) -> dict:
        return {
            "statement": ("f >= 0 everywhere and f^k g is in the ideal of the partial derivatives of f "
                          "(Groebner reduction to 0, exact over Q) for each listed (g, k): where some g "
                          "is nonzero, every critical point has f = 0 and is a global minimum"),
            "polynomials": [{"g": str(g), "k": int(k)} for g, k in zip(self.polynomials, self.powers)],
        }


def _saturation_generators(grads, h_expr, variables) -> list:
    """Generators of (grads) : h^oo, as sympy expressions (lex elimination of t)."""
    t = sp.Dummy("t")
    G = sp.groebner(grads + [1 - t * h_expr], t, *variables, order="lex", domain="QQ")
    return [g for g in G.exprs if not g.has(t)]


def _membership_power(h_expr, g, basis) -> int | None:
    """Smallest k <= MAX_POWER with h^k g reducing to 0 modulo ``basis``, or None."""
    hk = sp.Integer(1)
    for k in range(1, MAX_POWER + 1):
        hk = sp.expand(hk * h_expr)
        if basis.reduce(sp.expand(hk * g))[1] == 0:
            return k
    return None


def _compute(f_expr, h_expr, variables) -> tuple[list, list]:
    """Saturation generators g of (grad f) : h^oo with their proved powers k (h^k g in I)."""
    grads = [sp.expand(sp.diff(f_expr, v)) for v in variables]
    gens = _saturation_generators(grads, h_expr, variables)
    basis = sp.groebner(grads, *variables, order="grevlex", domain="QQ")
    kept, powers = [], []
    for g in gens:
        if g.is_number:
            if g == 0:
                continue
            g = sp.Integer(1)   # h^k in I: every critical point at all has h = 0
        k = _membership_power(h_expr, g, basis)
        if k is not None:
            kept.append(g)
            powers.append(k)
    return kept, powers


def _worker(conn, f_expr, h_expr, variables):
    try:
        conn.send(("ok", _compute(f_expr, h_expr, variables)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as "no certificate"
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _check_budget(budget_s) -> None:
    if not (isinstance(budget_s, (int, float)) and budget_s > 0 and math.isfinite(budget_s)):
        raise ValueError(f"budget_s={budget_s!r} is not allowed; allowed: a positive number of seconds")


def _saturate(f_expr, h_expr, variables, budget_s: float):
    """((kept, powers), None) or (None, reason), under the wall-clock budget."""
    import multiprocessing as mp
    try:
        ctx = mp.get_context("fork")
    except ValueError:
        ctx = None
    if ctx is None:
        return _compute(f_expr, h_expr, variables), None
    # forked: the child inherits the expressions; the result comes back pickled (no text parsing)
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(send, f_expr, h_expr, variables), daemon=True)
    proc.start()
    send.close()
    if not recv.poll(budget_s):
        proc.kill()
        proc.join()
        return None, f"Groebner basis not finished within the budget of {budget_s:g} s"
    status, payload = recv.recv()
    proc.join()
    if status != "ok":
        return None, f"Groebner computation failed ({payload})"
    return payload, None


def isolation_certificate(expr, variables, point, *, budget_s: float = 10.0):
    """Polynomials g with g(p) != 0 and r^k g in the gradient ideal of ``expr``, r = |x - p|^2.

    At a real critical point x, r(x)^k g(x) = 0; where g != 0, r(x) = 0, i.e. x = p. So on any
    box on which some returned g has no zero, ``point`` (a rational critical point, possibly
    degenerate) is the only critical point. Returns (polynomials, reason); polynomials is empty
    when no certificate was found.
    """
    _check_budget(budget_s)
    variables = tuple(variables)
    if polynomial_with_rational_coefficients(expr, variables) is None:
        return (), "not a polynomial with rational coefficients"
    pt = [sp.Rational(c.numerator, c.denominator) if hasattr(c, "numerator") else sp.nsimplify(c) for c in point]
    r = sp.expand(sp.Add(*[(v - c) ** 2 for v, c in zip(variables, pt)]))
    res, reason = _saturate(sp.expand(expr), r, variables, budget_s)
    if res is None:
        return (), reason
    subs = dict(zip(variables, pt))
    good = tuple(g for g in res[0] if g.subs(subs) != 0)
    return good, "ok" if good else "every saturation generator vanishes at the point"


def zero_level_certificate(expr, variables, *, budget_s: float = 30.0
                           ) -> tuple[ZeroLevelCertificate | None, str]:
    """Certificate (*) for the polynomial ``expr >= 0`` in ``variables``, or (None, reason).

    ``budget_s``: wall-clock limit of the Groebner computations (a forked process is killed at
    the limit; where fork is unavailable the computation runs in-process without a limit).
    """
    _check_budget(budget_s)
    variables = tuple(variables)
    if polynomial_with_rational_coefficients(expr, variables) is None:
        return None, "not a polynomial with rational coefficients"
    if not structurally_nonnegative(expr):
        return None, "f >= 0 is not evident from the expression (sum of squares form)"
    f_expr = sp.expand(expr)
    t0 = time.perf_counter()
    res, reason = _saturate(f_expr, f_expr, variables, budget_s)
    if res is None:
        return None, reason
    kept, powers = res
    polys = tuple(kept)
    seconds = time.perf_counter() - t0
    if not polys:
        return None, "the saturation has no generator that could separate critical points from f = 0"
    return ZeroLevelCertificate(polys, tuple(powers), variables, seconds), "ok"
