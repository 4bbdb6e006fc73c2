"""Instance certificates: an exact zero-loss global minimizer next to a given two-layer ReLU net.

Model (Du, Zhai, Poczos, Singh, arXiv:1810.02054v2, eq. 1-2): ``u_i(W) = m^{-1/2} sum_r a_r
relu(w_r . x_i)`` with ``a_r`` in {-1, +1} fixed, loss ``1/2 sum_i (u_i - y_i)^2``, and
``x_i = v_i / ||v_i||`` the exactly normalized stored rows ``v_i`` (real arithmetic).

What is proved (the lazy-training lemma of Du et al., made deterministic for one network).
Let ``W~`` be the given weights and ``S`` a set of neurons whose signs ``s_ri = 1{w_r . x_i > 0}``
are certain (``|w_r . x_i| > 0`` for every ``i``). Put
``H_S = (1/m) [sum_{r in S} s_ri s_rj] x_i . x_j`` (n x n), ``e = y - u(W~)``,
``alpha = H_S^{-1} e`` and ``dw_r = m^{-1/2} a_r sum_i s_ri alpha_i x_i`` for ``r`` in ``S``
(``dw_r = 0`` otherwise). If ``|dw_r . x_i| < |w_r . x_i|`` for all ``r`` in ``S`` and all ``i``,
no activation of a moved neuron changes sign, so
``u_i(W~ + dW) = u_i(W~) + m^{-1/2} sum_{r in S} a_r s_ri dw_r . x_i = u_i(W~) + (H_S alpha)_i = y_i``
(using ``a_r^2 = 1``): ``W* = W~ + dW`` has zero loss, hence is a global minimizer.

Every step is decided on enclosures: the normalized inputs (:func:`numerics.kernels.two_layer.
normalize_rows`), the margins and predictions (:func:`numerics.arith.interval.matmul_enclosure`), ``H_S``
(exact integer co-activation counts times an enclosure of ``x_i . x_j``), ``alpha`` by
:func:`numerics.linalg.solve.verified_solve` (which also proves ``H_S`` nonsingular), ``dW`` and the
strict inequalities. ``W*`` is a real matrix inside the reported enclosure; it is never rounded.

Weighted form (a strict generalization; all weights 1 is the construction above). With weights
``c_r`` in {2^-k : 0 <= k <= 12} for ``r`` in ``S``, put ``H_c = (1/m) [sum_{r in S} c_r s_ri s_rj]
x_i . x_j`` and ``dw_r = m^{-1/2} c_r a_r sum_i s_ri alpha_i x_i``, ``alpha = H_c^{-1} e``; the same
computation gives ``m^{-1/2} sum_{r in S} a_r s_ri dw_r . x_i = (H_c alpha)_i = e_i``. This is the
least-norm correction in the metric that makes small-margin neurons expensive to move: they move
less instead of being frozen outright. Weighted counts stay exact (dyadic weights).

Choosing ``S`` and ``c``: a float-guided search. For each threshold ``tau`` (neurons with
certified margin ``min_i |w_r . x_i| >= tau``), weights start at 1; a neuron whose float
correction would use more than ``float_slack`` of its margin has its weight divided by the next
power of two above the excess (frozen below 2^-12), and the float solve is repeated. The final
``(S, c)`` is then verified rigorously. The float part only *chooses*; it decides nothing.
A width with ``|S| d < n`` can never be certified (``rank H_S <= |S| d``) and is reported as such.
A point that is not certified gets a reason in the user's terms (:func:`reason_in_user_terms`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from numerics.arith.dyadic import exact_float64
from numerics.arith.interval import Interval
from numerics.arith.rounding import down, up
from numerics.arith.interval import sqrt as isqrt
from numerics.kernels.two_layer import normalize_rows
from numerics.arith.interval import matmul_enclosure
from numerics.linalg.solve import NotVerified, verified_solve

CERTIFIED = "certified"
NOT_CERTIFIED = "not-certified"
_BLOCK_ENTRIES = 2_000_000      # (neurons x inputs) entries per block of margins


@dataclass
class Attempt:
    """One rigorous verification of a stable set (what was tried, and why it failed)."""

    tau: float
    stable: int
    frozen_rounds: int
    outcome: str
    ratio_max: float | None = None

    def as_dict(self) -> dict:
        return {"tau": repr(float(self.tau)), "stable_neurons": int(self.stable),
                "frozen_rounds": int(self.frozen_rounds), "outcome": self.outcome,
                "ratio_max": None if self.ratio_max is None else repr(float(self.ratio_max))}


@dataclass
class LazyMinimizerResult:
    """Outcome of :func:`certify_lazy_minimizer`.

    When ``status == "certified"`` the following are proved: there is a real ``W* = W~ + dW``
    with ``u(W*) = y`` exactly, ``dw_r = 0`` for ``r`` outside ``stable``, every entry of ``dW``
    inside ``correction``, and the distances inside the stated intervals. Otherwise the fields
    describe the best attempt and nothing is claimed.
    """

    status: str
    reason: str
    n: int
    d: int
    m: int
    stable: np.ndarray                      # indices of S (int64)
    weights: np.ndarray                     # c_r in {2^-k} for r in S (1 = the plain construction)
    tau_threshold: float                    # the threshold that selected S (before freezing)
    tau: Interval | None = None             # min_{r in S, i} |w_r . x_i|
    lambda_min_HS: Interval | None = None
    lambda_min_method: str = ""
    alpha: Interval | None = None           # H_S^{-1} e
    correction: Interval | None = None      # dW restricted to S, shape (|S|, d)
    correction_max: Interval | None = None  # max_r ||dw_r||
    correction_fro: Interval | None = None  # ||dW||_F
    distance_from_init_max: Interval | None = None   # max_r ||w*_r - w_r(0)||
    sqrt_m_distance: Interval | None = None          # sqrt(m) * distance_from_init_max
    residual_norm: Interval | None = None   # ||y - u(W~)||_2
    ratio_max: float | None = None          # upper bound of max |dw_r.x_i| / |w_r.x_i| over S
    attempts: list[Attempt] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def certified(self) -> bool:
        return self.status == CERTIFIED


# ------------------------------------------------------------------------ validation
def check_network(X, y, W, a, W0=None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validate shapes and values; returns float64 copies ``(X, y, W, a, W0)`` (``W0 = W`` if None).

    Raises ValueError naming the argument, the value and what is allowed.
    """
    X = exact_float64(X)          # InexactConversion (a ValueError) names a value float64 would round
    y = exact_float64(y)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X: got shape {X.shape}; allowed: a non-empty 2-D array (n, d)")
    n, d = X.shape
    if y.shape != (n,):
        raise ValueError(f"y: got shape {y.shape}; allowed: shape ({n},), one label per input")
    if not np.isfinite(y).all():
        raise ValueError(f"y: entry {int(np.argmax(~np.isfinite(y)))} is not finite; allowed: finite labels")
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != d or W.shape[0] < 1:
        raise ValueError(f"W: got shape {W.shape}; allowed: (m, {d}) with m >= 1 (one row per neuron)")
    if not np.isfinite(W).all():
        i, j = np.argwhere(~np.isfinite(W))[0]
        raise ValueError(f"W[{i}, {j}]: got {W[i, j]!r}; allowed: finite weights")
    m = W.shape[0]
    a = np.asarray(a, dtype=np.float64)
    if a.shape != (m,):
        raise ValueError(f"a: got shape {a.shape}; allowed: ({m},), one output sign per neuron")
    bad = ~((a == 1.0) | (a == -1.0))
    if bad.any():
        r = int(np.argmax(bad))
        raise ValueError(f"a[{r}]: got {a[r]!r}; allowed: exactly -1 or +1 (the output layer is fixed)")
    if W0 is None:
        W0 = W
    W0 = np.asarray(W0, dtype=np.float64)
    if W0.shape != W.shape:
        raise ValueError(f"W0: got shape {W0.shape}; allowed: the shape of W, {W.shape}")
    if not np.isfinite(W0).all():
        i, j = np.argwhere(~np.isfinite(W0))[0]
        raise ValueError(f"W0[{i}, {j}]: got {W0[i, j]!r}; allowed: finite weights")
    return X, y, W, a, W0


