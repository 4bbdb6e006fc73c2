"""Max-Cut: edge lists, generators, the Burer-Monteiro solver and the certified SDP interval.

Soundness oracles: graphs whose SDP value is known exactly (bipartite: the total weight; the
complete graph K_n: n^2/4; the odd cycle C_n: (n/2)(1 + cos(pi/n))), and for arbitrary graphs and
arbitrary (non-optimal) factors, the two sides of weak duality computed independently in exact
rationals / Arb at 200 bits: the exact value of the normalized point (a lower bound of the SDP
value) and the exact dual bound with an exactly verified eigenvalue bound (an upper bound)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from flint import arb, ctx, fmpq, fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.landscape.burer_monteiro import burer_monteiro, pataki_rank, unit_rows
from numerics.landscape.graphs import (EdgeListError, Graph, _pairs_from_index, gnp, parse_edge_list,
                                       planted_bipartition)
from numerics.landscape.maxcut_sdp import certify_maxcut_sdp
from numerics_oracle import ORACLE_BITS, is_positive_definite_exact, q


# ------------------------------------------------------------------ edge lists
@pytest.mark.parametrize("text, line, words", [
    ("0 1\n1 1\n", 2, "self-loop"),
    ("0 1\n1 2 -0.5\n", 2, "weight '-0.5'"),
    ("0 1 nan\n", 1, "weight 'nan'"),
    ("0 1 inf\n", 1, "weight 'inf'"),
    ("# c\n\n0 1 abc\n", 3, "not a number"),
    ("0 1 2 3\n", 1, "'i j' or 'i j w'"),
    ("0\n", 1, "'i j' or 'i j w'"),
    ("0 1\n-1 2\n", 2, "not a non-negative integer"),
    ("0 1.5\n", 1, "not a non-negative integer"),
    ("0 1\n2 3\n1 0\n", 3, "repeats line 1"),
    ("0 7\n", 1, "out of range"),
])
def test_bad_edge_lines_name_the_line(text, line, words):
    with pytest.raises(EdgeListError) as exc:
        parse_edge_list(text, n=5 if "0 7" in text else None)
    assert exc.value.line == line and words in str(exc.value)


def test_edge_list_defaults_comments_and_orientation():
    g = parse_edge_list("# header\n\n3 1\n0 1 2.5\n  \n2 3 0\n")
    assert g.n == 4 and g.edges.tolist() == [[1, 3], [0, 1], [2, 3]]
    assert g.weights.tolist() == [1.0, 2.5, 0.0]


def test_graph_rejects_repeated_edges():
    with pytest.raises(ValueError, match="repeated"):
        Graph(3, np.array([[0, 1], [0, 1]]), np.ones(2))


def test_pair_ranks_are_inverted_exactly():
    for n in (2, 3, 7, 50):
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        assert _pairs_from_index(np.arange(len(pairs)), n).tolist() == [list(p) for p in pairs]


def test_generators_are_simple_graphs_and_planted_is_bipartite():
    g = gnp(200, 0.05, seed=3)
    assert len({tuple(e) for e in g.edges.tolist()}) == g.num_edges and (g.edges[:, 0] < g.edges[:, 1]).all()
    h, sides = planted_bipartition(200, 0.1, 0.0, seed=4)
    assert h.num_edges > 0 and (sides[h.edges[:, 0]] != sides[h.edges[:, 1]]).all()


# ------------------------------------------------------------------ exact oracles
def _exact_primal(graph: Graph, Y: np.ndarray) -> arb:
    """(1/4) <L, X^> for the exactly normalized rows of Y, in Arb at 200 bits."""
    with ctx.workprec(ORACLE_BITS):
        rows = [[arb(float(v)) for v in r] for r in Y.tolist()]
        norms = [sum((v * v for v in r), arb(0)).sqrt() for r in rows]
        total = arb(0)
        for (i, j), w in zip(graph.edges.tolist(), graph.weights.tolist()):
            c = sum((a * b for a, b in zip(rows[i], rows[j])), arb(0)) / (norms[i] * norms[j])
            total += arb(w) * (1 - c) / 2
        return total


def _exact_dual_upper(graph: Graph, Y: np.ndarray) -> Fraction:
    """W/2 - (sum(y) + n t)/4 with y = diag(A Y Y^T) (floats) and t an exactly verified lower
    bound of lambda_min(A - Diag(y)) (bisection with exact rational PD tests)."""
    A = graph.adjacency().toarray()
    y = np.einsum("ij,ij->i", A @ Y, Y)
    n = graph.n
    S = fmpq_mat([[q(A[i, j]) if i != j else -q(y[i]) for j in range(n)] for i in range(n)])
    lo, hi = Fraction(-float(np.abs(A).sum(axis=1).max() + np.abs(y).max()) - 1), Fraction(float(np.abs(y).max()) + 1)

    def above(t: Fraction) -> bool:
        T = fmpq_mat(S)
        for i in range(n):
            T[i, i] = T[i, i] - fmpq(t.numerator, t.denominator)
        return is_positive_definite_exact(T)

    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if above(mid) else (lo, mid)
    W = sum(Fraction(w) for w in graph.weights.tolist())
    return W / 2 - (sum(Fraction(v) for v in y.tolist()) + n * lo) / 4


def _interval_contains_fraction(c, value: Fraction) -> bool:
    return Fraction(float(c.value.lo)) <= value <= Fraction(float(c.value.hi))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10 ** 6), n=st.integers(3, 9), p=st.integers(1, 4),
       kind=st.sampled_from(["random", "parallel", "tiny", "huge", "converged"]))
def test_interval_is_consistent_with_exact_weak_duality(seed, n, p, kind):
    rng = np.random.default_rng(seed)
    g = gnp(n, 0.6, seed)
    if g.num_edges == 0:
        return
    g = Graph(g.n, g.edges, rng.choice([0.5, 1.0, 3.25], g.num_edges), "test")
    Y = rng.standard_normal((n, p))
    if kind == "parallel":
        Y = np.tile(Y[:1], (n, 1)) + 1e-12 * rng.standard_normal((n, p))
    elif kind == "tiny":
        Y *= 1e-140
    elif kind == "huge":
        Y *= 1e140
    elif kind == "converged":
        Y = burer_monteiro(g.adjacency(), max(p, pataki_rank(n)), seed=seed, grad_tol=1e-9).Y
    c = certify_maxcut_sdp(g, Y)
    primal = _exact_primal(g, Y)
    with ctx.workprec(ORACLE_BITS):
        assert bool(arb(float(c.candidate.lo)) <= primal) and bool(primal <= arb(float(c.candidate.hi)))
        assert bool(primal <= arb(float(c.value.hi)))                 # SDP >= primal of any feasible X
    assert Fraction(float(c.value.lo)) <= _exact_dual_upper(g, Y)      # SDP <= any dual bound


@pytest.mark.parametrize("n, seed", [(40, 0), (120, 1), (300, 2)])
def test_planted_bipartite_interval_contains_the_edge_count(n, seed):
    g, _ = planted_bipartition(n, 0.15, 0.0, seed)
    Y = burer_monteiro(g.adjacency(), pataki_rank(n), seed=seed, grad_tol=1e-8).Y
    c = certify_maxcut_sdp(g, Y)
    assert _interval_contains_fraction(c, Fraction(g.num_edges))
    assert c.status == "certified"


def test_weighted_bipartite_interval_contains_the_total_weight():
    g, _ = planted_bipartition(80, 0.2, 0.0, 5)
    w = np.random.default_rng(5).uniform(0.1, 10.0, g.num_edges)
    g = Graph(g.n, g.edges, w, "weighted")
    Y = burer_monteiro(g.adjacency(), pataki_rank(g.n), seed=1, grad_tol=1e-9).Y
    c = certify_maxcut_sdp(g, Y)
    assert _interval_contains_fraction(c, sum(Fraction(x) for x in w.tolist()))


@pytest.mark.parametrize("n", [5, 6, 11])
def test_complete_graph_interval_contains_n2_over_4(n):
    pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)])
    g = Graph(n, pairs, np.ones(len(pairs)), f"K{n}")
    Y = burer_monteiro(g.adjacency(), pataki_rank(n), seed=0, grad_tol=1e-10).Y
    c = certify_maxcut_sdp(g, Y)
    assert _interval_contains_fraction(c, Fraction(n * n, 4)) and c.status == "certified"


@pytest.mark.parametrize("n", [5, 7, 9])
def test_odd_cycle_interval_contains_the_known_sdp_value(n):
    pairs = np.array([(i, (i + 1) % n) for i in range(n)])
    pairs = np.sort(pairs, axis=1)
    g = Graph(n, pairs, np.ones(n), f"C{n}")
    Y = burer_monteiro(g.adjacency(), pataki_rank(n), seed=0, grad_tol=1e-11, max_iter=20000).Y
    c = certify_maxcut_sdp(g, Y)
    with ctx.workprec(ORACLE_BITS):
        value = arb(n) / 2 * (1 + (arb.pi() / n).cos())
        assert bool(arb(float(c.value.lo)) <= value) and bool(value <= arb(float(c.value.hi)))


# ------------------------------------------------------------------ non-optimal points
@pytest.fixture(scope="module")
def random_graph_and_optimum():
    g = gnp(120, 0.08, 7)
    Y = burer_monteiro(g.adjacency(), pataki_rank(g.n), seed=0, grad_tol=1e-9).Y
    return g, Y, certify_maxcut_sdp(g, Y)


def test_two_optimal_points_give_overlapping_intervals(random_graph_and_optimum):
    g, _, c1 = random_graph_and_optimum
    Y2 = burer_monteiro(g.adjacency(), pataki_rank(g.n), seed=11, grad_tol=1e-9).Y
    c2 = certify_maxcut_sdp(g, Y2)
    assert c1.status == c2.status == "certified"
    assert max(c1.value.lo, c2.value.lo) <= min(c1.value.hi, c2.value.hi)


@pytest.mark.parametrize("rank", [1, 2])
def test_too_small_a_rank_is_not_certified(random_graph_and_optimum, rank):
    g, _, best = random_graph_and_optimum
    Y = burer_monteiro(g.adjacency(), rank, seed=3, grad_tol=1e-10).Y
    c = certify_maxcut_sdp(g, Y)
    assert c.status == "not-certified"
    assert float(c.candidate.hi) < float(best.value.lo)           # it really is worse than the SDP


@pytest.mark.parametrize("size", [1e-3, 1e-2, 1e-1])
def test_a_perturbed_optimum_is_not_certified(random_graph_and_optimum, size):
    g, Y, best = random_graph_and_optimum
    Yp = unit_rows(Y + size * np.random.default_rng(1).standard_normal(Y.shape))
    c = certify_maxcut_sdp(g, Yp)
    assert c.status == "not-certified"
    assert float(c.value.lo) <= float(best.value.hi) and float(best.value.lo) <= float(c.value.hi)


def test_bad_factor_shapes_are_rejected(random_graph_and_optimum):
    g, Y, _ = random_graph_and_optimum
    with pytest.raises(ValueError, match="shape"):
        certify_maxcut_sdp(g, Y[:-1])
    Z = Y.copy()
    Z[3] = 0.0
    with pytest.raises(ValueError, match="zero"):
        certify_maxcut_sdp(g, Z)
