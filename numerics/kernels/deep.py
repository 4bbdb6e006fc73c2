"""Deep Gram recursions: Du-Lee-Li-Wang-Zhai's K^(H) (fully connected, ResNet, convolutional
ResNet) and the full neural tangent kernel Theta^(L), with rigorous enclosures for ReLU.

Sources (docs/dllwz_width.md):

* fully connected, 1811.03804v4 Def. 5.1: ``K^(0) = <x_i, x_j>``,
  ``K^(h) = c_sigma E[sigma(u) sigma(v)]`` over ``(u, v) ~ N(0, A^(h))`` with ``A^(h)`` the
  2x2 block of ``K^(h-1)`` (h < H), and ``K^(H) = c_sigma K^(H-1) E[sigma'(u) sigma'(v)]``;
* ResNet, Def. 6.1 / eq. (8): ``K^(1) = c_sigma E[sigma sigma]``, ``b^(1)_i = sqrt(c_sigma)
  E sigma(u)``; for ``2 <= h <= H-1``
  ``K^(h) = K^(h-1) + E[c_res b_i sigma(u)/H + c_res b_j sigma(v)/H + c_res^2 sigma(u)sigma(v)/H^2]``,
  ``b^(h) = b^(h-1) + c_res/H E sigma(u)``; ``K^(H) = c_res^2/H^2 K^(H-1) E[sigma' sigma']``;
* convolutional ResNet, Def. 7.1 / eq. (10): the same recursion on ``(n p) x (n p)`` matrices
  (one row per input and pixel), where the covariance of the next pre-activations is the
  patch sum ``K_{(i,l),(j,r)} = sum_k Gamma_{(i,l+k),(j,r+k)}`` of the feature Gram ``Gamma``
  (``tr(H_{ij, D_l D_r})`` in the paper), and ``K^(H)_ij = c_res^2/H^2 sum_l K^(H-1)_{(i,l),(j,l)}
  E[sigma'(u_l) sigma'(v_l)]`` (the trace of M^(H)). Our reading of the patch operator, which
  the paper does not pin down: 1-D signals of ``p`` pixels with ``channels`` channels, odd
  patch size ``q``, stride 1, zero padding ``(q-1)/2`` on each side (so
  ``||x|| <= ||phi(x)|| <= sqrt(q) ||x||`` as Sec. 3.3 requires);
* full NTK, 1904.11955 eqs. (6)-(13): ``Sigma^(h) = c_sigma E[sigma sigma]``,
  ``Sigma-dot^(h) = c_sigma E[sigma' sigma']``, ``Theta^(0) = Sigma^(0)``,
  ``Theta^(h) = Theta^(h-1) * Sigma-dot^(h) + Sigma^(h)`` (entrywise products).

Index convention (a documented discrepancy): 1811.03804 prints the last expectation over
``A^(H-1)``; the infinite-width limit of its own G^(H) (eq. 13/14), whose pre-activations
``w^(H).x^(H-1)`` have covariance ``K^(H-1)``, is over ``A^(H)`` (the block of ``K^(H-1)``),
and only this reading is defined at H = 1. We use it; the Monte Carlo tests confirm it. So
``K^(H)_FC = Sigma^(H-1) * Sigma-dot^(H)`` is the h = H term of ``Theta^(H)``, and at H = 1
``K^(1) = c_sigma H_inf = 2 H_inf`` for ReLU (the two-layer Gram of 1810.02054).

Inputs are the rows ``v_i`` of X; every statement is about ``x_i = v_i/||v_i||`` (exact real
arithmetic), as in :mod:`numerics.kernels.two_layer`.

ReLU (rigorous): with ``s = sqrt(a b)`` and ``rho = c/s``, ``E[sigma sigma] = s J1(rho)/(2 pi)``,
``E[sigma' sigma'] = J0(rho)/(2 pi)``, ``E sigma(u) = sqrt(a/(2 pi))``, where
``J1(rho) = rho (pi - arccos rho) + sqrt(1 - rho^2)`` and ``J0(rho) = pi - arccos rho`` are
increasing on [-1, 1] (derivatives ``J0 >= 0`` and ``1/sqrt(1-rho^2) >= 0``), so each is
enclosed by evaluating it in interval arithmetic at the two endpoints of the enclosure of rho
(clipped to [-1, 1], where the true correlation lies). Diagonal entries use the exact
``E sigma(u)^2 = a/2``. The true matrices are symmetric, so each result is intersected with
its transpose.

Smooth activations (float): the same recursions with Gauss-Hermite moments
(:func:`numerics.kernels.gaussian_expectation.bivariate_float`) and the validated ``c_sigma``; the
result is a :class:`DeepGram` with ``rigorous = False`` and no enclosure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.arith import elementary
from numerics.kernels.gaussian_expectation import (bivariate_float, c_sigma, get_activation,
                                           univariate_float)
from numerics.arith.interval import Interval, intersect
from numerics.arith.rounding import down, up
from numerics.arith.interval import sqrt as isqrt
from numerics.kernels.two_layer import normalize_rows

ARCHITECTURES = ("fc", "resnet", "cnn", "ntk")


@dataclass(frozen=True)
class DeepGram:
    """A Gram matrix of a deep recursion.

    ``enclosure``: an Interval matrix containing the exact matrix (rigorous results only);
    ``value``: float midpoints (always present); ``rigorous``: whether ``enclosure`` is a proof;
    ``method``: how it was computed.
    """

    value: np.ndarray
    enclosure: Interval | None
    rigorous: bool
    method: str
    architecture: str
    depth: int
    activation: str


# --------------------------------------------------------------------------- argument checks
def _check_depth(depth) -> int:
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise ValueError(f"depth={depth!r}; allowed: an integer >= 1")
    return int(depth)


def _check_c_res(c_res) -> float:
    c = float(c_res)
    if not (0.0 < c < 1.0):
        raise ValueError(f"c_res={c_res!r}; allowed: a number strictly between 0 and 1 (Sec. 3.3)")
    return c


# --------------------------------------------------------------------------- ReLU moments
def _pi2() -> Interval:
    return elementary.pi_interval() * 2.0


def _clip_unit(R: Interval) -> Interval:
    return Interval._raw(np.clip(R.lo, -1.0, 1.0), np.clip(R.hi, -1.0, 1.0))


def _j_point(r: np.ndarray) -> tuple[Interval, Interval]:
    """Enclosures of J0(r), J1(r) at the exact float points r in [-1, 1].

    Written out endpoint by endpoint (each rounded operation pushed one ulp outward, as in
    numerics.arith.interval): J0 = pi - arccos r >= 0; r J0 uses the sign of the exact point r;
    (1 - r)(1 + r) >= 0 as a product of nonnegative factors.
    """
    A = elementary.arccos(Interval._raw(r, r))
    pi = elementary.pi_interval()
    with np.errstate(under="ignore"):
        j0_lo = np.maximum(down(pi.lo - A.hi), 0.0)
        j0_hi = up(pi.hi - A.lo)
        pos = r >= 0
        p_lo = down(np.where(pos, r * j0_lo, r * j0_hi))
        p_hi = up(np.where(pos, r * j0_hi, r * j0_lo))
        q_lo = down(np.maximum(down(1.0 - r), 0.0) * np.maximum(down(1.0 + r), 0.0))
        q_hi = up(up(1.0 - r) * up(1.0 + r))
        s_lo = np.maximum(down(np.sqrt(np.maximum(q_lo, 0.0))), 0.0)
        s_hi = up(np.sqrt(q_hi))
        j1_lo = down(p_lo + s_lo)
        j1_hi = up(p_hi + s_hi)
    pi_hi = float(pi.hi)
    J0 = Interval._raw(np.clip(j0_lo, 0.0, pi_hi), np.clip(j0_hi, 0.0, pi_hi))
    J1 = Interval._raw(np.clip(j1_lo, 0.0, pi_hi), np.clip(j1_hi, 0.0, pi_hi))
    return J0, J1


def _symmetrize(A: Interval) -> Interval:
    return intersect(A, A.T)


def _diag(A: Interval) -> Interval:
    return Interval._raw(np.diagonal(A.lo).copy(), np.diagonal(A.hi).copy())


def _set_diag(A: Interval, d: Interval) -> Interval:
    lo, hi = A.lo.copy(), A.hi.copy()
    np.fill_diagonal(lo, d.lo)
    np.fill_diagonal(hi, d.hi)
    return Interval._raw(lo, hi)


def relu_moments(K: Interval) -> tuple[Interval, Interval, Interval]:
    """Enclosures of ``E[sigma(u)sigma(v)]``, ``E[sigma'(u)sigma'(v)]`` (N x N) and
    ``E sigma(u)`` (N,) for ReLU, ``(u, v) ~ N(0, [[K_ii, K_ij], [K_ji, K_jj]])``, valid for every
    symmetric PSD matrix inside the interval matrix ``K`` (closed forms: 1904.11955 eqs. 17-20).

    Raises ValueError when a variance K_ii is not bounded away from 0.
    """
    var = _diag(K)
    if (var.lo <= 0).any():
        i = int(np.argmax(var.lo <= 0))
        raise ValueError(f"variance K[{i},{i}] is not bounded away from 0 (lower bound "
                         f"{var.lo[i]!r}); allowed: inputs/patches with nonzero norm")
    S = isqrt(var)
    s = S[:, None] * S[None, :]
    R = _clip_unit(K / s)
    J0_lo, J1_lo = _j_point(R.lo)
    J0_hi, J1_hi = _j_point(R.hi)
    J0 = Interval._raw(J0_lo.lo, J0_hi.hi)
    J1 = Interval._raw(J1_lo.lo, J1_hi.hi)
    two_pi = _pi2()
    E_ss = s * J1 / two_pi
    E_dd = J0 / two_pi
    E_ss = _set_diag(E_ss, var * 0.5)
    E_dd = _set_diag(E_dd, Interval(np.full(var.shape, 0.5)))
    E_s = S / isqrt(two_pi)
    # a Gaussian moment of nonnegative functions is >= 0
    E_ss = Interval._raw(np.maximum(E_ss.lo, 0.0), E_ss.hi)
    E_dd = Interval._raw(np.clip(E_dd.lo, 0.0, 0.5), np.clip(E_dd.hi, 0.0, 0.5))
    return _symmetrize(E_ss), _symmetrize(E_dd), E_s


def _float_moments(name: str, K: Interval, nodes: int):
    act = get_activation(name)
    M = K.mid()
    var = np.diagonal(M).copy()
    a, b = var[:, None], var[None, :]
    E_ss = bivariate_float(act.numpy, act.numpy, a, b, M, nodes)
    E_dd = bivariate_float(act.numpy_derivative, act.numpy_derivative, a, b, M, nodes)
    E_s = univariate_float(act.numpy, var, nodes)
    E_ss = 0.5 * (E_ss + E_ss.T)
    E_dd = 0.5 * (E_dd + E_dd.T)
    pt = lambda x: Interval._raw(x, x.copy())  # noqa: E731 - float values carried as points
    return pt(E_ss), pt(E_dd), pt(E_s)


class _Moments:
    """Dispatches to the rigorous ReLU moments or the float Gauss-Hermite ones."""

    def __init__(self, activation: str, nodes: int):
        self.activation = get_activation(activation).name
        self.rigorous = self.activation == "relu"
        self.nodes = nodes
        cs = c_sigma(self.activation)
        self.c_sigma = cs if self.rigorous else Interval(float(cs.mid()))
        self.sqrt_c_sigma = isqrt(self.c_sigma)

    def __call__(self, K: Interval):
        if self.rigorous:
            return relu_moments(K)
        return _float_moments(self.activation, K, self.nodes)


def _input_gram(X) -> Interval:
    Xn = normalize_rows(X)
    K0 = Xn @ Xn.T
    K0 = _clip_unit(K0)
    n = K0.shape[0]
    K0 = _set_diag(K0, Interval(np.ones(n)))
    return _symmetrize(K0)


def _result(K: Interval, mom: _Moments, arch: str, depth: int, method: str) -> DeepGram:
    return DeepGram(value=K.mid(), enclosure=K if mom.rigorous else None, rigorous=mom.rigorous,
                    method=(method + (": closed forms in interval arithmetic" if mom.rigorous
                                      else f": FLOAT Gauss-Hermite moments ({mom.nodes} nodes per axis)")),
                    architecture=arch, depth=depth, activation=mom.activation)


# --------------------------------------------------------------------------- fully connected
def fc_layer_kernels(X, depth: int, activation: str = "relu", nodes: int = 48):
    """``(Sigma, Sigma_dot)``: lists of the 1904.11955 kernels Sigma^(0..depth) and
    Sigma-dot^(1..depth) (Sigma_dot[0] is None), as Intervals (points for float activations)."""
    depth = _check_depth(depth)
    mom = _Moments(activation, nodes)
    Sigma = [_input_gram(X)]
    Sigma_dot = [None]
    for _ in range(depth):
        E_ss, E_dd, _ = mom(Sigma[-1])
        S = E_ss * mom.c_sigma
        if mom.rigorous:   # c_sigma E sigma(u)^2 = K_ii exactly (c_sigma = 2, E relu^2 = a/2)
            S = _set_diag(S, _diag(Sigma[-1]))
        Sigma.append(_symmetrize(S))
        Sigma_dot.append(_symmetrize(E_dd * mom.c_sigma))
    return Sigma, Sigma_dot, mom


def fc_gram(X, depth: int, activation: str = "relu", nodes: int = 48) -> DeepGram:
    """Du et al.'s K^(H) for the fully connected net (Def. 5.1): Sigma^(H-1) * Sigma-dot^(H)."""
    Sigma, Sigma_dot, mom = fc_layer_kernels(X, depth, activation, nodes)
    K = _symmetrize(Sigma[depth - 1] * Sigma_dot[depth])
    return _result(K, mom, "fc", depth, "1811.03804 Def. 5.1 (K^(H) = c_sigma K^(H-1) E[s's'])")


