"""Floats as exact dyadic numbers: ``x = (-1)^s * odd * 2^e``, read from the bit pattern.

Every finite float64 is a dyadic rational. :func:`dyadic_parts` reads its sign, odd mantissa and
exponent with integer operations on the IEEE-754 bit pattern only, so the result does not depend
on the floating-point environment (a flush-to-zero or denormals-are-zero mode changes float
arithmetic on subnormals, never integer arithmetic on their bits).

:func:`exact_float64` converts an array to float64 only when every value is represented exactly
(integers beyond 2^53 and long doubles with more than 53 significant bits are refused, naming the
first entry that would be rounded). docs/datasets.md states the rules.
"""

from __future__ import annotations

import numpy as np

_FRACTION_MASK = (1 << 52) - 1
_HIDDEN_BIT = 1 << 52
_EXP_BIAS = 1075           # value = mantissa * 2^(biased exponent - 1075) for normal numbers


class InexactConversion(ValueError):
    """A value that float64 does not represent exactly: ``index`` (a tuple) and the value as text."""

    def __init__(self, index: tuple[int, ...], value: str, dtype: str):
        self.index, self.value, self.dtype = index, value, dtype
        super().__init__(f"entry {list(index)} = {value} ({dtype}) is not exactly representable in float64")


def dyadic_parts(X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(negative, odd, exponent)`` with ``X = (-1)^negative * odd * 2^exponent`` exactly.

    ``odd`` is an odd integer below 2^53 (0 for a zero entry, whose exponent is 0); ``exponent``
    lies in [-1074, 971]. Integer operations on the bits only (environment independent).
    Raises ValueError for a non-finite entry.
    """
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    bits = X.view(np.uint64)
    biased = ((bits >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64)
    if (biased == 0x7FF).any():
        idx = tuple(int(t) for t in np.argwhere(biased == 0x7FF)[0])
        raise ValueError(f"entry {list(idx)} is not finite; allowed: finite floats")
    negative = (bits >> np.uint64(63)).astype(bool)
    fraction = (bits & np.uint64(_FRACTION_MASK)).astype(np.int64)
    odd = np.where(biased > 0, fraction | _HIDDEN_BIT, fraction)
    exponent = np.where(biased > 0, biased - _EXP_BIAS, 1 - _EXP_BIAS)
    nonzero = odd != 0
    for shift in (32, 16, 8, 4, 2, 1):       # strip trailing zero bits (at most 52 of them)
        even = nonzero & ((odd & ((1 << shift) - 1)) == 0)
        odd = np.where(even, odd >> shift, odd)
        exponent = np.where(even, exponent + shift, exponent)
    exponent = np.where(nonzero, exponent, 0)
    negative = negative & nonzero
    return negative, odd, exponent


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(t) for t in np.argwhere(mask)[0])


def exact_float64(arr) -> np.ndarray:
    """``arr`` as float64 when every value converts exactly; InexactConversion names the first
    entry that would be rounded. Booleans, floats of at most 64 bits and integers of magnitude up
    to 2^53 always convert; larger integers and long doubles are checked value by value.
    ValueError (not InexactConversion) for a dtype that holds no real numbers."""
    arr = np.asarray(arr)
    kind = arr.dtype.kind
    if kind == "b":
        return arr.astype(np.float64)
    if kind == "f" and arr.dtype.itemsize <= 8:
        return arr.astype(np.float64)
    if kind in "iu":
        out = arr.astype(np.float64)
        big = np.abs(out) >= 2.0 ** 53                # exact below: 2^53 + 1 rounds to 2^53 itself
        if big.any():
            # compare as Python integers (float64 -> int is exact; int64 has no overflow here)
            back = np.array([int(v) for v in out[big].tolist()], dtype=object)
            orig = np.array([int(v) for v in arr[big].tolist()], dtype=object)
            bad = back != orig
            if bad.any():
                where = np.argwhere(big)[int(np.argmax(bad))]
                idx = tuple(int(t) for t in where)
                raise InexactConversion(idx, str(int(arr[idx])), str(arr.dtype))
        return out
    if kind == "f":                                     # longdouble / float128
        with np.errstate(over="ignore"):
            out = arr.astype(np.float64)
        bad = (out.astype(arr.dtype) != arr) & np.isfinite(arr)
        if bad.any():
            idx = _first(bad)
            raise InexactConversion(idx, np.format_float_positional(arr[idx], unique=True)
                                    if np.isfinite(arr[idx]) else str(arr[idx]), str(arr.dtype))
        return out
    raise ValueError(f"dtype {arr.dtype} does not hold real numbers")
