"""Elementary functions on :class:`~numerics.arith.interval.Interval` arrays.

Default mode: numpy/libm value plus a documented error margin, using monotonicity on each
piece. libm functions are not correctly rounded, so the margin is an assumption about the
platform: a computed ``y = f(x)`` is assumed to satisfy

    ``|y - f(x)| <= MARGIN_ULPS * 2**-52 * |y| + MARGIN_ULPS * 2**-1074``        (margin model)

(``2**-52 |y|`` is at least one ulp of ``y``; glibc documents <= 1-4 ulp for these functions).
Each endpoint is widened by ``(MARGIN_ULPS + 2)`` such units, the extra 2 absorbing the
rounding of the widening itself. :func:`elementary_self_check` tests the margin model on this
platform against Arb at 200 bits (thousands of points including near +-1, tiny, huge,
subnormal), records ``max_observed_ulps`` in the same units, and passes only when the largest
observed error is at most half the margin. The result is cached per platform (python, numpy,
libc, CPU features) in ``~/.cache/dl-certify`` and recorded in certificates. If the check
fails, every function here switches to strict mode.

Strict mode (``workprec(strict_elementary=True)`` or a failed self-check): every entry is
recomputed in Arb at the context precision plus guard bits; results are then rigorous without
any assumption on libm.

Domains: ``arccos``/``arcsin`` evaluate on the intersection of the argument with [-1, 1]
(the caller guarantees the true argument is a cosine/sine, e.g. a clipped Gram entry); an
argument entirely outside [-1, 1] raises ValueError. ``log`` evaluates on the part in
[0, inf) (``log [0, b] = [-inf, log b]``). Exact edge values: ``arccos(1) = 0``,
``arcsin(0) = 0``, ``exp(0) = 1``, ``log(1) = 0``, ``tanh(0) = erf(0) = sin(0) = 0``,
``cos(0) = 1``, ``expm1(0) = log1p(0) = 0``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

import numpy as np

from numerics.arith.context import get_context
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


# ---------------------------------------------------------------------- self-check
_SELF_CHECK: dict | None = None


def _platform_key() -> dict:
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except Exception:  # pragma: no cover - older numpy layout
        feats = {}
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "machine": platform.machine(),
        "system": platform.system(),
        "libc": "-".join(platform.libc_ver()),
        "cpu_features": sorted(k for k, v in feats.items() if v),
    }


def _cache_file(key: dict) -> Path:
    import hashlib
    base = os.environ.get("DL_CERTIFY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "dl-certify")
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return Path(base) / f"elementary-self-check-{digest}.json"


def _sample_points(rng: np.random.Generator) -> dict[str, np.ndarray]:
    tiny = np.array([5e-324, 1e-320, 2.2250738585072014e-308, 1e-300, 1e-200, 1e-30, 1e-16,
                     1e-8, 1e-4])
    unit = rng.uniform(-1, 1, 600)
    eps = 10.0 ** -rng.uniform(1, 16, 300)
    near1 = np.concatenate([1 - eps, -1 + eps, [1.0, -1.0, np.nextafter(1.0, 0.0),
                                                np.nextafter(-1.0, 0.0)]])
    wide = rng.standard_normal(400) * 10.0 ** rng.uniform(-3, 2.5, 400)
    big = 10.0 ** rng.uniform(0, 300, 100)
    pts_unit = np.concatenate([unit, near1, tiny, -tiny, [0.0]])
    pts_all = np.concatenate([wide, tiny, -tiny, [0.0], unit])
    return {
        "arccos": pts_unit, "arcsin": pts_unit,
        "exp": np.concatenate([pts_all, rng.uniform(-745, 709, 300)]),
        "expm1": np.concatenate([pts_all, rng.uniform(-745, 709, 200)]),
        "log": np.concatenate([np.abs(pts_all[pts_all != 0]), big, 1 + eps, 1 - eps]),
        "log1p": np.concatenate([np.abs(pts_all), eps - 1 + 1e-17, big]),
        "tanh": np.concatenate([pts_all, rng.uniform(-30, 30, 200)]),
        "erf": np.concatenate([pts_all, rng.uniform(-7, 7, 200)]),
        "sin": np.concatenate([pts_all, rng.uniform(-1e4, 1e4, 200)]),
        "cos": np.concatenate([pts_all, rng.uniform(-1e4, 1e4, 200)]),
    }


def _arb_eval(name: str, x: float, prec: int = 200):
    from flint import arb, ctx
    with ctx.workprec(prec):
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


def _run_self_check(seed: int = 20261126) -> dict:
    from flint import arb
    rng = np.random.default_rng(seed)
    worst = 0.0
    worst_case = None
    count = 0
    for name, xs in _sample_points(rng).items():
        ys = _float_eval(name, xs)
        for x, y in zip(xs.tolist(), ys.tolist()):
            if not np.isfinite(y):
                continue
            exact = _arb_eval(name, x)
            unit = abs(y) * 2.0 ** -52 + ETA
            err = abs(arb(y) - exact)
            # float upper bound of err / unit (the ball's upper end)
            from numerics.arith.balls import arb_bounds
            ratio = arb_bounds(err / arb(unit))[1]
            count += 1
            if ratio > worst:
                worst, worst_case = ratio, (name, x)
    return {
        "platform": _platform_key(),
        "margin_ulps": MARGIN_ULPS,
        "samples": count,
        "max_observed_ulps": worst,
        "worst_case": list(worst_case) if worst_case else None,
        "passed": bool(worst <= MARGIN_ULPS / 2),
        "oracle": "python-flint arb at 200 bits",
        "units": "|y - f(x)| / (2**-52 |y| + 2**-1074)",
    }


def elementary_self_check(refresh: bool = False) -> dict:
    """Check the libm margin model against Arb on this platform (cached per platform).

    Returns a dict with ``platform``, ``margin_ulps``, ``samples``, ``max_observed_ulps``,
    ``passed`` (and ``worst_case``, ``oracle``, ``units``). ``refresh=True`` re-runs the
    check and rewrites the cache.
    """
    global _SELF_CHECK
    if _SELF_CHECK is not None and not refresh:
        return dict(_SELF_CHECK)
    key = _platform_key()
    path = _cache_file(key)
    result = None
    if not refresh and path.is_file():
        try:
            cached = json.loads(path.read_text())
            if cached.get("platform") == key and cached.get("margin_ulps") == MARGIN_ULPS:
                result = cached
        except (OSError, ValueError):
            result = None
    if result is None:
        result = _run_self_check()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(result, indent=1, sort_keys=True))
            os.replace(tmp, path)
        except OSError:
            pass  # an unwritable cache only costs a re-check next time
    _SELF_CHECK = result
    return dict(result)


def _strict() -> bool:
    if get_context().strict_elementary:
        return True
    return not elementary_self_check()["passed"]


# ---------------------------------------------------------------------- strict (Arb)
def _arb_endpoint(name: str, values: np.ndarray, want: str) -> np.ndarray:
    """Rigorous lower (want='lo') or upper bounds of f at exact float points, via Arb."""
    from numerics.arith.balls import arb_bounds
    prec = max(get_context().precision_bits, 53) + 30
    out = np.empty(values.shape)
    flat_in, flat_out = values.reshape(-1), out.reshape(-1)
    fmax = float(np.finfo(np.float64).max)
    for i, x in enumerate(flat_in.tolist()):
        if np.isinf(x):
            flat_out[i] = _limit(name, x)
            continue
        if name in ("exp", "expm1") and x > 709.8:       # exp(x) > largest float
            flat_out[i] = fmax if want == "lo" else np.inf
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
    if _strict():
        lo = _arb_endpoint(name, a, "lo")
        hi = _arb_endpoint(name, b, "hi")
    else:
        lo, _ = widen(_float_eval(name, a))
        _, hi = widen(_float_eval(name, b))
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
    if _strict():
        fa_lo, fa_hi = _arb_endpoint(name, lo_e, "lo"), _arb_endpoint(name, lo_e, "hi")
        fb_lo, fb_hi = _arb_endpoint(name, hi_e, "lo"), _arb_endpoint(name, hi_e, "hi")
    else:
        fa_lo, fa_hi = widen(_float_eval(name, lo_e))
        fb_lo, fb_hi = widen(_float_eval(name, hi_e))
    lo = np.minimum(fa_lo, fb_lo)
    hi = np.maximum(fa_hi, fb_hi)
    # conservative search for k with pi (k + shift) in [lo_e, hi_e]; slack covers float error
    with np.errstate(invalid="ignore", over="ignore"):
        ta, tb = lo_e / _PI_LO, hi_e / _PI_LO
        ka = np.floor(ta - shift - (1e-9 + 1e-14 * np.abs(ta)))
        kb = np.floor(tb - shift + (1e-9 + 1e-14 * np.abs(tb)))
    may_have = kb > ka
    # parity of the extremum: sin(pi/2 + k pi) = (-1)^k, cos(k pi) = (-1)^k
    k1 = ka + 1
    has_max = may_have & ((np.mod(k1, 2) == 0) | (kb > k1))
    has_min = may_have & ((np.mod(k1, 2) == 1) | (kb > k1))
    hi = np.where(has_max, 1.0, hi)
    lo = np.where(has_min, -1.0, lo)
    huge = (np.abs(lo_e) > _TRIG_MAX) | (np.abs(hi_e) > _TRIG_MAX) | (x.hi - x.lo > 4.0)
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
