"""mpmath (high precision) loss of dl-certify's networks and its derivatives by high-precision
finite differences, written from docs/networks.md; independent of numerics/. Oracle of the
curvature soundness tests."""

from __future__ import annotations

import numpy as np
from mpmath import mp, mpf

DPS = 80
STEP = mpf(10) ** -28


def _sigma(name: str, z):
    if name == "relu":
        return z if z > 0 else mpf(0)
    if name == "tanh":
        return mp.tanh(z)
    return mp.log1p(mp.exp(z)) if z < 0 else z + mp.log1p(mp.exp(-z))


_C_SIGMA = {}


def _c_sigma(name: str):
    if name == "relu":
        return mpf(2)
    if name in _C_SIGMA:          # 30 digits: far below the enclosures' relative widths (~1e-13)
        return _C_SIGMA[name]
    f = lambda z: _sigma(name, z) ** 2 * mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
    with mp.workdps(30):
        _C_SIGMA[name] = 1 / mp.quad(f, [-mp.inf, 0, mp.inf])
    return _C_SIGMA[name]


def loss(arch, theta, fixed: dict, X, y):
    """``1/2 sum (u_i - y_i)^2`` at the mp vector ``theta`` (trained layers in theta order)."""
    layers, off = dict(fixed), 0
    for name in arch.trained_names:
        shape = arch.layer_shape(name)
        size = int(np.prod(shape))
        flat = theta[off:off + size]
        layers[name] = [flat[r * shape[1]:(r + 1) * shape[1]] for r in range(shape[0])] if len(shape) == 2 else flat
        off += size
    m = arch.width
    alpha = 1 / mp.sqrt(m) if arch.kind == "two-layer" else mp.sqrt(_c_sigma(arch.activation) / m)
    beta = mpf(arch.c_res) / (arch.depth * mp.sqrt(m))
    total = mpf(0)
    for xi, yi in zip(X, y):
        x = [mpf(v) for v in xi]
        for h, name in enumerate(arch.hidden_names, start=1):
            W = layers[name]
            s = [_sigma(arch.activation, mp.fsum(mpf(W[r][k]) * x[k] for k in range(len(x)))) for r in range(m)]
            x = [x[r] + beta * s[r] for r in range(m)] if arch.is_residual(h) else [alpha * v for v in s]
        u = mp.fsum(mpf(layers["a"][r]) * x[r] for r in range(m))
        total += (u - mpf(yi)) ** 2
    return total / 2


class Oracle:
    """The loss of ``params`` on float rows ``X`` (exact) with labels ``y``, in mpmath."""

    def __init__(self, params, X, y):
        self.arch = params.architecture
        self.theta = [mpf(float(t)) for t in params.flatten()]
        self.fixed = {n: np.asarray(params[n]).tolist() for n in self.arch.layer_names if n not in self.arch.trained_names}
        self.X, self.y = np.asarray(X, dtype=float).tolist(), np.asarray(y, dtype=float).tolist()

    def at(self, theta):
        return loss(self.arch, theta, self.fixed, self.X, self.y)

    def along(self, v, t):
        return self.at([a + t * mpf(float(b)) for a, b in zip(self.theta, v)])

    def line(self, v):
        """``(L, L'(0), L''(0))`` along v."""
        with mp.workdps(DPS):
            f = lambda t: self.along(v, t)  # noqa: E731
            return f(mpf(0)), mp.diff(f, 0, 1, h=STEP), mp.diff(f, 0, 2, h=STEP)

    def gradient(self):
        with mp.workdps(DPS):
            P = len(self.theta)
            return [mp.diff(lambda t, j=j: self.along(np.eye(P)[j], t), 0, 1, h=STEP) for j in range(P)]

    def hessian_at(self, theta_float):
        """The Hessian at the float point ``theta_float`` (P x P mp matrix) by second differences."""
        with mp.workdps(DPS):
            base = [mpf(float(t)) for t in theta_float]
            P = len(base)

            def f2(i, j, s, t):
                th = list(base)
                th[i] += s
                th[j] += t
                return self.at(th)
            H = mp.matrix(P, P)
            for i in range(P):
                for j in range(i, P):
                    H[i, j] = H[j, i] = mp.diff(lambda s, t: f2(i, j, s, t), (0, 0), (1, 1), h=STEP)
            return H

    def second_differences(self, theta):
        """The Hessian at ``theta`` (floats, or mp numbers taken as they are; P x P mp matrix) by
        central second differences with step ``STEP``, the loss evaluated at 2 DPS digits; about
        3x faster than :meth:`hessian_at`. Error: truncation O(STEP^2) ~ 1e-56 relative, plus
        rounding 10^-(2 DPS) |L| / STEP^2 ~ 1e-104 |L| -- compare with the slack
        :func:`difference_slack` (an exact 0 may come out as 1e-105)."""
        with mp.workdps(2 * DPS):
            base = [t if isinstance(t, mp.mpf) else mpf(float(t)) for t in theta]
            P, h = len(base), STEP

            def f(*moves):
                th = list(base)
                for j, step in moves:
                    th[j] += step
                return self.at(th)
            f0 = f()
            H = mp.matrix(P, P)
            for i in range(P):
                H[i, i] = (f((i, h)) - 2 * f0 + f((i, -h))) / h ** 2
                for j in range(i + 1, P):
                    H[i, j] = H[j, i] = (f((i, h), (j, h)) - f((i, h), (j, -h)) - f((i, -h), (j, h))
                                         + f((i, -h), (j, -h))) / (4 * h * h)
            return H

    def difference_slack(self, theta):
        """A bound, with a margin of 10^9, of the error of :meth:`second_differences` at ``theta``:
        ``1e-95 (1 + |L(theta)|)``."""
        with mp.workdps(DPS):
            base = [t if isinstance(t, mp.mpf) else mpf(float(t)) for t in theta]
            return mpf(10) ** -95 * (1 + abs(self.at(base)))