# ------------------------------------------------------------------------ enclosures
def input_gram(Xn: Interval) -> Interval:
    """Enclosure of ``x_i . x_j`` with exactly symmetric endpoints and the exact diagonal 1."""
    G = matmul_enclosure(Xn, Xn.T)
    lo = np.maximum(G.lo, G.lo.T)
    hi = np.minimum(G.hi, G.hi.T)
    lo = np.clip(lo, -1.0, 1.0)      # |x_i . x_j| <= 1 for unit vectors
    hi = np.clip(hi, -1.0, 1.0)
    np.fill_diagonal(lo, 1.0)
    np.fill_diagonal(hi, 1.0)
    return Interval(lo, hi)


def _blocks(m: int, n: int):
    b = max(1, _BLOCK_ENTRIES // max(n, 1))
    for s in range(0, m, b):
        yield s, min(m, s + b)


@dataclass
class MarginSummary:
    """Rigorous facts about ``w_r . x_i`` for every neuron and input (computed in blocks)."""

    positive: np.ndarray      # (m, n) bool: w_r . x_i > 0 proved
    certain: np.ndarray       # (m,) bool: every sign of neuron r proved (no enclosure contains 0)
    min_margin: np.ndarray    # (m,) float: lower bound of min_i |w_r . x_i|
    predictions: Interval     # (n,) enclosure of u(W)
    mig: np.ndarray | None = None        # (m, n) lower bounds of |w_r . x_i| (kept when small enough)
    max_min_abs: np.ndarray | None = None  # (m,) upper bound of min_i |w_r . x_i|


_KEEP_MARGINS = 100_000_000     # keep the (m, n) margin bounds for the proof below this many entries


def margin_summary(Xn: Interval, W: np.ndarray, a: np.ndarray) -> MarginSummary:
    """Enclose ``Z = W X^T`` blockwise: signs, per-neuron margin lower bounds, and ``u(W)``."""
    m = W.shape[0]
    n = Xn.shape[0]
    positive = np.zeros((m, n), dtype=bool)
    certain = np.zeros(m, dtype=bool)
    min_margin = np.zeros(m)
    acc = Interval(np.zeros(n))
    XT = Xn.T
    keep = m * n <= _KEEP_MARGINS
    mig_all = np.empty((m, n)) if keep else None
    max_min_abs = np.empty(m)
    for s, e in _blocks(m, n):
        Z = matmul_enclosure(W[s:e], XT)
        positive[s:e] = Z.lo > 0
        known = (Z.lo > 0) | (Z.hi < 0)
        certain[s:e] = known.all(axis=1)
        mig = Z.mig()
        min_margin[s:e] = mig.min(axis=1)
        max_min_abs[s:e] = Z.mag().min(axis=1)
        if keep:
            mig_all[s:e] = mig
        relu = Interval(np.maximum(Z.lo, 0.0), np.maximum(Z.hi, 0.0))
        acc = acc + matmul_enclosure(a[s:e], relu)
    u = acc / isqrt(Interval(float(m)))
    return MarginSummary(positive, certain, min_margin, u, mig_all, max_min_abs)


def coactivation_counts(P: np.ndarray) -> np.ndarray:
    """Exact ``C_ij = #{r : P_ri and P_rj}`` for a boolean (k, n) pattern, as float64 integers.

    Blocks of at most 2^24 rows are multiplied in float32 (every partial sum is an integer
    <= 2^24, hence exact) and accumulated in float64 (exact below 2^53).
    """
    k, n = P.shape
    if k >= 2 ** 53:
        raise ValueError(f"P: got {k} rows; allowed: fewer than 2**53")
    C = np.zeros((n, n))
    step = min(1 << 24, max(1, 4_000_000 // max(n, 1)))
    for s in range(0, k, step):
        B = P[s:s + step].astype(np.float32)
        C += (B.T @ B).astype(np.float64)
    return C


def stable_gram(C: np.ndarray, G: Interval, m: int) -> Interval:
    """Enclosure of ``H_S = (1/m) C o G`` for exact non-negative counts ``C`` (symmetric
    endpoints kept).

    Because ``C >= 0`` and ``m > 0``, ``c g / m`` is increasing in ``g``: the bounds are
    ``down(down(C G.lo) / m)`` and ``up(up(C G.hi) / m)``. Each product and quotient is one
    correctly rounded operation, so one step to the neighbouring float (``down``/``up``) encloses
    its exact value (subnormal results included: the rounding error is at most half a spacing).
    """
    C = np.asarray(C, dtype=np.float64)
    if (C < 0).any() or not np.isfinite(C).all():
        raise ValueError("C: allowed: finite non-negative counts")
    mf = float(m)
    if not (mf >= 1 and mf == m):
        raise ValueError(f"m: got {m!r}; allowed: a positive integer below 2**53")
    with np.errstate(over="ignore", under="ignore"):
        lo = down(down(C * G.lo) / mf)
        hi = up(up(C * G.hi) / mf)
    lo = np.minimum(lo, lo.T)
    hi = np.maximum(hi, hi.T)
    return Interval(lo, hi)


def _row_norms(A: Interval) -> Interval:
    """Enclosure of the Euclidean norm of each row of ``A`` (k, d)."""
    sq = Interval(np.where(A.mig() > 0, down(A.mig() * A.mig()), 0.0), up(A.mag() * A.mag()))
    sq = Interval(np.maximum(sq.lo, 0.0), sq.hi)
    return isqrt(sq.sum(axis=1))


def _interval_max(x: Interval) -> Interval:
    return Interval(float(x.lo.max()), float(x.hi.max()))


# ------------------------------------------------------------------------ one stable set
MAX_LEVEL = 12   # weights are 2^-k, k = 0..MAX_LEVEL, or 0 (frozen)


def check_weights(c: np.ndarray) -> np.ndarray:
    """Weights must be 0 or 2^-k with 0 <= k <= MAX_LEVEL (so every weighted count is exact)."""
    c = np.asarray(c, dtype=np.float64)
    ok = (c == 0) | np.isin(c, 2.0 ** -np.arange(MAX_LEVEL + 1))
    if not ok.all():
        r = int(np.argmax(~ok))
        raise ValueError(f"weights[{r}]: got {c[r]!r}; allowed: 0 or 2**-k for k in 0..{MAX_LEVEL}")
    return c


def weighted_counts(P: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Exact ``C_ij = sum_r c_r P_ri P_rj`` for dyadic weights ``c_r`` in {0} u {2^-k}.

    One float64 product ``(c P)^T P`` in row blocks: every term is 0 or 2^-k (k <= MAX_LEVEL),
    so every partial sum, in any summation order, is a multiple of 2^-MAX_LEVEL below
    ``m < 2^(53 - MAX_LEVEL)`` and is representable; no addition rounds.
    """
    k, nn = P.shape
    if k * 2.0 ** MAX_LEVEL >= 2.0 ** 53:
        raise ValueError(f"P: got {k} rows; allowed: fewer than 2**{53 - MAX_LEVEL}")
    c = check_weights(c)
    if c.shape != (k,):
        raise ValueError(f"c: got shape {c.shape}; allowed: ({k},)")
    if (c == 1).all():
        return coactivation_counts(P)
    C = np.zeros((nn, nn))
    step = max(1, 4_000_000 // max(nn, 1))
    for s in range(0, k, step):
        B = P[s:s + step].astype(np.float64)
        C += (B * c[s:s + step, None]).T @ B
    return C


@dataclass
class _Verification:
    ok: bool
    reason: str
    alpha: Interval | None = None
    dW: Interval | None = None
    tau: Interval | None = None
    ratio_max: float | None = None
    H: Interval | None = None


def _scale_exact(x: np.ndarray, c: np.ndarray, direction) -> np.ndarray:
    """``c * x`` for powers of two ``c``: exact unless the product is subnormal (then rounded)."""
    p = c * x
    tiny = (np.abs(p) < 2.0 ** -1000) & (p != 0) | ((p == 0) & (x != 0) & (c != 0))
    if tiny.any():
        p = np.where(tiny, direction(p), p)
    return p


def verify_stable_set(Xn: Interval, G: Interval, W: np.ndarray, a: np.ndarray, e: Interval,
                      positive: np.ndarray, stable: np.ndarray, m: int,
                      weights: np.ndarray | None = None, C: np.ndarray | None = None,
                      margins: MarginSummary | None = None) -> _Verification:
    """Rigorously verify the lazy minimizer for the neurons ``stable`` with weights ``weights``.

    Generalized construction (weights ``c_r`` in {2^-k}; all ones is the plain one of Du et al.):
    ``H_c = (1/m) sum_{r in S} c_r s_ri s_rj x_i . x_j``, ``alpha = H_c^{-1} e``,
    ``dw_r = m^{-1/2} c_r a_r sum_i s_ri alpha_i x_i``; then
    ``m^{-1/2} sum_r a_r s_ri dw_r . x_i = (H_c alpha)_i = e_i``. ``e`` encloses ``y - u(W)``;
    ``positive`` holds the proved signs; ``C`` (optional) the exact weighted counts;
    ``margins`` (optional) the :class:`MarginSummary` of ``W`` whose kept enclosure bounds of
    ``|w_r . x_i|`` are reused instead of enclosing ``W X^T`` again (the same bounds).
    """
    n, d = Xn.shape
    k = len(stable)
    c = np.ones(k) if weights is None else check_weights(weights)
    if c.shape != (k,):
        raise ValueError(f"weights: got shape {c.shape}; allowed: ({k},), one per stable neuron")
    if k * d < n:
        return _Verification(False, f"rank: |S| d = {k} * {d} < n = {n}, so H_S is singular")
    Ps = positive[stable]
    if C is None:
        C = weighted_counts(Ps, c)
    H = stable_gram(C, G, m)
    try:
        alpha = verified_solve(H, e)
    except NotVerified as exc:
        return _Verification(False, f"H_S not proved nonsingular: {exc}", H=H)
    # A_ri = c_r s_ri alpha_i, exact (0, or alpha's endpoints times a power of two)
    if (c == 1.0).all():           # c_r alpha_i = alpha_i exactly
        A = Interval(np.where(Ps, alpha.lo[None, :], 0.0), np.where(Ps, alpha.hi[None, :], 0.0))
    else:
        cc = c[:, None]
        A = Interval(np.where(Ps, _scale_exact(alpha.lo[None, :], cc, down), 0.0),
                     np.where(Ps, _scale_exact(alpha.hi[None, :], cc, up), 0.0))
    scale = 1.0 / isqrt(Interval(float(m)))           # encloses m^-1/2
    dW = matmul_enclosure(A, Xn) * scale               # m^-1/2 c_r sum_i s_ri alpha_i x_i
    neg = a[stable] < 0
    dW = Interval(np.where(neg[:, None], -dW.hi, dW.lo), np.where(neg[:, None], -dW.lo, dW.hi))
    # strict inequalities |dw_r . x_i| < |w_r . x_i|, blockwise
    ratio = 0.0
    tau_lo, tau_hi = np.inf, np.inf
    XT = Xn.T
    ok = True
    reuse = margins is not None and margins.mig is not None
    for s, t in _blocks(k, n):
        if reuse:
            mig = margins.mig[stable[s:t]]
            mag_min = float(margins.max_min_abs[stable[s:t]].min())
        else:
            Z = matmul_enclosure(W[stable[s:t]], XT)
            mig = Z.mig()
            mag_min = float(Z.mag().min())
        if not (mig > 0).all():
            return _Verification(False, "a neuron of S has an activation whose sign is not proved",
                                 alpha=alpha, dW=dW, H=H)
        tau_lo = min(tau_lo, float(mig.min()))
        tau_hi = min(tau_hi, mag_min)
        Dz = matmul_enclosure(dW[s:t], XT) if d < n else matmul_enclosure(A[s:t], G) * scale
        mag = Dz.mag()
        if not (mag < mig).all():
            ok = False
        ratio = max(ratio, float(up(mag / mig).max()))
    tau = Interval(tau_lo, tau_hi)
    if not ok:
        return _Verification(False, "pattern not preserved: some |dw_r . x_i| is not proved "
                             "< |w_r . x_i|", alpha=alpha, dW=dW, tau=tau, ratio_max=ratio, H=H)
    return _Verification(True, "all inequalities proved", alpha, dW, tau, ratio, H)


# ------------------------------------------------------------------------ float-guided choice
def _count_update(P: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact ``sum_r w_r P_r P_r^T`` for differences ``w_r`` of two weights in {0} u {2^-k}:
    every term and partial sum is a multiple of 2^-MAX_LEVEL of magnitude <= m, so float64
    represents each exactly and no addition rounds."""
    nn = P.shape[1]
    C = np.zeros((nn, nn))
    step = max(1, 4_000_000 // max(nn, 1))
    for s in range(0, P.shape[0], step):
        B = P[s:s + step].astype(np.float64)
        C += (B * w[s:s + step, None]).T @ B
    return C


def _float_weights(Xf: np.ndarray, Gf: np.ndarray, W: np.ndarray, a: np.ndarray, ef: np.ndarray,
                   positive: np.ndarray, stable: np.ndarray, m: int, float_slack: float,
                   max_rounds: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int, bool]:
    """Choose dyadic weights so that the float correction uses at most ``float_slack`` of each margin.

    Start from ``c_r = 1``; a neuron whose float ratio ``max_i |dw_r.x_i| / |w_r.x_i|`` exceeds
    the slack has its weight divided by the next power of two above ``ratio / slack`` (frozen,
    ``c_r = 0``, below 2^-MAX_LEVEL); repeat with the new ``alpha``. Returns
    ``(stable, weights, counts, rounds, plausible)`` with frozen neurons dropped; counts are exact
    (updated by exact dyadic differences) or None when the set became rank deficient;
    ``plausible`` is False when the float ratios still exceed 1 (a rigorous check would fail).
    """
    n, d = Xf.shape
    c = np.ones(len(stable))
    C = coactivation_counts(positive[stable])
    rounds = 0
    last_bad = len(stable) + 1
    ratio = np.zeros(len(stable))
    while True:
        live = c > 0
        if int(live.sum()) * d < n:
            return stable[live], c[live], None, rounds, False
        try:
            alpha = np.linalg.solve(C * Gf / m, ef)
        except np.linalg.LinAlgError:
            return stable[live], c[live], C, rounds, False
        if not np.isfinite(alpha).all():
            return stable[live], c[live], C, rounds, False
        ratio = np.zeros(len(stable))
        for s, t in _blocks(len(stable), n):
            idx = stable[s:t]
            P = positive[idx]
            coef = (P * alpha[None, :]) * (c[s:t, None] * a[idx, None] / np.sqrt(m))
            D = (coef @ Xf) @ Xf.T if d < n else coef @ Gf
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio[s:t] = np.nan_to_num(np.abs(D) / np.abs(W[idx] @ Xf.T), nan=np.inf).max(axis=1)
        bad = np.flatnonzero(live & (ratio > float_slack))
        if bad.size == 0 or rounds >= max_rounds:
            break
        if rounds >= 8 and bad.size >= last_bad:
            break           # the freezing cascades instead of settling
        last_bad = bad.size
        old = c[bad].copy()
        with np.errstate(divide="ignore"):
            shift = np.ceil(np.log2(ratio[bad] / float_slack))
        new = np.where(np.isfinite(shift), old * 2.0 ** -np.minimum(shift, 60), 0.0)
        new[new < 2.0 ** -MAX_LEVEL] = 0.0
        c[bad] = new
        C = C + _count_update(positive[stable[bad]], new - old)
        rounds += 1
    live = c > 0
    plausible = bool((ratio[live] <= 1.0).all())
    return stable[live], c[live], C, rounds, plausible


def default_taus(min_margin: np.ndarray, certain: np.ndarray) -> list[float]:
    """Thresholds tried: 0 (every neuron with proved signs), then margin quantiles."""
    mm = min_margin[certain]
    if mm.size == 0:
        return [0.0]
    qs = np.quantile(mm, [0.1, 0.25, 0.5])
    return [0.0] + sorted(set(float(q) for q in qs if q > 0))


def certify_lazy_minimizer(X, y, W, a, W0=None, *, taus=None, float_slack: float = 0.9,
                           max_freeze_rounds: int = 25, lambda_min: bool = True) -> LazyMinimizerResult:
    """Try to prove that a zero-loss global minimizer lies next to the network ``(W, a)``.

    ``X`` (n, d): stored inputs (normalized exactly inside); ``y`` (n,); ``W`` (m, d) the weights
    at which to certify; ``a`` (m,) in {-1, +1}; ``W0`` the initialization distances are measured
    from (default ``W``). ``taus``: margin thresholds to try (default :func:`default_taus`).
    Returns a :class:`LazyMinimizerResult`; ``status == "certified"`` only when every inequality
    was proved on enclosures.
    """
    t0 = time.perf_counter()
    X, y, W, a, W0 = check_network(X, y, W, a, W0)
    if not (0 < float_slack <= 1):
        raise ValueError(f"float_slack: got {float_slack!r}; allowed: 0 < float_slack <= 1")
    n, d = X.shape
    m = W.shape[0]
    Xn = normalize_rows(X)
    G = input_gram(Xn)
    ms = margin_summary(Xn, W, a)
    e = Interval(y) - ms.predictions
    residual = isqrt(Interval(np.where(e.mig() > 0, down(e.mig() ** 2), 0.0), up(e.mag() ** 2)).sum())
    Xf, Gf, ef = Xn.mid(), G.mid(), e.mid()
    if taus is None:
        taus = default_taus(ms.min_margin, ms.certain)
    taus = [float(t) for t in taus]
    if any(not np.isfinite(t) or t < 0 for t in taus):
        raise ValueError(f"taus: got {taus!r}; allowed: finite thresholds >= 0")

    result = LazyMinimizerResult(NOT_CERTIFIED, "", n, d, m, np.zeros(0, dtype=np.int64), np.zeros(0), 0.0,
                                 residual_norm=residual)
    same = same_input_reason(X, y)
    if same is not None:
        result.reason = same
        result.seconds = time.perf_counter() - t0
        return result
    if m * d < n:
        result.reason = (f"m d = {m * d} < n = {n}: no interpolating net of this width has a full-rank H_S "
                         f"(the Jacobian has rank <= m d; take m >= {-(-n // d)})")
        result.seconds = time.perf_counter() - t0
        return result
    best: _Verification | None = None
    seen: set[bytes] = set()
    for tau in taus:
        cand = np.flatnonzero(ms.certain & (ms.min_margin > 0) & (ms.min_margin >= tau)).astype(np.int64)
        stable, c, C, rounds, plausible = _float_weights(Xf, Gf, W, a, ef, ms.positive, cand, m,
                                                         float_slack, max_freeze_rounds)
        key = stable.tobytes() + c.tobytes()
        if key in seen:
            continue
        seen.add(key)
        if C is not None and not plausible:
            # the float correction still exceeds some margin: skip the (costly) rigorous check
            v = _Verification(False, f"float search found no weighting that keeps the pattern "
                                     f"(after {rounds} rounds); nothing verified")
        else:
            v = verify_stable_set(Xn, G, W, a, e, ms.positive, stable, m, c, C, margins=ms)
        reached_rigorous = C is not None and plausible
        result.attempts.append(Attempt(tau, len(stable), rounds,
                                       CERTIFIED if v.ok else v.reason, v.ratio_max))
        if best is None or v.ok or (v.alpha is not None and best.alpha is None):
            best, result.stable, result.weights, result.tau_threshold = v, stable, c, tau
        if v.ok or not reached_rigorous:
            break       # larger thresholds only start from fewer neurons
    if best is None:
        result.reason = ("no neuron has activations of proved sign on every input: the point cannot be "
                         "certified; train or search from another point")
        result.seconds = time.perf_counter() - t0
        return result
    return _finish(result, best, W, W0, lambda_min, t0)


def certify_with_witness(X, y, W, a, W0, stable, weights, *, lambda_min: bool = True) -> LazyMinimizerResult:
    """Verify the lazy minimizer for a *given* stable set and weights (the witness a certificate
    records), without the float-guided search: the same rigorous steps as
    :func:`certify_lazy_minimizer`, so the same real ``W*`` whatever machine runs it.

    ``stable``: indices of S (distinct, in 0..m-1); ``weights``: ``c_r`` in {2^-k} per index.
    ValueError names a malformed witness.
    """
    t0 = time.perf_counter()
    X, y, W, a, W0 = check_network(X, y, W, a, W0)
    n, d = X.shape
    m = W.shape[0]
    stable = np.asarray(stable)
    if stable.ndim != 1 or not np.issubdtype(stable.dtype, np.integer) or len(np.unique(stable)) != len(stable) \
            or (len(stable) and (stable.min() < 0 or stable.max() >= m)):
        raise ValueError(f"stable: got {stable!r}; allowed: distinct neuron indices in 0..{m - 1}")
    c = check_weights(weights)
    if c.shape != stable.shape or (c == 0).any():
        raise ValueError(f"weights: got shape {c.shape}; allowed: one weight 2**-k per stable neuron")
    stable = stable.astype(np.int64)
    Xn = normalize_rows(X)
    G = input_gram(Xn)
    ms = margin_summary(Xn, W, a)
    e = Interval(y) - ms.predictions
    residual = isqrt(Interval(np.where(e.mig() > 0, down(e.mig() ** 2), 0.0), up(e.mag() ** 2)).sum())
    result = LazyMinimizerResult(NOT_CERTIFIED, "", n, d, m, stable, c, 0.0, residual_norm=residual)
    best = verify_stable_set(Xn, G, W, a, e, ms.positive, stable, m, c, margins=ms)
    result.attempts.append(Attempt(0.0, len(stable), 0, CERTIFIED if best.ok else best.reason, best.ratio_max))
    return _finish(result, best, W, W0, lambda_min, t0)


def _finish(result: LazyMinimizerResult, best: _Verification, W: np.ndarray, W0: np.ndarray,
            lambda_min: bool, t0: float) -> LazyMinimizerResult:
    """Fill the result's enclosures from the verification of its stable set."""
    m = result.m
    result.alpha, result.tau, result.ratio_max = best.alpha, best.tau, best.ratio_max
    result.correction = best.dW
    result.reason = best.reason
    if best.H is not None and lambda_min:
        result.lambda_min_HS, result.lambda_min_method = _lambda_min(best.H)
    if best.dW is not None:
        norms = _row_norms(best.dW)
        result.correction_max = _interval_max(norms)
        result.correction_fro = isqrt((norms * norms).sum())
        moved = Interval(W) - W0
        moved_S = moved[result.stable] + best.dW
        lo, hi = moved.lo.copy(), moved.hi.copy()
        lo[result.stable], hi[result.stable] = moved_S.lo, moved_S.hi
        dist = _interval_max(_row_norms(Interval(lo, hi)))
        result.distance_from_init_max = dist
        result.sqrt_m_distance = dist * isqrt(Interval(float(m)))
    if best.ok:
        result.status = CERTIFIED
    else:
        result.reason = reason_in_user_terms(result)
    result.seconds = time.perf_counter() - t0
    return result


def same_input_reason(X: np.ndarray, y: np.ndarray) -> str | None:
    """Why no point can be certified when two rows have the same normalized input (exact test,
    :func:`numerics.kernels.input_rays.ray_classes`): with different labels no network fits
    both; with equal labels H_S has two equal rows. None when all inputs differ."""
    from numerics.kernels.input_rays import ray_classes

    pairs = [(g[0], j) for g in ray_classes(X) for j in g[1:]]
    if not pairs:
        return None
    i, j = next(((i, j) for i, j in pairs if y[i] != y[j]), pairs[0])
    how = "identical" if np.array_equal(X[i], X[j]) else "parallel (the same normalized input)"
    if y[i] != y[j]:
        return f"inputs {i} and {j} are {how} with different labels: no network interpolates them"
    return (f"inputs {i} and {j} are {how} with the same label: H_S has two equal rows and is "
            "singular; merge them (certify merges such rows unless data.duplicates = \"keep\")")


_FAR_FROM_ZERO_LOSS = ("rank:", "pattern not preserved", "float search found no weighting",
                       "a neuron of S has an activation")


def reason_in_user_terms(result: LazyMinimizerResult) -> str:
    """The reason a point was not certified, said as what to do, followed by the technical
    detail in brackets. Failures of the correction to keep the activation pattern (too large a
    step for the margins) mean the point is not near zero loss: the residual is named."""
    detail = result.reason
    res = result.residual_norm
    size = f"{float(res.hi):.2g}" if res is not None else "unknown"
    if detail.startswith(_FAR_FROM_ZERO_LOSS):
        return (f"the point is not near zero loss (||y - u|| = {size}): run the search or train longer "
                f"[{detail}]")
    if detail.startswith("H_S not proved nonsingular"):
        return (f"H_S is not proved nonsingular at this point (||y - u|| = {size}); near-parallel inputs "
                f"or too few stable neurons make it near singular: a wider net or another point may "
                f"certify [{detail}]")
    return detail


def _lambda_min(H: Interval) -> tuple[Interval | None, str]:
    try:
        from numerics.linalg.spectral import lambda_min_enclosure
        enc = lambda_min_enclosure(H)
    except (ImportError, ValueError, ArithmeticError) as exc:
        return None, f"not computed ({type(exc).__name__}: {exc})"
    return Interval(enc.lo, enc.hi), f"{enc.method} ({enc.backend}/{enc.precision_bits})"
