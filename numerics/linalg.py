"""Verified linear algebra: matrix products with a-priori error bounds, verified solves.

* :func:`matmul_enclosure` -- ``A @ B`` for float or interval matrices. Float inputs:
  ``fl(A@B) +- [gamma_k/(1-gamma_k) fl(|A|@|B|) + 2 k eta]`` (Higham 2002, Lemma 3.1 and
  eq. (3.5); software_anchors.md 4.1), valid for any summation order and for FMA, assuming an
  IEEE binary64 BLAS with the classical algorithm (no Strassen, no reduced-precision modes,
  no flush-to-zero). Interval inputs: midpoint-radius product (Rump 1999, INTLAB),
  ``<mA,rA> <mB,rB> ⊆ <mA mB, |mA| rB + rA (|mB| + rB)>`` with the same rounding terms.
* :func:`verified_solve` -- an enclosure of ``{A^-1 b : A in A, b in b}`` by the Krawczyk
  operator with a float preconditioner (INTLAB ``verifylss``; Rump 2010, Acta Numerica 19;
  software_anchors.md 4.3). When the inclusion test fails at float64 it escalates to Arb
  (``arb_mat.solve``) at doubling precision up to the context's ``max_precision_bits``; when
  that fails too it raises :class:`NotVerified` (never returns an unproved result).
* :func:`inverse_quadratic_form` -- an enclosure of ``b^T A^-1 b`` for every symmetric
  ``A`` in ``A`` and ``b`` in ``b`` (second-order accurate residual form).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from numerics.context import get_context
from numerics.interval import (ETA, Interval, as_interval, down, gamma_const,
                               round_up_fraction, up)


class NotVerified(ArithmeticError):
    """A verification method could not prove its result (too ill-conditioned / too wide).

    The message says what was tried (backend, precisions). Callers map it to ``undecided``.
    """


def _product_constants(k: int) -> tuple[float, float]:
    """(c1, c2) with |fl(x.y) - x.y| <= c1 fl(|x|.|y|) + c2 for length-k dot products.

    c1 >= gamma_k / (1 - gamma_k) (fl(|x|.|y|) >= (1 - gamma_k) |x|.|y|), and c2 = 2 k eta
    covers underflow of the k products and of the bound itself.
    """
    g = Fraction(gamma_const(k))
    c1 = round_up_fraction(g / (1 - g))
    c2 = 2.0 * max(k, 1) * ETA * 2.0
    return c1, c2


def _float_matrix(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if np.isnan(a).any():
        raise ValueError(f"{name} contains NaN; allowed: finite floats")
    return a


def matmul_enclosure(A, B) -> Interval:
    """Rigorous enclosure of the exact product ``A @ B`` (1-D or 2-D operands).

    ``A``, ``B``: float arrays (exact values) or :class:`Interval` arrays. The result contains
    ``X @ Y`` for every ``X`` in ``A`` and ``Y`` in ``B``.
    """
    a_int, b_int = isinstance(A, Interval), isinstance(B, Interval)
    if not a_int and not b_int:
        a = _float_matrix(A, "A")
        b = _float_matrix(B, "B")
        return _float_product(a, b)
    Ai, Bi = as_interval(A), as_interval(B)
    k = Ai.shape[-1] if Ai.ndim else 1
    c1, c2 = _product_constants(k)
    if not a_int:
        mA, rA = Ai.lo, None
    else:
        mA, rA = Ai.mid(), Ai.rad()
    if not b_int:
        mB, rB = Bi.lo, None
    else:
        mB, rB = Bi.mid(), Bi.rad()
    g = gamma_const(k)
    onep = round_up_fraction(1 + Fraction(c1))  # >= 1/(1 - gamma_k)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        C = mA @ mB
        absA, absB = np.abs(mA), np.abs(mB)
        # needed: gamma_k |mA||mB| + |mA| rB + rA (|mB| + rB)  (+ underflow)
        right = up(g * absB)
        if rB is not None:
            right = up(right + rB)
        rad = absA @ right
        if rA is not None:
            mBr = absB if rB is None else up(absB + rB)
            rad = up(rad + rA @ mBr)
        # products of non-negative floats: exact <= fl * onep (+ underflow, in 3 c2)
        rad = up(up(rad * onep) * onep)
        rad = up(rad + 3.0 * c2)
        lo = down(C - rad)
        hi = up(C + rad)
    return _nan_to_unbounded(lo, hi)


def _float_product(a: np.ndarray, b: np.ndarray) -> Interval:
    k = a.shape[-1] if a.ndim else 1
    c1, c2 = _product_constants(k)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        C = np.asarray(a @ b)
        G = np.asarray(np.abs(a) @ np.abs(b))
        G *= c1
        np.nextafter(G, np.inf, out=G)
        G += c2
        np.nextafter(G, np.inf, out=G)
        hi = np.add(C, G, out=np.empty_like(C))
        np.nextafter(hi, np.inf, out=hi)
        lo = np.subtract(C, G, out=G)
        del C
        np.nextafter(lo, -np.inf, out=lo)
    return _nan_to_unbounded(lo, hi)


def _nan_to_unbounded(lo, hi) -> Interval:
    if np.isnan(lo).any() or np.isnan(hi).any():
        lo = np.where(np.isnan(lo), -np.inf, lo)
        hi = np.where(np.isnan(hi), np.inf, hi)
    return Interval._raw(lo, hi)


# ---------------------------------------------------------------------- solves
def _check_square(A: Interval, name: str = "A") -> None:
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got shape {A.shape}")
    if not A.is_finite():
        raise ValueError(f"{name} has non-finite entries; allowed: finite intervals")


def verified_solve(A, b) -> Interval:
    """Enclosure of ``A^-1 b`` for all ``A`` in ``A`` and ``b`` in ``b`` (vector or matrix b).

    Float64 Krawczyk/verifylss first; then Arb ``arb_mat.solve`` at doubling precision up to the
    context's ``max_precision_bits``. Raises :class:`NotVerified` when nothing proves
    nonsingularity and an enclosure; raises ValueError on bad shapes or non-finite input.
    """
    A = as_interval(A)
    b = as_interval(b)
    _check_square(A)
    n = A.shape[0]
    if b.ndim not in (1, 2) or b.shape[0] != n:
        raise ValueError(f"b must have shape ({n},) or ({n}, k), got {b.shape}")
    if not b.is_finite():
        raise ValueError("b has non-finite entries; allowed: finite intervals")
    ctx = get_context()
    if ctx.backend == "numpy":
        x = _krawczyk_solve(A, b)
        if x is not None:
            return x
    tried = ["numpy/53" if ctx.backend == "numpy" else None]
    for prec in ([ctx.precision_bits] if ctx.backend == "arb" else []) + \
            ctx.escalation_precisions():
        x = _arb_solve(A, b, prec)
        tried.append(f"arb/{prec}")
        if x is not None:
            return x
    raise NotVerified("verified_solve could not prove A nonsingular and enclose A^-1 b "
                      f"(tried {', '.join(t for t in tried if t)}); the matrix interval may "
                      "contain singular matrices or be too wide")


def _krawczyk_solve(A: Interval, b: Interval, iterations: int = 8) -> Interval | None:
    mA = A.mid()
    try:
        R = np.linalg.inv(mA)
    except np.linalg.LinAlgError:
        return None
    if not np.isfinite(R).all():
        return None
    mb = b.mid()
    xs = R @ mb
    for _ in range(2):  # float residual refinement of the approximate solution
        xs = xs + R @ (mb - mA @ xs)
    if not np.isfinite(xs).all():
        return None
    # Z = R (b - A xs), C = I - R A, both as intervals
    res = b - matmul_enclosure(A, xs)
    Z = matmul_enclosure(R, res)
    RA = matmul_enclosure(R, A)
    eye = np.eye(A.shape[0])
    C = Interval._raw(down(eye - RA.hi), up(eye - RA.lo))
    Y = Z
    for _ in range(iterations):
        # epsilon-inflation (Rump): X = Y + 0.1 rad(Y) [-1,1] + [-realmin, realmin]
        r = up(0.1 * Y.rad()) + np.finfo(float).tiny
        X = Interval._raw(down(Y.lo - r), up(Y.hi + r))
        Y = Z + matmul_enclosure(C, X)
        if bool(np.all(X.interior_contains(Y))):
            return Interval._raw(down(xs + Y.lo), up(xs + Y.hi))
    return None


def _arb_solve(A: Interval, b: Interval, prec: int) -> Interval | None:
    from flint import ctx as flint_ctx

    from numerics.balls import arb_mat_from_interval, interval_from_arb_mat
    with flint_ctx.workprec(prec):
        Aa = arb_mat_from_interval(A)
        bb = arb_mat_from_interval(b if b.ndim == 2 else b.reshape(-1, 1))
        try:
            X = Aa.solve(bb)
        except (ZeroDivisionError, ValueError):
            return None
        out = interval_from_arb_mat(X)
    if not out.is_finite():
        return None
    return out if b.ndim == 2 else out.reshape(-1)


def inverse_quadratic_form(A, b) -> Interval:
    """Enclosure of ``b^T A^-1 b`` valid for every symmetric ``A`` in ``A`` and ``b`` in ``b``.

    Uses the identity (A symmetric, r = b - A x~):
    ``b^T A^-1 b = 2 b^T x~ - x~^T A x~ + r^T A^-1 r``, so the enclosure width is of the order
    of the data widths plus ``|r|^2 / lambda_min`` rather than cond(A) times the rounding error.
    Raises :class:`NotVerified` when the solve for the correction term cannot be verified.
    """
    A = as_interval(A)
    b = as_interval(b)
    _check_square(A)
    n = A.shape[0]
    if b.ndim != 1 or b.shape[0] != n:
        raise ValueError(f"b must be a vector of length {n}, got shape {b.shape}")
    if not np.array_equal(A.lo, A.lo.T) or not np.array_equal(A.hi, A.hi.T):
        raise ValueError("A must be a symmetric interval matrix (lo and hi symmetric)")
    mA, mb = A.mid(), b.mid()
    try:
        xs = np.linalg.solve(mA, mb)
        xs = xs + np.linalg.solve(mA, mb - mA @ xs)
    except np.linalg.LinAlgError as exc:
        raise NotVerified(f"inverse_quadratic_form: midpoint matrix is singular ({exc})")
    if not np.isfinite(xs).all():
        raise NotVerified("inverse_quadratic_form: float solve overflowed")
    r = b - matmul_enclosure(A, xs)
    e = verified_solve(A, r)
    term1 = matmul_enclosure(xs, b) * 2.0
    Ax = matmul_enclosure(A, xs)
    term2 = matmul_enclosure(xs, Ax)
    term3 = _interval_dot(r, e)
    return term1 - term2 + term3


def _interval_dot(x: Interval, y: Interval) -> Interval:
    return matmul_enclosure(x, y)
