"""Benchmark: batched two-layer ensembles against a loop of ordinary torch.nn.Module trainings.

CPU section (baseline measured in the same run): 64 nets, n = 200, d = 10, m = 1024, 300 full-batch
GD steps, float64, same initialisation and the same update ``W <- W - eta dL/dW``; prints the time
ratio loop / batched (target >= 5x) and the largest weight difference (a same-math check).

GPU section (only when CUDA is present; otherwise prints that it was skipped): B = 1024 nets with
m = 4096 (n = 200, d = 10), float32 and float64: network-steps per second, achieved memory bandwidth
of the training step (bytes by the traffic model below) against the device peak, and the ratio of GPU
to CPU network-steps per second (CPU measured in the same run on a few nets of the same size).

Traffic model of one step (``numerics.empirical.training``, buffers reused in place), per element of
the ``(B, m, n)`` pre-activation array: write Z (product), read Z / write mask, read+write Z (ReLU in
place), read Z (output product), read mask / write Z (masked residual), read Z (gradient product):
7 passes of ``itemsize`` bytes plus 2 passes of 1-byte masks.

Usage: python benchmarks/bench_ensemble.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

from numerics.empirical.training import train_two_layer_ensemble
from numerics.empirical.two_layer import TwoLayerEnsemble, init_two_layer

PEAK_BANDWIDTH = {  # bytes/s, vendor datasheets (HBM), matched on the device name
    "H200": 4.8e12, "H100 NVL": 3.9e12, "H100 PCIe": 2.0e12, "H100": 3.35e12, "A100-SXM4-80GB": 2.039e12,
    "A100": 1.555e12,
}


def make_data(n: int, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.choice([-1.0, 1.0], size=n)
    return X, y


class TwoLayerNet(torch.nn.Module):
    """The same model as an ordinary module: f(x) = m^-1/2 a . relu(W x), a fixed."""

    def __init__(self, W0: torch.Tensor, a: torch.Tensor):
        super().__init__()
        self.hidden = torch.nn.Linear(W0.shape[1], W0.shape[0], bias=False, dtype=W0.dtype)
        with torch.no_grad():
            self.hidden.weight.copy_(W0)
        self.register_buffer("a", a.clone())

    def forward(self, x):
        return torch.relu(self.hidden(x)) @ self.a / math.sqrt(self.a.shape[0])


def loop_baseline(X, y, seeds, m, eta, steps):
    Xt, yt = torch.tensor(X), torch.tensor(y)
    finals = []
    for s in seeds:
        W0, a = init_two_layer(s, m, X.shape[1])
        net = TwoLayerNet(W0, a)
        opt = torch.optim.SGD(net.parameters(), lr=eta)
        for _ in range(steps):
            opt.zero_grad()
            loss = 0.5 * ((net(Xt) - yt) ** 2).sum()
            loss.backward()
            opt.step()
        finals.append(net.hidden.weight.detach().clone())
    return torch.stack(finals)


def batched(X, y, seeds, m, eta, steps, device="cpu", dtype=torch.float64):
    ens = TwoLayerEnsemble.initialise(seeds, m, X.shape[1], device=device, dtype=dtype)
    Xt = torch.tensor(X, dtype=dtype, device=device)
    yt = torch.tensor(y, dtype=dtype, device=device)
    train_two_layer_ensemble(ens, Xt, yt, step_size=eta, steps=steps, lambda0=0.01, schedule=[0, steps], observe=())
    return ens.W


def timed(fn, *args, sync=False, **kw):
    if sync:
        torch.cuda.synchronize()
    t = time.perf_counter()
    out = fn(*args, **kw)
    if sync:
        torch.cuda.synchronize()
    return time.perf_counter() - t, out


def cpu_section(quick: bool) -> None:
    B, n, d, m, steps = (8, 200, 10, 256, 30) if quick else (64, 200, 10, 1024, 300)
    eta = 0.1
    X, y = make_data(n, d)
    seeds = list(range(B))
    print(f"CPU ({torch.get_num_threads()} threads), float64: B={B} nets, n={n}, d={d}, m={m}, {steps} GD steps")
    loop_baseline(X, y, seeds[:2], m, eta, 5)  # warm-up both paths (allocator, autograd, BLAS threads)
    batched(X, y, seeds[:2], m, eta, 5)
    t_batch, W_batch = timed(batched, X, y, seeds, m, eta, steps)
    print(f"  batched ensemble              : {t_batch:9.3f} s", flush=True)
    t_loop, W_loop = timed(loop_baseline, X, y, seeds, m, eta, steps)
    diff = float((W_batch - W_loop).abs().max())
    print(f"  loop of {B} nn.Module trainings : {t_loop:9.3f} s")
    print(f"  ratio loop / batched          : {t_loop / t_batch:9.2f}x   (target >= 5x)")
    print(f"  max |W_batched - W_loop|      : {diff:.2e}   (same math; autograd relu'(0)=0 differs only on ties)")


def peak_bandwidth(name: str) -> float | None:
    for key, bw in PEAK_BANDWIDTH.items():
        if key in name:
            return bw
    return None


def gpu_section(quick: bool) -> None:
    if not torch.cuda.is_available():
        print("GPU: skipped (torch.cuda.is_available() is False)")
        return
    name = torch.cuda.get_device_name(0)
    B, n, d, m, steps = (128, 200, 10, 1024, 5) if quick else (1024, 200, 10, 4096, 20)
    X, y = make_data(n, d)
    peak = peak_bandwidth(name)
    # achievable streaming bandwidth: a large device-to-device copy (read + write)
    buf = torch.empty(2**28, dtype=torch.float32, device="cuda")
    buf.copy_(buf)
    t_copy, _ = timed(lambda: [buf.clone() for _ in range(5)], sync=True)
    copy_bw = 5 * 2 * buf.numel() * 4 / t_copy
    del buf
    print(f"GPU {name}: B={B} nets, n={n}, d={d}, m={m}, {steps} GD steps"
          + (f"; datasheet peak {peak / 1e12:.2f} TB/s" if peak else "; datasheet peak unknown")
          + f"; measured copy bandwidth {copy_bw / 1e12:.2f} TB/s")
    cpu_nets, cpu_steps = 4, 3
    t_cpu, _ = timed(batched, X, y, list(range(cpu_nets)), m, 0.1, cpu_steps)
    cpu_rate = cpu_nets * cpu_steps / t_cpu
    print(f"  CPU float64 reference (same net size, {cpu_nets} nets): {cpu_rate:10.1f} network-steps/s")
    for dtype in (torch.float32, torch.float64):
        batched(X, y, list(range(min(B, 8))), m, 0.1, 2, device="cuda", dtype=dtype)  # warm-up
        t, _ = timed(batched, X, y, list(range(B)), m, 0.1, steps, device="cuda", dtype=dtype, sync=True)
        rate = B * steps / t
        item = torch.finfo(dtype).bits // 8
        bytes_step = B * m * n * (7 * item + 2)
        bw = bytes_step * (steps + 1) / t
        frac = f"{bw / peak:6.1%} of peak" if peak else "peak unknown"
        print(f"  {str(dtype):14s}: {rate:12.1f} network-steps/s, {bw / 1e12:6.2f} TB/s ({frac}, "
              f"{bw / copy_bw:6.1%} of copy), GPU/CPU {rate / cpu_rate:8.1f}x")
        torch.cuda.empty_cache()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    args = p.parse_args()
    cpu_section(args.quick)
    gpu_section(args.quick)


if __name__ == "__main__":
    main()
