"""Benchmark: the elementary-function modes (proved-polynomial, margin, arb) where they cost time.

All numbers come from one run on this machine; ratios compare timings from the same run.

1. Two-layer kernel enclosure (numerics.kernels.two_layer.two_layer_relu_gram), d = 10 random
   rows: seconds per mode at n = 200, 400, 2000 (arb only up to --arb-max, default 400), and the
   ratio proved/margin.
2. End-to-end two-layer certification at n = 4000 (certify.pipeline.evaluate_config, the
   three DZPS theorems, empirical layer off) in proved and margin mode, against the float path
   (float normalization, float H_inf with numpy's arccos, numpy.linalg.eigvalsh): target
   proved / float <= 1.5. The relative width of the n = 2000 lambda0 enclosure (target < 1e-8)
   and whether the float eigenvalue lies in it.
3. Deep ReLU NTK (numerics.kernels.deep.ntk_gram), depth 8, n = 1000: proved / margin (target
   <= 3).

    python benchmarks/bench_elementary.py [--quick]

Measured 2026-12-06 on the shared 2-core CPU machine (load average about 6, one numpy thread),
two runs: kernel proved/margin 1.09-1.17 at n = 2000 (arb/proved 780-1080 at n = 400);
end-to-end n = 4000 proved/float 0.62-1.10, proved/margin 1.17-1.34; lambda0 at n = 2000
relative width 9.9e-11 with the float eigenvalue inside; deep NTK depth 8, n = 1000
proved/margin 1.06-1.37.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from numerics.arith import elementary as el  # noqa: E402
from numerics.arith.context import workprec  # noqa: E402
from numerics.kernels.two_layer import two_layer_relu_gram  # noqa: E402


def timed(f, repeat: int = 1):
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def in_mode(mode: str, f):
    if mode == "arb":
        with workprec(strict_elementary=True):
            return f()
    with el.elementary_mode_scope(mode):
        return f()


def interleaved(modes, f, repeat: int = 3) -> dict:
    """Best time per mode over `repeat` rounds, the modes alternating within each round (the
    first large allocations of a process are slow; alternating spreads that and the load)."""
    best = {m: math.inf for m in modes}
    for _ in range(repeat):
        for m in modes:
            best[m] = min(best[m], timed(lambda: in_mode(m, f))[0])
    return best


def kernel_section(sizes, arb_max: int) -> None:
    print("1. two-layer kernel enclosure, d = 10 (seconds; best of 3 interleaved, arb once)")
    print(f"{'n':>6} {'proved':>8} {'margin':>8} {'arb':>8} {'proved/margin':>14} {'arb/proved':>11}")
    rng = np.random.default_rng(0)
    for n in sizes:
        X = rng.standard_normal((n, 10))
        best = interleaved(("proved-polynomial", "margin"), lambda: two_layer_relu_gram(X))
        tp, tm = best["proved-polynomial"], best["margin"]
        ta = timed(lambda: in_mode("arb", lambda: two_layer_relu_gram(X)))[0] if n <= arb_max \
            else math.nan
        print(f"{n:>6} {tp:>8.3f} {tm:>8.3f} {ta:>8.3f} {tp / tm:>14.2f} {ta / tp:>11.1f}")


def _config(n: int):
    from certify.config import config_from_dict
    return config_from_dict({
        "data": {"source": "sphere", "n": n, "d": 10, "seed": 0, "labels": "random-sign"},
        "model": {"kind": "two-layer-relu"},
        "train": {"step_size": "auto", "steps": 10},
        "certify": {"theorems": ["dzps2019-lambda0-positive", "dzps2019-two-layer-gf",
                                 "dzps2019-two-layer-gd"], "delta": 0.05},
        "empirical": {"enabled": False},
    }, base_dir=".")


def float_path(X: np.ndarray) -> float:
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    G = np.clip(U @ U.T, -1.0, 1.0)
    H = G * (np.pi - np.arccos(G)) / (2 * np.pi)
    np.fill_diagonal(H, 0.5)     # arccos is ill-conditioned at 1: a float 1 - 2e-16 costs 3e-9
    return float(np.linalg.eigvalsh(H)[0])


def end_to_end_section(n: int) -> None:
    from certify.data import load_dataset
    from certify.pipeline import evaluate_config
    config = _config(n)
    data = load_dataset(config)
    tf, lam_float = timed(lambda: float_path(data.X), 2)
    tp, cert = timed(lambda: in_mode("proved-polynomial",
                                     lambda: evaluate_config(config, data, empirical=False)))
    tm, _ = timed(lambda: in_mode("margin", lambda: evaluate_config(config, data, empirical=False)))
    print(f"\n2. end-to-end evaluate_config, n = {n}, d = 10 (three DZPS theorems, no empirical)")
    print(f"   float path {tf:.2f} s   proved {tp:.2f} s   margin {tm:.2f} s   "
          f"proved/float {tp / tf:.2f} (target <= 1.5)   margin/float {tm / tf:.2f}   "
          f"proved/margin {tp / tm:.2f}   verdict (proved) {cert['verdict']}")


def lambda0_width(n: int) -> None:
    from numerics.linalg.spectral import lambda_min_enclosure
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, 10))
    enc = lambda_min_enclosure(two_layer_relu_gram(X))
    lo, hi = float(enc.lo), float(enc.hi)
    lam = float_path(X)
    print(f"\n   lambda0 at n = {n}: [{lo!r}, {hi!r}], relative width {(hi - lo) / lo:.2e} "
          f"(target < 1e-8); float eigvalsh {lam!r} inside: {lo <= lam <= hi}")


def deep_section(n: int, depth: int) -> None:
    from numerics.kernels.deep import ntk_gram
    rng = np.random.default_rng(2)
    X = rng.standard_normal((n, 10))
    tp, _ = timed(lambda: in_mode("proved-polynomial", lambda: ntk_gram(X, depth)))
    tm, _ = timed(lambda: in_mode("margin", lambda: ntk_gram(X, depth)))
    print(f"\n3. deep ReLU NTK, depth {depth}, n = {n}: proved {tp:.2f} s, margin {tm:.2f} s, "
          f"proved/margin {tp / tm:.2f} (target <= 3)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--arb-max", type=int, default=400)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    two_layer_relu_gram(np.eye(3) + 0.1)      # warm-up: imports, tables, exp grid
    if args.quick:
        kernel_section([50, 100], 100)
        end_to_end_section(200)
        lambda0_width(200)
        deep_section(100, 8)
        return
    kernel_section([200, 400, 2000], args.arb_max)
    end_to_end_section(4000)
    lambda0_width(2000)
    deep_section(1000, 8)


if __name__ == "__main__":
    main()
