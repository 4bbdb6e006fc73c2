"""Directed rounding on IEEE binary64 by one-ulp steps, and the error constants of float sums.

Rounding model: IEEE binary64, round to nearest, gradual underflow (probed at run time:
docs/floating_point_environment.md). ``+ - * /`` and ``sqrt``
are correctly rounded, so the exact result of one operation lies between the neighbours
``down(r)`` and ``up(r)`` of the computed ``r``. ``U`` is the unit roundoff, ``ETA`` the
smallest subnormal, ``gamma_const(k)`` a float upper bound of Higham's
``gamma_k = k u / (1 - k u)``. Fractions convert to the nearest float in the stated direction
exactly (Python's integer division is exact).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

_INF = np.inf
U = 2.0 ** -53          # unit roundoff of binary64
ETA = 2.0 ** -1074      # smallest subnormal (INTLAB's underflow unit; safe for 2**-1075)


def down(x):
    """The float below ``x`` (one ulp toward -inf); encloses the exact value of one rounding.

    ``[down(r), up(r)]`` holds the exact result of any one correctly rounded operation whose
    computed result is ``r``:

    >>> from fractions import Fraction
    >>> from numerics.arith.rounding import down, up
    >>> r = 1.0 / 3.0
    >>> Fraction(float(down(r))) < Fraction(1, 3) < Fraction(float(up(r)))
    True
    >>> float(down(1.0)), float(up(1.0))
    (0.9999999999999999, 1.0000000000000002)
    """
    return np.nextafter(x, -_INF)


def up(x):
    """The float above ``x`` (one ulp toward +inf)."""
    return np.nextafter(x, _INF)


def round_up_fraction(q: Fraction) -> float:
    """The smallest float >= the rational ``q`` (exact, via Python's correctly rounded division)."""
    f = float(q)
    if Fraction(f) < q:
        f = float(np.nextafter(f, _INF))
    return f


def round_down_fraction(q: Fraction) -> float:
    f = float(q)
    if Fraction(f) > q:
        f = float(np.nextafter(f, -_INF))
    return f


def gamma_const(k: int) -> float:
    """A float upper bound of Higham's gamma_k = k u / (1 - k u) (requires k u < 1)."""
    k = int(k)
    if k <= 0:
        return 0.0
    ku = Fraction(k, 2 ** 53)
    if ku >= 1:
        raise ValueError(f"k={k} is too large for gamma_k; allowed: k * 2**-53 < 1")
    return round_up_fraction(ku / (1 - ku))
