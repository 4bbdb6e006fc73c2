"""Interval arrays on numpy with outward rounding.

An :class:`Interval` is a pair of float64 arrays ``lo <= hi`` (any shape; 0-d for a scalar)
standing for the set of real arrays ``x`` with ``lo <= x <= hi`` elementwise. Every operation
returns an interval that contains the exact real result for every choice of the operands in
their intervals.

Rounding model (docs/spectral_method.md, "Rounding model"): IEEE binary64, round to nearest, gradual underflow
(no flush-to-zero), checked at run time by :mod:`numerics.arith.fp_environment`
(docs/floating_point_environment.md) before every certificate. ``+ - * /`` and ``sqrt`` are
correctly rounded, so the exact result of one operation lies between the neighbours
``nextafter(r, -inf)`` and ``nextafter(r, +inf)`` of the computed ``r``; each endpoint is pushed
outward by one ulp. This is also right at overflow
(``r = inf`` means the exact value exceeds the largest float) and in the subnormal range.
Floats and numpy arrays given as operands are exact point values: ``0.1`` means the double
nearest to one tenth, not one tenth.

Conventions:

* An Interval is an immutable value: its endpoint arrays are read-only and no other array can
  write their memory (the caller's arrays are copied, never captured); operations return new
  intervals, and :meth:`Interval.with_entries` replaces item assignment.
* NaN is never a valid endpoint (``ValueError``). Infinite endpoints are allowed and mean
  "unbounded"; products ``0 * inf`` of endpoints count as 0 (the interval holds only reals).
* Division by an interval that contains 0 gives the whole line ``[-inf, inf]`` in that entry
  (no error); use :func:`certainly_gt` on the divisor first when a finite result is needed.
* Comparisons (:func:`certainly_lt` and friends) return a :class:`~numerics.arith.verdict.Verdict`
  for the conjunction over all entries: HOLDS when proved for every entry, FAILS when some
  entry is proved false, UNDECIDED otherwise; never a guessed bool.
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Real

import numpy as np

from numerics.arith.error_free import two_product
from numerics.arith.products import float_product_bounds, midrad_product_bounds
from numerics.arith.rounding import down, gamma_const, round_up_fraction, up
from numerics.arith.verdict import Verdict

_INF = np.inf

def _as_array(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.dtype != np.float64:
        raise TypeError(f"{name} must be a float array, got dtype {a.dtype}")
    return a


def _owns_frozen_data(a: np.ndarray) -> bool:
    """True when nobody can write ``a``'s memory through another array: every array on its
    ``base`` chain is read-only (or ``a`` owns its data and may be frozen itself)."""
    b = a.base
    while b is not None:
        if not isinstance(b, np.ndarray) or b.flags.writeable:
            return False
        b = b.base
    return True


def frozen(a) -> np.ndarray:
    """A read-only float64 array with ``a``'s values that nothing else can change.

    Already-frozen memory is returned as is; an array that owns its memory is frozen in place (it
    was made for this interval: writing it afterwards raises ``ValueError: assignment destination
    is read-only``); a view of writable memory is copied first."""
    a = np.asarray(a, dtype=np.float64)
    if not a.flags.writeable and _owns_frozen_data(a):
        return a
    if not (a.base is None and a.flags.owndata):
        a = a.copy()
    a.setflags(write=False)
    return a


class Interval:
    """An immutable array of closed real intervals ``[lo, hi]`` (numpy float64 endpoints).

    The endpoint arrays are read-only and belong to the interval alone (no other array can write
    their memory): an enclosure, once made, cannot change. Operations return new intervals; there
    is no item assignment (:meth:`with_entries` returns a changed copy).
    """

    __slots__ = ("lo", "hi")
    __array_ufunc__ = None  # make numpy defer to our reflected operators

    def __init__(self, lo, hi=None, *, check: bool = True):
        if isinstance(lo, Interval):
            if hi is not None:
                raise TypeError("Interval(Interval, hi) is ambiguous; use Interval.hull")
            object.__setattr__(self, "lo", lo.lo)       # read-only and owned: sharing is safe
            object.__setattr__(self, "hi", lo.hi)
            return
        lo_a = np.array(lo, dtype=np.float64) if check else lo
        hi_a = lo_a if hi is None else (np.array(hi, dtype=np.float64) if check else hi)
        if check:
            if lo_a.shape != hi_a.shape:
                lo_a, hi_a = np.broadcast_arrays(lo_a, hi_a)
                lo_a, hi_a = lo_a.copy(), hi_a.copy()
            if np.isnan(lo_a).any() or np.isnan(hi_a).any():
                raise ValueError("Interval endpoints must not be NaN (lo/hi contain NaN)")
            if not (lo_a <= hi_a).all():
                raise ValueError("Interval requires lo <= hi elementwise; "
                                 f"found lo > hi at {np.argwhere(~(lo_a <= hi_a))[0].tolist()}")
        lo_f = frozen(lo_a)
        object.__setattr__(self, "lo", lo_f)
        object.__setattr__(self, "hi", lo_f if hi_a is lo_a else frozen(hi_a))

    def __setattr__(self, name, value):
        raise AttributeError(f"Interval is immutable (cannot set {name!r}); build a new Interval")

    def __delattr__(self, name):
        raise AttributeError(f"Interval is immutable (cannot delete {name!r})")

    def __reduce__(self):
        return (Interval._raw, (np.array(self.lo), np.array(self.hi)))

    # ----------------------------------------------------------------- constructors
    @classmethod
    def point(cls, x) -> "Interval":
        """The degenerate interval ``[x, x]`` (x is an exact float / float array)."""
        return cls(x)

    @classmethod
    def hull(cls, a, b) -> "Interval":
        """Smallest interval containing both ``a`` and ``b`` (intervals or points)."""
        a, b = as_interval(a), as_interval(b)
        return cls(np.minimum(a.lo, b.lo), np.maximum(a.hi, b.hi))

    @classmethod
    def from_mid_rad(cls, mid, rad) -> "Interval":
        """``[mid - rad, mid + rad]`` rounded outward; ``rad`` must be >= 0."""
        m = _as_array(mid, "mid")
        r = _as_array(rad, "rad")
        if np.isnan(r).any() or (r < 0).any():
            raise ValueError("rad must be non-negative and not NaN (radius of an interval)")
        return cls(down(m - r), up(m + r))

    @classmethod
    def _raw(cls, lo, hi) -> "Interval":
        """Internal: wrap endpoints already known to satisfy ``lo <= hi`` (they are frozen:
        an array that owns its memory becomes read-only, a view of writable memory is copied)."""
        out = object.__new__(cls)
        lo_f = frozen(lo)
        object.__setattr__(out, "lo", lo_f)
        object.__setattr__(out, "hi", lo_f if hi is lo else frozen(hi))
        return out

    # ----------------------------------------------------------------- shape
    @property
    def shape(self):
        return self.lo.shape

    @property
    def ndim(self):
        return self.lo.ndim

    @property
    def size(self):
        return self.lo.size

    @property
    def T(self) -> "Interval":
        return Interval._raw(self.lo.T, self.hi.T)

    def transpose(self, *axes) -> "Interval":
        return Interval._raw(self.lo.transpose(*axes), self.hi.transpose(*axes))

    def __len__(self) -> int:
        return len(self.lo)

    def __getitem__(self, idx) -> "Interval":
        return Interval._raw(self.lo[idx], self.hi[idx])

    def with_entries(self, idx, value) -> "Interval":
        """A new interval equal to this one except at ``idx``, where it is ``value``
        (``self`` is unchanged; intervals have no item assignment)."""
        v = as_interval(value)
        lo, hi = self.lo.copy(), self.hi.copy()
        lo[idx], hi[idx] = v.lo, v.hi
        return Interval._raw(lo, hi)

    def reshape(self, *shape) -> "Interval":
        return Interval._raw(self.lo.reshape(*shape), self.hi.reshape(*shape))

    def copy(self) -> "Interval":
        """The interval itself: an immutable value needs no copy."""
        return self

    def __repr__(self) -> str:
        if self.ndim == 0:
            return f"Interval([{self.lo!r}, {self.hi!r}])"
        return f"Interval(shape={self.shape}, lo={self.lo!r}, hi={self.hi!r})"

    # ----------------------------------------------------------------- measures
    def mid(self) -> np.ndarray:
        """A float midpoint inside ``[lo, hi]`` (finite where both endpoints are finite)."""
        if self.lo is self.hi:
            return self.lo.copy()
        with np.errstate(invalid="ignore", over="ignore", under="ignore"):
            m = 0.5 * self.lo
            m += 0.5 * self.hi
        if self.lo.ndim and np.isfinite(m).all():
            np.clip(m, self.lo, self.hi, out=m)
            return m
        m = np.where(np.isfinite(self.lo) & np.isfinite(self.hi), m,
                     np.where(np.isfinite(self.lo), self.lo,
                              np.where(np.isfinite(self.hi), self.hi, 0.0)))
        return np.clip(m, self.lo, self.hi)

    def rad(self) -> np.ndarray:
        """A radius r with ``[mid - r, mid + r] ⊇ [lo, hi]`` (rounded up)."""
        m = self.mid()
        with np.errstate(invalid="ignore", over="ignore"):
            r = np.maximum(up(self.hi - m), up(m - self.lo))
        return np.maximum(r, 0.0)

    def width(self) -> np.ndarray:
        """Upper bound of ``hi - lo``."""
        with np.errstate(invalid="ignore", over="ignore"):
            return np.maximum(up(self.hi - self.lo), 0.0)

    def mag(self) -> np.ndarray:
        """max |x| over the interval (exact)."""
        return np.maximum(np.abs(self.lo), np.abs(self.hi))

    def mig(self) -> np.ndarray:
        """min |x| over the interval (exact; 0 when the interval contains 0)."""
        m = np.minimum(np.abs(self.lo), np.abs(self.hi))
        return np.where((self.lo <= 0) & (self.hi >= 0), 0.0, m)

    def contains(self, x) -> np.ndarray:
        """Elementwise: is the (exact float) ``x`` inside?  For intervals: is ``x`` a subset?"""
        if isinstance(x, Interval):
            return (self.lo <= x.lo) & (x.hi <= self.hi)
        x = np.asarray(x, dtype=np.float64)
        return (self.lo <= x) & (x <= self.hi)

    def interior_contains(self, x: "Interval") -> np.ndarray:
        """Elementwise: ``x`` lies in the interior of ``self`` (strict inclusion)."""
        x = as_interval(x)
        return (self.lo < x.lo) & (x.hi < self.hi)

    def is_finite(self) -> bool:
        return bool(np.isfinite(self.lo).all() and np.isfinite(self.hi).all())

    # ----------------------------------------------------------------- arithmetic
    def __neg__(self) -> "Interval":
        return Interval._raw(-self.hi, -self.lo)

    def __pos__(self) -> "Interval":
        return self

    def __add__(self, other) -> "Interval":
        o = _coerce(other)
        if o is None:
            return NotImplemented
        with np.errstate(invalid="ignore", over="ignore"):
            lo = down(self.lo + o.lo)
            hi = up(self.hi + o.hi)
        return _fix_nan(lo, hi)

    __radd__ = __add__

    def __sub__(self, other) -> "Interval":
        o = _coerce(other)
        if o is None:
            return NotImplemented
        with np.errstate(invalid="ignore", over="ignore"):
            lo = down(self.lo - o.hi)
            hi = up(self.hi - o.lo)
        return _fix_nan(lo, hi)

    def __rsub__(self, other) -> "Interval":
        o = _coerce(other)
        if o is None:
            return NotImplemented
        return o - self

    def __mul__(self, other) -> "Interval":
        o = _coerce(other)
        if o is None:
            return NotImplemented
        return _mul(self, o)

    __rmul__ = __mul__

    def __truediv__(self, other) -> "Interval":
        o = _coerce(other)
        if o is None:
            return NotImplemented
        return _div(self, o)

    def __rtruediv__(self, other) -> "Interval":
        o = _coerce(other)
        if o is None:
            return NotImplemented
        return _div(o, self)

    def __pow__(self, k) -> "Interval":
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"Interval ** k needs an integer k, got {k!r}; "
                            "use elementary.exp/log for real powers")
        return _ipow(self, int(k))

    def __matmul__(self, other) -> "Interval":
        return matmul_enclosure(self, other)

    def __rmatmul__(self, other) -> "Interval":
        return matmul_enclosure(other, self)

    # ----------------------------------------------------------------- reductions
    def sum(self, axis=None) -> "Interval":
        """Rigorous sum: float sum plus the a-priori bound gamma_{k-1} * sum |x| (Higham 4.2)."""
        return Interval._raw(_sum_lower(self.lo, axis), -_sum_lower(-self.hi, axis))

    def __bool__(self):
        raise TypeError("the truth value of an Interval is undefined; "
                        "use certainly_lt/le/gt/ge, which return a Verdict")


# --------------------------------------------------------------------- helpers
def as_interval(x) -> Interval:
    """Coerce a float, array or Interval to an Interval (floats are exact points).

    An array is copied unless it is already read-only memory nothing else can write (the
    interval never aliases a writable array)."""
    if isinstance(x, Interval):
        return x
    a = np.asarray(x, dtype=np.float64)
    if np.isnan(a).any():
        raise ValueError("cannot make an interval from NaN")
    if a is x and (a.flags.writeable or not _owns_frozen_data(a)):
        a = a.copy()                        # the caller's own writable memory: never frozen or shared
    return Interval._raw(a, a)


def _coerce(x):
    if isinstance(x, Interval):
        return x
    if isinstance(x, (Real, np.ndarray, np.floating, np.integer, list, tuple)):
        return as_interval(x)
    return None


def lower(x) -> np.ndarray:
    """Lower endpoint(s) of an interval, or the float itself."""
    return x.lo if isinstance(x, Interval) else np.asarray(x, dtype=np.float64)


def upper(x) -> np.ndarray:
    return x.hi if isinstance(x, Interval) else np.asarray(x, dtype=np.float64)


def _fix_nan(lo, hi) -> Interval:
    # inf - inf only arises from unbounded operands; the result is then unbounded
    lo = np.where(np.isnan(lo), -_INF, lo)
    hi = np.where(np.isnan(hi), _INF, hi)
    return Interval._raw(lo, hi)


def _mul(a: Interval, b: Interval) -> Interval:
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        ps = np.stack(np.broadcast_arrays(a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi))
    ps[np.isnan(ps)] = 0.0  # 0 * inf: the intervals hold only reals
    mn, mx = ps.min(axis=0), ps.max(axis=0)
    lo, hi = down(mn), up(mx)
    # sign information makes a zero endpoint exact (0 * x = 0; same-sign factors give >= 0)
    a_zero = (a.lo == 0) & (a.hi == 0)
    b_zero = (b.lo == 0) & (b.hi == 0)
    nonneg = ((a.lo >= 0) & (b.lo >= 0)) | ((a.hi <= 0) & (b.hi <= 0)) | a_zero | b_zero
    nonpos = ((a.lo >= 0) & (b.hi <= 0)) | ((a.hi <= 0) & (b.lo >= 0)) | a_zero | b_zero
    lo = np.where(nonneg & (mn == 0), 0.0, lo)
    hi = np.where(nonpos & (mx == 0), 0.0, hi)
    return Interval._raw(lo, hi)


def _div(a: Interval, b: Interval) -> Interval:
    has_zero = (b.lo <= 0) & (b.hi >= 0)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        q1 = a.lo / b.lo
        q2 = a.lo / b.hi
        q3 = a.hi / b.lo
        q4 = a.hi / b.hi
        qs = np.stack(np.broadcast_arrays(q1, q2, q3, q4))
    # inf/inf is NaN: the true quotient is unbounded in that direction
    lo = np.where(np.isnan(qs).any(axis=0), -_INF, qs.min(axis=0))
    hi = np.where(np.isnan(qs).any(axis=0), _INF, qs.max(axis=0))
    lo = np.where(has_zero, -_INF, down(lo))
    hi = np.where(has_zero, _INF, up(hi))
    return Interval._raw(lo, hi)


def _pow_nonneg(x, k: int, direction):
    """x**k for x >= 0 by repeated squaring; each product rounded by ``direction``."""
    result = np.ones_like(x)
    base = x.copy()
    with np.errstate(over="ignore", under="ignore"):
        while k:
            if k & 1:
                result = np.maximum(direction(result * base), 0.0)
            k >>= 1
            if k:
                base = np.maximum(direction(base * base), 0.0)
    return result


def _ipow(a: Interval, k: int) -> Interval:
    if k == 0:
        return Interval._raw(np.ones_like(a.lo), np.ones_like(a.lo))
    if k < 0:
        return 1.0 / _ipow(a, -k)
    if k == 1:
        return a
    if k % 2 == 0:
        mig, mag = a.mig(), a.mag()
        return Interval._raw(_pow_nonneg(mig, k, down), _pow_nonneg(mag, k, up))
    # odd k: monotone increasing; |x|^k with the rounding direction of the signed result
    lo = np.where(a.lo >= 0, _pow_nonneg(np.abs(a.lo), k, down),
                  -_pow_nonneg(np.abs(a.lo), k, up))
    hi = np.where(a.hi >= 0, _pow_nonneg(np.abs(a.hi), k, up),
                  -_pow_nonneg(np.abs(a.hi), k, down))
    return Interval._raw(lo, hi)


def _sum_lower(x: np.ndarray, axis) -> np.ndarray:
    """A lower bound of the exact sum of ``x`` along ``axis`` (x may hold -inf)."""
    k = x.size if axis is None else x.shape[axis]
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.sum(x, axis=axis)
        if k <= 1:
            return np.where(np.isnan(s), -_INF, s)
        # |fl(sum) - sum| <= gamma_{k-1} sum|x| <= gamma_{k-1}/(1-gamma_{k-1}) fl(sum|x|)
        g = gamma_const(k - 1)
        c = round_up_fraction(Fraction(g) / (1 - Fraction(g)))
        err = up(c * np.sum(np.abs(x), axis=axis))
        lo = down(s - err)
    return np.where(np.isnan(lo), -_INF, lo)


# --------------------------------------------------------------------- functions
def sqrt(x) -> Interval:
    """Square root on the part of ``x`` inside [0, inf) (IEEE sqrt is correctly rounded).

    Entries with ``hi < 0`` raise ValueError; ``sqrt([0, 0]) = [0, 0]`` exactly. The lower
    endpoint is one ulp down unless the root is exact, the upper one ulp up:

    >>> from fractions import Fraction
    >>> from numerics.arith.interval import Interval, sqrt
    >>> r = sqrt(Interval(2.0))
    >>> float(r.lo), float(r.hi)
    (1.414213562373095, 1.4142135623730954)
    >>> Fraction(float(r.lo)) ** 2 < 2 < Fraction(float(r.hi)) ** 2
    True
    >>> s = sqrt(Interval(4.0))
    >>> float(s.lo), float(s.hi)
    (2.0, 2.0000000000000004)
    """
    x = as_interval(x)
    if (x.hi < 0).any():
        raise ValueError("sqrt of an interval entirely below 0 (x.hi < 0); allowed: x.hi >= 0")
    lo = np.maximum(x.lo, 0.0)
    rlo = np.sqrt(lo)
    rhi = np.sqrt(x.hi)
    rlo = np.where(_is_exact_square_root(rlo, lo), rlo, np.maximum(down(rlo), 0.0))
    rhi = np.where(x.hi == 0, 0.0, up(rhi))
    return Interval._raw(np.maximum(rlo, 0.0), rhi)


def _is_exact_square_root(r: np.ndarray, x: np.ndarray) -> np.ndarray:
    """r * r == x exactly (Dekker's TwoProduct; only trusted away from underflow)."""
    with np.errstate(all="ignore"):
        p, e = two_product(r, r)
    return (p == x) & (e == 0) & ((x == 0) | (x > 2.0 ** -900))


def square(x) -> Interval:
    return _ipow(as_interval(x), 2)


def abs(x) -> Interval:  # noqa: A001 - the mathematical name
    x = as_interval(x)
    return Interval._raw(x.mig(), x.mag())


def minimum(a, b) -> Interval:
    a, b = as_interval(a), as_interval(b)
    return Interval._raw(np.minimum(a.lo, b.lo), np.minimum(a.hi, b.hi))


def maximum(a, b) -> Interval:
    a, b = as_interval(a), as_interval(b)
    return Interval._raw(np.maximum(a.lo, b.lo), np.maximum(a.hi, b.hi))


def intersect(a, b) -> Interval:
    """Elementwise intersection; ValueError when some entry is empty."""
    a, b = as_interval(a), as_interval(b)
    lo, hi = np.maximum(a.lo, b.lo), np.minimum(a.hi, b.hi)
    if not (lo <= hi).all():
        raise ValueError("empty intersection of intervals")
    return Interval._raw(lo, hi)


def matmul_enclosure(A, B) -> Interval:
    """Rigorous enclosure of the exact product ``A @ B`` (1-D or 2-D operands).

    ``A``, ``B``: float arrays (exact values) or :class:`Interval` arrays. The result contains
    ``X @ Y`` for every ``X`` in ``A`` and ``Y`` in ``B`` (a-priori gamma_k bound, Higham 2002
    Lemma 3.1; midpoint-radius for intervals, Rump 1999; see :mod:`numerics.arith.products`).
    """
    if not isinstance(A, Interval) and not isinstance(B, Interval):
        return Interval._raw(*float_product_bounds(_finite_operand(A, "A"), _finite_operand(B, "B")))
    Ai, Bi = as_interval(A), as_interval(B)
    mA, rA = (Ai.mid(), Ai.rad()) if isinstance(A, Interval) else (Ai.lo, None)
    mB, rB = (Bi.mid(), Bi.rad()) if isinstance(B, Interval) else (Bi.lo, None)
    return Interval._raw(*midrad_product_bounds(mA, rA, mB, rB))


def _finite_operand(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if np.isnan(a).any():
        raise ValueError(f"{name} contains NaN; allowed: finite floats")
    return a


# --------------------------------------------------------------------- comparisons
def _verdict(holds: np.ndarray, fails: np.ndarray) -> Verdict:
    if np.all(holds):
        return Verdict.HOLDS
    if np.any(fails):
        return Verdict.FAILS
    return Verdict.UNDECIDED


def certainly_lt(a, b) -> Verdict:
    """Verdict of ``a < b`` (for all entries): HOLDS iff a.hi < b.lo everywhere,
    FAILS iff some entry has a.lo >= b.hi, else UNDECIDED.

    Separated intervals decide; overlapping ones do not (mpmath's interval comparison raises
    there, python-flint answers "not certainly"):

    >>> from numerics.arith.interval import Interval, certainly_lt
    >>> certainly_lt(Interval(1.0, 2.0), Interval(3.0, 4.0))
    <Verdict.HOLDS: 'holds'>
    >>> certainly_lt(Interval(3.0, 4.0), Interval(1.0, 2.0))
    <Verdict.FAILS: 'fails'>
    >>> certainly_lt(Interval(1.0, 2.0), Interval(1.5, 3.0))
    <Verdict.UNDECIDED: 'undecided'>

    The sum of the doubles 0.1 and 0.2 is enclosed between the neighbours of its rounded value,
    an interval that also holds the double 0.3; so ``0.3 < 0.1 + 0.2`` is left undecided (it is
    true, by 1.7e-17, which the enclosure cannot see), and an Interval is never used as a bool:

    >>> s = Interval(0.1) + Interval(0.2)
    >>> float(s.lo), float(s.hi)
    (0.3, 0.3000000000000001)
    >>> certainly_lt(Interval(0.3), s)
    <Verdict.UNDECIDED: 'undecided'>
    >>> bool(s)
    Traceback (most recent call last):
    ...
    TypeError: the truth value of an Interval is undefined...
    """
    a, b = as_interval(a), as_interval(b)
    return _verdict(a.hi < b.lo, a.lo >= b.hi)


def certainly_le(a, b) -> Verdict:
    a, b = as_interval(a), as_interval(b)
    return _verdict(a.hi <= b.lo, a.lo > b.hi)


def certainly_gt(a, b) -> Verdict:
    return certainly_lt(b, a)


def certainly_ge(a, b) -> Verdict:
    return certainly_le(b, a)


def compare_lt(a, b) -> np.ndarray:
    """Elementwise verdicts of ``a < b`` as an object array of Verdict."""
    a, b = as_interval(a), as_interval(b)
    holds = a.hi < b.lo
    fails = a.lo >= b.hi
    holds, fails = np.broadcast_arrays(holds, fails)
    out = np.empty(holds.shape, dtype=object)
    flat = out.reshape(-1)
    for i, (h, f) in enumerate(zip(holds.reshape(-1).tolist(), fails.reshape(-1).tolist())):
        flat[i] = Verdict.HOLDS if h else (Verdict.FAILS if f else Verdict.UNDECIDED)
    return out
