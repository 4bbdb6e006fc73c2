"""The Hessian of the squared loss of a deep net (deep-fc or resnet, any depth), enclosed over a
Euclidean ball of parameters.

Net (``docs/networks.md``): ``z^(h) = x^(h-1) W^(h)T``, ``x^(h) = c_h sigma(z^(h))`` (``c_h =
alpha``) or ``x^(h-1) + c_h sigma(z^(h))`` on a resnet skip layer (``c_h = beta``), ``u = x^(H) a``;
loss ``L = 1/2 sum_i r_i^2`` with ``r = u - y``. Its Hessian is ``J^T J + sum_i r_i hess u_i``,
and by the second-order adjoint rule (``docs/critical_points_networks.md``, "Hessian on a ball,
deep nets") ``hess u_i`` is the sum, over the nonlinear nodes of the net, of each node's local
second derivative weighted by the node's adjoint and projected by the gradients of its inputs:

* ``s = sigma(z^(h)_r)``: ``c_h b^(h)_r sigma''(z^(h)_r) grad z^(h)_r grad z^(h)_r^T``, where
  ``b^(h) = du/dx^(h)``;
* ``z^(h)_r = sum_k W^(h)_rk x^(h-1)_k``: ``g^(h)_r (e_{W_rk} grad x^(h-1)_k^T + transpose)``
  summed over k, where ``g^(h) = du/dz^(h)``;
* ``u = sum_r a_r x^(H)_r`` (a trained): ``e_{a_r} grad x^(H)_r^T + transpose``.

The gradients ``E^(h) = grad_theta x^(h)`` and ``D^(h) = grad_theta z^(h)`` (per sample, m x P)
come from the forward-mode recursion ``D^(h) = W^(h) E^(h-1) + [x^(h-1) in the columns of
W^(h)]``, ``E^(h) = c_h diag(sigma'(z^(h))) D^(h) [+ E^(h-1)]``, ``E^(0) = 0``; only the columns
of layers ``<= h`` are nonzero, so they are stored as a prefix of theta.

Over the ball ``||theta' - theta|| <= rho`` every trained layer moves by at most rho in Frobenius
norm, so each product with a weight matrix is enclosed for every such perturbation by
:mod:`numerics.curvature.perturbed_products` (Cauchy-Schwarz per row), ``a'`` lies in
``a +- rho``, and sigma, sigma', sigma'' are enclosed on the resulting pre-activation boxes
(:mod:`numerics.curvature.activation_derivatives`; for ReLU a box touching 0 raises
:class:`~numerics.curvature.activation_derivatives.KinkInside`, and on a kink-free box
``sigma'' = 0``, so the loss is a polynomial on the ball). Every quantity is thus an interval
that contains its value at every ``theta'`` of the ball; every operation is outward rounded or
a :func:`~numerics.arith.interval.matmul_enclosure`. Work is vectorized: the samples are
processed in chunks, each term being one matrix product (no loop over the P coordinates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.arith.interval import Interval, as_interval, matmul_enclosure
from numerics.arith.rounding import down, up
from numerics.curvature.activation_derivatives import activation_derivatives
from numerics.curvature.perturbed_products import perturbed_times, times_perturbed
from numerics.networks.interval_forward import hidden_scale_enclosure, residual_scale_enclosure
from numerics.networks.parameters import Parameters

CHUNK_ENTRIES = 1 << 21
"""Samples are processed in chunks whose per-sample gradients hold about this many entries."""


@dataclass(frozen=True, eq=False)
class BallPass:
    """Enclosures over the ball, for every sample (rows) and neuron (columns):
    ``inputs[h-1] ⊇ x^(h-1)`` (``inputs[0]`` is X itself), ``slopes[h-1] ⊇ sigma'(z^(h))``,
    ``curvatures[h-1] ⊇ sigma''(z^(h))``, ``adjoints[h-1] ⊇ b^(h) = du/dx^(h)``,
    ``pre_adjoints[h-1] ⊇ g^(h) = du/dz^(h)``, ``features ⊇ x^(H)``, ``residual ⊇ u - y``,
    ``scales[h-1] ⊇ c_h``; ``radius``: rho."""

    inputs: tuple
    slopes: tuple[Interval, ...]
    curvatures: tuple[Interval, ...]
    adjoints: tuple[Interval, ...]
    pre_adjoints: tuple[Interval, ...]
    features: Interval
    residual: Interval
    scales: tuple[Interval, ...]
    radius: float


def _checked_radius(radius) -> float:
    rho = float(radius)
    if not (np.isfinite(rho) and rho >= 0):
        raise ValueError(f"radius={radius!r}; allowed: a finite number >= 0")
    return rho


def _output_radius(params: Parameters, rho: float) -> float:
    return rho if params.architecture.train_output else 0.0


def ball_pass(params: Parameters, X, y, radius: float) -> BallPass:
    """Forward and reverse pass enclosed over the ball ``B(theta, radius)`` (module docstring).
    ``X``: exact float rows or an Interval (e.g. exactly normalized rows); ``y`` (n,)."""
    arch, rho = params.architecture, _checked_radius(radius)
    alpha = hidden_scale_enclosure(arch)
    beta = residual_scale_enclosure(arch) if arch.kind == "resnet" else None
    x = X if isinstance(X, Interval) else np.asarray(X, dtype=np.float64)
    inputs, slopes, curvatures, scales = [], [], [], []
    for h, name in enumerate(arch.hidden_names, start=1):
        inputs.append(x)
        Z = times_perturbed(x, params[name].T, rho)
        S, S1, S2 = activation_derivatives(arch.activation, Z)
        c = beta if arch.is_residual(h) else alpha
        x = x + c * S if arch.is_residual(h) else c * S
        slopes.append(S1)
        curvatures.append(S2)
        scales.append(c)
    rho_a = _output_radius(params, rho)
    residual = times_perturbed(x, params["a"], rho_a) - np.asarray(y, dtype=np.float64)
    a = Interval.from_mid_rad(params["a"], np.full(arch.width, rho_a)) if rho_a else as_interval(params["a"])
    b = a[None, :] * as_interval(np.ones((x.shape[0], 1)))
    adjoints, pre_adjoints = [None] * arch.depth, [None] * arch.depth
    for h in range(arch.depth, 0, -1):
        g = b * (scales[h - 1] * slopes[h - 1])
        adjoints[h - 1], pre_adjoints[h - 1] = b, g
        if h > 1:
            back = times_perturbed(g, params[arch.hidden_names[h - 1]], rho)
            b = back + b if arch.is_residual(h) else back
    return BallPass(tuple(inputs), tuple(slopes), tuple(curvatures), tuple(adjoints), tuple(pre_adjoints),
                    as_interval(x), residual, tuple(scales), rho)


def _hstack(parts: list[Interval]) -> Interval:
    return Interval._raw(np.concatenate([p.lo for p in parts], axis=-1), np.concatenate([p.hi for p in parts], axis=-1))


def ball_jacobian(params: Parameters, bp: BallPass) -> Interval:
    """J (n x P, theta order) over the ball: ``du_i/dW^(h)_rk = g^(h)_ir x^(h-1)_ik``,
    ``du_i/da_r = x^(H)_ir`` (the reverse-mode gradient of u_i)."""
    arch = params.architecture
    n = bp.residual.shape[0]
    parts = []
    for h, name in enumerate(arch.hidden_names, start=1):
        g, x = bp.pre_adjoints[h - 1], as_interval(bp.inputs[h - 1])
        parts.append((g[:, :, None] * x[:, None, :]).reshape(n, -1))
    if arch.train_output:
        parts.append(bp.features)
    return _hstack(parts)


def _layer_offsets(params: Parameters) -> list[int]:
    """Column where each hidden layer's block of theta starts, then where ``a`` starts (P_H)."""
    arch, out = params.architecture, [0]
    for name in arch.hidden_names:
        m, fan = arch.layer_shape(name)
        out.append(out[-1] + m * fan)
    return out


