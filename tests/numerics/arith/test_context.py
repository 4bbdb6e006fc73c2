"""The numeric context: validation, scoping (with-block, decorator, threads), escalation list."""

import threading

import pytest

from numerics.arith.context import NumericContext, get_context, workprec


def test_defaults_and_scoping():
    base = get_context()
    assert base.backend == "numpy" and base.precision_bits == 53
    with workprec(256, backend="arb") as ctx:
        assert get_context() is ctx and ctx.precision_bits == 256 and ctx.backend == "arb"
        assert ctx.max_precision_bits >= 256
        with workprec(strict_elementary=True):
            assert get_context().strict_elementary and get_context().precision_bits == 256
        assert not get_context().strict_elementary
    assert get_context() == base


def test_decorator_restores_on_error():
    @workprec(128, backend="arb")
    def f():
        assert get_context().precision_bits == 128
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        f()
    assert get_context().precision_bits == 53


def test_threads_do_not_share_the_context():
    seen = {}

    def worker():
        seen["bits"] = get_context().precision_bits

    with workprec(512, backend="arb"):
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen["bits"] == 53


@pytest.mark.parametrize("kwargs,field", [
    (dict(precision_bits=10), "precision_bits"),
    (dict(precision_bits=10 ** 7), "precision_bits"),
    (dict(precision_bits=64.5), "precision_bits"),
    (dict(backend="gpu"), "backend"),
    (dict(max_precision_bits=32), "max_precision_bits"),
    (dict(precision_bits=512, max_precision_bits=256), "max_precision_bits"),
    (dict(strict_elementary="yes"), "strict_elementary"),
])
def test_invalid_settings_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        NumericContext(**kwargs)


def test_escalation_precisions_double_up_to_the_budget():
    ctx = NumericContext(max_precision_bits=1000)
    precs = ctx.escalation_precisions()
    assert precs[0] == 106 and precs[-1] == 1000
    assert all(b == 2 * a for a, b in zip(precs[:-2], precs[1:-1]))
    assert NumericContext(max_precision_bits=53).escalation_precisions() == []
