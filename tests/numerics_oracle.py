"""Independent oracles for the soundness tests of numerics/: exact rationals (python-flint
fmpq) and Arb balls at 200 bits. Nothing here calls the code under test."""

from __future__ import annotations

import numpy as np
from flint import arb, arb_mat, ctx, fmpq, fmpq_mat

ORACLE_BITS = 200


def q(x: float) -> fmpq:
    """The exact rational value of a float."""
    n, d = float(x).as_integer_ratio()
    return fmpq(n, d)


def qmat(A: np.ndarray) -> fmpq_mat:
    A = np.atleast_2d(A)
    return fmpq_mat([[q(x) for x in row] for row in A.tolist()])


def contains_rational(lo: float, hi: float, value: fmpq) -> bool:
    return q(lo) <= value <= q(hi)


def contains_ball(lo: float, hi: float, ball: arb, known_range=None) -> bool:
    """True when the part of the ball inside ``known_range`` (where the truth is known to
    lie) is contained in [lo, hi] (checked exactly)."""
    if not ball.is_finite():
        return lo == -np.inf and hi == np.inf
    rlo, rhi = known_range if known_range is not None else (-np.inf, np.inf)
    # both comparisons are 'certainly' in Arb; lo/hi are exact floats
    ok_lo = lo <= rlo or bool(arb(float(lo)) <= ball)
    ok_hi = hi >= rhi or bool(ball <= arb(float(hi)))
    return ok_lo and ok_hi


def is_positive_definite_exact(X: fmpq_mat) -> bool:
    """Exact test by symmetric Gaussian elimination in rationals (all pivots > 0)."""
    n = X.nrows()
    a = [[X[i, j] for j in range(n)] for i in range(n)]
    for k in range(n):
        piv = a[k][k]
        if piv <= 0:
            return False
        for i in range(k + 1, n):
            f = a[i][k] / piv
            if f == 0:
                continue
            row_i, row_k = a[i], a[k]
            for j in range(k + 1, n):
                row_i[j] -= f * row_k[j]
    return True


def shifted(X: fmpq_mat, s: float) -> fmpq_mat:
    n = X.nrows()
    Y = fmpq_mat(X)
    sq = q(s)
    for i in range(n):
        Y[i, i] = Y[i, i] - sq
    return Y


def lambda_min_is_above(X: fmpq_mat, s: float) -> bool:
    """Exact: lambda_min(X) > s."""
    return is_positive_definite_exact(shifted(X, s))


def random_symmetric_member(lo: np.ndarray, hi: np.ndarray, rng) -> np.ndarray:
    """A random symmetric float matrix with lo <= X <= hi (corners and interior points)."""
    t = rng.integers(0, 3, size=lo.shape)
    X = np.where(t == 0, lo, np.where(t == 1, hi, lo + (hi - lo) * rng.random(lo.shape)))
    X = np.clip(X, lo, hi)
    U = np.triu(X)
    return U + np.triu(U, 1).T


def arb_unit_rows(V: np.ndarray):
    """Rows of V normalized in Arb at ORACLE_BITS (list of lists of balls)."""
    out = []
    with ctx.workprec(ORACLE_BITS):
        for row in V.tolist():
            r = [arb(x) for x in row]
            nrm = sum((x * x for x in r), arb(0)).sqrt()
            out.append([x / nrm for x in r])
    return out


def _sqrt_nonneg(s: arb) -> arb:
    """sqrt of a ball known to enclose a non-negative number (also when it straddles 0)."""
    if s > 0:
        return s.sqrt()
    half = s.abs_upper().sqrt() / 2
    return half + arb(0, 1) * half


def arb_relu_kernel_entry(xi, xj) -> arb:
    """H_inf entry t (pi - theta)/(2 pi) with theta = 2 atan2(|xi - xj|, |xi + xj|) (an
    arccos-free formula, robust at t = +-1)."""
    with ctx.workprec(ORACLE_BITS):
        t = sum((a * b for a, b in zip(xi, xj)), arb(0))
        dm = _sqrt_nonneg(sum(((a - b) * (a - b) for a, b in zip(xi, xj)), arb(0)))
        dp = _sqrt_nonneg(sum(((a + b) * (a + b) for a, b in zip(xi, xj)), arb(0)))
        theta = 2 * arb.atan2(dm, dp)
        return t * (arb.pi() - theta) / (2 * arb.pi())


