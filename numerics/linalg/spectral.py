"""Verified bounds on the spectrum of symmetric interval matrices.

Every statement is about **every** symmetric matrix ``X`` with ``A.lo <= X <= A.hi``; the
interval matrix is an enclosure of one unknown true matrix (e.g. the exact ``H_inf`` of the
inputs), so a bound valid for all ``X`` is valid for it.

Lower bounds (``lambda_min(X) > s``) -- Rump's positive-definiteness test with a shift
(Rump, BIT 46:433-452, 2006; the machine-checked constant of validsdp's
``corollary_2_4_with_c_upper_bound``, docs/spectral_method.md, in the interval form of
Cor. 2.7 via Weyl's inequality): with a float center ``m`` of A and ``rho >= ||X - m||_2``
(max row sum of an entrywise bound ``R >= |X - m|``),
``A''`` = ``m`` with diagonal ``m_ii - s - rho`` rounded down, and
``c >= (N+1)u/(1-2(N+1)u) tr(A'') + 4 eta N (2(N+1) + max A''_ii)``, success of the float
Cholesky of ``A'' - c I`` (diagonal rounded down) proves every such ``X - s I`` positive
definite. Caveat (as in the reference): the Coq proof fixes a left-to-right inner-product
order; Rump's paper argues the bound for any order, which is what LAPACK's blocked ``dpotrf``
uses.

Sharper lower bounds -- Temple's inequality (Temple 1928; Temple/Kato bounds in Parlett,
The Symmetric Eigenvalue Problem): for a unit vector ``v``, ``q = v^T X v`` and ``e = ||X v - q v||``,
if ``lambda_2(X) >= l2 > q`` then ``lambda_min(X) >= q - e^2 / (l2 - q)``. ``l2`` is proved by
the shifted test above applied to ``A + tau v v^T`` (at most one eigenvalue of ``X`` lies
below ``l2`` when ``X + tau v v^T - l2 I`` is positive definite, by interlacing).

Upper bounds -- Rayleigh quotients ``v^T X v / v^T v >= lambda_min(X)``, from an enclosure of
``X v``: first one float product with the a-priori bound ``|fl(Mv) - Mv| <= gamma_n/(1-gamma_n)
fl(|M||v|) + n eta`` plus ``R|v|`` for the radius (docs/spectral_method.md); when that is too
wide for the requested tightness, compensated Dot2 products (:mod:`numerics.arith.accurate_dot`),
intersected with it.

Cost: one float Cholesky factorization for the estimates (n^3/3 flops; dense MRRR instead
for n <= 600), Lanczos (ARPACK) on its inverse, then one verifying factorization: Rump's test
just below the estimate (its factor, a shift just below lambda_min, also refines the
eigenvectors by block inverse iteration when needed), or Temple's gap test when Rump's
constant alone would miss the tightness; a second verifying factorization only when the
first one does not reach it. Besides that, a few passes over n x n arrays and O(n^2) products. Memory: the
center, the radius and one work matrix (3 n^2 doubles) besides the input (4 n^2 when the
Dot2 fallback runs).

Float estimates only steer: when no eigensolver produces them (every LAPACK driver failing on
the float midpoint, ARPACK not converging), the enclosure is the one that needs none --
Gershgorin's lower bound and the smallest diagonal entry -- with ``method`` naming the failure
(:data:`EIGENSOLVER_FAILED`); it is as rigorous as any other, usually too wide to decide, and the
caller's verdict is then undecided with that reason, never an error.

Escalation: when the float64 test cannot reach the requested tightness, Arb at doubling
precision recomputes the Cholesky residual ``A - s I - L L^T`` in ball arithmetic
(``lambda_min >= s - ||residual||_2``), up to the context's ``max_precision_bits``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from numerics.arith.context import arb_precision, get_context
from numerics.arith.interval import Interval, as_interval
from numerics.arith.rounding import ETA, U, down, gamma_const, round_up_fraction, up
from numerics.arith.verdict import Verdict


EIGENSOLVER_FAILED = "float eigensolver failed"


class EigensolverFailure(np.linalg.LinAlgError):
    """No float eigenpair estimates (every driver tried failed); they only steer the proof, so
    :func:`lambda_min_enclosure` answers without them (module docstring)."""


@dataclass(frozen=True)
class SpectralEnclosure:
    """``lo <= lambda <= hi`` rigorously, for every symmetric matrix in the input enclosure.

    ``method`` names how the bounds were proved; ``backend``/``precision_bits`` name the
    arithmetic that decided (``"numpy"``/53 or ``"arb"``/p).
    """

    lo: float
    hi: float
    method: str
    backend: str
    precision_bits: int

    def __post_init__(self):
        if not (self.lo <= self.hi):
            raise ValueError(f"SpectralEnclosure needs lo <= hi, got [{self.lo}, {self.hi}]")

    def as_interval(self) -> Interval:
        return Interval(self.lo, self.hi)

    def relative_width(self) -> float:
        return (self.hi - self.lo) / max(abs(self.lo), abs(self.hi), 1e-300)


# ---------------------------------------------------------------------- validation
def check_symmetric_interval(A, name: str = "A") -> Interval:
    """Coerce to an Interval and check it is a finite, non-empty, square, symmetric matrix."""
    if isinstance(A, Interval):
        Ai = A
    else:
        arr = np.asarray(A)
        if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
            raise TypeError(f"{name} must be a real matrix or Interval, got dtype {arr.dtype}")
        if np.isnan(arr.astype(np.float64)).any():
            raise ValueError(f"{name} contains NaN; allowed: finite entries")
        Ai = as_interval(arr)
    if Ai.ndim != 2 or Ai.shape[0] != Ai.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {Ai.shape}")
    if Ai.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {Ai.shape}); allowed: n >= 1")
    if not Ai.is_finite():
        raise ValueError(f"{name} has non-finite entries; allowed: finite entries")
    if not (_is_symmetric(Ai.lo) and _is_symmetric(Ai.hi)):
        raise ValueError(f"{name} is not symmetric (lo and hi must equal their transposes)")
    return Ai


def _is_symmetric(a: np.ndarray, tile: int = 256) -> bool:
    """``a == a.T`` exactly, compared tile by tile (cache-friendly for large matrices)."""
    n = a.shape[0]
    for i in range(0, n, tile):
        for j in range(0, i + 1, tile):
            if not np.array_equal(a[i:i + tile, j:j + tile], a[j:j + tile, i:i + tile].T):
                return False
    return True


# ---------------------------------------------------------------------- Rump's test
_ONE_PLUS_4U = 1.0 + 4 * U


def _center_and_radius(A: Interval, work: np.ndarray | None = None):
    """A float center ``M`` and ``R >= |X - M|`` entrywise for every X in A.

    ``M = fl(lo/2 + hi/2)`` need not lie in ``[lo, hi]``: ``|X - M| <= max(hi - M, M - lo)``
    holds for any real M. The differences are rounded to nearest and then scaled by
    ``fl(1 + 4u)``, which covers their rounding (a difference that underflows is exact).
    Memory: M and R, plus ``work`` (or a temporary) as scratch.
    """
    lo, hi = A.lo, A.hi
    M, R = np.empty(lo.shape), np.empty(lo.shape)
    if work is None:
        work = np.empty(lo.shape)
    for i in range(0, lo.shape[0], 64):      # row blocks that stay in cache
        b = slice(i, i + 64)
        m, r, w = M[b], R[b], work[b]
        np.multiply(lo[b], 0.5, out=m)
        m += np.multiply(hi[b], 0.5, out=w)
        np.subtract(hi[b], m, out=r)
        np.maximum(r, np.subtract(m, lo[b], out=w), out=r)
        r *= _ONE_PLUS_4U
    return M, R


def _row_sum_bound(R: np.ndarray) -> float:
    """Upper bound of ||R||_2 for a symmetric non-negative R: its largest row sum."""
    n = R.shape[0]
    rows = R.sum(axis=1)           # sums of non-negative floats: exact <= fl / (1 - gamma_{n-1})
    if not rows.any():
        return 0.0
    g = Fraction(gamma_const(max(n - 1, 1)))
    onep = round_up_fraction(1 / (1 - g))
    return float(up(up(rows.max()) * onep))


def _rump_constant(n: int) -> float:
    if 4 * (n + 1) * U >= 1:
        raise ValueError(f"matrix dimension n={n} is too large for the binary64 Cholesky test")
    k = Fraction(n + 1, 2 ** 53)
    return round_up_fraction(k / (1 - 2 * k))


def shifted_cholesky_test(mid: np.ndarray, rho: float, s: float, work: np.ndarray | None = None,
                          ) -> np.ndarray | None:
    """Prove ``lambda_min(X) > s`` for all symmetric ``X`` with ``||X - mid||_2 <= rho``.

    Returns the lower Cholesky factor of the shifted float matrix on success (proof), None when
    the test does not succeed (no conclusion). ``work`` is an optional n x n buffer.
    """
    from scipy.linalg import lapack
    n = mid.shape[0]
    sigma = float(up(np.float64(s) + np.float64(rho)))
    diag = down(np.diagonal(mid) - sigma)
    if not np.isfinite(diag).all() or (diag < 0).any():
        return None
    coef = _rump_constant(n)
    try:
        tr = float(up(math.fsum(diag.tolist())))
    except OverflowError:
        return None
    maxdiag = float(diag.max())
    c = float(up(up(coef * tr) + up(4 * ETA * n * up(2 * (n + 1) + maxdiag))))
    shifted = down(diag - c)
    if work is None:
        work = np.array(mid, order="C", copy=True)
    else:
        np.copyto(work, mid)
    np.fill_diagonal(work, shifted)
    # work is symmetric, so its transpose (a Fortran-ordered view) is the same matrix and
    # LAPACK factors it in place without a copy
    L, info = lapack.dpotrf(work.T, lower=1, clean=0, overwrite_a=1)
    if info != 0:
        return None
    if not np.isfinite(np.diagonal(L)).all() or (np.diagonal(L) <= 0).any():
        return None
    return L


def rump_shift(n: int, trace_upper: float) -> float:
    """The shift c of the test for an n x n matrix with the given trace (informational)."""
    return _rump_constant(n) * trace_upper


# ---------------------------------------------------------------------- Rayleigh quotients
def _symv(S: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``S @ x`` for a symmetric C-ordered S (its transpose: the same matrix, Fortran-ordered)
    through scipy's BLAS, like every large product here: numpy and scipy bundle separate
    OpenBLAS copies, and the idle threads of one slow the other down on few cores."""
    from scipy.linalg import blas
    return blas.dgemv(1.0, S.T, x)


