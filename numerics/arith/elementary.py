"""Elementary functions on :class:`~numerics.arith.interval.Interval` arrays, in three modes.

``proved-polynomial`` (the default): endpoint enclosures from
:mod:`numerics.arith.elementary_proved` -- exact argument reductions, certified piecewise
Taylor polynomials evaluated in float with a proved rounding-error bound, constants from Arb.
Nothing is assumed beyond IEEE binary64 ``+ - * /`` and ``sqrt`` (round to nearest, gradual
underflow). Method and proofs: docs/elementary_enclosures.md.

``arb`` (``workprec(strict_elementary=True)``): every endpoint recomputed in Arb at the context
precision plus guard bits. Rigorous, slow (one Arb call per entry).

``margin`` (explicit opt-in only, :func:`elementary_mode_scope`): numpy/libm values widened by
``MARGIN_ULPS`` units ``2**-52 |y| + 2**-1074`` (+2 for the widening's own rounding). This rests
on a premise -- :data:`MARGIN_PREMISE` -- that no computation here proves; results computed in
this mode are reported ``conditional`` on it (:func:`premises_used`), never holds/certified.

Which mode ran is recorded: :func:`elementary_mode` is the mode in force, and
:func:`premises_used` collects the premises of the margin mode while a :func:`premise_log` is
open (the certificate pipeline opens one per hypothesis).

All modes use monotonicity on each piece (interval arguments: enclosures at the endpoints).
Domains: ``arccos``/``arcsin`` evaluate on the intersection of the argument with [-1, 1]
(the caller guarantees the true argument is a cosine/sine, e.g. a clipped Gram entry); an
argument entirely outside [-1, 1] raises ValueError. ``log`` evaluates on the part in
[0, inf) (``log [0, b] = [-inf, log b]``). Exact edge values: ``arccos(1) = 0``,
``arcsin(0) = 0``, ``exp(0) = 1``, ``log(1) = 0``, ``tanh(0) = erf(0) = sin(0) = 0``,
``cos(0) = 1``, ``expm1(0) = log1p(0) = 0``.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

from numerics.arith import elementary_proved as proved
from numerics.arith.context import arb_precision, get_context
from numerics.arith.interval import Interval, as_interval
from numerics.arith.rounding import ETA

MARGIN_ULPS = 4
_REL = (MARGIN_ULPS + 2) * 2.0 ** -52
_ABS = (MARGIN_ULPS + 2) * ETA
_PI_LO = 3.141592653589793          # float(pi) < pi
_PI_HI = float(np.nextafter(_PI_LO, 4.0))


def widen(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Endpoints ``y -+ margin`` under the margin model (for finite or infinite y)."""
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(y) * _REL + _ABS
        lo = y - d
        hi = y + d
    fmax = np.finfo(np.float64).max
    # y = +inf (overflow) only says the value exceeds the largest float; keep hi = +inf
    lo = np.where(np.isnan(lo) | (lo == np.inf), np.where(y > 0, fmax, y), lo)
    hi = np.where(np.isnan(hi) | (hi == -np.inf), np.where(y < 0, -fmax, y), hi)
    return lo, hi


# ---------------------------------------------------------------------- modes
ELEMENTARY_MODES = ("proved-polynomial", "margin", "arb")
MARGIN_PREMISE = ("libm accuracy within 4 ulp (numpy's elementary functions on this platform), "
                  "supported only by a sampled self-check against Arb")
_MODE: contextvars.ContextVar[str] = contextvars.ContextVar("dl_certify_elementary_mode",
                                                           default="proved-polynomial")
_PREMISES: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "dl_certify_elementary_premises", default=None)


def elementary_mode() -> str:
    """The mode in force: ``"arb"`` under ``workprec(strict_elementary=True)``, else the mode set by
    :func:`elementary_mode_scope` (default ``"proved-polynomial"``)."""
    if get_context().strict_elementary:
        return "arb"
    return _MODE.get()


