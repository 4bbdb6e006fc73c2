"""An Interval cannot change once made (issue 15 item 3): no attribute or item assignment,
read-only endpoints that no other array can write, no aliasing of the caller's arrays."""

import copy
import pickle

import numpy as np
import pytest

from numerics.arith.interval import Interval, as_interval, matmul_enclosure, sqrt


def assert_frozen(iv: Interval):
    for a in (iv.lo, iv.hi):
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[...] = 0.0
        b = a.base
        while b is not None:                 # nothing up the chain can be written either
            assert isinstance(b, np.ndarray) and not b.flags.writeable
            b = b.base


def test_item_and_attribute_assignment_raise():
    iv = Interval([0.0, 1.0], [2.0, 3.0])
    with pytest.raises(TypeError):
        iv[0] = Interval(5.0, 6.0)
    with pytest.raises(AttributeError):
        iv.lo = np.array([-1.0, -1.0])
    with pytest.raises(AttributeError):
        del iv.hi
    with pytest.raises(ValueError):
        iv.lo[0] = 10.0
    with pytest.raises(ValueError):
        iv.hi += 1.0
    assert iv.lo.tolist() == [0.0, 1.0] and iv.hi.tolist() == [2.0, 3.0]


def test_with_entries_returns_a_new_value():
    iv = Interval([0.0, 1.0], [2.0, 3.0])
    new = iv.with_entries(1, Interval(-1.0, 4.0))
    assert new.lo.tolist() == [0.0, -1.0] and new.hi.tolist() == [2.0, 4.0]
    assert iv.lo.tolist() == [0.0, 1.0] and iv.hi.tolist() == [2.0, 3.0]
    assert_frozen(new)


def test_constructor_never_aliases_the_callers_arrays():
    lo, hi = np.array([0.0, 1.0]), np.array([2.0, 3.0])
    iv = Interval(lo, hi)
    lo[0], hi[1] = -100.0, 100.0
    assert iv.lo.tolist() == [0.0, 1.0] and iv.hi.tolist() == [2.0, 3.0]
    assert lo.flags.writeable                 # the caller's arrays stay the caller's
    assert_frozen(iv)


def test_as_interval_and_operands_never_alias_or_freeze_the_callers_array():
    x = np.array([1.0, 2.0])
    iv = as_interval(x)
    x[0] = 50.0
    assert iv.lo.tolist() == [1.0, 2.0] and x.flags.writeable
    s = Interval(0.0, 1.0) + x                # an operand is not captured either
    x[1] = -7.0
    assert s.hi.tolist() == [float(np.nextafter(51.0, np.inf)), float(np.nextafter(3.0, np.inf))]
    assert_frozen(iv)


def test_views_of_writable_memory_are_copied():
    base = np.arange(6.0).reshape(2, 3)
    iv = Interval._raw(base[0], base[1])      # views of a writable array
    base[:] = -1.0
    assert iv.lo.tolist() == [0.0, 1.0, 2.0] and iv.hi.tolist() == [3.0, 4.0, 5.0]
    b = np.broadcast_to(np.array([1.0]), (3,))
    assert_frozen(Interval._raw(b, b))


def test_interval_of_interval_shares_only_frozen_memory():
    iv = Interval([0.0, 1.0], [2.0, 3.0])
    other = Interval(iv)
    assert_frozen(other)
    assert iv.copy() is iv


@pytest.mark.parametrize("make", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
    lambda a, b: -a, lambda a, b: a ** 3, lambda a, b: sqrt(b), lambda a, b: a.sum(),
    lambda a, b: a[1:], lambda a, b: a.T, lambda a, b: a.reshape(3, 1),
    lambda a, b: matmul_enclosure(a.reshape(1, 3), b.reshape(3, 1)),
])
def test_every_operation_returns_a_frozen_new_value(make):
    a = Interval([-1.0, 0.5, 2.0], [0.0, 1.5, 3.0])
    b = Interval([1.0, 2.0, 4.0], [1.5, 2.5, 5.0])
    before = (a.lo.copy(), a.hi.copy(), b.lo.copy(), b.hi.copy())
    out = make(a, b)
    assert_frozen(out)
    after = (a.lo, a.hi, b.lo, b.hi)
    assert all((x == y).all() for x, y in zip(before, after))


def test_pickle_and_copy_round_trip_to_frozen_values():
    iv = Interval([0.0, 1.0], [2.0, 3.0])
    for other in (pickle.loads(pickle.dumps(iv)), copy.deepcopy(iv), copy.copy(iv)):
        assert other.lo.tolist() == [0.0, 1.0] and other.hi.tolist() == [2.0, 3.0]
        assert_frozen(other)
