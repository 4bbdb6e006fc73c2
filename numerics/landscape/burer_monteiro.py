"""Burer-Monteiro for the Max-Cut SDP: Riemannian gradient descent on unit-row factors (float).

The SDP ``min <A, X>`` over ``X >= 0`` (PSD) with ``diag X = 1`` (A the weighted adjacency) is
the Max-Cut relaxation: its optimum P gives the SDP bound ``W/2 - P/4`` on the cut (W the
total weight), since ``(1/4) <L, X> = W/2 - <A, X>/4`` when ``diag X = 1``. Burer and Monteiro
write ``X = Y Y^T`` with ``Y`` in R^{n x p} with unit rows (the oblique manifold) and minimize
``f(Y) = <A, Y Y^T>``; Boumal, Voroninski and Bandeira (NeurIPS 2016) show that for
``p (p + 1)/2 > n`` and almost every cost, every second-order critical point is globally
optimal (a statement reported with its tag in :mod:`proofs.landscape_families`).

The method: Riemannian gradient ``g = 2 (A Y - Diag(diag(A Y Y^T)) Y)`` (the Euclidean gradient
projected onto the tangent space of each row's sphere), retraction by row normalization,
Barzilai-Borwein steps with a non-monotone Armijo line search (Grippo-Lampariello-Lucidi,
memory 10). Everything here is float arithmetic: the result is a candidate, which
:mod:`numerics.landscape.maxcut_sdp` certifies (or not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["BMResult", "burer_monteiro", "pataki_rank", "unit_rows"]


def pataki_rank(n: int) -> int:
    """The smallest p with p (p + 1)/2 > n (the Burer-Monteiro rank of Boumal et al.)."""
    p = max(1, int(math.isqrt(2 * n)) - 1)
    while p * (p + 1) // 2 <= n:
        p += 1
    return p


def unit_rows(Y: np.ndarray) -> np.ndarray:
    """Rows scaled to unit norm in float (rows of norm 0 become e_1)."""
    nrm = np.sqrt(np.einsum("ij,ij->i", Y, Y))
    out = Y / np.where(nrm > 0, nrm, 1.0)[:, None]
    zero = nrm == 0
    if zero.any():
        out[zero] = 0.0
        out[zero, 0] = 1.0
    return out


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    # einsum, not BLAS ddot: threaded BLAS level-1 calls on small arrays stall on busy cores
    return float(np.einsum("ij,ij->", a, b))


@dataclass(frozen=True)
class BMResult:
    """A float candidate: ``Y`` (unit rows), ``f = <A, Y Y^T>`` (float), the iterations run, the
    final Riemannian gradient norm and whether the gradient tolerance was reached."""

    Y: np.ndarray
    f: float
    iterations: int
    grad_norm: float
    converged: bool


def burer_monteiro(A, p: int, *, seed: int = 0, Y0: np.ndarray | None = None, max_iter: int = 5000,
                   grad_tol: float = 1e-6) -> BMResult:
    """Minimize ``<A, Y Y^T>`` over unit-row ``Y`` in R^{n x p} from a seeded Gaussian start (or
    ``Y0``) until ``||grad||_F <= grad_tol * max(1, max_i sum_j |A_ij|)`` or ``max_iter``."""
    n = A.shape[0]
    if not (isinstance(p, (int, np.integer)) and p >= 1):
        raise ValueError(f"p={p!r} is not allowed; allowed: an integer rank >= 1")
    if Y0 is None:
        Y = unit_rows(np.random.default_rng(seed).standard_normal((n, int(p))))
    else:
        Y = unit_rows(np.array(Y0, dtype=np.float64))
    deg = float(np.abs(A).sum(axis=1).max()) if n else 0.0
    tol = grad_tol * max(1.0, deg)
    AY = A @ Y
    f = float(np.einsum("ij,ij->", Y, AY))
    alpha = 1.0 / max(deg, 1e-300)
    history = [f]
    Yp = gp = None
    gn = math.inf
    it = 0
    for it in range(max_iter + 1):
        lam = np.einsum("ij,ij->i", AY, Y)
        g = 2.0 * (AY - lam[:, None] * Y)
        gn = math.sqrt(_dot(g, g))
        if gn <= tol or it == max_iter:
            break
        if gp is not None:
            s, yk = Y - Yp, g - gp
            sy = abs(_dot(s, yk))
            if sy > 0:
                alpha = _dot(s, s) / sy
        fref = max(history[-10:])
        a = alpha
        while True:
            Yn = unit_rows(Y - a * g)
            AYn = A @ Yn
            fn = float(np.einsum("ij,ij->", Yn, AYn))
            if fn <= fref - 1e-4 * a * gn * gn or a < 1e-14:
                break
            a *= 0.5
        Yp, gp = Y, g
        Y, AY, f = Yn, AYn, fn
        history.append(f)
    return BMResult(Y, f, it, gn, gn <= tol)
