"""Slope fits, Clopper-Pearson intervals and the empirically sufficient width."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as hst
from scipy.stats import binomtest

from numerics.empirical import statistics as st


@settings(max_examples=30, deadline=None)
@given(p=hst.floats(-2.0, 2.0), c=hst.floats(0.1, 10.0))
def test_exact_power_law_is_recovered(p, c):
    x = np.array([16.0, 64.0, 256.0, 1024.0, 4096.0])
    fit = st.loglog_slope(x, c * x**p, resamples=200)
    assert fit.estimate == pytest.approx(p, abs=1e-10)
    assert fit.lo == pytest.approx(p, abs=1e-9) and fit.hi == pytest.approx(p, abs=1e-9)
    assert fit.intercept == pytest.approx(np.log(c), abs=1e-9)


@pytest.mark.parametrize("p", [-0.5, -1.0, 0.25])
def test_noisy_power_law_ci_covers_the_exponent(p):
    rng = np.random.default_rng(42)
    x = np.repeat([32.0, 128.0, 512.0, 2048.0, 8192.0], 8)
    y = 3.0 * x**p * np.exp(rng.normal(scale=0.1, size=x.size))
    fit = st.loglog_slope(x, y, seed=1)
    assert fit.lo < p < fit.hi
    assert fit.hi - fit.lo < 0.1
    assert st.loglog_slope(x, y, seed=1) == fit  # seeded: reproducible


def test_slope_needs_two_widths_and_positive_values():
    assert st.loglog_slope([8, 8, 8], [1.0, 2.0, 3.0]).estimate is None
    with pytest.raises(ValueError, match="positive"):
        st.loglog_slope([1, 2], [0.0, 1.0])
    with pytest.raises(ValueError, match="equal lengths"):
        st.loglog_slope([1, 2], [1.0])


@pytest.mark.parametrize("k,n", [(0, 10), (3, 10), (10, 10), (1, 1), (17, 40), (0, 1)])
def test_clopper_pearson_matches_scipy_binomtest(k, n):
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    lo, hi = st.clopper_pearson(k, n)
    assert lo == pytest.approx(ci.low, abs=1e-12) and hi == pytest.approx(ci.high, abs=1e-12)


def test_clopper_pearson_closed_forms():
    # k = 0: upper = 1 - (alpha/2)^(1/n); k = n: lower = (alpha/2)^(1/n)
    n = 10
    assert st.clopper_pearson(0, n)[1] == pytest.approx(1 - 0.025 ** (1 / n), rel=1e-12)
    assert st.clopper_pearson(n, n)[0] == pytest.approx(0.025 ** (1 / n), rel=1e-12)
    assert st.clopper_pearson(0, n)[0] == 0.0 and st.clopper_pearson(n, n)[1] == 1.0
    with pytest.raises(ValueError, match="trials"):
        st.clopper_pearson(3, 2)


def test_empirically_sufficient_width_and_ratio():
    runs = {16: [False, True], 64: [True, True], 256: [True, True], 32: [True, False]}
    assert st.empirically_sufficient_width(runs) == 64
    assert st.empirically_sufficient_width({16: [False], 32: []}) is None
    assert st.width_ratio(6400.0, 64) == pytest.approx(100.0)
    assert st.width_ratio(None, 64) is None and st.width_ratio(10.0, None) is None
