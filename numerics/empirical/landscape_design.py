"""Plain squared loss against the designed objective G of Ge, Lee, Ma (slide 18), from random starts.

Ge, Lee, Ma, "Learning One-hidden-layer Neural Networks with Landscape Design", ICLR 2018,
arXiv:1711.00501 (read in a text copy of the paper: eqs. (2.7)-(2.10), Lemma A.9, Sec. 4).
Model: ``x ~ N(0, I_d)``, ``y = sum_i a*_i relu(b*_i . x)`` with ``a* >= 0`` and ``B*`` orthogonal
(Sec. 4: ``B* = Id``, ``a* = 1``, ``d = 50``, no noise). Two objectives over a student of the same
width ``m = d`` (no over-specification):

- **plain**: the population risk ``f(a, B) = E (a . relu(Bx) - y)^2`` (eq. 2.2), both layers trained.
  In closed form with the arc-cosine kernel ``E relu(u.x) relu(v.x) = |u||v| kappa(rho)``,
  ``kappa(rho) = (sqrt(1 - rho^2) + (pi - arccos rho) rho) / (2 pi)`` (Cho and Saul 2009);
- **designed**: ``G(B) = sign(s4) E[y sum_{j != k} phi(b_j, b_k, x)] - mu sign(s4) E[y sum_j vphi(b_j, x)]
  + lambda sum_j (|b_j|^2 - 1)^2`` (eq. 2.7), ``s4`` the 4th normalized Hermite coefficient of relu,
  ``vphi(v, x) = |v|^4/8 - (v.x)^2 |v|^2/4 + (v.x)^4/24`` (eq. 2.8) ``= <He_4(x), v^{(x)4}>/24`` and
  ``phi(v, w, x) = vphi(v+w) + vphi(v-w) - 2 vphi(v) - 2 vphi(w) = <He_4(x), v v w w>/2`` (Lemma A.9's
  construction), i.e. ``|v|^2|w|^2/2 + <v,w>^2 - |w|^2 (v.x)^2/2 - |v|^2 (w.x)^2/2 - 2 (v.x)(w.x)<v,w>
  + (v.x)^2 (w.x)^2/2``. (A text copy of eq. (2.9) prints ``+ 2 (v.x)(w.x)<v,w>``; the construction of
  Lemma A.9 gives ``- 2``, and only ``- 2`` makes the sample average unbiased for the closed form below.)

Since ``E[g(u.x) He_k(x)] = E[g(z) He_k(z)] u^{(x)k}`` for a unit ``u`` and ``E[relu He_4] = sqrt(24) s4``,
the population value is (docs/landscape_design.md)
``G(B) = |s4| (sqrt(6) sum_i a*_i sum_{j != k} M_ij^2 M_ik^2 - mu/(2 sqrt 6) sum_ij a*_i M_ij^4)
+ lambda sum_j (|b_j|^2 - 1)^2`` with ``M = B* B^T``. Theorem 2.6 as printed has ``2 sqrt(6)`` and
``1/sqrt(6)``, twice ours in both terms (the ratio, 12, agrees); our constants are checked against
Monte Carlo in the tests. Success = the parameter error ``e(Q) <= tol`` of eq. (4.1) for
``Q = B B*^{-1}`` with unit rows (the paper's ``B*^{-1} B`` coincides for ``B* = Id``), on signed entries
for the plain loss (a ReLU neuron ``-b*_i`` does not recover ``b*_i``; G cannot tell the sign).

Runs are exact population gradient descent (``estimator = "population"``: the closed forms above, the
paper's infinite-sample limit) or mini-batch SGD on the sample estimators with fresh inputs
(``"samples"``, Sec. 4: the paper used batches of 256 for the plain loss and 262144 for G). Seeds are
batched as one tensor program. Float evidence, never a verdict.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from numerics.empirical import overspecification as ov
from numerics.empirical.device import device_name, resolve_device, resolve_dtype
from numerics.empirical.observables import log_spaced_schedule
from numerics.empirical.statistics import clopper_pearson

OBJECTIVES = ("plain", "designed")
ESTIMATORS = ("population", "samples")
EVIDENCE_LABEL = "float (empirical evidence, never a verdict)"
SOURCE = ("Ge, Lee, Ma, Learning One-hidden-layer Neural Networks with Landscape Design, ICLR 2018, "
          "arXiv:1711.00501: objective G eqs. (2.7)-(2.9), Lemma A.9; setup Sec. 4 (d = 50, B* = Id, a* = 1)")


def relu_hermite(k: int) -> float:
    """``E[relu(z) h_k(z)]``, ``h_k = He_k / sqrt(k!)``: ``1/sqrt(2 pi)``, ``1/2``, and for ``k >= 2``
    ``He_{k-2}(0) / sqrt(2 pi k!)`` (Stein: ``E[g He_k] = E[g^(k)]``, ``relu'' = delta``)."""
    if k == 0:
        return 1.0 / math.sqrt(2 * math.pi)
    if k == 1:
        return 0.5
    j = k - 2
    he_j0 = 0.0 if j % 2 else (-1.0) ** (j // 2) * math.prod(range(j - 1, 0, -2))
    return he_j0 / math.sqrt(2 * math.pi * math.factorial(k))


S4 = relu_hermite(4)  # -1 / sqrt(48 pi)


def vphi(B: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """``vphi(b_j, x_i)`` (eq. 2.8) for every row ``j`` of ``B (..., m, d)`` and sample ``x_i``: ``(..., n, m)``."""
    z = X @ B.transpose(-1, -2)
    nb = (B * B).sum(-1).unsqueeze(-2)
    return nb ** 2 / 8 - z ** 2 * nb / 4 + z ** 4 / 24


def phi_offdiagonal_sum(B: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """``sum_{j != k} phi(b_j, b_k, x_i)`` for every sample: ``(..., n)``.

    Summed over all ``j, k`` the terms of ``phi`` give ``N^2/2 + |C|_F^2 - N Z + Z^2/2 - 2 |B^T z|^2``
    with ``z = B x``, ``N = sum |b_j|^2``, ``Z = |z|^2``, ``C = B B^T``; the diagonal is ``phi(b, b, x) =
    12 vphi(b, x)``.
    """
    z = X @ B.transpose(-1, -2)
    N = (B * B).sum((-1, -2)).unsqueeze(-1)
    Z = (z * z).sum(-1)
    C2 = (B @ B.transpose(-1, -2)).pow(2).sum((-1, -2)).unsqueeze(-1)
    BtZ = (z @ B).pow(2).sum(-1)
    full = N ** 2 / 2 + C2 - N * Z + Z ** 2 / 2 - 2 * BtZ
    return full - 12 * vphi(B, X).sum(-1)


def designed_sample(B: torch.Tensor, X: torch.Tensor, y: torch.Tensor, mu: float, lam: float) -> torch.Tensor:
    """The sample estimator of ``G`` (eq. 2.7) on ``(X (n, d), y (n,))`` for ``B (S, m, d)``: ``(S,)``."""
    sign = math.copysign(1.0, S4)
    est = sign * (y * (phi_offdiagonal_sum(B, X) - mu * vphi(B, X).sum(-1))).mean(-1)
    return est + lam * ((B * B).sum(-1) - 1).pow(2).sum(-1)


def designed_population(B: torch.Tensor, Bstar: torch.Tensor, astar: torch.Tensor, mu: float,
                        lam: float) -> torch.Tensor:
    """``G(B)`` in closed form (module docstring) for ``B (S, m, d)``, unit rows ``b*_i``: ``(S,)``."""
    M2 = (Bstar @ B.transpose(-1, -2)).pow(2)  # (S, m*, m): <b*_i, b_j>^2
    cross = M2.sum(-1).pow(2) - M2.pow(2).sum(-1)  # sum_{j != k} M_ij^2 M_ik^2
    quartic = M2.pow(2).sum(-1)
    core = (math.sqrt(6) * cross - mu / (2 * math.sqrt(6)) * quartic) @ astar
    return abs(S4) * core + lam * ((B * B).sum(-1) - 1).pow(2).sum(-1)


class _ArcCosine(torch.autograd.Function):
    """``kappa(rho) = (sqrt(1 - rho^2) + (pi - arccos rho) rho) / (2 pi)`` with the finite derivative
    ``kappa'(rho) = (pi - arccos rho) / (2 pi)`` (autograd of the formula is 0 * inf at ``rho = +-1``)."""

    @staticmethod
    def forward(ctx, rho):
        rho = rho.clamp(-1.0, 1.0)
        ctx.save_for_backward(rho)
        return (torch.sqrt(1 - rho * rho) + (math.pi - torch.arccos(rho)) * rho) / (2 * math.pi)

    @staticmethod
    def backward(ctx, grad):
        (rho,) = ctx.saved_tensors
        return grad * (math.pi - torch.arccos(rho)) / (2 * math.pi)


