"""Arb certificates of the piecewise Taylor tables of :mod:`numerics.arith.taylor_pieces`.

Not used at run time: the generation script ``scripts/generate_taylor_tables.py`` calls
:func:`build_table` once and stores the result in ``numerics/arith/data/taylor_tables.json``;
the tests call :func:`certify_piece` again on the stored coefficients and check that the stored
remainder bounds are still proved.

What is proved for a piece with exact float center ``c``, radius ``T`` and float coefficients
``a_0 .. a_m`` (docs/elementary_enclosures.md, "Remainder certificates"): for every real ``t``
with ``|t| <= T``,

    ``|f(c + t) - sum_i a_i t^i| <= R0 + R1 |t|``,

with ``R0 = |a_0 - f_0|`` and ``R1 = sum_{i=1..m} |a_i - f_i| T^(i-1) + D T^m``, where
``f_i = f^(i)(c)/i!`` are Arb balls at the exact point ``c`` and ``D`` bounds
``|f^(m+1)(xi)|/(m+1)!`` for every ``xi`` in ``[c - T, c + T]`` (Arb's Taylor series of ``f`` at
the ball ``[c - T, c + T]``: its coefficient ``m + 1`` contains all these values). The Taylor
formula with Lagrange remainder and ``|t|^i <= |t| T^(i-1)`` (i >= 1) give the bound.
"""

from __future__ import annotations

from fractions import Fraction

from flint import arb, arb_series

from numerics.arith.context import arb_precision

CERTIFICATE_BITS = 256


def _tanh_series(s):
    e = (2 * s).exp()
    return (e - 1) / (e + 1)


SERIES = {
    "arcsin": lambda s: s.asin(),
    "tanh": _tanh_series,
    "erf": lambda s: s.erf(),
    "exp": lambda s: s.exp(),
    "expm1": lambda s: s.exp() - 1,
    "log": lambda s: s.log(),
    "log1p": lambda s: (1 + s).log(),
    "sin": lambda s: s.sin(),
    "cos": lambda s: s.cos(),
}
"""Taylor series of each tabulated function at a point or ball (python-flint ``arb_series``)."""


def taylor_balls(name: str, center: arb, length: int) -> list[arb]:
    """Arb balls of ``f^(i)(center)/i!`` for ``i < length`` (``center`` may be a ball)."""
    s = arb_series([center, 1], prec=length)
    coeffs = SERIES[name](s).coeffs()
    coeffs += [arb(0)] * (length - len(coeffs))
    return coeffs[:length]


def _upper(x: arb) -> Fraction:
    """An exact rational >= every point of the ball ``x`` (from its midpoint and radius)."""
    m, e = x.mid().man_exp()
    r, f = x.rad().man_exp()
    mid_q = Fraction(int(m)) * (Fraction(2) ** int(e))
    rad_q = Fraction(int(r)) * (Fraction(2) ** int(f))
    return mid_q + rad_q


def abs_upper(x: arb) -> Fraction:
    """An exact rational >= |y| for every y in the ball ``x``."""
    return max(_upper(x), _upper(-x))


def certify_piece(name: str, center: float, radius: float, coeffs: list[float],
                  bits: int = CERTIFICATE_BITS) -> tuple[Fraction, Fraction]:
    """Exact rationals ``(R0, R1)`` with ``|f(c+t) - p(t)| <= R0 + R1 |t|`` for ``|t| <= radius``.

    ``p(t) = sum coeffs[i] t^i`` with the given floats (exact dyadic values).
    """
    m = len(coeffs) - 1
    with arb_precision(bits):
        f = taylor_balls(name, arb(center), m + 1)
        ball = arb(center, radius)
        D = abs_upper(taylor_balls(name, ball, m + 2)[m + 1])
        T = Fraction(radius)
        diffs = [abs_upper(arb(a) - fi) for a, fi in zip(coeffs, f)]
    R0 = diffs[0]
    R1 = sum(diffs[i] * T ** (i - 1) for i in range(1, m + 1)) + D * T ** m
    return R0, R1


def nearest_coefficients(name: str, center: float, degree: int,
                         bits: int = CERTIFICATE_BITS) -> list[float]:
    """The Taylor coefficients at ``center`` rounded to floats (Arb midpoints)."""
    with arb_precision(bits):
        return [float(c.mid()) for c in taylor_balls(name, arb(center), degree + 1)]


def build_table(name: str, step: float, jmin: int, jmax: int, degree: int) -> dict:
    """A certified table: pieces ``j = jmin..jmax`` centered at ``j * step``, radius ``step/2``."""
    radius = step / 2
    pieces = []
    for j in range(jmin, jmax + 1):
        c = j * step
        a = nearest_coefficients(name, c, degree)
        R0, R1 = certify_piece(name, c, radius, a)
        pieces.append({"j": j, "coeffs": a, "R0": _round_up(R0), "R1": _round_up(R1)})
    return {"function": name, "step": step, "jmin": jmin, "jmax": jmax, "degree": degree,
            "pieces": pieces}


def _round_up(q: Fraction) -> float:
    from numerics.arith.rounding import round_up_fraction
    return round_up_fraction(q)
