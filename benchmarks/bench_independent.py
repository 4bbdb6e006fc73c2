"""Benchmark: the independent checker (`certify check --independent`) against the producer.

lambda0 rows: n in {100, 200, 300, 400, 500} points on the sphere in R^10. Baseline: the
producer's certified enclosure of lambda0 = lambda_min(H_inf) (numerics.kernels.two_layer +
numerics.linalg.spectral). Independent: H_inf in Arb from the exact rows, the proof of
lambda0 >= lo by the exact Cholesky residual, and lambda0 <= hi by an Arb Rayleigh quotient
(certify/independent). Target: <= 60 s at n = 500.

instance rows: n = 20, d = 10, m in {1000, 10000}, a perturbed initialization. Baseline: the
producer's search and verification (numerics.instance.lazy_minimizer); independent: the replay of
its witness.

Prints seconds, the ratio independent/producer and os.getloadavg() (the machine may be shared).
Usage: python benchmarks/bench_independent.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import time
from fractions import Fraction

import numpy as np


def lambda0_row(n: int, d: int = 10, seed: int = 0) -> dict:
    from flint import ctx

    from certify.independent.definite import prove_lower_bound, rayleigh_upper
    from certify.independent.exact import exact_arb
    from certify.independent.gram import h_inf, integer_gram
    from numerics.kernels.two_layer import two_layer_relu_gram
    from numerics.linalg.spectral import lambda_min_enclosure

    X = np.random.default_rng(seed).standard_normal((n, d))
    t = time.perf_counter()
    enc = lambda_min_enclosure(two_layer_relu_gram(X))
    t_prod = time.perf_counter() - t
    t = time.perf_counter()
    with ctx.workprec(128):
        H = h_inf(integer_gram(X))
        t_gram = time.perf_counter() - t
        lower = prove_lower_bound(H, Fraction(enc.lo))
        upper = rayleigh_upper(H).upper() <= exact_arb(enc.hi)
    t_ind = time.perf_counter() - t
    return {"case": f"lambda0 n={n}", "producer": t_prod, "independent": t_ind, "gram": t_gram,
            "replayed": lower is not None and bool(upper)}


def instance_row(m: int, n: int = 20, d: int = 10, seed: int = 0) -> dict:
    from flint import ctx

    from certify.independent.lazy_minimizer import replay_lazy_minimizer
    from numerics.instance.lazy_minimizer import certify_lazy_minimizer

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.choice([-1.0, 1.0], n)
    W0 = rng.standard_normal((m, d))
    a = rng.choice([-1.0, 1.0], m)
    W = W0 + 1e-3 * rng.standard_normal((m, d))
    t = time.perf_counter()
    res = certify_lazy_minimizer(X, y, W, a, W0)
    t_prod = time.perf_counter() - t
    t = time.perf_counter()
    with ctx.workprec(128):
        rep = replay_lazy_minimizer(X, y, W, a, W0, res.stable, res.weights)
    t_ind = time.perf_counter() - t
    return {"case": f"instance n={n} m={m} ({res.status})", "producer": t_prod, "independent": t_ind,
            "gram": float("nan"), "replayed": rep.certified == res.certified}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="n in {100, 200}, m = 1000 only")
    args = ap.parse_args()
    ns = [100, 200] if args.quick else [100, 200, 300, 400, 500]
    ms = [1000] if args.quick else [1000, 10000]
    print(f"load average at start: {os.getloadavg()}")
    print(f"{'case':38s} {'producer s':>11s} {'independent s':>14s} {'(H_inf s)':>10s} {'ratio':>7s}  replayed")
    for row in [lambda0_row(n) for n in ns] + [instance_row(m) for m in ms]:
        print(f"{row['case']:38s} {row['producer']:11.2f} {row['independent']:14.2f} {row['gram']:10.2f} "
              f"{row['independent'] / row['producer']:7.1f}  {row['replayed']}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
