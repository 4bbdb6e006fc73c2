"""Numeric context: backend, working precision, precision budget, strict elementary functions.

The context is held in a :class:`contextvars.ContextVar`, so threads, asyncio tasks and dask
workers never see each other's settings (the vocabulary of mpmath's ``workprec``/``extraprec`` and
python-flint's ``ctx``, without mpmath's global mutable ``mp``).

* ``backend``: ``"numpy"`` (float64 with rigorous a-priori error terms, the default) or
  ``"arb"`` (python-flint ball arithmetic at ``precision_bits``).
* ``precision_bits``: working precision of the Arb backend (53 for ``"numpy"``).
* ``max_precision_bits``: escalation budget. A float64 verdict that is undecided because an
  enclosure is too wide is retried in Arb at doubling precision up to this many bits.
* ``strict_elementary``: when True, elementary functions (:mod:`numerics.arith.elementary`) are
  recomputed element by element in Arb instead of by the proved polynomial enclosures.

python-flint keeps its precision in one process-wide ``ctx`` (not per thread). Every Arb
computation at a chosen precision goes through :func:`arb_precision`, which holds a process-wide
re-entrant lock while the precision is set and restores the previous value on exit, so a thread
computing at 53 bits never sees another thread's 300 bits (and nothing leaks after the block).
Arb balls are rigorous at any precision; the lock makes results reproducible, not sound.
How a config's `[numerics]` section becomes this context: docs/floating_point_environment.md,
"The numeric context".

>>> from numerics.arith.context import workprec, get_context
>>> with workprec(precision_bits=256, backend="arb"):
...     get_context().precision_bits
256
>>> get_context().backend
'numpy'
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import threading
from dataclasses import dataclass, replace

BACKENDS = ("numpy", "arb")
MIN_PRECISION_BITS = 53
MAX_PRECISION_BITS = 1 << 16


@dataclass(frozen=True)
class NumericContext:
    """Immutable numeric settings; build a changed copy with :func:`workprec`."""

    backend: str = "numpy"
    precision_bits: int = 53
    max_precision_bits: int = 1024
    strict_elementary: bool = False

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend={self.backend!r} is not allowed; allowed: {BACKENDS}")
        _check_bits("precision_bits", self.precision_bits)
        _check_bits("max_precision_bits", self.max_precision_bits)
        if self.max_precision_bits < self.precision_bits:
            raise ValueError(
                f"max_precision_bits={self.max_precision_bits} is below precision_bits="
                f"{self.precision_bits}; allowed: max_precision_bits >= precision_bits")
        if not isinstance(self.strict_elementary, bool):
            raise ValueError(
                f"strict_elementary={self.strict_elementary!r} is not allowed; allowed: True/False")

    def escalation_precisions(self) -> list[int]:
        """Arb precisions tried after an undecided float64 result: doubling up to the budget."""
        out = []
        p = max(2 * 53, self.precision_bits if self.backend == "arb" else 106)
        while p <= self.max_precision_bits:
            out.append(p)
            p *= 2
        if not out or out[-1] != self.max_precision_bits:
            if self.max_precision_bits > 53:
                out.append(self.max_precision_bits)
        return sorted(set(out))


def _check_bits(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}={value!r} is not allowed; allowed: an integer number of bits")
    if not MIN_PRECISION_BITS <= value <= MAX_PRECISION_BITS:
        raise ValueError(f"{name}={value} is out of range; allowed: "
                         f"{MIN_PRECISION_BITS} <= {name} <= {MAX_PRECISION_BITS}")


_CURRENT: contextvars.ContextVar[NumericContext] = contextvars.ContextVar(
    "dl_certify_numeric_context", default=NumericContext())


def get_context() -> NumericContext:
    """The numeric context in force in this thread/task."""
    return _CURRENT.get()


class workprec:
    """Temporarily change the numeric context; usable as ``with`` block and as decorator.

    Only the fields given are changed; the previous context is restored on exit, also on error.
    """

    def __init__(self, precision_bits: int | None = None, *, backend: str | None = None,
                 max_precision_bits: int | None = None,
                 strict_elementary: bool | None = None) -> None:
        changes = {k: v for k, v in dict(
            precision_bits=precision_bits, backend=backend,
            max_precision_bits=max_precision_bits,
            strict_elementary=strict_elementary).items() if v is not None}
        base = get_context()
        if "precision_bits" in changes and "max_precision_bits" not in changes:
            changes["max_precision_bits"] = max(base.max_precision_bits,
                                                changes["precision_bits"])
        self._ctx = replace(base, **changes)  # validates
        self._tokens: list = []

    def __enter__(self) -> NumericContext:
        self._tokens.append(_CURRENT.set(self._ctx))
        return self._ctx

    def __exit__(self, *exc) -> None:
        _CURRENT.reset(self._tokens.pop())

    def __call__(self, func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapped


_FLINT_PRECISION_LOCK = threading.RLock()


@contextlib.contextmanager
def arb_precision(bits: int):
    """Run a block of python-flint arithmetic at ``bits`` bits, serialized across threads.

    python-flint's ``ctx.prec`` is one global; this holds a process-wide re-entrant lock for the
    block, sets the precision, and restores the previous one on exit (also on error). Nested
    blocks in one thread are fine.

    >>> from flint import arb, ctx
    >>> with arb_precision(200):
    ...     ctx.prec
    200
    >>> ctx.prec
    53
    """
    _check_bits("bits", bits)
    from flint import ctx
    with _FLINT_PRECISION_LOCK:
        old = ctx.prec
        ctx.prec = bits
        try:
            yield bits
        finally:
            ctx.prec = old
