"""Soundness of the proved elementary functions (numerics/arith/elementary_proved.py) against Arb,
re-proof of the stored Taylor tables, and the constants the reductions rely on."""

import math

import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith import elementary as el
from numerics.arith import elementary_proved as P
from numerics.arith.interval import Interval
from numerics.arith.rounding import ETA, U
from numerics.arith.taylor_certificate import certify_piece, taylor_balls
from numerics.arith.taylor_pieces import TABLES_FILE, load_tables
from numerics_oracle import ORACLE_BITS, contains_ball

FMAX = float(np.finfo(np.float64).max)

ORACLE = {
    "exp": lambda a: a.exp(), "expm1": lambda a: a.expm1(), "log": lambda a: a.log(),
    "log1p": lambda a: a.log1p(), "tanh": lambda a: a.tanh(), "erf": lambda a: a.erf(),
    "sin": lambda a: a.sin(), "cos": lambda a: a.cos(),
    "arccos": lambda a: arb(0) if a == 1 else (arb.pi() if a == -1 else a.acos()),
    "arcsin": lambda a: (arb.pi() / 2 * (1 if a > 0 else -1)) if abs(a) == 1 else a.asin(),
}
POINT = {"arccos": P.arccos, "arcsin": P.arcsin, "exp": P.exp, "expm1": P.expm1, "log": P.log,
         "log1p": P.log1p, "tanh": P.tanh, "erf": P.erf,
         "sin": lambda x: P.sin_cos(x)[0], "cos": lambda x: P.sin_cos(x)[1]}
DOMAIN = {"log": (0.0, math.inf), "log1p": (-1.0, math.inf), "arccos": (-1.0, 1.0),
          "arcsin": (-1.0, 1.0)}
RANGE = {"sin": (-1, 1), "cos": (-1, 1), "tanh": (-1, 1), "erf": (-1, 1), "exp": (0, math.inf),
         "expm1": (-1, math.inf), "arccos": (0, math.inf), "arcsin": (-2, 2)}


