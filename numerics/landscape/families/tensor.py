"""Orthogonal tensor decomposition (Ge, Huang, Jin, Yuan, COLT 2015, arXiv:1503.02101).

``T = sum_l a_l^{(x)4}``; objective ``f(U) = sum_{i != j} T(u_i, u_i, u_j, u_j)
= sum_l sum_{i != j} (a_l . u_i)^2 (a_l . u_j)^2`` over ``U`` with unit rows ``u_i`` (d of
them). T is never formed: f is evaluated from the rows ``a_l`` of the stored float matrix A.
Seeded A: an exactly orthogonal dyadic matrix (signed permutation times Householder reflections,
:func:`.dyadic.exact_orthogonal`), so the theorem's orthonormality premise holds exactly.

Global optimality: f >= 0, and for any invertible A the rows ``u*_i = c_pi(i) / ||c_pi(i)||``
built from the columns c_j of ``A^{-1}`` (``a_l . c_j = delta_lj``) make every product
``(a_l . u_i)(a_l . u_j)``, i != j, vanish: an exact global minimizer on the constraint set for
every permutation pi and signs. ``A^{-1}`` is enclosed by :func:`numerics.linalg.solve.verified_solve`,
pi and the signs are read off the point found, and ``||U - U*||_F`` is enclosed.
"""

from __future__ import annotations

import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import matmul_enclosure
from numerics.landscape.families.dyadic import exact_orthogonal
from numerics.landscape.families.exact_zero import frobenius_upper
from numerics.landscape.families.family import (CERTIFIED, NOT_CERTIFIED, UNDECIDED, Family, GlobalOptimality, Instance,
                                                SizeParam)

SIZES = (SizeParam("d", 10, 2, 500, int, "dimension (number of components)"),)


def build(size: dict, seed: int) -> Instance:
    d = size["d"]
    return Instance("tensor", {"d": d}, {"A": exact_orthogonal(d, np.random.default_rng(seed))}, None, seed)


def from_data(arrays: dict, size: dict) -> Instance:
    A = np.asarray(arrays["A"], dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.isfinite(A).all():
        raise ValueError(f"A: got shape {A.shape}; allowed: a finite (d, d) matrix whose rows are the components")
    return Instance("tensor", {"d": A.shape[0]}, {"A": A}, None, None, "data")


def shape(inst: Instance) -> tuple[int, int]:
    return (inst.size["d"], inst.size["d"])


def loss_grad(inst: Instance, x: np.ndarray):
    A = inst.data["A"]
    U = x.reshape(shape(inst))
    P = U @ A.T                       # P_il = u_i . a_l
    Q = P * P
    s = Q.sum(axis=0)
    f = float(np.sum(s * s) - np.sum(Q * Q))
    G = 4.0 * P * (s[None, :] - Q)
    return f, (G @ A).ravel()


def init(inst: Instance, rng) -> np.ndarray:
    U = rng.standard_normal(shape(inst))
    return (U / np.linalg.norm(U, axis=1, keepdims=True)).ravel()


def _matching(inst: Instance, U: np.ndarray):
    P = U @ inst.data["A"].T
    pi = np.argmax(np.abs(P), axis=1)
    signs = np.sign(P[np.arange(P.shape[0]), pi])
    return pi, signs, P


def success(inst: Instance, x: np.ndarray, reference=None) -> bool:
    U = x.reshape(shape(inst))
    pi, _, P = _matching(inst, U)
    return len(set(pi.tolist())) == len(pi) and float(np.min(np.abs(P[np.arange(len(pi)), pi]))) >= 1 - 1e-6


def certify(inst: Instance, x: np.ndarray, rel_tol: float = 1e-6) -> GlobalOptimality:
    from numerics.linalg.solve import NotVerified, verified_solve

    A = inst.data["A"]
    U = x.reshape(shape(inst))
    d = U.shape[0]
    pi, signs, _ = _matching(inst, U)
    if len(set(pi.tolist())) != d:
        return GlobalOptimality(UNDECIDED, None, None, "no exact minimizer matched",
                                {"reason": "the rows of U do not match distinct components "
                                           "(not near a global minimum)"})
    try:
        C = verified_solve(iv.as_interval(A), iv.as_interval(np.eye(d)))     # columns c_j: A c_j = e_j
    except NotVerified as exc:
        return GlobalOptimality(UNDECIDED, None, None, "A^{-1} not enclosed", {"reason": str(exc)})
    Cp = C.T[pi]                                                   # row i: c_pi(i)
    norms = iv.sqrt((Cp ** 2).sum(axis=1))
    Ustar = Cp * signs[:, None] / iv.Interval._raw(norms.lo[:, None], norms.hi[:, None])
    dist = frobenius_upper(iv.as_interval(U) - Ustar)
    f_U = matmul_enclosure(U, A.T) ** 2
    s = f_U.sum(axis=0)
    f_hi = float(((s ** 2).sum() - (f_U ** 2).sum()).hi)
    thr = rel_tol * max(1.0, float(np.linalg.norm(U)))
    if not dist <= thr:
        return GlobalOptimality(NOT_CERTIFIED, (0.0, 0.0), dist, "exact zero from a verified A^{-1}",
                                {"reason": f"the nearest matched exact minimizer is {dist:.3g} away (> {thr:.3g})"})
    return GlobalOptimality(CERTIFIED, (0.0, 0.0), dist,
                            "f >= 0 and an exact zero u*_i = +-c_pi(i)/||c_pi(i)|| (A^{-1} enclosed by a verified "
                            "solve) on the constraint set; ||U - U*||_F enclosed",
                            {"permutation": pi.tolist(), "loss_at_point_upper": repr(max(f_hi, 0.0))})


def theorem_params(inst: Instance) -> dict:
    return {"d": inst.size["d"]}


def census(size: dict):
    return None, "beyond the census: the variables are constrained to spheres (||u_i|| = 1)"


FAMILY = Family(
    name="tensor", title="Orthogonal tensor decomposition", paper="Ge, Huang, Jin, Yuan, COLT 2015 (arXiv:1503.02101)",
    theorem_ids=("ghjy2015-tensor",),
    model="f(U) = sum_{i != j} T(u_i, u_i, u_j, u_j), T = sum_l a_l^(x)4, ||u_i|| = 1", sizes=SIZES, build=build,
    shape=shape, loss_grad=loss_grad, init=init, success=success, certify=certify, theorem_params=theorem_params,
    census=census, manifold="sphere-rows", from_data=from_data, data_keys="A (d, d): rows are the components a_l",
    success_rule="every u_i within 1e-6 of a distinct +-a_l (|u_i . a_l| >= 1 - 1e-6, float)",
    census_sizes="none (sphere-constrained)")