def ntk_gram(X, depth: int, activation: str = "relu", nodes: int = 48) -> DeepGram:
    """The full NTK Theta^(L) of an L-hidden-layer net (1904.11955 eqs. 6-13): the sum of all
    layers' gradient kernels; lambda_min(Theta^(L)) >= lambda_min(K^(L)) since the other terms are PSD
    (1811.03804v4 App. A, proof of Thm 5.1)."""
    Sigma, Sigma_dot, mom = fc_layer_kernels(X, depth, activation, nodes)
    Theta = Sigma[0]
    for h in range(1, depth + 1):
        Theta = _symmetrize(Theta * Sigma_dot[h] + Sigma[h])
    return _result(Theta, mom, "ntk", depth, "1904.11955 eq. (13) (Theta^(L))")


# --------------------------------------------------------------------------- ResNet
def _residual_step(K: Interval, b: Interval, mom: _Moments, c: float, H: int):
    E_ss, _, E_s = mom(K)
    ch = Interval(c) / H
    cross = b[:, None] * E_s[None, :] + E_s[:, None] * b[None, :]
    K_new = K + ch * cross + (ch * ch) * E_ss
    return _symmetrize(K_new), b + ch * E_s


def _last_layer(K: Interval, mom: _Moments, c: float, H: int) -> Interval:
    _, E_dd, _ = mom(K)
    ch = Interval(c) / H
    return _symmetrize((ch * ch) * K * E_dd)


