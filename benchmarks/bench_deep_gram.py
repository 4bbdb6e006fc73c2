"""Benchmark: certified lambda_min of the depth-L ReLU NTK Theta^(L) (1904.11955 convention).

For n inputs on the sphere (default n = 1000) and L in {2, 8, 32} it times
  * certified: numerics.kernels.deep.ntk_gram (interval recursion, closed forms) + numerics.linalg.spectral
    lambda_min_enclosure (verified lower and upper bounds);
  * baseline: the same recursion in plain float64 numpy + numpy.linalg.eigvalsh, measured in the
    same run;
and prints the time ratio certified / float, the enclosure, and whether the float eigenvalue
lies inside it. neural-tangents' kernel_fn (JAX) is compared when it imports; it is not a
dependency of dl-certify, so it is normally reported as skipped.

Also prints H^2 lambda_min(K^(H)) of the ResNet (Def. 6.1) for the H^-2 study.

    python benchmarks/bench_deep_gram.py [--n 1000] [--depths 2,8,32] [--resnet-depths 2,4,8,16,32,64]
"""

from __future__ import annotations

import argparse
import math
import platform
import time

import numpy as np


def float_ntk(X: np.ndarray, L: int) -> np.ndarray:
    """Theta^(L) in float64 numpy (no error control): the baseline."""
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    S = np.clip(X @ X.T, -1.0, 1.0)
    np.fill_diagonal(S, 1.0)     # arccos is ill-conditioned at 1: a float 1 - 1e-16 costs 1e-8
    T = S.copy()
    for _ in range(L):
        a = np.arccos(np.clip(S, -1.0, 1.0))
        Sd = (math.pi - a) / math.pi
        S = np.clip((S * (math.pi - a) + np.sqrt(np.maximum(1.0 - S * S, 0.0))) / math.pi, -1.0, 1.0)
        np.fill_diagonal(S, 1.0)
        T = T * Sd + S
    return T


def _neural_tangents(X: np.ndarray, L: int):
    try:
        from neural_tangents import stax  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means "not available"
        return None, f"skipped: neural-tangents is not installed here ({type(exc).__name__}); it is JAX-based"
    layers = []
    for _ in range(L):
        layers += [stax.Dense(1, W_std=math.sqrt(2.0), parameterization="ntk"), stax.Relu()]
    layers += [stax.Dense(1, W_std=1.0, parameterization="ntk")]
    _, _, kernel_fn = stax.serial(*layers)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True) * math.sqrt(X.shape[1])
    t = time.perf_counter()
    K = np.asarray(kernel_fn(Xn, None, "ntk"))
    return (K, time.perf_counter() - t), "ok"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--depths", default="2,8,32")
    ap.add_argument("--resnet-depths", default="2,4,8,16,32,64")
    ap.add_argument("--resnet-n", type=int, default=200)
    args = ap.parse_args()

    from numerics.kernels.deep import gram_lambda_min, ntk_gram, resnet_gram

    X = np.random.default_rng(0).standard_normal((args.n, args.d))
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}; "
          f"n = {args.n}, d = {args.d}")
    print(f"{'L':>4} {'certified s':>12} {'float s':>9} {'ratio':>8}  {'lambda_min enclosure':>44}  float inside")
    for L in [int(t) for t in args.depths.split(",")]:
        t0 = time.perf_counter()
        g = ntk_gram(X, L)
        lam = gram_lambda_min(g)
        tc = time.perf_counter() - t0
        t0 = time.perf_counter()
        T = float_ntk(X, L)
        lf = float(np.linalg.eigvalsh(T)[0])
        tf = time.perf_counter() - t0
        inside = lam.lo <= lf <= lam.hi
        print(f"{L:>4} {tc:>12.2f} {tf:>9.3f} {tc / tf:>8.1f}  [{lam.lo:.15e}, {lam.hi:.15e}]  {inside}")
        nt, status = _neural_tangents(X, L)
        if nt is None:
            print(f"     neural-tangents: {status}")
        else:
            K, tn = nt
            print(f"     neural-tangents: max |diff| vs float {np.abs(K - T).max():.2e} (target 1e-10); "
                  f"time ratio certified/nt {tc / tn:.1f}")
    print("\nResNet (Def. 6.1, c_res = 0.5): H^2 lambda_min(K^(H)), rigorous enclosures, n =", args.resnet_n)
    Xr = X[: args.resnet_n]
    hs, mids = [], []
    for H in [int(t) for t in args.resnet_depths.split(",")]:
        t0 = time.perf_counter()
        lam = gram_lambda_min(resnet_gram(Xr, H, 0.5))
        hs.append(H)
        mids.append(0.5 * (lam.lo + lam.hi))
        print(f"  H = {H:3d}: lambda in [{lam.lo:.6e}, {lam.hi:.6e}], H^2 lambda = {H * H * mids[-1]:.5f} "
              f"({time.perf_counter() - t0:.1f} s)")
    if len(hs) >= 2:
        from numerics.empirical.statistics import loglog_slope
        fit = loglog_slope(hs, mids)
        print(f"  fitted exponent of H: {fit.estimate:.3f} (95% bootstrap CI [{fit.lo:.3f}, {fit.hi:.3f}]); theory -2")


if __name__ == "__main__":
    main()
