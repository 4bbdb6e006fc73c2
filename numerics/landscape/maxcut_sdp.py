"""Certified value of the Max-Cut SDP and certified optimality of a Burer-Monteiro point.

Primal: ``P = min <A, X>`` over PSD X with ``diag X = 1`` (A the weighted adjacency, zero
diagonal); the SDP bound on the cut is ``max (1/4) <L, X> = W/2 - P/4`` (W = total weight,
L the Laplacian). Dual (weak duality, derived in docs/maxcut_sdp.md): for any real vector y,
if ``S = A - Diag(y)`` satisfies ``S + mu I >= 0`` then every feasible X has
``<A, X> = <S, X> + sum(y) >= -mu tr X + sum(y) = sum(y) - n mu``. So

* ``P >= sum(y) - n mu`` for the float vector ``y = diag(A Y Y^T)`` (computed in float; any y is
  valid) once ``S + mu I`` is proved positive definite. S has exact float entries (the weights
  and -y), so Rump's shifted Cholesky test of :mod:`numerics.linalg.spectral` applies with a zero
  radius; Gershgorin's bound is the fallback that always succeeds.
* ``P <= <A, X^>`` for the exactly feasible ``X^ = D^{-1/2} Y Y^T D^{-1/2}``, ``D = Diag(Y Y^T)``
  (the rows of Y normalized in real arithmetic), enclosed edge by edge:
  ``<A, X^> = 2 sum_{ij in E} w_ij <y_i, y_j> / (|y_i| |y_j|)``.

The certified interval of the SDP bound on the cut is ``[W/2 - <A, X^>/4, W/2 - (sum(y) - n mu)/4]``;
its width bounds how far ``X^`` is from optimal (``gap``). ``X^`` is *certified optimal* (to
``rel_tol``) when ``gap <= rel_tol * value``.

Cost: O(|E| p) for the enclosures, one n x n buffer (8 n^2 bytes) for S, and one Cholesky
factorization per shift tried (n^3/3 flops; at most two when the first succeeds). The buffer is
rebuilt from the sparse graph for each shift and factored in place (the large-n path: no copy
of S is ever made).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import Interval
from numerics.arith.rounding import ETA, down, gamma_const, round_up_fraction, up
from numerics.landscape.graphs import Graph

__all__ = ["MaxCutSDPCertificate", "certify_maxcut_sdp", "normalized_value_enclosure"]

DENSE_LIMIT = 30_000          # n above this needs more than 7 GB for S: refused


@dataclass(frozen=True)
class MaxCutSDPCertificate:
    """``value``: certified interval of the SDP bound on the cut (every real optimum lies in it).
    ``candidate``: enclosure of the SDP objective ``(1/4) <L, X^>`` at the normalized point.
    ``gap``: upper bound of ``SDP - candidate``. ``status`` is ``certified`` when
    ``gap <= rel_tol * value.lo`` (X^ optimal to within rel_tol), else ``not-certified``."""

    status: str
    value: Interval
    candidate: Interval
    gap: float
    rel_tol: float
    shift: float
    shift_method: str
    n: int
    p: int
    edges: int
    reason: str = ""
    timings: dict = field(default_factory=dict)

    def global_optimality(self) -> dict:
        """The JSON form ``{status, value: [lo, hi], radius, method, ...}`` of the landscape verb."""
        return {"status": self.status, "value": [repr(float(self.value.lo)), repr(float(self.value.hi))],
                "radius": None, "gap": repr(float(self.gap)), "rel_tol": self.rel_tol,
                "candidate_value": [repr(float(self.candidate.lo)), repr(float(self.candidate.hi))],
                "shift": repr(float(self.shift)),
                "method": ("SDP duality: S = A - Diag(diag(A Y Y^T)) with S + mu I proved positive definite "
                           f"({self.shift_method}); primal value of the exactly normalized Y Y^T enclosed"),
                "reason": self.reason}


def _row_dots(Y: np.ndarray, I: np.ndarray, J: np.ndarray, chunk: int = 1 << 20) -> Interval:
    """Enclosures of ``<Y_i, Y_j>`` for the index pairs (I, J): float dot plus
    ``gamma_p/(1 - gamma_p) fl(sum |Y_ik Y_jk|) + 4 p eta`` (Higham 2002, eq. 3.5)."""
    p = Y.shape[1]
    g = Fraction(gamma_const(p))
    c1 = round_up_fraction(g / (1 - g))
    c2 = 4.0 * p * ETA
    lo, hi = np.empty(I.shape[0]), np.empty(I.shape[0])
    step = max(1, chunk // max(p, 1))
    for s in range(0, I.shape[0], step):
        a, b = Y[I[s:s + step]], Y[J[s:s + step]]
        d = np.einsum("ij,ij->i", a, b)
        e = up(up(c1 * np.einsum("ij,ij->i", np.abs(a), np.abs(b))) + c2)
        lo[s:s + step], hi[s:s + step] = down(d - e), up(d + e)
    return Interval._raw(lo, hi)


def normalized_value_enclosure(graph: Graph, Y: np.ndarray) -> tuple[Interval, Interval]:
    """Enclosures of ``<A, X^>`` and of the total weight W, for ``X^`` the rows of Y normalized
    exactly (see the module docstring). Rows of Y must be non-zero."""
    n = graph.n
    all_idx = np.arange(n)
    norms2 = _row_dots(Y, all_idx, all_idx)
    if not (norms2.lo > 0).all():
        raise ValueError("Y: a row is zero (or too small to normalize rigorously); allowed: non-zero rows")
    norms = iv.sqrt(norms2)
    I, J = graph.edges[:, 0], graph.edges[:, 1]
    cos = _row_dots(Y, I, J) / (norms[I] * norms[J])
    cos = Interval._raw(np.maximum(cos.lo, -1.0), np.minimum(cos.hi, 1.0))   # |cos| <= 1 exactly
    w = Interval._raw(graph.weights, graph.weights)
    total = (w * cos).sum() * 2.0
    W = w.sum()
    return Interval._raw(np.asarray(total.lo), np.asarray(total.hi)), Interval._raw(np.asarray(W.lo), np.asarray(W.hi))


def _dense_S(graph: Graph, y: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    n = graph.n
    S = np.zeros((n, n)) if out is None else out
    if out is not None:
        S.fill(0.0)
    I, J = graph.edges[:, 0], graph.edges[:, 1]
    S[I, J] = graph.weights
    S[J, I] = graph.weights
    S[np.arange(n), np.arange(n)] = -y
    return S


def _gershgorin_shift(graph: Graph, y: np.ndarray) -> float:
    """mu >= 0 with lambda_min(A - Diag(y)) >= -mu: Gershgorin's discs, rounded upward."""
    n = graph.n
    deg = np.zeros(n)
    np.add.at(deg, graph.edges[:, 0], graph.weights)
    np.add.at(deg, graph.edges[:, 1], graph.weights)
    g = Fraction(gamma_const(max(n - 1, 1)))
    deg_up = up(deg * round_up_fraction(1 / (1 - g)))        # sums of non-negative terms
    low = down(-y - deg_up)                                   # each disc's left end, rounded down
    return float(max(0.0, float(up(-float(low.min())))))


