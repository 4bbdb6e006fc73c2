"""The damped Gauss-Newton (Levenberg-Marquardt) loop shared by the two-layer and the deep searches.

FLOAT: the loop only *proposes* a point; the rigorous modules (:mod:`numerics.instance.
lazy_minimizer`, :mod:`numerics.instance.deep_minimizer`) decide. The method is written out in
docs/gauss_newton_search.md.

At theta, with residual ``e = y - u(theta)`` and the Gram ``K = J J^T`` (J the n x P Jacobian of
the outputs), one trial solves ``(K + mu I) alpha = e`` and moves along the least-norm direction
``Delta theta = J^T alpha``. The damping ``mu`` follows Nielsen's update (H. B. Nielsen,
IMM-REP-1999-05): an accepted step shrinks ``mu`` by the gain ratio, a rejected one grows it.
Before a direction is rejected, its length is halved up to ``max_halvings`` times (each half
costs one forward pass, no solve); a trial is acceptable when the residual decreases and the
model's ``admissible`` test passes (for ReLU nets: not too many activation signs flipped).

Stops: ``tol`` reached; a rejection once the residual is at the float floor; ``mu`` past any
useful step (a stall); the residual not halved over the last ``slow_window`` accepted steps while
above ``1e-8`` (a near-stationary point of the pattern); ``max_iterations`` accepted steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Protocol

MU_START = 1e-3          # initial damping relative to mean diag K
MU_STALL = 1e12          # relative damping at which the search has stalled
SLOW_WINDOW = 25         # accepted steps over which the residual must at least halve (default)
SLOW_FLOOR = 1e-8        # the slow-progress stop applies only above this residual


def float_floor(n: int, y_max: float) -> float:
    """Residual norm below which float64 cannot resolve progress (an estimate, used only to
    stop): ``1024 u sqrt(n) (1 + max|y|)``."""
    return 1024 * 2.0 ** -53 * math.sqrt(n) * (1.0 + y_max)


class GaussNewtonModel(Protocol):
    """What the loop needs of a model (theta is a float64 torch vector or tensor)."""

    def residual(self, theta) -> Any:
        """``y - u(theta)``."""

    def gram(self, theta) -> Any:
        """An object with ``scale`` (mean diagonal of K, a float), ``solve(e, mu)`` -> alpha or
        None (the damped system could not be solved) and ``apply(alpha)`` -> ``K alpha``."""

    def step(self, theta, alpha) -> Any:
        """``J(theta)^T alpha`` (same shape as theta)."""

    def admissible(self, theta, trial) -> bool:
        """Whether the move ``theta -> trial`` is acceptable besides decreasing the residual."""


@dataclass(frozen=True, eq=False)
class CholeskyGram:
    """A formed Gram ``K = J J^T`` (torch) with damped solves ``(K + mu I) x = e`` by Cholesky
    (``None`` when the factorization fails) and products ``K alpha``."""

    K: Any
    scale: float

    def solve(self, e, mu):
        import torch

        n = self.K.shape[0]
        L, info = torch.linalg.cholesky_ex(self.K + mu * torch.eye(n, dtype=self.K.dtype, device=self.K.device))
        if int(info) != 0:
            return None
        return torch.cholesky_solve(e[:, None], L)[:, 0]

    def apply(self, alpha):
        return self.K @ alpha


@dataclass(frozen=True)
class LoopOutcome:
    """What :func:`levenberg_marquardt` returns (float evidence only)."""

    theta: Any
    start_residual: float
    residual: float
    iterations: int          # accepted steps
    trials: int              # solves
    halvings: int            # halved steps tried (not counting full steps)
    stop_reason: str
    history: tuple[float, ...]


@dataclass
class _State:
    theta: Any
    e: Any
    res: float
    mu: float
    nu: float = 2.0


def levenberg_marquardt(model: GaussNewtonModel, theta, *, max_iterations: int, tol: float, floor: float,
                        progress: Callable[[int, float], None] | None = None,
                        slow_window: int = SLOW_WINDOW, max_halvings: int = 0) -> LoopOutcome:
    """Run the loop of the module docstring from ``theta``."""
    import torch

    e = model.residual(theta)
    res0 = float(torch.linalg.norm(e))
    K = model.gram(theta)
    st = _State(theta, e, res0, MU_START * K.scale)
    its = trials = halvings = 0
    hist: list[float] = []
    if not K.scale > 0:
        return LoopOutcome(theta, res0, res0, 0, 0, 0, "stalled: the Jacobian is zero", ())
    reason = "max_iterations"
    while its < max_iterations:
        if st.res <= tol:
            reason = "residual below tol"
            break
        if st.mu > MU_STALL * K.scale or not math.isfinite(st.mu):
            reason = "stalled: no step decreases the residual"
            break
        trials += 1
        alpha = K.solve(st.e, st.mu)
        if alpha is None:
            st.mu, st.nu = st.mu * st.nu, st.nu * 2.0
            continue
        accepted, tried = _line_search(model, K, st, alpha, max_halvings)
        halvings += tried
        if accepted is None:
            if st.res <= floor:
                reason = "residual at the float floor"
                break
            st.mu, st.nu = st.mu * st.nu, st.nu * 2.0
            continue
        trial, e_t, res_t, gain = accepted
        st.theta, st.e, st.res = trial, e_t, res_t
        its += 1
        hist.append(res_t)
        if progress is not None:
            progress(its, res_t)
        gain = min(gain, 2.0)                   # beyond 1 the update is 1/3 anyway
        st.mu, st.nu = st.mu * max(1.0 / 3.0, 1.0 - (2.0 * gain - 1.0) ** 3), 2.0
        if len(hist) > slow_window and st.res > SLOW_FLOOR and st.res > 0.5 * hist[-1 - slow_window]:
            reason = "slow progress: the residual did not halve in the last steps"
            break
        if its < max_iterations and st.res > tol:
            K = model.gram(st.theta)
    else:
        if st.res <= tol:
            reason = "residual below tol"
    return LoopOutcome(st.theta, res0, st.res, its, trials, halvings, reason, tuple(hist))


def _line_search(model, K, st: _State, alpha, max_halvings: int):
    """The full step, then up to ``max_halvings`` halves of it: the first that decreases the
    residual and is admissible, as ``(theta, e, residual, gain)``, and the number of halves tried."""
    import torch

    direction = model.step(st.theta, alpha)
    Ka = None
    t = 1.0
    for k in range(max_halvings + 1):
        trial = (st.theta + t * direction).detach()
        e_t = model.residual(trial)
        res_t = float(torch.linalg.norm(e_t))
        if res_t < st.res and model.admissible(st.theta, trial):
            Ka = K.apply(alpha) if Ka is None else Ka
            pred = float(torch.linalg.norm(st.e - t * Ka))
            gain = (st.res * st.res - res_t * res_t) / max(st.res * st.res - pred * pred, 1e-300)
            return (trial, e_t, res_t, gain), k
        t *= 0.5
    return None, max_halvings
