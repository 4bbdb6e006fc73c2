"""Arb (200-bit) forward and backward passes of dl-certify's networks at weights given as Arb
balls (e.g. ``theta~ + Jhat^T alpha`` formed exactly), written from docs/networks.md and the
chain rule; independent of numerics/. Used by the deep instance soundness tests."""

from __future__ import annotations

import numpy as np
from flint import arb, ctx

from numerics_oracle import ORACLE_BITS, UnresolvedKink, _sqrt_nonneg, arb_softplus


def _act(name: str, z: arb) -> arb:
    if name == "relu":
        if z > 0:
            return z
        if z < 0:
            return arb(0)
        raise UnresolvedKink()
    if name == "tanh":
        return z.tanh()
    return arb_softplus(z)


def _act_d(name: str, z: arb) -> arb:
    if name == "relu":
        if z > 0:
            return arb(1)
        if z < 0:
            return arb(0)
        raise UnresolvedKink()
    if name == "tanh":
        return 1 - z.tanh() ** 2
    return 1 / (1 + (-z).exp())


def arb_layers(arch, layers: dict) -> dict:
    """Float arrays -> nested lists of exact Arb balls."""
    with ctx.workprec(ORACLE_BITS):
        return {k: [[arb(float(v)) for v in row] for row in np.atleast_2d(np.asarray(a, dtype=np.float64)).tolist()]
                if np.ndim(a) == 2 else [arb(float(v)) for v in np.asarray(a).tolist()]
                for k, a in layers.items()}


def arb_corrected_layers(arch, layers: dict, rows_g: list, rows_x: list, alpha) -> dict:
    """``theta~ + Jhat^T alpha`` exactly (at ORACLE_BITS every product of two floats and the few
    sums are exact): ``W^(h) += sum_i alpha_i ghat^(h)_i (xhat^(h-1)_i)^T``, ``a += sum_i alpha_i
    xhat^(H)_i`` for trained layers. ``rows_g[h-1]``, ``rows_x[h-1]``: float (n, .) arrays."""
    return arb_corrected_layers_arb(arch, layers, rows_g, rows_x,
                                    [arb(float(a)) for a in np.asarray(alpha).tolist()])


def arb_scales(arch, c_sigma_ball: arb):
    with ctx.workprec(ORACLE_BITS):
        m = arb(arch.width)
        alpha = 1 / m.sqrt() if arch.kind == "two-layer" else (c_sigma_ball / m).sqrt()
        beta = arb(arch.c_res) / (arch.depth * m.sqrt())
    return alpha, beta


def arb_forward_backward(arch, W: dict, x0: list, c_sigma_ball: arb):
    """For one input (list of balls): ``zs[h-1]``, ``xs[h]`` (xs[0] = input), ``u``, and the
    gradient blocks ``grads[name]`` (du/dW^(h) as nested lists; du/da as a list)."""
    alpha, beta = arb_scales(arch, c_sigma_ball)
    with ctx.workprec(ORACLE_BITS):
        xs, zs = [x0], []
        for h, name in enumerate(arch.hidden_names, start=1):
            x = xs[-1]
            z = [sum((w * xk for w, xk in zip(row, x)), arb(0)) for row in W[name]]
            s = [_act(arch.activation, zr) for zr in z]
            if arch.is_residual(h):
                xs.append([xk + beta * sk for xk, sk in zip(x, s)])
            else:
                xs.append([alpha * sk for sk in s])
            zs.append(z)
        u = sum((ar * xr for ar, xr in zip(W["a"], xs[-1])), arb(0))
        grads = {"a": list(xs[-1])}
        b = list(W["a"])
        for h in range(arch.depth, 0, -1):
            name = arch.hidden_names[h - 1]
            sc = beta if arch.is_residual(h) else alpha
            g = [sc * _act_d(arch.activation, zr) * br for zr, br in zip(zs[h - 1], b)]
            grads[name] = [[gr * xk for xk in xs[h - 1]] for gr in g]
            Wm = W[name]
            back = [sum((Wm[r][k] * g[r] for r in range(len(g))), arb(0)) for k in range(len(xs[h - 1]))]
            b = [bk + pk for bk, pk in zip(b, back)] if arch.is_residual(h) else back
    return zs, xs, u, grads