def _shifts_to_try(mu_max: float, c_rump: float, cheap: bool) -> list[float]:
    """Shifts for the Cholesky test, smallest first: within the gap budget (mu <= mu_max) and,
    when factorizations are cheap, larger ones that still beat Gershgorin's bound."""
    out = []
    if mu_max > 4 * c_rump:
        out += [max(mu_max / 64, 4 * c_rump), mu_max]
    elif mu_max > 0:
        out.append(mu_max)
    if cheap:
        base = max(mu_max, 4 * c_rump)
        out += [base * 32, base * 1024, base * 32768]
    return sorted(set(out))


def certify_maxcut_sdp(graph: Graph, Y: np.ndarray, rel_tol: float = 1e-6) -> MaxCutSDPCertificate:
    """Certify the SDP bound on the cut of ``graph`` and the optimality of ``Y Y^T`` (see the
    module docstring). ``Y``: n x p float array with non-zero rows (a Burer-Monteiro point)."""
    from numerics.linalg.spectral import rump_shift, shifted_cholesky_test

    t0 = time.perf_counter()
    Y = np.asarray(Y, dtype=np.float64)
    n = graph.n
    if Y.ndim != 2 or Y.shape[0] != n or Y.shape[1] < 1:
        raise ValueError(f"Y: got shape {Y.shape}; allowed: ({n}, p) with p >= 1")
    if not np.isfinite(Y).all():
        raise ValueError("Y: allowed: finite entries")
    if not (isinstance(rel_tol, (int, float)) and 0 < rel_tol < 1):
        raise ValueError(f"rel_tol={rel_tol!r} is not allowed; allowed: a number in (0, 1)")
    if n > DENSE_LIMIT:
        raise ValueError(f"n={n} is not allowed; allowed: n <= {DENSE_LIMIT} (S is factored densely)")
    timings = {}
    primal, W = normalized_value_enclosure(graph, Y)
    A = graph.adjacency()
    y = np.einsum("ij,ij->i", A @ Y, Y)
    sum_y = Interval._raw(y, y).sum()
    timings["enclosures"] = time.perf_counter() - t0
    candidate = W * 0.5 - primal * 0.25
    # gap = (primal.hi - (sum_y - n mu))/4: the largest mu that keeps it within rel_tol
    budget = rel_tol * max(float(candidate.lo), 0.0)
    # (0.9: room for the upward rounding of the final interval)
    mu_max = float(down(0.9 * (4 * budget - float(up(float(primal.hi) - float(sum_y.lo)))) / n)) if n else 0.0
    trace = float(up(np.abs(y).sum() * (1 + 4 * n * 2.0 ** -53))) + 1.0
    c_rump = rump_shift(n, trace)
    shift, method = None, ""
    buf = None
    t1 = time.perf_counter()
    for mu in _shifts_to_try(mu_max, c_rump, cheap=n <= 4000):
        buf = _dense_S(graph, y, buf)
        if shifted_cholesky_test(buf, 0.0, -mu, work=buf) is not None:
            shift, method = mu, "shifted Cholesky test (Rump 2006)"
            break
    del buf
    timings["psd_test"] = time.perf_counter() - t1
    if shift is None:
        shift, method = _gershgorin_shift(graph, y), "Gershgorin discs"
    dual = sum_y - float(up(n * shift))                      # P >= dual
    value = Interval._raw(np.asarray(float((W * 0.5 - primal * 0.25).lo)),
                          np.asarray(float((W * 0.5 - dual * 0.25).hi)))
    gap = float(up(float(value.hi) - float(candidate.lo)))
    ok = gap <= budget
    reason = "" if ok else (
        f"the dual certificate needs a shift mu = {shift:.3g} ({method}); the gap {gap:.3g} exceeds "
        f"rel_tol * value = {budget:.3g}: Y Y^T is not proved optimal (not a global optimum, or not "
        "converged far enough)")
    timings["total"] = time.perf_counter() - t0
    return MaxCutSDPCertificate("certified" if ok else "not-certified", value, candidate, gap, float(rel_tol),
                                float(shift), method, n, Y.shape[1], graph.num_edges, reason, timings)