def _product_enclosure(M: np.ndarray, R: np.ndarray, v: np.ndarray, work: np.ndarray
                       ) -> Interval:
    """Enclosure of ``X v`` for every X with ``|X - M| <= R`` (v an exact float vector) from
    float products and a-priori bounds (docs/spectral_method.md; Higham eq. 3.5, any
    summation order, with ``n eta`` for underflow in the products):
    ``|fl(Mv) - Mv| <= gamma_n |M||v| + n eta``, ``|M||v| <= (fl(|M||v|) + n eta)/(1-gamma_n)``
    (a sum of non-negative terms) and ``|(X - M) v| <= R|v| <= (fl(R|v|) + n eta)/(1-gamma_n)``.
    ``work`` (n x n) receives |M|. Overflow gives the whole line.
    """
    n = M.shape[0]
    gam = Fraction(gamma_const(n))
    k1 = round_up_fraction(gam / (1 - gam))
    k2 = round_up_fraction(1 / (1 - gam))
    ne = n * ETA
    av = np.abs(v)
    with np.errstate(over="ignore", invalid="ignore"):   # overflow: infinite bounds
        w = _symv(M, v)
        g = _symv(np.abs(M, out=work), av)
        rv = _symv(R, av)
        err = up(up(up(k1 * up(g + ne)) + ne) + up(k2 * up(rv + ne)))
        if not (np.isfinite(w).all() and np.isfinite(err).all()):
            return Interval._raw(np.full(n, -math.inf), np.full(n, math.inf))
        return Interval._raw(down(w - err), up(w + err))


