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

Deeper nets (deep-fc, resnet of depth >= 2): :func:`split_ball_hessian` takes J over the ball
and the second-order term from :mod:`numerics.curvature.deep_ball_hessian` (same split, same
proof of the deviation bound).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.arith import upper_bounds as ub
from numerics.arith.interval import Interval, as_interval, matmul_enclosure
from numerics.curvature.activation_derivatives import activation_derivatives
from numerics.curvature.deep_ball_hessian import deep_ball_pieces
from numerics.curvature.perturbed_products import times_perturbed
from numerics.networks.interval_forward import hidden_scale_enclosure
from numerics.networks.parameters import Parameters


def _interval_x(X) -> Interval:
    return X if isinstance(X, Interval) else as_interval(np.asarray(X, dtype=np.float64))


def _place(lo: np.ndarray, hi: np.ndarray, rows, cols, block: Interval) -> None:
    lo[rows, cols] += block.lo
    hi[rows, cols] += block.hi


@dataclass(frozen=True, eq=False)
class _BallPieces:
    jacobian: Interval          # J over the ball (n, P)
    second_lo: np.ndarray       # sum_i r_i hess u_i over the ball (P, P), endpoints
    second_hi: np.ndarray


def _pieces(params: Parameters, X, y, radius: float, second: bool = True) -> _BallPieces:
    arch = params.architecture
    if arch.depth != 1:
        return _BallPieces(*deep_ball_pieces(params, X, y, radius, second))
    rho = float(radius)
    if not (np.isfinite(rho) and rho >= 0):
        raise ValueError(f"radius={radius!r}; allowed: a finite number >= 0")
    W, a = params[arch.hidden_names[0]], params["a"]
    n, d, m = X.shape[0], arch.input_dim, arch.width
    Xi = _interval_x(X)
    Z = times_perturbed(X, W.T, rho)
    A = Interval.from_mid_rad(a, np.full(m, rho)) if arch.train_output else as_interval(a)
    S, S1, S2 = activation_derivatives(arch.activation, Z)
    alpha = hidden_scale_enclosure(arch)
    G = (alpha * A)[None, :] * S1                                    # du_i/dz_ir
    J = (G[:, :, None] * Xi[:, None, :]).reshape(n, m * d)
    if arch.train_output:
        Ja = alpha * S
        J = Interval._raw(np.concatenate([J.lo, Ja.lo], axis=1), np.concatenate([J.hi, Ja.hi], axis=1))
    P = J.shape[1]
    second_lo, second_hi = np.zeros((P, P)), np.zeros((P, P))
    if not second:
        return _BallPieces(J, second_lo, second_hi)
    R = alpha * matmul_enclosure(S, A) - np.asarray(y, dtype=np.float64)
    C = R[:, None] * S2                                              # r_i sigma''(z_ir)
    T = (C[:, :, None] * Xi[:, None, :]).reshape(n, m * d)
    WW = matmul_enclosure(T.T, Xi).reshape(m, d, d) * (alpha * A)[:, None, None]
    for r in range(m):
        block = slice(r * d, (r + 1) * d)
        _place(second_lo, second_hi, block, block, WW[r])
    if arch.train_output:
        AW = alpha * matmul_enclosure((R[:, None] * S1).T, Xi)       # (m, d)
        for r in range(m):
            block, ia = slice(r * d, (r + 1) * d), m * d + r
            _place(second_lo, second_hi, ia, block, AW[r])
            _place(second_lo, second_hi, block, ia, AW[r])
    return _BallPieces(J, second_lo, second_hi)


def _symmetric(H: Interval) -> Interval:
    return Interval._raw(np.maximum(H.lo, H.lo.T), np.minimum(H.hi, H.hi.T))


def one_hidden_layer_hessian(params: Parameters, X, y, radius: float) -> Interval:
    """Interval P x P matrix containing ``hess L(theta')`` for every ``||theta' - theta|| <= radius``
    (module docstring). ValueError for a net with more than one hidden layer (there:
    :func:`~numerics.curvature.deep_ball_hessian.deep_ball_hessian`)."""
    if params.architecture.depth != 1:
        raise ValueError(f"depth={params.architecture.depth}; allowed: 1 (one hidden layer)")
    pieces = _pieces(params, X, y, radius)
    H = matmul_enclosure(pieces.jacobian.T, pieces.jacobian)
    return _symmetric(H + Interval._raw(pieces.second_lo, pieces.second_hi))


@dataclass(frozen=True, eq=False)
class SplitBallHessian:
    """``hess L(theta') = core_matrix + E`` with ``core_matrix`` in ``core`` and ``||E||_2 <=
    deviation`` for every ``theta'`` in the ball, so ``lambda_min(hess L(theta')) >=
    lambda_min(core) - deviation`` (Weyl)."""

    core: Interval
    deviation: float


def split_ball_hessian(params: Parameters, X, y, radius: float) -> SplitBallHessian:
    """The Gauss-Newton part at the point, the rest over the ball, and a norm bound of the change.

    ``hess L(theta') = J(theta)^T J(theta) + sum_i r_i(theta') hess u_i(theta') + E`` with
    ``E = J'^T J' - J^T J = J^T dJ + dJ^T J + dJ^T dJ``, so ``||E||_2 <= 2 ||J||_2 delta + delta^2``
    where ``delta >= ||dJ||_F`` (the Frobenius norm of the entrywise magnitude of the difference of
    the ball and point enclosures of J) and ``||J||_2 <= ||mid J||_2 + ||rad J||_F``
    (:func:`numerics.networks.deviation_bounds.spectral_norm_upper`). The entrywise enclosure of
    ``J'^T J'`` would instead sum n worst cases in every one of P^2 entries; this split keeps the
    ball's effect at the size of a norm. Any depth: for depth >= 2, J over the ball and
    ``sum_i r_i hess u_i`` over the ball are :func:`~numerics.curvature.deep_ball_hessian.deep_ball_pieces`.
    """
    from numerics.networks.deviation_bounds import spectral_norm_upper

    ball = _pieces(params, X, y, radius)
    point = _pieces(params, X, y, 0.0, second=False)
    Jp = point.jacobian
    core = matmul_enclosure(Jp.T, Jp) + Interval._raw(ball.second_lo, ball.second_hi)
    diff = ball.jacobian - Jp
    delta = float(ub.norm(diff.mag()))
    jnorm = float(ub.add(spectral_norm_upper(Jp.mid()), ub.norm(Jp.rad())))
    deviation = float(ub.add(ub.mul(ub.mul(2.0, jnorm), delta), ub.square(delta)))
    return SplitBallHessian(_symmetric(core), deviation)
