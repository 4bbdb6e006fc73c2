"""Exact directions of the inputs: which stored rows ``v_i`` are positive or negative multiples of
each other (``x_i = x_j`` or ``x_i = -x_j`` after normalization), decided without rounding.

Method (docs/datasets.md, "Parallel rows"). Write each entry as ``(-1)^s o 2^e`` with ``o`` odd
(:func:`numerics.arith.dyadic.dyadic_parts`, integer operations on the bits). If ``v_j = c v_i``
with ``c != 0`` and both rows are dyadic, the zero patterns agree, the odd parts are proportional
(``o_jk / o_ik`` is one ratio of odd integers) and the exponents differ by one constant ``t``
for every nonzero entry. Hence the *ray key* of a row,

* the odd parts divided by their gcd, each signed relative to the first nonzero entry,
* the exponents minus the exponent of the first nonzero entry,

is equal for two rows exactly when one is a nonzero multiple of the other; the signs of the first
nonzero entries tell a positive multiple (parallel) from a negative one (antiparallel). The keys
are int64 arrays, grouped by sorting: no float arithmetic, no pre-filter, so subnormal entries
and rows scaled by 2^-1000 are decided like any other.
"""

from __future__ import annotations

import numpy as np

from numerics.arith.dyadic import dyadic_parts


def ray_keys(X) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, first_negative)``: ``keys`` (n, 2d) int64, equal for two rows exactly when one is
    a nonzero multiple of the other; ``first_negative`` (n,) bool, the sign of the first nonzero
    entry. Raises ValueError for a zero row or a non-finite entry."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
    negative, odd, exponent = dyadic_parts(X)
    nonzero = odd != 0
    zero_rows = ~nonzero.any(axis=1)
    if zero_rows.any():
        raise ValueError(f"X row {int(np.argmax(zero_rows))} is the zero vector; it has no direction")
    rows = np.arange(X.shape[0])
    first = np.argmax(nonzero, axis=1)
    first_negative = negative[rows, first]
    g = np.gcd.reduce(odd, axis=1)
    signed = np.where(negative != first_negative[:, None], -1, 1) * (odd // g[:, None])
    offsets = np.where(nonzero, exponent - exponent[rows, first][:, None], 0)
    return np.concatenate([signed, offsets], axis=1), first_negative


def ray_classes(X) -> list[list[int]]:
    """The rows grouped by ray (positive multiples of each other: equal ``x_i``), each group sorted,
    groups in order of their first row; rows with no partner form singleton groups."""
    keys, first_negative = ray_keys(X)
    full = np.concatenate([keys, first_negative[:, None].astype(np.int64)], axis=1)
    return _groups(full)


def line_classes(X) -> list[list[tuple[int, bool]]]:
    """The rows grouped by line (nonzero multiples of each other), each member with the sign of
    its first nonzero entry."""
    keys, first_negative = ray_keys(X)
    return [[(i, bool(first_negative[i])) for i in g] for g in _groups(keys)]


def _groups(keys: np.ndarray) -> list[list[int]]:
    if keys.shape[0] == 0:
        return []
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.flatnonzero(np.diff(inverse[order])) + 1
    groups = [sorted(g.tolist()) for g in np.split(order, bounds)]
    return sorted(groups, key=lambda g: g[0])


def parallel_pairs(X) -> list[tuple[int, int, str]]:
    """All pairs ``i < j`` of rows that are exact positive (``"parallel"``) or negative
    (``"antiparallel"``) multiples of each other, sorted."""
    out = []
    for members in line_classes(X):
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                (i, si), (j, sj) = members[a], members[b]
                i, j = min(i, j), max(i, j)
                out.append((i, j, "parallel" if si == sj else "antiparallel"))
    return sorted(out)
