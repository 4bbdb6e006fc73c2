"""python-flint's precision is one process-wide global: every Arb block goes through
numerics.arith.context.arb_precision (lock, set, restore), so threads do not change each other's
results and nothing leaks (issue 15 item 4)."""

import sys
import threading

import pytest
import sympy as sp
from flint import arb, ctx

from numerics.arith.context import arb_precision, workprec
from numerics.symbolic.enclosure import enclose

# at 53 bits the cancellation loses bits that 300 bits keep, so the two results differ
CANCELLING = sp.Add(*[(sp.sqrt(k) + sp.Integer(10) ** 20) - sp.Integer(10) ** 20 for k in range(2, 40)],
                    evaluate=False)


def bounds(prec):
    r = enclose(CANCELLING, {}, prec=prec)
    return float(r.lo), float(r.hi)


def test_the_probe_expression_depends_on_the_precision():
    assert bounds(53) != bounds(300)
    lo, hi = bounds(300)
    exact = sum(sp.sqrt(k) for k in range(2, 40)).evalf(50)
    assert lo <= exact <= hi


def test_enclosure_leaves_the_global_precision_alone():
    before = ctx.prec
    bounds(300)
    assert ctx.prec == before
    with pytest.raises(KeyError):
        enclose(sp.Symbol("x") + 1, {}, prec=300)
    assert ctx.prec == before


def test_arb_precision_nests_and_restores_on_error():
    before = ctx.prec
    with arb_precision(200):
        assert ctx.prec == 200
        with arb_precision(100):
            assert ctx.prec == 100
        assert ctx.prec == 200
    with pytest.raises(RuntimeError), arb_precision(300):
        raise RuntimeError("boom")
    assert ctx.prec == before
    with pytest.raises(ValueError), arb_precision(10):
        pass


def test_threads_at_53_and_300_bits_do_not_affect_each_other():
    expected = {53: bounds(53), 300: bounds(300)}
    got = {53: [], 300: []}
    start = threading.Barrier(2)

    def work(prec):
        start.wait()
        for _ in range(200):
            got[prec].append(bounds(prec))

    threads = [threading.Thread(target=work, args=(p,)) for p in (53, 300)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)          # switch threads often, inside the Arb blocks
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert set(got[53]) == {expected[53]}
    assert set(got[300]) == {expected[300]}


def test_context_precision_is_the_enclosure_default():
    with workprec(precision_bits=300, backend="arb"):
        assert bounds(None) == bounds(300)
    assert bounds(None) == bounds(128)
    assert arb(2).sqrt().rad() > 0      # the default Arb precision is untouched (53 bits)
