"""Run-time probes of the floating-point environment every enclosure relies on.

All rigorous arithmetic here (:mod:`.rounding`, :mod:`.interval`, :mod:`.products`,
:mod:`.error_free`) assumes IEEE binary64 with **round to nearest, ties to even** and **gradual
underflow** (no flush-to-zero, no denormals-are-zero), and matrix products computed by the
classical algorithm in binary64. A process can break this silently: ``torch.set_flush_denormal(True)``
or a library built with ``-ffast-math`` sets the FTZ/DAZ bits of the CPU's control register, a
``fesetround`` call changes the rounding direction. This module checks, with small exact probes,
that the operations actually used (numpy's ufuncs on arrays and on scalars, ``np.nextafter``,
``np.sum``, comparisons, and the BLAS behind ``@``) behave as assumed *now*.

Each probe is an operation on exactly representable operands whose correctly rounded result is
known in closed form (the expected values are built from integer mantissas and exponents by bit
manipulation, so building them needs no floating-point arithmetic at all); the result is compared
bit for bit. The probes distinguish round-to-nearest from the three directed modes (a result of
``1 + 3/4 ulp`` and ``1 + 1/4 ulp``, on both signs, and a tie), and detect flushing of subnormal
results (``2**-1000 * 2**-60``, ``2**-1022 - (2**-1022 + 2**-1074)``) and of subnormal inputs
(``2**-1074 * 2**60``, ``2**-1074 > 0``). The matrix probe is a ``128 x 128`` product whose nonzero
entries are such one- or two-term sums, so its exact result is known whatever the summation order
and whether or not FMA is used; the product ``(1 + 2**-52)**2`` catches reduced-precision
products. Method, the probe table and what stays a premise: docs/floating_point_environment.md.

The probe arrays are built once per process (:func:`matmul_probe`), the probes are run on every
call (a switch to flush-to-zero can happen at any time): a few hundred microseconds.

>>> from numerics.arith.fp_environment import check_numpy_environment
>>> check_numpy_environment().safe
True
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

ROUNDING = "rounding"
SUBNORMALS = "subnormals"

FTZ_ADVICE = ("flush-to-zero / denormals-are-zero is on in this process (subnormal numbers become 0): "
              "was torch.set_flush_denormal(True) called, or a library built with -ffast-math loaded? "
              "Call torch.set_flush_denormal(False) (or avoid that library) before certifying")
ROUNDING_ADVICE = ("the rounding mode is not round-to-nearest-even in this process: was fesetround "
                   "(or a library changing the CPU's rounding control) called? Restore round-to-nearest "
                   "(fesetround(FE_TONEAREST)) before certifying")
PRECISION_ADVICE = ("matrix products are not computed in full binary64 (a reduced-precision or "
                    "non-classical product): use a binary64 BLAS / device with TF32 and reduced-precision "
                    "modes off")


def dyadic(mantissa: int, exponent: int) -> float:
    """The float equal to ``mantissa * 2**exponent``, built from its IEEE bits (no float arithmetic).

    Raises ValueError when the value is not exactly a binary64 number.

    >>> dyadic(3, -2), dyadic(1, -1074) == 5e-324, dyadic(-1, 0)
    (0.75, True, -1.0)
    """
    if mantissa == 0:
        return 0.0
    sign, m, e = (1 if mantissa < 0 else 0), abs(mantissa), exponent
    while m % 2 == 0:
        m, e = m // 2, e + 1
    top = e + m.bit_length() - 1                 # exponent of the leading bit
    if top > 1023 or m.bit_length() > 53:
        raise ValueError(f"{mantissa} * 2**{exponent} is not a binary64 number")
    if top >= -1022:                             # normal: implicit leading bit
        frac = (m << (52 - (m.bit_length() - 1))) & ((1 << 52) - 1)
        bits = (sign << 63) | ((top + 1023) << 52) | frac
    else:                                        # subnormal: value = f * 2**-1074
        if e < -1074:
            raise ValueError(f"{mantissa} * 2**{exponent} is below the subnormal grid")
        bits = (sign << 63) | (m << (e + 1074))
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


@dataclass(frozen=True)
class Probe:
    """``op(a, b)`` must give exactly ``expected`` (a bool for comparisons) in binary64
    round-to-nearest-even with gradual underflow; ``breaks`` names the assumption it tests."""

    name: str
    op: str
    a: float
    b: float
    expected: float | bool
    breaks: str


def _d(m: int, e: int) -> float:
    return dyadic(m, e)


ONE_PLUS_ULP = _d((1 << 52) + 1, -52)          # 1 + 2**-52

ELEMENTWISE_PROBES: tuple[Probe, ...] = (
    # 1 + 3/4 ulp: nearest and upward give 1 + ulp; toward zero and downward give 1
    Probe("1 + 3/4 ulp", "add", 1.0, _d(3, -54), ONE_PLUS_ULP, ROUNDING),
    # 1 + 1/4 ulp: nearest, toward zero and downward give 1; upward gives 1 + ulp
    Probe("1 + 1/4 ulp", "add", 1.0, _d(1, -54), 1.0, ROUNDING),
    Probe("-1 - 3/4 ulp", "add", -1.0, _d(-3, -54), -ONE_PLUS_ULP, ROUNDING),
    Probe("-1 - 1/4 ulp", "sub", -1.0, _d(1, -54), -1.0, ROUNDING),
    # ties go to the even neighbour: 1 + 2**-53 -> 1, (1 + 2**-52) + 2**-53 -> 1 + 2**-51
    Probe("tie 1 + 2**-53", "add", 1.0, _d(1, -53), 1.0, ROUNDING),
    Probe("tie (1 + 2**-52) + 2**-53", "add", ONE_PLUS_ULP, _d(1, -53), _d((1 << 51) + 1, -51), ROUNDING),
    # (1 + 2**-52)**2 = 1 + 2**-51 + 2**-104 -> 1 + 2**-51 (upward would add an ulp)
    Probe("(1 + ulp) * (1 + ulp)", "mul", ONE_PLUS_ULP, ONE_PLUS_ULP, _d((1 << 51) + 1, -51), ROUNDING),
    # 1/3 = 0.0101...b: nearest rounds the 54th bit pattern ...0101|01.. down
    Probe("1 / 3", "div", 1.0, 3.0, _d(0x15555555555555, -54), ROUNDING),
    Probe("-1 / 3", "div", -1.0, 3.0, _d(-0x15555555555555, -54), ROUNDING),
    # sqrt(2) rounded to nearest (its 54th bit and beyond start 0110..., so nearest is down)
    Probe("sqrt(2)", "sqrt", 2.0, 0.0, _d(0x16A09E667F3BCD, -52), ROUNDING),
    # gradual underflow: subnormal results of exact operations must not be flushed to 0
    Probe("2**-1000 * 2**-60", "mul", _d(1, -1000), _d(1, -60), _d(1, -1060), SUBNORMALS),
    Probe("2**-1022 - (2**-1022 + 2**-1074)", "sub", _d(1, -1022), _d((1 << 52) + 1, -1074),
          _d(-1, -1074), SUBNORMALS),
    Probe("2**-1073 / 2", "div", _d(1, -1073), 2.0, _d(1, -1074), SUBNORMALS),
    # subnormal inputs must not be read as 0 (denormals-are-zero)
    Probe("2**-1074 * 2**60", "mul", _d(1, -1074), _d(1, 60), _d(1, -1014), SUBNORMALS),
    Probe("2**-1074 + 2**-1074", "add", _d(1, -1074), _d(1, -1074), _d(1, -1073), SUBNORMALS),
    Probe("2**-1074 > 0", "gt", _d(1, -1074), 0.0, True, SUBNORMALS),
    # the one-ulp steps of numerics.arith.rounding
    Probe("nextafter(0, 1)", "nextafter", 0.0, 1.0, _d(1, -1074), SUBNORMALS),
    Probe("nextafter(1, 2)", "nextafter", 1.0, 2.0, ONE_PLUS_ULP, ROUNDING),
)

_UFUNCS: dict[str, Callable] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "sqrt": lambda a, b: np.sqrt(a), "gt": np.greater, "nextafter": np.nextafter,
}


@dataclass(frozen=True)
class ProbeFailure:
    """A probe that gave another result than binary64 round-to-nearest with gradual underflow."""

    backend: str
    probe: str
    breaks: str
    got: str
    expected: str

    def describe(self) -> str:
        return f"{self.backend}: {self.probe} gave {self.got}, expected {self.expected}"


def _bits(x) -> np.ndarray:
    a = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    bits = a.view(np.uint64)
    return np.where((bits << np.uint64(1)) == 0, np.uint64(0), bits)   # +0 and -0 alike


def _same(got, expected) -> bool:
    if isinstance(expected, bool):
        return bool(np.all(np.asarray(got) == expected))
    return bool(np.all(_bits(got) == _bits(expected)))


def _show(x) -> str:
    a = np.asarray(x)
    if a.dtype == bool:
        return str(bool(a.reshape(-1)[0]))
    return exact_text(float(a.reshape(-1)[0]))


def _show_expected(x) -> str:
    return str(x) if isinstance(x, bool) else exact_text(x)


def exact_text(x: float) -> str:
    """``x`` as ``m*2**e`` (odd m), decoded from its bits by integer arithmetic only, so the text is
    right even while the process flushes subnormals (``float.hex`` would print 0 for them then)."""
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    sign, biased, frac = bits >> 63, (bits >> 52) & 0x7FF, bits & ((1 << 52) - 1)
    if biased == 0x7FF:
        return "nan" if frac else ("-inf" if sign else "inf")
    m, e = (frac, -1074) if biased == 0 else (frac | (1 << 52), biased - 1075)
    if m == 0:
        return "-0" if sign else "0"
    while m % 2 == 0:
        m, e = m // 2, e + 1
    return f"{'-' if sign else ''}{m}*2**{e}"


def _elementwise_failures(backend: str, evaluate: Callable) -> list[ProbeFailure]:
    out = []
    for p in ELEMENTWISE_PROBES:
        got = evaluate(p)
        if not _same(got, p.expected):
            out.append(ProbeFailure(backend, p.name, p.breaks, _show(got), _show_expected(p.expected)))
    return out


_VECTOR = 64   # long enough for numpy's SIMD loops


def _numpy_vector(p: Probe):
    with np.errstate(all="ignore"):
        a, b = np.full(_VECTOR, p.a), np.full(_VECTOR, p.b)
        return _UFUNCS[p.op](a, b)


def _numpy_scalar(p: Probe):
    with np.errstate(all="ignore"):
        return _UFUNCS[p.op](np.float64(p.a), np.float64(p.b))


# ------------------------------------------------------------------------------ matrix product
MATMUL_SIZE = 128


@dataclass(frozen=True)
class MatmulProbe:
    """``A @ B`` must equal ``C`` bit for bit; ``breaks[i]`` names what entry ``(i, i)`` tests."""

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    entries: tuple[tuple[int, str, str], ...]   # (row = column, probe name, assumption)


# (probe name, assumption, [(a, b) terms], exact result): each result entry is a sum of at most two
# exact products, so it is the same for any summation order, with or without FMA
_MATMUL_TERMS = (
    ("1 + 3/4 ulp", ROUNDING, [(1.0, 1.0), (_d(3, -54), 1.0)], ONE_PLUS_ULP),
    ("1 + 1/4 ulp", ROUNDING, [(1.0, 1.0), (_d(1, -54), 1.0)], 1.0),
    ("-1 - 3/4 ulp", ROUNDING, [(-1.0, 1.0), (_d(-3, -54), 1.0)], -ONE_PLUS_ULP),
    ("-1 - 1/4 ulp", ROUNDING, [(-1.0, 1.0), (_d(-1, -54), 1.0)], -1.0),
    ("(1 + ulp) * (1 + ulp)", "precision", [(ONE_PLUS_ULP, ONE_PLUS_ULP)], _d((1 << 51) + 1, -51)),
    ("2**-1000 * 2**-60", SUBNORMALS, [(_d(1, -1000), _d(1, -60))], _d(1, -1060)),
    ("2**-1022 - (2**-1022 + 2**-1074)", SUBNORMALS,
     [(_d(1, -1022), 1.0), (_d(-((1 << 52) + 1), -1074), 1.0)], _d(-1, -1074)),
    ("2**-1074 * 2**60", SUBNORMALS, [(_d(1, -1074), _d(1, 60))], _d(1, -1014)),
)


@lru_cache(maxsize=1)
def matmul_probe() -> MatmulProbe:
    """The probe product (built once per process; its arrays are read-only)."""
    n = MATMUL_SIZE
    A, B, C = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n))
    entries = []
    stride = n // len(_MATMUL_TERMS)
    for t, (name, breaks, terms, exact) in enumerate(_MATMUL_TERMS):
        i = t * stride + t % 3          # spread over the blocks of a blocked kernel
        for s, (a, b) in enumerate(terms):
            k = (i + 37 * (s + 1)) % n
            A[i, k], B[k, i] = a, b
        C[i, i] = exact
        entries.append((i, name, breaks))
    for M in (A, B, C):
        M.setflags(write=False)
    return MatmulProbe(A, B, C, tuple(entries))


def matmul_failures(backend: str, product: Callable[[np.ndarray, np.ndarray], np.ndarray]
                    ) -> list[ProbeFailure]:
    """Probe a matrix product ``product(A, B) -> ndarray`` (e.g. numpy's ``@``, or torch's)."""
    probe = matmul_probe()
    with np.errstate(all="ignore"):
        got = np.asarray(product(probe.A, probe.B), dtype=np.float64)
    out = []
    good = _bits(got) == _bits(probe.C)
    for i, name, breaks in probe.entries:
        if not good[i, i]:
            out.append(ProbeFailure(backend, f"matmul {name}", breaks, exact_text(float(got[i, i])),
                                    exact_text(float(probe.C[i, i]))))
    if not good.all() and not out:
        i, j = np.argwhere(~good)[0].tolist()
        out.append(ProbeFailure(backend, f"matmul zero entry ({i}, {j})", "precision",
                                exact_text(float(got[i, j])), "0"))
    return out


# ------------------------------------------------------------------------------ the verdict
@dataclass(frozen=True)
class EnvironmentCheck:
    """What the probes found: ``safe`` iff no probe failed."""

    failures: tuple[ProbeFailure, ...]
    backends: tuple[str, ...]

    @property
    def safe(self) -> bool:
        return not self.failures

    @property
    def rounding(self) -> str:
        bad = any(f.breaks == ROUNDING for f in self.failures)
        return "not round-to-nearest (probe failed)" if bad else "nearest-even (probed)"

    @property
    def subnormals(self) -> str:
        bad = any(f.breaks == SUBNORMALS for f in self.failures)
        return "flushed to zero (probe failed)" if bad else "gradual (probed)"

    def problem(self) -> str | None:
        """One message saying what is wrong and how to fix it (None when safe)."""
        if self.safe:
            return None
        kinds = {f.breaks for f in self.failures}
        advice = [msg for kind, msg in ((SUBNORMALS, FTZ_ADVICE), (ROUNDING, ROUNDING_ADVICE),
                                        ("precision", PRECISION_ADVICE)) if kind in kinds]
        seen = "; ".join(f.describe() for f in self.failures[:4])
        return f"{'. '.join(advice)} (probes: {seen})"

    def merged(self, other: EnvironmentCheck) -> EnvironmentCheck:
        return EnvironmentCheck(self.failures + other.failures, self.backends + other.backends)


def check_arithmetic(backend: str, evaluate: Callable[[Probe], object],
                     product: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
                     ) -> EnvironmentCheck:
    """Run the elementwise probes through ``evaluate`` and the matrix probe through ``product``."""
    failures = _elementwise_failures(backend, evaluate)
    if product is not None:
        failures += matmul_failures(backend, product)
    return EnvironmentCheck(tuple(failures), (backend,))


def check_numpy_environment() -> EnvironmentCheck:
    """Probe numpy's array ufuncs, its scalar operations, ``np.sum`` and the BLAS behind ``@``."""
    out = check_arithmetic("numpy arrays", _numpy_vector, np.matmul)
    out = out.merged(check_arithmetic("numpy scalars", _numpy_scalar))
    out = out.merged(_sum_check())
    return out.merged(EnvironmentCheck(tuple(matmul_failures("numpy matrix-vector", _matvec)),
                                       ("numpy matrix-vector",)))


def _diagonal_columns():
    return [i for i, _, _ in matmul_probe().entries]


def _matvec(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` one column at a time (numpy's matrix-vector BLAS path), on the probe's columns."""
    C = np.zeros((A.shape[0], B.shape[1]))
    for j in _diagonal_columns():
        C[:, j] = A @ B[:, j]
    return C


def _sum_check() -> EnvironmentCheck:
    """``np.sum`` (pairwise, vectorized) of 64 copies of 2**-1074 is exactly 2**-1068."""
    with np.errstate(all="ignore"):
        got = np.sum(np.full(64, _d(1, -1074)))
    if _same(got, _d(1, -1068)):
        return EnvironmentCheck((), ("numpy sum",))
    return EnvironmentCheck((ProbeFailure("numpy sum", "sum of 64 x 2**-1074", SUBNORMALS, _show(got),
                                          exact_text(_d(1, -1068))),), ("numpy sum",))


def exact_value(p: Probe) -> Fraction:
    """The exact real result of a (non-comparison, non-sqrt) probe, for tests and docs."""
    a, b = Fraction(p.a), Fraction(p.b)
    return {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b}[p.op]
