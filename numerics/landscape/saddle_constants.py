"""The constants of the saddle-escaping theorems on a box, each a rigorous bound: ``ell`` (sup of
||Hessian||_2, the gradient-Lipschitz constant on the convex box), ``rho`` (sup of the Frobenius
norm of the third-derivative tensor, a Hessian-Lipschitz constant), a robust strict-saddle
triple (theta, gamma, zeta) in the sense of Jin et al. 2017, Assumption A2 (every x in the box has
||grad f(x)|| >= theta, or lambda_min(Hessian(x)) <= -gamma, or lies within zeta of a certified
local minimum), and forward invariance of the box under ``x -> x - alpha grad f(x)``
(docs/saddle_certification.md, "Kinds and constants").
"""

from __future__ import annotations

import math
import time

import numpy as np

from numerics.arith import interval as iv
from numerics.arith import rounding
from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from numerics.landscape.results import CriticalPoint, CriticalPointSearch
from numerics.landscape.search import split_all, uniform_boxes
from numerics.landscape.spectrum import (
    lambda_min_bounds,
    lowest_eigvec_of_mid,
    norm2_upper_batch,
    rayleigh_upper_batch,
)
from numerics.symbolic.derivatives import DerivativeEnclosures


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def sup_over_box(bound_fn, blo, bhi, *, rounds: int = 6, per_dim: int | None = None,
                 max_boxes: int = 20_000, deadline: float | None = None) -> float:
    """Rigorous upper bound of sup_x q(x) over the box, where ``bound_fn(lo, hi)`` returns
    upper bounds of q on each sub-box; the boxes with the largest bounds are refined (not past
    ``deadline``, a ``time.monotonic()`` value: the bound is rigorous after any round)."""
    n = len(blo)
    per_dim = per_dim or max(2, int(round(256 ** (1.0 / n))))
    lo, hi = uniform_boxes(blo, bhi, per_dim)
    ub = bound_fn(lo, hi)
    for _ in range(rounds):
        best = ub.max()
        if not np.isfinite(best):
            break
        hot = ub >= best - 0.1 * abs(best) - 1e-300
        if hot.sum() * 2 + len(lo) > max_boxes or _past(deadline):
            break
        nlo, nhi = split_all(lo[hot], hi[hot], bhi - blo)
        nub = bound_fn(nlo, nhi)
        lo = np.concatenate([lo[~hot], nlo])
        hi = np.concatenate([hi[~hot], nhi])
        ub = np.concatenate([ub[~hot], nub])
    return float(ub.max())


def gradient_lipschitz_upper(D: DerivativeEnclosures, blo, bhi, **kw) -> float:
    """ell >= sup_{x in box} ||Hessian f(x)||_2 (rigorous upper bound)."""
    return sup_over_box(lambda lo, hi: norm2_upper_batch(D.hessian(lo, hi)), blo, bhi, **kw)


def hessian_lipschitz_upper(D: DerivativeEnclosures, blo, bhi, **kw) -> float:
    """rho >= sup_{x in box} ||D^3 f(x)||_F >= the Hessian-Lipschitz constant on the (convex) box."""
    def bound(lo, hi):
        T = D.third(lo, hi)
        mag = T.mag()
        s = None
        n = mag.shape[1]
        for i in range(n):
            for j in range(n):
                for k in range(n):
                    t = Interval._raw(mag[:, i, j, k], mag[:, i, j, k]) ** 2
                    s = t if s is None else s + t
        return iv.sqrt(s).hi
    kw.setdefault("rounds", 3)
    return sup_over_box(bound, blo, bhi, **kw)