def _rayleigh_quotient(v: np.ndarray, W: Interval) -> Interval:
    """Enclosure of ``v^T X v / v^T v`` given an enclosure W of ``X v``."""
    from numerics.arith.accurate_dot import dot_enclosure
    if not W.is_finite():
        return Interval(-math.inf, math.inf)
    return dot_enclosure(v, W) / dot_enclosure(v, v)


def rayleigh_enclosure(A: Interval, v: np.ndarray, mid=None, rad=None) -> Interval:
    """Enclosure of ``v^T X v / v^T v`` over X in A (rigorous; v is an exact float vector;
    compensated Dot2 products, :mod:`numerics.arith.accurate_dot`)."""
    from numerics.arith.accurate_dot import matvec_enclosure
    return _rayleigh_quotient(v, matvec_enclosure(A, v, mid=mid, rad=rad))


# ---------------------------------------------------------------------- lambda_min
def lambda_min_enclosure(A, rel_tol: float = 1e-8, backend: str | None = None,
                         max_precision_bits: int | None = None) -> SpectralEnclosure:
    """Rigorous enclosure of the smallest eigenvalue of every symmetric matrix in ``A``.

    ``rel_tol``: target relative width; the float64 path stops when reached or when the
    rounding floor is hit, then escalates to Arb (up to ``max_precision_bits``, default from
    the context) only if the target was missed. The result is always rigorous; it may be wider
    than ``rel_tol`` (check :meth:`SpectralEnclosure.relative_width`).
    """
    A = check_symmetric_interval(A)
    if not (isinstance(rel_tol, (int, float)) and rel_tol > 0 and math.isfinite(rel_tol)):
        raise ValueError(f"rel_tol={rel_tol!r} is not allowed; allowed: a positive float")
    ctx = get_context()
    backend = backend or ctx.backend
    if backend not in ("numpy", "arb"):
        raise ValueError(f"backend={backend!r} is not allowed; allowed: 'numpy', 'arb'")
    maxp = ctx.max_precision_bits if max_precision_bits is None else max_precision_bits
    if isinstance(maxp, bool) or not isinstance(maxp, int) or not 53 <= maxp <= 1 << 16:
        raise ValueError(f"max_precision_bits={maxp!r} is out of range; allowed: 53..65536")
    enc = _lambda_min_float(A, rel_tol)
    if backend == "numpy" and enc.relative_width() <= rel_tol:
        return enc
    precs = [p for p in _doubling(max(ctx.precision_bits, 106), maxp)]
    best = enc
    for p in precs:
        e2 = _lambda_min_arb(A, rel_tol, p, best)
        if e2 is not None and (e2.hi - e2.lo) < (best.hi - best.lo):
            best = e2
        if best.relative_width() <= rel_tol:
            break
    return best


