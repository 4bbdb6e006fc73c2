"""Arrays of Arb balls: numpy object arrays of ``flint.arb``, for the few computations that need
more than float64 can give (``docs/critical_points_networks.md``, "High-precision gradient").

A :class:`BallArray` stands for the set of real arrays whose entries lie in its balls. Every
operation is Arb's (rigorous ball arithmetic: the exact real result of the operation on any
choice of the operands in their balls lies in the returned ball) at the precision of the
enclosing :func:`numerics.arith.context.arb_precision` block, which the caller must hold for
every operation (python-flint's precision is one global). Float operands are exact point values.
Matrix products go through ``arb_mat`` (fast block multiplication), elementwise operations
through numpy's object-array broadcasting.

:meth:`BallArray.interval` converts back to an :class:`~numerics.arith.interval.Interval`
rounded outward (:func:`numerics.arith.balls.arb_bounds`), so a ball result feeds the float
interval code without losing the enclosure property.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from numerics.arith.balls import arb_bounds, arb_from_bounds
from numerics.arith.interval import Interval


class BallArray:
    """An immutable array of Arb balls (see the module docstring)."""

    __slots__ = ("_b",)

    def __init__(self, balls: np.ndarray):
        b = np.asarray(balls, dtype=object)
        b.flags.writeable = False
        object.__setattr__(self, "_b", b)

    def __setattr__(self, name, value):
        raise AttributeError("BallArray is immutable")

    @classmethod
    def exact(cls, x) -> "BallArray":
        """The float array ``x`` as exact balls (radius 0)."""
        from flint import arb

        x = np.asarray(x, dtype=np.float64)
        if not np.isfinite(x).all():
            raise ValueError("BallArray.exact: an entry is not finite; allowed: finite floats")
        return cls(np.array([arb(float(v)) for v in x.ravel()], dtype=object).reshape(x.shape))

    @classmethod
    def from_interval(cls, x: Interval) -> "BallArray":
        """Balls containing the entries of the interval array ``x``."""
        lo, hi = np.asarray(x.lo).ravel(), np.asarray(x.hi).ravel()
        balls = [arb_from_bounds(float(a), float(b)) for a, b in zip(lo, hi)]
        return cls(np.array(balls, dtype=object).reshape(x.shape))

    @property
    def balls(self) -> np.ndarray:
        """The read-only object array of ``flint.arb``."""
        return self._b

    @property
    def shape(self) -> tuple:
        return self._b.shape

    @property
    def T(self) -> "BallArray":
        return BallArray(self._b.T)

    def reshape(self, *shape) -> "BallArray":
        return BallArray(self._b.reshape(*shape))

    def __getitem__(self, idx) -> "BallArray":
        return BallArray(self._b[idx])

    def __add__(self, other) -> "BallArray":
        return BallArray(self._b + _operand(other))

    __radd__ = __add__

    def __sub__(self, other) -> "BallArray":
        return BallArray(self._b - _operand(other))

    def __rsub__(self, other) -> "BallArray":
        return BallArray(_operand(other) - self._b)

    def __mul__(self, other) -> "BallArray":
        return BallArray(self._b * _operand(other))

    __rmul__ = __mul__

    def __neg__(self) -> "BallArray":
        return BallArray(-self._b)

    def __matmul__(self, other) -> "BallArray":
        return matmul(self, other)

    def map(self, f: Callable) -> "BallArray":
        """``f`` applied to every ball (``f`` must be an Arb operation: rigorous)."""
        out = np.array([f(v) for v in self._b.ravel()], dtype=object)
        return BallArray(out.reshape(self.shape))

    def sum(self) -> object:
        """The Arb sum of every entry (a scalar ball)."""
        from flint import arb

        total = arb(0)
        for v in self._b.ravel():
            total += v
        return total

    def interval(self) -> Interval:
        """The interval array containing every ball, endpoints rounded outward."""
        bounds = [arb_bounds(v) for v in self._b.ravel()]
        lo = np.array([b[0] for b in bounds], dtype=np.float64).reshape(self.shape)
        hi = np.array([b[1] for b in bounds], dtype=np.float64).reshape(self.shape)
        return Interval(lo, hi)

    def midpoints(self) -> np.ndarray:
        """FLOAT: the nearest doubles to the balls' midpoints (not an enclosure)."""
        return np.array([float(v.mid()) for v in self._b.ravel()], dtype=np.float64).reshape(self.shape)


def _operand(x):
    if isinstance(x, BallArray):
        return x._b
    if isinstance(x, np.ndarray) and x.dtype != object:
        if not np.isfinite(x).all():
            raise ValueError("BallArray operand has a non-finite entry; allowed: finite floats")
        return x.astype(np.float64)
    return x


def _as_matrix(x) -> tuple[object, bool]:
    from flint import arb_mat

    b = x._b if isinstance(x, BallArray) else np.asarray(x, dtype=np.float64)
    vector = b.ndim == 1
    b = b.reshape(-1, 1) if vector else b
    rows = b.tolist() if b.dtype == object else b.astype(np.float64).tolist()
    return (arb_mat(rows) if b.size else arb_mat(b.shape[0], b.shape[1])), vector


def matmul(A, B) -> BallArray:
    """The Arb product ``A @ B`` of ball or float arrays (1-D ``B``: a matrix-vector product)."""
    if np.ndim(A._b if isinstance(A, BallArray) else A) != 2:
        raise ValueError("matmul: the left operand must be 2-D")
    Ma, _ = _as_matrix(A)
    Mb, vector = _as_matrix(B)
    if Ma.ncols() != Mb.nrows():
        raise ValueError(f"matmul: shapes {Ma.nrows(), Ma.ncols()} and {Mb.nrows(), Mb.ncols()} do not chain")
    prod = Ma * Mb
    out = np.array(prod.entries(), dtype=object).reshape(prod.nrows(), prod.ncols())
    return BallArray(out[:, 0] if vector else out)
