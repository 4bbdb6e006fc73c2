"""The points `certify instance` proves for a two-layer net: initialization, GD training, the
Gauss-Newton search, the proof at each (float search, rigorous proof).

Without weights and with `[instance] search = "gauss-newton"` (the default): GD from the seeded
initialization (`[train] steps`, stopping at `[train] loss_target`), then the search from the
trained point ("search-from-trained"); when it does not reach the float floor or its point is not
certified, the search from the initialization ("search-from-initialization"). `start = "init"`
(or `[train] steps = 0`) searches from the initialization only. `search = "none"` proves the
initialization and the trained point as they are. With `--weights`, the given point, and when it
is not certified (and `--refine`), the search from it ("refined-from-given").

Each point is an :class:`InstancePoint`: the network, its proof result and the float records of
how it was reached (training, search: start, iterations, residual before and after).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from proofs.lazy_global_minimizer import TwoLayerPoint


@dataclass(frozen=True, eq=False)
class InstancePoint:
    """One proved point: the network, the proof (LazyMinimizerResult) and the float records."""

    network: TwoLayerPoint
    result: object
    training: dict | None = None
    search: dict | None = None

    @property
    def name(self) -> str:
        return self.network.point

    @property
    def certified(self) -> bool:
        return bool(self.result.certified)


def prove(dataset, net: TwoLayerPoint, training: dict | None = None, search: dict | None = None) -> InstancePoint:
    """The rigorous proof at ``net`` (numerics.instance.lazy_minimizer)."""
    from certify.errors import BadInput
    from numerics.instance.lazy_minimizer import certify_lazy_minimizer

    try:
        res = certify_lazy_minimizer(dataset.X, dataset.y, net.W, net.a, net.W0)
    except ValueError as exc:  # shapes/values already checked; keep the exit-2 contract anyway
        raise BadInput("--weights", "the given network", str(exc)) from None
    return InstancePoint(net, res, training, search)


def initialization(seed: int, m: int, d: int) -> TwoLayerPoint:
    """The seeded initialization of the empirical layer (numerics.empirical.two_layer)."""
    from numerics.empirical.two_layer import init_two_layer

    W0t, at = init_two_layer(int(seed), int(m), int(d))
    W0 = W0t.numpy()
    return TwoLayerPoint(W0, at.numpy(), W0, "initialization")


def auto_step(Xf, W, a) -> float:
    """Float step 1/lambda_max(H(W)) (a practical GD step; evidence only, not the theorem's)."""
    m = W.shape[0]
    P = (W @ Xf.T >= 0).astype(np.float64)
    H = (P.T @ P) * (Xf @ Xf.T) / m
    return float(1.0 / np.linalg.eigvalsh(H)[-1])


GD_CHUNK = 256      # GD steps between two checks of the loss target


def train_gd(X, y, W0, a, steps: int, step_size, lambda0: float, loss_target: float | None = None) -> tuple:
    """Full-batch GD with the empirical engine, at most ``steps`` steps, stopping after the first
    chunk of :data:`GD_CHUNK` steps whose final float loss ``1/2 ||u - y||^2`` is at most
    ``loss_target``; returns (W, info)."""
    import torch

    from numerics.empirical.training import train_two_layer_ensemble
    from numerics.empirical.two_layer import TwoLayerEnsemble

    from numerics.networks.float_forward import unit_rows

    Xf = unit_rows(X)     # scaled first: a row scaled by 2^-1000 has no underflowing norm
    eta = auto_step(Xf, W0, a) if step_size == "auto" else float(step_size)
    W0t = torch.tensor(W0, dtype=torch.float64).unsqueeze(0)
    ens = TwoLayerEnsemble(W=W0t.clone(), a=torch.tensor(a, dtype=torch.float64).unsqueeze(0), W0=W0t,
                           seeds=(0,), width=W0.shape[0])
    Xt, yt = torch.tensor(Xf), torch.tensor(y, dtype=torch.float64)
    t0 = time.perf_counter()
    done, loss = 0, float(0.5 * np.sum((a @ np.maximum(W0 @ Xf.T, 0) / np.sqrt(W0.shape[0]) - y) ** 2))
    chunk = int(steps) if loss_target is None else GD_CHUNK
    while done < int(steps) and (loss_target is None or loss > loss_target):
        k = min(chunk, int(steps) - done)
        trace = train_two_layer_ensemble(ens, Xt, yt, step_size=eta, steps=k, lambda0=max(lambda0, 0.0),
                                         observe=(), schedule=[0, k])
        done += k
        loss = 0.5 * float(trace.loss[0, -1])
    seconds = time.perf_counter() - t0
    reached = loss_target is not None and loss <= loss_target
    info = {"method": "full-batch GD (numerics.empirical.training)", "steps": done, "max_steps": int(steps),
            "loss_target": None if loss_target is None else repr(float(loss_target)),
            "stopped": "loss_target" if reached else "steps",
            "step_size": repr(eta), "step_size_rule": "1/lambda_max(H(0)) (float)" if step_size == "auto" else "config",
            "final_loss_float": repr(loss), "seconds": round(seconds, 3)}
    return ens.W[0].numpy().copy(), info


def search_from(dataset, net: TwoLayerPoint, start: str, name: str, options, progress=None):
    """The Gauss-Newton search from ``net``; returns (TwoLayerPoint of the proposal, record)."""
    from numerics.instance.two_layer_gauss_newton import two_layer_gauss_newton_search

    s = two_layer_gauss_newton_search(dataset.X, dataset.y, net.W, net.a, max_iterations=options.max_iterations,
                                      device=options.device, solver=options.solver,
                                      cholesky_max_n=options.cholesky_max_n, progress=progress)
    record = {"start": start, **s.as_dict()}
    return TwoLayerPoint(s.W, net.a, net.W0, name), record, s.converged


def points_from_initialization(dataset, config, m: int, seed: int, lambda0: float,
                               echo: Callable[[str], None] = lambda text: None,
                               progress=None) -> list[InstancePoint]:
    """The points of the module docstring for width ``m`` and seed ``seed``."""
    init = initialization(seed, m, dataset.d)
    inst, train = config.instance, config.train
    if inst.search == "none":
        points = [prove(dataset, init)]
        if train.steps > 0:
            W, info = train_gd(dataset.X, dataset.y, init.W0, init.a, train.steps, train.step_size, lambda0,
                               train.loss_target)
            points.append(prove(dataset, TwoLayerPoint(W, init.a, init.W0, "trained"), training=info))
        return points
    points: list[InstancePoint] = []
    earlier: list[dict] = []
    if inst.start == "trained" and train.steps > 0:
        W, info = train_gd(dataset.X, dataset.y, init.W0, init.a, train.steps, train.step_size, lambda0,
                           train.loss_target)
        trained = TwoLayerPoint(W, init.a, init.W0, "trained")
        net, rec, converged = search_from(dataset, trained, "trained", "search-from-trained", inst, progress)
        echo(f"  width {m}, seed {seed}: GD {info['steps']} steps (loss {float(info['final_loss_float']):.2e}), "
             f"search {rec['iterations']} iterations, residual {float(rec['residual_norm_float']):.2e}")
        if converged:
            points.append(prove(dataset, net, training=info, search=rec))
            if points[-1].certified:
                return points
        else:
            earlier.append({"training": info, "search": rec})
    net, rec, _ = search_from(dataset, init, "initialization", "search-from-initialization", inst, progress)
    if earlier:
        rec["after_failed_search"] = earlier
    echo(f"  width {m}, seed {seed}: search from the initialization, {rec['iterations']} iterations, "
         f"residual {float(rec['residual_norm_float']):.2e}")
    points.append(prove(dataset, net, search=rec))
    return points


def points_from_weights(dataset, given: TwoLayerPoint, config, refine: bool,
                        echo: Callable[[str], None] = lambda text: None) -> list[InstancePoint]:
    """The given point and, when it is not certified, the search from it."""
    points = [prove(dataset, given)]
    if points[0].certified or not refine or config.instance.search == "none":
        return points
    net, rec, _ = search_from(dataset, given, "given", "refined-from-given", config.instance)
    echo(f"  given weights not certified; search from them, residual {float(rec['residual_norm_float']):.2e}")
    points.append(prove(dataset, net, search=rec))
    return points
