"""Over-specification with mini-batch SGD, as slide 19 of the talk ran it (our reading of the setup).

The slide (teacher of k0 = 50 ReLU neurons; students of k = 50 and 100 neurons; SGD for 3 to 5 x 10^4
iterations; the training objective against the iteration, one panel per width) is attributed to
Livni, Shalev-Shwartz and Shamir (NeurIPS 2014, arXiv:1410.1141), whose experimental setup is NOT
VERIFIED: only the abstract could be read. Every choice below that the slide does not fix is ours and
is written into the result (``setup`` and ``config``); see docs/overspecification_sgd.md.

- Inputs ``x ~ N(0, I_d)``, ``d = 50``; a training set of ``n`` inputs (default 10^4), or fresh inputs at
  every step (``n = 0``, "online", as in Ge, Lee, Ma 2018, Sec. 4).
- Teacher ``y(x) = sum_j v_j relu(w_j . x)``: ``gaussian`` (``w_j ~ N(0, I/d)``, ``v_j ~ N(0, 1/k0)``, the
  existing ``certify overspec`` teacher) or ``orthonormal`` (orthonormal rows ``w_j``, ``v_j = 1``: the
  setting of Ge, Lee, Ma, ICLR 2018, Sec. 4, with ``B* = Id`` rotated by a random orthogonal matrix).
- Students ``f(x) = sum_r a_r relu(w_r . x)``, both layers trained, ``w_r ~ N(0, I/d)``,
  ``a_r ~ N(0, 1/k)`` (``overspecification.init_students``).
- Objective ``L = (1/2n) sum_i (f(x_i) - y_i)^2``; mini-batch SGD on it: at step ``t`` a batch of
  ``batch`` indices drawn uniformly with replacement, the heavy-ball update of ``torch.optim.SGD``
  (``buf = momentum buf + g``, ``theta -= eta_t buf``), and the step schedule ``step_size`` below.
- Reported: the *relative* training objective ``mean_i (f(x_i) - y_i)^2 / var(y)`` on the whole training
  set (on a fixed evaluation set of ``n_eval`` inputs in the online mode) at log-spaced checkpoints;
  success = relative objective ``<= tol`` at the end, with Clopper-Pearson intervals.

All students of one width are one tensor program, and they share the mini-batch index stream (drawn
from a generator seeded by ``(seed, width)``), so student ``s`` follows exactly the trajectory of a
per-student training with that stream (``train_students_sgd_loop`` is that reference). Students that
stalled (did not reach ``tol``) can be written to a directory (``save_stalled``) for the network
critical-point certificate (``certify critical``). Everything here is float evidence, never a verdict.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from numerics.empirical import overspecification as ov
from numerics.empirical.device import device_name, resolve_device, resolve_dtype
from numerics.empirical.observables import log_spaced_schedule
from numerics.empirical.statistics import clopper_pearson

TEACHERS = ("gaussian", "orthonormal")
STEP_SCHEDULES = ("step", "constant")
SETUP_LABEL = ("slide 19 as we read it: teacher-student two-layer ReLU nets trained by mini-batch SGD; the "
               "setup of Livni, Shalev-Shwartz, Shamir (NeurIPS 2014, arXiv:1410.1141) is NOT VERIFIED, every "
               "choice the slide does not fix is ours (see config)")
EVIDENCE_LABEL = "float (empirical evidence, never a verdict)"
SCHEDULE_TEXT = {
    "step": ("eta_t = lr for t < T/2, then divided by 4 every T/10 steps (eta_t = lr 4^-(1 + floor((t - T/2) / "
             "(T/10)))), the factor-4 decays of Ge, Lee, Ma 2018 Sec. 4 compressed into T steps"),
    "constant": "eta_t = lr",
}
STALLED_FORMAT = "dl-certify/stalled-students/1"


def step_size(t: int, steps: int, lr: float, schedule: str = "step") -> float:
    """The step ``eta_t`` of iteration ``t`` of ``steps`` (``SCHEDULE_TEXT`` states the schedules)."""
    if schedule == "constant":
        return float(lr)
    if schedule != "step":
        raise ValueError(f"schedule: got {schedule!r}; allowed: {', '.join(repr(s) for s in STEP_SCHEDULES)}")
    half, every = int(steps) // 2, max(1, int(steps) // 10)
    if t < half:
        return float(lr)
    return float(lr) * 4.0 ** (-(1 + (int(t) - half) // every))


def make_teacher(kind: str, seed: int, width: int, d: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Teacher ``(W (k0, d), v (k0,))`` in float64: ``gaussian`` or ``orthonormal`` (module docstring)."""
    if kind == "gaussian":
        return ov.make_teacher(seed, width, d)
    if kind != "orthonormal":
        raise ValueError(f"teacher: got {kind!r}; allowed: {', '.join(repr(t) for t in TEACHERS)}")
    if int(width) > int(d):
        raise ValueError(f"teacher_width: got {width!r}; allowed: at most d = {d} for an orthonormal teacher")
    g = ov._generator(seed, 7, width, d)
    Q, R = torch.linalg.qr(torch.randn(int(d), int(d), generator=g, dtype=torch.float64))
    Q = Q * torch.sign(torch.diagonal(R))  # the Haar-distributed orthogonal matrix (sign-fixed QR)
    return Q[: int(width)].clone(), torch.ones(int(width), dtype=torch.float64)


