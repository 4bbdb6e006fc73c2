"""Piecewise Taylor polynomials with a proved error bound, evaluated on float arrays.

A table (``data/taylor_tables.json``, made by ``scripts/generate_taylor_tables.py``) covers
``[jmin*h - h/2, jmax*h + h/2]`` for a power of two ``h`` by pieces centered at ``c_j = j h``,
radius ``T = h/2``, each with float coefficients ``a_0..a_m`` and Arb-certified remainder bounds
``(R0, R1)``: ``|f(c_j + t) - p_j(t)| <= R0 + R1 |t|`` for ``|t| <= T``
(:mod:`numerics.arith.taylor_certificate`). For a float ``x`` in the table's range:

* ``j = rint(x / h)`` and ``c_j = j h`` are exact (scaling by a power of two; ``rint`` as
  ``(v + 1.5 * 2**52) - 1.5 * 2**52``, exact round-to-nearest for ``|v| < 2**51``),
  and ``t = x - c_j`` is exact: ``t = x`` for ``j = 0``; otherwise ``x`` and ``c_j`` have the same
  sign and ``|c_j|/2 <= |x| <= 2|c_j|`` (``|x - c_j| <= h/2 <= |c_j|/2``), Sterbenz's lemma.
* Horner's rule in float gives ``y`` with ``|y - p_j(t)| <= sum_i gamma_{k_i} |a_i||t|^i + m ETA``,
  ``k_i = 2i + 1`` for ``i < m`` and ``k_m = 2m`` (unrolling ``q_i = (t q_{i+1}(1 + eps_i) + a_i)
  (1 + delta_i)``: ``a_i`` meets ``2i + 1`` roundings; Higham, *Accuracy and Stability*, Sec. 5.1,
  whose eq. (5.3) states the cruder ``gamma_{2m}`` for all terms). The ``m ETA`` term covers
  underflow in the ``m`` products, each off by at most ``ETA/2`` and then multiplied by factors
  ``|t| <= 1``.
* With ``|t|^i <= |t| T^(i-1)``: ``|y - f(x)| <= E0_j + E1_j |t|``, where ``E0_j``, ``E1_j``
  are computed here in exact rational arithmetic from the stored floats and rounded up (with a
  relative ``2**-50`` and an absolute ``ETA`` so that the float evaluation of ``E0 + E1 |t|``
  is still an upper bound).

Derivation and regeneration: docs/elementary_enclosures.md.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from numerics.arith.rounding import ETA, gamma_const, round_up_fraction

TABLES_FILE = Path(__file__).with_name("data") / "taylor_tables.json"
_SAFETY = Fraction(1) + Fraction(1, 2 ** 50)
_MAGIC = 1.5 * 2.0 ** 52


@dataclass(frozen=True)
class TaylorTable:
    """One function's pieces (read-only arrays); ``columns[i][k]`` is ``a_i`` of piece ``jmin+k``."""

    name: str
    step: float
    jmin: int
    jmax: int
    degree: int
    columns: tuple[np.ndarray, ...]
    err0: np.ndarray
    err1: np.ndarray

    @property
    def radius(self) -> float:
        return self.step / 2

    def evaluate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Float values ``y`` and bounds ``e`` with ``|y - f(x)| <= e`` at the exact floats ``x``.

        Raises ValueError if some ``x`` lies outside the table's range (a caller's bug).
        """
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            # rint(x / h) exactly: adding and subtracting 1.5 * 2**52 rounds to an integer
            # (|x / h| < 2**51 is checked next; x / h is exact, h a power of two)
            j = x * (1.0 / self.step)
            j += _MAGIC
            j -= _MAGIC
        if x.size and not (self.jmin <= j.min() and j.max() <= self.jmax):
            bad = ~((j >= self.jmin) & (j <= self.jmax))
            v = float(x[bad].flat[0]) if x.ndim else float(x)
            raise ValueError(f"{self.name} table: argument {v!r} outside "
                             f"[{(self.jmin - 0.5) * self.step}, {(self.jmax + 0.5) * self.step}]")
        t = x - j * self.step
        with np.errstate(under="ignore"):
            if self.jmin == self.jmax:
                y = np.full(x.shape, self.columns[-1][0])
                for col in self.columns[-2::-1]:
                    y *= t
                    y += col[0]
                e = self.err1[0] * np.abs(t)
                e += self.err0[0]
                return y, e
            k = (j - self.jmin).astype(np.intp)
            y = np.take(self.columns[-1], k)
            for col in self.columns[-2::-1]:
                y *= t
                y += np.take(col, k)
            e = np.take(self.err1, k) * np.abs(t)
            e += np.take(self.err0, k)
        return y, e


def _error_constants(coeffs: list[float], R0: float, R1: float, T: float) -> tuple[float, float]:
    """``(E0, E1)`` with Horner's rounding error plus the certified remainder <= E0 + E1 |t|."""
    m = len(coeffs) - 1
    g = [Fraction(gamma_const(2 * i + 1 if i < m else 2 * m)) for i in range(m + 1)]
    a = [abs(Fraction(c)) for c in coeffs]
    T_ = Fraction(T)
    H0 = g[0] * a[0] + m * Fraction(ETA)
    H1 = sum(g[i] * a[i] * T_ ** (i - 1) for i in range(1, m + 1))
    E0 = (Fraction(R0) + H0) * _SAFETY + Fraction(ETA)
    E1 = (Fraction(R1) + H1) * _SAFETY
    return round_up_fraction(E0), round_up_fraction(E1)


def table_from_record(rec: dict) -> TaylorTable:
    """Build a :class:`TaylorTable` from one stored record (checks its shape and finiteness)."""
    step, jmin, jmax, m = float(rec["step"]), int(rec["jmin"]), int(rec["jmax"]), int(rec["degree"])
    pieces = rec["pieces"]
    if [p["j"] for p in pieces] != list(range(jmin, jmax + 1)):
        raise ValueError(f"table {rec['function']}: pieces are not j = {jmin}..{jmax}")
    if not (step > 0 and np.frexp(step)[0] == 0.5 and step <= 1.0):
        raise ValueError(f"table {rec['function']}: step={step} is not a power of two <= 1")
    cols = np.array([p["coeffs"] for p in pieces], dtype=np.float64)
    if cols.shape[1] != m + 1 or not np.isfinite(cols).all():
        raise ValueError(f"table {rec['function']}: coefficients are not {m + 1} finite floats")
    errs = [_error_constants(p["coeffs"], p["R0"], p["R1"], step / 2) for p in pieces]
    freeze = lambda a: (a.setflags(write=False), a)[1]  # noqa: E731
    return TaylorTable(rec["function"], step, jmin, jmax, m,
                       tuple(freeze(np.ascontiguousarray(cols[:, i])) for i in range(m + 1)),
                       freeze(np.array([e[0] for e in errs])),
                       freeze(np.array([e[1] for e in errs])))


@functools.lru_cache(maxsize=None)
def load_tables(path: str = str(TABLES_FILE)) -> dict[str, TaylorTable]:
    """All stored tables, by function name (read once per process)."""
    data = json.loads(Path(path).read_text())
    return {name: table_from_record(rec) for name, rec in data["tables"].items()}


def table(name: str) -> TaylorTable:
    return load_tables()[name]
