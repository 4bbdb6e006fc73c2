"""Statistics of empirical runs: log-log slopes with bootstrap intervals, Clopper-Pearson intervals,
and the empirically sufficient width. Every number here is evidence about training, never a verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class SlopeFit:
    """Least-squares fit ``log y = slope log x + intercept`` with a percentile-bootstrap interval."""

    estimate: float | None
    lo: float | None
    hi: float | None
    intercept: float | None
    points: int
    confidence: float
    resamples: int
    seed: int

    def to_dict(self) -> dict:
        return asdict(self)


def _ols_slope(lx: np.ndarray, ly: np.ndarray) -> tuple[float, float]:
    xm = lx.mean()
    sxx = ((lx - xm) ** 2).sum()
    slope = float(((lx - xm) * (ly - ly.mean())).sum() / sxx)
    return slope, float(ly.mean() - slope * xm)


def loglog_slope(x: Sequence[float], y: Sequence[float], *, confidence: float = 0.95,
                 resamples: int = 2000, seed: int = 0) -> SlopeFit:
    """Fit the exponent ``p`` of ``y ~ C x^p`` by least squares on ``(log x, log y)``.

    The interval is the percentile bootstrap over points (pairs resampled with replacement, seeded by
    ``seed``; resamples with a single distinct ``x`` are redrawn). Fewer than two distinct ``x`` give
    ``estimate = None``. Points must be positive (a zero cannot be placed on a log axis).
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"y: got {y.size} values for {x.size} x values; allowed: equal lengths")
    if not (0 < confidence < 1):
        raise ValueError(f"confidence: got {confidence!r}; allowed: a number in (0, 1)")
    if np.any(~np.isfinite(x)) or np.any(~np.isfinite(y)) or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x, y: got a non-positive or non-finite value; allowed: positive finite numbers")
    none = SlopeFit(None, None, None, None, int(x.size), confidence, int(resamples), int(seed))
    if np.unique(x).size < 2:
        return none
    lx, ly = np.log(x), np.log(y)
    slope, intercept = _ols_slope(lx, ly)
    rng = np.random.default_rng(seed)
    boots = []
    tries = 0
    while len(boots) < resamples and tries < 20 * resamples:
        tries += 1
        idx = rng.integers(0, x.size, x.size)
        if np.unique(lx[idx]).size < 2:
            continue
        boots.append(_ols_slope(lx[idx], ly[idx])[0])
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(np.asarray(boots), [alpha, 1 - alpha]) if boots else (None, None)
    return SlopeFit(slope, None if lo is None else float(lo), None if hi is None else float(hi), intercept,
                    int(x.size), confidence, int(resamples), int(seed))


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) two-sided interval for a binomial proportion, from beta quantiles."""
    from scipy.stats import beta

    if int(trials) < 1 or not (0 <= int(successes) <= int(trials)):
        raise ValueError(f"successes, trials: got ({successes!r}, {trials!r}); allowed: 0 <= successes <= trials, trials >= 1")
    if not (0 < confidence < 1):
        raise ValueError(f"confidence: got {confidence!r}; allowed: a number in (0, 1)")
    k, n, alpha = int(successes), int(trials), 1 - confidence
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi


def empirically_sufficient_width(success_by_width: Mapping[int, Sequence[bool]]) -> int | None:
    """Smallest width in the sweep at which every seed succeeded (reached loss <= eps within K steps).

    Returns None when no width had all seeds succeed (or no runs). Widths with no runs are ignored.
    """
    ok = [int(w) for w, runs in success_by_width.items() if len(runs) > 0 and all(bool(s) for s in runs)]
    return min(ok) if ok else None


def width_ratio(theorem_width: float | None, empirical_width: int | None) -> float | None:
    """``theorem_width / empirical_width``: how many times wider the theorem asks for than practice needed."""
    if theorem_width is None or empirical_width is None or not math.isfinite(theorem_width):
        return None
    return float(theorem_width) / float(empirical_width)