def forward_invariant(D: DerivativeEnclosures, blo, bhi, alpha: float, *,
                      max_boxes: int = 50_000, deadline: float | None = None) -> tuple[Verdict, dict]:
    """Is ``x - alpha grad f(x)`` in the box for every x in the box?

    HOLDS when a subdivision proves it on every sub-box (mean-value form of the GD map);
    FAILS when the image of some box midpoint lies certainly outside; else UNDECIDED.
    """
    if not (alpha > 0 and math.isfinite(alpha)):
        raise ValueError(f"alpha={alpha!r} must be a positive finite step")
    lo, hi = uniform_boxes(blo, bhi, max(2, int(round(64 ** (1.0 / len(blo))))))
    processed = 0
    a = Interval(alpha)
    while len(lo):
        processed += len(lo)
        c = np.clip(0.5 * lo + 0.5 * hi, lo, hi)
        g, H = D.gradient_hessian(lo, hi)
        gc = D.gradient(c, c)
        img_c = iv.as_interval(c) - gc * a
        out_c = ((img_c.hi < blo) | (img_c.lo > bhi)).any(axis=1)
        if out_c.any():
            b = int(np.flatnonzero(out_c)[0])
            return Verdict.FAILS, {"point": c[b].tolist(), "image_lo": img_c.lo[b].tolist(),
                                   "image_hi": img_c.hi[b].tolist(), "boxes": processed}
        natural = Interval._raw(lo, hi) - g * a
        d = Interval._raw(rounding.down(lo - c), rounding.up(hi - c))
        mv = img_c
        n = lo.shape[1]
        for j in range(n):
            # column j of I - alpha H
            Mj = Interval._raw(np.zeros_like(lo), np.zeros_like(lo)) - H[:, :, j] * a
            Mlo, Mhi = Mj.lo.copy(), Mj.hi.copy()     # intervals are immutable: a new one
            Mlo[:, j] = rounding.down(Mlo[:, j] + 1.0)
            Mhi[:, j] = rounding.up(Mhi[:, j] + 1.0)
            Mj = Interval._raw(Mlo, Mhi)
            mv = mv + Mj * d[:, j:j + 1]
        ilo = np.maximum(natural.lo, mv.lo)
        ihi = np.minimum(natural.hi, mv.hi)
        ok = ((ilo >= blo) & (ihi <= bhi)).all(axis=1)
        lo, hi = lo[~ok], hi[~ok]
        if len(lo) and processed + 2 * len(lo) > max_boxes:
            return Verdict.UNDECIDED, {"boxes": processed, "unresolved": len(lo)}
        if len(lo) and _past(deadline):
            return Verdict.UNDECIDED, {"boxes": processed, "unresolved": len(lo), "reason": "out of time"}
        if len(lo):
            lo, hi = split_all(lo, hi, bhi - blo)
    return Verdict.HOLDS, {"boxes": processed}


def _box_distance_upper(lo, hi, zlo, zhi) -> np.ndarray:
    """Upper bound of max_{x in box, y in Z} ||x - y||_2 (batched over boxes)."""
    d = np.maximum(np.abs(hi - zlo), np.abs(zhi - lo))
    s = None
    for k in range(d.shape[1]):
        t = Interval._raw(d[:, k], d[:, k]) ** 2
        s = t if s is None else s + t
    return iv.sqrt(s).hi


def strong_convexity_radius(D: DerivativeEnclosures, p: CriticalPoint, blo, bhi) -> tuple[float, float]:
    """Largest tried r such that the Hessian is positive definite on ``enclosure ± r``; returns
    (r, lower bound of lambda_min there)."""
    width = float(np.max(bhi - blo))
    best = (0.0, 0.0)
    for k in range(2, 30):
        r = width * 2.0 ** -k
        H = D.hessian((p.lo - r)[None, :], (p.hi + r)[None, :])[0]
        lo, _ = lambda_min_bounds(H)
        if lo > 0:
            return r, lo
    return best


