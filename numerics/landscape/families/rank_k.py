"""Rank-k approximation (Baldi & Hornik 1989; the symmetric form).

Objective ``f(U) = 1/2 ||M - U U^T||_F^2`` with ``U`` in R^{d x k} and M symmetric. Seeded
instances: ``M = Z Z^T + s N N^T / d`` (PSD, Gaussian Z in R^{d x k}, N in R^{d x d}, noise
level s). Its minimum (Eckart-Young for the PSD rank-k part) is
``1/2 (||M||_F^2 - sum_{i <= k} max(lambda_i, 0)^2)`` with ``lambda_1 >= ... >= lambda_d`` the
eigenvalues of M: the tail of the spectrum.

Global optimality: ``f(U)`` at the point found is enclosed, the tail is enclosed with verified
eigenvalue enclosures (:mod:`numerics.linalg.eigenvalue_inclusion`), and the point is certified
when ``f(U) - tail <= rel_tol * max(tail, 1e-10 ||M||_F^2)``. ``value`` is the certified
interval of the tail (the global minimum); there is no radius (the minimizers form orbits, and
the value is what is certified).
"""

from __future__ import annotations

import math

import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import Interval, matmul_enclosure
from numerics.landscape.families.family import (CERTIFIED, NOT_CERTIFIED, UNDECIDED, Family, GlobalOptimality,
                                                Instance, SizeParam)

SIZES = (
    SizeParam("d", 200, 1, 3000, int, "matrix dimension"),
    SizeParam("k", 5, 1, 3000, int, "rank of the factor U"),
    SizeParam("noise", 0.5, 0.0, 100.0, float, "noise level s of M = Z Z^T + s N N^T / d"),
)


def build(size: dict, seed: int) -> Instance:
    d, k, s = size["d"], size["k"], size["noise"]
    if k > d:
        raise ValueError(f"size k={k} is not allowed; allowed: k <= d = {d}")
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((d, k))
    N = rng.standard_normal((d, d))
    M = Z @ Z.T + (s / d) * (N @ N.T)
    M = 0.5 * (M + M.T)          # exactly symmetric
    return Instance("rank-k", {"d": d, "k": k, "noise": s}, {"M": M}, None, seed)


def from_data(arrays: dict, size: dict) -> Instance:
    M = np.asarray(arrays["M"], dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or not np.isfinite(M).all() or not np.array_equal(M, M.T):
        raise ValueError(f"M: got shape {M.shape}; allowed: a finite, exactly symmetric (d, d) matrix")
    k = size.get("k") or 1
    if k > M.shape[0]:
        raise ValueError(f"size k={k} is not allowed; allowed: k <= d = {M.shape[0]}")
    return Instance("rank-k", {"d": M.shape[0], "k": k, "noise": None}, {"M": M}, None, None, "data")


def shape(inst: Instance) -> tuple[int, int]:
    return (inst.size["d"], inst.size["k"])


def loss_grad(inst: Instance, x: np.ndarray):
    M = inst.data["M"]
    U = x.reshape(shape(inst))
    E = U @ U.T - M
    return 0.5 * float(np.einsum("ij,ij->", E, E)), (2.0 * (E @ U)).ravel()


def init(inst: Instance, rng) -> np.ndarray:
    scale = math.sqrt(max(float(np.trace(inst.data["M"])), 1e-300) / inst.data["M"].shape[0])
    return (rng.standard_normal(shape(inst)) * scale / math.sqrt(inst.size["k"])).ravel()


def success(inst: Instance, x: np.ndarray, reference=None) -> bool:
    f = loss_grad(inst, x)[0]
    if reference is not None and reference.value is not None:
        tail = float(reference.value[1])
    else:
        w = np.linalg.eigvalsh(inst.data["M"])[::-1]
        tail = 0.5 * float(np.sum(w ** 2) - np.sum(np.maximum(w[:inst.size["k"]], 0) ** 2))
    return f <= tail + 1e-8 * max(tail, 1e-10 * float(np.sum(inst.data["M"] ** 2)))


def tail_enclosure(M: np.ndarray, k: int) -> tuple[Interval, Interval]:
    """Enclosures of ``1/2 (||M||_F^2 - sum_{i<=k} max(lambda_i, 0)^2)`` and of ``||M||_F^2``."""
    from numerics.linalg.eigenvalue_inclusion import symmetric_eigenvalues_enclosure

    lam = symmetric_eigenvalues_enclosure(M)[:k]
    pos = Interval._raw(np.maximum(lam.lo, 0.0), np.maximum(lam.hi, 0.0))
    frob2 = (iv.as_interval(M) ** 2).sum()
    return (frob2 - (pos ** 2).sum()) * 0.5, frob2


def certify(inst: Instance, x: np.ndarray, rel_tol: float = 1e-6) -> GlobalOptimality:
    M = inst.data["M"]
    U = x.reshape(shape(inst))
    E = matmul_enclosure(U, U.T) - M
    f = (E ** 2).sum() * 0.5
    try:
        tail, frob2 = tail_enclosure(M, inst.size["k"])
    except ValueError as exc:
        return GlobalOptimality(UNDECIDED, None, None, "verified eigenvalues", {"reason": str(exc)})
    lo = max(float(tail.lo), 0.0)
    hi = float(tail.hi)
    thr = rel_tol * max(hi, 1e-10 * float(frob2.hi))
    gap = float(np.nextafter(float(f.hi) - lo, np.inf))
    details = {"loss_at_point": [repr(float(f.lo)), repr(float(f.hi))], "gap": repr(gap), "rel_tol": rel_tol}
    ok = gap <= thr
    if not ok:
        details["reason"] = f"f(U) - tail <= {gap:.3g} exceeds the tolerance {thr:.3g}: U is not proved optimal"
    return GlobalOptimality(CERTIFIED if ok else NOT_CERTIFIED, (lo, hi), None,
                            "Eckart-Young: the minimum is the enclosed tail 1/2 (||M||_F^2 - sum_{i<=k} "
                            "lambda_i^2), eigenvalues by Ostrowski and Weyl; f(U) enclosed", details)


def theorem_params(inst: Instance) -> dict:
    return {"d": inst.size["d"], "k": inst.size["k"]}


def census(size: dict):
    from numerics.landscape.catalog import matrix_factorization

    d = min(max(size.get("d") or 3, 1), 6)
    entry = matrix_factorization(d, 1)
    entry.params.update({"family": "rank-k", "d": d, "k": 1, "symmetry": "none"})
    return entry, ("census reaches d <= 3, k = 1 in seconds (rank-1 M, so the minimum is 0; larger d are tried by "
                   "benchmarks/bench_landscapes.py; d x 2 via `certify saddle`)")


FAMILY = Family(
    name="rank-k", title="Rank-k approximation", paper="Baldi & Hornik, Neural Networks 2:53-58 (1989)",
    theorem_ids=("bh1989-rank-k",), model="f(U) = 1/2 ||M - U U^T||_F^2, U in R^(d x k)", sizes=SIZES, build=build,
    shape=shape, loss_grad=loss_grad, init=init, success=success, certify=certify, theorem_params=theorem_params,
    census=census, from_data=from_data, data_keys="M (d, d) symmetric matrix (size key k sets the rank)",
    success_rule="f(U) <= tail (1 + 1e-8), the tail certified for the main point (float comparison)",
    census_sizes="d <= 6, k = 1")