def resnet_gram(X, depth: int, c_res: float, activation: str = "relu", nodes: int = 48) -> DeepGram:
    """Du et al.'s K^(H) for the ResNet (Def. 6.1, eq. (8)); depth 1 is the fully connected
    net with one hidden layer (there is no residual layer)."""
    H = _check_depth(depth)
    c = _check_c_res(c_res)
    if H == 1:
        g = fc_gram(X, 1, activation, nodes)
        return DeepGram(g.value, g.enclosure, g.rigorous, g.method + " (ResNet with H = 1)",
                        "resnet", 1, g.activation)
    mom = _Moments(activation, nodes)
    K0 = _input_gram(X)
    E_ss, _, E_s = mom(K0)
    K = _symmetrize(mom.c_sigma * E_ss)
    if mom.rigorous:
        K = _set_diag(K, _diag(K0))
    b = mom.sqrt_c_sigma * E_s
    for _ in range(2, H):
        K, b = _residual_step(K, b, mom, c, H)
    K_H = _last_layer(K, mom, c, H)
    return _result(K_H, mom, "resnet", H, "1811.03804 Def. 6.1 (c_res^2/H^2 K^(H-1) E[s's'])")


# --------------------------------------------------------------------------- convolutional ResNet
def _check_cnn(X, channels: int, patch_size: int) -> tuple[int, int]:
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n, channels * pixels), got shape {X.shape}")
    if isinstance(channels, bool) or int(channels) != channels or channels < 1:
        raise ValueError(f"channels={channels!r}; allowed: an integer >= 1")
    if X.shape[1] % channels:
        raise ValueError(f"channels={channels} does not divide the input dimension {X.shape[1]}; "
                         "allowed: X rows of length channels * pixels (channel-major)")
    p = X.shape[1] // channels
    if isinstance(patch_size, bool) or int(patch_size) != patch_size or patch_size < 1 or patch_size % 2 == 0:
        raise ValueError(f"patch_size={patch_size!r}; allowed: an odd integer >= 1")
    if patch_size > p:
        raise ValueError(f"patch_size={patch_size} is larger than the signal ({p} pixels); "
                         f"allowed: patch_size <= {p}")
    return int(channels), p