def _accumulate(lo: np.ndarray, hi: np.ndarray, rows: slice, cols: slice, block: Interval) -> None:
    """``[lo, hi][rows, cols] += block`` with outward rounding."""
    lo[rows, cols] = down(lo[rows, cols] + block.lo)
    hi[rows, cols] = up(hi[rows, cols] + block.hi)


def _own_block(coef: Interval, x: Interval, m: int) -> Interval:
    """The columns of layer h in a per-sample gradient whose row r is ``coef_r x^T`` in the block
    of neuron r and 0 in the other blocks: (b, m, m fan)."""
    b, fan = x.shape
    vals = coef[:, :, None] * x[:, None, :]                         # (b, m, fan)
    lo, hi = np.zeros((b, m, m, fan)), np.zeros((b, m, m, fan))
    r = np.arange(m)
    lo[:, r, r, :], hi[:, r, r, :] = vals.lo, vals.hi
    return Interval._raw(lo.reshape(b, m, m * fan), hi.reshape(b, m, m * fan))


def _padded(E: Interval, width: int) -> Interval:
    pad = np.zeros(E.shape[:-1] + (width - E.shape[-1],))
    return _hstack([E, Interval._raw(pad, pad)])


def _weights_times(W: np.ndarray, E: Interval, rho: float) -> Interval:
    """``W' E_i`` for every sample i and every ``||W' - W||_F <= rho``: (b, m, p0)."""
    b, k, p0 = E.shape
    stacked = E.transpose(1, 0, 2).reshape(k, b * p0)               # column (i, c): E_i[:, c]
    return perturbed_times(W, stacked, rho).reshape(W.shape[0], b, p0).transpose(1, 0, 2)


