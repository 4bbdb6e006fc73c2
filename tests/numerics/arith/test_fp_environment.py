"""The floating-point environment probes (numerics/arith/fp_environment.py, issue 15 item 2).

The expected probe results are checked against an independent oracle (exact rationals rounded to
nearest-even by integer arithmetic in this file); the probes must pass in a sane process and fail,
naming the right assumption, under flush-to-zero (torch.set_flush_denormal) and under each directed
rounding mode (fesetround through ctypes).
"""

import ctypes
import ctypes.util
import time
from fractions import Fraction

import numpy as np
import pytest

from flush_to_zero import flush_denormal
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith import fp_environment as fpe


def rounded(q: Fraction, mode: str = "nearest") -> Fraction:
    """q rounded to binary64 (normal and subnormal range; no overflow) by integer arithmetic:
    mode "nearest" (ties to even), "down", "up" or "zero"."""
    if q == 0:
        return Fraction(0)
    sign, a = (-1 if q < 0 else 1), abs(q)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    quantum = Fraction(2) ** max(e - 52, -1074)     # spacing of the floats around a
    n, r = divmod(a, quantum)
    n = int(n)
    if mode == "nearest":
        n += r * 2 > quantum or (r * 2 == quantum and n % 2 == 1)
    elif r and (mode == "up" and sign > 0 or mode == "down" and sign < 0):
        n += 1                                        # away from zero; "zero" truncates
    return sign * n * quantum


def nearest_even(q: Fraction) -> Fraction:
    return rounded(q, "nearest")


@pytest.mark.parametrize("probe", [p for p in fpe.ELEMENTWISE_PROBES if p.op in ("add", "sub", "mul", "div")],
                         ids=lambda p: p.name)
def test_expected_results_are_the_correctly_rounded_exact_values(probe):
    assert Fraction(probe.expected) == nearest_even(fpe.exact_value(probe))
    # and the probe is not trivial: it rounds, or it has a subnormal operand or result
    subnormal = [0 < abs(x) < 2.0 ** -1022 for x in (probe.a, probe.b, probe.expected)]
    assert Fraction(probe.expected) != fpe.exact_value(probe) or any(subnormal)


def test_sqrt_probe_is_the_nearest_float_to_sqrt2():
    (p,) = [p for p in fpe.ELEMENTWISE_PROBES if p.op == "sqrt"]
    r = Fraction(p.expected)
    ulp = Fraction(1, 2 ** 52)
    assert (r - ulp / 2) ** 2 < 2 < (r + ulp / 2) ** 2


def test_directed_probes_separate_the_four_rounding_modes():
    """1 + 3/4 ulp and 1 + 1/4 ulp on both signs: only nearest gives the expected four results."""
    names = ("1 + 3/4 ulp", "1 + 1/4 ulp", "-1 - 3/4 ulp", "-1 - 1/4 ulp")
    probes = [p for p in fpe.ELEMENTWISE_PROBES if p.name in names]
    assert len(probes) == 4
    for mode in ("down", "up", "zero"):
        assert any(rounded(fpe.exact_value(p), mode) != Fraction(p.expected) for p in probes), mode


@given(st.integers(-(2 ** 53) + 1, 2 ** 53 - 1), st.integers(-1074, 960))
@settings(max_examples=300, deadline=None)
def test_dyadic_builds_the_exact_value(m, e):
    q = Fraction(m) * Fraction(2) ** e
    if m != 0 and (e < -1074):
        return
    try:
        x = fpe.dyadic(m, e)
    except ValueError:
        assert nearest_even(q) != q or abs(q) >= 2 ** 1024
        return
    assert Fraction(x) == q


def test_dyadic_refuses_values_off_the_binary64_grid():
    with pytest.raises(ValueError):
        fpe.dyadic(3, -1075)
    with pytest.raises(ValueError):
        fpe.dyadic(2 ** 53 + 1, 0)


def test_matmul_probe_expected_product_is_exact():
    probe = fpe.matmul_probe()
    for i, name, _ in probe.entries:
        exact = sum(Fraction(a) * Fraction(b) for a, b in zip(probe.A[i], probe.B[:, i]))
        assert Fraction(probe.C[i, i]) == nearest_even(exact), name
    off = probe.C.copy()
    for i, _, _ in probe.entries:
        off[i, i] = 0.0
    assert not off.any()
    assert not probe.A.flags.writeable and not probe.C.flags.writeable


def test_sane_process_passes_and_is_cheap():
    check = fpe.check_numpy_environment()
    assert check.safe, check.problem()
    assert check.problem() is None
    t = time.perf_counter()
    for _ in range(10):
        fpe.check_numpy_environment()
    assert (time.perf_counter() - t) / 10 < 0.05


def test_reduced_precision_product_is_caught():
    def float32_product(A, B):
        return (A.astype(np.float32) @ B.astype(np.float32)).astype(np.float64)
    failures = fpe.matmul_failures("float32", float32_product)
    names = {f.probe for f in failures}
    assert "matmul (1 + ulp) * (1 + ulp)" in names
    assert "matmul 2**-1000 * 2**-60" in names


def test_flushing_product_is_caught():
    def flushing(A, B):
        C = A @ B
        return np.where(np.abs(C) < 2.0 ** -1022, 0.0, C)
    failures = fpe.matmul_failures("flushing", flushing)
    assert {f.breaks for f in failures} == {fpe.SUBNORMALS}


def test_flush_to_zero_is_detected_and_named():
    with flush_denormal():
        check = fpe.check_numpy_environment()
    assert not check.safe
    assert check.subnormals.startswith("flushed")
    assert check.rounding.startswith("nearest")
    msg = check.problem()
    assert "flush-to-zero" in msg and "torch.set_flush_denormal(True)" in msg
    assert "expected 1*2**-1060" in msg      # printed right although subnormals were flushed
    assert fpe.check_numpy_environment().safe   # and the process is sane again


def _libm():
    name = ctypes.util.find_library("m")
    if name is None:
        pytest.skip("no libm to call fesetround")
    return ctypes.CDLL(name)


# x86-64 <fenv.h> values
FE_MODES = {"downward": 0x400, "upward": 0x800, "toward zero": 0xC00}


@pytest.mark.parametrize("mode", sorted(FE_MODES))
def test_directed_rounding_is_detected(mode):
    import platform
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("fenv constants of x86-64")
    libm = _libm()
    assert libm.fesetround(FE_MODES[mode]) == 0
    try:
        check = fpe.check_numpy_environment()
    finally:
        libm.fesetround(0)
    assert not check.safe
    assert check.rounding.startswith("not round-to-nearest")
    assert "fesetround" in check.problem()
    assert fpe.check_numpy_environment().safe