def _doubling(start: int, stop: int) -> list[int]:
    out, p = [], start
    while p <= stop:
        out.append(p)
        p *= 2
    return out


def lambda_max_enclosure(A, rel_tol: float = 1e-8, backend: str | None = None,
                         max_precision_bits: int | None = None) -> SpectralEnclosure:
    """Rigorous enclosure of the largest eigenvalue: ``lambda_max(X) = -lambda_min(-X)``."""
    A = check_symmetric_interval(A)
    e = lambda_min_enclosure(-A, rel_tol, backend, max_precision_bits)
    return SpectralEnclosure(-e.hi, -e.lo, e.method, e.backend, e.precision_bits)


def norm2_enclosure(A, rel_tol: float = 1e-8) -> SpectralEnclosure:
    """Enclosure of ``||X||_2`` over X in ``A``.

    Symmetric A: ``max(|lambda_min|, |lambda_max|)``. Other square or rectangular A:
    ``sqrt(lambda_max(X^T X))`` with ``X^T X`` enclosed by :func:`matmul_enclosure` (valid for
    every X in A, symmetric or not).
    """
    if isinstance(A, Interval):
        Ai = A
    else:
        Ai = as_interval(np.asarray(A, dtype=np.float64))
    if Ai.ndim != 2 or Ai.size == 0:
        raise ValueError(f"A must be a non-empty 2-D matrix, got shape {Ai.shape}")
    if not Ai.is_finite():
        raise ValueError("A has non-finite entries; allowed: finite entries")
    symmetric = (Ai.shape[0] == Ai.shape[1] and np.array_equal(Ai.lo, Ai.lo.T)
                 and np.array_equal(Ai.hi, Ai.hi.T))
    if symmetric:
        lo_e = lambda_min_enclosure(Ai, rel_tol)
        hi_e = lambda_max_enclosure(Ai, rel_tol)
        upper = max(abs(lo_e.lo), abs(lo_e.hi), abs(hi_e.lo), abs(hi_e.hi))
        a = Interval(lo_e.lo, lo_e.hi)
        b = Interval(hi_e.lo, hi_e.hi)
        lower = float(max(a.mig(), b.mig(), 0.0))
        # ||X|| = max(|l_min|, |l_max|): lower bound is the larger of the two lower bounds
        return SpectralEnclosure(lower, float(upper), "symmetric: max |lambda|",
                                 hi_e.backend, max(lo_e.precision_bits, hi_e.precision_bits))
    from numerics.arith.interval import matmul_enclosure
    G = matmul_enclosure(Ai.T, Ai)
    G = Interval._raw(np.minimum(G.lo, G.lo.T), np.maximum(G.hi, G.hi.T))
    e = lambda_max_enclosure(G, rel_tol)
    lo = float(max(down(np.sqrt(max(e.lo, 0.0))), 0.0))
    hi = float(up(np.sqrt(max(e.hi, 0.0))))
    return SpectralEnclosure(lo, hi, "sqrt(lambda_max(A^T A))", e.backend, e.precision_bits)


# ---------------------------------------------------------------------- verdicts
def certify_positive_definite(A, margin: float = 0.0) -> Verdict:
    """Verdict of "lambda_min > margin" for the true matrix enclosed by ``A``.

    HOLDS: every symmetric matrix in ``A`` has ``lambda_min > margin`` (so the true one does).
    FAILS: every symmetric matrix in ``A`` has ``lambda_min <= margin`` (a Rayleigh quotient
    upper bound valid for all of them is <= margin). UNDECIDED otherwise -- in particular when
    ``A`` contains matrices on both sides; "some matrix in A fails" is never reported as FAILS.
    """
    A = check_symmetric_interval(A)
    margin = _check_real("margin", margin)
    return positive_definite_evidence(A, margin)[0]


def certify_eigenvalue_at_most(A, g: float) -> Verdict:
    """Verdict of "the matrix has an eigenvalue <= g" (i.e. ``lambda_min <= g``).

    HOLDS: every symmetric matrix in ``A`` has an eigenvalue <= g (Rayleigh quotient bound).
    FAILS: every symmetric matrix in ``A`` has all eigenvalues > g (shifted Cholesky test).
    For a Hessian enclosure, "has an eigenvalue <= -gamma" is ``certify_eigenvalue_at_most(H,
    -gamma)``.
    """
    A = check_symmetric_interval(A)
    g = _check_real("g", g)
    return ~certify_positive_definite(A, g)


