"""Cost of provably correct subdifferentiation relative to evaluating the function.

Kakade & Lee (NeurIPS 2018) bound time(subgradient) / time(f) by about 6.  For MLPs and
small CNNs of several sizes this prints, per model (minimum over repeats, same process):

* ``autograd``: time(forward + backward) / time(forward)      -- the baseline ratio
* ``KL auto``: :func:`numerics.nonsmooth.subgradient` at a generic point (the primal-only
  pass suffices: no kink is reached exactly) / time(forward)
* ``KL tangents``: the algorithm as stated (forward pass with directional derivatives,
  then reverse pass; ``tangents="always"``) / time(forward)
* ``KL at ties``: at a point where every first-layer ReLU is tied (zero first layer), so
  the automatic mode falls back to the tangent pass / time(forward)

Run: ``python benchmarks/bench_subgradient.py [--device cpu|cuda] [--repeats N] [--quick]``.

Measured 2026-11-26 on the shared 2-core CPU machine (torch 2.13 CPU, 1 thread, batch 256,
min of 11, load average ~7 from other jobs, so absolute times are inflated):

    model            autograd  KL auto  KL tangents  KL at ties
    MLP 784-64x2         2.41     4.52        38.36       50.13   (0.45 ms forward: Python overhead)
    MLP 784-256x2        5.43     7.27        11.01       13.70
    MLP 784-1024x3       3.51     4.19         7.14        7.55
    CNN 8-16             2.18     3.96         7.94        8.49
    CNN 32-64            2.16     2.61         6.36        5.84

No GPU was available to this task.
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from numerics.nonsmooth import module_subdifferentiate


def mlp(d, width, depth, out=10):
    layers, k = [], d
    for _ in range(depth):
        layers += [torch.nn.Linear(k, width), torch.nn.ReLU()]
        k = width
    return torch.nn.Sequential(*layers, torch.nn.Linear(k, out))


def cnn(channels, side=28, out=10):
    c1, c2 = channels
    s = side // 4
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, c1, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(c1, c2, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(c2 * s * s, out))


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def _min_time(fn, repeats, device):
    fn()
    _sync(device)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - t)
    return min(times)  # least affected by other processes on a shared machine


def bench_model(name, model, x, y, repeats, device):
    model = model.to(device)
    x, y = x.to(device), y.to(device)
    params = [p for p in model.parameters()]

    def loss_fn(out):
        return F.cross_entropy(out, y)

    def evaluate():
        with torch.no_grad():
            loss_fn(model(x))

    def autograd():
        torch.autograd.grad(loss_fn(model(x)), params)

    gen = torch.Generator(device="cpu").manual_seed(0)

    def kl_auto():
        module_subdifferentiate(model, x, loss_fn, gen)

    def kl_tangents():
        module_subdifferentiate(model, x, loss_fn, gen, tangents="always")

    t_eval = _min_time(evaluate, repeats, device)
    row = {"model": name, "params": sum(p.numel() for p in params), "eval_ms": 1e3 * t_eval,
           "autograd": _min_time(autograd, repeats, device) / t_eval,
           "KL auto": _min_time(kl_auto, repeats, device) / t_eval,
           "KL tangents": _min_time(kl_tangents, repeats, device) / t_eval}
    first = next(m for m in model.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)))
    saved = [first.weight.detach().clone(), first.bias.detach().clone()]
    with torch.no_grad():
        first.weight.zero_()
        first.bias.zero_()
    res = module_subdifferentiate(model, x, loss_fn, gen)
    assert res.trace.tangent_pass and res.trace.ties > 0
    row["KL at ties"] = _min_time(kl_auto, repeats, device) / t_eval
    with torch.no_grad():
        first.weight.copy_(saved[0])
        first.bias.copy_(saved[1])
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--quick", action="store_true", help="smaller models and batches")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 is steadiest on a shared machine)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(0)
    batch = 64 if args.quick else 256
    configs = [
        ("MLP 784-256x2", mlp(784, 256, 2), (batch, 784)),
        ("MLP 784-1024x3", mlp(784, 1024, 3), (batch, 784)),
        ("CNN 8-16", cnn((8, 16)), (batch, 1, 28, 28)),
        ("CNN 32-64", cnn((32, 64)), (batch, 1, 28, 28)),
    ]
    if args.quick:
        configs = [("MLP 784-128x2", mlp(784, 128, 2), (batch, 784)), ("CNN 8-16", cnn((8, 16)), (batch, 1, 28, 28))]
    else:
        configs.insert(0, ("MLP 784-64x2", mlp(784, 64, 2), (batch, 784)))
    print(f"device {device}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"batch {batch}, min of {args.repeats}; ratios are time / time(forward)")
    header = f"{'model':16s} {'params':>9s} {'eval ms':>8s} {'autograd':>9s} {'KL auto':>8s} {'KL tangents':>12s} {'KL at ties':>11s}"
    print(header)
    print("-" * len(header))
    for name, model, shape in configs:
        x = torch.randn(*shape)
        y = torch.randint(0, 10, (shape[0],))
        r = bench_model(name, model, x, y, args.repeats, device)
        print(f"{r['model']:16s} {r['params']:9d} {r['eval_ms']:8.2f} {r['autograd']:9.2f} {r['KL auto']:8.2f} "
              f"{r['KL tangents']:12.2f} {r['KL at ties']:11.2f}")


if __name__ == "__main__":
    main()