def relu_kernel(U: torch.Tensor, V: torch.Tensor) -> torch.Tensor:
    """``E relu(u_i . x) relu(v_j . x)`` for the rows of ``U (..., p, d)``, ``V (..., q, d)``: ``(..., p, q)``."""
    nu, nv = U.norm(dim=-1), V.norm(dim=-1)
    denom = nu.unsqueeze(-1) * nv.unsqueeze(-2)
    rho = (U @ V.transpose(-1, -2)) / denom
    return denom * _ArcCosine.apply(rho)


def plain_population(a: torch.Tensor, B: torch.Tensor, Bstar: torch.Tensor, astar: torch.Tensor) -> torch.Tensor:
    """``f(a, B) = E (a . relu(B x) - y)^2`` in closed form for ``a (S, m)``, ``B (S, m, d)``: ``(S,)``."""
    Kss = relu_kernel(B, B)
    Kst = relu_kernel(B, Bstar.expand(B.shape[0], -1, -1))
    Ktt = relu_kernel(Bstar, Bstar)
    quad = (a.unsqueeze(-2) @ Kss @ a.unsqueeze(-1)).squeeze(-1).squeeze(-1)
    cross = (a.unsqueeze(-2) @ Kst @ astar).squeeze(-1)
    return quad - 2 * cross + astar @ Ktt @ astar


