"""Benchmark: the over-specification experiment (our setup, not the paper's) and batched-vs-loop time.

Part 1, the experiment (numerics.empirical.overspecification.run_overspecification): teacher of width
50, students of widths 50 and 100, d = 50, n = 10^4 training and 2000 held-out inputs, 10 students per
width, full-batch Adam with a cosine-annealed rate, float32. The step count is reduced from the CLI's
default to 1500 so the run finishes in a few minutes on a 2-core CPU (``--steps`` changes it). Prints
the per-width table of ``certify overspec``.

Part 2, batched against a loop (baseline measured in the same run): the same students, data and
optimizer for ``--timing-steps`` steps, once as one tensor program per width (``train_students``) and
once as a Python loop of per-student ``torch.nn.Module`` trainings (``train_students_loop``); prints
the time ratio loop / batched per width (best of 2 each, after a warm-up) and the largest difference
of the loss curves. The same
comparison is repeated on many small students (64 students, n = 200, d = 10), where per-operation
overhead rather than memory traffic dominates.

Part 3, slide 19 with mini-batch SGD (numerics.empirical.overspecification_sgd, `certify overspec-sgd`):
the wall time of the whole experiment on the CPU at the default budget (widths 50 and 100, 10 students
each, 10^4 iterations, batch 64, float32), or at the slide's setting with ``--sgd-full`` (widths 50, 100,
200 and 5 x 10^4 iterations), with the per-width table and the load average of the machine; on a CUDA
machine the same run is repeated on the GPU (``--sgd-device auto``) and the ratio printed.

Usage: python benchmarks/bench_overspec.py [--quick] [--timing-only] [--sgd-only] [--sgd-full] [--steps K]
       [--seeds S] [--n N] [--dtype float64]
Everything is float evidence, never a verdict. On a loaded machine run it with OMP_NUM_THREADS=1: torch's
OpenMP threads spin against other processes and small-tensor code then runs many times slower.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

from certify.commands.overspec import print_table
from numerics.empirical import overspecification as ov


def timing(args, width: int, *, teacher_width=None, d=None, n=None, seeds=None, steps=None):
    """``(batched seconds, loop seconds, max relative difference of the loss curves)``."""
    teacher_width, d, n = teacher_width or args.teacher_width, d or args.d, n or args.n
    seeds, steps = seeds or args.seeds, steps or args.timing_steps
    dt = getattr(torch, args.dtype)
    Wt, vt = ov.make_teacher(args.seed, teacher_width, d)
    X64 = ov.sample_inputs(args.seed, n, d, "train")
    y = ov.network_outputs(Wt[None], vt[None], X64)[0].to(dt)
    X = X64.to(dt)
    W0, a0 = ov.init_students(args.seed, width, d, range(seeds))
    W0, a0 = W0.to(dt), a0.to(dt)
    kw = dict(steps=steps, lr=args.lr, optimizer="adam", lr_schedule="cosine")
    ov.train_students(W0[:2], a0[:2], X, y, **{**kw, "steps": 2})  # warm-up (lazy initialisation)
    ov.train_students_loop(W0[:2], a0[:2], X, y, **{**kw, "steps": 2})
    t_batch, t_loop = math.inf, math.inf
    for _ in range(2):  # best of 2, alternating, against noise from other work on shared cores
        t0 = time.perf_counter()
        _, _, _, c_batch = ov.train_students(W0, a0, X, y, **kw)
        t_batch = min(t_batch, time.perf_counter() - t0)
        t0 = time.perf_counter()
        _, _, _, c_loop = ov.train_students_loop(W0, a0, X, y, **kw)
        t_loop = min(t_loop, time.perf_counter() - t0)
    return t_batch, t_loop, float(np.max(np.abs(c_batch - c_loop) / np.maximum(np.abs(c_loop), 1e-300)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run, not a measurement)")
    p.add_argument("--timing-only", action="store_true", help="skip part 1 (the experiment)")
    p.add_argument("--teacher-width", type=int, default=50)
    p.add_argument("--widths", default="50,100")
    p.add_argument("--d", type=int, default=50)
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--timing-steps", type=int, default=100)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--tol", type=float, default=1e-3)
    p.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sgd-only", action="store_true", help="only part 3 (slide 19 with SGD)")
    p.add_argument("--sgd-full", action="store_true", help="part 3 at the slide's setting (widths 50,100,200; 5e4)")
    p.add_argument("--sgd-steps", type=int, default=None)
    args = p.parse_args()
    if args.quick:
        args.teacher_width, args.widths, args.d, args.n = 5, "5,10", 8, 500
        args.seeds, args.steps, args.timing_steps = 4, 200, 30
    widths = [int(w) for w in args.widths.split(",")]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device cpu, {args.dtype}")

    if not args.sgd_only:
        if not args.timing_only:
            experiment(args, widths)
        timings(args, widths)
    if not args.timing_only:
        sgd_experiment(args)


def experiment(args, widths) -> None:
    t0 = time.perf_counter()
    res = ov.run_overspecification(teacher_width=args.teacher_width, widths=widths, d=args.d, n=args.n,
                                   n_test=2000, seeds=args.seeds, steps=args.steps, lr=args.lr,
                                   optimizer="adam", lr_schedule="cosine", tol=args.tol, device="cpu",
                                   dtype=args.dtype, seed=args.seed)
    print_table(res)
    print(f"experiment wall time {time.perf_counter() - t0:.1f} s")
    for e in res["per_width"]:
        med, ks = e["curve"]["median"], e["curve"]["steps"]
        marks = sorted({min(ks, key=lambda k: abs(k - t)) for t in (0, 10, 100, 300, 1000, args.steps)})
        print(f"  width {e['width']}: median relative train loss at steps "
              + ", ".join(f"{k}: {med[ks.index(k)]:.3g}" for k in marks))


def timings(args, widths) -> None:
    print(f"\nbatched vs loop of nn.Module trainings ({args.seeds} students, {args.timing_steps} Adam steps, "
          f"same data and initialisation, measured in this run)")
    for w in widths:
        tb, tl, diff = timing(args, w)
        print(f"  width {w:>4}: batched {tb:7.2f} s, loop {tl:7.2f} s, loop/batched {tl / tb:5.2f}x, "
              f"max relative curve difference {diff:.1e}")
    # where batching pays on a CPU: many small students (per-operation overhead dominates)
    print("small students (teacher 5, d = 10, n = 200, 64 students, 300 Adam steps, same run):")
    for w in (5, 20):
        tb, tl, diff = timing(args, w, teacher_width=5, d=10, n=200, seeds=64, steps=300)
        print(f"  width {w:>4}: batched {tb:7.2f} s, loop {tl:7.2f} s, loop/batched {tl / tb:5.2f}x, "
              f"max relative curve difference {diff:.1e}")


def sgd_experiment(args) -> None:
    """Part 3: the wall time of slide 19's SGD experiment on the CPU (and on a GPU when present)."""
    import os

    from certify.commands.overspec_sgd import print_table as print_sgd_table
    from numerics.empirical.overspecification_sgd import run_overspecification_sgd

    widths = [50, 100, 200] if args.sgd_full else [50, 100]
    steps = args.sgd_steps or (50_000 if args.sgd_full else 10_000)
    kw = dict(teacher_width=50, widths=widths, d=50, n=10_000, seeds=10, steps=steps, dtype="float32", seed=args.seed)
    if args.quick:
        kw.update(teacher_width=5, widths=[5, 10], d=8, n=500, seeds=4, steps=300)
    print(f"\nslide 19 with mini-batch SGD ({kw['seeds']} students per width, {kw['steps']} iterations, "
          f"widths {kw['widths']}), load average before {os.getloadavg()}")
    walls = {}
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for dev in devices:
        t0 = time.perf_counter()
        res, _ = run_overspecification_sgd(device=dev, **kw)
        walls[dev] = time.perf_counter() - t0
        print_sgd_table(res)
        print(f"slide-19 SGD experiment wall time on {res['device']}: {walls[dev]:.1f} s "
              f"(load average after {os.getloadavg()})")
    if "cuda" in walls:
        print(f"cpu / gpu wall time: {walls['cpu'] / walls['cuda']:.1f}x")


if __name__ == "__main__":
    main()