def relu_kernel_known_range(xi, xj) -> tuple[float, float]:
    """Where the exact entry must lie: sign(t) * [0, 1/2] (the factor (pi - theta)/(2 pi) is
    in [0, 1/2]); used where a 200-bit ball cannot resolve an entry next to 0."""
    with ctx.workprec(ORACLE_BITS):
        t = sum((a * b for a, b in zip(xi, xj)), arb(0))
    if t < 0:
        return (-1.0, 0.0)
    if t > 0:
        return (0.0, 0.5)
    return (-1.0, 0.5)


def arb_eigenvalues_exact_matrix(X: np.ndarray) -> list:
    """Rigorous eigenvalue balls of a small symmetric float matrix (arb_mat.eig)."""
    with ctx.workprec(ORACLE_BITS):
        A = arb_mat(X.tolist())
        ev = A.eig(multiple=True)
        return sorted((e.real for e in ev), key=lambda b: float(b.mid()))


# ------------------------------------------------------------------ networks
class UnresolvedKink(Exception):
    """A ReLU pre-activation whose 200-bit ball contains 0: the oracle cannot tell its sign."""


def arb_c_sigma(activation: str) -> arb:
    """c_sigma = 1/E[sigma(z)^2] (z ~ N(0, 1)): exactly 2 for ReLU; otherwise mpmath quadrature
    at 50 digits, returned as a ball of radius 1e-40 (independent of the validated Arb
    integral in numerics.kernels.gaussian_expectation)."""
    if activation == "relu":
        return arb(2)
    import mpmath
    f = {"tanh": mpmath.tanh, "softplus": lambda z: mpmath.log1p(mpmath.exp(z))}[activation]
    with mpmath.workdps(50):
        v = mpmath.quad(lambda z: f(z) ** 2 * mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi),
                        [-mpmath.inf, 0, mpmath.inf])
        s = mpmath.nstr(1 / v, 45)
    with ctx.workprec(ORACLE_BITS):
        return arb(s) + arb(0, 1e-40)


def _arb_act(activation: str, z: arb, exact_zero: bool = False) -> arb:
    if activation == "relu":
        if exact_zero:
            return arb(0)
        if z > 0:
            return z
        if z < 0:
            return arb(0)
        raise UnresolvedKink()
    if activation == "tanh":
        return z.tanh()
    return arb_softplus(z)


def arb_softplus(z: arb) -> arb:
    """log(1 + e^z), tight also for z -> -inf (log1p of a tiny exp) and z -> +inf."""
    if z > 0:
        return z + (-z).exp().log1p()
    return z.exp().log1p()


def arb_network_forward(kind: str, activation: str, layers: dict, rows, c_sigma_ball: arb,
                        c_res: float = 0.5, exact_zeros=frozenset()):
    """The forward pass of dl-certify's network kinds in Arb at ORACLE_BITS, written from
    docs/networks.md: ``x^(h) = alpha sigma(W^(h) x^(h-1))`` (alpha = m^-1/2 for two-layer,
    sqrt(c_sigma/m) for deep nets), ResNet layers ``h >= 2``: ``x^(h-1) + c_res/(H sqrt m)
    sigma(W^(h) x^(h-1))``, ``u = a . x^(H)``. ``layers``: {"W" or "W1".., "a": float arrays};
    ``rows``: inputs as lists of arb balls; ``exact_zeros``: (layer, input, neuron) triples the
    caller knows are exactly 0. Returns (zs, xs, us) as nested lists of balls [h][i][r]."""
    hidden = ["W"] if kind == "two-layer" else [f"W{h}" for h in range(1, len(layers))]
    H = len(hidden)
    a = np.asarray(layers["a"]).tolist()
    m = len(a)
    with ctx.workprec(ORACLE_BITS):
        alpha = 1 / arb(m).sqrt() if kind == "two-layer" else (c_sigma_ball / m).sqrt()
        beta = arb(c_res) / (H * arb(m).sqrt())
        zs = [[None] * len(rows) for _ in range(H)]
        xs = [[None] * len(rows) for _ in range(H)]
        us = []
        for i, x in enumerate(rows):
            for h, name in enumerate(hidden):
                W = np.asarray(layers[name]).tolist()
                z = [sum((arb(w) * xk for w, xk in zip(row, x)), arb(0)) for row in W]
                s = [_arb_act(activation, zr, (h + 1, i, r) in exact_zeros) for r, zr in enumerate(z)]
                if kind == "resnet" and h >= 1:
                    x = [xk + beta * sk for xk, sk in zip(x, s)]
                else:
                    x = [alpha * sk for sk in s]
                zs[h][i], xs[h][i] = z, x
            us.append(sum((arb(ar) * xr for ar, xr in zip(a, x)), arb(0)))
        return zs, xs, us
