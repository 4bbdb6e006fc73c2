"""Positive semidefinite matrix completion (Ge, Lee, Ma, NeurIPS 2016, arXiv:1605.07272).

Objective ``f(U) = 1/2 sum_{(i,j) in Omega} ((U U^T)_ij - M_ij)^2`` over the ordered observed
pairs (Omega symmetric, diagonal included), ``U`` in R^{d x r}, ``M = Z Z^T``. Each unordered
pair is observed with probability p. The paper's row-norm regularizer has constants that are
NOT VERIFIED against the paper; it is left out and the theorem's conditions are reported as
such (:mod:`proofs.landscape_families`). Seeded instances are exactly noiseless (Z dyadic,
M computed in integers). The global minima are ``{Z Q}`` whenever Omega determines M.

Global optimality: the planted Z (checked: ``(Z Z^T)_ij = M_ij`` exactly on Omega) and the
orbit distance bound; with at most ``d r`` observed pairs (user data), Newton-Kantorovich on the
residuals ``F_ij = (U U^T)_ij - M_ij`` (i <= j), whose Jacobian rows ``e_i u_j^T + e_j u_i^T``
are Lipschitz with ``||DF(U) - DF(U')||_2 <= sqrt(2 c) ||U - U'||_F``, c the largest number of
observed pairs at one vertex (diagonal pairs counted twice).
"""

from __future__ import annotations

import math

import numpy as np

from numerics.arith.interval import Interval, matmul_enclosure
from numerics.landscape.families.dyadic import dyadic_normal, equals_scaled, exact_float, grid_bits, int_matmul, to_int
from numerics.landscape.families.exact_zero import certify_zero, orbit_distance_upper
from numerics.landscape.families.family import Family, Instance, SizeParam

Z_BITS = 5
SIZES = (
    SizeParam("d", 100, 2, 2000, int, "matrix dimension"),
    SizeParam("r", 3, 1, 50, int, "rank"),
    SizeParam("p", 0.3, 0.0, 1.0, float, "probability that an entry (i <= j) is observed"),
)


def build(size: dict, seed: int) -> Instance:
    d, r, p = size["d"], size["r"], size["p"]
    rng = np.random.default_rng(seed)
    Z = dyadic_normal(rng, (d, r), Z_BITS)
    Zi = to_int(Z, Z_BITS)
    M = exact_float(int_matmul(Zi, Zi.T), 2 * Z_BITS)
    upper = np.triu(rng.random((d, d)) < p)
    mask = upper | upper.T
    return Instance("matrix-completion", {"d": d, "r": r, "p": p}, {"M": np.where(mask, M, 0.0), "mask": mask},
                    {"Z": Z}, seed)


def from_data(arrays: dict, size: dict) -> Instance:
    M = np.asarray(arrays["M"], dtype=np.float64)
    mask = np.asarray(arrays["mask"]).astype(bool)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or mask.shape != M.shape:
        raise ValueError(f"M, mask: got shapes {M.shape}, {mask.shape}; allowed: two (d, d) arrays")
    if not (np.array_equal(mask, mask.T) and np.array_equal(np.where(mask, M, 0), np.where(mask, M, 0).T)):
        raise ValueError("M, mask: allowed: a symmetric mask and symmetric observed entries")
    if not np.isfinite(M[mask]).all():
        raise ValueError("M: allowed: finite observed entries")
    r = size.get("r") or 1
    planted = None
    if "Z" in arrays:
        planted = {"Z": np.asarray(arrays["Z"], dtype=np.float64)}
        r = planted["Z"].shape[1]
    d = M.shape[0]
    return Instance("matrix-completion", {"d": d, "r": r, "p": float(np.triu(mask).sum() / (d * (d + 1) / 2))},
                    {"M": np.where(mask, M, 0.0), "mask": mask}, planted, None, "data")


def shape(inst: Instance) -> tuple[int, int]:
    return (inst.size["d"], inst.size["r"])


def loss_grad(inst: Instance, x: np.ndarray):
    M, mask = inst.data["M"], inst.data["mask"]
    U = x.reshape(shape(inst))
    E = np.where(mask, U @ U.T - M, 0.0)
    return 0.5 * float(np.einsum("ij,ij->", E, E)), (2.0 * (E @ U)).ravel()


def init(inst: Instance, rng) -> np.ndarray:
    M, mask = inst.data["M"], inst.data["mask"]
    diag = np.diagonal(M)[np.diagonal(mask)]
    scale = math.sqrt(max(float(np.mean(diag)) if diag.size else 1.0, 1e-300) / inst.size["r"])
    return (rng.standard_normal(shape(inst)) * scale).ravel()


