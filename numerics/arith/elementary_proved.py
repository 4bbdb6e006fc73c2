"""Proved enclosures of elementary functions at exact float points, vectorized.

Each function takes a float array ``x`` (exact points) and returns float arrays ``(lo, hi)``
with ``lo <= f(x) <= hi``, using only correctly rounded ``+ - * /`` and ``sqrt`` of IEEE
binary64 (round to nearest, gradual underflow), exact argument reductions, and the certified
piecewise Taylor tables of :mod:`numerics.arith.taylor_pieces`. Constants (pi, ln 2, exp(k/8),
the pieces of pi/2 for the sine reduction) are enclosed by Arb balls, once per process.

Reductions (derivations: docs/elementary_enclosures.md):

* ``arcsin``: ``|x| <= 1/2`` from the table; ``1/2 < |x| <= 1``:
  ``arcsin|x| = pi/2 - 2 arcsin s``, ``s = sqrt((1 - |x|)/2)`` where ``1 - |x|`` is exact
  (Sterbenz) and ``/2`` exact, so only the square root rounds: ``|s_hat - s| <= u s_hat``, and
  ``|arcsin s_hat - arcsin s| <= u s_hat / sqrt(3/4)``. ``arccos x = 2 arcsin s`` (``x >= 0``),
  ``pi - 2 arcsin s`` (``x < 0``) with ``s = sqrt((1 - |x|)/2) <= sqrt(1/2)`` for every ``|x| <= 1``
  (``1 - |x|`` rounds below ``|x| = 1/2``: relative ``u``, covered in the bound).
* ``exp``: ``x = k/8 + t`` with ``k = rint(8x)``, ``t`` exact (Sterbenz), ``|t| <= 1/16``;
  ``exp x = exp(8a) exp(b/8) exp t`` (``k = 64 a + b``), the first two factors Arb enclosures
  (``[M_lo, M_hi] 2^K`` and ``[B_lo, B_hi]``).
* ``log``: ``x = 2^E m`` (exact), ``m`` in ``[3/4, 3/2)``; ``log x = E ln 2 + log m``.
* ``log1p``: table on ``[-1/2, 1/2]``; ``log(1 + x)`` with ``1 + x`` exact below ``-1/2``
  (Sterbenz) and enclosed by one-ulp neighbours above ``1/2``.
* ``expm1``: table on ``[-1/2, 1/2]``, ``exp x - 1`` outside.
* ``tanh``, ``erf``: odd; tables on ``[0, 19]`` and ``[0, 6]``; beyond, ``1 - f(x) < 2**-53``.
* ``sin``, ``cos``: ``|x| <= 2**20``: ``k = rint(2x/pi)``, ``r = x - k pi/2`` enclosed by an
  exact ``TwoSum`` and a three-part pi/2 (two 33-bit floats, whose products with ``|k| < 2**20``
  are exact, and an Arb interval); then the tables on ``|r| <= 0.83`` and the quadrant.
  Beyond ``2**20`` the values come from Arb (exact float argument, working precision its
  binary exponent plus 128 bits, so Arb's reduction modulo pi/2 keeps more than 100 correct bits;
  Arb's results are rigorous balls).
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np

from numerics.arith.context import arb_precision
from numerics.arith.error_free import two_sum
from numerics.arith.rounding import (
    ETA,
    U,
    down,
    round_down_fraction,
    round_up_fraction,
    up,
)
from numerics.arith.taylor_pieces import table

FMAX = float(np.finfo(np.float64).max)
PI_LO = 3.141592653589793                 # float(pi) < pi < PI_HI
PI_HI = float(np.nextafter(PI_LO, 4.0))
PIO2 = PI_LO / 2                          # float(pi/2) < pi/2
# |pi/2 - PIO2| < 6.13e-17 and |pi - PI_LO| < 1.23e-16 (checked with Arb in the tests); the
# constants below add the rounding u|V| of the final subtraction (|V| <= 2.1 resp. pi) and a
# slack >= 1e-18 that covers the float evaluation of the bounds themselves.
PIO2_GAP = 6.13e-17
PI_GAP = 1.23e-16
_C_PI = 1.24e-16 + 3.1416 * U + 1e-18     # arccos = PI_LO - 2 arcsin s on x < -1/2
_C_PIO2 = 6.2e-17 + 1.5708 * U + 1e-18    # arcsin = PIO2 - 2 arcsin s on |x| > 1/2
_SQRT_ERR = 1.1548 * U                    # u / sqrt(3/4), rounded up
_SQRT_ERR_FULL = 2.122 * U                # 1.5001 u * 1.41422 (arccos reduction on [0, 1])
TANH_SATURATION = 19.0                    # 1 - tanh x = 2/(e^{2x}+1) < 2**-53 for x >= 19
ERF_SATURATION = 6.0                      # 1 - erf x = erfc x < 2**-53 for x >= 6
EXP_OVERFLOW = 709.79                     # exp x > FMAX for x >= 709.79 (log FMAX = 709.7827)
EXP_UNDERFLOW = -745.2                    # exp x < 2**-1074 for x <= -745.2 (-744.44)
TRIG_MAX = 2.0 ** 20


def _interval(y: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``[y - e, y + e]`` rounded outward (each endpoint one ulp beyond its float value)."""
    with np.errstate(under="ignore"):
        return down(y - e), up(y + e)


