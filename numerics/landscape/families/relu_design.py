"""One-hidden-layer ReLU networks via landscape design (Ge, Lee, Ma, ICLR 2018, arXiv:1711.00501).

Teacher ``y = a*^T relu(B* x)`` with ``x ~ N(0, I_d)``, ``a* > 0`` and B* with orthonormal rows
(m <= d; seeded B*: rows of an exactly orthogonal dyadic matrix, :func:`.dyadic.exact_orthogonal`).
The designed objective, in its population form for orthonormal B*, is evaluated as

``G(B) = sum_i a_i sum_{j != k} <b*_i, b_j>^2 <b*_i, b_k>^2 - mu sum_i a_i sum_j <b*_i, b_j>^4
+ lambda sum_j (||b_j||^2 - 1)^2``.

This is the closed form of eq. (2.7) derived in docs/landscape_design.md (checked there against the
Hermite-tensor sample estimator by Monte Carlo), divided by the positive constant ``sqrt(6) |s4|``
(``s4 = -1/sqrt(48 pi)``), with the paper's weights mapped as ``mu = mu_paper / 12`` and
``lambda = lambda_paper / (sqrt(6) |s4|)``; a positive rescaling leaves every critical point and
its type unchanged (tests/numerics/landscape/test_families.py compares the two forms). The paper
estimates G from samples with degree-4 Hermite polynomials; here the population form is used, so
the runs test the landscape, not the estimator. The theorem's constants (``mu <= c / kappa*``,
``lambda >= a*_max / c`` for the paper's normalization, whose printed closed form differs from the
derived one by a factor 2) are kept as the symbols ``c_mu``, ``c_lambda`` that the user supplies.

Global optimality: not applicable (the minimum value of G is not known in closed form).
Success of a run (float evidence): every b*_i is matched by a distinct row b_j with
``|<b*_i, b_j>| >= 0.99`` and ``| ||b_j|| - 1 | <= 0.1``.
"""

from __future__ import annotations

import numpy as np

from numerics.landscape.families.dyadic import exact_orthogonal
from numerics.landscape.families.family import NOT_APPLICABLE, Family, GlobalOptimality, Instance, SizeParam

SIZES = (
    SizeParam("d", 10, 1, 500, int, "input dimension"),
    SizeParam("m", None, 1, 500, int, "hidden units of the teacher and the student (m <= d; default d)"),
    SizeParam("mu", 0.1, 0.0, 100.0, float, "weight of the designed -mu sum a_i <b*_i, b_j>^4 term"),
    SizeParam("lam", 10.0, 0.0, 1e6, float, "weight lambda of the norm penalty"),
)


def build(size: dict, seed: int) -> Instance:
    d = size["d"]
    m = size["m"] if size["m"] is not None else d
    if m > d:
        raise ValueError(f"size m={m} is not allowed; allowed: m <= d = {d}")
    rng = np.random.default_rng(seed)
    Bs = exact_orthogonal(d, rng)[:m].copy()
    a = rng.uniform(1.0, 2.0, m)
    return Instance("relu-design", {**size, "m": m}, {"B_star": Bs, "a_star": a}, None, seed)


def shape(inst: Instance) -> tuple[int, int]:
    return (inst.size["m"], inst.size["d"])


def loss_grad(inst: Instance, x: np.ndarray):
    Bs, a = inst.data["B_star"], inst.data["a_star"]
    mu, lam = inst.size["mu"], inst.size["lam"]
    B = x.reshape(shape(inst))
    C = Bs @ B.T                        # C_ij = <b*_i, b_j>
    Q = C * C
    s = Q.sum(axis=1)
    n2 = np.einsum("ij,ij->i", B, B) - 1.0
    f = float(a @ (s * s - (Q * Q).sum(axis=1)) - mu * a @ (Q * Q).sum(axis=1) + lam * n2 @ n2)
    GC = 4.0 * a[:, None] * C * (s[:, None] - Q) - 4.0 * mu * a[:, None] * C ** 3
    g = GC.T @ Bs + 4.0 * lam * n2[:, None] * B
    return f, g.ravel()


def init(inst: Instance, rng) -> np.ndarray:
    B = rng.standard_normal(shape(inst))
    return (B / np.sqrt(inst.size["d"])).ravel()


def success(inst: Instance, x: np.ndarray, reference=None) -> bool:
    B = x.reshape(shape(inst))
    C = np.abs(inst.data["B_star"] @ B.T) / np.maximum(np.linalg.norm(B, axis=1), 1e-300)[None, :]
    j = np.argmax(C, axis=1)
    norms = np.linalg.norm(B[j], axis=1)
    return (len(set(j.tolist())) == len(j) and bool((C[np.arange(len(j)), j] >= 0.99).all())
            and bool((np.abs(norms - 1) <= 0.1).all()))


def certify(inst: Instance, x: np.ndarray, rel_tol: float = 1e-6) -> GlobalOptimality:
    return GlobalOptimality(NOT_APPLICABLE, None, None, "none",
                            {"reason": "the minimum value of the designed objective is not known in closed form"})


def theorem_params(inst: Instance) -> dict:
    return {"d": inst.size["d"], "m": inst.size["m"], "mu": inst.size["mu"], "lambda": inst.size["lam"]}


def census(size: dict):
    import sympy as sp

    from numerics.landscape.catalog import CatalogEntry

    R = sp.Rational
    names = ("b11", "b12", "b21", "b22")
    b = {nm: sp.Symbol(nm, real=True) for nm in names}
    B = sp.Matrix([[b["b11"], b["b12"]], [b["b21"], b["b22"]]])
    a, mu, lam = (1, R(3, 2)), R(1, 10), 1
    C = B.T                                # B* = I: C_ij = <e_i, b_j> = B_ji
    expr = sp.Integer(0)
    for i in range(2):
        expr += a[i] * sum(C[i, j] ** 2 * C[i, k] ** 2 for j in range(2) for k in range(2) if j != k)
        expr -= mu * a[i] * sum(C[i, j] ** 4 for j in range(2))
    expr += lam * sum((B[j, 0] ** 2 + B[j, 1] ** 2 - 1) ** 2 for j in range(2))
    entry = CatalogEntry("relu-design-census-d2", "designed objective G(B), B* = I, a* = (1, 3/2), mu = 1/10, "
                         "lambda = 1", sp.expand(expr), tuple(b[nm] for nm in names), {nm: (-1.5, 1.5) for nm in names},
                         {"family": "relu-design", "d": 2, "m": 2, "symmetry": "none"})
    return entry, "census reaches d = m = 2 (4 variables)"


FAMILY = Family(
    name="relu-design", title="ReLU networks via landscape design",
    paper="Ge, Lee, Ma, ICLR 2018 (arXiv:1711.00501)", theorem_ids=("glm2018-landscape-design",),
    model="G(B) = sum_i a_i sum_{j != k} <b*_i,b_j>^2 <b*_i,b_k>^2 - mu sum_i a_i sum_j <b*_i,b_j>^4 "
          "+ lambda sum_j (||b_j||^2 - 1)^2", sizes=SIZES, build=build, shape=shape, loss_grad=loss_grad, init=init,
    success=success, certify=certify, theorem_params=theorem_params, census=census,
    success_rule="each b*_i matched by a distinct b_j with |cos| >= 0.99 and | ||b_j|| - 1 | <= 0.1 (float)",
    census_sizes="d = m = 2")
