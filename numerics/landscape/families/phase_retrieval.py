"""Phase retrieval, real case (Sun, Qu, Wright, FoCM 2018, arXiv:1602.06664).

Objective ``f(z) = 1/(2m) sum_k ((a_k . z)^2 - y_k)^2`` with ``y_k = (a_k . x*)^2``. Seeded
instances are exactly noiseless (:mod:`.dyadic`): ``a_k`` and ``x*`` on dyadic grids
(quantized Gaussians), ``y_k`` computed in integers. The global minima are ``+-x*`` (f = 0).

Global optimality of the point found: the planted ``x*`` is checked to be an exact zero of the
residuals ``F_k(z) = (a_k . z)^2 - y_k`` (integers) and ``min(||z - x*||, ||z + x*||)`` is
enclosed; with at most as many measurements as unknowns (user data) Newton-Kantorovich applies
instead, with the Lipschitz bound ``||DF(z) - DF(z')||_2 <= 2 sqrt(sum_k ||a_k||^4) ||z - z'||``.
"""

from __future__ import annotations

import math

import numpy as np

from numerics.arith import interval as iv
from numerics.arith.interval import Interval, matmul_enclosure
from numerics.landscape.families.dyadic import (dyadic_normal, equals_scaled, exact_float, grid_bits, int_matmul,
                                               to_int)
from numerics.landscape.families.exact_zero import certify_zero, orbit_distance_upper
from numerics.landscape.families.family import Family, Instance, SizeParam

A_BITS, X_BITS = 4, 6
SIZES = (
    SizeParam("n", 50, 2, 2000, int, "signal dimension"),
    SizeParam("m", None, 1, 200000, int, "measurements (default 8 n)"),
)


def build(size: dict, seed: int) -> Instance:
    n = size["n"]
    m = size["m"] if size["m"] is not None else 8 * n
    rng = np.random.default_rng(seed)
    a = dyadic_normal(rng, (m, n), A_BITS)
    xs = dyadic_normal(rng, n, X_BITS)
    t = int_matmul(to_int(a, A_BITS), to_int(xs, X_BITS))
    y = exact_float(np.asarray(t, dtype=object) ** 2, 2 * (A_BITS + X_BITS))
    return Instance("phase-retrieval", {"n": n, "m": m}, {"a": a, "y": y}, {"x": xs}, seed)


def from_data(arrays: dict, size: dict) -> Instance:
    a = np.asarray(arrays["a"], dtype=np.float64)
    y = np.asarray(arrays["y"], dtype=np.float64)
    if a.ndim != 2 or y.shape != (a.shape[0],):
        raise ValueError(f"a, y: got shapes {a.shape}, {y.shape}; allowed: a (m, n) and y (m,)")
    planted = {"x": np.asarray(arrays["x"], dtype=np.float64)} if "x" in arrays else None
    return Instance("phase-retrieval", {"n": a.shape[1], "m": a.shape[0]}, {"a": a, "y": y}, planted, None, "data")


def shape(inst: Instance) -> tuple[int, ...]:
    return (1, inst.size["n"])


def loss_grad(inst: Instance, x: np.ndarray):
    a, y = inst.data["a"], inst.data["y"]
    t = a @ x
    e = t * t - y
    m = a.shape[0]
    return float(e @ e) / (2 * m), (2.0 / m) * ((e * t) @ a)


def init(inst: Instance, rng) -> np.ndarray:
    scale = math.sqrt(max(float(np.mean(inst.data["y"])), 1e-300) / inst.size["n"])
    return rng.standard_normal(inst.size["n"]) * scale


def success(inst: Instance, x: np.ndarray, reference=None) -> bool:
    return loss_grad(inst, x)[0] <= 1e-12 * float(np.mean(inst.data["y"] ** 2))


def _witness_distance(inst: Instance, z: np.ndarray) -> float:
    a, y, xs = inst.data["a"], inst.data["y"], inst.planted["x"]
    # exact zero check: y_k == (a_k . x*)^2 in integers, on the stored floats themselves
    ab, xb = grid_bits(a), grid_bits(xs)
    t = int_matmul(to_int(a, ab), to_int(xs, xb))
    if not equals_scaled(y, np.asarray(t, dtype=object) ** 2, 2 * (ab + xb)):
        raise ValueError("the ground truth x does not reproduce the measurements exactly")
    return orbit_distance_upper(z[:, None], xs[:, None])


