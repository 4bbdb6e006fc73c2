"""`[numerics]` is applied (issue 15 item 4): the section sets the numeric context for the whole
computation, the certificate records it, and the precision changes the enclosures it states."""

import pytest

from certify.config import config_from_dict
from certify.pipeline import evaluate_config


def config(**numerics):
    return config_from_dict({
        "data": {"source": "sphere", "n": 6, "d": 3, "seed": 1, "labels": "random-sign"},
        "certify": {"theorems": ["dzps2019-two-layer-gd"], "delta": 0.1},
        "numerics": numerics,
    }, base_dir=".")


def width_evidence(cert):
    (h,) = [h for h in cert["theorems"][0]["hypotheses"] if h["id"] == "width"]
    d = h["evidence"]["lhs_minus_rhs"]
    return float(d["lo"]), float(d["hi"])


@pytest.fixture(scope="module")
def at_64_and_300():
    return (evaluate_config(config(precision_bits=64), empirical=False),
            evaluate_config(config(precision_bits=300, max_precision_bits=600), empirical=False))


def test_the_certificate_records_the_context(at_64_and_300):
    low, high = at_64_and_300
    assert low["numerics"]["context"] == {"backend": "numpy", "precision_bits": 64,
                                          "max_precision_bits": 1024, "strict_elementary": False}
    assert high["numerics"]["context"]["precision_bits"] == 300
    assert high["numerics"]["context"]["max_precision_bits"] == 600


def test_precision_changes_the_stated_enclosures(at_64_and_300):
    (lo64, hi64), (lo300, hi300) = (width_evidence(c) for c in at_64_and_300)
    # both are enclosures of the same real number, the 300-bit one strictly inside the 64-bit one
    assert lo64 < lo300 <= hi300 < hi64
    assert max(lo64, lo300) <= min(hi64, hi300)


def test_context_does_not_outlive_the_command(at_64_and_300):
    from flint import ctx

    from numerics.arith.context import NumericContext, get_context

    assert get_context() == NumericContext()
    assert ctx.prec == 53