def patch_sum(G: Interval, n: int, p: int, q: int) -> Interval:
    """``K_{(i,l),(j,r)} = sum_{|k| <= (q-1)/2} G_{(i,l+k),(j,r+k)}`` (zero outside the signal)."""
    half = (q - 1) // 2
    lo = np.pad(G.lo.reshape(n, p, n, p), ((0, 0), (half, half), (0, 0), (half, half)))
    hi = np.pad(G.hi.reshape(n, p, n, p), ((0, 0), (half, half), (0, 0), (half, half)))
    out = None
    for k in range(-half, half + 1):
        s = slice(half + k, half + k + p)
        term = Interval._raw(lo[:, s, :, s], hi[:, s, :, s])
        out = term if out is None else out + term
    return Interval._raw(out.lo.reshape(n * p, n * p), out.hi.reshape(n * p, n * p))


def cnn_gram(X, depth: int, c_res: float, channels: int, patch_size: int,
             activation: str = "relu", nodes: int = 24) -> DeepGram:
    """Du et al.'s K^(H) for the convolutional ResNet (Def. 7.1, eq. (10)); rows of X are
    channel-major signals ``(channels, pixels)``, normalized to ``||x_i||_F = 1``."""
    H = _check_depth(depth)
    c = _check_c_res(c_res)
    ch, p = _check_cnn(X, channels, patch_size)
    Xn = normalize_rows(X)
    n = Xn.shape[0]
    Z = Interval._raw(Xn.lo.reshape(n, ch, p).transpose(0, 2, 1).reshape(n * p, ch),
                      Xn.hi.reshape(n, ch, p).transpose(0, 2, 1).reshape(n * p, ch))
    P = _symmetrize(Z @ Z.T)
    mom = _Moments(activation, nodes)
    K = _symmetrize(patch_sum(P, n, p, patch_size))
    if H >= 2:
        E_ss, _, E_s = mom(K)
        Gamma = _symmetrize(mom.c_sigma * E_ss)
        b = mom.sqrt_c_sigma * E_s
        K = _symmetrize(patch_sum(Gamma, n, p, patch_size))
        for _ in range(2, H):
            E_ss, _, E_s = mom(K)
            chH = Interval(c) / H
            cross = b[:, None] * E_s[None, :] + E_s[:, None] * b[None, :]
            Gamma = _symmetrize(Gamma + chH * cross + (chH * chH) * E_ss)
            b = b + chH * E_s
            K = _symmetrize(patch_sum(Gamma, n, p, patch_size))
        scale = (Interval(c) / H) ** 2
    else:
        scale = mom.c_sigma
    _, E_dd, _ = mom(K)
    M = K * E_dd
    lo = M.lo.reshape(n, p, n, p)
    hi = M.hi.reshape(n, p, n, p)
    idx = np.arange(p)
    Md = Interval._raw(lo[:, idx, :, idx].transpose(1, 2, 0), hi[:, idx, :, idx].transpose(1, 2, 0))
    K_H = _symmetrize(scale * Md.sum(axis=2))
    return _result(K_H, mom, "cnn", H, "1811.03804 Def. 7.1 (c_res^2/H^2 tr M^(H))")


