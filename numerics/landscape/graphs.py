"""Weighted graphs for Max-Cut: edge-list files, G(n, p) and planted bipartitions.

A graph on vertices ``0 .. n-1`` is a list of undirected edges ``(i, j)`` with ``i < j`` and
float weights ``w >= 0``; the weights are the exact binary64 values parsed from the file's
decimal text (the problem solved and certified is the one with those float weights). No
self-loops and no repeated edges (in either orientation). The adjacency matrix ``A`` is
symmetric with zero diagonal and ``A_ij = w_ij``; the Laplacian is ``L = Diag(A 1) - A``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["EdgeListError", "Graph", "gnp", "parse_edge_list", "planted_bipartition", "read_edge_list"]

MAX_VERTICES = 1_000_000


class EdgeListError(ValueError):
    """A bad edge-list line: ``line`` (1-based), its text, and what is allowed."""

    def __init__(self, line: int, text: str, reason: str):
        self.line, self.text, self.reason = line, text, reason
        super().__init__(f"line {line}: {text!r}: {reason}")


@dataclass(frozen=True)
class Graph:
    """An undirected weighted graph (see the module docstring); ``source`` says where it came from."""

    n: int
    edges: np.ndarray      # (E, 2) int64, i < j, no repeats
    weights: np.ndarray    # (E,) float64, finite, >= 0
    source: str = ""

    def __post_init__(self):
        e, w = np.asarray(self.edges), np.asarray(self.weights)
        if e.ndim != 2 or e.shape[1] != 2 or w.shape != (e.shape[0],):
            raise ValueError(f"edges/weights: got shapes {e.shape}, {w.shape}; allowed: (E, 2) and (E,)")
        if self.n < 1 or (e.size and (e.min() < 0 or e.max() >= self.n)):
            raise ValueError(f"edges: vertices must lie in 0..{self.n - 1}")
        if e.size and (e[:, 0] >= e[:, 1]).any():
            raise ValueError("edges: every edge must be stored as (i, j) with i < j (no self-loops)")
        if e.size and np.unique(e[:, 0].astype(np.int64) * self.n + e[:, 1]).size != e.shape[0]:
            raise ValueError("edges: an edge is repeated; allowed: each edge once")
        if not (np.isfinite(w).all() and (w >= 0).all()):
            raise ValueError("weights: allowed: finite numbers >= 0")

    @property
    def num_edges(self) -> int:
        return int(self.edges.shape[0])

    def adjacency(self):
        """The symmetric adjacency matrix as a scipy CSR matrix (exact float entries)."""
        from scipy.sparse import csr_matrix
        i, j = self.edges[:, 0], self.edges[:, 1]
        rows = np.concatenate([i, j])
        cols = np.concatenate([j, i])
        vals = np.concatenate([self.weights, self.weights])
        return csr_matrix((vals, (rows, cols)), shape=(self.n, self.n))

    def cut_value(self, signs: np.ndarray) -> float:
        """Float weight of the cut given by ``signs`` in {-1, +1}^n (evidence only)."""
        s = np.asarray(signs)
        return float(self.weights[s[self.edges[:, 0]] != s[self.edges[:, 1]]].sum())


def _parse_line(k: int, raw: str, n_max: int | None):
    parts = raw.split()
    if len(parts) not in (2, 3):
        raise EdgeListError(k, raw, "allowed: 'i j' or 'i j w' (two vertex ids and an optional weight)")
    ids = []
    for t in parts[:2]:
        if not (t.isascii() and t.isdigit()):
            raise EdgeListError(k, raw, f"vertex {t!r} is not a non-negative integer; allowed: 0-based ids")
        v = int(t)
        if v >= (n_max if n_max is not None else MAX_VERTICES):
            bound = n_max if n_max is not None else MAX_VERTICES
            raise EdgeListError(k, raw, f"vertex {v} is out of range; allowed: 0 <= id < {bound}")
        ids.append(v)
    w = 1.0
    if len(parts) == 3:
        try:
            w = float(parts[2])
        except ValueError:
            raise EdgeListError(k, raw, f"weight {parts[2]!r} is not a number; allowed: a finite number >= 0") from None
        if math.isnan(w) or math.isinf(w) or w < 0:
            raise EdgeListError(k, raw, f"weight {parts[2]!r} is not allowed; allowed: a finite number >= 0")
    i, j = ids
    if i == j:
        raise EdgeListError(k, raw, f"self-loop at vertex {i}; allowed: edges between two distinct vertices")
    return min(i, j), max(i, j), w


def parse_edge_list(text: str, n: int | None = None, source: str = "") -> Graph:
    """Parse ``i j [w]`` lines (0-based vertex ids; weight 1 when omitted). Blank lines and lines
    starting with ``#`` are skipped. ``n``: the vertex count (default: largest id + 1).

    Raises :class:`EdgeListError` naming the first bad line: wrong field count, a non-integer
    or out-of-range id, a self-loop, a negative, NaN, infinite or non-numeric weight, or an
    edge already given (in either orientation) on an earlier line.
    """
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_VERTICES):
        raise ValueError(f"n={n!r} is not allowed; allowed: an integer in 1..{MAX_VERTICES}")
    seen: dict[tuple[int, int], int] = {}
    I, J, W = [], [], []
    for k, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        i, j, w = _parse_line(k, line, n)
        if (i, j) in seen:
            raise EdgeListError(k, line, f"edge ({i}, {j}) repeats line {seen[(i, j)]}; allowed: each edge once")
        seen[(i, j)] = k
        I.append(i)
        J.append(j)
        W.append(w)
    if not I and n is None:
        raise EdgeListError(0, "", "the file has no edges; allowed: at least one 'i j [w]' line")
    nv = n if n is not None else max(J) + 1
    edges = np.array([I, J], dtype=np.int64).T.reshape(-1, 2)
    return Graph(nv, edges, np.array(W, dtype=np.float64), source)


def read_edge_list(path, n: int | None = None) -> Graph:
    """:func:`parse_edge_list` on a UTF-8 file."""
    p = Path(path)
    return parse_edge_list(p.read_text(encoding="utf-8"), n, source=f"file {p.name}")


def _pairs_from_index(idx: np.ndarray, n: int) -> np.ndarray:
    """The pairs (i, j), i < j, of the lexicographic ranks ``idx`` in 0 .. n(n-1)/2 - 1."""
    idx = idx.astype(np.int64)
    # row i starts at s(i) = i n - i(i+1)/2; invert with a float guess, then fix exactly
    i = np.floor(n - 0.5 - np.sqrt((n - 0.5) ** 2 - 2.0 * idx)).astype(np.int64)
    i = np.clip(i, 0, n - 2)
    for _ in range(3):
        start = i * n - i * (i + 1) // 2
        i = np.where(start > idx, i - 1, np.where(start + (n - 1 - i) <= idx, i + 1, i))
    start = i * n - i * (i + 1) // 2
    j = idx - start + i + 1
    return np.stack([i, j], axis=1)


def _sample_pairs(n: int, p: float, rng) -> np.ndarray:
    total = n * (n - 1) // 2
    m = int(rng.binomial(total, p))
    idx = np.sort(rng.choice(total, size=m, replace=False))
    return _pairs_from_index(idx, n)


def _check_generator(n, p, name="p"):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= MAX_VERTICES:
        raise ValueError(f"n={n!r} is not allowed; allowed: an integer in 2..{MAX_VERTICES}")
    if not (isinstance(p, (int, float)) and 0 <= p <= 1):
        raise ValueError(f"{name}={p!r} is not allowed; allowed: a probability in [0, 1]")


def gnp(n: int, p: float, seed: int = 0) -> Graph:
    """Erdos-Renyi G(n, p) with unit weights (seeded)."""
    _check_generator(n, p)
    rng = np.random.default_rng(seed)
    e = _sample_pairs(int(n), float(p), rng)
    return Graph(int(n), e, np.ones(e.shape[0]), f"G(n={n}, p={p}), seed {seed}")


def planted_bipartition(n: int, p_out: float, p_in: float = 0.0, seed: int = 0) -> tuple[Graph, np.ndarray]:
    """A random balanced bipartition (sides +1/-1, returned) with each cross pair an edge with
    probability ``p_out`` and each same-side pair with probability ``p_in`` (unit weights).
    ``p_in = 0`` gives a bipartite graph, whose maximum cut (and SDP bound) is its edge count."""
    _check_generator(n, p_out, "p_out")
    _check_generator(n, p_in, "p_in")
    rng = np.random.default_rng(seed)
    sides = np.where(rng.permutation(int(n)) < n // 2, 1, -1)
    cand = []
    for prob, same in ((p_out, False), (p_in, True)):
        if prob == 0:
            continue
        e = _sample_pairs(int(n), float(prob), rng)
        keep = (sides[e[:, 0]] == sides[e[:, 1]]) == same
        cand.append(e[keep])
    e = np.concatenate(cand) if cand else np.zeros((0, 2), dtype=np.int64)
    e = e[np.lexsort((e[:, 1], e[:, 0]))] if e.size else e
    src = f"planted bipartition (n={n}, p_out={p_out}, p_in={p_in}), seed {seed}"
    return Graph(int(n), e, np.ones(e.shape[0]), src), sides