@contextlib.contextmanager
def elementary_mode_scope(mode: str):
    """Use ``mode`` (one of :data:`ELEMENTARY_MODES`) inside the block (thread/task-local)."""
    if mode not in ELEMENTARY_MODES:
        raise ValueError(f"elementary mode={mode!r} is not allowed; allowed: {ELEMENTARY_MODES}")
    token = _MODE.set(mode)
    try:
        yield mode
    finally:
        _MODE.reset(token)


@contextlib.contextmanager
def premise_log():
    """Collect, in the yielded set, the premises of every enclosure computed inside the block."""
    used: set = set()
    token = _PREMISES.set(used)
    try:
        yield used
    finally:
        _PREMISES.reset(token)


def premises_used() -> frozenset:
    """The premises recorded by the innermost open :func:`premise_log` (empty if none is open)."""
    return frozenset(_PREMISES.get() or ())


def elementary_mode_for_call() -> str:
    """The mode in force, recording the margin premise in an open :func:`premise_log`."""
    mode = elementary_mode()
    if mode == "margin":
        log = _PREMISES.get()
        if log is not None:
            log.add(MARGIN_PREMISE)
    return mode


def mode_record() -> dict:
    """What certificates record about the elementary functions of a run."""
    mode = elementary_mode()
    return {"mode": mode,
            "method": {"proved-polynomial": "certified piecewise Taylor tables, proved rounding "
                                            "bounds (docs/elementary_enclosures.md)",
                       "arb": "python-flint Arb per entry",
                       "margin": "numpy/libm widened by a 4-ulp margin"}[mode],
            "premise": MARGIN_PREMISE if mode == "margin" else None}


def _arb_eval(name: str, x: float, prec: int = 200):
    from flint import arb
    with arb_precision(prec):
        a = arb(float(x))
        if name == "arccos":
            return arb(0) if x == 1.0 else (arb.pi() if x == -1.0 else a.acos())
        if name == "arcsin":
            if abs(x) == 1.0:
                return arb.pi() / 2 * (1 if x > 0 else -1)
            return a.asin()
        if name == "erf" and abs(x) >= 30:
            # erfc(|x|) < exp(-x^2)/(|x| sqrt(pi)) < 2**-1290 for |x| >= 30 (Arb is slow here)
            tail = arb(2) ** -1291
            return (arb(1) - tail + arb(0, 1) * tail) * (1 if x > 0 else -1)
        return getattr(a, {"exp": "exp", "expm1": "expm1", "log": "log", "log1p": "log1p",
                           "tanh": "tanh", "erf": "erf", "sin": "sin", "cos": "cos"}[name])()


_NUMPY_FUNCS = {"arccos": np.arccos, "arcsin": np.arcsin, "exp": np.exp, "expm1": np.expm1,
                "log": np.log, "log1p": np.log1p, "tanh": np.tanh, "erf": None,
                "sin": np.sin, "cos": np.cos}


def _erf_values(x: np.ndarray) -> np.ndarray:
    import math
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def _float_eval(name: str, x: np.ndarray) -> np.ndarray:
    if name == "erf":
        return _erf_values(x)
    with np.errstate(all="ignore"):
        return _NUMPY_FUNCS[name](x)


# ---------------------------------------------------------------------- strict (Arb)
def _arb_endpoint(name: str, values: np.ndarray, want: str) -> np.ndarray:
    """Rigorous lower (want='lo') or upper bounds of f at exact float points, via Arb."""
    from numerics.arith.balls import arb_bounds
    prec = max(get_context().precision_bits, 53) + 30
    out = np.empty(values.shape)
    flat_in, flat_out = values.reshape(-1), out.reshape(-1)
    for i, x in enumerate(flat_in.tolist()):
        if np.isinf(x):
            flat_out[i] = _limit(name, x)
            continue
        if name in ("exp", "expm1") and x > 709.78:      # exp(709.78) > 1.79e308
            flat_out[i] = 1.79e308 if want == "lo" else np.inf
            continue
        if name in ("exp", "expm1") and x < -746.0:      # 0 < exp(x) < 2**-1076
            if name == "exp":
                flat_out[i] = 0.0 if want == "lo" else 5e-324
            else:
                flat_out[i] = -1.0 if want == "lo" else float(np.nextafter(-1.0, 0.0))
            continue
        lo, hi = arb_bounds(_arb_eval(name, x, prec))
        flat_out[i] = lo if want == "lo" else hi
    return out