# --------------------------------------------------------------------------- dispatcher
def deep_gram(X, architecture: str, depth: int, activation: str = "relu", c_res: float = 0.5,
              channels: int = 1, patch_size: int = 3, nodes: int = 48) -> DeepGram:
    """K^(H) of `architecture` in {"fc", "resnet", "cnn"}, or Theta^(L) for "ntk"."""
    if architecture == "fc":
        return fc_gram(X, depth, activation, nodes)
    if architecture == "resnet":
        return resnet_gram(X, depth, c_res, activation, nodes)
    if architecture == "cnn":
        return cnn_gram(X, depth, c_res, channels, patch_size, activation, min(nodes, 24))
    if architecture == "ntk":
        return ntk_gram(X, depth, activation, nodes)
    raise ValueError(f"architecture={architecture!r}; allowed: {', '.join(ARCHITECTURES)}")


def gram_lambda_min(gram: DeepGram):
    """A rigorous SpectralEnclosure of lambda_min for a rigorous DeepGram; the float
    eigenvalue (``numpy.linalg.eigvalsh``) for a float one, returned as a plain float."""
    if gram.rigorous:
        from numerics.linalg.spectral import lambda_min_enclosure
        return lambda_min_enclosure(gram.enclosure)
    return float(np.linalg.eigvalsh(gram.value)[0])


def lambda_min_by_depth(X, depths, architecture: str = "resnet", c_res: float = 0.5,
                        activation: str = "relu") -> list[dict]:
    """lambda_min(K^(H)) for each depth H (rigorous enclosures for ReLU), for the H^-2 study."""
    out = []
    for H in depths:
        g = deep_gram(X, architecture, int(H), activation=activation, c_res=c_res)
        lam = gram_lambda_min(g)
        if g.rigorous:
            out.append({"depth": int(H), "lo": float(lam.lo), "hi": float(lam.hi), "rigorous": True,
                        "method": lam.method})
        else:
            out.append({"depth": int(H), "lo": lam, "hi": lam, "rigorous": False, "method": "float eigvalsh"})
    return out