def certify(inst: Instance, x: np.ndarray, rel_tol: float = 1e-6):
    a = inst.data["a"]
    t = matmul_enclosure(a, x)
    F = t ** 2 - inst.data["y"]
    m, n = a.shape
    lip = float(np.nextafter(2.0 * float(iv.sqrt(((iv.as_interval(a) ** 2).sum(axis=1) ** 2).sum()).hi), np.inf))

    def jacobian():
        return Interval._raw(t.lo[:, None], t.hi[:, None]) * (2.0 * a)

    witness = (lambda: _witness_distance(inst, x)) if inst.planted is not None else None
    return certify_zero(residual=F, jacobian=jacobian, unknowns=n, lipschitz=lambda rho: lip,
                        witness=witness, witness_note="x* (exact zero; orbit {x*, -x*})", loss_scale=m,
                        rel_tol=rel_tol, scale=float(np.linalg.norm(x)))


def theorem_params(inst: Instance) -> dict:
    return {"n": inst.size["n"], "m": inst.size["m"]}


def census(size: dict):
    """Rational instance with n <= 4: x* = (1, 1/2, -1, 3/2)[:n], measurement vectors e_i, then
    e_i + e_j, e_i - e_j, 2 e_i + e_j, ... (m of them; default 2n + 1)."""
    import itertools

    import sympy as sp

    from numerics.landscape.catalog import CatalogEntry

    R = sp.Rational
    n = min(max(size.get("n") or 2, 2), 4)
    m = size.get("m") or 2 * n + 1
    m = min(m, 3 * n * n)
    x = tuple(sp.Symbol(f"x{i}", real=True) for i in range(1, n + 1))
    xs = (1, R(1, 2), -1, R(3, 2))[:n]
    vecs = [tuple(int(i == j) for j in range(n)) for i in range(n)]
    for (i, j), (a, b) in itertools.product(itertools.combinations(range(n), 2), ((1, 1), (1, -1), (2, 1))):
        vecs.append(tuple(a if t == i else b if t == j else 0 for t in range(n)))
    A = vecs[:m]
    expr = sp.Add(*[(sum(c * v for c, v in zip(a, x)) ** 2 - sum(c * v for c, v in zip(a, xs)) ** 2) ** 2
                    for a in A]) / (2 * m)
    entry = CatalogEntry(f"phase-retrieval-census-n{n}-m{m}", f"1/(2m) sum_k ((a_k.x)^2 - (a_k.x*)^2)^2, "
                         f"x* = {list(xs)}, a_k = {A}", expr, x, {v.name: (-2.0, 2.0) for v in x},
                         {"family": "phase-retrieval", "n": n, "m": m, "symmetry": "none",
                          "zeros": [tuple(xs), tuple(-v for v in xs)]})
    return entry, "census reaches n = 2 (m = 5) in seconds; n = 3, 4 are tried by benchmarks/bench_landscapes.py"


FAMILY = Family(
    name="phase-retrieval", title="Phase retrieval (real)", paper="Sun, Qu, Wright, FoCM 2018 (arXiv:1602.06664)",
    theorem_ids=("sqw2018-phase-retrieval",),
    model="f(z) = 1/(2m) sum_k ((a_k . z)^2 - y_k)^2", sizes=SIZES, build=build, shape=shape,
    loss_grad=lambda inst, x: loss_grad(inst, x.ravel()), init=init,
    success=lambda inst, x, ref=None: success(inst, x.ravel(), ref),
    certify=lambda inst, x, tol=1e-6: certify(inst, x.ravel(), tol), theorem_params=theorem_params,
    census=census, from_data=from_data, data_keys="a (m, n) measurement vectors, y (m,) intensities, x (n,) optional "
    "ground truth", success_rule="loss <= 1e-12 * mean(y^2) (float)", census_sizes="n <= 4")
