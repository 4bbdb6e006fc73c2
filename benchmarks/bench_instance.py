"""Benchmark: cost of an instance certificate against the GD training that produced the weights.

For each n in {20, 100, 500} and m in {10^3, 10^4, 10^5} (d = 10, random sphere data, +-1 labels):
draw the seeded initialization, train by full-batch GD for ``--steps`` steps with the empirical
engine (numerics.empirical.training; step 1/lambda_max(H(0))), then certify the trained weights
(numerics.instance.lazy_minimizer.certify_lazy_minimizer). Baselines measured in the same run:

* ``train_engine``: the engine's training time (the weights' actual provenance);
* ``train_numpy``: a minimal float64 numpy GD loop with the same update and the same steps
  (what the training costs without the engine's per-step bookkeeping).

Prints one row per (n, m): times, the ratios certify/train for both baselines (target < 1: the
certificate costs less than the training), and the certificate's status. ``--quick`` runs
n in {20, 100}, m in {10^3, 10^4} with fewer steps.

Usage: python benchmarks/bench_instance.py [--quick] [--steps K]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def numpy_gd(Xf, y, W0, a, eta, steps):
    m = W0.shape[0]
    W = W0.copy()
    s = a[:, None] / np.sqrt(m)
    for _ in range(steps):
        Z = W @ Xf.T
        A = Z >= 0
        r = a @ (Z * A) / np.sqrt(m) - y
        W -= eta * ((A * r) @ Xf) * s
    return W


def run_case(n: int, m: int, d: int, steps: int, seed: int = 0) -> dict:
    from certify.commands.instance import auto_step, train_gd
    from certify.data import generate_sphere
    from numerics.empirical.two_layer import init_two_layer
    from numerics.instance.lazy_minimizer import certify_lazy_minimizer

    X, y = generate_sphere(n, d, seed, "random-sign")
    W0t, at = init_two_layer(seed, m, d)
    W0, a = W0t.numpy(), at.numpy()
    Xf = X / np.linalg.norm(X, axis=1, keepdims=True)
    eta = auto_step(Xf, W0, a)
    W, info = train_gd(X, y, W0, a, steps, eta, 0.0)
    t = time.perf_counter()
    numpy_gd(Xf, y, W0, a, eta, steps)
    t_np = time.perf_counter() - t
    t = time.perf_counter()
    res = certify_lazy_minimizer(X, y, W, a, W0)
    t_cert = time.perf_counter() - t
    return {"n": n, "m": m, "d": d, "steps": steps, "train_engine": info["seconds"], "train_numpy": t_np,
            "certify": t_cert, "status": res.status, "loss": float(info["final_loss_float"]),
            "sqrt_m_D": None if res.sqrt_m_distance is None else float(res.sqrt_m_distance.hi)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--d", type=int, default=10)
    args = ap.parse_args()
    ns = [20, 100] if args.quick else [20, 100, 500]
    ms = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    steps = args.steps or (100 if args.quick else 300)
    print(f"instance certificate vs GD training (d = {args.d}, {steps} GD steps, float64 CPU)")
    head = (f"{'n':>4} {'m':>7} {'train_engine s':>14} {'train_numpy s':>13} {'certify s':>10} "
            f"{'cert/engine':>11} {'cert/numpy':>10} {'loss':>9} {'sqrt(m)D':>9} status")
    print(head)
    for n in ns:
        for m in ms:
            r = run_case(n, m, args.d, steps)
            smd = "-" if r["sqrt_m_D"] is None else f"{r['sqrt_m_D']:.3g}"
            print(f"{n:>4} {m:>7} {r['train_engine']:>14.2f} {r['train_numpy']:>13.2f} {r['certify']:>10.2f} "
                  f"{r['certify'] / r['train_engine']:>11.3f} {r['certify'] / r['train_numpy']:>10.3f} "
                  f"{r['loss']:>9.2e} {smd:>9} {r['status']}", flush=True)


if __name__ == "__main__":
    main()