def plain_sample(a: torch.Tensor, B: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The sample mean of ``(a . relu(B x_i) - y_i)^2``: ``(S,)``."""
    return ((torch.relu(X @ B.transpose(-1, -2)) @ a.unsqueeze(-1)).squeeze(-1) - y).pow(2).mean(-1)


def parameter_error(B: torch.Tensor, Bstar: torch.Tensor, signed: bool = False) -> torch.Tensor:
    """``e(Q)`` of eq. (4.1), ``Q = B B*^{-1}`` with unit rows: ``min(1 - min_i max_j |Q_ij|, 1 - min_j
    max_i |Q_ij|)``; 0 exactly for a signed permutation. ``signed = True`` uses ``Q_ij`` for ``|Q_ij|``,
    so that only a permutation with positive scales gives 0 (a ReLU neuron ``-b*_i`` is not ``b*_i``).
    Shape ``(S,)``."""
    Q = B @ torch.linalg.inv(Bstar)
    Q = Q / Q.norm(dim=-1, keepdim=True)
    Q = Q if signed else Q.abs()
    rows = 1 - Q.max(-1).values.min(-1).values
    cols = 1 - Q.max(-2).values.min(-1).values
    return torch.minimum(rows, cols)


def ground_truth(d: int, kind: str = "identity", seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``(B* (d, d), a* (d,))`` in float64: ``identity`` (Sec. 4) or a Haar ``rotation``; ``a* = 1``."""
    if kind == "identity":
        return torch.eye(int(d), dtype=torch.float64), torch.ones(int(d), dtype=torch.float64)
    if kind != "rotation":
        raise ValueError(f"ground_truth: got {kind!r}; allowed: 'identity', 'rotation'")
    g = ov._generator(seed, 21, d)
    Q, R = torch.linalg.qr(torch.randn(int(d), int(d), generator=g, dtype=torch.float64))
    return Q * torch.sign(torch.diagonal(R)), torch.ones(int(d), dtype=torch.float64)


def initial_points(seed: int, d: int, starts: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Random starts ``(a0 (S, m), B0 (S, m, d))``, ``m = d``: ``B0`` rows ``N(0, I/d)``, ``a0 ~ N(0, 1/m)``."""
    W, a = ov.init_students(seed, d, d, range(starts))
    return a, W


def _objective(kind, estimator, a, B, Bstar, astar, mu, lam, X=None, y=None):
    if kind == "plain":
        return plain_population(a, B, Bstar, astar) if estimator == "population" else plain_sample(a, B, X, y)
    return (designed_population(B, Bstar, astar, mu, lam) if estimator == "population"
            else designed_sample(B, X, y, mu, lam))


def train(kind: str, a0, B0, Bstar, astar, *, estimator: str = "population", steps: int, lr: float,
          mu: float = 0.01, lam: float = 1.0, batch: int = 256, seed: int = 0, checkpoints=()):
    """Gradient descent (population) or SGD with fresh inputs (samples) from every start at once.

    ``plain`` trains ``(a, B)``; ``designed`` trains ``B`` only (``a`` is fixed: G does not involve it).
    Returns ``(a, B, checkpoints, objective (S, C), error (S, C))`` with the population objective and
    the parameter error ``e(Q)`` after ``t`` steps for ``t`` in checkpoints (signed for ``plain``: the
    ReLU tells ``b`` from ``-b``; unsigned for ``designed``, whose minima are determined up to sign).
    """
    checkpoints = sorted({int(t) for t in checkpoints} | {int(steps)})
    slot = {t: j for j, t in enumerate(checkpoints)}
    a, B = a0.detach().clone(), B0.detach().clone()
    obj = np.empty((B.shape[0], len(checkpoints)))
    err = np.empty_like(obj)
    g = ov._generator(seed, 23, B.shape[-1])
    params = (a, B) if kind == "plain" else (B,)
    for t in range(int(steps) + 1):
        if t in slot:
            with torch.no_grad():
                obj[:, slot[t]] = _objective(kind, "population", a, B, Bstar, astar, mu, lam).cpu().numpy()
                err[:, slot[t]] = parameter_error(B, Bstar, signed=kind == "plain").cpu().numpy()
        if t == steps:
            break
        X = y = None
        if estimator == "samples":
            X64 = torch.randn(int(batch), B.shape[-1], generator=g, dtype=torch.float64)
            X = X64.to(B.device, B.dtype)
            y = (torch.relu(X @ Bstar.t()) @ astar)
        for p in params:
            p.requires_grad_(True)
        grads = torch.autograd.grad(_objective(kind, estimator, a, B, Bstar, astar, mu, lam, X, y).sum(), params)
        with torch.no_grad():
            for p, gr in zip(params, grads):
                p.sub_(lr * gr)
        a, B = a.detach(), B.detach()
        params = (a, B) if kind == "plain" else (B,)
    return a, B, checkpoints, obj, err


def run_landscape_design(*, d: int = 50, starts: int = 10, steps: int = 10_000, estimator: str = "population",
                         lr_plain: float = 0.05, lr_designed: float = 0.1, mu: float = 0.01, lam: float = 1.0,
                         batch: int = 256, tol: float = 0.05, ground: str = "identity", device: str = "auto",
                         dtype: str = "float64", seed: int = 0, curve_points: int = 40,
                         confidence: float = 0.95) -> dict:
    """Both objectives from the same ``starts`` random points; success rates side by side (JSON-safe)."""
    for name, v in (("d", d), ("starts", starts), ("steps", steps), ("batch", batch)):
        ov._positive_int(name, v)
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator: got {estimator!r}; allowed: {', '.join(repr(e) for e in ESTIMATORS)}")
    for name, v in (("lr_plain", lr_plain), ("lr_designed", lr_designed), ("tol", tol)):
        if not (v > 0 and math.isfinite(v)):
            raise ValueError(f"{name}: got {v!r}; allowed: a positive finite number")
    for name, v in (("mu", mu), ("lam", lam)):
        if not (v >= 0 and math.isfinite(v)):
            raise ValueError(f"{name}: got {v!r}; allowed: a finite number >= 0")
    dev, note = resolve_device(device)
    dt = resolve_dtype(dtype)
    Bstar, astar = (t.to(dev, dt) for t in ground_truth(d, ground, seed))
    a0, B0 = (t.to(dev, dt) for t in initial_points(seed, d, starts))
    cps = log_spaced_schedule(int(steps), curve_points)
    var_y = float(astar @ (relu_kernel(Bstar, Bstar) @ astar)) - float(
        (astar * Bstar.norm(dim=-1)).sum() / math.sqrt(2 * math.pi)) ** 2
    out = []
    for kind, lr in (("plain", lr_plain), ("designed", lr_designed)):
        t0 = time.perf_counter()
        _, _, cps_k, obj, err = train(kind, a0, B0, Bstar, astar, estimator=estimator, steps=int(steps), lr=lr,
                                      mu=mu, lam=lam, batch=batch, seed=seed, checkpoints=cps)
        final_err = err[:, -1]
        ok = np.isfinite(final_err) & (final_err <= tol)
        lo, hi = clopper_pearson(int(ok.sum()), int(starts), confidence)
        out.append({"objective": kind, "lr": float(lr), "final_parameter_error": [ov._finite(v) for v in final_err],
                    "final_objective": [ov._finite(v) for v in obj[:, -1]],
                    "final_relative_risk": ([ov._finite(v / var_y) for v in obj[:, -1]] if kind == "plain" else None),
                    "successes": int(ok.sum()),
                    "trials": int(starts), "success_fraction": float(ok.mean()), "success_interval": [lo, hi],
                    "curve": {"steps": cps_k, "objective": [[ov._finite(v) for v in r] for r in obj],
                              "parameter_error": [[ov._finite(v) for v in r] for r in err]},
                    "seconds": time.perf_counter() - t0})
    return {
        "experiment": "landscape-design", "source": SOURCE, "evidence": EVIDENCE_LABEL,
        "model": "x ~ N(0, I_d), y = sum_i a*_i relu(b*_i . x), no noise; student of the same width m = d",
        "hermite_s4": S4,
        "config": {"d": int(d), "starts": int(starts), "steps": int(steps), "estimator": estimator,
                   "lr_plain": float(lr_plain), "lr_designed": float(lr_designed), "mu": float(mu),
                   "lambda": float(lam), "batch": int(batch), "tol": float(tol), "ground_truth": ground,
                   "seed": int(seed), "confidence": float(confidence),
                   "optimizer": ("gradient descent on the closed-form population objective"
                                 if estimator == "population" else
                                 f"SGD with {batch} fresh inputs per step on the sample estimator")},
        "success_definition": (f"parameter error e(Q) of eq. (4.1) <= tol = {tol!r} after the last step (signed "
                               "entries for the plain loss, absolute values for G)"),
        "target_variance": var_y,
        "device": device_name(dev), "device_note": note, "dtype": dtype, "objectives": out,
    }