# --------------------------------------------------------------------------- arcsin / arccos
def _arcsin_core(ax: np.ndarray):
    """For ``0 <= ax <= 1``: the table argument ``a`` (``ax`` or ``s``), its value ``S``, and
    ``eS >= |S - arcsin(a_exact)|`` where ``a_exact`` is ``ax`` or the exact ``sqrt((1-ax)/2)``."""
    big = ax > 0.5
    s = np.sqrt((1.0 - ax) * 0.5)
    a = np.where(big, s, ax)
    S, eS = table("arcsin").evaluate(a)
    eS = np.where(big, eS + s * _SQRT_ERR, eS)
    return big, S, eS


def arcsin_value_error(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(V, e)`` with ``|V - arcsin x| <= e`` for floats ``|x| <= 1``."""
    ax = np.abs(x)
    big, S, eS = _arcsin_core(ax)
    V = np.where(big, PIO2 - 2.0 * S, S)
    e = np.where(big, 2.0 * eS + _C_PIO2, eS)
    return np.copysign(V, x), e


def arccos_value_error(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(V, e)`` with ``|V - arccos x| <= e`` for floats ``|x| <= 1`` (branch-free, for the kernels).

    ``arccos x = 2 arcsin s`` (x >= 0) and ``pi - 2 arcsin s`` (x < 0), ``s = sqrt((1-|x|)/2)``
    in ``[0, sqrt(1/2)]``. ``1 - |x|`` rounds only for ``|x| < 1/2`` (relative ``u``); with the
    square root, ``|s_hat - s| <= 1.5001 u s_hat`` and, as ``arcsin' <= 1.41422`` there,
    ``|arcsin s_hat - arcsin s| <= 2.122 u s_hat``.
    """
    shape = np.shape(x)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    s = np.abs(x)
    np.subtract(1.0, s, out=s)
    s *= 0.5
    np.sqrt(s, out=s)
    S, eS = table("arcsin").evaluate(s)
    s *= _SQRT_ERR_FULL
    eS += s
    neg = np.signbit(x).astype(np.float64)   # 1.0 where x < 0 (also x = -0.0)
    S *= 2.0
    V = np.copysign(S, x, out=S)              # -2S where x < 0: exact
    V += neg * PI_LO                          # pi - 2S (one rounding) or 2S + 0 (exact)
    eS *= 2.0
    eS += neg * _C_PI
    return V.reshape(shape), eS.reshape(shape)


@functools.lru_cache(maxsize=1)
def arccos_uniform_error() -> float:
    """One bound ``E >= |V - arccos x|`` for every float ``|x| <= 1``, ``V`` from
    :func:`arccos_values`: ``2 (max table error + 2.122 u sqrt(1/2)(1 + u)) + C_PI``, rounded up."""
    with np.errstate(under="ignore"):
        e = up(table("arcsin").max_error + up(_SQRT_ERR_FULL * 0.70711))
        return float(up(up(2.0 * e) + _C_PI))


def arccos_values(x: np.ndarray) -> np.ndarray:
    """The values ``V`` of :func:`arccos_value_error` (same operations), without per-entry
    bounds: ``|V - arccos x| <= arccos_uniform_error()``. ``x`` a 2-D or 1-D float array."""
    shape = np.shape(x)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    s = np.abs(x)
    np.subtract(1.0, s, out=s)
    s *= 0.5
    np.sqrt(s, out=s)
    S = table("arcsin").values(s)
    S *= 2.0
    V = np.copysign(S, x, out=S)
    V += np.signbit(x) * PI_LO
    return V.reshape(shape)


def arcsin(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = _interval(*arcsin_value_error(x))
    return np.maximum(lo, np.where(x >= 0, 0.0, -PI_HI / 2)), np.minimum(hi, PI_HI / 2)


def arccos(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = _interval(*arccos_value_error(x))
    return np.maximum(lo, 0.0), np.minimum(hi, PI_HI)


# --------------------------------------------------------------------------- exp family
@functools.lru_cache(maxsize=1)
def _exp_grids():
    """``exp(8a) in [M_lo, M_hi] 2^K`` (M in [1/2, 1]) for a = amin..amax and
    ``exp(b/8) in [B_lo, B_hi]`` for b = 0..63, by Arb at 96 bits; ``exp(k/8)`` with
    ``k = 64 a + b`` is their product."""
    from flint import arb
    kmin, kmax = int(np.floor(EXP_UNDERFLOW * 8)) - 1, int(np.ceil(EXP_OVERFLOW * 8)) + 1
    amin, amax = kmin // 64, kmax // 64
    lo, hi, ex = [], [], []
    with arb_precision(96):
        for a in range(amin, amax + 1):
            v = arb(8 * a).exp()
            m, e = v.mid().man_exp()
            K = int(e) + int(m).bit_length()           # v < 2^K <= 2 v (within the ball's slack)
            a_lo, a_hi = _bounds(v * arb(2) ** (-K))
            lo.append(a_lo), hi.append(a_hi), ex.append(K)
        small = [_bounds((arb(b) / 8).exp()) for b in range(64)]
    return (amin, np.array(lo), np.array(hi), np.array(ex, dtype=np.int64),
            np.array([b[0] for b in small]), np.array([b[1] for b in small]))


def _bounds(v) -> tuple[float, float]:
    m, e = v.mid().man_exp()
    r, f = v.rad().man_exp()
    mid = Fraction(int(m)) * Fraction(2) ** int(e)
    rad = Fraction(int(r)) * Fraction(2) ** int(f)
    return round_down_fraction(mid - rad), round_up_fraction(mid + rad)


def exp(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    over = x >= EXP_OVERFLOW
    under = x <= EXP_UNDERFLOW
    xc = np.clip(x, EXP_UNDERFLOW, EXP_OVERFLOW)
    k = np.rint(xc * 8.0)
    t = xc - k * 0.125
    y, e = table("exp").evaluate(t)
    plo, phi = _interval(y, e)
    amin, mlo, mhi, K, blo, bhi = _exp_grids()
    a = np.floor(k * (1.0 / 64))                 # k = 64 a + b, 0 <= b < 64 (exact)
    ia = (a - amin).astype(np.intp)
    ib = (k - 64.0 * a).astype(np.intp)
    with np.errstate(under="ignore", over="ignore"):
        lo = down(down(np.take(mlo, ia) * np.take(blo, ib)) * plo)
        hi = up(up(np.take(mhi, ia) * np.take(bhi, ib)) * phi)
        KK = np.take(K, ia)
        lo_s, hi_s = np.ldexp(lo, KK), np.ldexp(hi, KK)
    tiny = 2.0 ** -1022
    lo_s = np.where(lo_s <= tiny, np.maximum(down(lo_s), 0.0), lo_s)
    hi_s = np.where(hi_s <= tiny, up(hi_s), hi_s)
    lo_s = np.where(lo_s == np.inf, FMAX, lo_s)
    lo_s = np.where(over, FMAX, np.where(under, 0.0, lo_s))
    hi_s = np.where(over, np.inf, np.where(under, ETA, hi_s))
    lo_s = np.where(x == -np.inf, 0.0, lo_s)
    hi_s = np.where(x == -np.inf, 0.0, hi_s)
    lo_s = np.where(x == np.inf, np.inf, lo_s)
    return lo_s, hi_s


def expm1(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    inner = np.abs(x) <= 0.5
    lo_t, hi_t = _interval(*table("expm1").evaluate(np.where(inner, x, 0.0)))
    elo, ehi = exp(np.where(inner, 0.0, x))
    with np.errstate(over="ignore"):
        lo = np.where(inner, lo_t, down(elo - 1.0))
        hi = np.where(inner, hi_t, up(ehi - 1.0))
    return np.maximum(lo, -1.0), hi


def _log_positive(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log at finite floats x > 0."""
    m, E = np.frexp(x)
    low = m < 0.75
    m = np.where(low, 2.0 * m, m)
    E = (E - low).astype(np.float64)
    lo_m, hi_m = _interval(*table("log").evaluate(m))
    a, b = _ln2()
    with np.errstate(under="ignore"):
        elo = down(np.where(E >= 0, E * a, E * b))
        ehi = up(np.where(E >= 0, E * b, E * a))
        elo = np.where(E == 0, 0.0, elo)
        ehi = np.where(E == 0, 0.0, ehi)
        lo = np.where(E == 0, lo_m, down(elo + lo_m))
        hi = np.where(E == 0, hi_m, up(ehi + hi_m))
    return lo, hi


@functools.lru_cache(maxsize=1)
def _ln2() -> tuple[float, float]:
    from flint import arb
    with arb_precision(128):
        return _bounds(arb(2).log())


def log(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log at floats x >= 0 (``log 0 = -inf``, ``log inf = inf``)."""
    x = np.asarray(x, dtype=np.float64)
    ok = (x > 0) & (x < np.inf)
    lo, hi = _log_positive(np.where(ok, x, 1.0))
    lo = np.where(x == 0, -np.inf, np.where(x == np.inf, FMAX, lo))
    hi = np.where(x == 0, -np.inf, np.where(x == np.inf, np.inf, hi))
    one = x == 1.0
    return np.where(one, 0.0, lo), np.where(one, 0.0, hi)


def log1p(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(1 + x) at floats x >= -1 (``log1p(-1) = -inf``)."""
    x = np.asarray(x, dtype=np.float64)
    inner = np.abs(x) <= 0.5
    lo_t, hi_t = _interval(*table("log1p").evaluate(np.where(inner, x, 0.0)))
    s = np.where(inner, 1.0, 1.0 + x)       # exact below -1/2 (Sterbenz)
    exact = x < -0.5
    lo_l, _ = log(np.where(exact, s, down(s)))
    _, hi_l = log(np.where(exact, s, up(s)))
    return np.where(inner, lo_t, lo_l), np.where(inner, hi_t, hi_l)


# --------------------------------------------------------------------------- odd, saturating
def _odd_saturating(name: str, x: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    sat = ax >= limit
    lo, hi = _interval(*table(name).evaluate(np.where(sat, 0.0, ax)))
    lo = np.where(sat, 1.0 - U, np.maximum(lo, 0.0))
    hi = np.where(sat, 1.0, np.minimum(hi, 1.0))
    neg = np.signbit(x)
    return np.where(neg, -hi, lo), np.where(neg, -lo, hi)


def tanh(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _odd_saturating("tanh", x, TANH_SATURATION)


def erf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _odd_saturating("erf", x, ERF_SATURATION)


# --------------------------------------------------------------------------- sin / cos
@functools.lru_cache(maxsize=1)
def _pio2_parts() -> tuple[float, float, float, float]:
    """``pi/2 = P1 + P2 + P3`` with P1, P2 floats of at most 33 significant bits and
    ``P3`` in ``[P3_lo, P3_hi]`` (Arb at 256 bits)."""
    from flint import arb
    with arb_precision(256):
        h = arb.pi() / 2
        lo, _ = _bounds(h)
        P1 = float(Fraction(round(Fraction(lo) * 2 ** 32), 2 ** 32))
        r = h - arb(P1)
        rlo, _ = _bounds(r)
        _, e = np.frexp(rlo)
        P2 = float(Fraction(round(Fraction(rlo) * 2 ** (33 - int(e))), 2 ** (33 - int(e))))
        p3lo, p3hi = _bounds(r - arb(P2))
    return P1, P2, p3lo, p3hi


def _reduce(x: np.ndarray):
    """``k`` and an enclosure ``[rl, rh]`` of ``r = x - k pi/2`` for floats ``|x| <= 2**20``."""
    P1, P2, p3lo, p3hi = _pio2_parts()
    k = np.rint(x * (2.0 / PI_LO))
    s, e1 = two_sum(x, -(k * P1))          # x - k P1 = s + e1 exactly (k P1 exact: 20 + 33 bits)
    b, e2 = two_sum(s, -(k * P2))          # exact as well (k P2 exact: 20 + 33 bits)
    with np.errstate(under="ignore"):
        c_lo = down(np.where(k >= 0, k * p3lo, k * p3hi))     # k P3 in [c_lo, c_hi]
        c_hi = up(np.where(k >= 0, k * p3hi, k * p3lo))
        e = e1 + e2
        t_lo = down(down(e) - c_hi)
        t_hi = up(up(e) - c_lo)
        rl, rh = down(b + t_lo), up(b + t_hi)
    return k, rl, rh


def _sin_point(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = _interval(*table("sin").evaluate(np.abs(r)))
    neg = np.signbit(r)
    return np.where(neg, -hi, lo), np.where(neg, -lo, hi)


def _cos_point(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _interval(*table("cos").evaluate(np.abs(r)))


def _sin_cos_arb(x: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Rigorous ``(sin x, cos x)`` bounds at a finite float x by Arb (module docstring)."""
    from flint import arb

    _, e = np.frexp(x)
    with arb_precision(max(int(e), 0) + 128):
        a = arb(float(x))
        return _bounds(a.sin()), _bounds(a.cos())


def sin_cos(x: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Enclosures ``(sin_lo, sin_hi), (cos_lo, cos_hi)`` at floats x (Arb beyond 2**20; ``[-1, 1]``
    at infinities)."""
    x = np.asarray(x, dtype=np.float64)
    huge = ~(np.abs(x) <= TRIG_MAX)
    k, rl, rh = _reduce(np.where(huge, 0.0, x))
    sl, _ = _sin_point(rl)
    _, sh = _sin_point(rh)                 # sin increasing on [-pi/2, pi/2]
    cl_a, ch_a = _cos_point(rl)
    cl_b, ch_b = _cos_point(rh)
    cl = np.minimum(cl_a, cl_b)
    ch = np.where((rl <= 0) & (rh >= 0), 1.0, np.maximum(ch_a, ch_b))
    q = np.mod(k, 4)
    sin_lo = np.select([q == 0, q == 1, q == 2], [sl, cl, -sh], -ch)
    sin_hi = np.select([q == 0, q == 1, q == 2], [sh, ch, -sl], -cl)
    cos_lo = np.select([q == 0, q == 1, q == 2], [cl, -sh, -ch], sl)
    cos_hi = np.select([q == 0, q == 1, q == 2], [ch, -sl, -cl], sh)
    out = [np.where(huge, v, np.clip(a, -1.0, 1.0)) for a, v in
           ((sin_lo, -1.0), (sin_hi, 1.0), (cos_lo, -1.0), (cos_hi, 1.0))]
    for i in np.flatnonzero((huge & np.isfinite(x)).ravel()):
        (s_lo, s_hi), (c_lo, c_hi) = _sin_cos_arb(float(x.ravel()[i]))
        for arr, v in zip(out, (s_lo, s_hi, c_lo, c_hi)):
            arr.reshape(-1)[i] = min(max(v, -1.0), 1.0)
    return (out[0], out[1]), (out[2], out[3])
