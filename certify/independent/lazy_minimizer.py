"""Replay of the instance certificate: an exact zero-loss network W* next to the given one.

The argument (Du, Zhai, Poczos, Singh, arXiv:1810.02054v2, Lemmas 3.2-3.4, made deterministic
for one network; the producer's statement is in numerics/instance/lazy_minimizer.py). Model
``u_i(W) = m^(-1/2) sum_r a_r relu(w_r . x_i)``, ``a_r`` in {-1, +1}, ``x_i = v_i / ||v_i||``.
Given the witness - a set S of neurons and weights ``c_r = 2^-k`` (0 <= k <= 12) - put
``s_ri = 1{w_r . x_i > 0}``, ``e = y - u(W)``, ``H_c = (1/m) [sum_{r in S} c_r s_ri s_rj]
x_i . x_j``, ``alpha = H_c^-1 e`` and ``dw_r = m^(-1/2) c_r a_r sum_i s_ri alpha_i x_i`` for r in
S (0 elsewhere). If every ``w_r . x_i`` (r in S) is nonzero and ``|dw_r . x_i| < |w_r . x_i|``,
no moved activation changes sign, so ``u(W + dW) = u(W) + H_c alpha = y``: W* = W + dW has zero
loss, a global minimizer.

How it is replayed here: signs of ``w_r . x_i`` = signs of ``w_r . v_i``, exact integers (one
fmpz_mat product of the integer forms of W and the rows v_i); the predictions u(W) are exact
integer sums scaled by one ball per input; the weighted counts are exact integers; ``x_i . x_j``,
``H_c``, ``alpha`` (Arb's ``arb_mat.solve``, which fails rather than return an unproved
solution), ``dw_r . x_i`` and the distances are Arb balls. Each strict inequality is decided
on balls (true only when certain).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flint import arb, arb_mat, fmpz

from certify.independent.exact import entries, fmpz_matrix, integer_rows

MAX_LEVEL = 12


@dataclass
class LazyReplay:
    """What the replay proved: ``certified`` (W* exists with zero loss) and balls of the
    certificate's quantities (None where not computed)."""

    certified: bool
    reason: str
    balls: dict = field(default_factory=dict)


def _check_witness(S: np.ndarray, c: np.ndarray, m: int) -> str | None:
    if S.ndim != 1 or not np.issubdtype(S.dtype, np.integer) or len(set(S.tolist())) != len(S):
        return "the witness S is not a list of distinct neuron indices"
    if len(S) and (S.min() < 0 or S.max() >= m):
        return f"the witness S has an index outside 0..{m - 1}"
    ok = np.isin(np.asarray(c, dtype=np.float64), 2.0 ** -np.arange(MAX_LEVEL + 1))
    if c.shape != S.shape or not ok.all():
        return f"the witness weights are not one 2^-k (0 <= k <= {MAX_LEVEL}) per neuron of S"
    return None


def _norm(parts: list[arb]) -> arb:
    """A ball containing the Euclidean norm of a vector of balls."""
    sq = arb(0)
    for p in parts:
        sq += p * p
    return sq.nonnegative_part().sqrt()


