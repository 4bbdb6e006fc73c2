"""Benchmark: the Gauss-Newton search plus the instance proof on real data, in one run.

Data: scikit-learn's bundled files (the optional extra ``datasets``), standardized columns, rows
on the unit sphere, labels +-1 by class parity; loaded here directly (benchmarks/real_data.py).

1. digits (n = 1797, d = 64): search from the seeded initialization and proof at m = 2 * 10^4
   (target: <= 30 s together).
2. digits: the smallest certified width over seeds 0, 1, 2 (doubling, then bisection; the search
   and the proof at every width; target: <= 5 minutes), the widths per seed and the median.
3. wine (n = 178, d = 13), m = 3000: time to a certified point by the search (search + proof)
   against full-batch GD (step 1/lambda_max(H(0)), float64 numpy) run to the residual the search
   reached; GD's time is measured up to ``--gd-cap`` seconds and extrapolated beyond with its
   measured linear rate (said so in the output). Target ratio >= 100.
4. n = 10^4 (sphere, d = 100, labels a standardized 5-unit ReLU teacher): search + proof at
   ``--big-m`` (default 1000) completes; peak memory (ru_maxrss) printed.

Usage: python benchmarks/bench_instance.py [--json benchmarks/results/bench_instance.json]
       [--skip-big] [--gd-cap 120] [--big-m 1000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import time

import numpy as np


def _load(name: str):
    from real_data import load_real

    return load_real(name)


def _init(seed: int, m: int, d: int):
    from numerics.empirical.two_layer import init_two_layer

    W0, a = init_two_layer(seed, m, d)
    return W0.numpy(), a.numpy()


def search_and_proof(X, y, m: int, seed: int = 0, **options) -> dict:
    from numerics.instance.lazy_minimizer import certify_lazy_minimizer
    from numerics.instance.two_layer_gauss_newton import two_layer_gauss_newton_search

    W0, a = _init(seed, m, X.shape[1])
    t0 = time.perf_counter()
    s = two_layer_gauss_newton_search(X, y, W0, a, **options)
    t1 = time.perf_counter()
    res = certify_lazy_minimizer(X, y, s.W, a, W0)
    t2 = time.perf_counter()
    return {"m": m, "seed": seed, "search_seconds": t1 - t0, "proof_seconds": t2 - t1, "total_seconds": t2 - t0,
            "iterations": s.iterations, "solver": s.solver, "residual_before": s.start_residual_norm,
            "residual_after": s.residual_norm, "status": res.status, "reason": res.reason,
            "sqrt_m_distance_hi": None if res.sqrt_m_distance is None else float(res.sqrt_m_distance.hi)}


def smallest_widths(X, y, seeds) -> dict:
    from numerics.instance.two_layer_width_search import smallest_width_for_seed

    t0 = time.perf_counter()
    per_seed = []
    for seed in seeds:
        ts = time.perf_counter()
        search, points = smallest_width_for_seed(X, y, seed)
        m = search.smallest
        smd = points[m].proof.sqrt_m_distance if m is not None else None
        per_seed.append({"seed": seed, "smallest_width": m, "tried": search.as_dict()["tried"],
                         "sqrt_m_distance_hi": None if smd is None else float(smd.hi),
                         "seconds": time.perf_counter() - ts})
        print(f"    seed {seed}: smallest certified width {m} ({time.perf_counter() - ts:.1f} s; tried "
              f"{', '.join(str(t[0]) + ('+' if t[1] else '-') for t in search.tried)})", flush=True)
    found = [r["smallest_width"] for r in per_seed if r["smallest_width"] is not None]
    median = float(np.median(found)) if len(found) == len(per_seed) else None
    return {"seeds": per_seed, "median_smallest_width": median, "seconds": time.perf_counter() - t0,
            "p_over_n": None if median is None else median * X.shape[1] / X.shape[0]}


def gd_time_to_residual(X, y, m: int, target: float, cap: float, seed: int = 0) -> dict:
    """Full-batch GD (float64 numpy, step 1/lambda_max(H(0))) until ||y - u|| <= target or ``cap``
    seconds; beyond the cap the time is extrapolated with the rate of the last half of the run."""
    from certify.commands.instance_points import auto_step

    Xf = X / np.linalg.norm(X, axis=1, keepdims=True)
    W0, a = _init(seed, m, X.shape[1])
    eta = auto_step(Xf, W0, a)
    W = W0.copy()
    s = a[:, None] / np.sqrt(m)
    t0 = time.perf_counter()
    steps, trace = 0, []
    while True:
        Z = W @ Xf.T
        A = Z >= 0
        r = a @ (Z * A) / np.sqrt(m) - y
        res = float(np.linalg.norm(r))
        if steps % 100 == 0:
            trace.append((steps, time.perf_counter() - t0, res))
        if res <= target or time.perf_counter() - t0 > cap:
            break
        W -= eta * ((A * r) @ Xf) * s
        steps += 1
    elapsed = time.perf_counter() - t0
    out = {"steps": steps, "seconds": elapsed, "residual": res, "reached": res <= target, "step_size": eta}
    if res > target and len(trace) >= 4:
        k0, t_0, r0 = trace[len(trace) // 2]
        k1, t_1, r1 = trace[-1]
        rate = (math.log(r1) - math.log(r0)) / (k1 - k0)           # log-residual per step (< 0)
        if rate < 0:
            more = (math.log(target) - math.log(r1)) / rate
            per_step = (t_1 - t_0) / (k1 - k0)
            out.update(extrapolated_steps=k1 + more, extrapolated_seconds=t_1 + more * per_step,
                       rate_per_step=math.exp(rate))
    return out


def peak_memory_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default=None)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--gd-cap", type=float, default=120.0)
    ap.add_argument("--big-m", type=int, default=1000)
    args = ap.parse_args()
    results = {"machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(),
                           "omp_num_threads": os.environ.get("OMP_NUM_THREADS")}}
    print(f"load average at start: {os.getloadavg()}  (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')})")

    X, y = _load("digits")
    print(f"1. digits n={X.shape[0]} d={X.shape[1]}: search + proof at m = 20000", flush=True)
    r = search_and_proof(X, y, 20_000)
    results["digits_m20000"] = r
    print(f"   search {r['search_seconds']:.1f} s ({r['iterations']} iterations, residual {r['residual_before']:.3g} -> "
          f"{r['residual_after']:.2e}), proof {r['proof_seconds']:.1f} s, total {r['total_seconds']:.1f} s "
          f"(target <= 30 s): {r['status']}", flush=True)

    print("2. digits: smallest certified width, seeds 0, 1, 2", flush=True)
    sw = smallest_widths(X, y, [0, 1, 2])
    results["digits_smallest_width"] = sw
    print(f"   median smallest certified width {sw['median_smallest_width']} (p/n = {sw['p_over_n']}), "
          f"total {sw['seconds']:.1f} s (target <= 300 s)", flush=True)

    X, y = _load("wine")
    print("3. wine m = 3000: search + proof vs GD to the same residual", flush=True)
    r = search_and_proof(X, y, 3000)
    g = gd_time_to_residual(X, y, 3000, r["residual_after"], args.gd_cap)
    gd_s = g["seconds"] if g["reached"] else g.get("extrapolated_seconds")
    ratio = None if gd_s is None else gd_s / r["total_seconds"]
    results["wine_m3000"] = {"search": r, "gd": g, "ratio": ratio}
    how = "measured" if g["reached"] else (f"extrapolated from {g['steps']} steps in {g['seconds']:.0f} s "
                                           f"(rate {g.get('rate_per_step', float('nan')):.6f}/step)")
    print(f"   search + proof {r['total_seconds']:.2f} s ({r['status']}, residual {r['residual_after']:.2e}); "
          f"GD to that residual {gd_s:.1f} s ({how}); ratio {ratio:.0f}x (target >= 100x)", flush=True)

    if not args.skip_big:
        from numerics.instance.two_layer_gauss_newton import CHOLESKY_MAX_N

        rng = np.random.default_rng(0)
        n, d = 10_000, 100
        Xb = rng.standard_normal((n, d))
        Xb /= np.linalg.norm(Xb, axis=1, keepdims=True)
        T = rng.standard_normal((5, d))
        yb = np.maximum(Xb @ T.T, 0.0).sum(axis=1)
        yb = (yb - yb.mean()) / yb.std()
        print(f"4. sphere n = {n}, d = {d} (teacher labels), m = {args.big_m}: search "
              f"({'CG' if n > CHOLESKY_MAX_N else 'Cholesky'}) + proof", flush=True)
        r = search_and_proof(Xb, yb, args.big_m)
        r["peak_memory_gib"] = peak_memory_gib()
        results["sphere_n10000"] = r
        print(f"   search {r['search_seconds']:.1f} s ({r['iterations']} iterations, {r['solver']}, residual "
              f"{r['residual_before']:.3g} -> {r['residual_after']:.2e}), proof {r['proof_seconds']:.1f} s: "
              f"{r['status']} ({r['reason']}); peak memory {r['peak_memory_gib']:.2f} GiB", flush=True)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    print(f"load average at end: {os.getloadavg()}")
    if args.json:
        with open(args.json + ".tmp", "w") as fh:
            json.dump(results, fh, indent=2, default=float)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
