"""Quadratic-activation networks (Du & Lee, ICML 2018, arXiv:1803.01206).

Model ``f(x; W) = sum_j (w_j . x)^2 = ||W x||^2`` with ``W`` in R^{k x d}; loss
``L(W) = 1/(2n) sum_i (||W x_i||^2 - y_i)^2``. Seeded instances: Gaussian inputs ``x_i`` and
labels of a teacher ``W*`` in R^{k0 x d} (Gaussian entries of variance 1/d), so zero loss is
attainable for every ``k >= sqrt(2n)`` (a rank-r solution with r (r+1)/2 <= n exists:
Barvinok-Pataki; the landscape theorem itself is in :mod:`proofs.landscape_families`).

Global optimality of the point found: Newton-Kantorovich on the n residuals
``F_i(W) = ||W x_i||^2 - y_i`` in the k d unknowns (the labels as stored, no rounding of the
teacher involved). ``DF`` is linear in W with
``||DF(W) - DF(W')||_2 <= ||DF(W - W')||_F <= 2 sqrt(sum_i ||x_i||^4) ||W - W'||_F``, a global
Lipschitz bound. It applies when ``n <= k d`` and the Jacobian has full row rank (which needs
``n <= d (d + 1)/2``).
"""

from __future__ import annotations

import math

import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import Interval, matmul_enclosure
from numerics.landscape.families.exact_zero import certify_zero
from numerics.landscape.families.family import Family, Instance, SizeParam

SIZES = (
    SizeParam("n", 100, 1, 5000, int, "training points"),
    SizeParam("d", 20, 1, 500, int, "input dimension"),
    SizeParam("k", None, 1, 2000, int, "hidden units (default ceil(sqrt(2n)), Du-Lee's width)"),
    SizeParam("k0", None, 1, 500, int, "teacher's hidden units (default d)"),
)


def _resolve(size: dict) -> dict:
    s = dict(size)
    s["k"] = s["k"] if s["k"] is not None else max(1, math.ceil(math.sqrt(2 * s["n"])))
    s["k0"] = s["k0"] if s["k0"] is not None else s["d"]
    return s


def build(size: dict, seed: int) -> Instance:
    s = _resolve(size)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((s["n"], s["d"]))
    Wt = rng.standard_normal((s["k0"], s["d"])) / math.sqrt(s["d"])
    y = np.einsum("ij,ij->i", X @ Wt.T, X @ Wt.T)
    return Instance("quadratic-net", s, {"X": X, "y": y}, {"W_teacher": Wt}, seed)