def replay_lazy_minimizer(X, y, W, a, W0, S, c) -> LazyReplay:
    """Replay the zero-loss point and its distances for the witness (S, c)."""
    X, y, W, a, W0 = (np.asarray(t, dtype=np.float64) for t in (X, y, W, a, W0))
    S, c = np.asarray(S), np.asarray(c, dtype=np.float64)
    n, d = X.shape
    m = W.shape[0]
    bad = _check_witness(S, c, m)
    if bad:
        return LazyReplay(False, bad)
    if not ((a == 1) | (a == -1)).all():
        return LazyReplay(False, "an output weight a_r is not -1 or +1")
    S = S.astype(np.int64)
    Zx, _ = integer_rows(X, per_row=True)
    Xm = fmpz_matrix(Zx)
    g = entries(Xm * Xm.transpose())
    rs = [1 / arb(fmpz(g[i][i])).sqrt() for i in range(n)]
    Zw, Ew = integer_rows(np.vstack([W, W0]), per_row=False)
    two_F = arb(2) ** Ew[0] if Ew[0] >= 0 else 1 / arb(2) ** (-Ew[0])
    P = entries(fmpz_matrix(Zw[:m]) * Xm.transpose())   # w_r . v_i / 2^(F + E_i), exact
    sqrt_m = arb(m).sqrt()
    # predictions u_i and residual e = y - u (exact integer sums, one ball per input)
    e = []
    for i in range(n):
        total = sum(int(a[r]) * P[r][i] for r in range(m) if P[r][i] > 0)
        e.append(arb(float(y[i])) - two_F * arb(fmpz(total)) * rs[i] / sqrt_m)
    balls = {"residual_norm": _norm(e)}
    Srows = [P[r] for r in S.tolist()]
    if any(v == 0 for row in Srows for v in row):
        return LazyReplay(False, "a neuron of S has w_r . x_i = 0 exactly (its sign is not fixed)", balls)
    k = len(S)
    if k * d < n:
        return LazyReplay(False, f"|S| d = {k * d} < n = {n}: H_c is singular", balls)
    # exact weighted counts C_ij = sum_r c_r s_ri s_rj, in units of 2^-12
    cs = [int(round(float(v) * 2 ** MAX_LEVEL)) for v in c]
    pos = [[1 if v > 0 else 0 for v in row] for row in Srows]
    Pm = fmpz_matrix(pos)
    Cm = entries(Pm.transpose() * fmpz_matrix([[cs[t] * v for v in pos[t]] for t in range(k)]))
    G = [[arb(1) if i == j else arb(fmpz(g[i][j])) * rs[i] * rs[j] for j in range(n)] for i in range(n)]
    scale = 1 / (arb(m) * 2 ** MAX_LEVEL)
    Hc = [[G[i][j] * arb(fmpz(Cm[i][j])) * scale for j in range(n)] for i in range(n)]
    balls["H_c"] = Hc
    try:
        alpha = arb_mat(Hc).solve(arb_mat(n, 1, e))
    except ZeroDivisionError:
        return LazyReplay(False, "H_c is not proved nonsingular (Arb solve)", balls)
    al = [alpha[i, 0] for i in range(n)]
    zero = arb(0)
    B = arb_mat([[al[i] if pos[t][i] else zero for i in range(n)] for t in range(k)])
    t_r = [arb(float(c[t])) * int(a[S[t]]) / sqrt_m for t in range(k)]
    D = B * arb_mat(G)                                    # sum_i s_ri alpha_i x_i . x_j
    Z = [[two_F * arb(fmpz(Srows[t][i])) * rs[i] for i in range(n)] for t in range(k)]
    tau = None
    for t in range(k):
        for i in range(n):
            z = abs(Z[t][i])
            tau = z if tau is None else tau.min(z)
            if not abs(D[t, i] * t_r[t]) < z:
                return LazyReplay(False, f"|dw_r . x_i| < |w_r . x_i| not proved (neuron {int(S[t])}, input {i})",
                                  balls)
    balls["tau"] = tau
    Xu = arb_mat([[arb(fmpz(v)) * rs[i] for v in Zx[i]] for i in range(n)])
    dW = B * Xu
    moved = [[two_F * arb(fmpz(Zw[r][j] - Zw[m + r][j])) for j in range(d)] for r in range(m)]
    in_S = {int(r): t for t, r in enumerate(S.tolist())}
    corr, dist, fro_sq = [], [], arb(0)
    for r in range(m):
        t = in_S.get(r)
        if t is None:
            dist.append(_norm(moved[r]))
            continue
        dw = [dW[t, j] * t_r[t] for j in range(d)]
        cn = _norm(dw)
        corr.append(cn)
        fro_sq += cn * cn
        dist.append(_norm([moved[r][j] + dw[j] for j in range(d)]))
    balls["correction_max"] = _fold_max(corr)
    balls["correction_frobenius"] = fro_sq.sqrt()
    balls["distance_from_init_max"] = _fold_max(dist)
    balls["sqrt_m_distance"] = balls["distance_from_init_max"] * sqrt_m
    return LazyReplay(True, "zero-loss point proved: every |dw_r . x_i| < |w_r . x_i|", balls)


def _fold_max(xs: list[arb]) -> arb | None:
    if not xs:
        return None
    out = xs[0]
    for x in xs[1:]:
        out = out.max(x)
    return out
