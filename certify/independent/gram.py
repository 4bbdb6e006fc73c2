"""H_inf of the two-layer ReLU network, enclosed entrywise in Arb from the exact stored rows.

For stored float rows v_i (not necessarily unit) and x_i = v_i / ||v_i|| (real arithmetic),
Du et al. (arXiv:1810.02054v2, Sec. 3) define
``H_inf(i, j) = x_i . x_j (pi - arccos(x_i . x_j)) / (2 pi)``.

With per-row integer forms ``v_i = 2^(E_i) z_i`` (:func:`.exact.integer_rows`), the integers
``g_ij = z_i . z_j`` and ``N_i = z_i . z_i`` are exact (one fmpz_mat product), and
``x_i . x_j = g_ij / sqrt(N_i N_j)``. The angle is ``arccos(x_i . x_j) = atan2(sqrt(D_ij),
g_ij)`` with the exact integer ``D_ij = N_i N_j - g_ij^2 >= 0`` (Lagrange's identity), so no
argument ever has to be clamped to [-1, 1] and exactly parallel rows (``D_ij = 0``) give the
exact angle 0 or pi. Every entry is then an Arb ball at the working precision.
"""

from __future__ import annotations

import numpy as np
from flint import arb, arb_mat, fmpz

from certify.independent.exact import entries, fmpz_matrix, integer_rows


def integer_gram(V: np.ndarray) -> list[list[int]]:
    """The exact integers g_ij = z_i . z_j of the per-row integer forms of the rows of V."""
    Z, _ = integer_rows(V, per_row=True)
    Zm = fmpz_matrix(Z)
    return entries(Zm * Zm.transpose())


def parallel_pairs(g: list[list[int]]) -> list[tuple[int, int, str]]:
    """(i, j, "parallel" | "antiparallel") for i < j with g_ij^2 = N_i N_j (Cauchy-Schwarz with
    equality: the rows are multiples of each other), decided exactly."""
    n = len(g)
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            if g[i][j] * g[i][j] == g[i][i] * g[j][j]:
                out.append((i, j, "parallel" if g[i][j] > 0 else "antiparallel"))
    return out


def unit_gram(g: list[list[int]]) -> list[list[arb]]:
    """Balls of x_i . x_j (exact 1 on the diagonal)."""
    n = len(g)
    rs = [1 / arb(fmpz(g[i][i])).sqrt() for i in range(n)]
    out = [[arb(0)] * n for _ in range(n)]
    for i in range(n):
        out[i][i] = arb(1)
        for j in range(i + 1, n):
            out[i][j] = out[j][i] = arb(fmpz(g[i][j])) * rs[i] * rs[j]
    return out


def h_inf(g: list[list[int]]) -> list[list[arb]]:
    """Balls of H_inf(i, j) for the rows whose integer Gram matrix is g (symmetric, exact
    diagonal 1/2)."""
    n = len(g)
    rs = [1 / arb(fmpz(g[i][i])).sqrt() for i in range(n)]
    pi = arb.pi()
    two_pi = 2 * pi
    half = arb(1) / 2
    out = [[half] * n for _ in range(n)]
    for i in range(n):
        Ni = g[i][i]
        row = g[i]
        for j in range(i + 1, n):
            gij = row[j]
            D = fmpz(Ni) * fmpz(g[j][j]) - fmpz(gij) * fmpz(gij)
            if gij == 0:
                h = arb(0)
            elif D == 0:                     # parallel (c = 1) or antiparallel (c = -1): exact
                h = half if gij > 0 else arb(0)
            else:
                theta = arb.atan2(arb(D).sqrt(), arb(fmpz(gij)))
                c = arb(fmpz(gij)) * rs[i] * rs[j]
                h = c * (pi - theta) / two_pi
            out[i][j] = out[j][i] = h
    return out


def as_arb_mat(rows: list[list[arb]]) -> arb_mat:
    return arb_mat(rows)
