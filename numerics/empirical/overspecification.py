"""Over-specification in teacher-student training of two-layer ReLU networks (our setup, not the paper's).

Livni, Shalev-Shwartz and Shamir (NeurIPS 2014, arXiv:1410.1141) name *over-specification* (training
a network larger than needed) among the tricks that make training work in practice. The exact setup of
their experiment is NOT VERIFIED (only the abstract was read): what is run here is **our setup, not
the paper's**. Related work (not reproduced here): Safran and Shamir, "Spurious local minima are common
in two-layer ReLU neural networks" (ICML 2018, arXiv:1712.08968), study the exact-width case.

Setup (all drawn in float64 on the CPU, then moved to the device and dtype of the run):

- inputs ``x ~ N(0, I_d)``; ``n`` training and ``n_test`` held-out samples;
- teacher ``y(x) = sum_{j <= k0} v_j relu(w_j . x)`` with ``w_j ~ N(0, I_d / d)`` (so ``w_j . x`` has
  variance about 1) and ``v_j ~ N(0, 1 / k0)`` (so ``y`` has variance of order 1); the teacher and the
  data depend only on ``seed``;
- students of width ``k``: ``f(x) = sum_{r <= k} a_r relu(w_r . x)``, both layers trained, initialised
  ``w_r ~ N(0, I_d / d)``, ``a_r ~ N(0, 1 / k)`` from a generator seeded by ``(seed, k, s)`` for student
  ``s`` (so a student's run does not depend on which others share its batch);
- objective ``L = (1 / 2n) sum_i (f(x_i) - y_i)^2`` (squared loss), full batch, optimised by Adam
  (default; ``torch.optim.Adam`` with its default betas and eps) or plain gradient descent
  (``torch.optim.SGD`` without momentum on the full batch), with the rate annealed from ``lr`` to 0 by
  a cosine (default) or kept constant. Full-batch Adam with a cosine rate is our choice (the reference
  suggests SGD): it is deterministic, it reaches its plateau within a few thousand steps at n = 10^4,
  and the annealing removes the step-size noise floor, so the final loss is where a run settled rather
  than how much it jitters.

All ``S`` students of one width are one tensor program: weights ``(S, k, d)`` and ``(S, k)``, a batched
matrix product per layer, and one optimizer acting on the stacked tensors. Adam and SGD act elementwise,
and the gradient of ``sum_s L_s`` with respect to student ``s``'s weights is ``grad L_s``, so this is
exactly ``S`` independent trainings (``train_students_loop`` is the per-student reference).

Reported losses are *relative*: ``mean_i (f(x_i) - y_i)^2 / var(y)``, with ``var(y)`` the empirical
variance of the teacher's outputs on the training set. Everything is float evidence, never a verdict.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import torch

from numerics.empirical.device import device_name, resolve_device, resolve_dtype
from numerics.empirical.observables import log_spaced_schedule
from numerics.empirical.statistics import clopper_pearson
from numerics.empirical.training import default_chunk

SETUP_LABEL = ("our setup, not the paper's: the setup of the over-specification experiment of Livni, "
               "Shalev-Shwartz, Shamir (NeurIPS 2014, arXiv:1410.1141) is NOT VERIFIED; this follows the "
               "reference's suggested reproduction")
EVIDENCE_LABEL = "float (empirical evidence, never a verdict)"
RELATED_WORK = (
    "Livni, Shalev-Shwartz, Shamir, On the Computational Efficiency of Training Neural Networks, "
    "NeurIPS 2014, arXiv:1410.1141 (over-specification as a practical trick; experiment setup NOT VERIFIED)",
    "Safran, Shamir, Spurious local minima are common in two-layer ReLU neural networks, ICML 2018, "
    "arXiv:1712.08968 (related work on the exact-width case; not reproduced here)",
)
OPTIMIZERS = ("adam", "gd")
LR_SCHEDULES = ("cosine", "constant")
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
TEACHER_SCALING = "w_j ~ N(0, I_d / d), v_j ~ N(0, 1 / k0)"
STUDENT_SCALING = "w_r ~ N(0, I_d / d), a_r ~ N(0, 1 / k)"


def _generator(*words: int) -> torch.Generator:
    state = np.random.SeedSequence([int(w) for w in words]).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed((int(state[0]) << 31) ^ int(state[1]))


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or int(value) != value or int(value) < 1:
        raise ValueError(f"{name}: got {value!r}; allowed: a positive integer")
    return int(value)


def make_teacher(seed: int, width: int, d: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Teacher weights ``(W (k0, d), v (k0,))`` in float64: ``w_j ~ N(0, I/d)``, ``v_j ~ N(0, 1/k0)``.

    A function of ``(seed, width, d)`` only.
    """
    width, d = _positive_int("teacher_width", width), _positive_int("d", d)
    g = _generator(seed, 0, width, d)
    W = torch.randn(width, d, generator=g, dtype=torch.float64) / math.sqrt(d)
    v = torch.randn(width, generator=g, dtype=torch.float64) / math.sqrt(width)
    return W, v