def from_data(arrays: dict, size: dict) -> Instance:
    X = np.asarray(arrays["X"], dtype=np.float64)
    y = np.asarray(arrays["y"], dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X, y: got shapes {X.shape}, {y.shape}; allowed: X (n, d) and y (n,)")
    s = _resolve({**size, "n": X.shape[0], "d": X.shape[1]})
    return Instance("quadratic-net", s, {"X": X, "y": y}, None, None, "data")


def shape(inst: Instance) -> tuple[int, int]:
    return (inst.size["k"], inst.size["d"])


def loss_grad(inst: Instance, x: np.ndarray):
    X, y = inst.data["X"], inst.data["y"]
    W = x.reshape(shape(inst))
    R = X @ W.T
    e = np.einsum("ij,ij->i", R, R) - y
    n = X.shape[0]
    return float(e @ e) / (2 * n), ((2.0 / n) * (R * e[:, None]).T @ X).ravel()


def init(inst: Instance, rng) -> np.ndarray:
    return (rng.standard_normal(shape(inst)) / math.sqrt(inst.size["d"])).ravel()


def success(inst: Instance, x: np.ndarray, reference=None) -> bool:
    f, _ = loss_grad(inst, x)
    return f <= 1e-12 * float(np.mean(inst.data["y"] ** 2))


def residual(inst: Instance, W: np.ndarray) -> tuple[Interval, Interval]:
    """Enclosures of ``F(W)`` and of ``W x_i`` (n x k)."""
    R = matmul_enclosure(inst.data["X"], W.T)
    F = (R ** 2).sum(axis=1) - inst.data["y"]
    return F, R


def certify(inst: Instance, x: np.ndarray, rel_tol: float = 1e-6):
    X = inst.data["X"]
    W = x.reshape(shape(inst))
    F, R = residual(inst, W)

    def jacobian():
        n, k = R.shape
        J = Interval._raw(R.lo[:, :, None], R.hi[:, :, None]) * (2.0 * X[:, None, :])
        return J.reshape(n, k * X.shape[1])

    norms2 = (iv.as_interval(X) ** 2).sum(axis=1)
    lip = float(up_scale(iv.sqrt((norms2 ** 2).sum()).hi, 2.0))
    return certify_zero(residual=F, jacobian=jacobian, lipschitz=lambda rho: lip, witness=None,
                        witness_note="", loss_scale=X.shape[0], unknowns=W.size, rel_tol=rel_tol,
                        scale=float(np.linalg.norm(W)))


def up_scale(x, c: float) -> float:
    """``c * x`` rounded up (c a power of two is exact)."""
    return float(np.nextafter(float(x) * c, np.inf))


def theorem_params(inst: Instance) -> dict:
    return {"k": inst.size["k"], "d": inst.size["d"], "n": inst.size["n"]}


def census(size: dict):
    """The census instance at d = 2, k <= 2, n <= 4 (rational data; at most 4 variables)."""
    import sympy as sp

    from numerics.landscape.catalog import CatalogEntry

    s = _resolve({**{"n": 3, "d": 2, "k": 2, "k0": 2}, **{k_: v for k_, v in size.items() if v is not None}})
    note = "census reaches d = 2, k <= 2, n <= 4 (at most 4 variables; k = 2 modulo the rotation orbits)"
    if s["d"] != 2 or s["k"] > 2 or s["n"] > 4:
        s = {"n": min(s["n"], 4), "d": 2, "k": min(s["k"], 2)}
    k, n = s["k"], s["n"]
    R = sp.Rational
    names = [f"w{i}{j}" for j in range(1, 3) for i in range(1, k + 1)]   # column-major
    w = {nm: sp.Symbol(nm, real=True) for nm in names}
    W = sp.Matrix(k, 2, lambda i, j: w[f"w{i + 1}{j + 1}"])
    Wt = sp.Matrix([[1, R(1, 2)], [0, 1]])
    pts = ((1, 0), (0, 1), (1, 1), (1, -1))[:n]
    terms = []
    for p in pts:
        xv = sp.Matrix(p)
        terms.append(((W * xv).dot(W * xv) - (Wt * xv).dot(Wt * xv)) ** 2)
    expr = sp.Add(*terms) / (2 * n)
    variables = tuple(w[nm] for nm in names)
    params = {"family": "quadratic-net", "k": k, "d": 2, "n": n,
              "symmetry": "right-rotation" if k == 2 else "none"}
    entry = CatalogEntry(f"quadratic-net-census-k{k}-n{n}",
                         f"1/(2n) sum_i (||W x_i||^2 - y_i)^2, W in R^({k}x2), x_i = {list(pts)}, "
                         "teacher [[1, 1/2], [0, 1]]", expr, variables, {nm: (-2.0, 2.0) for nm in names}, params)
    return entry, note


FAMILY = Family(
    name="quadratic-net", title="Quadratic-activation networks", paper="Du & Lee, ICML 2018 (arXiv:1803.01206)",
    theorem_ids=("dl2018-quadratic-activation-perturbed", "dl2018-quadratic-activation"),
    model="L(W) = 1/(2n) sum_i (||W x_i||^2 - y_i)^2, W in R^(k x d)", sizes=SIZES, build=build,
    shape=shape, loss_grad=loss_grad, init=init, success=success, certify=certify,
    theorem_params=theorem_params, census=census, from_data=from_data,
    data_keys="X (n, d) inputs, y (n,) labels",
    success_rule="loss <= 1e-12 * mean(y^2) (float)",
    census_sizes="d = 2, k <= 2, n <= 4")
