"""Benchmark: certified lambda_min of the two-layer H_inf against unverified and rigorous
baselines, all measured in this run on this machine.

Columns (d = input dimension, n = number of random unit points):
  gram_x      interval Gram build (numerics.kernels.two_layer.two_layer_relu_gram) / plain float build
  cert_s      seconds for numerics.linalg.spectral.lambda_min_enclosure (both bounds)
  eig_s       seconds for numpy.linalg.eigvalsh (unverified, all eigenvalues)
  cert/eig    time ratio (target <= 1.5 for n >= 1000)
  rel_width   (hi - lo)/lo of the certified enclosure (target <= 1e-8 when lambda_min >= 1e-6 ||H||)
  mem_n2      peak extra memory of the certification (tracemalloc) in units of n^2 doubles (<= 4)
  arb_x       python-flint arb_mat.eig seconds / cert seconds (n <= 300; target >= 1000)
  load1       the machine's 1-minute load average (other processes make timings noisy)

Usage: python benchmarks/bench_spectral.py [--quick] [--sizes 250,500,...] [--dims 10,100]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from numerics.kernels.two_layer import two_layer_relu_gram  # noqa: E402
from numerics.linalg.spectral import lambda_min_enclosure  # noqa: E402


def float_gram(X: np.ndarray) -> np.ndarray:
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    G = np.clip(U @ U.T, -1.0, 1.0)
    return G * (np.pi - np.arccos(G)) / (2 * np.pi)


def timed(f, *args, repeat=1):
    best = math.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f(*args)
        best = min(best, time.perf_counter() - t)
    return best, out


def arb_eig_seconds(H: np.ndarray) -> float:
    from flint import arb_mat, ctx
    with ctx.workprec(53):
        A = arb_mat(H.tolist())
        t = time.perf_counter()
        try:
            A.eig(multiple=True)
        except ValueError:
            pass
        return time.perf_counter() - t


def run(sizes, dims, arb_max_n, repeat=5):
    rows = []
    outside = []
    # warm-up: imports, the elementary self-check, LAPACK/ARPACK initialisation
    lambda_min_enclosure(two_layer_relu_gram(np.random.default_rng(0).standard_normal((700, 5))))
    header = (f"{'d':>4} {'n':>5} {'gram_x':>7} {'cert_s':>8} {'eig_s':>8} {'cert/eig':>8} "
              f"{'lambda_lo':>12} {'rel_width':>9} {'mem_n2':>6} {'arb_x':>8} {'load1':>5}")
    print(header)
    print("-" * len(header))
    for d in dims:
        for n in sizes:
            rng = np.random.default_rng(1000 * d + n)
            X = rng.standard_normal((n, d))
            t_fg, Hf = timed(float_gram, X, repeat=3)
            t_ig, H = timed(two_layer_relu_gram, X, repeat=3)
            # times: best of `repeat` without tracing, eigvalsh and the certificate
            # alternating so that both see the same machine load, each after a pause: numpy
            # and scipy bundle separate OpenBLAS copies, and threads still spinning in one
            # slow the other down on few cores; memory: a separate traced run
            t_eig = t_cert = math.inf
            for _ in range(repeat if n <= 1000 else 3):
                time.sleep(0.3)
                t, w = timed(np.linalg.eigvalsh, Hf)
                t_eig = min(t_eig, t)
                time.sleep(0.3)
                t, enc = timed(lambda_min_enclosure, H)
                t_cert = min(t_cert, t)
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            lambda_min_enclosure(H)
            peak = tracemalloc.get_traced_memory()[1] - base
            tracemalloc.stop()
            rel = enc.relative_width()
            arb_ratio = ""
            if n <= arb_max_n:
                t_arb = arb_eig_seconds(H.mid())
                arb_ratio = f"{t_arb / t_cert:8.0f}"
            rows.append((d, n, t_ig / t_fg, t_cert, t_eig, rel, peak / (8.0 * n * n)))
            print(f"{d:>4} {n:>5} {t_ig / t_fg:7.2f} {t_cert:8.3f} {t_eig:8.3f} "
                  f"{t_cert / t_eig:8.2f} {enc.lo:12.6g} {rel:9.1e} {peak / (8.0 * n * n):6.2f} "
                  f"{arb_ratio:>8} {os.getloadavg()[0]:5.1f}", flush=True)
            if not enc.lo <= w[0] <= enc.hi:
                outside.append((d, n, w[0], enc.lo, enc.hi))
    for d, n, w0, lo, hi in outside:
        print(f"note d={d} n={n}: the plain float pipeline's lambda_min {w0!r} lies outside the "
              f"certified [{lo!r}, {hi!r}] (its float Gram has x.x != 1 on the diagonal, and "
              "arccos near 1 turns that into errors of order sqrt(u))")
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes only (n <= 500)")
    p.add_argument("--sizes", default=None, help="comma-separated n values")
    p.add_argument("--dims", default="10,100", help="comma-separated d values")
    p.add_argument("--arb-max-n", type=int, default=300,
                   help="largest n for the arb_mat.eig baseline (it is slow: minutes at 300)")
    p.add_argument("--repeat", type=int, default=5,
                   help="timings are the best of this many runs for n <= 1000 (3 above)")
    a = p.parse_args(argv)
    if a.sizes:
        sizes = [int(s) for s in a.sizes.split(",")]
    else:
        sizes = [100, 250, 500] if a.quick else [250, 500, 1000, 2000, 4000]
    arb_max_n = min(a.arb_max_n, 150) if a.quick else a.arb_max_n
    dims = [int(s) for s in a.dims.split(",")]
    print(f"numpy {np.__version__}; {os.cpu_count()} CPUs; eigvalsh and certificate timings best "
          f"of {a.repeat} (n <= 1000) or 3, alternating, each after a 0.3 s pause; Gram builds best of 3; memory from a "
          "separate traced run; load1 = 1-minute load average after the row")
    run(sizes, dims, arb_max_n, a.repeat)


if __name__ == "__main__":
    main()