def arb_norm(values) -> arb:
    """Euclidean norm of a list of balls (a ball; non-negative part when the sum straddles 0)."""
    with ctx.workprec(ORACLE_BITS):
        return _sqrt_nonneg(sum((v * v for v in values), arb(0)))


def flatten_grads(arch, grads: dict) -> list:
    """The gradient in theta order (trained layers, row-major)."""
    out = []
    for name in arch.trained_names:
        block = grads[name]
        if name == "a":
            out.extend(block)
        else:
            for row in block:
                out.extend(row)
    return out


def arb_newton_zero(arch, layers: dict, rows_g: list, rows_x: list, inputs: list, y, c_sigma_ball: arb,
                    iterations: int = 8):
    """Newton's method at ORACLE_BITS on ``G(alpha) = u(theta~ + Jhat^T alpha) - y`` from 0, with
    ``DG(alpha) = J(theta(alpha)) Jhat^T`` (Jhat from the float factors ``rows_g``/``rows_x``).
    Returns ``(alpha, residual, zs)``: the last iterate (exact points), ``max_i |G_i|`` there and
    the pre-activations there (``zs[i][h][r]``). Raises UnresolvedKink at a ReLU kink."""
    from flint import arb_mat

    n = len(inputs)
    jhat = []
    for i in range(n):
        row = []
        for h, name in enumerate(arch.hidden_names, start=1):
            if name in arch.trained_names:
                row.extend(np.outer(rows_g[h - 1][i], rows_x[h - 1][i]).ravel().tolist())
        if arch.train_output:
            row.extend(np.asarray(rows_x[-1][i]).tolist())
        jhat.append([arb(float(v)) for v in row])
    with ctx.workprec(ORACLE_BITS):
        alpha = [arb(0)] * n
        for _ in range(iterations + 1):
            W = arb_corrected_layers_arb(arch, layers, rows_g, rows_x, alpha)
            G, D, zs = [], [], []
            for i in range(n):
                z, _, u, grads = arb_forward_backward(arch, W, inputs[i], c_sigma_ball)
                flat = flatten_grads(arch, grads)
                G.append(u - arb(float(y[i])))
                D.append([sum((a * b for a, b in zip(flat, jhat[j])), arb(0)) for j in range(n)])
                zs.append(z)
            step = arb_mat(D).solve(arb_mat([[g] for g in G]))
            alpha = [arb((a - step[k, 0]).mid()) for k, a in enumerate(alpha)]   # exact points
        worst = max((abs(g) for g in G), key=lambda b: float(b.mid()) + float(b.rad()))
        return alpha, worst, zs


def arb_corrected_layers_arb(arch, layers: dict, rows_g: list, rows_x: list, alpha: list) -> dict:
    """As :func:`arb_corrected_layers` with ``alpha`` given as balls."""
    out = arb_layers(arch, layers)
    with ctx.workprec(ORACLE_BITS):
        for h, name in enumerate(arch.hidden_names, start=1):
            if name not in arch.trained_names:
                continue
            G, X = rows_g[h - 1], rows_x[h - 1]
            W = out[name]
            for r in range(len(W)):
                for k in range(len(W[r])):
                    W[r][k] = W[r][k] + sum((alpha[i] * arb(float(G[i, r])) * arb(float(X[i, k]))
                                             for i in range(len(alpha))), arb(0))
        if arch.train_output:
            XH = rows_x[-1]
            out["a"] = [out["a"][r] + sum((alpha[i] * arb(float(XH[i, r])) for i in range(len(alpha))), arb(0))
                        for r in range(len(out["a"]))]
    return out