class BatchStream:
    """The mini-batches of one width: indices into the training set, or fresh Gaussian inputs (``n = 0``).

    A function of ``(seed, width)`` only; ``reset`` starts the stream again (the per-student reference
    replays it for every student).
    """

    def __init__(self, seed: int, width: int, batch: int, X: torch.Tensor | None, y: torch.Tensor | None,
                 teacher: tuple[torch.Tensor, torch.Tensor], d: int):
        self.words, self.batch, self.X, self.y, self.teacher, self.d = (seed, 11, width), int(batch), X, y, teacher, d
        self.reset()

    def reset(self) -> None:
        self.g = ov._generator(*self.words)

    def next(self, device, dtype) -> tuple[torch.Tensor, torch.Tensor]:
        if self.X is not None:
            idx = torch.randint(0, self.X.shape[0], (self.batch,), generator=self.g)
            return self.X[idx.to(self.X.device)], self.y[idx.to(self.y.device)]
        x = torch.randn(self.batch, self.d, generator=self.g, dtype=torch.float64)
        yb = ov.network_outputs(self.teacher[0][None], self.teacher[1][None], x)[0]
        return x.to(device, dtype), yb.to(device, dtype)


def _full_mse(W, a, X, y, chunk: int = 4096) -> torch.Tensor:
    """``mean_i (f_s(x_i) - y_i)^2`` for every student, over the rows of ``X`` in chunks (memory)."""
    total = torch.zeros(W.shape[0], dtype=torch.float64, device=W.device)
    for s in range(0, X.shape[0], chunk):
        total += ((ov.network_outputs(W, a, X[s:s + chunk]) - y[s:s + chunk]) ** 2).sum(1).to(torch.float64)
    return total / X.shape[0]


def minibatch_gradient(W: torch.Tensor, a: torch.Tensor, X: torch.Tensor, y: torch.Tensor):
    """``(dL/dW (S, k, d), dL/da (S, k))`` of ``L_s = mean_i (f_s(x_i) - y_i)^2 / 2`` on the batch ``(X, y)``.

    With ``Z = W X^T`` and ``r_i = (f(x_i) - y_i) / b``: ``dL/da_r = sum_i relu(Z_ri) r_i`` and
    ``dL/dw_r = a_r sum_i 1{Z_ri > 0} r_i x_i`` (``relu'(0) = 0``, as autograd). Written out rather than
    taped: on the CPU it halves the time of a step of these small products.
    """
    Z = torch.matmul(W, X.t())  # (S, k, b)
    H = torch.relu(Z)
    r = (torch.bmm(a.unsqueeze(1), H).squeeze(1) - y) / X.shape[0]  # (S, b)
    ga = torch.bmm(H, r.unsqueeze(2)).squeeze(2)
    gW = torch.matmul((Z > 0) * (a.unsqueeze(2) * r.unsqueeze(1)), X)
    return gW, ga


