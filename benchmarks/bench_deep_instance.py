"""Deep instance certificate: search + proof time and memory, against the float search and one
epoch of float gradient descent on the same net (issue 17's targets, printed in one run).

Setting: digits (scikit-learn, offline), n = 200 rows drawn with default_rng(0), columns
standardized, labels +-1 by the parity of the digit; deep-fc, H = 4, m = 512 (P = 819,712),
ReLU, seed 0. The search is the Gauss-Newton search from the initialization (torch float64, CPU),
the proof numerics.instance.deep_minimizer. One epoch of float GD = one full-batch gradient
step (forward and backward over all n inputs, torch float64), best of 5.

    python benchmarks/bench_deep_instance.py [--n 200] [--depth 4] [--width 512] [--threads 2]

Target: search + proof <= 60 s on 2 cores. Peak memory: the process's maximum resident set
(ru_maxrss) and the largest traced numpy/Python allocation during the proof (tracemalloc).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--kind", default="deep-fc", choices=["deep-fc", "resnet"])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    import numpy as np
    import torch

    from deep_width_study import prepared
    from numerics.instance.deep_gauss_newton import deep_gauss_newton_search, float_inputs
    from numerics.instance.deep_minimizer import certify_deep_minimizer
    from numerics.networks import Architecture
    from numerics.networks.initialization import initial_parameters
    from numerics.networks.torch_network import torch_network

    torch.set_num_threads(args.threads)
    X, y = prepared("digits", args.n)
    arch = Architecture(args.kind, args.width, X.shape[1], depth=args.depth)
    p0 = initial_parameters(arch, 0)
    print(f"digits n = {args.n}, d = {X.shape[1]}, {args.kind} H = {args.depth}, m = {args.width}, "
          f"P = {arch.parameter_count}; torch threads {args.threads}; load {os.getloadavg()}")

    Xf = float_inputs(X)
    net = torch_network(p0, Xf)
    yt = torch.as_tensor(y)
    epochs = []
    for _ in range(5):
        t = time.perf_counter()
        theta = net.theta.clone()
        e = net.outputs(theta).detach() - yt
        grad = net.vjp(e, theta)
        theta = theta - 1e-3 * grad
        epochs.append(time.perf_counter() - t)
    epoch = min(epochs)

    t = time.perf_counter()
    s = deep_gauss_newton_search(p0, X, y, max_iterations=60, inputs=Xf)
    search = time.perf_counter() - t
    tracemalloc.start()
    t = time.perf_counter()
    res = certify_deep_minimizer(s.params, X, y, p0)
    proof = time.perf_counter() - t
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    print(f"search: {search:7.2f} s  ({s.iterations} Gauss-Newton steps, {s.trials} solves, float residual "
          f"{s.residual_norm:.2e}, {s.stop_reason})")
    print(f"proof:  {proof:7.2f} s  -> {res.status}: {res.reason}")
    if res.lambda_min is not None:
        print(f"        lambda_min(K~) in [{float(res.lambda_min.lo):.6g}, {float(res.lambda_min.hi):.6g}], "
              f"||y - u|| <= {float(res.residual_norm.hi):.3g}, radius {res.radius:.3g}, "
              f"contraction {res.contraction}")
        worst = max((L for L in res.layers if L.margin_ratio is not None), key=lambda L: L.margin_ratio)
        print(f"        worst margin ratio {worst.margin_ratio:.3g} (layer {worst.name}); "
              f"sqrt(m) max-neuron distance from init <= "
              f"{max(float(L.sqrt_m_distance_max_neuron.hi) for L in res.layers if L.sqrt_m_distance_max_neuron is not None):.4g}")
    print(f"one epoch of float GD (best of 5): {epoch * 1e3:.1f} ms")
    total = search + proof
    print(f"search + proof = {total:.2f} s (target <= 60 s: {'met' if total <= 60 else 'MISSED'})")
    print(f"ratios: proof / search = {proof / search:.2f}; proof / GD epoch = {proof / epoch:.0f}; "
          f"search / GD epoch = {search / epoch:.0f}")
    print(f"peak memory: max RSS {rss:.0f} MiB (process, torch included); traced peak during the proof "
          f"{traced_peak / 2 ** 20:.0f} MiB; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
