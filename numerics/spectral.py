"""Verified bounds on the spectrum of symmetric interval matrices.

Every statement is about **every** symmetric matrix ``X`` with ``A.lo <= X <= A.hi``; the
interval matrix is an enclosure of one unknown true matrix (e.g. the exact ``H_inf`` of the
inputs), so a bound valid for all ``X`` is valid for it.

Lower bounds (``lambda_min(X) > s``) -- Rump's positive-definiteness test with a shift
(Rump, BIT 46:433-452, 2006; the machine-checked constant of validsdp's
``corollary_2_4_with_c_upper_bound``, software_anchors.md 4.2 item 1, in the interval form of
Cor. 2.7 via Weyl's inequality): with ``m = mid(A)``, ``rho >= ||rad(A)||_2`` (max row sum),
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

Upper bounds -- Rayleigh quotients ``v^T X v / v^T v >= lambda_min(X)`` evaluated with
rigorous error bounds (compensated dot products, :mod:`numerics.accurate_dot`).

Cost: one or two float Cholesky factorizations (n^3/3 flops each), a few eigenpair estimates
(dense MRRR for n <= 600, else Lanczos on a shifted inverse plus block inverse iteration with
the Cholesky factor), and O(n^2) compensated products. Memory: the midpoint, the radius and one
work matrix (3 n^2 doubles) besides the input.

Escalation: when the float64 test cannot reach the requested tightness, Arb at doubling
precision recomputes the Cholesky residual ``A - s I - L L^T`` in ball arithmetic
(``lambda_min >= s - ||residual||_2``), up to the context's ``max_precision_bits``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from numerics.context import get_context
from numerics.interval import (ETA, U, Interval, as_interval, down, gamma_const,
                               round_up_fraction, up)
from numerics.verdict import Verdict


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
    if not (np.array_equal(Ai.lo, Ai.lo.T) and np.array_equal(Ai.hi, Ai.hi.T)):
        raise ValueError(f"{name} is not symmetric (lo and hi must equal their transposes)")
    return Ai


# ---------------------------------------------------------------------- Rump's test
def _radius_matrix(A: Interval, mid: np.ndarray, work: np.ndarray | None = None) -> np.ndarray:
    """Entrywise R >= |X - mid| for X in A (rounded up; one extra n x n buffer)."""
    R = np.subtract(A.hi, mid)
    np.nextafter(R, np.inf, out=R)
    tmp = np.subtract(mid, A.lo, out=work)
    np.nextafter(tmp, np.inf, out=tmp)
    np.maximum(R, tmp, out=R)
    np.maximum(R, 0.0, out=R)
    return R


def _row_sum_bound(R: np.ndarray) -> float:
    """Upper bound of ||R||_2 for a symmetric non-negative R: its largest row sum."""
    n = R.shape[0]
    rows = R.sum(axis=1)           # sums of non-negative floats: exact <= fl / (1 - gamma_{n-1})
    if not rows.any():
        return 0.0
    g = Fraction(gamma_const(max(n - 1, 1)))
    onep = round_up_fraction(1 / (1 - g))
    return float(up(up(rows.max()) * onep))


def _radius_norm_bound(A: Interval, mid: np.ndarray) -> float:
    """Upper bound of ||X - mid||_2 over X in A: max row sum of the entrywise radius."""
    return _row_sum_bound(_radius_matrix(A, mid))


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
    tr = float(up(math.fsum(diag.tolist())))
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


# ---------------------------------------------------------------------- eigen estimates
def _float_eigen_estimate(mid: np.ndarray, k: int = 2):
    """Float estimates of the k smallest eigenpairs of the symmetric float matrix ``mid``."""
    import scipy.linalg
    n = mid.shape[0]
    k = min(k, n)
    w, V = scipy.linalg.eigh(mid, subset_by_index=[0, k - 1], check_finite=False,
                             driver="evr")
    return w, V


def rayleigh_enclosure(A: Interval, v: np.ndarray, mid=None, rad=None) -> Interval:
    """Enclosure of ``v^T X v / v^T v`` over X in A (rigorous; v is an exact float vector)."""
    from numerics.accurate_dot import quadratic_form_enclosure, dot_enclosure
    num = quadratic_form_enclosure(A, v, mid=mid, rad=rad)
    den = dot_enclosure(v, v)
    return num / den


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
    from numerics.linalg import matmul_enclosure
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
    M = A.mid()
    rho = _radius_norm_bound(A, M)
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
    from scipy.linalg import solve_triangular
    Z = solve_triangular(L, Y, lower=True, check_finite=False)
    return solve_triangular(L, Z, lower=True, trans="T", check_finite=False, overwrite_b=True)


def _ritz(M: np.ndarray, V: np.ndarray):
    Q, _ = np.linalg.qr(V)
    Hs = Q.T @ (M @ Q)
    Hs = 0.5 * (Hs + Hs.T)
    th, S = np.linalg.eigh(Hs)
    return th, Q @ S


def _smallest_eigenpairs(M: np.ndarray, work: np.ndarray, k: int = 3):
    """Float estimates (theta, V) of the k smallest eigenpairs of the symmetric matrix M:
    Lanczos on a shifted inverse for a rough value, then block inverse iteration with a
    shift just below it (the Cholesky factor does the solves)."""
    n = M.shape[0]
    k = min(k, n)
    if n <= 600:   # dense LAPACK (MRRR) on a few eigenpairs is cheapest at these sizes
        import scipy.linalg
        th, V = scipy.linalg.eigh(M, subset_by_index=[0, k - 1], check_finite=False)
        return th, V
    from scipy.sparse.linalg import LinearOperator, eigsh
    sigma0 = 0.0
    L = _plain_cholesky(M, sigma0, work)
    if L is None:
        sigma0 = -1.01 * float(np.abs(M).sum(axis=1).max()) - 1e-300
        L = _plain_cholesky(M, sigma0, work)
        if L is None:
            raise np.linalg.LinAlgError("no positive definite shift found for M")
    op = LinearOperator((n, n), matvec=lambda x: _solve_factor(L, x.reshape(-1)),
                        dtype=np.float64)
    rng = np.random.default_rng(0)
    theta, V = eigsh(op, k=min(k, n - 1), which="LA", tol=1e-4, ncv=min(n - 1, 24),
                     v0=rng.standard_normal(n))
    lam = sigma0 + 1.0 / theta
    order = np.argsort(lam)
    lam, V = lam[order], V[:, order]
    spread = max(lam[-1] - lam[0], abs(lam[0]) * 1e-6, 1e-300)
    step = 3e-4 * (lam[0] - sigma0) + 1e-3 * spread
    sigma1 = lam[0] - step
    L = None
    for _ in range(8):
        L = _plain_cholesky(M, sigma1, work)
        if L is not None:
            break
        step *= 8
        sigma1 = lam[0] - step
    if L is None:
        return _ritz(M, V)
    th = lam
    Vb = np.column_stack([V, rng.standard_normal((n, 1))])
    scale = float(np.abs(M).max())
    for _ in range(40):
        Vb = _solve_factor(L, Vb)
        th, Vb = _ritz(M, Vb)
        r = M @ Vb[:, 0] - th[0] * Vb[:, 0]
        if np.linalg.norm(r) <= 1e-14 * scale * math.sqrt(n):
            break
    return th, Vb


def _temple_lower_bound(A: Interval, M: np.ndarray, R: np.ndarray, rho: float, v: np.ndarray,
                        q: Interval, theta2: float, work: np.ndarray) -> float | None:
    """Temple's lower bound with a proved lower bound l2 on lambda_2 (see module doc)."""
    from numerics.accurate_dot import matvec_enclosure
    n = M.shape[0]
    qhi = float(q.hi)
    if not theta2 > qhi:
        return None
    W = matvec_enclosure(A, v, mid=M, rad=R)    # X v over X in A
    resid = W - q * v                           # X v - q v
    nv = float(np.linalg.norm(v))
    with np.errstate(over="ignore"):
        e2 = float(up(np.sum(up(resid.mag() ** 2)) * (1 + 4 * n * U)))
    # ||v||^2 lower bound (v need not be exactly unit)
    from numerics.accurate_dot import dot_enclosure
    vv = float(dot_enclosure(v, v).lo)
    if not vv > 0:
        return None
    e2n = e2 / vv * (1 + 8 * U)                # ||Xv - qv||^2 / ||v||^2 (q from normalized v)
    # deflated matrix B = M + tau v v^T / ||v||^2 in float, its rounding in the radius
    tau = max(2.0 * (theta2 - qhi), 1e-3 * abs(theta2), 1e-300)
    u = v / nv
    absu = np.abs(u)
    rowabs = np.abs(M, out=work).sum(axis=1)    # work is overwritten below anyway
    for frac in (0.5, 0.2, 0.05):
        l2 = qhi + frac * (theta2 - qhi)
        np.multiply(u[:, None], (tau * u)[None, :], out=work)
        work += M
        # |B - (M + tau u u^T)| <= 4u (|M| + tau |u||u|^T) + 4 eta, and u is itself rounded:
        # cover ||v v^T/||v||^2 - u u^T|| by tau * 8 n u (crude; u has relative error <= 4 n u)
        extra = 4 * U * (rowabs + tau * absu * absu.sum()) + 4 * n * ETA
        rho_b = float(up(rho + float(extra.max()) * (1 + 8 * U) + tau * 8 * (n + 2) * U))
        B = work
        L = shifted_cholesky_test(B, rho_b, l2, work=B)  # in place: B is rebuilt per try
        if L is not None:
            gap = float(down(l2 - qhi))
            if gap <= 0:
                return None
            return float(down(q.lo - up(e2n / gap) * (1 + 8 * U)))
    return None