def _limit(name: str, x: float) -> float:
    pos = x > 0
    return {"exp": np.inf if pos else 0.0, "expm1": np.inf if pos else -1.0,
            "log": np.inf, "log1p": np.inf, "tanh": 1.0 if pos else -1.0,
            "erf": 1.0 if pos else -1.0}[name]


# ---------------------------------------------------------------------- monotone pieces
def _monotone(name: str, x: Interval, increasing: bool, lo_clip: float, hi_clip: float,
              exact: tuple[float, float] | None = None) -> Interval:
    a, b = (x.lo, x.hi) if increasing else (x.hi, x.lo)
    mode = elementary_mode_for_call()
    if mode == "arb":
        lo = _arb_endpoint(name, a, "lo")
        hi = _arb_endpoint(name, b, "hi")
    elif mode == "margin":
        lo, _ = widen(_float_eval(name, a))
        _, hi = widen(_float_eval(name, b))
    else:
        f = getattr(proved, name)
        lo, _ = f(a)
        _, hi = f(b)
    if exact is not None:
        x0, y0 = exact
        lo = np.where(a == x0, y0, lo)
        hi = np.where(b == x0, y0, hi)
    lo = np.clip(lo, lo_clip, hi_clip)
    hi = np.clip(hi, lo_clip, hi_clip)
    return Interval._raw(lo, hi)


def _clip_domain(x: Interval, lo: float, hi: float, name: str) -> Interval:
    if (x.hi < lo).any() or (x.lo > hi).any():
        raise ValueError(f"{name}: argument interval lies outside the domain [{lo}, {hi}]")
    return Interval._raw(np.maximum(x.lo, lo), np.minimum(x.hi, hi))


def arccos(x) -> Interval:
    """arccos on ``x ∩ [-1, 1]``; decreasing; exact 0 at the point 1; values in [0, pi]."""
    x = _clip_domain(as_interval(x), -1.0, 1.0, "arccos")
    return _monotone("arccos", x, False, 0.0, _PI_HI, exact=(1.0, 0.0))


def arcsin(x) -> Interval:
    x = _clip_domain(as_interval(x), -1.0, 1.0, "arcsin")
    return _monotone("arcsin", x, True, -_PI_HI / 2, _PI_HI / 2, exact=(0.0, 0.0))


def exp(x) -> Interval:
    return _monotone("exp", as_interval(x), True, 0.0, np.inf, exact=(0.0, 1.0))


def expm1(x) -> Interval:
    return _monotone("expm1", as_interval(x), True, -1.0, np.inf, exact=(0.0, 0.0))


def log(x) -> Interval:
    """Natural log on ``x ∩ [0, inf)``; ``log 0 = -inf``."""
    x = as_interval(x)
    if (x.hi < 0).any():
        raise ValueError("log: argument interval lies entirely below 0")
    x = Interval._raw(np.maximum(x.lo, 0.0), x.hi)
    with np.errstate(divide="ignore"):
        out = _monotone("log", Interval._raw(np.where(x.lo == 0, 1.0, x.lo),
                                             np.where(x.hi == 0, 1.0, x.hi)),
                        True, -np.inf, np.inf, exact=(1.0, 0.0))
    return Interval._raw(np.where(x.lo == 0, -np.inf, out.lo),
                         np.where(x.hi == 0, -np.inf, out.hi))