def sample_inputs(seed: int, n: int, d: int, split: str) -> torch.Tensor:
    """``n`` inputs ``x ~ N(0, I_d)`` in float64; ``split`` is ``"train"`` or ``"test"`` (independent draws)."""
    if split not in ("train", "test"):
        raise ValueError(f"split: got {split!r}; allowed: 'train', 'test'")
    g = _generator(seed, 1 if split == "train" else 2, n, d)
    return torch.randn(_positive_int("n", n), _positive_int("d", d), generator=g, dtype=torch.float64)


def init_students(seed: int, width: int, d: int, students: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Initial ``(W (S, k, d), a (S, k))`` in float64: student ``s`` from a generator seeded by ``(seed, k, s)``."""
    width, d = _positive_int("width", width), _positive_int("d", d)
    Ws, As = [], []
    for s in students:
        g = _generator(seed, 3, width, d, s)
        Ws.append(torch.randn(width, d, generator=g, dtype=torch.float64) / math.sqrt(d))
        As.append(torch.randn(width, generator=g, dtype=torch.float64) / math.sqrt(width))
    return torch.stack(Ws), torch.stack(As)


def network_outputs(W: torch.Tensor, a: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """``f_b(x_i) = sum_r a[b, r] relu(W[b, r] . x_i)`` for every network ``b``: shape ``(B, n)``.

    The networks share the inputs, so the first layer of all of them is one matrix product
    ``(B k, d) x (d, n)`` (much faster on the CPU than a broadcast batched product), and so is its gradient.
    """
    B, k, d = W.shape
    hidden = torch.relu(torch.mm(W.reshape(B * k, d), X.t())).reshape(B, k, -1)  # (B, k, n)
    return torch.bmm(a.unsqueeze(1), hidden).squeeze(1)


def mean_squared_error(W: torch.Tensor, a: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``mean_i (f_b(x_i) - y_i)^2`` per network: shape ``(B,)``; the objective is half of it."""
    return ((network_outputs(W, a, X) - y) ** 2).mean(dim=1)


def _optimizer(name: str, params, lr: float, lr_schedule: str, steps: int):
    """``(optimizer, scheduler or None)``; ``cosine`` anneals the rate from ``lr`` to 0 over ``steps``."""
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"lr_schedule: got {lr_schedule!r}; allowed: {', '.join(repr(o) for o in LR_SCHEDULES)}")
    if name == "adam":
        opt = torch.optim.Adam(params, lr=lr)
    elif name == "gd":
        opt = torch.optim.SGD(params, lr=lr)
    else:
        raise ValueError(f"optimizer: got {name!r}; allowed: {', '.join(repr(o) for o in OPTIMIZERS)}")
    if lr_schedule == "cosine" and steps > 0:
        return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=int(steps))
    return opt, None


def train_students(W0: torch.Tensor, a0: torch.Tensor, X: torch.Tensor, y: torch.Tensor, *, steps: int,
                   lr: float, optimizer: str = "adam", lr_schedule: str = "cosine",
                   schedule: Sequence[int] | None = None, chunk: int | None = None):
    """Train the stacked students ``(W0 (S, k, d), a0 (S, k))`` on ``(X, y)`` as one tensor program.

    Minimises ``sum_s L_s`` with ``L_s = mean_i (f_s(x_i) - y_i)^2 / 2``; returns ``(W, a, schedule,
    curve)`` where ``curve (S, len(schedule))`` holds the training MSE after ``k`` updates for ``k`` in
    ``schedule`` (default: log-spaced, ending at ``steps``). ``W0`` and ``a0`` are not modified.

    Forward and backward passes run over ``chunk`` students at a time (default: ``training.default_chunk``,
    about 12 MB per ``(chunk, k, n)`` buffer on the CPU, all students on a GPU), accumulating the gradient of
    every student before the one optimizer step; the chunking changes the memory traffic, not the maths.
    """
    if int(steps) < 0:
        raise ValueError(f"steps: got {steps!r}; allowed: an integer >= 0")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr: got {lr!r}; allowed: a positive finite number")
    schedule = log_spaced_schedule(steps) if schedule is None else sorted({int(k) for k in schedule})
    if schedule and (schedule[0] < 0 or schedule[-1] > steps):
        raise ValueError(f"schedule: got steps outside [0, {steps}]")
    slot = {k: j for j, k in enumerate(schedule)}
    W = W0.detach().clone().requires_grad_(True)
    a = a0.detach().clone().requires_grad_(True)
    opt, sched = _optimizer(optimizer, [W, a], lr, lr_schedule, int(steps))
    B, width = a0.shape
    c = int(chunk) if chunk else default_chunk(B, width, X.shape[0], W.element_size(), W.device)
    curve = torch.empty(B, len(schedule), dtype=torch.float64)
    mse_all = torch.empty(B, dtype=torch.float64, device=W.device)
    for k in range(int(steps) + 1):
        opt.zero_grad(set_to_none=True)
        for s in range(0, B, c):
            mse = mean_squared_error(W[s:s + c], a[s:s + c], X, y)
            mse_all[s:s + c] = mse.detach()
            if k < steps:
                (0.5 * mse.sum()).backward()  # accumulates into W.grad[s:s+c], a.grad[s:s+c]
        j = slot.get(k)
        if j is not None:
            curve[:, j] = mse_all.to("cpu")
        if k == steps:
            break
        opt.step()
        if sched is not None:
            sched.step()
    return W.detach(), a.detach(), list(schedule), curve.numpy()


