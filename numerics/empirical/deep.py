"""Deep fully connected networks and ResNets in the parametrization of Du-Lee-Li-Wang-Zhai
(arXiv 1811.03804v4 Sec. 3.3), trained by full-batch gradient descent on all layers, batched
over seeds (B independent networks as one tensor program).

* fully connected: ``x^(h) = sqrt(c_sigma/m) sigma(W^(h) x^(h-1))``, ``f = a . x^(H)``;
* ResNet: ``x^(1) = sqrt(c_sigma/m) sigma(W^(1) x)``,
  ``x^(h) = x^(h-1) + c_res/(H sqrt m) sigma(W^(h) x^(h-1))`` for ``2 <= h <= H``;
* every entry of every W^(h) and of a is N(0, 1) at initialization; the loss is
  ``1/2 sum_i (f(x_i) - y_i)^2`` on unit-norm inputs.

Observables: the loss curve, the first step with loss <= eps, lambda_min of the finite-width
G^(H)(k) (eqs. 13, 14) along training, and the parameter count. Everything here is evidence
about training, never a verdict.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from numerics.empirical.statistics import clopper_pearson, empirically_sufficient_width, loglog_slope
from numerics.kernels.gaussian_expectation import c_sigma, get_activation

_TORCH_ACT = {"relu": torch.relu, "softplus": torch.nn.functional.softplus, "tanh": torch.tanh}


def _act(name: str):
    get_activation(name)
    return _TORCH_ACT[name]


def _act_derivative(name: str, z: torch.Tensor) -> torch.Tensor:
    if name == "relu":
        return (z >= 0).to(z.dtype)
    if name == "softplus":
        return torch.sigmoid(z)
    return 1 - torch.tanh(z) ** 2


@dataclass
class DeepEnsemble:
    """B networks of one architecture, width and depth: weights[h] has shape (B, m, fan_in)."""

    architecture: str
    depth: int
    width: int
    activation: str
    c_res: float
    weights: list[torch.Tensor]
    a: torch.Tensor                 # (B, m)
    seeds: tuple[int, ...]

    def parameters(self) -> list[torch.Tensor]:
        return [*self.weights, self.a]

    def parameter_count(self) -> int:
        return sum(int(w[0].numel()) for w in self.parameters())


def init_deep(architecture: str, seeds, width: int, d: int, depth: int, activation: str = "relu",
              c_res: float = 0.5, dtype=torch.float64, device="cpu") -> DeepEnsemble:
    """N(0, 1) initialization of B = len(seeds) networks (one generator per seed)."""
    if architecture not in ("fc", "resnet"):
        raise ValueError(f"architecture={architecture!r}; allowed: fc, resnet")
    if depth < 1 or width < 1:
        raise ValueError(f"depth={depth}, width={width}; allowed: integers >= 1")
    if architecture == "resnet" and not (0 < c_res < 1):
        raise ValueError(f"c_res={c_res!r}; allowed: a number in (0, 1)")
    _act(activation)
    Ws = [[] for _ in range(depth)]
    a = []
    for s in seeds:
        g = torch.Generator().manual_seed(int(s) * 1_000_003 + width * 7919 + depth)
        for h in range(depth):
            fan_in = d if h == 0 else width
            Ws[h].append(torch.randn(width, fan_in, generator=g, dtype=dtype))
        a.append(torch.randn(width, generator=g, dtype=dtype))
    weights = [torch.stack(w).to(device).requires_grad_(True) for w in Ws]
    return DeepEnsemble(architecture, depth, width, activation, float(c_res), weights,
                        torch.stack(a).to(device).requires_grad_(True), tuple(int(s) for s in seeds))


def features(ens: DeepEnsemble, X: torch.Tensor, upto: int | None = None) -> torch.Tensor:
    """x^(upto) for every net: shape (B, m, n) (X is (n, d), rows unit norm); upto=0 gives X^T."""
    H = ens.depth
    upto = H if upto is None else upto
    act = _act(ens.activation)
    cs = float(c_sigma(ens.activation).mid())
    m = ens.width
    x = X.T.unsqueeze(0).expand(len(ens.seeds), -1, -1)
    for h in range(upto):
        z = torch.bmm(ens.weights[h], x)
        if ens.architecture == "fc" or h == 0:
            x = math.sqrt(cs / m) * act(z)
        else:
            x = x + ens.c_res / (H * math.sqrt(m)) * act(z)
    return x


def predictions(ens: DeepEnsemble, X: torch.Tensor) -> torch.Tensor:
    return torch.einsum("bm,bmn->bn", ens.a, features(ens, X))


def last_layer_gram(ens: DeepEnsemble, X: torch.Tensor) -> torch.Tensor:
    """Finite-width G^(H) (eq. 13 fully connected, eq. 14 ResNet): (B, n, n)."""
    with torch.no_grad():
        H, m = ens.depth, ens.width
        x = features(ens, X, H - 1)
        z = torch.bmm(ens.weights[H - 1], x)
        D = _act_derivative(ens.activation, z) * ens.a.unsqueeze(-1)
        if ens.architecture == "fc" or H == 1:
            pref = float(c_sigma(ens.activation).mid()) / m
        else:
            pref = ens.c_res ** 2 / (H * H * m)
        return pref * torch.bmm(x.transpose(1, 2), x) * torch.bmm(D.transpose(1, 2), D)


def tangent_gram(ens: DeepEnsemble, X: torch.Tensor) -> torch.Tensor:
    """The finite-width NTK G = J J^T of every net, all layers (B, n, n), by n backward passes
    (the nets are independent, so one pass per input serves all B nets)."""
    params = ens.parameters()
    u = predictions(ens, X)
    rows = []
    for i in range(u.shape[1]):
        g = torch.autograd.grad(u[:, i].sum(), params, retain_graph=True)
        rows.append(torch.cat([t.reshape(t.shape[0], -1) for t in g], dim=1))
    J = torch.stack(rows, dim=1)                       # (B, n, P)
    return torch.bmm(J, J.transpose(1, 2)).detach()


def default_step(ens: DeepEnsemble, X: torch.Tensor) -> torch.Tensor:
    """Per-net step 1/lambda_max(G(0)) (below the 2/lambda_max stability limit of the
    linearized dynamics): shape (B,)."""
    lam_max = torch.linalg.eigvalsh(tangent_gram(ens, X))[:, -1]
    return 1.0 / lam_max


def train_deep(ens: DeepEnsemble, X, y, steps: int, step_size: float | None = None, eps: float = 1e-3,
               gram_every: int = 0) -> dict:
    """Full-batch GD on all layers of every net; returns curves and per-net outcomes."""
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float64)).to(ens.a)
    Xt = Xt / Xt.norm(dim=1, keepdim=True)
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64)).to(ens.a)
    eta = default_step(ens, Xt) if step_size is None else torch.full((len(ens.seeds),), float(step_size)).to(ens.a)
    params = ens.parameters()
    B = len(ens.seeds)
    first = np.full(B, -1)
    losses = []
    grams = []
    t0 = time.perf_counter()
    for k in range(steps + 1):
        if gram_every and k % gram_every == 0:
            G = last_layer_gram(ens, Xt)
            grams.append((k, torch.linalg.eigvalsh(G)[:, 0].cpu().numpy().tolist()))
        u = predictions(ens, Xt)
        loss = 0.5 * ((u - yt) ** 2).sum(dim=1)
        lv = loss.detach().cpu().numpy()
        losses.append(lv.tolist())
        hit = (lv <= eps) & (first < 0)
        first[hit] = k
        if k == steps or (first >= 0).all():
            break
        grads = torch.autograd.grad(loss.sum(), params)
        with torch.no_grad():
            for w, g in zip(params, grads):
                w -= eta.reshape(-1, *([1] * (w.dim() - 1))) * g
    return {"architecture": ens.architecture, "depth": ens.depth, "width": ens.width, "seeds": list(ens.seeds),
            "activation": ens.activation, "step_size": eta.cpu().numpy().tolist(), "steps": steps, "eps": eps,
            "loss_initial": losses[0], "loss_final": losses[-1], "steps_run": len(losses) - 1,
            "first_below_eps": [int(f) if f >= 0 else None for f in first],
            "reached_eps": [bool(f >= 0) for f in first], "lambda_min_gram": grams,
            "parameters": ens.parameter_count(), "seconds": time.perf_counter() - t0,
            "device": str(ens.a.device), "dtype": str(ens.a.dtype)}


def smallest_interpolating_width(X, y, architecture: str, depth: int, widths, seeds=(0, 1), steps: int = 400,
                                 step_size: float | None = None, eps: float = 1e-3, activation: str = "relu",
                                 c_res: float = 0.5) -> dict:
    """Train at each width (ascending) and return the smallest width at which every seed reached
    loss <= eps, with the per-width success counts and Clopper-Pearson intervals."""
    X = np.asarray(X, dtype=np.float64)
    runs = {}
    for w in sorted(set(int(v) for v in widths)):
        ens = init_deep(architecture, seeds, w, X.shape[1], depth, activation, c_res)
        runs[w] = train_deep(ens, X, y, steps, step_size, eps, gram_every=max(steps // 4, 1))
        if all(runs[w]["reached_eps"]):
            break
    success = {w: r["reached_eps"] for w, r in runs.items()}
    esw = empirically_sufficient_width(success)
    per_width = []
    for w, r in runs.items():
        k = sum(r["reached_eps"])
        per_width.append({"width": w, "successes": k, "trials": len(r["reached_eps"]),
                          "ci": list(clopper_pearson(k, len(r["reached_eps"]))), "parameters": r["parameters"],
                          "loss_final": r["loss_final"], "lambda_min_gram": r["lambda_min_gram"]})
    return {"architecture": architecture, "depth": depth, "n": int(X.shape[0]), "eps": eps, "steps": steps,
            "empirical_width": esw, "per_width": per_width,
            "parameters_at_width": next((r["parameters"] for w, r in runs.items() if w == esw), None)}


def sphere_data(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, rng.choice([-1.0, 1.0], size=n)


def deep_width_sweep(ns, depths, widths, d: int = 8, architecture: str = "resnet", seeds=(0, 1),
                     steps: int = 400, eps: float = 1e-3, data_seed: int = 0, c_res: float = 0.5) -> dict:
    """The smallest interpolating width as a function of n (at the first depth) and of depth (at
    the first n), with log-log slopes and bootstrap intervals beside the theory's n^4 H^2; and
    the parameter count at that width against n."""
    by_n, by_depth = [], []
    for nn in ns:
        X, y = sphere_data(int(nn), d, data_seed)
        by_n.append(smallest_interpolating_width(X, y, architecture, depths[0], widths, seeds, steps, None, eps,
                                                 c_res=c_res))
    X, y = sphere_data(int(ns[0]), d, data_seed)
    for H in depths:
        by_depth.append(smallest_interpolating_width(X, y, architecture, int(H), widths, seeds, steps, None, eps,
                                                     c_res=c_res))

    def fit(rows, key):
        pts = [(r[key], r["empirical_width"]) for r in rows if r["empirical_width"] is not None]
        if len({x for x, _ in pts}) < 2:
            return None
        return loglog_slope([x for x, _ in pts], [w for _, w in pts]).to_dict()

    def fit_params(rows):
        pts = [(r["n"], r["parameters_at_width"]) for r in rows if r["parameters_at_width"]]
        if len({x for x, _ in pts}) < 2:
            return None
        return loglog_slope([x for x, _ in pts], [q for _, q in pts]).to_dict()

    return {"by_n": by_n, "by_depth": by_depth, "width_exponent_in_n": fit(by_n, "n"),
            "width_exponent_in_depth": fit(by_depth, "depth"), "parameter_exponent_in_n": fit_params(by_n),
            "theory": {"exponent_in_n": 4, "exponent_in_depth": 2, "source": "1811.03804 Sec. 2 (ResNet)"}}