def log1p(x) -> Interval:
    x = as_interval(x)
    if (x.hi < -1).any():
        raise ValueError("log1p: argument interval lies entirely below -1")
    lo = np.maximum(x.lo, -1.0)
    inner = Interval._raw(np.where(lo == -1, 0.0, lo), np.where(x.hi == -1, 0.0, x.hi))
    out = _monotone("log1p", inner, True, -np.inf, np.inf, exact=(0.0, 0.0))
    return Interval._raw(np.where(lo == -1, -np.inf, out.lo),
                         np.where(x.hi == -1, -np.inf, out.hi))


def tanh(x) -> Interval:
    return _monotone("tanh", as_interval(x), True, -1.0, 1.0, exact=(0.0, 0.0))


def erf(x) -> Interval:
    return _monotone("erf", as_interval(x), True, -1.0, 1.0, exact=(0.0, 0.0))


_TRIG_MAX = 2.0 ** 30  # beyond this, sin/cos return [-1, 1] (no argument reduction trusted)


def _trig(name: str, x: Interval) -> Interval:
    """sin/cos: endpoint values plus +-1 wherever an extremum may lie inside the interval."""
    shift = 0.5 if name == "sin" else 0.0   # extrema of sin at pi/2 + k pi, of cos at k pi
    lo_e, hi_e = x.lo, x.hi
    mode = elementary_mode_for_call()
    if mode == "arb":
        fa_lo, fa_hi = _arb_endpoint(name, lo_e, "lo"), _arb_endpoint(name, lo_e, "hi")
        fb_lo, fb_hi = _arb_endpoint(name, hi_e, "lo"), _arb_endpoint(name, hi_e, "hi")
    elif mode == "margin":
        fa_lo, fa_hi = widen(_float_eval(name, lo_e))
        fb_lo, fb_hi = widen(_float_eval(name, hi_e))
    else:
        which = 0 if name == "sin" else 1
        fa_lo, fa_hi = proved.sin_cos(lo_e)[which]
        fb_lo, fb_hi = proved.sin_cos(hi_e)[which]
    lo = np.minimum(fa_lo, fb_lo)
    hi = np.maximum(fa_hi, fb_hi)
    # conservative search for k with pi (k + shift) in [lo_e, hi_e]; slack covers float error
    with np.errstate(invalid="ignore", over="ignore"):
        ta, tb = lo_e / _PI_LO, hi_e / _PI_LO
        ka = np.floor(ta - shift - (1e-9 + 1e-14 * np.abs(ta)))
        kb = np.floor(tb - shift + (1e-9 + 1e-14 * np.abs(tb)))
    may_have = (kb > ka) & (lo_e < hi_e)       # a point has no interior extremum
    # parity of the extremum: sin(pi/2 + k pi) = (-1)^k, cos(k pi) = (-1)^k
    k1 = ka + 1
    has_max = may_have & ((np.mod(k1, 2) == 0) | (kb > k1))
    has_min = may_have & ((np.mod(k1, 2) == 1) | (kb > k1))
    hi = np.where(has_max, 1.0, hi)
    lo = np.where(has_min, -1.0, lo)
    wide = (np.abs(lo_e) > _TRIG_MAX) | (np.abs(hi_e) > _TRIG_MAX) | (x.hi - x.lo > 4.0)
    huge = wide & ~((lo_e == hi_e) & np.isfinite(lo_e) & (mode != "margin"))   # points: values are proved
    lo = np.where(huge, -1.0, np.clip(lo, -1.0, 1.0))
    hi = np.where(huge, 1.0, np.clip(hi, -1.0, 1.0))
    zero = (x.lo == 0) & (x.hi == 0)
    if name == "sin":
        lo, hi = np.where(zero, 0.0, lo), np.where(zero, 0.0, hi)
    else:
        lo, hi = np.where(zero, 1.0, lo), np.where(zero, 1.0, hi)
    return Interval._raw(lo, hi)


def sin(x) -> Interval:
    return _trig("sin", as_interval(x))


def cos(x) -> Interval:
    return _trig("cos", as_interval(x))


def pi_interval() -> Interval:
    """An enclosure of pi: [float(pi), next float]."""
    return Interval(_PI_LO, _PI_HI)