class StudentNet(torch.nn.Module):
    """One student as an ordinary module (the per-student reference): ``a . relu(W x)``."""

    def __init__(self, W0: torch.Tensor, a0: torch.Tensor):
        super().__init__()
        self.hidden = torch.nn.Linear(W0.shape[1], W0.shape[0], bias=False, dtype=W0.dtype, device=W0.device)
        self.out = torch.nn.Linear(W0.shape[0], 1, bias=False, dtype=W0.dtype, device=W0.device)
        with torch.no_grad():
            self.hidden.weight.copy_(W0)
            self.out.weight.copy_(a0.unsqueeze(0))

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x))).squeeze(-1)


def train_students_loop(W0: torch.Tensor, a0: torch.Tensor, X: torch.Tensor, y: torch.Tensor, *, steps: int,
                        lr: float, optimizer: str = "adam", lr_schedule: str = "cosine",
                        schedule: Sequence[int] | None = None):
    """The baseline: a Python loop of per-student ``nn.Module`` trainings, same maths as ``train_students``."""
    schedule = log_spaced_schedule(steps) if schedule is None else sorted({int(k) for k in schedule})
    slot = {k: j for j, k in enumerate(schedule)}
    Ws, As, curves = [], [], []
    for b in range(W0.shape[0]):
        net = StudentNet(W0[b], a0[b])
        opt, sched = _optimizer(optimizer, net.parameters(), lr, lr_schedule, int(steps))
        curve = np.empty(len(schedule))
        for k in range(int(steps) + 1):
            mse = ((net(X) - y) ** 2).mean()
            if k in slot:
                curve[slot[k]] = float(mse.detach())
            if k == steps:
                break
            opt.zero_grad(set_to_none=True)
            (0.5 * mse).backward()
            opt.step()
            if sched is not None:
                sched.step()
        Ws.append(net.hidden.weight.detach().clone())
        As.append(net.out.weight.detach()[0].clone())
        curves.append(curve)
    return torch.stack(Ws), torch.stack(As), list(schedule), np.stack(curves)


def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _summary(values: np.ndarray) -> dict:
    """Median, quantiles, min and max of the finite values (None where there are none)."""
    ok = values[np.isfinite(values)]
    if ok.size == 0:
        return {"median": None, "quantiles": {str(q): None for q in QUANTILES}, "min": None, "max": None,
                "non_finite": int(values.size)}
    qs = np.quantile(ok, QUANTILES)
    return {"median": float(np.median(ok)), "quantiles": {str(q): float(v) for q, v in zip(QUANTILES, qs)},
            "min": float(ok.min()), "max": float(ok.max()), "non_finite": int(values.size - ok.size)}


def _curve_band(schedule: list[int], rel_curve: np.ndarray) -> dict:
    with np.errstate(invalid="ignore"):
        safe = np.where(np.isfinite(rel_curve), rel_curve, np.inf)
        med, lo, hi = (np.quantile(safe, q, axis=0) for q in (0.5, 0.1, 0.9))
    return {"steps": list(schedule), "median": [_finite(v) for v in med], "q10": [_finite(v) for v in lo],
            "q90": [_finite(v) for v in hi],
            "per_seed": [[_finite(v) for v in row] for row in rel_curve]}


