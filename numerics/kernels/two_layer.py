"""Kernel Gram matrices as interval matrices, and exact parallel-input detection.

Inputs are the stored float vectors ``v_i`` (rows of ``X``); every statement is about the
exactly normalized points ``x_i = v_i / ||v_i||`` (real arithmetic), never about a float
normalization of them.

* :func:`normalize_rows` -- interval enclosure of the ``x_i``.
* :func:`two_layer_relu_gram` -- interval enclosure of Du et al.'s ``H_inf`` (arXiv 1810.02054,
  Sec. 3, eq. for H^inf; closed form 1901.08584 eq. 3):
  ``H_ij = x_i.x_j (pi - arccos(x_i.x_j)) / (2 pi)``; the diagonal is exactly 1/2.
* :func:`parallel_pairs` -- exact (integer arithmetic) list of parallel/antiparallel pairs.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from numerics.arith import elementary, elementary_proved
from numerics.arith.interval import Interval
from numerics.arith.rounding import ETA, down, gamma_const, round_up_fraction, up


def _check_data(X, name: str = "X") -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n, d), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must be non-empty, got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.floating) and not np.issubdtype(X.dtype, np.integer):
        raise TypeError(f"{name} must hold real numbers, got dtype {X.dtype}")
    if X.dtype != np.float64:
        from numerics.arith.dyadic import exact_float64

        X = exact_float64(X)     # InexactConversion (a ValueError) names an entry float64 would round
    if not np.isfinite(X).all():
        bad = np.argwhere(~np.isfinite(X))[0].tolist()
        raise ValueError(f"{name} has a non-finite entry at {bad}; allowed: finite floats")
    zero = ~X.any(axis=1)
    if zero.any():
        raise ValueError(f"{name} row {int(np.argmax(zero))} is the zero vector; a zero input "
                         "cannot be normalized (allowed: nonzero rows)")
    return X


def _scaled_rows(X: np.ndarray) -> Interval:
    """Rows scaled by powers of two so that max |entry| is in [1/2, 1); exact unless an entry
    underflows, in which case that entry becomes a one-ulp interval."""
    _, e = np.frexp(np.abs(X).max(axis=1))
    s = np.ldexp(X, -e[:, None])
    exact = np.ldexp(s, e[:, None]) == X
    if exact.all():
        return Interval._raw(s, s)
    return Interval._raw(np.where(exact, s, down(s)), np.where(exact, s, up(s)))


ACCURATE_NORMS_FROM_N = 1000
"""From this many rows on, row norms use Dot2 (the O(n d) loop is then negligible next to the
O(n^2 d) Gram product, and the smaller ``c`` keeps H_inf's relative lambda_min width below 1e-8)."""


def _unit_rows(X: np.ndarray, accurate: bool = False) -> tuple[np.ndarray, float, float]:
    """Float unit rows ``M`` and constants ``(c, e)`` with ``|x_ik - M_ik| <= c |M_ik| + e`` for
    the exact ``x_i = v_i / ||v_i||`` (real arithmetic).

    Proof (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., Sec. 3.1; any
    summation order): for the power-of-two scaled row ``s`` (exact; entries that underflowed in
    the scaling are off by at most ETA, whose effect on ``x`` is at most ``4 sqrt(d) ETA`` since
    ``||s|| >= 1/2``), ``q ~ ||s||^2 = Q`` has relative error ``eps1``: ``gamma_d + 4 d ETA`` for
    the float sum of float squares, or, with ``accurate`` (Dot2 of s with itself, Ogita, Rump,
    Oishi 2005, Prop. 5.5/Thm. 5.3 with underflow: ``|q - Q| <= u Q + gamma_d^2/(1 - gamma_d) Q +
    16 d ETA``, and ``Q >= 1/4``), ``u + gamma_d^2/(1 - gamma_d) + 64 d ETA``. Then
    ``r = fl(sqrt(q)) = ||s|| (1 + eta)`` with ``|eta| <= u + eps1 + u eps1`` (``sqrt(1 + t)`` lies
    in ``[1 - |t|, 1 + |t|]``), ``M_k = fl(s_k / r) = (s_k / r)(1 + delta_k)`` (``|delta_k| <= u``,
    or an absolute ETA/2 in the subnormal range) and ``x_k = (s_k / r)(1 + eta)``, so
    ``|M_k - x_k| <= |M_k| (u + |eta|) / (1 - u) + ETA``.
    """
    from numerics.arith.accurate_dot import _dot2_constant
    from numerics.arith.error_free import two_product, two_sum
    S = _scaled_rows(X)
    n, d = X.shape
    exact_scaling = np.array_equal(S.lo, S.hi)
    # an inexact entry is the one-ulp interval [down(s0), up(s0)] around the rounded scaled value
    # s0 (|exact - s0| <= ETA/2): recover s0 exactly rather than a rounded midpoint
    s = S.lo if exact_scaling else np.where(S.lo == S.hi, S.lo, up(S.lo))
    u = Fraction(1, 2 ** 53)
    with np.errstate(under="ignore"):
        if accurate:
            cols = np.ascontiguousarray(s.T)
            p = np.zeros(n)
            err = np.zeros(n)
            for k in range(d):
                h, eh = two_product(cols[k], cols[k])
                p, es = two_sum(p, h)
                err += es + eh
            q = p + err
            eps1 = u + Fraction(_dot2_constant(d)) + 64 * d * Fraction(ETA)
        else:
            q = np.sum(s * s, axis=1)
            eps1 = Fraction(gamma_const(d)) + 4 * d * Fraction(ETA)
        r = np.sqrt(q)
        M = s / r[:, None]
    eta = u + eps1 + u * eps1
    c = round_up_fraction((u + eta) / (1 - u) * (1 + 8 * u))
    e = Fraction(ETA) if exact_scaling else Fraction(ETA) + 4 * Fraction(math.isqrt(d) + 1) * Fraction(ETA)
    return M, c, round_up_fraction(e)


def normalize_rows(X) -> Interval:
    """Enclosure of ``x_i = v_i / ||v_i||_2`` for the rows ``v_i`` of ``X`` (real arithmetic).

    Float unit rows with the a-priori error bound of :func:`_unit_rows`, intersected with
    ``[-1, 1]``. Raises ValueError naming the row for a zero row, and for non-finite or empty
    input.
    """
    X = _check_data(X)
    M, c, e = _unit_rows(X)
    with np.errstate(under="ignore"):
        R = up(up(np.abs(M) * c) + e)
    return Interval._raw(np.clip(down(M - R), -1.0, 1.0), np.clip(up(M + R), -1.0, 1.0))


# ---------------------------------------------------------------------- H_inf
_TAU = 0.999            # entries with |t| + rad > _TAU use the endpoint (interval) route
_DERIV = 6.0            # >= max |f'(s)| for |s| <= 0.9995, f(s) = s (pi - acos s)/(2 pi)
_INV_2PI = 1.0 / (2.0 * math.pi)


def _relu_kernel_interval(T: Interval) -> Interval:
    """Interval evaluation of f(t) = t (pi - arccos t) / (2 pi) on ``T ∩ [-1, 1]``."""
    T = Interval._raw(np.clip(T.lo, -1.0, 1.0), np.clip(T.hi, -1.0, 1.0))
    A = elementary.arccos(T)
    g = (elementary.pi_interval() - A) / (elementary.pi_interval() * 2.0)
    g = Interval._raw(np.maximum(g.lo, 0.0), np.minimum(g.hi, 0.5))
    return T * g


def _product_radius(d: int, c: float, e: float) -> float:
    """``rho >= |x_i.x_j - fl(m_i.m_j)|`` for all pairs, given ``|x_k - m_k| <= c |m_k| + e``.

    With ``B >= ||m||_2`` (``|m_k| (1 - c) <= |x_k| + e`` gives ``B = (1 + sqrt(d) e)/(1 - c)``),
    the float dot product errs by at most ``gamma_d sum |m_ik||m_jk| + 2 d ETA <= gamma_d B^2 +
    2 d ETA`` (Higham Sec. 3.1, with underflow), and
    ``sum |x_ik x_jk - m_ik m_jk| <= sum r_ik (|m_jk| + r_jk) + |m_ik| r_jk`` with
    ``r = c|m| + e`` is at most ``(2c + c^2) B^2 + e (2 + 2c) sqrt(d) B + d e^2`` (Cauchy-Schwarz
    for ``sum |m_ik||m_jk|``, ``||m||_1 <= sqrt(d) ||m||_2``). Exact rational arithmetic, rounded up.
    """
    c_, e_ = Fraction(c), Fraction(e)
    sq = Fraction(math.isqrt(d) + 1)               # >= sqrt(d)
    B = (1 + sq * e_) / (1 - c_)
    g = Fraction(gamma_const(d))
    total = g * B * B + 2 * d * Fraction(ETA) + (2 * c_ + c_ * c_) * B * B \
        + e_ * (2 + 2 * c_) * sq * B + d * e_ * e_
    return round_up_fraction(total)


def two_layer_relu_gram(X, block_rows: int = 128) -> Interval:
    """Interval matrix containing ``H_inf(i,j) = x_i.x_j (pi - arccos(x_i.x_j)) / (2 pi)``,
    ``x_i = v_i/||v_i||`` for the rows ``v_i`` of ``X`` (Du et al. 2019, arXiv 1810.02054).

    Method: ``t = fl(m_i.m_j)`` for the float unit rows ``m_i`` of :func:`_unit_rows`, with one
    a-priori bound ``rho`` for every pair (:func:`_product_radius`, Cauchy-Schwarz: so
    ``|x_i.x_j - t| <= rho``); one float product is the whole O(n^2 d) cost. Then away from ``|t| = 1`` the mean value theorem,
    ``|f(x_i.x_j) - f(t)| <= 6 rho_ij`` (|f'| <= 6 on [-0.9995, 0.9995]), plus the proved
    evaluation error of ``f(t)`` (:func:`_bulk_proved`; in the opt-in ``margin`` mode of
    :mod:`numerics.arith.elementary`, libm plus a margin, a premise). Entries with
    ``|t| + rho > 0.999`` are evaluated by interval arithmetic at the endpoints (arccos
    argument clipped to [-1, 1]: an exactly parallel pair still contains 1/2, an antiparallel
    pair contains 0). The diagonal is exactly [1/2, 1/2]. The result is exactly symmetric.
    """
    X = _check_data(X)
    n, d = X.shape
    M, c, e = _unit_rows(X, accurate=n >= ACCURATE_NORMS_FROM_N)
    rho = _product_radius(d, c, e)
    mode = elementary.elementary_mode_for_call()
    strict = mode == "arb"
    lo = np.empty((n, n))
    hi = np.empty((n, n))
    for s in range(0, n, block_rows):
        e_ = min(n, s + block_rows)
        t = M[s:e_] @ M[s:].T
        np.clip(t, -1.0, 1.0, out=t)
        edge = (np.abs(t) + rho) > _TAU
        if strict:
            edge[:] = True
        if mode == "margin":
            h, r = _bulk_margin(t, rho)
        else:
            h, r = _bulk_proved(t, rho)
        blo = h - r
        h += r
        bhi = h
        if edge.any():
            ii, jj = np.nonzero(edge)
            T = Interval._raw(down(t[ii, jj] - rho), up(t[ii, jj] + rho))
            F = _relu_kernel_interval(T)
            blo[ii, jj] = F.lo
            bhi[ii, jj] = F.hi
        # exact diagonal, then make the diagonal block symmetric
        idx = np.arange(e_ - s)
        blo[idx, idx + 0] = 0.5
        bhi[idx, idx + 0] = 0.5
        D_lo, D_hi = blo[:, : e_ - s], bhi[:, : e_ - s]
        np.minimum(D_lo, D_lo.T.copy(), out=D_lo)
        np.maximum(D_hi, D_hi.T.copy(), out=D_hi)
        lo[s:e_, s:] = blo
        hi[s:e_, s:] = bhi
        lo[s:, s:e_] = blo.T
        hi[s:, s:e_] = bhi.T
    return Interval._raw(lo, hi)


def _bulk_proved(t: np.ndarray, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """``(h, r)`` with ``|f(x) - h| <= r`` (before the final ``h -+ r`` rounding) for every exact
    ``x`` with ``|x - t| <= rho``, ``|t| + rho <= 0.999``, ``f(s) = s (pi - arccos s)/(2 pi)``.

    ``A`` from the proved arccos (:func:`numerics.arith.elementary_proved.arccos_values`) with its
    uniform bound ``eA`` (:func:`~numerics.arith.elementary_proved.arccos_uniform_error`, ~1e-15);
    ``d = fl(PI_LO - A)`` errs from ``pi - arccos t`` by ``eA + (pi - PI_LO) + u|d|
    <= eA (1 + 2u) + 4.8e-16``; the products by ``t`` and ``fl(1/(2 pi))`` add ``3u|h| + ETA``
    (docs/elementary_enclosures.md, "The two-layer kernel"); ``|f'| <= 6`` gives ``6 rho``.
    ``8u|h|``, ``16 ETA`` and the factor ``1 + 2**-48`` cover these, the rounding of ``r`` and of
    the final ``h -+ r``.
    """
    A = elementary_proved.arccos_values(t)
    eA = elementary_proved.arccos_uniform_error()
    h = np.subtract(elementary_proved.PI_LO, A, out=A)
    h *= t
    h *= _INV_2PI
    r = np.abs(t)
    r *= (eA + 4.81e-16) * 0.15916        # >= fl(1/(2 pi)) (1 + 2u) = 0.1591549..., slack >> u
    r += rho * _DERIV
    r += np.abs(h) * 2.0 ** -50
    r += 16 * ETA
    r *= 1.0 + 2.0 ** -48
    return h, r


def _bulk_margin(t: np.ndarray, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`_bulk_proved` under the libm margin premise of :mod:`numerics.arith.elementary`
    (opt-in ``margin`` mode; results are conditional on that premise)."""
    kmul = (elementary.MARGIN_ULPS + 6) * 2.0 ** -53
    a = np.arccos(t)
    h = np.subtract(math.pi, a, out=a)
    h *= t
    h *= _INV_2PI
    r = np.abs(t)
    r *= kmul
    r += rho * _DERIV
    r += np.abs(h) * 2.0 ** -51
    r += 16 * ETA
    r *= 1.0 + 2.0 ** -48
    return h, r


# ---------------------------------------------------------------------- parallel pairs
def parallel_pairs(X, block_rows: int | None = None) -> list[tuple[int, int, str]]:
    """All pairs ``i < j`` whose rows are exactly parallel (``"parallel"``: v_j = c v_i with
    c > 0) or antiparallel (``"antiparallel"``: c < 0), decided exactly by the integer ray keys
    of :mod:`numerics.kernels.input_rays` (no float pre-filter: subnormal entries and rows at
    any scale are decided like the others). ``block_rows`` is accepted for compatibility."""
    from numerics.kernels.input_rays import parallel_pairs as exact_pairs

    return exact_pairs(_check_data(X))