def _lambda_min_float(A: Interval, rel_tol: float) -> SpectralEnclosure:
    n = A.shape[0]
    if n == 1:
        return SpectralEnclosure(float(A.lo[0, 0]), float(A.hi[0, 0]), "1x1", "numpy", 53)
    M = A.mid()
    work = np.empty((n, n))
    R = _radius_matrix(A, M, work)       # memory: M, R, work (3 n^2) plus O(n) vectors
    rho = _row_sum_bound(R)
    th, V = _smallest_eigenpairs(M, work)
    v = V[:, 0].copy()
    q = rayleigh_enclosure(A, v, mid=M, rad=R)
    hi = float(q.hi)
    method = ["upper: rigorous Rayleigh quotient (Dot2)"]
    # lower bound 1: shifted Cholesky test just below the Rayleigh quotient
    diag_tr = float(np.abs(np.diagonal(M)).sum())
    c_est = _rump_constant(n) * (diag_tr + n * abs(float(q.lo))) + rho
    lo = -math.inf
    for mult in (1.5, 4.0, 32.0, 1024.0):
        s = float(q.lo) - mult * c_est - mult * 1e-15 * abs(float(q.lo))
        if shifted_cholesky_test(M, rho, s, work=work) is not None:
            lo = s
            method.insert(0, "lower: shifted Cholesky test (Rump 2006 / validsdp Cor. 2.4, "
                             "interval form Cor. 2.7)")
            break
    # lower bound 2: Temple with a proved gap to lambda_2
    if len(th) > 1 and (hi - lo) > rel_tol * max(abs(lo), abs(hi)):
        t = _temple_lower_bound(A, M, R, rho, v, q, float(th[1]), work)
        if t is not None and t > lo:
            lo = t
            method[0] = "lower: Temple inequality, lambda_2 gap by shifted Cholesky test"
    if lo == -math.inf:
        # fall back to a Gershgorin-type bound that always holds
        # Gershgorin: lambda_min >= min_i (X_ii - sum_{j != i} |X_ij|), all rounded downward
        mag = A.mag()
        np.fill_diagonal(mag, 0.0)
        g = Fraction(gamma_const(max(n - 1, 1)))
        off = up(mag.sum(axis=1) * round_up_fraction(1 / (1 - g)))
        lo = float(np.min(down(np.diagonal(A.lo) - off)))
        lo = min(lo, hi)
        method[0] = "lower: Gershgorin"
    lo = min(lo, hi)
    return SpectralEnclosure(lo, hi, "; ".join(method), "numpy", 53)


# ---------------------------------------------------------------------- Arb escalation
_ARB_MAX_N = 400


def _lambda_min_arb(A: Interval, rel_tol: float, prec: int,
                    best: SpectralEnclosure) -> SpectralEnclosure | None:
    """lambda_min >= s - ||A - s I - L L^T||_2 with the residual in Arb at ``prec`` bits."""
    n = A.shape[0]
    if n > _ARB_MAX_N:
        return None
    from flint import arb, arb_mat, ctx as fctx

    from numerics.balls import arb_from_bounds, arb_bounds
    M = A.mid()
    target = best.hi - 0.25 * rel_tol * max(abs(best.hi), 1e-300)
    work = np.empty((n, n))
    for frac in (0.25, 1.0, 4.0, 64.0):
        s = best.hi - frac * rel_tol * max(abs(best.hi), 1e-300) if frac != 0.25 else target
        L = _plain_cholesky(M, s, work)
        if L is None:
            continue
        Lt = np.tril(L)
        with fctx.workprec(prec):
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
