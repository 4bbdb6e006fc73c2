"""Training a batched two-layer ensemble by GD or SGD while measuring what DZPS predicts.

One call trains ``B`` nets of one width as one tensor program (the batch is cut into chunks sized for
the cache on the CPU; on a GPU the whole batch is one chunk). The loss and the theorem's bound are
checked at **every** step; the heavier observables (movement, flips, Gram spectrum) are recorded on a
log-spaced schedule. All numbers are float (evidence, never a verdict).

Loss-bound check (DZPS arXiv:1810.02054v2 Thm 4.1): step ``k`` breaks the bound when
``||y - u(k)||^2 > (1 - eta lambda0/2)^k ||y - u(0)||^2 + tol_k``. ``tol_k`` is a float-rounding
allowance (``tolerance_model`` below), so a "violation" is never an artefact of the last few ulps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from numerics.empirical import observables as obs
from numerics.empirical.two_layer import TwoLayerEnsemble

OBSERVABLES = ("movement", "flips", "gram")
TOLERANCE_MODEL = (
    "tol_k = rtol*B_k + 2 sqrt(n) delta sqrt(B_k) + n delta^2 with rtol = 8 n eps, "
    "delta = 8 eps (sqrt(m) + d) (1 + max|y|), eps the unit roundoff of the dtype, B_k the bound"
)


@dataclass
class TrainingTrace:
    """Per-net results of one ensemble training; arrays have one row per net (``B``)."""

    schedule: list[int]
    loss: np.ndarray  # (B, S): ||y - u(k)||^2 at the schedule
    bound: np.ndarray  # (B, S): (1 - eta lambda0/2)^k ||y - u(0)||^2
    first_violation: np.ndarray  # (B,): first step breaking the bound (beyond tolerance), -1 if none
    worst_bound_ratio: np.ndarray  # (B,): max_k ||y - u(k)||^2 / (bound_k + tol_k); > 1 iff violated
    first_below_eps: np.ndarray  # (B,): first step with loss 1/2||y-u||^2 <= eps, -1 if never
    max_movement: np.ndarray | None = None  # (B, S)
    mean_movement: np.ndarray | None = None  # (B, S)
    flip_fraction: np.ndarray | None = None  # (B, S)
    gram_lambda_min: np.ndarray | None = None  # (B, S), float eigvalsh
    gram_distance0: np.ndarray | None = None  # (B,): ||H(0) - H_inf||_2, float
    extras: dict = field(default_factory=dict)


def default_chunk(batch: int, width: int, n: int, itemsize: int, device: torch.device) -> int:
    """Nets per chunk: about 12 MB per ``(c, m, n)`` buffer on the CPU (on a loaded 2-core EPYC, m = 1024,
    n = 200, it beat both 3 MB and 100 MB chunks; timings there were noisy), the whole batch on a GPU."""
    if device.type == "cuda":
        return batch
    return int(max(1, min(batch, 12_000_000 // max(1, width * n * itemsize))))


def _sgd_generators(seeds, width: int) -> list[torch.Generator]:
    out = []
    for s in seeds:
        words = np.random.SeedSequence([int(s), int(width), 1]).generate_state(2, dtype=np.uint32)
        out.append(torch.Generator().manual_seed((int(words[0]) << 31) ^ int(words[1])))
    return out


def train_two_layer_ensemble(
    ens: TwoLayerEnsemble,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    step_size: float,
    steps: int,
    lambda0: float,
    method: str = "gd",
    batch_size: int | None = None,
    schedule: list[int] | None = None,
    observe: tuple[str, ...] = OBSERVABLES,
    H_inf: torch.Tensor | None = None,
    eps: float = 1e-3,
    chunk: int | None = None,
) -> TrainingTrace:
    """Train every net of ``ens`` in place for ``steps`` steps and return its trace.

    ``method="gd"``: ``W <- W - eta dL/dW`` (1810.02054 eq. 3). ``method="sgd"``: each net draws its own
    minibatch of ``batch_size`` distinct samples per step from a generator seeded by ``(seed, width)``,
    and uses the minibatch gradient rescaled by ``n / batch_size`` (an unbiased estimate of the full
    gradient). ``X (n, d)`` and ``y (n,)`` must be on the ensemble's device and dtype.
    """
    if method not in ("gd", "sgd"):
        raise ValueError(f"method: got {method!r}; allowed: 'gd', 'sgd'")
    unknown = set(observe) - set(OBSERVABLES)
    if unknown:
        raise ValueError(f"observe: got {sorted(unknown)!r}; allowed: subsets of {OBSERVABLES!r}")
    n, d = X.shape
    B, m = ens.a.shape
    if method == "sgd":
        if batch_size is None or not (1 <= int(batch_size) <= n):
            raise ValueError(f"batch_size: got {batch_size!r}; allowed: an integer in [1, n={n}] for method 'sgd'")
        batch_size = int(batch_size)
        gens = _sgd_generators(ens.seeds, m)
    schedule = obs.log_spaced_schedule(steps) if schedule is None else sorted(set(int(k) for k in schedule))
    if schedule[0] < 0 or schedule[-1] > steps:
        raise ValueError(f"schedule: got steps outside [0, {steps}]")
    slot = {k: j for j, k in enumerate(schedule)}
    S = len(schedule)
    dev, dt = ens.W.device, ens.W.dtype
    c = chunk or default_chunk(B, m, n, ens.W.element_size(), dev)
    Xt = X.t()
    f64 = dict(device=dev, dtype=torch.float64)
    # reused work buffers (no allocation per step): pre-activations / ReLU / masked residual, and the pattern
    Zbuf = torch.empty(c, m, n, device=dev, dtype=dt)
    Abuf = torch.empty(c, m, n, device=dev, dtype=torch.bool)
    inv_sqrt_m = 1.0 / math.sqrt(m)

    unit = torch.finfo(dt).eps
    ymax = float(y.abs().max()) if n else 0.0
    delta = 8.0 * unit * (math.sqrt(m) + d) * (1.0 + ymax)
    rtol = 8.0 * n * unit
    q = 1.0 - step_size * lambda0 / 2.0

    loss_s = torch.zeros(B, S, **f64)
    bound_s = torch.zeros(B, S, **f64)
    L0 = torch.zeros(B, **f64)
    first_viol = torch.full((B,), -1, dtype=torch.int64, device=dev)
    worst = torch.zeros(B, **f64)
    first_eps = torch.full((B,), -1, dtype=torch.int64, device=dev)
    want = set(observe)
    mv_max = torch.zeros(B, S, **f64) if "movement" in want else None
    mv_mean = torch.zeros(B, S, **f64) if "movement" in want else None
    flips = torch.zeros(B, S, **f64) if "flips" in want else None
    lam = torch.zeros(B, S, **f64) if "gram" in want else None
    dist0 = torch.zeros(B, **f64) if H_inf is not None else None
    scale_sgd = n / batch_size if method == "sgd" else 1.0

    for k in range(steps + 1):
        j = slot.get(k)
        qk = math.pow(q, k) if q > 0 else (1.0 if k == 0 else 0.0)
        if method == "sgd" and k < steps:
            mask = torch.zeros(B, n, dtype=dt)
            for b, g in enumerate(gens):
                mask[b, torch.randperm(n, generator=g)[:batch_size]] = scale_sgd
            mask = mask.to(dev)
        for s in range(0, B, c):
            e = min(B, s + c)
            Wc, ac = ens.W[s:e], ens.a[s:e]
            Z, active = Zbuf[: e - s], Abuf[: e - s]
            torch.matmul(Wc, Xt, out=Z)  # Z[b, r, i] = w_r . x_i
            torch.ge(Z, 0, out=active)  # relu'(0) = 1: ties count as active
            Z.clamp_min_(0)  # Z now holds relu(w_r . x_i)
            u = torch.bmm(ac.unsqueeze(1), Z).squeeze(1) * inv_sqrt_m
            r = u - y
            loss = (r.to(torch.float64) ** 2).sum(dim=1)
            if k == 0:
                L0[s:e] = loss
            bk = L0[s:e] * qk
            tol = rtol * bk + 2.0 * math.sqrt(n) * delta * bk.sqrt() + n * delta * delta
            viol = loss > bk + tol
            first_viol[s:e] = torch.where(viol & (first_viol[s:e] < 0), k, first_viol[s:e])
            worst[s:e] = torch.maximum(worst[s:e], loss / (bk + tol))
            first_eps[s:e] = torch.where((0.5 * loss <= eps) & (first_eps[s:e] < 0), k, first_eps[s:e])
            if j is not None:
                loss_s[s:e, j] = loss
                bound_s[s:e, j] = bk
                if mv_max is not None:
                    mx, mn = obs.neuron_movement(Wc, ens.W0[s:e])
                    mv_max[s:e, j], mv_mean[s:e, j] = mx, mn
                if flips is not None:
                    active0 = torch.matmul(ens.W0[s:e], Xt) >= 0
                    flips[s:e, j] = obs.flip_fraction(active, active0)
                if lam is not None:
                    lam[s:e, j] = obs.gram_lambda_min(active, X)
            if k == 0 and dist0 is not None:
                dist0[s:e] = obs.gram_distance(active, X, H_inf)
            if k < steps:
                if method == "sgd":
                    r = r * mask[s:e]
                # dL/dw_r = m^-1/2 a_r sum_i r_i 1{w_r . x_i >= 0} x_i  (1810.02054 eq. 4), as in
                # two_layer.gradient_from_residual but written into the reused buffer
                Z.copy_(active)  # 1{w_r . x_i >= 0} (faster than a broadcasting where on the CPU)
                Z.mul_(r.unsqueeze(1))
                G = torch.matmul(Z, X)
                G.mul_(ac.unsqueeze(2) * inv_sqrt_m)
                Wc.sub_(G, alpha=step_size)

    def host(t):
        return None if t is None else t.cpu().numpy()

    return TrainingTrace(
        schedule=list(schedule),
        loss=host(loss_s),
        bound=host(bound_s),
        first_violation=host(first_viol),
        worst_bound_ratio=host(worst),
        first_below_eps=host(first_eps),
        max_movement=host(mv_max),
        mean_movement=host(mv_mean),
        flip_fraction=host(flips),
        gram_lambda_min=host(lam),
        gram_distance0=host(dist0),
    )