def _add_curvature_term(lo, hi, early: Interval | None, x: Interval, w: Interval, p0: int) -> None:
    """Add ``sum_{i,r} w_ir D_i[r,:]^T D_i[r,:]`` with ``D_i = [early_i | own block of x_i]``.

    The own block of row r holds ``x_i`` in the columns of neuron r only, so the product splits
    into ``early^T diag(w) early`` (one product), the neuron blocks ``sum_i w_ir x_i x_i^T`` (one
    product for all r) and the mixed blocks ``sum_i w_ir x_i early_i[r,:]`` (one per neuron)."""
    b, m = w.shape
    fan = x.shape[1]
    wx = w[:, :, None] * x[:, None, :]                               # (b, m, fan)
    own = matmul_enclosure(wx.reshape(b, m * fan).T, x)              # rows (r, k), columns l
    for r in range(m):
        block = slice(p0 + r * fan, p0 + (r + 1) * fan)
        _accumulate(lo, hi, block, block, own[r * fan:(r + 1) * fan])
    if early is None:
        return
    _accumulate(lo, hi, slice(0, p0), slice(0, p0),
                matmul_enclosure((early * w[:, :, None]).reshape(b * m, p0).T, early.reshape(b * m, p0)))
    for r in range(m):
        block = slice(p0 + r * fan, p0 + (r + 1) * fan)
        mixed = matmul_enclosure(wx[:, r, :].T, early[:, r, :])       # (fan, p0)
        _accumulate(lo, hi, block, slice(0, p0), mixed)
        _accumulate(lo, hi, slice(0, p0), block, mixed.T)


def _chunk_second_order(params: Parameters, bp: BallPass, rows: slice, lo: np.ndarray, hi: np.ndarray) -> None:
    """Add ``sum_{i in rows} r_i hess u_i`` over the ball to ``[lo, hi]`` (module docstring).
    ``D^(h) = [W^(h)' E^(h-1) | own block of x^(h-1)]``; E is kept dense over its prefix."""
    arch, rho = params.architecture, bp.radius
    offsets = _layer_offsets(params)
    r = bp.residual[rows]
    m = arch.width
    E = None
    for h, name in enumerate(arch.hidden_names, start=1):
        p0, p1 = offsets[h - 1], offsets[h]
        x = as_interval(bp.inputs[h - 1][rows])
        early = None if E is None else _weights_times(params[name], E, rho)
        c = bp.scales[h - 1]
        if arch.activation != "relu":          # sigma'' = 0 on a ReLU box proved free of kinks
            w = r[:, None] * (c * bp.adjoints[h - 1][rows]) * bp.curvatures[h - 1][rows]
            _add_curvature_term(lo, hi, early, x, w, p0)
        if E is not None:
            rg = r[:, None] * bp.pre_adjoints[h - 1][rows]
            cross = matmul_enclosure(rg.T, E.reshape(E.shape[0], m * p0)).reshape(m * m, p0)
            _accumulate(lo, hi, slice(p0, p1), slice(0, p0), cross)
            _accumulate(lo, hi, slice(0, p0), slice(p0, p1), cross.T)
        slope = c * bp.slopes[h - 1][rows]
        step = _own_block(slope, x, m) if early is None else \
            _hstack([slope[:, :, None] * early, _own_block(slope, x, m)])
        E = step + _padded(E, p1) if arch.is_residual(h) else step
    if arch.train_output:
        pH = offsets[-1]
        out = matmul_enclosure(r, E.reshape(E.shape[0], m * pH)).reshape(m, pH)
        _accumulate(lo, hi, slice(pH, pH + m), slice(0, pH), out)
        _accumulate(lo, hi, slice(0, pH), slice(pH, pH + m), out.T)


def ball_second_order(params: Parameters, bp: BallPass) -> tuple[np.ndarray, np.ndarray]:
    """Endpoints ``(lo, hi)`` of a P x P interval matrix containing ``sum_i r_i hess u_i`` at
    every point of the ball of ``bp``."""
    arch = params.architecture
    P, n = arch.parameter_count, bp.residual.shape[0]
    lo, hi = np.zeros((P, P)), np.zeros((P, P))
    chunk = max(1, CHUNK_ENTRIES // (arch.width * P))
    for start in range(0, n, chunk):
        _chunk_second_order(params, bp, slice(start, start + chunk), lo, hi)
    return lo, hi


def deep_ball_pieces(params: Parameters, X, y, radius: float, second: bool = True):
    """``(J, lo, hi)``: J over the ball and the endpoints of ``sum_i r_i hess u_i`` over it (zeros
    when ``second`` is false)."""
    bp = ball_pass(params, X, y, radius)
    J = ball_jacobian(params, bp)
    if not second:
        P = params.architecture.parameter_count
        return J, np.zeros((P, P)), np.zeros((P, P))
    return (J, *ball_second_order(params, bp))


def deep_ball_hessian(params: Parameters, X, y, radius: float) -> Interval:
    """Interval P x P matrix containing ``hess L(theta')`` for every ``||theta' - theta|| <=
    radius`` (entrywise ``J^T J`` over the ball plus the second-order term; any depth), intersected
    with its transpose."""
    J, lo, hi = deep_ball_pieces(params, X, y, radius)
    H = matmul_enclosure(J.T, J) + Interval._raw(lo, hi)
    return Interval._raw(np.maximum(H.lo, H.lo.T), np.minimum(H.hi, H.hi.T))
