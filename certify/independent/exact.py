"""Exact integer forms of float arrays, and exact dyadic forms of Arb balls.

A finite binary64 number is ``M 2^t`` with an integer ``|M| < 2^53``. For an array, choosing one
exponent ``E`` per row (or one for the whole array) turns every entry into the integer
``M 2^(t - E)``; products and sums of these integers are then exact (python-flint ``fmpz`` /
``fmpz_mat``, FLINT's C code), and only the final scaling by powers of two remains.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from flint import arb, fmpz, fmpz_mat


def _mantissas(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer mantissas M (int64, |M| < 2^53) and exponents t with A = M 2^t exactly."""
    f, e = np.frexp(A)
    M = np.ldexp(f, 53).astype(np.int64)         # exact: |f| in [1/2, 1), 53 significant bits
    return M, e.astype(np.int64) - 53


def integer_rows(A: np.ndarray, per_row: bool = True) -> tuple[list[list[int]], list[int]]:
    """(Z, E) with ``A[i, k] = Z[i][k] * 2**E[i]`` exactly (Python ints); one exponent per row,
    or the same exponent for every row when ``per_row`` is False. A must be finite float64."""
    A = np.asarray(A, dtype=np.float64)
    if not np.isfinite(A).all():
        raise ValueError("an array with a non-finite entry has no integer form")
    M, t = _mantissas(A)
    t = np.where(M == 0, np.iinfo(np.int64).max, t)
    if per_row:
        E = t.min(axis=1) if A.shape[1] else np.zeros(A.shape[0], dtype=np.int64)
    else:
        E = np.full(A.shape[0], t.min() if A.size else 0, dtype=np.int64)
    E = np.where(E == np.iinfo(np.int64).max, 0, E)
    Z = []
    for i in range(A.shape[0]):
        row = []
        for mant, exp in zip(M[i].tolist(), t[i].tolist()):
            row.append(0 if mant == 0 else mant << (exp - int(E[i])))
        Z.append(row)
    return Z, [int(x) for x in E]


def fmpz_matrix(rows: list[list[int]]) -> fmpz_mat:
    n = len(rows)
    d = len(rows[0]) if n else 0
    return fmpz_mat(n, d, [v for row in rows for v in row])


def entries(M: fmpz_mat) -> list[list[int]]:
    """The entries of an fmpz_mat as Python ints, row by row."""
    flat = [int(x) for x in M.entries()]
    d = M.ncols()
    return [flat[i * d:(i + 1) * d] for i in range(M.nrows())]


def dyadic(x: arb) -> Fraction:
    """The exact value of an exact arb (e.g. a midpoint or a radius)."""
    m, e = x.man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2 ** e) if e >= 0 else Fraction(m, 2 ** -e)


def floor_scaled(x: arb, q: int) -> int:
    """floor(x 2^q) for an exact arb x."""
    m, e = x.man_exp()
    m, e = int(m), int(e) + q
    return m << e if e >= 0 else m >> -e


def ceil_scaled(x: arb, q: int) -> int:
    return -floor_scaled(-x, q)


def exact_arb(x: float | int | Fraction) -> arb:
    """A ball containing x: exact for floats and ints, and for a dyadic Fraction whose numerator
    fits the working precision (otherwise Arb's rounding widens the ball, which stays valid)."""
    if isinstance(x, Fraction):
        den = x.denominator
        if den & (den - 1):
            raise ValueError(f"{x} is not dyadic")
        return arb(fmpz(x.numerator)) / den          # exact: division by a power of two
    return arb(x)


def interval_ball(lo: float, hi: float) -> arb:
    """A ball containing the real interval [lo, hi] (finite floats, lo <= hi)."""
    return exact_arb(lo).union(exact_arb(hi))
