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
  are computed here from the stored floats in float arithmetic rounded upward (each result
  pushed one ulp up), with a relative ``2**-50`` and an absolute ``ETA`` so that the float
  evaluation of ``E0 + E1 |t|`` at run time is still an upper bound).

Derivation and regeneration: docs/elementary_enclosures.md.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from numerics.arith.rounding import ETA, gamma_const, up

TABLES_FILE = Path(__file__).with_name("data") / "taylor_tables.json"
_SAFETY = 1.0 + 2.0 ** -50
_MAGIC = 1.5 * 2.0 ** 52


@dataclass(frozen=True, eq=False)
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

    @functools.cached_property
    def max_error(self) -> float:
        """A bound of ``|y - f(x)|`` valid on every piece (``max E0 + E1 T``, rounded up)."""
        with np.errstate(under="ignore"):
            return float(up(up(self.err0 + up(self.err1 * self.radius)).max()))

    def values(self, x: np.ndarray) -> np.ndarray:
        """The float values ``y`` of :meth:`evaluate` without the per-entry bounds (use
        :attr:`max_error`); ``x`` a 1-D float array in the table's range."""
        return self._evaluate(x, with_error=False)[0]

    def evaluate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Float values ``y`` and bounds ``e`` with ``|y - f(x)| <= e`` at the exact floats ``x``.

        Raises ValueError if some ``x`` lies outside the table's range (a caller's bug).
        """
        shape = np.shape(x)
        y, e = self._evaluate(np.asarray(x, dtype=np.float64).reshape(-1))
        return y.reshape(shape), e.reshape(shape)

    def _evaluate(self, x: np.ndarray, with_error: bool = True):
        with np.errstate(invalid="ignore"):
            # rint(x / h) exactly: adding and subtracting 1.5 * 2**52 rounds to an integer
            # (|x / h| < 2**51 is checked next; x / h is exact, h a power of two)
            j = x * (1.0 / self.step)
            j += _MAGIC
            j -= _MAGIC
        if x.size and not (self.jmin <= j.min() and j.max() <= self.jmax):
            bad = ~((j >= self.jmin) & (j <= self.jmax))
            v = float(x[bad][0])
            raise ValueError(f"{self.name} table: argument {v!r} outside "
                             f"[{(self.jmin - 0.5) * self.step}, {(self.jmax + 0.5) * self.step}]")
        t = x - j * self.step
        with np.errstate(under="ignore"):
            if self.jmin == self.jmax:
                y = np.full(x.shape, self.columns[-1][0])
                for col in self.columns[-2::-1]:
                    y *= t
                    y += col[0]
                if not with_error:
                    return y, None
                e = self.err1[0] * np.abs(t)
                e += self.err0[0]
                return y, e
            k = (j - self.jmin).astype(np.intp)
            y = np.take(self.columns[-1], k)
            for col in self.columns[-2::-1]:
                y *= t
                y += np.take(col, k)
            if not with_error:
                return y, None
            e = np.take(self.err1, k) * np.abs(t)
            e += np.take(self.err0, k)
        return y, e


def _error_constants(cols: np.ndarray, R0: np.ndarray, R1: np.ndarray,
                     T: float) -> tuple[np.ndarray, np.ndarray]:
    """``(E0, E1)`` per piece: Horner's rounding error plus the certified remainder is at most
    ``E0 + E1 |t|``. Evaluated in float with every result pushed one ulp up (``up``), so each
    is an upper bound of the exact expression (``cols[k, i] = a_i`` of piece k)."""
    m = cols.shape[1] - 1
    a = np.abs(cols)
    with np.errstate(under="ignore"):
        H1 = np.zeros(cols.shape[0])
        for i in range(1, m + 1):
            g = gamma_const(2 * i + 1 if i < m else 2 * m)
            H1 = up(H1 + up(up(g * a[:, i]) * T ** (i - 1)))    # T^(i-1): exact power of two
        H0 = up(up(gamma_const(1) * a[:, 0]) + m * ETA)
        E0 = up(up(up(up(R0 + H0) * _SAFETY) + ETA))
        E1 = up(up(R1 + H1) * _SAFETY)
    return E0, E1


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
    R0 = np.array([p["R0"] for p in pieces], dtype=np.float64)
    R1 = np.array([p["R1"] for p in pieces], dtype=np.float64)
    if not (np.isfinite(R0).all() and np.isfinite(R1).all() and (R0 >= 0).all() and (R1 >= 0).all()):
        raise ValueError(f"table {rec['function']}: remainder bounds are not finite and >= 0")
    E0, E1 = _error_constants(cols, R0, R1, step / 2)
    freeze = lambda a: (a.setflags(write=False), a)[1]  # noqa: E731
    return TaylorTable(rec["function"], step, jmin, jmax, m,
                       tuple(freeze(np.ascontiguousarray(cols[:, i])) for i in range(m + 1)),
                       freeze(E0), freeze(E1))


@functools.lru_cache(maxsize=None)
def load_tables(path: str = str(TABLES_FILE)) -> dict[str, TaylorTable]:
    """All stored tables, by function name (read once per process)."""
    data = json.loads(Path(path).read_text())
    return {name: table_from_record(rec) for name, rec in data["tables"].items()}


def table(name: str) -> TaylorTable:
    return load_tables()[name]