def train_students_sgd(W0, a0, stream: BatchStream, X_eval, y_eval, *, steps: int, lr: float,
                       schedule: str = "step", momentum: float = 0.0, checkpoints: Sequence[int] = ()):
    """Mini-batch SGD on every student of ``(W0 (S, k, d), a0 (S, k))`` as one tensor program.

    Step ``t`` draws one batch from ``stream``, forms every student's gradient of ``L_s^batch =
    mean_batch (f_s - y)^2 / 2`` (``minibatch_gradient``; the students do not interact), and applies
    ``buf = momentum buf + g``, ``theta -= step_size(t) buf``. Returns ``(W, a, checkpoints, curve)`` with
    ``curve (S, C)`` the MSE on ``(X_eval, y_eval)`` after ``t`` steps, ``t`` in checkpoints.
    """
    checkpoints = sorted({int(t) for t in checkpoints} | {int(steps)})
    slot = {t: j for j, t in enumerate(checkpoints)}
    W, a = W0.detach().clone(), a0.detach().clone()
    bufs = [torch.zeros_like(W), torch.zeros_like(a)]
    curve = np.empty((W.shape[0], len(checkpoints)))
    stream.reset()
    with torch.no_grad():
        for t in range(int(steps) + 1):
            if t in slot:
                curve[:, slot[t]] = _full_mse(W, a, X_eval, y_eval).cpu().numpy()
            if t == steps:
                break
            Xb, yb = stream.next(W.device, W.dtype)
            eta = step_size(t, steps, lr, schedule)
            for p, g, buf in zip((W, a), minibatch_gradient(W, a, Xb, yb), bufs):
                buf.mul_(momentum).add_(g)
                p.sub_(eta * buf)
    return W, a, checkpoints, curve


def train_students_sgd_loop(W0, a0, stream: BatchStream, X_eval, y_eval, *, steps: int, lr: float,
                            schedule: str = "step", momentum: float = 0.0, checkpoints: Sequence[int] = ()):
    """The reference: one ``nn.Module`` and one ``torch.optim.SGD`` per student, the same batch stream."""
    checkpoints = sorted({int(t) for t in checkpoints} | {int(steps)})
    slot = {t: j for j, t in enumerate(checkpoints)}
    Ws, As, curves = [], [], []
    for s in range(W0.shape[0]):
        net = ov.StudentNet(W0[s], a0[s])
        opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
        curve = np.empty(len(checkpoints))
        stream.reset()
        for t in range(int(steps) + 1):
            if t in slot:
                with torch.no_grad():
                    curve[slot[t]] = float(((net(X_eval) - y_eval) ** 2).mean())
            if t == steps:
                break
            Xb, yb = stream.next(W0.device, W0.dtype)
            for group in opt.param_groups:
                group["lr"] = step_size(t, steps, lr, schedule)
            opt.zero_grad(set_to_none=True)
            (0.5 * ((net(Xb) - yb) ** 2).mean()).backward()
            opt.step()
        Ws.append(net.hidden.weight.detach().clone())
        As.append(net.out.weight.detach()[0].clone())
        curves.append(curve)
    return torch.stack(Ws), torch.stack(As), checkpoints, np.stack(curves)


def success_summary(final_relative: np.ndarray, tol: float, confidence: float = 0.95) -> dict:
    """Successes (finite relative objective ``<= tol``), trials, fraction and the Clopper-Pearson interval."""
    final_relative = np.asarray(final_relative, dtype=float)
    ok = np.isfinite(final_relative) & (final_relative <= tol)
    s, n = int(ok.sum()), int(final_relative.size)
    lo, hi = clopper_pearson(s, n, confidence)
    return {"successes": s, "trials": n, "success_fraction": s / n, "success_interval": [lo, hi],
            "confidence": float(confidence), "succeeded": [bool(v) for v in ok]}


