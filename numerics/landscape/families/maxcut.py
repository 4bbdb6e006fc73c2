"""Max-Cut via Burer-Monteiro (Boumal, Voroninski, Bandeira, NeurIPS 2016, arXiv:1606.04970).

The SDP relaxation of Max-Cut written as ``min <A, Y Y^T>`` over unit-row ``Y`` in R^{n x p}
(:mod:`numerics.landscape.burer_monteiro`); the point found is certified by SDP duality
(:mod:`numerics.landscape.maxcut_sdp`): ``value`` is the certified interval of the SDP bound on
the cut, ``max (1/4) <L, X>``. Graphs: G(n, p) (``planted = 0``), a planted bipartition with no
edge inside a side (``planted = 1``: bipartite, so the SDP bound equals the edge count), or an
edge list (``--graph``).
"""

from __future__ import annotations

import numpy as np

from numerics.landscape.burer_monteiro import burer_monteiro, pataki_rank, unit_rows
from numerics.landscape.families.family import (CERTIFIED, Family, GlobalOptimality, Instance,
                                                SizeParam)
from numerics.landscape.graphs import Graph, gnp, planted_bipartition
from numerics.landscape.maxcut_sdp import certify_maxcut_sdp

SIZES = (
    SizeParam("n", 2000, 2, 30000, int, "vertices"),
    SizeParam("prob", None, 0.0, 1.0, float, "edge probability (default 10/n: mean degree about 10)"),
    SizeParam("planted", 0, 0, 1, int, "1: planted bipartition (bipartite graph), 0: G(n, p)"),
    SizeParam("rank", None, 1, 10000, int, "Burer-Monteiro rank p (default: smallest p with p(p+1)/2 > n)"),
)


def _instance(graph: Graph, size: dict, seed, source: str, planted=None) -> Instance:
    rank = size.get("rank") or pataki_rank(graph.n)
    s = {**size, "n": graph.n, "rank": rank, "edges": graph.num_edges}
    return Instance("maxcut", s, {"edges": graph.edges, "weights": graph.weights}, planted, seed, source,
                    {"graph": graph, "A": graph.adjacency()})


def build(size: dict, seed: int) -> Instance:
    n = size["n"]
    prob = size["prob"] if size["prob"] is not None else min(1.0, 10.0 / n)
    if size["planted"]:
        g, sides = planted_bipartition(n, prob, 0.0, seed)
        return _instance(g, {**size, "prob": prob}, seed, "seeded", {"sides": sides})
    return _instance(gnp(n, prob, seed), {**size, "prob": prob}, seed, "seeded")


def from_graph(graph: Graph, size: dict) -> Instance:
    return _instance(graph, {"prob": None, "planted": 0, **size}, None, graph.source or "graph")


def shape(inst: Instance) -> tuple[int, int]:
    return (inst.size["n"], inst.size["rank"])


def loss_grad(inst: Instance, x: np.ndarray):
    A = inst.extra["A"]
    Y = x.reshape(shape(inst))
    AY = A @ Y
    return float(np.einsum("ij,ij->", Y, AY)), (2.0 * AY).ravel()


def init(inst: Instance, rng) -> np.ndarray:
    return unit_rows(rng.standard_normal(shape(inst))).ravel()


def certify(inst: Instance, x: np.ndarray, rel_tol: float = 1e-6) -> GlobalOptimality:
    c = certify_maxcut_sdp(inst.extra["graph"], x.reshape(shape(inst)), rel_tol)
    g = c.global_optimality()
    return GlobalOptimality(c.status, (float(c.value.lo), float(c.value.hi)), None, g["method"],
                            {k: v for k, v in g.items() if k not in ("status", "value", "radius", "method")}
                            | {"timings": {k: round(v, 3) for k, v in c.timings.items()}})


def solve(inst: Instance, seed: int, rel_tol: float = 1e-6, max_iter: int = 20000):
    """Burer-Monteiro from a seeded start, tightening the gradient tolerance until the point is
    certified (or the iterations run out); returns (x, info, certificate)."""
    A = inst.extra["A"]
    Y, used, cert, info = None, 0, None, {}
    tols = (1e-5, 1e-6, 1e-7, 1e-8) if inst.size["n"] <= 4000 else (1e-6, 1e-7, 1e-8)
    for tol in tols:
        r = burer_monteiro(A, inst.size["rank"], seed=seed, Y0=Y, grad_tol=tol, max_iter=max_iter - used)
        Y, used = r.Y, used + r.iterations
        info = {"iterations": used, "grad_norm": r.grad_norm, "grad_tol": tol}
        cert = certify(inst, Y.ravel(), rel_tol)
        if cert.status == CERTIFIED or used >= max_iter:
            break
    return Y.ravel(), info, cert


def success(inst: Instance, x: np.ndarray, reference: GlobalOptimality | None = None) -> bool:
    if reference is None or reference.value is None or inst.size["n"] <= 300:
        return certify(inst, x).status == CERTIFIED
    f = loss_grad(inst, x)[0]
    W = float(inst.data["weights"].sum())
    lo = float(reference.value[0])
    return W / 2 - f / 4 >= lo - 1e-6 * abs(lo)


def theorem_params(inst: Instance) -> dict:
    return {"n": inst.size["n"], "p": inst.size["rank"]}


def census(size: dict):
    return None, "beyond the census: Y is constrained to the oblique manifold (unit rows)"


FAMILY = Family(
    name="maxcut", title="Max-Cut via Burer-Monteiro",
    paper="Boumal, Voroninski, Bandeira, NeurIPS 2016 (arXiv:1606.04970)", theorem_ids=("bvb2016-burer-monteiro",),
    model="min <A, Y Y^T> over Y in R^(n x p) with unit rows; SDP bound on the cut W/2 - <A, Y Y^T>/4",
    sizes=SIZES, build=build, shape=shape, loss_grad=loss_grad, init=init, success=success, certify=certify,
    theorem_params=theorem_params, census=census, manifold="sphere-rows", solve=solve,
    data_keys="--graph edges.txt (one edge a line: i j [w], 0-based)",
    success_rule="n <= 300: the run's point certified optimal; larger n: its float cut-SDP value within 1e-6 of "
                 "the certified lower end for the main point",
    census_sizes="none (manifold-constrained)")
