"""Damped Gauss-Newton search for an interpolating deep network near a given one (FLOAT).

The deep generalization of the two-layer search: at theta, with residual ``e = y - u(theta)``
and the empirical NTK Gram ``K = J J^T`` (J the n x P Jacobian of the outputs), one step solves
``(K + mu I) alpha = e`` (Cholesky) and moves along the least-norm direction
``Delta theta = J^T alpha`` (one vector-Jacobian product). K is built from the layer structure
in blocks (:meth:`numerics.networks.torch_network.TorchNetwork.ntk_gram`, O(n^2 m H), J never
formed). The damping ``mu`` follows Levenberg-Marquardt with Nielsen's update (H. B. Nielsen,
IMM-REP-1999-05): a trial step that does not decrease ``||e||`` is rejected and ``mu`` grows; an
accepted step shrinks ``mu`` by the gain ratio. The search stops when the residual reaches
``tol``, when a step is rejected once the residual is below the float floor estimate
:func:`float_floor`, when ``mu`` has grown past any useful step (a stall), when the residual
has not halved over the last ``slow_window`` accepted steps while above ``1e-8`` (slow
progress: a near-stationary point of the pattern), or after ``max_iterations`` accepted steps.

Inputs are the midpoints of the enclosed unit rows (:func:`numerics.kernels.two_layer.
normalize_rows`), the same floats the proof starts from. torch float64 on ``device``
("cpu", "cuda" or "auto"). Everything here only *proposes* a point;
:mod:`numerics.instance.deep_minimizer` decides.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from numerics.networks.parameters import Parameters

MU_START = 1e-3          # initial damping relative to mean diag K
MU_STALL = 1e12          # relative damping at which the search has stalled
SLOW_WINDOW = 25         # accepted steps over which the residual must at least halve (default)


@dataclass(frozen=True, eq=False)
class DeepSearchResult:
    """Outcome of :func:`deep_gauss_newton_search` (float evidence only, never a proof)."""

    params: Parameters               # the proposed point
    residual_norm: float             # ||y - u|| in float at the proposed point
    start_residual_norm: float
    iterations: int                  # accepted steps
    trials: int                      # solves (accepted or rejected)
    converged: bool                  # residual at the float floor (or below tol)
    stop_reason: str
    history: tuple[float, ...]
    device: str
    seconds: float

    def as_dict(self) -> dict:
        return {"method": "Levenberg-Marquardt damped Gauss-Newton through the empirical NTK "
                          "(float, numerics.instance.deep_gauss_newton)",
                "residual_norm_float": repr(self.residual_norm),
                "start_residual_norm_float": repr(self.start_residual_norm),
                "iterations": self.iterations, "trials": self.trials, "converged": self.converged,
                "stop_reason": self.stop_reason, "solver": "cholesky", "device": self.device,
                "seconds": round(self.seconds, 3), "history": [float(f"{h:.3e}") for h in self.history]}


def float_floor(n: int, y_max: float) -> float:
    """Residual norm below which float64 cannot resolve progress (an estimate, used only to
    stop): ``1024 u sqrt(n) (1 + max|y|)``."""
    return 1024 * 2.0 ** -53 * math.sqrt(n) * (1.0 + y_max)


def float_inputs(X) -> np.ndarray:
    """The float unit rows the search and the proof use: midpoints of the enclosures of
    ``v_i / ||v_i||``."""
    from numerics.kernels.two_layer import normalize_rows

    return normalize_rows(np.asarray(X, dtype=np.float64)).mid()


def deep_gauss_newton_search(params: Parameters, X, y, *, max_iterations: int = 100, tol: float | None = None,
                             device: str = "cpu", progress: Callable[[int, float], None] | None = None,
                             inputs: np.ndarray | None = None, slow_window: int = SLOW_WINDOW) -> DeepSearchResult:
    """Search from ``params`` for a point with ``u = y`` up to the float floor (module docstring).

    ``X`` (n, d) stored inputs; ``y`` (n,); ``inputs``: precomputed :func:`float_inputs`.
    ``progress(iteration, residual_norm)`` is called after every accepted step.
    """
    import torch

    from numerics.networks.torch_network import torch_network

    y = np.asarray(y, dtype=np.float64)
    if not (isinstance(max_iterations, int) and max_iterations >= 0):
        raise ValueError(f"max_iterations: got {max_iterations!r}; allowed: an integer >= 0")
    Xf = float_inputs(X) if inputs is None else inputs
    if y.shape != (Xf.shape[0],) or not np.isfinite(y).all():
        raise ValueError(f"y: got shape {y.shape}; allowed: ({Xf.shape[0]},) finite labels")
    net = torch_network(params, Xf, device)
    yt = torch.as_tensor(y, dtype=torch.float64, device=net.device)
    floor = float_floor(len(y), float(np.abs(y).max(initial=0.0)))
    tol = 0.0 if tol is None else max(float(tol), 0.0)
    t0 = time.perf_counter()
    theta, res0, res, its, trials, reason, hist = _lm_loop(net, yt, max_iterations, tol, floor, progress,
                                                           int(slow_window))
    out = params.unflatten(theta.detach().cpu().numpy())
    converged = res <= max(tol, floor)
    return DeepSearchResult(out, res, res0, its, trials, converged, reason, tuple(hist), str(net.device),
                            time.perf_counter() - t0)


def _solve(K, e, mu):
    import torch

    n = K.shape[0]
    L, info = torch.linalg.cholesky_ex(K + mu * torch.eye(n, dtype=K.dtype, device=K.device))
    if int(info) != 0:
        return None
    return torch.cholesky_solve(e[:, None], L)[:, 0]


def _lm_loop(net, y, max_iterations: int, tol: float, floor: float, progress, slow_window: int):
    import torch

    theta = net.theta.clone()
    with torch.no_grad():
        e = y - net.outputs(theta)
    res0 = res = float(torch.linalg.norm(e))
    K = net.ntk_gram(theta)
    scale = float(torch.diagonal(K).mean())
    mu, nu = MU_START * scale, 2.0
    its = trials = 0
    hist: list[float] = []
    reason = "max_iterations"
    if not scale > 0:
        return theta, res0, res, 0, 0, "stalled: the Jacobian is zero", hist
    while its < max_iterations:
        if res <= tol:
            reason = "residual below tol"
            break
        if mu > MU_STALL * scale or not math.isfinite(mu):
            reason = "stalled: no step decreases the residual"
            break
        trials += 1
        alpha = _solve(K, e, mu)
        if alpha is None:
            mu, nu = mu * nu, nu * 2.0
            continue
        pred = float(torch.linalg.norm(e - K @ alpha))
        trial = (theta + net.vjp(alpha, theta)).detach()
        with torch.no_grad():
            e_t = y - net.outputs(trial)
        res_t = float(torch.linalg.norm(e_t))
        if not res_t < res:
            if res <= floor:
                reason = "residual at the float floor"
                break
            mu, nu = mu * nu, nu * 2.0
            continue
        gain = (res * res - res_t * res_t) / max(res * res - pred * pred, 1e-300)
        theta, e, res = trial, e_t, res_t
        its += 1
        hist.append(res)
        if progress is not None:
            progress(its, res)
        gain = min(gain, 2.0)                   # beyond 1 the update is 1/3 anyway
        mu, nu = mu * max(1.0 / 3.0, 1.0 - (2.0 * gain - 1.0) ** 3), 2.0
        if len(hist) > slow_window and res > 1e-8 and res > 0.5 * hist[-1 - slow_window]:
            reason = "slow progress: the residual did not halve in the last steps"
            break
        if its < max_iterations and res > tol:
            K = net.ntk_gram(theta)
    else:
        if res <= tol:
            reason = "residual below tol"
    return theta, res0, res, its, trials, reason, hist


def gradient_descent(params: Parameters, X, y, steps: int, step_size: float | None = None,
                     device: str = "cpu", inputs: np.ndarray | None = None) -> tuple[Parameters, dict]:
    """Full-batch gradient descent on ``1/2 ||u - y||^2`` over every trained layer (FLOAT): the
    theorems' algorithm, as a starting point for the search. ``step_size`` None: ``1 /
    lambda_max(K)`` at the start (float)."""
    import torch

    from numerics.networks.torch_network import torch_network

    Xf = float_inputs(X) if inputs is None else inputs
    net = torch_network(params, Xf, device)
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64), device=net.device)
    theta = net.theta.clone()
    eta = step_size
    if eta is None:
        eta = 1.0 / float(torch.linalg.eigvalsh(net.ntk_gram(theta))[-1])
    t0 = time.perf_counter()
    for _ in range(int(steps)):
        with torch.no_grad():
            e = net.outputs(theta) - yt
        theta = (theta - eta * net.vjp(e, theta)).detach()
    with torch.no_grad():
        loss = 0.5 * float(torch.sum((net.outputs(theta) - yt) ** 2))
    info = {"method": "full-batch GD on all trained layers (float)", "steps": int(steps),
            "step_size": repr(float(eta)), "step_size_rule": "1/lambda_max(K(0)) (float)" if step_size is None
            else "given", "final_loss_float": repr(loss), "seconds": round(time.perf_counter() - t0, 3)}
    return params.unflatten(theta.cpu().numpy()), info
