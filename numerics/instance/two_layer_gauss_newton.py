"""Damped Gauss-Newton search for an interpolating two-layer ReLU net near a given one (FLOAT).

The model is the one the proof certifies (:mod:`numerics.instance.lazy_minimizer`; Du, Zhai,
Poczos, Singh, arXiv:1810.02054v2 eq. 1-2): ``u_i(W) = m^{-1/2} sum_r a_r relu(w_r . x_i)``, the
output signs ``a_r`` in {-1, +1} fixed, only W moves. With the activation pattern
``P_ri = 1{w_r . x_i > 0}`` the Jacobian row of ``u_i`` in ``w_r`` is ``m^{-1/2} a_r P_ri x_i``, so

    K = J J^T = (P^T P) o (X X^T) / m,        J^T alpha = m^{-1/2} a o ((P o alpha^T) X)

(``o`` the entrywise product; ``a o`` scales row r by ``a_r``). One step solves
``(K + mu I) alpha = y - u`` and moves ``W += J^T alpha``, the least-norm step of the linearized
system, then recomputes P. Damping, step halving and stops: the loop shared with the deep search,
:func:`numerics.instance.levenberg_marquardt.levenberg_marquardt`; a trial step is also refused
when more than ``max_flip_fraction`` of the activation signs flip (the linearization then says
little about the new point). Method and choices: docs/gauss_newton_search.md.

Solvers. ``"cholesky"`` forms K (the co-activation counts ``P^T P`` in one product, exact
integers in float32 below 2^24 neurons) and factors ``K + mu I``: O(m n^2 + n^3) time, O(n^2)
memory. ``"cg"`` never forms K: ``K v = J (J^T v)`` costs two products with the m x n pattern
(O(m n d)), and conjugate gradients with the diagonal preconditioner
``diag K = (#{r : P_ri}) / m`` (unit rows) solve the damped system to the relative tolerance
``cg_tol``; memory O(m n). ``"auto"`` picks Cholesky up to ``cholesky_max_n`` inputs, CG above.

Inputs are the midpoints of the enclosed unit rows (:func:`numerics.instance.deep_gauss_newton.
float_inputs`), the same floats the proof starts from. torch float64 on ``device`` ("cpu", "cuda"
or "auto"). Nothing here is a proof.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from numerics.instance.deep_gauss_newton import float_inputs
from numerics.instance.levenberg_marquardt import SLOW_WINDOW, CholeskyGram, float_floor, levenberg_marquardt

SOLVERS = ("auto", "cholesky", "cg")
CHOLESKY_MAX_N = 4096       # "auto": Cholesky up to this many inputs, conjugate gradients above
MAX_HALVINGS = 4            # halved steps tried before the damping grows
MAX_FLIP_FRACTION = 0.2     # a trial flipping more activation signs than this is refused
CG_TOL = 1e-4               # relative residual of the damped system at which CG stops
CG_MAX_ITERATIONS = 2000


@dataclass(frozen=True, eq=False)
class TwoLayerSearchResult:
    """Outcome of :func:`two_layer_gauss_newton_search` (float evidence only, never a proof)."""

    W: np.ndarray                    # the proposed first layer (m, d)
    residual_norm: float             # ||y - u|| in float at W
    start_residual_norm: float
    iterations: int                  # accepted steps
    trials: int                      # solves
    halvings: int                    # halved steps tried
    converged: bool                  # residual at the float floor (or below tol)
    stop_reason: str
    history: tuple[float, ...]
    solver: str
    device: str
    seconds: float

    def as_dict(self) -> dict:
        return {"method": "Levenberg-Marquardt damped Gauss-Newton with activation-pattern updates "
                          "(float, numerics.instance.two_layer_gauss_newton)",
                "residual_norm_float": repr(self.residual_norm),
                "start_residual_norm_float": repr(self.start_residual_norm),
                "iterations": self.iterations, "trials": self.trials, "halvings": self.halvings,
                "converged": self.converged, "stop_reason": self.stop_reason, "solver": self.solver,
                "device": self.device, "seconds": round(self.seconds, 3),
                "history": [float(f"{h:.3e}") for h in self.history]}


# ------------------------------------------------------------------------ the Gram, two ways
@dataclass(frozen=True, eq=False)
class _MatrixFreeGram:
    """``K v = J (J^T v)`` from the pattern; damped solves by Jacobi-preconditioned CG."""

    model: "TwoLayerModel"
    P: Any               # (m, n) pattern as float64 0/1
    diag: Any            # diag K
    scale: float
    tol: float
    max_iterations: int

    def apply(self, v):
        return self.model.jvp_pattern(self.P, self.model.vjp_pattern(self.P, v))

    def solve(self, e, mu):
        return conjugate_gradients(lambda v: self.apply(v) + mu * v, e, 1.0 / (self.diag + mu),
                                   self.tol, self.max_iterations)


def conjugate_gradients(matvec: Callable, b, inv_diag, tol: float, max_iterations: int):
    """Preconditioned CG for the symmetric positive definite system ``A x = b`` (A given by
    ``matvec``, preconditioner ``diag(inv_diag)``), from x = 0 until ``||b - A x|| <= tol ||b||``;
    None when it does not get there in ``max_iterations`` steps or meets a non-positive curvature."""
    import torch

    x = torch.zeros_like(b)
    r = b.clone()
    bnorm = float(torch.linalg.norm(b))
    if bnorm == 0.0:
        return x
    z = inv_diag * r
    p = z.clone()
    rz = float(r @ z)
    for _ in range(int(max_iterations)):
        Ap = matvec(p)
        curv = float(p @ Ap)
        if not curv > 0:
            return None
        step = rz / curv
        x = x + step * p
        r = r - step * Ap
        if float(torch.linalg.norm(r)) <= tol * bnorm:
            return x
        z = inv_diag * r
        rz_new = float(r @ z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    return None


# ------------------------------------------------------------------------ the model
@dataclass(frozen=True, eq=False)
class TwoLayerModel:
    """The two-layer net of the module docstring on a torch device; theta is W (m, d)."""

    X: Any               # (n, d) unit rows
    y: Any               # (n,)
    a: Any               # (m,) in {-1, +1}
    G: Any               # X X^T (only for the Cholesky solver)
    solver: str          # "cholesky" | "cg"
    max_flip_fraction: float
    cg_tol: float = CG_TOL
    cg_max_iterations: int = CG_MAX_ITERATIONS
    memo: dict = field(default_factory=dict)     # patterns and counts of recent points (no state)

    @property
    def m(self) -> int:
        return int(self.a.shape[0])

    def pattern(self, W):
        """``P = 1{W X^T > 0}``, remembered for the last two points (a trial and the current one)."""
        for key, P in self.memo.get("patterns", ()):
            if key is W:
                return P
        Z = W @ self.X.T
        P = Z > 0
        self.memo["patterns"] = ((W, P),) + self.memo.get("patterns", ())[:1]
        self.memo["Z"] = (W, Z)
        return P

    def outputs(self, W):
        import torch

        last = self.memo.get("Z")
        if last is None or last[0] is not W:
            self.pattern(W)
        Z = self.memo["Z"][1]
        return (self.a @ torch.clamp(Z, min=0.0)) / math.sqrt(self.m)

    def residual(self, W):
        return self.y - self.outputs(W)

    def vjp_pattern(self, P, alpha):
        """``J^T alpha = m^{-1/2} a o ((P o alpha^T) X) = m^{-1/2} a o (P (alpha o X))``
        (``P`` as float64 0/1)."""
        return (self.a[:, None] / math.sqrt(self.m)) * (P @ (alpha[:, None] * self.X))

    def jvp_pattern(self, P, V):
        """``(J V)_i = m^{-1/2} sum_r a_r P_ri v_r . x_i``."""
        return (self.a @ (P * (V @ self.X.T))) / math.sqrt(self.m)

    def float_pattern(self, W):
        """The pattern of W as float64 0/1 (remembered for the last point)."""
        last = self.memo.get("float_pattern")
        if last is None or last[0] is not W:
            last = (W, self.pattern(W).to(W.dtype))
            self.memo["float_pattern"] = last
        return last[1]

    def step(self, W, alpha):
        return self.vjp_pattern(self.float_pattern(W), alpha)

    def gram(self, W):
        import torch

        P = self.pattern(W)
        m = self.m
        if self.solver == "cholesky":
            K = self.counts(P) * self.G / m
            return CholeskyGram(K, float(torch.diagonal(K).mean()))
        Pf = self.float_pattern(W)
        diag = Pf.sum(dim=0) / m                          # ||x_i|| = 1
        return _MatrixFreeGram(self, Pf, diag, float(diag.mean()), self.cg_tol, self.cg_max_iterations)

    def counts(self, P):
        """``P^T P`` (float64 holding integers): updated through the rows that changed since the
        last call when they are few, formed anew otherwise."""
        import torch

        last = self.memo.get("counts")
        if last is not None:
            P0, C0 = last
            changed = torch.nonzero((P0 != P).any(dim=1)).flatten()
            if 3 * len(changed) < self.m:
                C = C0 - _gram_of_rows(P0[changed]) + _gram_of_rows(P[changed])
                self.memo["counts"] = (P, C)
                return C
        C = _gram_of_rows(P)
        self.memo["counts"] = (P, C)
        return C

    def admissible(self, W, trial) -> bool:
        if self.max_flip_fraction >= 1.0:
            return True
        import torch

        P = self.pattern(W)
        flipped = int(torch.count_nonzero(P != self.pattern(trial)))
        return flipped <= self.max_flip_fraction * P.numel()


def _gram_of_rows(P):
    """``P^T P`` for a boolean (k, n) pattern as float64: float32 products of at most 2^24 rows
    (integers below 2^24, exact), summed in float64; numpy's symmetric product on the CPU."""
    import torch

    n = P.shape[1]
    C = torch.zeros((n, n), dtype=torch.float64, device=P.device)
    for s in range(0, P.shape[0], 1 << 24):
        block = P[s:s + (1 << 24)]
        if block.device.type == "cpu":
            B = block.numpy().astype(np.float32)
            C += torch.from_numpy((B.T @ B).astype(np.float64))
        else:
            B = block.to(torch.float32)
            C += (B.T @ B).to(torch.float64)
    return C


