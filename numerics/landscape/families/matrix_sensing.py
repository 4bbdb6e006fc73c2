"""Low-rank matrix sensing (Bhojanapalli, Neyshabur, Srebro, NeurIPS 2016, arXiv:1605.07221).

Objective ``f(U) = 1/(2m) sum_i (<A_i, U U^T> - y_i)^2``, ``U`` in R^{n x r}, symmetric sensing
matrices ``A_i``, ``y_i = <A_i, Z Z^T>``. Seeded instances are exactly noiseless
(:mod:`.dyadic`): ``A_i = (G_i + G_i^T)/2`` (so ``E <A_i, X>^2 = ||X||_F^2`` for symmetric X, the
normalization of the RIP) and ``Z`` on dyadic grids, ``y`` in integers. The global
minima are the orbit ``{Z Q : Q orthogonal}`` (f = 0).

Global optimality: the planted Z (checked to reproduce y exactly, in integers) and a rigorous
upper bound of ``min_Q ||U - Z Q||_F`` (:func:`.exact_zero.orbit_distance_upper`); with
``m <= n r`` (user data) Newton-Kantorovich on the residuals, Lipschitz bound
``||DF(U) - DF(U')||_2 <= 2 sqrt(sum_i ||A_i||_F^2) ||U - U'||_F`` (the rows of DF are
``vec(2 A_i U)``).
"""

from __future__ import annotations


import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import matmul_enclosure
from numerics.landscape.families.dyadic import (dyadic_normal, equals_scaled, exact_float, grid_bits, int_matmul,
                                               to_int)
from numerics.landscape.families.exact_zero import certify_zero, frobenius_upper, orbit_distance_upper
from numerics.landscape.families.family import Family, Instance, SizeParam

A_BITS, Z_BITS = 3, 5
SIZES = (
    SizeParam("n", 20, 1, 300, int, "matrix dimension"),
    SizeParam("r", 2, 1, 50, int, "rank"),
    SizeParam("m", None, 1, 100000, int, "measurements (default 5 n r)"),
)


def _measure_exact(A: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, int]:
    """(integers N, bits) with ``<A_i, Z Z^T> = N_i 2^-bits`` exactly."""
    ab, zb = grid_bits(A), grid_bits(Z)
    Zi = to_int(Z, zb)
    Mi = int_matmul(Zi, Zi.T)
    N = int_matmul(to_int(A, ab).reshape(A.shape[0], -1), Mi.ravel())
    return N, ab + 2 * zb


def build(size: dict, seed: int) -> Instance:
    n, r = size["n"], size["r"]
    m = size["m"] if size["m"] is not None else 5 * n * r
    rng = np.random.default_rng(seed)
    G = dyadic_normal(rng, (m, n, n), A_BITS)
    A = 0.5 * (G + G.transpose(0, 2, 1))        # E <A_i, X>^2 = ||X||_F^2 for symmetric X
    Z = dyadic_normal(rng, (n, r), Z_BITS)
    N, bits = _measure_exact(A, Z)
    return Instance("matrix-sensing", {"n": n, "r": r, "m": m}, {"A": A, "y": exact_float(N, bits)}, {"Z": Z}, seed)


def from_data(arrays: dict, size: dict) -> Instance:
    A = np.asarray(arrays["A"], dtype=np.float64)
    y = np.asarray(arrays["y"], dtype=np.float64)
    if A.ndim != 3 or A.shape[1] != A.shape[2] or y.shape != (A.shape[0],):
        raise ValueError(f"A, y: got shapes {A.shape}, {y.shape}; allowed: A (m, n, n) and y (m,)")
    if not np.array_equal(A, A.transpose(0, 2, 1)):
        raise ValueError("A: allowed: symmetric sensing matrices (A_i = A_i^T exactly)")
    r = size.get("r") or 1
    planted = None
    if "Z" in arrays:
        Z = np.asarray(arrays["Z"], dtype=np.float64)
        planted, r = {"Z": Z}, Z.shape[1]
    return Instance("matrix-sensing", {"n": A.shape[1], "r": r, "m": A.shape[0]}, {"A": A, "y": y}, planted,
                    None, "data")


def shape(inst: Instance) -> tuple[int, int]:
    return (inst.size["n"], inst.size["r"])