def _check_real(name: str, x) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name}={x!r} must be a real number")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{name}={x} is not allowed; allowed: a finite real number")
    return x


def positive_definite_evidence(A, margin: float = 0.0
                               ) -> tuple[Verdict, SpectralEnclosure | None]:
    """:func:`certify_positive_definite` together with the enclosure (or None) that decided
    it, so that callers can record method, backend and precision."""
    A = check_symmetric_interval(A)
    margin = _check_real("margin", margin)
    M, R = _center_and_radius(A)
    rho = _row_sum_bound(R)
    del R
    if shifted_cholesky_test(M, rho, margin) is not None:
        return Verdict.HOLDS, SpectralEnclosure(
            margin, math.inf, "shifted Cholesky test (Rump 2006, Cor. 2.7 form)", "numpy", 53)
    enc = lambda_min_enclosure(A, rel_tol=1e-3)
    if enc.lo > margin:
        return Verdict.HOLDS, enc
    if enc.hi <= margin:
        return Verdict.FAILS, enc
    # the crude target did not decide: ask for tightness relative to the gap to the margin
    gap = abs(enc.hi - margin) + abs(enc.lo - margin)
    tol = max(1e-15, min(1e-3, 0.25 * gap / max(abs(enc.lo), abs(enc.hi), 1e-300)))
    enc = lambda_min_enclosure(A, rel_tol=tol)
    if enc.lo > margin:
        return Verdict.HOLDS, enc
    if enc.hi <= margin:
        return Verdict.FAILS, enc
    return Verdict.UNDECIDED, enc


# ---------------------------------------------------------------------- the float path
def _plain_cholesky(M: np.ndarray, sigma: float, work: np.ndarray) -> np.ndarray | None:
    """Float Cholesky factor of ``M - sigma I`` (no proof; used for inverse iteration)."""
    from scipy.linalg import lapack
    np.copyto(work, M)
    work[np.diag_indices_from(work)] -= sigma
    L, info = lapack.dpotrf(work.T, lower=1, clean=0, overwrite_a=1)
    if info != 0 or not np.isfinite(np.diagonal(L)).all():
        return None
    return L


