"""Soundness of matmul_enclosure, verified_solve and inverse_quadratic_form against exact
rational arithmetic (python-flint fmpq_mat)."""

import numpy as np
import pytest
from flint import fmpq_mat
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith.context import workprec
from numerics.arith.interval import Interval
from numerics.arith.interval import matmul_enclosure
from numerics.linalg.solve import (NotVerified, inverse_quadratic_form,
                             verified_solve)
from numerics_oracle import q, qmat

scales = st.sampled_from([1.0, 1e-300, 1e-310, 1e200, 1e-8, 3.0])


@st.composite
def float_matrix(draw, rows, cols):
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["normal", "scaled", "badly-scaled", "cancel", "subnormal"]))
    A = rng.standard_normal((rows, cols))
    if kind == "scaled":
        A *= draw(scales)
    elif kind == "badly-scaled":
        A *= 10.0 ** rng.uniform(-150, 150, (rows, cols))
    elif kind == "cancel":
        A = np.round(A * 4) / 4 + rng.standard_normal((rows, cols)) * 1e-15
    elif kind == "subnormal":
        A *= 1e-310
    return A


def _assert_contains_exact(R: Interval, exact: fmpq_mat):
    lo, hi = np.atleast_2d(R.lo), np.atleast_2d(R.hi)
    for i in range(exact.nrows()):
        for j in range(exact.ncols()):
            v = exact[i, j]
            assert (lo[i, j] == -np.inf or q(lo[i, j]) <= v) and \
                (hi[i, j] == np.inf or v <= q(hi[i, j])), (i, j, lo[i, j], hi[i, j])


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 7), st.integers(1, 9), st.integers(1, 6), st.data())
def test_float_matmul_enclosure_contains_exact_product(m, k, n, data):
    A = data.draw(float_matrix(m, k))
    B = data.draw(float_matrix(k, n))
    R = matmul_enclosure(A, B)
    _assert_contains_exact(R, qmat(A) * qmat(B))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 6), st.integers(1, 8), st.integers(1, 5), st.data())
def test_interval_matmul_contains_products_of_members(m, k, n, data):
    A = data.draw(float_matrix(m, k))
    B = data.draw(float_matrix(k, n))
    rA = np.abs(data.draw(float_matrix(m, k))) * 1e-6
    rB = np.abs(data.draw(float_matrix(k, n))) * 1e-3
    AI = Interval(A - rA, A + rA)
    BI = Interval(B - rB, B + rB)
    R = matmul_enclosure(AI, BI)
    rng = np.random.default_rng(0)
    for _ in range(3):
        X = np.where(rng.random(A.shape) < 0.5, AI.lo, AI.hi)
        Y = np.where(rng.random(B.shape) < 0.5, BI.lo, BI.hi)
        _assert_contains_exact(R, qmat(X) * qmat(Y))


def test_matmul_vectors_and_unbounded():
    x = np.array([1e308, 1e308])
    R = matmul_enclosure(x, x)
    assert R.hi == np.inf
    v = matmul_enclosure(np.ones(3), np.ones(3))
    assert v.lo <= 3.0 <= v.hi


@st.composite
def spd_system(draw):
    n = draw(st.integers(1, 8))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["well", "ill", "scaled", "nonsym"]))
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    if kind == "ill":
        ev = 10.0 ** rng.uniform(-10, 0, n)
    else:
        ev = rng.uniform(0.5, 2.0, n)
    A = (Q * ev) @ Q.T
    A = 0.5 * (A + A.T)
    if kind == "scaled":
        A *= 10.0 ** rng.uniform(-100, 100)
    if kind == "nonsym":
        A = A + 0.1 * rng.standard_normal((n, n))
    b = rng.standard_normal(n)
    rad = draw(st.sampled_from([0.0, 1e-14, 1e-10]))
    return A, b, rad


@settings(max_examples=120, deadline=None)
@given(spd_system())
def test_verified_solve_contains_exact_solution(sys_):
    A, b, rad = sys_
    R = np.abs(A) * rad
    AI = Interval(A - R, A + R)
    try:
        X = verified_solve(AI, b)
    except NotVerified:
        return  # allowed answer: no claim made
    exact = qmat(A).solve(qmat(b.reshape(-1, 1)))
    _assert_contains_exact(X.reshape(-1, 1), exact)
    if rad:
        # a corner matrix of the interval
        C = np.where(np.random.default_rng(1).random(A.shape) < 0.5, AI.lo, AI.hi)
        if abs(np.linalg.det(C)) > 0:
            _assert_contains_exact(X.reshape(-1, 1), qmat(C).solve(qmat(b.reshape(-1, 1))))


@settings(max_examples=100, deadline=None)
@given(spd_system())
def test_inverse_quadratic_form_contains_exact_value(sys_):
    A, b, rad = sys_
    A = np.triu(A) + np.triu(A, 1).T   # symmetric
    R = np.abs(A) * rad
    AI = Interval(A - R, A + R)
    try:
        Qf = inverse_quadratic_form(AI, b)
    except NotVerified:
        return
    bq = qmat(b.reshape(-1, 1))
    exact = (bq.transpose() * qmat(A).solve(bq))[0, 0]
    assert q(float(Qf.lo)) <= exact <= q(float(Qf.hi))


def test_inverse_quadratic_form_is_tight_on_well_conditioned_data():
    rng = np.random.default_rng(5)
    n = 40
    X = rng.standard_normal((n, n))
    A = X @ X.T / n + np.eye(n)
    b = rng.standard_normal(n)
    Qf = inverse_quadratic_form(A, b)
    assert float(Qf.hi - Qf.lo) <= 1e-12 * abs(float(Qf.mid()))


def test_singular_matrix_is_not_verified():
    A = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(NotVerified):
        with workprec(max_precision_bits=128):
            verified_solve(A, np.array([1.0, 1.0]))
    # an interval that contains a singular matrix
    AI = Interval(np.array([[1.0, 0.0], [0.0, -1e-3]]), np.array([[1.0, 0.0], [0.0, 1e-3]]))
    with pytest.raises(NotVerified):
        with workprec(max_precision_bits=128):
            verified_solve(AI, np.array([1.0, 1.0]))


def test_solve_bad_input():
    with pytest.raises(ValueError, match="square"):
        verified_solve(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match="non-finite"):
        verified_solve(np.array([[np.inf]]), np.ones(1))
    with pytest.raises(ValueError, match="shape"):
        verified_solve(np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match="symmetric"):
        inverse_quadratic_form(np.array([[1.0, 2.0], [0.0, 1.0]]), np.ones(2))


def test_arb_backend_solve_contains_exact_solution():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((5, 5)) + 5 * np.eye(5)
    b = rng.standard_normal(5)
    with workprec(precision_bits=128, backend="arb"):
        X = verified_solve(A, b)
    _assert_contains_exact(X.reshape(-1, 1), qmat(A).solve(qmat(b.reshape(-1, 1))))
