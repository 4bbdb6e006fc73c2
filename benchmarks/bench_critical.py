"""Benchmark: `certify critical` at scale (numerics.curvature.critical_point).

Part 1, negative curvature at P ~ 10^6: a deep-fc tanh net (depth 3, width 700, all layers trained,
P = 1,025,500) at its seeded initialization on scikit-learn's digits (n = 1797, d = 64, exactly
normalized rows, labels +-1 for even / odd digits). Prints the time of the float Lanczos search alone
(PyHessian-style: Hessian-vector products by torch double backward, float64, ``--steps`` Lanczos steps),
the total time of the certificate (search + interval gradient + Taylor-jet curvature), their ratio
(targets: <= 60 s, ratio <= 3) and the certified bounds.

Part 2, a strict local minimum at P = 2550: a width-50 tanh student (two-layer, both layers trained,
d = 50) at the minimum next to a width-50 teacher (rows of W ~ N(0, I/d), output weights +-1, the
two-layer convention) on n = 4000 noisy labels (noise 1e-3). The float search is damped Newton
steps from the teacher down to a float gradient of 1e-8 (L-BFGS from there drifts to saturated
neurons, |w_r| -> infinity, where no minimum exists); the certificate refines the point itself
(Arb gradient, two-float center). Prints the certificate's time (target <= 5 min), its bounds,
the refinement's gradient bounds, and the same for widths 10 and 25 (P = 510, 1275), with the
fitted exponent of time against P. With Gaussian output weights instead, some neurons barely
matter: the float search stalls at a gradient of 8e-5, at a strict saddle (certified so through
the dense Hessian's negative eigenvalue -9.2e-6, which the Lanczos run missed).

Part 3, strict local minima of deep nets: a tanh deep-fc net (depth 2, width 20, d = 20, n = 4000,
P = 820) and a tanh resnet (depth 3, width 10, d = 10, n = 3000, P = 310), every layer trained,
at the minimum next to a teacher of the same architecture (rows of every W ~ N(0, I/fan-in), output
weights +-1) on labels with noise 1e-6. No float search at all: the certificate starts at the
teacher and its Newton refinement (Arb gradient, Hessian refreshed when a step shrinks the gradient
less than 4x) finds the center. Prints time, lambda_min on the ball and the distance from the teacher.

Usage: python benchmarks/bench_critical.py [--part 1|2|3|all] [--width 700] [--depth 3] [--steps 20]
Prints the machine's load average; run with OMP_NUM_THREADS set to the cores you want used.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    X = data.data.astype(np.float64) + 1.0 / 16       # no zero row
    y = np.where(data.target % 2 == 0, 1.0, -1.0)
    return X, y


def part1(width: int, depth: int, steps: int) -> None:
    from numerics.curvature.critical_point import certify_critical_point
    from numerics.curvature.lanczos import lanczos_spectrum
    from numerics.kernels.two_layer import normalize_rows
    from numerics.networks import Architecture
    from numerics.networks.initialization import initial_parameters

    X, y = digits()
    warm = Architecture("deep-fc", 8, X.shape[1], depth=depth, activation="tanh")
    lanczos_spectrum(initial_parameters(warm, 0), X[:20], y[:20], steps=3)      # torch start-up, not timed
    arch = Architecture("deep-fc", width, X.shape[1], depth=depth, activation="tanh")
    params = initial_parameters(arch, 0)
    print(f"part 1: deep-fc tanh, depth {depth}, width {width}, P = {arch.parameter_count:,}, n = {X.shape[0]}")
    t0 = time.perf_counter()
    spec = lanczos_spectrum(params, normalize_rows(X).mid(), y, steps=steps)
    t_float = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = certify_critical_point(params, X, y, lanczos_steps=steps)
    t_total = time.perf_counter() - t0
    q = res.direction_value
    print(f"  float Lanczos alone ({spec.steps} steps): {t_float:.1f} s; smallest Ritz value {spec.values[0]:.6g}")
    print(f"  certificate: {res.status}, {t_total:.1f} s (ratio {t_total / t_float:.2f}); "
          f"v^T H v/|v|^2 in [{float(q.lo):.6g}, {float(q.hi):.6g}]; ||grad L|| <= {res.grad_norm_upper:.4g}; "
          f"loss in [{float(res.loss.lo):.8g}, {float(res.loss.hi):.8g}]")


def float_hessian(params, X, y) -> np.ndarray:
    """FLOAT Hessian of 1/2 ||u - y||^2 for a two-layer tanh net (the formulas of
    numerics.curvature.ball_hessian, in plain numpy; for the search only)."""
    W, a = params["W"], params["a"]
    n, d = X.shape
    m = W.shape[0]
    alpha = 1.0 / np.sqrt(m)
    T = np.tanh(X @ W.T)
    S1 = 1.0 - T ** 2
    S2 = -2.0 * T * S1
    r = alpha * T @ a - y
    J = np.concatenate([((alpha * a * S1)[:, :, None] * X[:, None, :]).reshape(n, m * d), alpha * T], axis=1)
    H = J.T @ J
    for k in range(m):
        blk = slice(k * d, (k + 1) * d)
        H[blk, blk] += alpha * a[k] * (X.T * (r * S2[:, k])) @ X
        cross = alpha * X.T @ (r * S1[:, k])
        H[m * d + k, blk] += cross
        H[blk, m * d + k] += cross
    return H


def student_minimum(width: int, n: int = 4000, d: int = 50, seed: int = 0, noise: float = 1e-3):
    """A tanh student at the float minimum next to its teacher (noisy labels), and the data."""
    import torch

    from numerics.curvature.lanczos import hessian_operator
    from numerics.networks import Architecture, Parameters
    from numerics.networks.float_forward import outputs

    rng = np.random.default_rng(seed)
    arch = Architecture("two-layer", width, d, activation="tanh", train_output=True)
    teacher = Parameters(arch, {"W": rng.standard_normal((width, d)) / np.sqrt(d),
                                "a": np.where(rng.standard_normal(width) < 0, -1.0, 1.0)})
    X = rng.standard_normal((n, d))
    y = outputs(teacher, X) + noise * rng.standard_normal(n)
    theta, _, grad, loss = hessian_operator(teacher, X, y)

    def f(t):
        tt = torch.tensor(t)
        return float(loss(tt)), grad(tt).numpy()

    t, mu = theta.numpy(), 1e-3
    for _ in range(60):                       # Levenberg-damped Newton from the teacher (float Hessian)
        params = teacher.unflatten(t)
        value, g = f(t)
        if np.linalg.norm(g) < 1e-8 * max(1.0, value):
            break
        H = float_hessian(params, X, y)
        step = np.linalg.solve(H + mu * np.eye(H.shape[0]), g)
        if f(t - step)[0] <= value:
            t, mu = t - step, mu / 10
        else:
            mu *= 10
    params = teacher.unflatten(t)
    return params, X, y


def part2(widths) -> None:
    from numerics.curvature.critical_point import certify_critical_point

    Ps, ts = [], []
    for m in widths:
        t0 = time.perf_counter()
        params, X, y = student_minimum(m)
        t_search = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = certify_critical_point(params, X, y, normalize=False)
        t = time.perf_counter() - t0
        P = params.architecture.parameter_count
        Ps.append(P)
        ts.append(t)
        lam = res.lambda_min
        print(f"part 2: width {m}, P = {P}, n = {X.shape[0]}: {res.status} in {t:.1f} s (float search {t_search:.1f} s); "
              f"lambda_min on the ball >= {lam[0] if lam else float('nan'):.4g}; ||grad|| <= {res.grad_norm_upper:.3g}; "
              f"radius {res.radius}; loss at the critical point in "
              f"[{float(res.loss.lo):.8g}, {float(res.loss.hi):.8g}]; {res.reason[:120]}")
        if res.center is not None:
            print(f"  refinement: gradient bounds {', '.join(f'{g:.2g}' for g in res.center.history)}; "
                  f"moved <= {res.center.moved:.3g}; distance to the critical point <= {res.critical_point_distance}")
    if len(Ps) > 1:
        slope = np.polyfit(np.log(Ps), np.log(ts), 1)[0]
        print(f"  time ~ P^{slope:.2f} over P = {Ps}")


def deep_teacher(kind: str, depth: int, width: int, d: int, n: int, noise: float = 1e-6, seed: int = 0):
    """A tanh teacher of the given architecture (output weights +-1) and its noisy data."""
    from numerics.networks import Architecture, Parameters
    from numerics.networks.float_forward import outputs

    rng = np.random.default_rng(seed)
    arch = Architecture(kind, width, d, depth=depth, activation="tanh", train_output=True)
    layers = {}
    for name in arch.layer_names:
        shape = arch.layer_shape(name)
        layers[name] = (np.where(rng.standard_normal(shape) < 0, -1.0, 1.0) if name == "a"
                        else rng.standard_normal(shape) / np.sqrt(shape[1]))
    teacher = Parameters(arch, layers)
    X = rng.standard_normal((n, d))
    return teacher, X, outputs(teacher, X) + noise * rng.standard_normal(n)


def part3() -> None:
    from numerics.curvature.critical_point import certify_critical_point

    for kind, depth, width, d, n in (("deep-fc", 2, 20, 20, 4000), ("resnet", 3, 10, 10, 3000)):
        teacher, X, y = deep_teacher(kind, depth, width, d, n)
        t0 = time.perf_counter()
        res = certify_critical_point(teacher, X, y, normalize=False)
        t = time.perf_counter() - t0
        lam = res.lambda_min
        print(f"part 3: {kind} tanh, depth {depth}, width {width}, d = {d}, n = {n}, P = {res.parameters}: "
              f"{res.status} in {t:.1f} s; lambda_min on the ball >= {lam[0] if lam else float('nan'):.4g}; "
              f"distance from the teacher <= {res.critical_point_distance}; loss in "
              f"[{float(res.loss.lo):.8g}, {float(res.loss.hi):.8g}]")
        if res.center is not None:
            print(f"  refinement: {len(res.center.history) - 1} Newton steps, gradient bound "
                  f"{res.center.history[0]:.2g} -> {res.center.grad_norm_upper:.2g}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["1", "2", "3", "all"], default="all")
    ap.add_argument("--width", type=int, default=700)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--student-widths", default="10,25,50")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    if args.part in ("1", "all"):
        part1(args.width, args.depth, args.steps)
    if args.part in ("2", "all"):
        part2([int(w) for w in args.student_widths.split(",")])
    if args.part in ("3", "all"):
        part3()


if __name__ == "__main__":
    main()