def _solve_factor(L: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``(L L^T)^{-1} Y`` for a lower triangular L (float; no proof)."""
    from scipy.linalg import blas, solve_triangular
    if Y.ndim == 1 and L.flags.f_contiguous:      # plain BLAS calls: less overhead per vector
        Z = blas.dtrsv(L, Y, lower=1)
        return blas.dtrsv(L, Z, lower=1, trans=1, overwrite_x=1)
    Z = solve_triangular(L, Y, lower=True, check_finite=False)
    return solve_triangular(L, Z, lower=True, trans="T", check_finite=False, overwrite_b=True)


def _ritz(M: np.ndarray, V: np.ndarray):
    """Rayleigh-Ritz values (ascending) and vectors of M on the span of V (float)."""
    from scipy.linalg import blas, eigh, qr
    Q = qr(V, mode="economic", check_finite=False)[0]
    Hs = blas.dgemm(1.0, Q, blas.dgemm(1.0, M.T, Q), trans_a=1)    # M.T is M, Fortran-ordered
    th, S = eigh(0.5 * (Hs + Hs.T), check_finite=False)
    return th, blas.dgemm(1.0, Q, S)


def _smallest_eigenpairs(M: np.ndarray, work: np.ndarray, k: int = 3):
    """Float estimates (theta, V) of the k smallest eigenpairs of the symmetric matrix M and
    the factor used (or None): dense MRRR up to n = 600, else Lanczos (ARPACK) on the inverse
    of one Cholesky factor (at shift 0, or below a Gershgorin bound when M is not positive
    definite; the factor lives in ``work``)."""
    n = M.shape[0]
    k = min(k, n)
    if n <= 600:   # dense LAPACK (MRRR) on a few eigenpairs is cheapest at these sizes
        th, V = _dense_smallest_eigenpairs(M, work, k)
        return th, V, None
    from scipy.sparse.linalg import LinearOperator, eigsh
    sigma0 = 0.0
    L = _plain_cholesky(M, sigma0, work)
    if L is None:
        sigma0 = -1.01 * float(np.abs(M, out=work).sum(axis=1).max()) - 1e-300
        L = _plain_cholesky(M, sigma0, work)
        if L is None:
            raise EigensolverFailure("no float Cholesky factor of M - sigma I for Lanczos, at sigma = 0 or "
                                     "below Gershgorin's bound")
    from scipy.sparse.linalg import ArpackError
    op = LinearOperator((n, n), matvec=lambda x: _solve_factor(L, x.reshape(-1)),
                        dtype=np.float64)
    try:
        theta, V = eigsh(op, k=min(k, n - 1), which="LA", tol=1e-4, ncv=min(n - 1, 24),
                         v0=np.random.default_rng(0).standard_normal(n))
    except (ArpackError, np.linalg.LinAlgError) as exc:
        raise EigensolverFailure(f"Lanczos (ARPACK) on the inverse: {exc}") from exc
    lam = sigma0 + 1.0 / theta
    order = np.argsort(lam)
    return lam[order], V[:, order], L


def _dense_smallest_eigenpairs(M: np.ndarray, work: np.ndarray, k: int):
    """Float estimates of the k smallest eigenpairs by dense LAPACK (no proof; they only steer).

    MRRR (``?syevr`` with an index range) can stop with "LinAlgError: Internal Error" on
    matrices with a multiple eigenvalue (e.g. a Gram matrix with three equal rows: exactly
    parallel inputs at scales 1, 1/32, 1/128); then the divide-and-conquer driver (all
    eigenpairs), then the QR driver, are used instead. :class:`EigensolverFailure`, naming each
    driver's error, when all three fail."""
    import scipy.linalg
    np.copyto(work, M)     # its transpose is the same matrix, Fortran-ordered: no copy
    errors = []
    try:
        return scipy.linalg.eigh(work.T, subset_by_index=[0, k - 1], check_finite=False,
                                 overwrite_a=True)
    except (np.linalg.LinAlgError, ValueError) as exc:
        errors.append(f"evr (MRRR): {exc}")
    for driver in ("evd", "ev"):
        try:
            th, V = scipy.linalg.eigh(np.array(M), driver=driver, check_finite=False)
            return th[:k], V[:, :k]
        except (np.linalg.LinAlgError, ValueError) as exc:
            errors.append(f"{driver}: {exc}")
    raise EigensolverFailure("no LAPACK eigensolver converged on the float midpoint matrix ("
                             + "; ".join(errors) + ")")


def _residual(M: np.ndarray, theta: float, v: np.ndarray) -> float:
    """Float estimate of ``||M v - theta v|| / ||v||`` (no proof; steers the algorithm)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.linalg.norm(_symv(M, v) - theta * v) / np.linalg.norm(v))


def _refine(M: np.ndarray, L: np.ndarray, th: np.ndarray, V: np.ndarray, r: float,
            r_stop: float, steps: int = 30):
    """Block inverse iteration with a factor L of ``M - sigma I`` (sigma below lambda_min:
    the estimate's shift, or just below lambda_min for the verification test's factor) and
    Rayleigh-Ritz on ``[V, (LL^T)^{-1} V]``, which keeps V's information on lambda_2; stops
    once the residual (r on entry) is below ``r_stop`` or no longer decreases."""
    k = V.shape[1]
    for _ in range(steps if r > r_stop else 0):
        Y = _solve_factor(L, V)
        nrm = np.linalg.norm(Y, axis=0)
        if not (np.isfinite(Y).all() and (nrm > 0).all()):
            break
        try:
            th2, V2 = _ritz(M, np.column_stack([V, Y / nrm]))
        except (np.linalg.LinAlgError, ValueError):     # the estimates so far still steer
            break
        r2 = _residual(M, float(th2[0]), V2[:, 0])
        if not r2 < r:
            break
        th, V, r = th2[:k], V2[:, :k], r2
        if r <= r_stop:
            break
    return th, V, r


def _second_eigenvalue_bound(M: np.ndarray, rho: float, v: np.ndarray, qhi: float,
                             theta2: float, work: np.ndarray) -> float | None:
    """A proved ``l2 > qhi`` with ``lambda_2(X) >= l2`` for every X with ``||X - M|| <= rho``:
    the shifted Cholesky test on ``M + tau u u^T`` (u = v/||v||) at l2; by interlacing at most
    one eigenvalue of X lies below l2. ``work`` is overwritten."""
    n = M.shape[0]
    if not theta2 > qhi:
        return None
    tau = max(2.0 * (theta2 - qhi), 1e-3 * abs(theta2), 1e-300)
    u = v / float(np.linalg.norm(v))
    absu = np.abs(u)
    rowabs = np.abs(M, out=work).sum(axis=1)
    # |B - (M + tau u u^T)| <= 4u (|M| + tau |u||u|^T) + 4 eta, and u is itself rounded:
    # cover ||v v^T/||v||^2 - u u^T|| by tau * 8 n u (crude; u has relative error <= 4 n u)
    extra = 4 * U * (rowabs + tau * absu * absu.sum()) + 4 * n * ETA
    rho_b = float(up(rho + float(extra.max()) * (1 + 8 * U) + tau * 8 * (n + 2) * U))
    for frac in (0.5, 0.2, 0.05):
        l2 = qhi + frac * (theta2 - qhi)
        np.multiply(u[:, None], (tau * u)[None, :], out=work)
        work += M
        if shifted_cholesky_test(work, rho_b, l2, work=work) is not None:
            return l2 if l2 > qhi else None
    return None


def _temple_bound(W: Interval, q: Interval, v: np.ndarray, l2: float) -> float | None:
    """Temple's inequality ``lambda_min >= q - ||Xv - qv||^2/||v||^2 / (l2 - q)`` over the
    enclosures W of X v and q of the Rayleigh quotient (see module doc)."""
    from numerics.arith.accurate_dot import dot_enclosure
    n = v.shape[0]
    gap = float(down(l2 - q.hi))
    vv = float(dot_enclosure(v, v).lo)
    if not (gap > 0 and vv > 0):
        return None
    resid = W - q * v                           # X v - q v
    with np.errstate(over="ignore"):
        e2 = float(up(np.sum(up(resid.mag() ** 2)) * (1 + 4 * n * U)))
    e2n = e2 / vv * (1 + 8 * U)                # ||Xv - qv||^2 / ||v||^2
    t = float(down(q.lo - up(e2n / gap) * (1 + 8 * U)))
    return t if math.isfinite(t) else None


_RUMP_TEST = "lower: shifted Cholesky test (Rump 2006 / validsdp Cor. 2.4, interval form Cor. 2.7)"
_TEMPLE = "lower: Temple inequality, lambda_2 gap by shifted Cholesky test"


def _lambda_min_float(A: Interval, rel_tol: float) -> SpectralEnclosure:
    from numerics.arith.accurate_dot import matvec_enclosure
    n = A.shape[0]
    if n == 1:
        return SpectralEnclosure(float(A.lo[0, 0]), float(A.hi[0, 0]), "1x1", "numpy", 53)
    work = np.empty((n, n))
    M, R = _center_and_radius(A, work)   # memory: M, R, work (3 n^2) plus O(n) vectors
    rho = _row_sum_bound(R)
    try:
        th, V, L0 = _smallest_eigenpairs(M, work)
        if not (np.isfinite(th).all() and np.isfinite(V).all()):
            raise EigensolverFailure("non-finite eigenpair estimates")
    except EigensolverFailure as exc:
        return _without_estimates(A, work, str(exc))
    r = _residual(M, float(th[0]), V[:, 0])
    coef, trace = _rump_constant(n), float(np.abs(np.diagonal(M)).sum())
    target = rel_tol * abs(float(th[0]))
    # a residual that makes r^2/(theta_2 - theta_1) negligible for Temple's bound and for
    # Rump's shift (or the rounding floor)
    floor = 1e-14 * max(float(M.max()), -float(M.min())) * math.sqrt(n)
    r_stop = max(floor, math.sqrt(0.01 * target * max(float(th[1] - th[0]), 0.0)))
    if L0 is not None:
        # one step with the estimate's factor damps the components along eigenvalues far
        # above lambda_min, which dominate the Lanczos residual
        th, V, r = _refine(M, L0, th, V, r, r_stop, steps=1)

    def too_wide(lo_, hi_):
        return not (math.isfinite(hi_ - lo_) and hi_ - lo_ <= rel_tol * max(abs(lo_), abs(hi_)))

    def rump(above):
        """Rump's test at s = theta - m (c + delta) for m = 1.125, 4, 32, 1024 (delta: an
        estimate of theta - lambda_min, quadratic in the residual), only where s > above;
        returns (s, factor) of the first success."""
        theta = float(th[0])
        gap = float(th[1]) - theta if len(th) > 1 else 0.0
        delta = min(r, r * r / gap) if gap > 0 else r
        c_est = coef * (trace + n * abs(theta)) + rho
        for mult in (1.125, 4.0, 32.0, 1024.0):
            s = theta - mult * (c_est + delta) - mult * 1e-15 * abs(theta)
            if not s > above:
                break
            L = shifted_cholesky_test(M, rho, s, work=work)
            if L is not None:
                return s, L
        return None

    # first verification: Rump's test just below theta. Its factor (a shift just below
    # lambda_min) then refines the estimates. Skipped when Rump's constant alone would miss
    # rel_tol and the estimate is already accurate enough for Temple's bound.
    theta = float(th[0])
    c_est = coef * (trace + n * abs(theta)) + rho
    temple_ready = r <= r_stop
    lo, method = -math.inf, [None, "upper: rigorous Rayleigh quotient (a-priori product bound)"]
    tried = set()
    if not (1.125 * c_est > 0.5 * target and temple_ready):
        res = rump(-math.inf)
        if res is not None:
            lo, method[0] = res[0], _RUMP_TEST
            th, V, r = _refine(M, res[1], th, V, r, r_stop)
    v = V[:, 0].copy()
    # upper bound: Rayleigh quotient with a-priori product bounds
    W = _product_enclosure(M, R, v, work)
    q = _rayleigh_quotient(v, W)
    l2 = None

    def temple():
        t = _temple_bound(W, q, v, l2)
        return t if t is not None and t > lo else lo

    # while too wide, the cheapest remedy for the part that misses: Temple's bound or Rump's
    # test at the refined estimate for the lower bound, Dot2 products for the quotient
    while too_wide(lo, float(q.hi)):
        lower_part = not (q.lo - lo < q.hi - q.lo)
        if lower_part and "temple" not in tried and len(th) > 1:
            tried.add("temple")
            l2 = _second_eigenvalue_bound(M, rho, v, float(q.hi), float(th[1]), work)
            if l2 is not None and (t := temple()) > lo:
                lo, method[0] = t, _TEMPLE
        elif lower_part and "rump" not in tried:
            tried.add("rump")
            res = rump(lo)                # with the refined estimate: tighter than before
            if res is not None:
                lo, method[0] = res[0], _RUMP_TEST
        elif "dot2" not in tried:
            tried.add("dot2")
            W2 = matvec_enclosure(A, v, mid=M, rad=R)
            W = Interval._raw(np.maximum(W.lo, W2.lo), np.minimum(W.hi, W2.hi))
            q = _rayleigh_quotient(v, W)
            method[1] = "upper: rigorous Rayleigh quotient (Dot2)"
            if l2 is not None:
                lo = temple()
        else:
            break
    # lambda_min <= X_ii for every i: a rigorous upper bound whatever happened above
    hi = min(float(np.min(np.diagonal(A.hi))), float(q.hi) if q.hi == q.hi else math.inf)
    if lo == -math.inf:
        lo, method[0] = _gershgorin_lower(A, work), "lower: Gershgorin"
    lo = min(lo, hi)
    return SpectralEnclosure(lo, hi, "; ".join(method), "numpy", 53)


def _gershgorin_lower(A: Interval, work: np.ndarray) -> float:
    """Gershgorin: lambda_min >= min_i (X_ii - sum_{j != i} |X_ij|), all rounded downward
    (``work``, n x n, is overwritten)."""
    n = A.shape[0]
    mag = np.maximum(np.abs(A.lo), np.abs(A.hi), out=work)
    np.fill_diagonal(mag, 0.0)
    g = Fraction(gamma_const(max(n - 1, 1)))
    off = up(mag.sum(axis=1) * round_up_fraction(1 / (1 - g)))
    return float(np.min(down(np.diagonal(A.lo) - off)))


def _without_estimates(A: Interval, work: np.ndarray, reason: str) -> SpectralEnclosure:
    """The enclosure that needs no eigenpair estimate (module docstring): Gershgorin below,
    lambda_min <= X_ii above; ``method`` names the eigensolver's failure."""
    hi = float(np.min(np.diagonal(A.hi)))
    lo = min(_gershgorin_lower(A, work), hi)
    return SpectralEnclosure(lo, hi, f"{EIGENSOLVER_FAILED} ({reason}): lower: Gershgorin; upper: smallest "
                                     "diagonal entry", "numpy", 53)