def _boundaries() -> list[float]:
    """Piece boundaries of every table (j h +- h/2) and their float neighbours."""
    out = []
    for tab in load_tables().values():
        for j in range(tab.jmin, tab.jmax + 2, max(1, (tab.jmax - tab.jmin) // 12)):
            b = (j - 0.5) * tab.step
            out += [b, math.nextafter(b, -math.inf), math.nextafter(b, math.inf)]
    return out


SPECIAL = [0.0, -0.0, 5e-324, -5e-324, 1e-320, 2.2250738585072014e-308, 1e-300, 1e-30, 1e-16,
           1.0, -1.0, math.nextafter(1.0, 0.0), math.nextafter(-1.0, 0.0), 0.5, -0.5,
           math.nextafter(0.5, 0.0), math.nextafter(0.5, 1.0), math.nextafter(-0.5, 0.0),
           math.nextafter(-0.5, -1.0), 0.7071067811865476, 0.75, 1.5, 2.0, 19.0, -19.0, 6.0, -6.0,
           709.78, 709.79, 709.7827128933841, -744.44, -745.13, -745.2, -708.4, 1e300, -1e300,
           FMAX, -FMAX, math.pi / 2, math.pi, 2.0 ** 20, -(2.0 ** 20), 2.0 ** 20 + 1, 1e6,
           355.0, 103993.0, 1.5707963267948966e5]
adversarial = st.one_of(
    st.sampled_from(SPECIAL + _boundaries()),
    st.floats(1e-17, 0.5).map(lambda e: 1.0 - e), st.floats(1e-17, 0.5).map(lambda e: e - 1.0),
    st.floats(-1, 1), st.floats(-50, 50), st.floats(-750, 750),
    st.floats(allow_nan=False, allow_infinity=False))


def _ball(name: str, x: float, bits: int):
    with ctx.workprec(bits):
        return ORACLE[name](arb(float(x)))


def _encloses(name: str, lo: float, hi: float, x: float) -> bool:
    """[lo, hi] contains f(x): Arb at 200 bits, then 2400 bits (f(subnormal) next to f(0))."""
    rng = RANGE.get(name)
    return (contains_ball(lo, hi, _ball(name, x, ORACLE_BITS), rng)
            or contains_ball(lo, hi, _ball(name, x, 2400), rng))


def _in_domain(name: str, x: float) -> bool:
    lo, hi = DOMAIN.get(name, (-math.inf, math.inf))
    if not lo <= x <= hi or (name in ("log", "log1p") and x == lo):
        return False                                # log 0 = -inf: test_limits_...
    return not (name in ("sin", "cos") and abs(x) > 1e15)   # Arb's reduction would need more bits


def _check_points(name: str, xs) -> int:
    xs = np.array([x for x in xs if _in_domain(name, x)], dtype=np.float64)
    if xs.size == 0:
        return 0
    lo, hi = POINT[name](xs)
    assert (lo <= hi).all()
    for x, a, b in zip(xs.tolist(), lo.tolist(), hi.tolist()):
        assert _encloses(name, a, b, x), (name, x, a, b)
    return xs.size


# ------------------------------------------------------------------ soundness at points
@pytest.mark.parametrize("name", sorted(ORACLE))
@settings(max_examples=150, deadline=None)
@given(xs=st.lists(adversarial, min_size=1, max_size=4))
def test_point_enclosures_contain_arb_value(name, xs):
    _check_points(name, xs)


@pytest.mark.parametrize("name", sorted(ORACLE))
def test_special_points_and_boundaries(name):
    assert _check_points(name, SPECIAL + _boundaries()) > 10


@pytest.mark.parametrize("name", sorted(ORACLE))
@settings(max_examples=40, deadline=None)
@given(a=adversarial, b=adversarial, tiny=st.booleans())
def test_interval_enclosures_contain_arb_values(name, a, b, tiny):
    """Wide intervals [a, b], and tiny ones [a, a + few ulps], through the Interval API."""
    a, b = min(a, b), max(a, b)
    if tiny:
        b = a
        for _ in range(3):
            b = math.nextafter(b, math.inf)
    dlo, dhi = DOMAIN.get(name, (-math.inf, math.inf))
    if b < dlo or a > dhi or not (math.isfinite(a) and math.isfinite(b)):
        return
    R = getattr(el, name)(Interval(a, b))
    lo, hi = float(R.lo), float(R.hi)
    assert lo <= hi
    ca, cb = max(a, dlo), min(b, dhi)
    for x in (ca, cb, ca / 2 + cb / 2):
        if _in_domain(name, x) and not (name == "log" and x == 0) and \
                not (name == "log1p" and x == -1):
            assert _encloses(name, lo, hi, x), (name, a, b, x, lo, hi)


def test_enclosures_are_tight():
    """A few ulps on ordinary arguments: the n = 2000 kernel needs no more."""
    rng = np.random.default_rng(5)
    cases = {"arccos": rng.uniform(-1, 1, 4000), "arcsin": rng.uniform(-1, 1, 4000),
             "exp": rng.uniform(-700, 700, 4000), "log": 10.0 ** rng.uniform(-300, 300, 4000),
             "tanh": rng.uniform(-10, 10, 4000), "erf": rng.uniform(-5, 5, 4000),
             "log1p": rng.uniform(-0.9, 5, 4000), "expm1": rng.uniform(-5, 5, 4000),
             "sin": rng.uniform(-100, 100, 4000), "cos": rng.uniform(-100, 100, 4000)}
    for name, xs in cases.items():
        lo, hi = POINT[name](xs)
        ok = np.abs(lo) > 1e-3
        width_ulps = (hi - lo)[ok] / np.abs(lo[ok]) / 2.0 ** -52
        assert np.median(width_ulps) <= 8, (name, np.median(width_ulps))
        assert width_ulps.max() <= 40, (name, width_ulps.max())


def test_limits_overflow_underflow_and_saturation():
    lo, hi = P.exp(np.array([709.79, 1e300, np.inf, -745.2, -1e300, -np.inf]))
    assert lo.tolist()[:3] == [FMAX, FMAX, np.inf] and hi.tolist()[:3] == [np.inf] * 3
    assert lo.tolist()[3:] == [0.0, 0.0, 0.0] and hi.tolist()[3:] == [ETA, ETA, 0.0]
    lo, hi = P.tanh(np.array([19.0, 1e300, -19.0]))
    assert lo.tolist() == [1 - U, 1 - U, -1.0] and hi.tolist() == [1.0, 1.0, -(1 - U)]
    lo, hi = P.log(np.array([0.0, 1.0, np.inf]))
    assert lo.tolist() == [-np.inf, 0.0, FMAX] and hi.tolist() == [-np.inf, 0.0, np.inf]
    lo, hi = P.sin_cos(np.array([np.inf, -np.inf]))[0]
    assert lo.tolist() == [-1.0, -1.0] and hi.tolist() == [1.0, 1.0]
    lo, hi = P.log1p(np.array([-1.0]))
    assert lo[0] == hi[0] == -np.inf


@settings(max_examples=60, deadline=None)
@given(mantissa=st.floats(0.5, 1.0, exclude_max=True), exponent=st.integers(21, 1024), negative=st.booleans())
def test_sin_cos_beyond_2_20_contain_arb_at_ample_precision_and_are_tight(mantissa, exponent, negative):
    """Beyond 2**20 the values come from Arb at exponent + 128 bits; the oracle is Arb at exponent
    + 400 bits, and the enclosure must be a few ulps wide (it was [-1, 1] before)."""
    x = math.ldexp(mantissa, exponent) * (-1.0 if negative else 1.0)
    if not math.isfinite(x):
        return
    (s_lo, s_hi), (c_lo, c_hi) = P.sin_cos(np.array([x]))
    with ctx.workprec(exponent + 400):
        sin_x, cos_x = arb(x).sin(), arb(x).cos()
    assert contains_ball(float(s_lo[0]), float(s_hi[0]), sin_x) and contains_ball(float(c_lo[0]), float(c_hi[0]), cos_x)
    assert s_hi[0] - s_lo[0] <= 4 * U and c_hi[0] - c_lo[0] <= 4 * U


def test_sin_of_huge_points_through_the_interval_api():
    """A point interval at 1e22 is the value (sin 1e22 = -0.8522008497671888...); an interval
    around it that may contain an extremum is [-1, 1]."""
    v = el.sin(Interval(1e22, 1e22))
    assert v.lo <= -0.8522008497671888 <= v.hi and v.hi - v.lo < 1e-15
    wide = el.sin(Interval(1e22, 1e22 * (1 + 1e-15)))
    assert wide.lo == -1.0 and wide.hi == 1.0


def test_tables_reject_arguments_outside_their_range():
    tab = load_tables()["arcsin"]
    with pytest.raises(ValueError, match="arcsin table: argument 0.8"):
        tab.evaluate(np.array([0.1, 0.8]))
    with pytest.raises(ValueError, match="outside"):
        tab.evaluate(np.array([np.nan]))


# ------------------------------------------------------------------ the constants
def test_reduction_constants_are_proved():
    with ctx.workprec(300):
        pi = arb.pi()
        assert arb(0) < pi - P.PI_LO < arb(P.PI_GAP)
        assert arb(0) < pi / 2 - P.PIO2 < arb(P.PIO2_GAP)
        assert 1 - arb(19).tanh() < arb(2) ** -53          # tanh, erf increasing: beyond too
        assert arb(6).erfc() < arb(2) ** -53
        assert arb(P.EXP_OVERFLOW).exp() > arb(FMAX)
        assert arb(P.EXP_UNDERFLOW).exp() < arb(ETA)
        assert arb(709.78).exp() > arb(1.79e308)          # strict mode's overflow branch
        u = arb(U)
        assert arb(P._SQRT_ERR) >= u / arb(0.75).sqrt()
        assert 1 / (1 - (1 + 4 * u) / 2).sqrt() <= arb(1.41422)
        assert (1 + u) / (1 - u).sqrt() - 1 <= 1.5001 * u
        assert arb(P._SQRT_ERR_FULL) >= 1.5001 * u * arb(1.41422)
        assert arb(P._C_PI) >= (pi - P.PI_LO) + u * arb(3.1416)
        assert arb(P._C_PIO2) >= (pi / 2 - P.PIO2) + u * arb(1.5708)
        # the kernel's constants (numerics/kernels/two_layer.py::_bulk_proved)
        assert arb(0.15916) >= arb(1.0 / (2.0 * math.pi)) * (1 + 2 * u)
        eA = arb(P.arccos_uniform_error())
        assert arb(4.81e-16) >= (pi - P.PI_LO) + u * (pi + eA) * (1 + u)


def test_pio2_parts():
    P1, P2, p3lo, p3hi = P._pio2_parts()
    for p in (P1, P2):
        m, _ = math.frexp(p)
        assert (m * 2 ** 33).is_integer()                 # at most 33 significant bits
    with ctx.workprec(300):
        rest = arb.pi() / 2 - P1 - P2
        assert arb(p3lo) <= rest <= arb(p3hi)


# ------------------------------------------------------------------ the stored tables
def _reprove(name, rec, piece, coeffs=None):
    c = piece["j"] * rec["step"]
    R0, R1 = certify_piece(name, c, rec["step"] / 2, coeffs or piece["coeffs"])
    return R0, R1


def _stored():
    import json
    return json.loads(TABLES_FILE.read_text())["tables"]


@pytest.mark.parametrize("name", sorted(_stored()))
def test_stored_remainders_are_reproved_sample(name):
    """Every 7th piece (and the first and last) of each table: Arb re-proves the stored bounds."""
    rec = _stored()[name]
    pieces = rec["pieces"]
    for p in pieces[::7] + [pieces[-1]]:
        R0, R1 = _reprove(name, rec, p)
        assert R0 <= p["R0"] and R1 <= p["R1"], (name, p["j"])


def test_stored_remainders_are_reproved_all():
    for name, rec in _stored().items():
        for p in rec["pieces"]:
            R0, R1 = _reprove(name, rec, p)
            assert R0 <= p["R0"] and R1 <= p["R1"], (name, p["j"])


@pytest.mark.parametrize("name,index", [("arcsin", 0), ("arcsin", 40), ("tanh", 100),
                                        ("log", 16), ("exp", 0), ("sin", 26)])
def test_altered_coefficient_fails_the_reproof(name, index):
    """One ulp away from the Taylor coefficient, in a_0, a_1 or the last nonzero a_i: the stored
    bound is no longer proved (so a corrupted or edited table cannot pass the re-proof)."""
    rec = _stored()[name]
    piece = rec["pieces"][index]
    c = piece["j"] * rec["step"]
    m = rec["degree"]
    with ctx.workprec(256):
        exact = taylor_balls(name, arb(c), m + 1)
    top = max(i for i in range(m + 1) if piece["coeffs"][i] != 0)   # odd/even pieces at 0
    for i in (0, 1, top):
        a = list(piece["coeffs"])
        away = math.inf if float(exact[i].mid()) <= a[i] else -math.inf
        a[i] = math.nextafter(a[i], away)
        R0, R1 = _reprove(name, rec, piece, a)
        assert R0 > piece["R0"] or R1 > piece["R1"], (name, index, i)


# ------------------------------------------------------------------ the slow sweep
SWEEP = 12_000


def _sweep_points(name, rng):
    n = SWEEP
    if name in ("arccos", "arcsin"):
        eps = 10.0 ** -rng.uniform(0, 16, n // 2)
        return np.concatenate([rng.uniform(-1, 1, n // 4), np.sign(rng.standard_normal(n // 2))
                               * (1 - eps), rng.uniform(-0.51, 0.51, n // 4)])
    wide = rng.standard_normal(n // 2) * 10.0 ** rng.uniform(-20, 3, n // 2)
    local = {"exp": rng.uniform(-746, 710, n // 2), "expm1": rng.uniform(-40, 40, n // 2),
             "log": 10.0 ** rng.uniform(-320, 308, n // 2), "log1p": rng.uniform(-1, 3, n // 2),
             "tanh": rng.uniform(-22, 22, n // 2), "erf": rng.uniform(-7, 7, n // 2),
             "sin": rng.uniform(-3e5, 3e5, n // 2), "cos": rng.uniform(-3e5, 3e5, n // 2)}[name]
    pts = np.concatenate([wide, local])
    if name == "log":
        pts = np.abs(pts)
    if name == "log1p":
        pts = np.maximum(pts, -1.0)
    return pts


def test_sweep_over_hundred_thousand_points():
    """10 functions x 12 000 points (1.2e5) against Arb; 0 failures."""
    rng = np.random.default_rng(20261206)
    total = 0
    for name in sorted(ORACLE):
        total += _check_points(name, _sweep_points(name, rng).tolist())
    assert total >= 100_000


@settings(max_examples=60, deadline=None)
@given(xs=st.lists(st.one_of(st.sampled_from(SPECIAL), st.floats(-1, 1),
                             st.floats(1e-17, 0.5).map(lambda e: 1.0 - e)), min_size=1, max_size=6))
def test_kernel_arccos_values_within_the_uniform_bound(xs):
    """The kernel's branch-free arccos: same values as arccos_value_error, and within the one
    uniform bound of Arb's arccos (the bound the two-layer kernel's bulk entries use)."""
    x = np.array([v for v in xs if -1 <= v <= 1] or [0.0])
    V = P.arccos_values(x)
    V2, e = P.arccos_value_error(x)
    assert np.array_equal(V, V2)
    E = P.arccos_uniform_error()
    assert (e <= E).all() and E < 2e-15
    for v, y in zip(x.tolist(), V.tolist()):
        assert contains_ball(math.nextafter(y - E, -1), math.nextafter(y + E, 4),
                             _ball("arccos", v, ORACLE_BITS), RANGE["arccos"])
