"""Complete dictionary learning, orthogonal case (Sun, Qu, Wright, IEEE TIT 2017,
arXiv:1511.03607).

``Y = A0 X0`` with ``A0`` exactly orthogonal (:func:`.dyadic.exact_orthogonal`) and ``X0``
Bernoulli(theta)-Gaussian, p samples. Objective on the sphere:
``f(q) = (1/p) sum_k h_mu(q . y_k)``, ``h_mu(z) = mu log cosh(z / mu)`` (recalled, NOT VERIFIED
against the paper; the preconditioning is the identity in the orthogonal case). The target minimizers are ``+-`` the columns of A0 (up to a small bias of
order mu, which is why no exact global minimizer is available).

Global optimality: not applicable (the minimum value of f is not known in closed form and the
minimizers are only approximately the columns of A0). Success of a run (float evidence):
``max_i |q . a_i| >= 0.99``.
"""

from __future__ import annotations

import math

import numpy as np

from numerics.landscape.families.dyadic import exact_orthogonal
from numerics.landscape.families.family import NOT_APPLICABLE, Family, GlobalOptimality, Instance, SizeParam

SIZES = (
    SizeParam("n", 10, 2, 200, int, "dimension"),
    SizeParam("p", 2000, 10, 200000, int, "samples"),
    SizeParam("theta", 0.2, 0.001, 1.0, float, "Bernoulli probability of a non-zero in X0"),
    SizeParam("mu", 0.05, 1e-6, 10.0, float, "smoothing parameter of h_mu"),
)


def build(size: dict, seed: int) -> Instance:
    n, p, theta = size["n"], size["p"], size["theta"]
    rng = np.random.default_rng(seed)
    A0 = exact_orthogonal(n, rng)
    X0 = (rng.random((n, p)) < theta) * rng.standard_normal((n, p))
    return Instance("dictionary", dict(size), {"Y": A0 @ X0}, {"A0": A0}, seed)


def shape(inst: Instance) -> tuple[int, int]:
    return (1, inst.size["n"])


def _logcosh(z: np.ndarray) -> np.ndarray:
    a = np.abs(z)
    return a + np.log1p(np.exp(-2.0 * a)) - math.log(2.0)


def loss_grad(inst: Instance, x: np.ndarray):
    Y, mu = inst.data["Y"], inst.size["mu"]
    q = x.ravel()
    z = (q @ Y) / mu
    p = Y.shape[1]
    return float(mu * _logcosh(z).sum() / p), (Y @ np.tanh(z)) / p


def init(inst: Instance, rng) -> np.ndarray:
    q = rng.standard_normal(inst.size["n"])
    return q / np.linalg.norm(q)


def success(inst: Instance, x: np.ndarray, reference=None) -> bool:
    q = x.ravel() / np.linalg.norm(x)
    return float(np.max(np.abs(inst.planted["A0"].T @ q))) >= 0.99


def certify(inst: Instance, x: np.ndarray, rel_tol: float = 1e-6) -> GlobalOptimality:
    return GlobalOptimality(NOT_APPLICABLE, None, None, "none",
                            {"reason": "the minimum value of the smoothed objective is not known in closed form and "
                                       "its minimizers are only approximately the columns of A0"})


def theorem_params(inst: Instance) -> dict:
    return {"n": inst.size["n"], "p": inst.size["p"], "theta": inst.size["theta"], "mu": inst.size["mu"]}


def census(size: dict):
    return None, "beyond the census: q is constrained to the sphere and h_mu is not polynomial"


FAMILY = Family(
    name="dictionary", title="Complete dictionary learning", paper="Sun, Qu, Wright, IEEE TIT 2017 (arXiv:1511.03607)",
    theorem_ids=("sqw2017-dictionary",), model="f(q) = (1/p) sum_k mu log cosh(q . y_k / mu), ||q|| = 1",
    sizes=SIZES, build=build, shape=shape, loss_grad=loss_grad, init=init, success=success, certify=certify,
    theorem_params=theorem_params, census=census, manifold="sphere-rows",
    success_rule="max_i |q . a_i| >= 0.99 over the columns a_i of A0 (float)", census_sizes="none (sphere-constrained)")
