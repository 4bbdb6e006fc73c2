"""Validated 1-D Gaussian moments against mpmath at 40 digits; float bivariate moments against
closed forms and mpmath quadrature; activation facts."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.kernels.gaussian_expectation import (ACTIVATIONS, bivariate_float, c_sigma, get_activation, mean,
                                           second_moment, univariate_float)

_MP = {"softplus": lambda z: mp.log(1 + mp.exp(z)), "tanh": mp.tanh, "relu": lambda z: max(z, 0)}


def _mp_expect(f, var=1):
    with mp.workdps(40):
        s = mp.sqrt(var)
        return mp.quad(lambda z: f(s * z) * mp.npdf(z), [-mp.inf, 0, mp.inf])


@pytest.mark.parametrize("name", ["relu", "softplus", "tanh"])
def test_c_sigma_encloses_mpmath(name):
    f = _MP[name]
    m2 = _mp_expect(lambda z: f(z) ** 2)
    enc = second_moment(name)
    assert enc.lo <= m2 <= enc.hi
    cs = c_sigma(name)
    assert cs.lo <= 1 / m2 <= cs.hi
    assert cs.hi - cs.lo < 1e-12


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(["relu", "softplus", "tanh"]), st.floats(1e-3, 50.0))
def test_mean_encloses_mpmath(name, var):
    ref = _mp_expect(_MP[name], mp.mpf(var))
    enc = mean(name, var)
    assert float(enc.lo) <= ref <= float(enc.hi)


def test_mean_rejects_bad_variance():
    with pytest.raises(ValueError, match="var"):
        mean("softplus", 0.0)


def test_bivariate_float_matches_relu_closed_form_roughly():
    a, b, c = 1.3, 0.7, 0.4
    s = math.sqrt(a * b)
    rho = c / s
    exact = s * (rho * (math.pi - math.acos(rho)) + math.sqrt(1 - rho * rho)) / (2 * math.pi)
    act = get_activation("relu")
    # the kink makes Gauss-Hermite converge slowly: only a loose check for ReLU
    assert abs(bivariate_float(act.numpy, act.numpy, a, b, c, nodes=80) - exact) < 5e-3


def test_bivariate_float_matches_mpmath_for_tanh():
    a, b, c = 1.0, 2.0, -0.8
    from scipy.integrate import dblquad
    L11 = math.sqrt(a)
    L21 = c / L11
    L22 = math.sqrt(b - L21 ** 2)
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    ref, err = dblquad(lambda z2, z1: math.tanh(L11 * z1) * math.tanh(L21 * z1 + L22 * z2) * phi(z1) * phi(z2),
                       -12, 12, -12, 12, epsabs=1e-12, epsrel=1e-12)
    assert err < 1e-9
    act = get_activation("tanh")
    assert abs(float(bivariate_float(act.numpy, act.numpy, a, b, c)) - float(ref)) < 1e-8
    assert abs(float(univariate_float(lambda z: z * z, 2.5)) - 2.5) < 1e-12


def test_activation_facts():
    assert ACTIVATIONS["relu"].condition_31 is None and not ACTIVATIONS["relu"].analytic
    for name in ("softplus", "tanh"):
        act = ACTIVATIONS[name]
        z = np.linspace(-8, 8, 20001)
        d = act.numpy_derivative(z)
        assert np.all(np.abs(np.diff(d)) <= act.condition_31 * (z[1] - z[0]) * (1 + 1e-9))
        assert abs(act.numpy(np.array(0.0))) <= act.condition_31
        A, B = act.growth
        assert np.all(np.abs(act.numpy(z)) <= A + B * np.abs(z) + 1e-12)
    with pytest.raises(ValueError, match="activation"):
        get_activation("swish")
