"""Distance from the initialization against width, with and without weight decay (slide 28).

Slide 28: the trained weights stay within ``O(1/sqrt(m))`` of the initialization per neuron, "no longer
true if the weights are regularized". Model and loss of Du, Zhai, Poczos, Singh (arXiv:1810.02054v2,
eqs. 1-2; ``numerics.empirical.two_layer``): ``f = m^{-1/2} sum_r a_r relu(w_r . x)``, ``a_r = +-1``
fixed, ``L(W) = 1/2 sum_i (f(x_i) - y_i)^2``. Gradient descent on ``L(W) + (wd/2) |W|_F^2``
(``wd = 0`` is the theorem's setting):

    W(t+1) = W(t) - eta (grad L(W(t)) + wd W(t)).

Observables after ``steps`` steps, per network: the mean and the max over neurons of
``|w_r(T) - w_r(0)|`` and the relative distance ``|W(T) - W(0)|_F / |W(0)|_F``. The exponent ``p`` of
``distance ~ C m^p`` is fitted by least squares on the logs of every (width, seed) pair, with a
percentile-bootstrap interval (``statistics.loglog_slope``). Without decay the per-neuron distance
shrinks like ``m^{-1/2}`` (DZPS Cor. 4.1); with decay the weights are pulled towards 0, a distance of
order ``|w_r(0)| (1 - (1 - eta wd)^T)``, whatever the width (docs/weight_decay_movement.md). Float
evidence, never a verdict.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import torch

from numerics.empirical.deep import sphere_data
from numerics.empirical.device import device_name, resolve_device, resolve_dtype
from numerics.empirical.observables import h_inf_closed_form_float, neuron_movement
from numerics.empirical.statistics import loglog_slope
from numerics.empirical.two_layer import TwoLayerEnsemble, loss_gradient

EVIDENCE_LABEL = "float (empirical evidence, never a verdict)"


def train_with_weight_decay(ens: TwoLayerEnsemble, X: torch.Tensor, y: torch.Tensor, *, steps: int,
                            step_size: float, weight_decay: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``steps`` of ``W <- W - eta (grad L(W) + wd W)`` on every net of ``ens``; returns ``(W, loss (B,))``
    with ``loss = 1/2 |f(X) - y|^2`` (without the decay term) at the final weights."""
    W = ens.W.clone()
    for _ in range(int(steps)):
        _, grad = loss_gradient(W, ens.a, X, y)
        W = W - step_size * (grad + weight_decay * W)
    u, _ = loss_gradient(W, ens.a, X, y)
    return W, 0.5 * ((u - y) ** 2).sum(1)


def movement_observables(W: torch.Tensor, W0: torch.Tensor) -> dict[str, np.ndarray]:
    """Per net: mean and max over neurons of ``|w_r - w_r(0)|`` and ``|W - W0|_F / |W0|_F``."""
    max_mv, mean_mv = neuron_movement(W, W0)
    rel = (W - W0).flatten(1).norm(dim=1) / W0.flatten(1).norm(dim=1)
    return {"mean_neuron": mean_mv.cpu().numpy(), "max_neuron": max_mv.cpu().numpy(),
            "relative_frobenius": rel.cpu().numpy()}


def run_weight_decay_movement(*, widths: Sequence[int] = (64, 128, 256, 512, 1024, 2048), n: int = 20,
                              d: int = 5, seeds: int = 5, steps: int = 2000, weight_decay: float = 1e-2,
                              step_size: float | None = None, device: str = "auto", dtype: str = "float64",
                              data_seed: int = 0, resamples: int = 2000, confidence: float = 0.95) -> dict:
    """Distances against width for ``wd = 0`` and ``wd = weight_decay``, with fitted exponents (JSON-safe).

    Data: ``n`` points uniform on the sphere in ``R^d`` with random signs (``deep.sphere_data``). Step:
    ``eta = 1 / lambda_max(H_inf)`` unless given (a float choice, recorded), the same for every width.
    """
    widths = [int(w) for w in widths]
    if len(widths) < 2 or any(w < 1 for w in widths):
        raise ValueError(f"widths: got {widths!r}; allowed: at least two positive integers")
    for name, v in (("n", n), ("d", d), ("seeds", seeds), ("steps", steps)):
        if isinstance(v, bool) or int(v) != v or v < 1:
            raise ValueError(f"{name}: got {v!r}; allowed: a positive integer")
    if not (weight_decay > 0 and math.isfinite(weight_decay)):
        raise ValueError(f"weight_decay: got {weight_decay!r}; allowed: a positive finite number")
    if step_size is not None and not (step_size > 0 and math.isfinite(step_size)):
        raise ValueError(f"step_size: got {step_size!r}; allowed: a positive finite number")
    dev, note = resolve_device(device)
    dt = resolve_dtype(dtype)
    Xn, yn = sphere_data(int(n), int(d), int(data_seed))
    eta = float(step_size) if step_size is not None else 1.0 / float(np.linalg.eigvalsh(h_inf_closed_form_float(Xn))[-1])
    X, y = torch.as_tensor(Xn, device=dev, dtype=dt), torch.as_tensor(yn, device=dev, dtype=dt)
    runs = {"none": [], "decay": []}
    for m in widths:
        ens = TwoLayerEnsemble.initialise(range(int(seeds)), m, int(d), device=dev, dtype=dt)
        for label, wd in (("none", 0.0), ("decay", float(weight_decay))):
            t0 = time.perf_counter()
            W, loss = train_with_weight_decay(ens, X, y, steps=int(steps), step_size=eta, weight_decay=wd)
            obs = movement_observables(W, ens.W0)
            runs[label].append({"width": m, "seconds": time.perf_counter() - t0,
                                "final_loss": [float(v) for v in loss.cpu().numpy()],
                                **{k: [float(v) for v in arr] for k, arr in obs.items()}})
    fits = {label: {key: loglog_slope([r["width"] for r in rows for _ in r[key]],
                                      [v for r in rows for v in r[key]], confidence=confidence,
                                      resamples=resamples, seed=data_seed).to_dict()
                    for key in ("mean_neuron", "max_neuron", "relative_frobenius")}
            for label, rows in runs.items()}
    return {
        "experiment": "weight-decay-movement", "evidence": EVIDENCE_LABEL,
        "model": ("f = m^-1/2 sum_r a_r relu(w_r . x), a_r = +-1 fixed, L = 1/2 sum_i (f(x_i) - y_i)^2 "
                  "(Du, Zhai, Poczos, Singh, arXiv:1810.02054v2, eqs. 1-2)"),
        "update": "W <- W - eta (grad L(W) + wd W)",
        "config": {"widths": widths, "n": int(n), "d": int(d), "seeds": int(seeds), "steps": int(steps),
                   "weight_decay": float(weight_decay), "step_size": eta,
                   "step_size_rule": "given" if step_size is not None else "1 / lambda_max(H_inf) (float)",
                   "eta_wd_steps": eta * float(weight_decay) * int(steps), "data": "sphere, random signs",
                   "data_seed": int(data_seed), "confidence": float(confidence), "resamples": int(resamples)},
        "fit": "exponent p of distance ~ C m^p: least squares on logs of all (width, seed) pairs, bootstrap CI",
        "runs": runs, "slopes": fits, "device": device_name(dev), "device_note": note, "dtype": dtype,
    }