def _validate(teacher, teacher_width, widths, d, n, n_eval, seeds, steps, batch, lr, momentum, schedule, tol):
    if teacher not in TEACHERS:
        raise ValueError(f"teacher: got {teacher!r}; allowed: {', '.join(repr(t) for t in TEACHERS)}")
    for name, v in (("teacher_width", teacher_width), ("d", d), ("n_eval", n_eval), ("seeds", seeds),
                    ("batch", batch)):
        ov._positive_int(name, v)
    if not widths:
        raise ValueError("widths: got []; allowed: a non-empty list of positive integers")
    for w in widths:
        ov._positive_int("widths", w)
    if isinstance(n, bool) or int(n) != n or n < 0:
        raise ValueError(f"n: got {n!r}; allowed: an integer >= 0 (0 = fresh inputs at every step)")
    if isinstance(steps, bool) or int(steps) != steps or steps < 1:
        raise ValueError(f"steps: got {steps!r}; allowed: a positive integer")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr: got {lr!r}; allowed: a positive finite number")
    if not (0 <= momentum < 1):
        raise ValueError(f"momentum: got {momentum!r}; allowed: a number in [0, 1)")
    if schedule not in STEP_SCHEDULES:
        raise ValueError(f"schedule: got {schedule!r}; allowed: {', '.join(repr(s) for s in STEP_SCHEDULES)}")
    if not (tol > 0 and math.isfinite(tol)):
        raise ValueError(f"tol: got {tol!r}; allowed: a positive finite number")


def _curve_summary(checkpoints, rel: np.ndarray) -> dict:
    with np.errstate(invalid="ignore"):
        safe = np.where(np.isfinite(rel), rel, np.inf)
        med, lo, hi = (np.quantile(safe, q, axis=0) for q in (0.5, 0.1, 0.9))
    fin = ov._finite
    return {"steps": list(checkpoints), "median": [fin(v) for v in med], "q10": [fin(v) for v in lo],
            "q90": [fin(v) for v in hi], "per_seed": [[fin(v) for v in row] for row in rel]}


def run_overspecification_sgd(*, teacher: str = "gaussian", teacher_width: int = 50,
                              widths: Sequence[int] = (50, 100), d: int = 50, n: int = 10_000,
                              n_eval: int = 10_000, seeds: int = 10, steps: int = 10_000, batch: int = 64,
                              lr: float = 0.08, momentum: float = 0.9, schedule: str = "step",
                              tol: float = 1e-3, device: str = "auto", dtype: str = "float32", seed: int = 0,
                              curve_points: int = 40, confidence: float = 0.95) -> tuple[dict, dict]:
    """The slide-19 experiment; returns ``(result, arrays)``.

    ``result`` is JSON-safe: per width the relative training-objective curves (every student, median and
    10-90% band), the final values, success counts with Clopper-Pearson intervals, and the wall time.
    ``arrays`` holds what ``save_stalled`` writes: the teacher, the training data and every student's
    final weights. Float evidence, never a verdict.
    """
    widths = [int(w) for w in widths]
    _validate(teacher, teacher_width, widths, d, n, n_eval, seeds, steps, batch, lr, momentum, schedule, tol)
    dev, note = resolve_device(device)
    dt = resolve_dtype(dtype)
    Wt, vt = make_teacher(teacher, seed, teacher_width, d)
    X64 = ov.sample_inputs(seed, n if n else n_eval, d, "train")
    y64 = ov.network_outputs(Wt[None], vt[None], X64)[0]
    var_y = float(y64.var())
    X, y = X64.to(dev, dt), y64.to(dev, dt)
    checkpoints = log_spaced_schedule(int(steps), curve_points)
    per_width, students = [], {}
    for k in widths:
        W0, a0 = ov.init_students(seed, k, d, range(seeds))
        stream = BatchStream(seed, k, batch, X if n else None, y if n else None, (Wt, vt), d)
        t0 = time.perf_counter()
        W, a, cps, curve = train_students_sgd(W0.to(dev, dt), a0.to(dev, dt), stream, X, y, steps=int(steps),
                                              lr=lr, schedule=schedule, momentum=momentum,
                                              checkpoints=checkpoints)
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        seconds = time.perf_counter() - t0
        rel = curve / var_y
        final = rel[:, -1]
        students[k] = (W.to("cpu", torch.float64).numpy(), a.to("cpu", torch.float64).numpy(),
                       W0.numpy(), a0.numpy(), final)
        per_width.append({"width": k, "overspecified": k > teacher_width,
                          "relative_final_objective": [ov._finite(v) for v in final],
                          "final": ov._summary(final), **success_summary(final, tol, confidence),
                          "curve": _curve_summary(cps, rel), "seconds": seconds})
    result = {
        "experiment": "overspecification-sgd", "setup": SETUP_LABEL, "evidence": EVIDENCE_LABEL,
        "teacher": {"kind": teacher, "width": int(teacher_width), "train_output_variance": var_y,
                    "scaling": (ov.TEACHER_SCALING if teacher == "gaussian"
                                else "orthonormal rows w_j (Haar rotation of Id), v_j = 1")},
        "student_scaling": ov.STUDENT_SCALING, "inputs": "x ~ N(0, I_d)",
        "objective": ("(1/2n) sum_i (f(x_i) - y_i)^2 over the training set (online: the population objective, "
                      "evaluated on a fixed set of n_eval inputs); reported relative: MSE / var(y)"),
        "config": {"teacher": teacher, "teacher_width": int(teacher_width), "widths": widths, "d": int(d),
                   "n": int(n), "n_eval": int(n_eval if not n else n), "seeds": int(seeds), "steps": int(steps),
                   "batch": int(batch), "lr": float(lr), "momentum": float(momentum), "schedule": schedule,
                   "schedule_text": SCHEDULE_TEXT[schedule],
                   "data": ("a fixed training set of n inputs, batches drawn uniformly with replacement"
                            if n else "fresh inputs at every step (online SGD)"),
                   "tol": float(tol), "seed": int(seed), "confidence": float(confidence)},
        "success_definition": f"relative final training objective <= tol = {tol!r}",
        "device": device_name(dev), "device_note": note, "dtype": dtype, "per_width": per_width,
    }
    arrays = {"teacher_W": Wt.numpy(), "teacher_a": vt.numpy(), "X": X64.numpy(), "y": y64.numpy(),
              "students": students}
    return result, arrays


