"""Error-free transformations of IEEE binary64 operations.

``two_sum`` (Knuth) gives ``a + b = s + e`` exactly barring overflow; ``two_product`` (Dekker's
splitting, Veltkamp) gives ``a * b = p + e`` exactly when no underflow or overflow occurs
(Ogita, Rump, Oishi, "Accurate sum and dot product", SISC 26(6), 2005, Sec. 2). They use only
correctly rounded ``+ - *`` and work elementwise on numpy arrays.
"""

from __future__ import annotations

_SPLITTER = 134217729.0  # 2**27 + 1


def two_sum(a, b):
    s = a + b
    z = s - a
    e = (a - (s - z)) + (b - z)
    return s, e


def split(a):
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def two_product(a, b):
    p = a * b
    ah, al = split(a)
    bh, bl = split(b)
    e = al * bl - (((p - ah * bh) - al * bh) - ah * bl)
    return p, e