# ---------------------------------------------------------------------- Arb escalation
_ARB_MAX_N = 400


def _lambda_min_arb(A: Interval, rel_tol: float, prec: int,
                    best: SpectralEnclosure) -> SpectralEnclosure | None:
    """lambda_min >= s - ||A - s I - L L^T||_2 with the residual in Arb at ``prec`` bits."""
    n = A.shape[0]
    if n > _ARB_MAX_N:
        return None
    from flint import arb, arb_mat

    from numerics.arith.balls import arb_from_bounds, arb_bounds
    M = A.mid()
    target = best.hi - 0.25 * rel_tol * max(abs(best.hi), 1e-300)
    work = np.empty((n, n))
    for frac in (0.25, 1.0, 4.0, 64.0):
        s = best.hi - frac * rel_tol * max(abs(best.hi), 1e-300) if frac != 0.25 else target
        L = _plain_cholesky(M, s, work)
        if L is None:
            continue
        Lt = np.tril(L)
        with arb_precision(prec):
            Aa = arb_mat([[arb_from_bounds(float(A.lo[i, j]), float(A.hi[i, j]))
                           for j in range(n)] for i in range(n)])
            La = arb_mat(Lt.tolist())
            E = Aa - La * La.transpose()
            sa = arb(s)
            norm = arb(0)
            for i in range(n):
                E[i, i] = E[i, i] - sa
            # ||E_X||_2 <= sqrt(||E||_1 ||E||_inf) <= max(row sums, column sums) of |E|
            # (the ball matrix need not be exactly symmetric, so both are taken)
            for i in range(n):
                row = arb(0)
                col = arb(0)
                for j in range(n):
                    row += abs(E[i, j])
                    col += abs(E[j, i])
                norm = norm.max(row).max(col)
            lo = arb_bounds(sa - norm)[0]
        if lo > best.lo:
            return SpectralEnclosure(min(lo, best.hi), best.hi,
                                     "lower: Arb residual of a float Cholesky factor "
                                     f"(lambda >= s - ||A - sI - LL^T||); {best.method}",
                                     "arb", prec)
    return None
