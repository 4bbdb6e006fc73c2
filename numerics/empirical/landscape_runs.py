"""Gradient descent and perturbed gradient descent on a landscape family, from random starts
(float evidence, never a verdict).

* **GD**: ``x <- R(x - a g)`` with ``g`` the (Riemannian, on ``sphere-rows`` families) gradient,
  ``R`` the retraction (row normalization) or the identity, and ``a`` a Barzilai-Borwein step
  accepted by a non-monotone Armijo test (memory 10; halving until accepted).
* **PGD** (Jin, Ge, Netrapalli, Kakade, Jordan 2017, Algorithm 2, in spirit): the same, plus a
  uniform perturbation (in the ball of radius ``r``) of ``x~ = x`` whenever ``||g|| <= g_thres`` and
  no perturbation happened in the last ``t_thres`` steps; when ``t_thres`` steps after a
  perturbation the loss has not dropped below ``f(x~) - 1e-3 |f(x~)|``, PGD returns ``x~``. The
  parameters are fixed fractions of the scale of the start
  (documented in the output), not the theorem's constants (:mod:`proofs.jin2017` has those).

Families with their own descent (``family.solve``: Max-Cut's Burer-Monteiro solver, the same
Riemannian GD with Barzilai-Borwein steps, stopped once its point is certified) use it for the GD
runs. A run succeeds when the family's ``success`` rule holds at its last iterate; the success rate
comes with a Clopper-Pearson interval (:func:`numerics.empirical.statistics.clopper_pearson`).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np

from numerics.empirical.statistics import clopper_pearson

__all__ = ["RunSummary", "descend", "success_rates"]


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.einsum("i,i->", a, b))


def _tangent(family, inst, x: np.ndarray, g: np.ndarray) -> np.ndarray:
    if family.manifold != "sphere-rows":
        return g
    X, G = x.reshape(family.shape(inst)), g.reshape(family.shape(inst))
    return (G - np.einsum("ij,ij->i", G, X)[:, None] * X).ravel()


def _retract(family, inst, x: np.ndarray) -> np.ndarray:
    if family.manifold != "sphere-rows":
        return x
    X = x.reshape(family.shape(inst))
    return (X / np.sqrt(np.einsum("ij,ij->i", X, X))[:, None]).ravel()


def descend(family, inst, x0: np.ndarray, *, steps: int = 3000, perturb: bool = False,
            rng: np.random.Generator | None = None, grad_tol: float = 1e-12) -> tuple[np.ndarray, dict]:
    """Run GD (or PGD with ``perturb``) from ``x0``; returns the last iterate and a summary."""
    x = _retract(family, inst, np.array(x0, dtype=np.float64))
    f, g = family.loss_grad(inst, x)
    g = _tangent(family, inst, x, g)
    scale = max(1.0, math.sqrt(_dot(x, x)))
    r, g_thres, t_thres = 1e-2 * scale, 1e-8 * scale, 50
    last_perturb, perturbations = -t_thres - 1, 0
    x_tilde, f_tilde = x, f
    a = 1e-3
    hist = [f]
    xp = gp = None
    it = 0
    for it in range(steps):
        gn = math.sqrt(_dot(g, g))
        if perturb and it - last_perturb == t_thres and f > f_tilde - 1e-3 * abs(f_tilde):
            x, f = x_tilde, f_tilde          # no sufficient decrease after a perturbation: return x~
            g = _tangent(family, inst, x, family.loss_grad(inst, x)[1])
            break
        if perturb and gn <= g_thres and it - last_perturb > t_thres:
            x_tilde, f_tilde = x, f
            u = rng.standard_normal(x.shape)
            u *= r * rng.random() ** (1.0 / x.size) / math.sqrt(_dot(u, u))
            x = _retract(family, inst, x + u)
            f, g = family.loss_grad(inst, x)
            g = _tangent(family, inst, x, g)
            last_perturb, perturbations, xp, gp = it, perturbations + 1, None, None
            hist = [f]
            continue
        if gn <= grad_tol * scale or not math.isfinite(f):
            break
        if gp is not None:
            s, yk = x - xp, g - gp
            sy = abs(_dot(s, yk))
            if sy > 0:
                a = _dot(s, s) / sy
        fref = max(hist[-10:])
        while True:
            xn = _retract(family, inst, x - a * g)
            fn, gnew = family.loss_grad(inst, xn)
            if fn <= fref - 1e-4 * a * gn * gn or a < 1e-16:
                break
            a *= 0.5
        xp, gp = x, g
        x, f, g = xn, fn, _tangent(family, inst, xn, gnew)
        hist.append(f)
    return x, {"steps": it + 1, "loss": float(f), "grad_norm": math.sqrt(_dot(g, g)),
               "perturbations": perturbations}


@dataclass(frozen=True)
class RunSummary:
    method: str
    runs: int
    successes: int
    rate: float
    interval: tuple[float, float]
    median_loss: float
    median_steps: float
    seconds: float

    def to_dict(self) -> dict:
        d = asdict(self)
        d["interval"] = list(self.interval)
        return d


def success_rates(family, inst, *, runs: int = 20, steps: int = 3000, seed: int = 0,
                  reference=None, methods=("gd", "pgd")) -> dict:
    """GD and PGD from ``runs`` random starts each (``family.init``, seeded); success by the
    family's rule (``reference``: the certificate of the main point, for rules that use it)."""
    out = {"evidence_only": True, "rule": family.success_rule,
           "pgd_parameters": "radius 1e-2 |x0|, g_thres 1e-8 |x0|, t_thres 50 (not the theorem's constants)"}
    for method in methods:
        rng = np.random.default_rng([seed, 1 if method == "pgd" else 0])
        t0 = time.perf_counter()
        ok, losses, nsteps = 0, [], []
        for _ in range(runs):
            if method == "gd" and family.solve is not None:
                x, info, _ = family.solve(inst, int(rng.integers(2 ** 31)))
                info = {"loss": family.loss_grad(inst, x)[0], "steps": info.get("iterations", 0)}
            else:
                x, info = descend(family, inst, family.init(inst, rng), steps=steps, perturb=method == "pgd",
                                  rng=rng)
            ok += bool(family.success(inst, x, reference))
            losses.append(info["loss"])
            nsteps.append(info["steps"])
        lo, hi = clopper_pearson(ok, runs)
        out[method] = RunSummary(method, runs, ok, ok / runs, (lo, hi), float(np.median(losses)),
                                 float(np.median(nsteps)), time.perf_counter() - t0).to_dict()
    return out
