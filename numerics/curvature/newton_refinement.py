"""Newton refinement of a critical point with a high-precision gradient (FLOAT search, rigorous
bookkeeping).

A point found by float training or a float Newton search has a gradient of 1e-5 to 1e-12; a
strict-local-minimum certificate needs ``||grad L|| < gamma rho`` with ``rho`` small enough that
the Hessian stays above ``gamma`` on the ball, i.e. roughly ``||grad L|| < lambda_min^2 / M3``
(``docs/critical_points_networks.md``, "Refining the point"). The steps here are iterative
refinement: the residual (the gradient) is computed in Arb
(:func:`numerics.curvature.loss_gradient.gradient_balls`), the correction ``H^{-1} g`` in float64
with one factorization of the float Hessian. The point is kept as the exact sum
``center = theta_hi + theta_lo`` of two float vectors (renormalized by an error-free two-sum
after each step), so it is not limited to the float64 grid: at a float64 point the gradient
cannot fall below about ``lambda_max * ulp(theta)``, which for ill-conditioned minima is far above
``lambda_min^2 / M3``. Each step shrinks the gradient by about ``cond(H) * 2^-53`` until
the Arb precision or the two-float representation is the limit.

What is proved: every recorded gradient norm is a rigorous upper bound at the center it belongs
to (``theta_hi + theta_lo`` exactly, whatever the two-sum did), and ``moved`` and
``correction_norm`` are rigorous upper bounds of ``||center - theta||`` and ``||theta_lo||``. The
center itself is a search result, to be certified by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.linalg

from numerics.arith import upper_bounds as ub
from numerics.arith.error_free import two_sum
from numerics.arith.interval import as_interval
from numerics.curvature.loss_gradient import LossGradientEnclosure, gradient_balls, norm_upper
from numerics.networks.parameters import Parameters


@dataclass(frozen=True, eq=False)
class RefinedPoint:
    """The center ``params + correction`` (exact sum; ``params`` the float64 point nearest to it,
    ``correction`` a float vector in theta order); ``enclosure``: its loss and gradient (rigorous);
    ``grad_norm_upper >= ||grad L(center)||``; ``moved >= ||center - theta||``;
    ``correction_norm >= ||correction||``; ``history``: the gradient bound before each step and
    after the last (rigorous)."""

    params: Parameters
    correction: np.ndarray
    enclosure: LossGradientEnclosure
    grad_norm_upper: float
    moved: float
    correction_norm: float
    history: tuple[float, ...]


def _solver(hessian: np.ndarray):
    """FLOAT: a solver for ``H s = g`` (Cholesky when H is numerically positive definite)."""
    try:
        factor = scipy.linalg.cho_factor(hessian, check_finite=True)
        return lambda g: scipy.linalg.cho_solve(factor, g)
    except np.linalg.LinAlgError:
        lu = scipy.linalg.lu_factor(hessian, check_finite=True)
        return lambda g: scipy.linalg.lu_solve(lu, g)


def offset_norm_upper(hi: np.ndarray, lo: np.ndarray, theta: np.ndarray) -> float:
    """A rigorous upper bound of ``||hi + lo - theta||_2`` for float vectors."""
    diff = (as_interval(np.asarray(hi, dtype=np.float64)) - theta) + lo
    return float(ub.norm(diff.mag()))


def _step(hi: np.ndarray, lo: np.ndarray, step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The next center ``hi + (lo - step)``, renormalized by a two-sum (exact: the pair is
    re-read as whatever exact sum it holds, so exactness is not needed for soundness)."""
    return two_sum(hi, lo - step)


def center_at(params: Parameters, correction, theta, X, y, *, normalize: bool = False, bits: int = 160,
              history: tuple[float, ...] = ()) -> RefinedPoint:
    """The record of the center ``params + correction`` (rigorous loss, gradient, offsets from the
    float vector ``theta``); how `certify check` rebuilds a recorded center."""
    lo = np.asarray(correction, dtype=np.float64)
    if lo.shape != (params.architecture.parameter_count,) or not np.isfinite(lo).all():
        raise ValueError(f"the center's correction must be a finite vector of length P = "
                         f"{params.architecture.parameter_count} (got shape {lo.shape})")
    enc = gradient_balls(params, X, y, correction=lo if lo.any() else None, bits=bits, normalize=normalize)
    bound = norm_upper(enc.gradient)
    return RefinedPoint(params, lo, enc, bound, offset_norm_upper(params.flatten(), lo, theta),
                        float(ub.norm(np.abs(lo))), history + (bound,))


def refine_critical_point(params: Parameters, X, y, hessian: np.ndarray, *, normalize: bool = False,
                          hessian_at: Callable[[Parameters], np.ndarray] | None = None, refreshes: int = 3,
                          max_steps: int = 16, bits: int = 160) -> RefinedPoint:
    """Newton steps ``center <- center - H^{-1} g`` with ``g`` the Arb gradient (module docstring);
    a step is kept only when the rigorous gradient bound drops. ``hessian``: a FLOAT Hessian near
    theta (P x P). When a step shrinks the bound by less than a factor 4 (or fails), the Hessian is
    recomputed at the current center's float part by ``hessian_at`` (at most ``refreshes`` times:
    Newton's quadratic convergence for a start that is not yet close); without a refresh left the
    loop stops."""
    solve = _solver(np.asarray(hessian, dtype=np.float64))
    theta = params.flatten()
    hi, lo = theta, np.zeros_like(theta)
    enc = gradient_balls(params, X, y, bits=bits, normalize=normalize)
    bound = norm_upper(enc.gradient)
    history, fresh = [bound], True
    for _ in range(max_steps):
        trial = _newton_trial(params, X, y, hi, lo, solve(enc.gradient.mid()), bits, normalize)
        improved = trial is not None and trial[3] < bound
        if improved:
            hi, lo, enc, bound = trial
            history.append(bound)
            fresh = False
        if improved and bound < history[-2] / 4:
            continue
        if hessian_at is None or refreshes == 0 or (fresh and not improved):
            break
        solve, refreshes, fresh = _solver(hessian_at(params.unflatten(hi))), refreshes - 1, True
    return RefinedPoint(params.unflatten(hi), lo, enc, bound, offset_norm_upper(hi, lo, theta),
                        float(ub.norm(np.abs(lo))), tuple(history))


def _newton_trial(params, X, y, hi, lo, step, bits, normalize):
    """``(hi, lo, enclosure, bound)`` of the center after the step, or None when it is not finite."""
    if not np.isfinite(step).all():
        return None
    t_hi, t_lo = _step(hi, lo, step)
    if not (np.isfinite(t_hi).all() and np.isfinite(t_lo).all()):
        return None
    enc = gradient_balls(params.unflatten(t_hi), X, y, correction=t_lo, bits=bits, normalize=normalize)
    return t_hi, t_lo, enc, norm_upper(enc.gradient)
