"""Does gradient descent behave as the saddle theorems say? Batched PyTorch runs (evidence only).

* :func:`gd_endpoints`: GD from N uniform random starts in the box at a given step; each run's
  end point is matched to the certified critical points; the fraction ending at each saddle gets
  a Clopper-Pearson interval (Lee et al. 2016 predict 0).
* :func:`escape_times`: GD vs perturbed GD (Jin et al. 2017, Algorithm 2 with given r,
  g_thres, t_thres) started next to a saddle on its stable directions: steps until f drops a
  given amount below the saddle value.
* :func:`quadratic_escape`: f = x^T H x with H = diag(-1, 1, ..., 1), step 1/4, x_0 uniform in
  the unit ball: the escape time grows like log d (offconvex post on Jin et al.).

The objective is a sympy expression, turned into torch operations by :func:`torch_function`
(a tree walk over a closed set of node types; nothing is evaluated as code).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp
import torch

from numerics.empirical.statistics import clopper_pearson, loglog_slope

_TORCH_UNARY = {sp.exp: torch.exp, sp.log: torch.log, sp.sin: torch.sin, sp.cos: torch.cos,
                sp.tanh: torch.tanh}


def torch_function(expr: sp.Expr, variables):
    """``X (N, n) tensor -> f(X) (N,)`` for a sympy expression in ``variables``."""
    variables = tuple(variables)
    index = {v: k for k, v in enumerate(variables)}

    def go(e, X):
        if e in index:
            return X[:, index[e]]
        if e.is_Number or e is sp.pi or e is sp.E:
            return torch.full((X.shape[0],), float(e), dtype=X.dtype, device=X.device)
        if isinstance(e, sp.Add):
            out = go(e.args[0], X)
            for a in e.args[1:]:
                out = out + go(a, X)
            return out
        if isinstance(e, sp.Mul):
            out = go(e.args[0], X)
            for a in e.args[1:]:
                out = out * go(a, X)
            return out
        if isinstance(e, sp.Pow):
            base, ex = e.args
            b = go(base, X)
            if ex.is_Integer:
                return b ** int(ex)
            return torch.pow(b, go(ex, X))
        fn = _TORCH_UNARY.get(type(e))
        if fn is not None:
            return fn(go(e.args[0], X))
        raise ValueError(f"cannot evaluate the sympy node {type(e).__name__} in torch")

    return lambda X: go(expr, X)


def _grad(f, X):
    X = X.detach().requires_grad_(True)
    val = f(X)
    (g,) = torch.autograd.grad(val.sum(), X)
    return val.detach(), g.detach()


@dataclass
class EndpointSummary:
    runs: int
    steps: int
    step_size: float
    counts: dict          # label -> number of runs
    fractions: dict       # label -> (estimate, ci_lo, ci_hi)
    seed: int

    def to_dict(self) -> dict:
        return {"runs": self.runs, "steps": self.steps, "step_size": self.step_size, "seed": self.seed,
                "counts": self.counts,
                "fractions": {k: {"estimate": v[0], "ci95": [v[1], v[2]]} for k, v in self.fractions.items()}}


def gd_endpoints(expr, variables, box_lo, box_hi, points, step_size: float, *, runs: int = 1000,
                 steps: int = 2000, seed: int = 0, tol: float = 1e-4, dtype=torch.float64) -> EndpointSummary:
    """Run GD from ``runs`` uniform starts; label each end point by the certified point it reached.

    ``points``: list of (label, lo, hi) enclosures. A run "reached" a point when its end point is
    within ``tol`` (times the box width) of the enclosure; otherwise it is "left-box" (outside
    the box) or "not-converged".
    """
    if not (step_size > 0 and math.isfinite(step_size)):
        raise ValueError(f"step_size={step_size!r}; allowed: a positive finite number")
    if runs < 1 or steps < 0:
        raise ValueError(f"runs={runs}, steps={steps}; allowed: runs >= 1, steps >= 0")
    f = torch_function(expr, variables)
    gen = torch.Generator().manual_seed(int(seed))
    lo = torch.as_tensor(np.asarray(box_lo, dtype=np.float64), dtype=dtype)
    hi = torch.as_tensor(np.asarray(box_hi, dtype=np.float64), dtype=dtype)
    X = lo + (hi - lo) * torch.rand((runs, len(lo)), generator=gen, dtype=dtype)
    for _ in range(steps):
        _, g = _grad(f, X)
        X = X - step_size * g
        bad = ~torch.isfinite(X).all(dim=1)
        if bad.any():
            X[bad] = float("inf")
    Xn = X.numpy()
    scale = float(np.max(np.asarray(box_hi) - np.asarray(box_lo)))
    labels = np.array(["not-converged"] * runs, dtype=object)
    outside = ~((Xn >= np.asarray(box_lo)) & (Xn <= np.asarray(box_hi))).all(axis=1)
    labels[outside] = "left-box"
    for label, plo, phi in points:
        with np.errstate(over="ignore", invalid="ignore"):
            d = np.maximum(np.maximum(np.asarray(plo) - Xn, Xn - np.asarray(phi)), 0.0)
            near = np.sqrt((d ** 2).sum(axis=1)) <= tol * scale
        labels[near & ~outside] = label
    counts = {}
    for lab in labels:
        counts[lab] = counts.get(lab, 0) + 1
    all_labels = [p[0] for p in points] + ["not-converged", "left-box"]
    fractions = {lab: (counts.get(lab, 0) / runs, *clopper_pearson(counts.get(lab, 0), runs)) for lab in all_labels}
    return EndpointSummary(runs, steps, float(step_size), {k: int(v) for k, v in counts.items()}, fractions, seed)


def escape_times(expr, variables, saddle: np.ndarray, step_size: float, *, radius: float, g_thres: float,
                 t_thres: int, drop: float, runs: int = 200, max_steps: int = 5000, offset: float = 1e-3,
                 seed: int = 0, dtype=torch.float64) -> dict:
    """Steps until ``f < f(saddle) - drop`` for GD and for PGD, started at
    ``saddle + offset * v`` with v the Hessian eigenvector of the largest eigenvalue (a stable
    direction) plus a 1e-12 jitter. PGD adds a uniform-in-ball perturbation of ``radius`` when
    ||grad|| <= g_thres and at least ``t_thres`` steps passed since the last one."""
    f = torch_function(expr, variables)
    gen = torch.Generator().manual_seed(int(seed))
    s = torch.as_tensor(np.asarray(saddle, dtype=np.float64), dtype=dtype)
    n = s.numel()
    Xs = s[None, :].clone().requires_grad_(True)
    g = torch.autograd.grad(f(Xs).sum(), Xs, create_graph=True)[0][0]
    H = torch.stack([torch.autograd.grad(g[i], Xs, retain_graph=True)[0][0] for i in range(n)]).detach()
    w, V = torch.linalg.eigh(0.5 * (H + H.T))
    v = V[:, -1]
    f0 = float(f(s[None, :]).item())
    start = s + offset * v + 1e-12 * torch.randn((runs, n), generator=gen, dtype=dtype)
    out = {}
    for mode in ("gd", "pgd"):
        X = start.clone()
        last = torch.full((runs,), -10 ** 9, dtype=torch.long)
        t_escape = torch.full((runs,), -1, dtype=torch.long)
        for t in range(max_steps):
            val, gr = _grad(f, X)
            newly = (val < f0 - drop) & (t_escape < 0)
            t_escape[newly] = t
            if (t_escape >= 0).all():
                break
            if mode == "pgd":
                small = (gr.norm(dim=1) <= g_thres) & (t - last > t_thres)
                if small.any():
                    k = int(small.sum())
                    u = torch.randn((k, n), generator=gen, dtype=dtype)
                    u = u / u.norm(dim=1, keepdim=True)
                    rr = radius * torch.rand((k, 1), generator=gen, dtype=dtype) ** (1.0 / n)
                    X[small] = X[small] + rr * u
                    last[small] = t
                    val, gr = _grad(f, X)
            X = X - step_size * gr
        esc = t_escape.numpy()
        done = esc >= 0
        out[mode] = {"escaped": int(done.sum()), "runs": runs, "max_steps": max_steps,
                     "escaped_ci95": list(clopper_pearson(int(done.sum()), runs)),
                     "median_steps": float(np.median(esc[done])) if done.any() else None}
    out["setup"] = {"offset": offset, "radius": radius, "g_thres": g_thres, "t_thres": int(t_thres),
                    "drop": drop, "step_size": step_size, "seed": seed}
    return out


def quadratic_escape(dims=(2, 8, 32, 128, 512), *, runs: int = 200, level: float = 0.5,
                     seed: int = 0, max_steps: int = 500) -> dict:
    """Escape time of GD (step 1/4) on f = x^T H x, H = diag(-1, 1, ..., 1), from x_0 uniform in
    the unit ball, until f(x_t) <= -level. Expected: mean time ~ a + b log d."""
    gen = torch.Generator().manual_seed(int(seed))
    rows = []
    for d in dims:
        u = torch.randn((runs, d), generator=gen, dtype=torch.float64)
        u = u / u.norm(dim=1, keepdim=True)
        X = u * torch.rand((runs, 1), generator=gen, dtype=torch.float64) ** (1.0 / d)
        h = torch.ones(d, dtype=torch.float64)
        h[0] = -1.0
        t_esc = torch.full((runs,), -1, dtype=torch.long)
        for t in range(max_steps):
            fval = (h * X * X).sum(dim=1)
            newly = (fval <= -level) & (t_esc < 0)
            t_esc[newly] = t
            if (t_esc >= 0).all():
                break
            X = X - 0.25 * (2 * h * X)
        esc = t_esc.numpy()
        done = esc >= 0
        rows.append({"d": int(d), "mean_steps": float(esc[done].mean()) if done.any() else None,
                     "escaped": int(done.sum()), "runs": runs})
    ds = [r["d"] for r in rows if r["mean_steps"]]
    ts = [r["mean_steps"] for r in rows if r["mean_steps"]]
    fit = None
    if len(ds) >= 2:
        ld = np.log(ds)
        A = np.vstack([ld, np.ones_like(ld)]).T
        b, a = np.linalg.lstsq(A, np.asarray(ts), rcond=None)[0]
        fit = {"steps_per_log_d": float(b), "intercept": float(a),
               "loglog_slope": loglog_slope(ds, ts).to_dict()}
    return {"rows": rows, "fit_steps_vs_log_d": fit, "level": level, "seed": seed}
