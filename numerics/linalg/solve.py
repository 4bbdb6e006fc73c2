"""Verified linear algebra: matrix products with a-priori error bounds, verified solves.

* :func:`verified_solve` -- an enclosure of ``{A^-1 b : A in A, b in b}`` by the Krawczyk
  operator with a float preconditioner (INTLAB ``verifylss``; Rump 2010, Acta Numerica 19). When the inclusion test fails at float64 it escalates to Arb
  (``arb_mat.solve``) at doubling precision up to the context's ``max_precision_bits``; when
  that fails too it raises :class:`NotVerified` (never returns an unproved result).
* :func:`inverse_quadratic_form` -- an enclosure of ``b^T A^-1 b`` for every symmetric
  ``A`` in ``A`` and ``b`` in ``b`` (second-order accurate residual form).
"""

from __future__ import annotations


import numpy as np

from numerics.arith.context import arb_precision, get_context
from numerics.arith.interval import Interval, as_interval, matmul_enclosure
from numerics.arith.rounding import down, up


class NotVerified(ArithmeticError):
    """A verification method could not prove its result (too ill-conditioned / too wide).

    The message says what was tried (backend, precisions). Callers map it to ``undecided``.
    """


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
    from numerics.arith.balls import arb_mat_from_interval, interval_from_arb_mat
    with arb_precision(prec):
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