def choose_solver(solver: str, n: int, cholesky_max_n: int = CHOLESKY_MAX_N) -> str:
    """``"cholesky"`` or ``"cg"`` for ``solver`` in :data:`SOLVERS` and n inputs."""
    if solver not in SOLVERS:
        raise ValueError(f"solver: got {solver!r}; allowed: {', '.join(SOLVERS)}")
    if solver == "auto":
        return "cholesky" if n <= cholesky_max_n else "cg"
    return solver


def two_layer_gauss_newton_search(X, y, W, a, *, max_iterations: int = 50, tol: float | None = None,
                                  device: str = "cpu", solver: str = "auto",
                                  cholesky_max_n: int = CHOLESKY_MAX_N, max_halvings: int = MAX_HALVINGS,
                                  max_flip_fraction: float = MAX_FLIP_FRACTION,
                                  progress: Callable[[int, float], None] | None = None,
                                  inputs: np.ndarray | None = None, slow_window: int = SLOW_WINDOW,
                                  cg_tol: float = CG_TOL) -> TwoLayerSearchResult:
    """Search from ``W`` (m, d) for a first layer with ``u = y`` up to the float floor
    (:func:`~numerics.instance.levenberg_marquardt.float_floor`, the default ``tol``).

    ``X`` (n, d) stored inputs (normalized as the proof normalizes them); ``y`` (n,); ``a`` (m,)
    the fixed output signs; ``inputs`` precomputed :func:`float_inputs`. ``progress(iteration,
    residual)`` is called after every accepted step. ValueError names a bad argument.
    """
    import torch

    from numerics.networks.torch_network import resolve_torch_device

    Xf = float_inputs(X) if inputs is None else np.asarray(inputs, dtype=np.float64)
    n, d = Xf.shape
    y = np.asarray(y, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    _check_arguments(y, W, a, n, d, max_iterations, max_halvings, max_flip_fraction)
    kind = choose_solver(solver, n, cholesky_max_n)
    dev = resolve_torch_device(device)
    t0 = time.perf_counter()
    Xt = torch.as_tensor(Xf, dtype=torch.float64, device=dev)
    model = TwoLayerModel(Xt, torch.as_tensor(y, dtype=torch.float64, device=dev),
                          torch.as_tensor(a, dtype=torch.float64, device=dev),
                          Xt @ Xt.T if kind == "cholesky" else None, kind, float(max_flip_fraction), float(cg_tol))
    floor = float_floor(n, float(np.abs(y).max(initial=0.0)))
    tol = floor if tol is None else max(float(tol), 0.0)
    out = levenberg_marquardt(model, torch.as_tensor(W, dtype=torch.float64, device=dev),
                              max_iterations=max_iterations, tol=tol, floor=floor, progress=progress,
                              slow_window=int(slow_window), max_halvings=int(max_halvings))
    converged = out.residual <= max(tol, floor)
    return TwoLayerSearchResult(out.theta.detach().cpu().numpy().copy(), out.residual, out.start_residual,
                                out.iterations, out.trials, out.halvings, converged, out.stop_reason,
                                out.history, kind, str(dev), time.perf_counter() - t0)


def _check_arguments(y, W, a, n: int, d: int, max_iterations, max_halvings, max_flip_fraction) -> None:
    if y.shape != (n,) or not np.isfinite(y).all():
        raise ValueError(f"y: got shape {y.shape}; allowed: ({n},) finite labels")
    if W.ndim != 2 or W.shape[1] != d or W.shape[0] < 1 or not np.isfinite(W).all():
        raise ValueError(f"W: got shape {W.shape}; allowed: (m, {d}) finite weights, m >= 1")
    if a.shape != (W.shape[0],) or not np.isin(a, (-1.0, 1.0)).all():
        raise ValueError(f"a: got shape {a.shape}; allowed: ({W.shape[0]},) entries in {{-1, +1}}")
    if not (isinstance(max_iterations, int) and max_iterations >= 0):
        raise ValueError(f"max_iterations: got {max_iterations!r}; allowed: an integer >= 0")
    if not (isinstance(max_halvings, int) and max_halvings >= 0):
        raise ValueError(f"max_halvings: got {max_halvings!r}; allowed: an integer >= 0")
    if not (0.0 < float(max_flip_fraction) <= 1.0):
        raise ValueError(f"max_flip_fraction: got {max_flip_fraction!r}; allowed: 0 < value <= 1")