def save_stalled(result: dict, arrays: dict, directory: str | Path) -> dict:
    """Write every student that stalled (relative objective ``> tol``, or non-finite) to ``directory``.

    Format ``dl-certify/stalled-students/1`` (docs/overspecification_sgd.md): ``data.npz`` with ``X (n, d)``
    and ``y (n,)`` (the training set: the ``[data] path`` format of a configuration); per stalled student
    ``stalled-k{width}-s{student}.npz`` with ``W (k, d)``, ``a (k,)`` (the output layer, trained),
    ``W0``, ``a0`` (its initialization), ``teacher_W (k0, d)``, ``teacher_a (k0,)``; and ``stalled.json``,
    the manifest (parametrization, objective, each file's final relative objective). Files are written
    to temporary names and renamed, so no half-written file is left. Returns the manifest.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    _save_npz(directory / "data.npz", X=arrays["X"], y=arrays["y"])
    for e in result["per_width"]:
        k = e["width"]
        W, a, W0, a0, final = arrays["students"][k]
        for s, ok in enumerate(e["succeeded"]):
            if ok:
                continue
            name = f"stalled-k{k}-s{s}.npz"
            _save_npz(directory / name, W=W[s], a=a[s], W0=W0[s], a0=a0[s], teacher_W=arrays["teacher_W"],
                      teacher_a=arrays["teacher_a"])
            entries.append({"file": name, "width": k, "student": s,
                            "relative_final_objective": ov._finite(final[s])})
    manifest = {
        "format": STALLED_FORMAT, "data": "data.npz",
        "parametrization": ("f(x) = sum_r a_r relu(w_r . x), W (k, d) rows w_r, a (k,) trained; in the "
                            "toolkit's m^{-1/2} parametrization the same network has output weights a sqrt(k)"),
        "objective": "(1/2n) sum_i (f(x_i) - y_i)^2 over data.npz",
        "tol": result["config"]["tol"], "stalled": entries,
        "critical_point_certificate": ("certify critical (issue 18): run it on each file, e.g. "
                                       "`certify critical CONFIG --weights FILE --out DIR` with a CONFIG whose "
                                       "[data] path is data.npz; not run by this command unless --critical"),
    }
    _write_text(directory / "stalled.json", json.dumps(manifest, indent=2, allow_nan=False))
    return manifest


def _save_npz(path: Path, **arrays) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".npz")
    os.close(fd)
    try:
        np.savez(tmp, **{k: np.asarray(v, dtype=np.float64) for k, v in arrays.items()})
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_text(path: Path, text: str) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