def success(inst: Instance, x: np.ndarray, reference=None) -> bool:
    M = inst.data["M"]
    return loss_grad(inst, x)[0] <= 1e-12 * 0.5 * float(np.einsum("ij,ij->", M, M))


def _pairs(inst: Instance):
    i, j = np.nonzero(np.triu(inst.data["mask"]))
    return i, j


def _witness(inst: Instance, U: np.ndarray) -> float:
    Z = inst.planted["Z"]
    i, j = _pairs(inst)
    zb = grid_bits(Z)
    Zi = to_int(Z, zb)
    N = np.array([sum(int(a) * int(b) for a, b in zip(Zi[p], Zi[q])) for p, q in zip(i.tolist(), j.tolist())],
                 dtype=object)
    if not equals_scaled(inst.data["M"][i, j], N, 2 * zb):
        raise ValueError("the ground truth Z does not reproduce the observed entries exactly")
    return orbit_distance_upper(U, Z)


def certify(inst: Instance, x: np.ndarray, rel_tol: float = 1e-6):
    U = x.reshape(shape(inst))
    d, r = U.shape
    i, j = _pairs(inst)
    X = matmul_enclosure(U, U.T)
    F = X[i, j] - inst.data["M"][i, j]
    mask = inst.data["mask"]
    c = int((mask.sum(axis=1) + np.diagonal(mask)).max())
    lip = float(np.nextafter(math.sqrt(2.0 * c) * (1 + 2.0 ** -50), np.inf))

    def jacobian():
        m = i.size
        lo, hi = np.zeros((m, d, r)), np.zeros((m, d, r))
        rows = np.arange(m)
        for (a, b) in ((i, j), (j, i)):        # row pair (i, j): e_i u_j^T + e_j u_i^T
            lo[rows, a, :] += U[b]
            hi[rows, a, :] += U[b]
        Jl, Jh = lo.reshape(m, -1), hi.reshape(m, -1)
        return Interval._raw(np.nextafter(Jl, -np.inf), np.nextafter(Jh, np.inf))

    witness = (lambda: _witness(inst, U)) if inst.planted is not None else None
    return certify_zero(residual=F, jacobian=jacobian, unknowns=d * r, lipschitz=lambda rho: lip,
                        witness=witness, witness_note="Z (exact zero; orbit {Z Q})", loss_scale=1.0,
                        rel_tol=rel_tol, scale=float(np.linalg.norm(U)))


def theorem_params(inst: Instance) -> dict:
    return {"d": inst.size["d"], "r": inst.size["r"], "p_obs": inst.size["p"]}


def census(size: dict):
    """Rational rank-1 instance with d <= 4, every entry observed: z = (1, 1/2, -1, 3/2)[:d]."""
    import sympy as sp

    from numerics.landscape.catalog import CatalogEntry

    R = sp.Rational
    d = min(max(size.get("d") or 3, 2), 4)
    u = tuple(sp.Symbol(f"u{i}", real=True) for i in range(1, d + 1))
    z = (1, R(1, 2), -1, R(3, 2))[:d]
    expr = sp.Add(*[(u[a] * u[b] - z[a] * z[b]) ** 2 for a in range(d) for b in range(d)]) / 2
    entry = CatalogEntry(f"matrix-completion-census-d{d}-r1", "1/2 sum_{(i,j) in Omega} (u_i u_j - z_i z_j)^2, "
                         f"z = {list(z)}, every entry observed", expr, u, {v.name: (-2.0, 2.0) for v in u},
                         {"family": "matrix-completion", "d": d, "r": 1, "symmetry": "none",
                          "zeros": [tuple(z), tuple(-v for v in z)]})
    return entry, ("census reaches d = 3, r = 1 in seconds (d = 4 is tried by benchmarks/bench_landscapes.py; "
                   "the builtin matrix-completion-3x1 of `certify saddle` has entries missing and spurious minima)")


FAMILY = Family(
    name="matrix-completion", title="PSD matrix completion", paper="Ge, Lee, Ma, NeurIPS 2016 (arXiv:1605.07272)",
    theorem_ids=("glm2016-matrix-completion",),
    model="f(U) = 1/2 sum_{(i,j) in Omega} ((U U^T)_ij - M_ij)^2, U in R^(d x r)", sizes=SIZES, build=build,
    shape=shape, loss_grad=loss_grad, init=init, success=success, certify=certify, theorem_params=theorem_params,
    census=census, from_data=from_data,
    data_keys="M (d, d) observed entries, mask (d, d) boolean (symmetric), Z (d, r) optional ground truth",
    success_rule="loss <= 1e-12 * ||M_Omega||_F^2 / 2 (float)", census_sizes="d <= 4, r = 1")
