"""The Hessian of the squared loss of a one-hidden-layer net, enclosed over a Euclidean ball.

Net ``u_i = alpha sum_r a_r sigma(w_r . x_i)`` (two-layer, or deep-fc / resnet of depth 1;
``docs/networks.md``), loss ``L = 1/2 sum_i (u_i - y_i)^2``. The Hessian is exactly

    hess L = J^T J + sum_i r_i hess u_i,      r = u - y,
    J[i, w_r] = alpha a_r sigma'(z_ir) x_i,   J[i, a_r] = alpha sigma(z_ir),
    hess u_i:  (w_r, w_r) block alpha a_r sigma''(z_ir) x_i x_i^T,
               (a_r, w_r) block alpha sigma'(z_ir) x_i,  every other block 0

(``docs/critical_points_networks.md``, "Hessian on a ball"). For every ``theta'`` with
``||theta' - theta|| <= rho``: ``|a'_r - a_r| <= rho`` and ``|z'_ir - z_ir| <= rho ||x_i||``
(Cauchy-Schwarz, ``||w'_r - w_r|| <= rho``). So every entry of ``hess L(theta')`` is the same
expression evaluated at numbers lying in the per-entry boxes ``a_r +- rho``,
``Z_ir +- rho ||x_i||`` and the residual enclosure they give; interval evaluation of the
expression (outward-rounded entrywise operations, :func:`matmul_enclosure` for ``J^T J`` and
``X^T diag(c) X``) therefore yields an interval matrix that contains ``hess L(theta')`` for
every ``theta'`` in the ball. It is intersected with its transpose (the true Hessian is
symmetric). For ReLU the boxes must exclude 0 (then ``sigma'`` is constant and ``sigma'' = 0``
on the ball: the loss is a polynomial there); otherwise
:class:`~numerics.curvature.activation_derivatives.KinkInside` is raised.
"""

from __future__ import annotations

import numpy as np

from numerics.arith import upper_bounds as ub
from numerics.arith.interval import Interval, as_interval, matmul_enclosure
from numerics.curvature.activation_derivatives import activation_derivatives
from numerics.networks.interval_forward import hidden_scale_enclosure
from numerics.networks.parameters import Parameters


def _row_norm_upper(X) -> np.ndarray:
    mag = X.mag() if isinstance(X, Interval) else np.abs(np.asarray(X, dtype=np.float64))
    return ub.norm(mag, axis=1)


def _widen(A: Interval, rad: np.ndarray) -> Interval:
    """``[A.lo - rad, A.hi + rad]`` rounded outward (rad >= 0)."""
    return A + Interval._raw(-rad, rad)


def _interval_x(X) -> Interval:
    return X if isinstance(X, Interval) else as_interval(np.asarray(X, dtype=np.float64))


def _place(lo: np.ndarray, hi: np.ndarray, rows, cols, block: Interval) -> None:
    lo[rows, cols] += block.lo
    hi[rows, cols] += block.hi


def one_hidden_layer_hessian(params: Parameters, X, y, radius: float) -> Interval:
    """Interval P x P matrix containing ``hess L(theta')`` for every ``||theta' - theta|| <= radius``
    (module docstring). ValueError for a net with more than one hidden layer."""
    arch = params.architecture
    if arch.depth != 1:
        raise ValueError(f"depth={arch.depth}; allowed: 1 (one hidden layer)")
    rho = float(radius)
    if not (np.isfinite(rho) and rho >= 0):
        raise ValueError(f"radius={radius!r}; allowed: a finite number >= 0")
    W, a, name = params[arch.hidden_names[0]], params["a"], arch.hidden_names[0]
    n, d, m = X.shape[0], arch.input_dim, arch.width
    Xi = _interval_x(X)
    Z = _widen(matmul_enclosure(X, W.T), ub.mul(rho, _row_norm_upper(X))[:, None] * np.ones((1, m)))
    A = Interval.from_mid_rad(a, np.full(m, rho)) if arch.train_output else as_interval(a)
    S, S1, S2 = activation_derivatives(arch.activation, Z)
    alpha = hidden_scale_enclosure(arch)
    R = alpha * matmul_enclosure(S, A) - np.asarray(y, dtype=np.float64)
    G = (alpha * A)[None, :] * S1                                    # du_i/dz_ir
    JW = (G[:, :, None] * Xi[:, None, :]).reshape(n, m * d)
    J = JW
    if arch.train_output:
        Ja = alpha * S
        J = Interval._raw(np.concatenate([JW.lo, Ja.lo], axis=1), np.concatenate([JW.hi, Ja.hi], axis=1))
    H = matmul_enclosure(J.T, J)
    lo, hi = np.array(H.lo), np.array(H.hi)
    C = R[:, None] * S2                                              # r_i sigma''(z_ir)
    T = (C[:, :, None] * Xi[:, None, :]).reshape(n, m * d)
    WW = matmul_enclosure(T.T, Xi).reshape(m, d, d) * (alpha * A)[:, None, None]
    second_lo, second_hi = np.zeros_like(lo), np.zeros_like(hi)
    for r in range(m):
        block = slice(r * d, (r + 1) * d)
        _place(second_lo, second_hi, block, block, WW[r])
    if arch.train_output:
        AW = alpha * matmul_enclosure((R[:, None] * S1).T, Xi)       # (m, d)
        for r in range(m):
            block, ia = slice(r * d, (r + 1) * d), m * d + r
            _place(second_lo, second_hi, ia, block, AW[r])
            _place(second_lo, second_hi, block, ia, AW[r])
    full = Interval._raw(lo, hi) + Interval._raw(second_lo, second_hi)
    return Interval._raw(np.maximum(full.lo, full.lo.T), np.minimum(full.hi, full.hi.T))