def robust_strict_saddle_constants(D: DerivativeEnclosures, search: CriticalPointSearch, *,
                                   max_boxes: int = 100_000, deadline: float | None = None) -> dict:
    """A certified (theta, gamma, zeta) of Jin et al. 2017, Assumption A2, on the box.

    zeta: the smallest strong-convexity radius over the certified local minima (so the
    zeta-neighbourhoods also satisfy A3.a with alpha = the reported strong convexity); gamma:
    half the smallest |lambda_min| over the strict saddles; theta: the smallest proven lower bound
    of ||grad f|| over the sub-boxes not covered by the other two alternatives.
    """
    blo, bhi = search.box_lo, search.box_hi
    # isolated minima only: a zero-level region has no strong-convexity neighbourhood to offer
    minima = [p for p in search.points if p.kind == "local-min" and p.exists is Verdict.HOLDS
              and p.method != "zero-level-set"]
    saddles = [p for p in search.points if p.kind in ("strict-saddle", "local-max")]
    zetas, alphas = [], []
    for p in minima:
        r, a = strong_convexity_radius(D, p, blo, bhi)
        zetas.append(r)
        alphas.append(a)
    zeta = min(zetas) if zetas else 0.0
    gammas = [-p.hessian_min_eig[1] / 2 for p in saddles if p.hessian_min_eig[1] < 0]
    gamma = min(gammas) if gammas else None
    theta_lb, processed = _theta_lower_bound(D, blo, bhi, minima, zeta, gamma, max_boxes, deadline)
    theta = float(theta_lb) if math.isfinite(theta_lb) else None
    holds = (theta is not None and theta > 0) or (theta is None)
    return {
        "theta": theta, "gamma": gamma, "zeta": zeta,
        "strong_convexity": min(alphas) if alphas else None,
        "verdict": (Verdict.HOLDS if holds and search.complete else Verdict.UNDECIDED),
        "boxes": processed,
    }


def _gradient_norm_lower(g: Interval) -> np.ndarray:
    """Per box, a lower bound of ||grad f||_2 from the gradient enclosure (its mignitudes)."""
    mig = g.mig()
    s = None
    for k in range(mig.shape[1]):
        t = Interval._raw(mig[:, k], mig[:, k]) ** 2
        s = t if s is None else s + t
    return iv.sqrt(s).lo


def _theta_lower_bound(D, blo, bhi, minima, zeta, gamma, max_boxes, deadline) -> tuple[float, int]:
    """The smallest proven lower bound of ||grad f|| over the sub-boxes that are neither within
    zeta of a certified minimum nor of proven curvature <= -gamma (inf when there are none), and
    the number of boxes processed; the boxes with the smallest bounds are refined."""
    lo, hi = uniform_boxes(blo, bhi, max(2, int(round(256 ** (1.0 / len(blo))))))
    processed = 0
    lbs_final = []
    while len(lo):
        processed += len(lo)
        g, H, _ = D.gradient_mean_value(lo, hi)
        glb = _gradient_norm_lower(g)
        covered = np.zeros(len(lo), dtype=bool)
        for p in minima:
            if zeta > 0:
                covered |= _box_distance_upper(lo, hi, p.lo, p.hi) <= zeta
        if gamma is not None:
            covered |= rayleigh_upper_batch(H, lowest_eigvec_of_mid(H)) <= -gamma
        need = ~covered
        # refine boxes whose gradient bound is the bottleneck
        cand = glb[need]
        if len(cand) == 0:
            break
        thr = max(0.5 * float(np.max(cand)), 0.0) if len(cand) else 0.0
        target = min(thr, float(np.median(cand)) * 2 + 1e-300)
        refine = need & (glb <= target) & (glb < 1e300)
        keep = need & ~refine
        lbs_final.extend(glb[keep].tolist())
        if processed + 2 * int(refine.sum()) > max_boxes or not refine.any() or _past(deadline):
            lbs_final.extend(glb[refine].tolist())
            break
        lo, hi = split_all(lo[refine], hi[refine], bhi - blo)
    return (min(lbs_final) if lbs_final else math.inf), processed