def loss_grad(inst: Instance, x: np.ndarray):
    A, y = inst.data["A"], inst.data["y"]
    U = x.reshape(shape(inst))
    m = A.shape[0]
    e = A.reshape(m, -1) @ (U @ U.T).ravel() - y
    S = np.tensordot(e, A, axes=1)
    return float(e @ e) / (2 * m), ((2.0 / m) * (S @ U)).ravel()


def init(inst: Instance, rng) -> np.ndarray:
    return rng.standard_normal(shape(inst)).ravel()


def success(inst: Instance, x: np.ndarray, reference=None) -> bool:
    return loss_grad(inst, x)[0] <= 1e-12 * float(np.mean(inst.data["y"] ** 2))


def _witness(inst: Instance, U: np.ndarray) -> float:
    N, bits = _measure_exact(inst.data["A"], inst.planted["Z"])
    if not equals_scaled(inst.data["y"], N, bits):
        raise ValueError("the ground truth Z does not reproduce the measurements exactly")
    return orbit_distance_upper(U, inst.planted["Z"])


def certify(inst: Instance, x: np.ndarray, rel_tol: float = 1e-6):
    A, y = inst.data["A"], inst.data["y"]
    U = x.reshape(shape(inst))
    m, n, r = A.shape[0], U.shape[0], U.shape[1]
    X = matmul_enclosure(U, U.T)
    F = matmul_enclosure(A.reshape(m, -1), X.reshape(-1)) - y
    lip = float(np.nextafter(2.0 * frobenius_upper(iv.as_interval(A)), np.inf))

    def jacobian():
        return (matmul_enclosure(A.reshape(m * n, n), U) * 2.0).reshape(m, n * r)

    witness = (lambda: _witness(inst, U)) if inst.planted is not None else None
    return certify_zero(residual=F, jacobian=jacobian, unknowns=n * r, lipschitz=lambda rho: lip,
                        witness=witness, witness_note="Z (exact zero; orbit {Z Q})", loss_scale=m,
                        rel_tol=rel_tol, scale=float(np.linalg.norm(U)))


def theorem_params(inst: Instance) -> dict:
    return {"n": inst.size["n"], "r": inst.size["r"], "m": inst.size["m"]}


def census(size: dict):
    import sympy as sp

    from numerics.landscape.catalog import CatalogEntry

    R = sp.Rational
    u = tuple(sp.Symbol(f"u{i}", real=True) for i in (1, 2))
    z = (1, R(1, 2))
    mats = (((1, 0), (0, 0)), ((0, 1), (1, 0)), ((1, 0), (0, 1)), ((1, 1), (1, -1)))
    resid = [[u[i] * u[j] - z[i] * z[j] for j in range(2)] for i in range(2)]
    expr = sp.Add(*[sp.Add(*[M[i][j] * resid[i][j] for i in range(2) for j in range(2)]) ** 2 for M in mats]) / 8
    entry = CatalogEntry("matrix-sensing-census-n2-r1", f"1/(2m) sum_i <A_i, u u^T - z z^T>^2, z = (1, 1/2), "
                         f"A_i = {list(mats)}", expr, u, {"u1": (-2.0, 2.0), "u2": (-2.0, 2.0)},
                         {"family": "matrix-sensing", "n": 2, "r": 1, "m": 4, "symmetry": "none",
                          "zeros": [tuple(z), tuple(-v for v in z)]})
    return entry, "census reaches n = 2, r = 1 (2 variables)"


FAMILY = Family(
    name="matrix-sensing", title="Low-rank matrix sensing",
    paper="Bhojanapalli, Neyshabur, Srebro, NeurIPS 2016 (arXiv:1605.07221)", theorem_ids=("bns2016-matrix-sensing",),
    model="f(U) = 1/(2m) sum_i (<A_i, U U^T> - y_i)^2, U in R^(n x r)", sizes=SIZES, build=build, shape=shape,
    loss_grad=loss_grad, init=init, success=success, certify=certify, theorem_params=theorem_params, census=census,
    from_data=from_data, data_keys="A (m, n, n) symmetric sensing matrices, y (m,), Z (n, r) optional ground truth",
    success_rule="loss <= 1e-12 * mean(y^2) (float)", census_sizes="n = 2, r = 1")