def run_overspecification(*, teacher_width: int = 50, widths: Sequence[int] = (50, 100), d: int = 50,
                          n: int = 10_000, n_test: int = 2_000, seeds: int = 10, steps: int = 1_500,
                          lr: float = 1e-2, optimizer: str = "adam", lr_schedule: str = "cosine", tol: float = 1e-3, device: str = "auto",
                          dtype: str = "float64", seed: int = 0, curve_points: int = 40,
                          confidence: float = 0.95) -> dict:
    """Teacher of width ``teacher_width``; ``seeds`` students of each width in ``widths``; a JSON-safe dict.

    Our setup, not the paper's (module docstring). Per width: the final relative training loss of every
    student, its median and quantiles, the number and fraction of students with relative training loss
    ``<= tol`` and the Clopper-Pearson interval of that fraction, the relative test loss on ``n_test``
    held-out inputs, and the relative loss curve on a log-spaced schedule. Non-finite losses (a diverged
    run) are recorded as None and count as failures. Float evidence, never a verdict.
    """
    teacher_width = _positive_int("teacher_width", teacher_width)
    widths = [int(w) for w in widths]
    if not widths:
        raise ValueError("widths: got []; allowed: a non-empty list of positive integers")
    for w in widths:
        _positive_int("widths", w)
    d, n, n_test, seeds = (_positive_int(k, v) for k, v in (("d", d), ("n", n), ("n_test", n_test),
                                                             ("seeds", seeds)))
    if not (tol > 0 and math.isfinite(tol)):
        raise ValueError(f"tol: got {tol!r}; allowed: a positive finite number")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: got {optimizer!r}; allowed: {', '.join(repr(o) for o in OPTIMIZERS)}")
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"lr_schedule: got {lr_schedule!r}; allowed: {', '.join(repr(o) for o in LR_SCHEDULES)}")
    if int(steps) < 0:
        raise ValueError(f"steps: got {steps!r}; allowed: an integer >= 0")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr: got {lr!r}; allowed: a positive finite number")
    dev, note = resolve_device(device)
    dt = resolve_dtype(dtype)

    Wt, vt = make_teacher(seed, teacher_width, d)
    X64, Xte64 = sample_inputs(seed, n, d, "train"), sample_inputs(seed, n_test, d, "test")
    y64 = network_outputs(Wt[None], vt[None], X64)[0]
    yte64 = network_outputs(Wt[None], vt[None], Xte64)[0]
    var_y = float(y64.var())
    X, y = X64.to(dev, dt), y64.to(dev, dt)
    Xte, yte = Xte64.to(dev, dt), yte64.to(dev, dt)
    schedule = log_spaced_schedule(int(steps), curve_points)

    per_width = []
    for k in widths:
        W0, a0 = init_students(seed, k, d, range(seeds))
        t0 = time.perf_counter()
        W, a, sched, curve = train_students(W0.to(dev, dt), a0.to(dev, dt), X, y, steps=int(steps), lr=lr,
                                            optimizer=optimizer, lr_schedule=lr_schedule,
                                            schedule=schedule)
        with torch.no_grad():
            test = mean_squared_error(W, a, Xte, yte).to("cpu", torch.float64).numpy()
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        seconds = time.perf_counter() - t0
        rel = curve / var_y
        final = rel[:, -1]
        rel_test = test / var_y
        success = np.isfinite(final) & (final <= tol)
        s = int(success.sum())
        lo, hi = clopper_pearson(s, seeds, confidence)
        per_width.append({
            "width": k,
            "overspecified": k > teacher_width,
            "relative_final_train_loss": [_finite(v) for v in final],
            "final_train": _summary(final),
            "relative_test_loss": [_finite(v) for v in rel_test],
            "test": _summary(rel_test),
            "successes": s,
            "trials": seeds,
            "success_fraction": s / seeds,
            "success_interval": [lo, hi],
            "curve": _curve_band(sched, rel),
            "seconds": seconds,
        })
    return {
        "experiment": "overspecification",
        "setup": SETUP_LABEL,
        "evidence": EVIDENCE_LABEL,
        "related_work": list(RELATED_WORK),
        "teacher": {"width": teacher_width, "scaling": TEACHER_SCALING, "seed": int(seed),
                    "train_output_variance": var_y},
        "student_scaling": STUDENT_SCALING,
        "inputs": "x ~ N(0, I_d)",
        "loss": ("objective (1/2n) sum_i (f(x_i) - y_i)^2, full batch; reported losses are relative: "
                 "mean_i (f(x_i) - y_i)^2 / var(y), var(y) the teacher's output variance on the training set"),
        "config": {"teacher_width": teacher_width, "widths": widths, "d": d, "n": n, "n_test": n_test,
                   "seeds": seeds, "steps": int(steps), "lr": float(lr), "optimizer": optimizer,
                   "lr_schedule": ("cosine annealing from lr to 0 over the steps (torch CosineAnnealingLR)"
                                   if lr_schedule == "cosine" else "constant"),
                   "optimizer_detail": ("torch.optim.Adam (default betas, eps), full batch" if optimizer == "adam"
                                        else "torch.optim.SGD without momentum, full batch (gradient descent)"),
                   "tol": float(tol), "seed": int(seed), "confidence": float(confidence)},
        "success_definition": f"relative final training loss <= tol = {tol!r}",
        "device": device_name(dev),
        "device_note": note,
        "dtype": dtype,
        "per_width": per_width,
    }
