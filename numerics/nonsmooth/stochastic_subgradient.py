"""The stochastic subgradient method on small ReLU networks (empirical side of
Davis-Drusvyatskiy-Kakade-Lee, FoCM 2020, arXiv:1804.07795).

``x_{k+1} = x_k - alpha_k y_k`` with ``y_k`` a subgradient of the minibatch loss: by
default autograd's gradient (at iterates drawn from a continuous distribution no kink is
reached exactly with probability one, so it is a Clarke subgradient there), or the
Kakade-Lee subgradient (``subgradients="kakade-lee"``).  Along the run the sampled
Goldstein estimate (:mod:`.goldstein`) of the full-batch loss measures near-stationarity;
DDKL predicts that with ``sum alpha = inf``, ``sum alpha^2 < inf`` and bounded iterates the
limit points are Clarke critical, so the estimate should decrease.  Step schedules are
expressions in ``k`` in the restricted grammar (``"0.5/(k+1)^0.75"``).  Results are evidence,
never verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from numerics.symbolic.expression import evaluate_float, parse, variables
from numerics.nonsmooth.goldstein import goldstein_min_norm
from numerics.nonsmooth.subdifferentiation import module_subgradients

__all__ = ["SubgradientRun", "teacher_data", "relu_mlp", "run_subgradient_method", "compare_schedules"]


def teacher_data(n: int = 64, d: int = 5, seed: int = 0, dtype=torch.float64):
    """Inputs on the unit sphere and labels from a random ReLU teacher with 3 units."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g, dtype=dtype)
    X = X / X.norm(dim=1, keepdim=True)
    W = torch.randn(3, d, generator=g, dtype=dtype)
    y = torch.relu(X @ W.T).sum(dim=1) - torch.relu(X @ W.T).sum(dim=1).mean()
    return X, y


def relu_mlp(d: int, width: int, seed: int = 0, dtype=torch.float64) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(d, width), torch.nn.ReLU(), torch.nn.Linear(width, 1)).to(dtype)


def _schedule(text: str):
    expr = parse(text)
    extra = [v for v in variables(expr) if v != "k"]
    if extra:
        raise ValueError(f"schedule: {text!r} uses {extra}; only k is allowed")
    return lambda k: evaluate_float(expr, {"k": k})


@dataclass
class SubgradientRun:
    """Losses (full batch) and Goldstein estimates at the recorded steps."""

    schedule: str
    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    goldstein: list[float] = field(default_factory=list)
    gradient_norm: list[float] = field(default_factory=list)
    max_param_norm: float = 0.0


def _flat_loss(model, X, y):
    from torch.func import functional_call

    names = [k for k, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    sizes = [p.numel() for _, p in model.named_parameters()]

    def unflatten(theta):
        parts = torch.split(theta, sizes)
        return {k: t.reshape(s) for k, t, s in zip(names, parts, shapes)}

    def loss(theta):
        out = functional_call(model, unflatten(theta), (X,)).reshape(-1)
        return 0.5 * ((out - y) ** 2).mean()

    def grad(theta):
        t = theta.detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(loss(t), [t])
        return g

    return loss, grad


def run_subgradient_method(schedule: str = "0.5/(k+1)^0.75", *, steps: int = 300, width: int = 16,
                           n: int = 64, d: int = 5, batch_size: int = 8, seed: int = 0,
                           record_every: int = 50, goldstein_eps: float = 0.05,
                           goldstein_samples: int = 16, subgradients: str = "autograd",
                           projection_radius: float | None = None, dtype=torch.float64) -> SubgradientRun:
    """Run the stochastic subgradient method on a two-layer ReLU net fitting a teacher."""
    if subgradients not in ("autograd", "kakade-lee"):
        raise ValueError(f"subgradients: got {subgradients!r}; allowed: 'autograd', 'kakade-lee'")
    alpha = _schedule(schedule)
    X, y = teacher_data(n, d, seed, dtype)
    model = relu_mlp(d, width, seed, dtype)
    params = [p for p in model.parameters()]
    gen = torch.Generator().manual_seed(seed + 1)  # minibatches
    gen_dir = torch.Generator().manual_seed(seed + 2)  # Kakade-Lee directions
    flat_loss, flat_grad = _flat_loss(model, X, y)
    run = SubgradientRun(schedule)

    def record(k):
        theta = torch.cat([p.detach().reshape(-1) for p in params])
        est = goldstein_min_norm(flat_grad, theta, goldstein_eps, goldstein_samples,
                                 torch.Generator().manual_seed(seed + 7 + k))
        run.steps.append(k)
        run.loss.append(float(flat_loss(theta)))
        run.goldstein.append(est.norm)
        run.gradient_norm.append(est.gradient_norm)

    for k in range(steps):
        if k % record_every == 0:
            record(k)
        idx = torch.randint(0, n, (batch_size,), generator=gen)
        xb, yb = X[idx], y[idx]

        def loss_fn(out, yb=yb):
            return 0.5 * ((out.reshape(-1) - yb) ** 2).mean()

        if subgradients == "kakade-lee":
            grads = module_subgradients(model, xb, loss_fn, gen_dir)
            gl = [grads[name] for name, _ in model.named_parameters()]
        else:
            gl = torch.autograd.grad(loss_fn(model(xb)), params)
        step = alpha(k)
        with torch.no_grad():
            for p, g in zip(params, gl):
                p -= step * g
            if projection_radius is not None:
                norm = torch.sqrt(sum((p**2).sum() for p in params))
                if norm > projection_radius:
                    for p in params:
                        p *= projection_radius / norm
            run.max_param_norm = max(run.max_param_norm, float(torch.sqrt(sum((p**2).sum() for p in params))))
    record(steps)
    return run


def compare_schedules(schedules=("0.5/(k+1)^0.75", "0.5/(k+1)", "0.5/sqrt(k+1)", "0.05"), **kwargs) -> dict:
    """One run per schedule, same data, initialization and minibatches."""
    return {s: run_subgradient_method(s, **kwargs) for s in schedules}
