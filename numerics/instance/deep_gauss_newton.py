"""Damped Gauss-Newton search for an interpolating deep network near a given one (FLOAT).

The deep generalization of the two-layer search: at theta, with residual ``e = y - u(theta)``
and the empirical NTK Gram ``K = J J^T`` (J the n x P Jacobian of the outputs), one step solves
``(K + mu I) alpha = e`` (Cholesky) and moves along the least-norm direction
``Delta theta = J^T alpha`` (one vector-Jacobian product). K is built from the layer structure
in blocks (:meth:`numerics.networks.torch_network.TorchNetwork.ntk_gram`, O(n^2 m H), J never
formed). The damping and the stops are those of the loop shared with the two-layer search,
:func:`numerics.instance.levenberg_marquardt.levenberg_marquardt` (Levenberg-Marquardt with
Nielsen's update; no step halving here).

Inputs are the midpoints of the enclosed unit rows (:func:`numerics.kernels.two_layer.
normalize_rows`), the same floats the proof starts from. torch float64 on ``device``
("cpu", "cuda" or "auto"). Everything here only *proposes* a point;
:mod:`numerics.instance.deep_minimizer` decides.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from numerics.instance.levenberg_marquardt import SLOW_WINDOW, CholeskyGram, float_floor, levenberg_marquardt
from numerics.networks.parameters import Parameters

__all__ = ["DeepSearchResult", "deep_gauss_newton_search", "float_floor", "float_inputs", "gradient_descent"]



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


@dataclass(frozen=True, eq=False)
class _DeepModel:
    """The :class:`~numerics.instance.levenberg_marquardt.GaussNewtonModel` of a torch network."""

    net: object
    y: object

    def residual(self, theta):
        import torch

        with torch.no_grad():
            return self.y - self.net.outputs(theta)

    def gram(self, theta) -> CholeskyGram:
        import torch

        K = self.net.ntk_gram(theta)
        return CholeskyGram(K, float(torch.diagonal(K).mean()))

    def step(self, theta, alpha):
        return self.net.vjp(alpha, theta)

    def admissible(self, theta, trial) -> bool:
        return True


def _lm_loop(net, y, max_iterations: int, tol: float, floor: float, progress, slow_window: int):
    out = levenberg_marquardt(_DeepModel(net, y), net.theta.clone(), max_iterations=max_iterations, tol=tol,
                              floor=floor, progress=progress, slow_window=slow_window)
    return (out.theta, out.start_residual, out.residual, out.iterations, out.trials, out.stop_reason,
            list(out.history))


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
