"""Soundness of the spectral enclosures: every claimed bound is checked by an exact rational
positive-definiteness test (symmetric elimination in fmpq) on members of the interval matrix."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.arith.context import workprec
from numerics.arith.interval import Interval
from numerics.kernels.two_layer import two_layer_relu_gram
from numerics.linalg.spectral import (SpectralEnclosure, _center_and_radius, _product_enclosure,
                               _rayleigh_quotient, certify_eigenvalue_at_most,
                               certify_positive_definite, lambda_max_enclosure,
                               lambda_min_enclosure, norm2_enclosure)
from numerics.arith.verdict import Verdict
import symmetric_matrix_families as matrix_families
from numerics_oracle import (ORACLE_BITS, is_positive_definite_exact, lambda_min_is_above, q,
                             qmat, random_symmetric_member, shifted)


def symmetric_intervals(max_n: int = 10):
    return matrix_families.symmetric_intervals(max_n, families=[f for f in matrix_families.FAMILIES
                                                                if f != "diagonally-dominant"])


def _members(A: Interval, k=2):
    rng = np.random.default_rng(11)
    yield A.mid()
    for _ in range(k):
        yield random_symmetric_member(A.lo, A.hi, rng)


@settings(max_examples=150, deadline=None)
@given(symmetric_intervals())
def test_lambda_min_enclosure_brackets_exact_eigenvalue(A):
    e = lambda_min_enclosure(A, rel_tol=1e-6)
    assert e.lo <= e.hi
    for X in _members(A):
        Xq = qmat(X)
        if np.isfinite(e.lo):
            assert lambda_min_is_above(Xq, np.nextafter(e.lo, -np.inf)), ("lower bound violated", e)
        # lambda_min(X) <= hi  <=>  X - hi I is not positive definite
        assert not is_positive_definite_exact(shifted(Xq, e.hi)), ("upper bound violated", e)


@settings(max_examples=80, deadline=None)
@given(symmetric_intervals(max_n=7))
def test_lambda_max_and_norm_bracket_exact_values(A):
    e = lambda_max_enclosure(A, rel_tol=1e-6)
    nrm = norm2_enclosure(A, rel_tol=1e-6)
    for X in _members(A, 1):
        Xq = qmat(X)
        # lambda_max(X) <= hi: hi' I - X is positive definite at the next float hi' > hi
        assert is_positive_definite_exact(shifted(-Xq, -np.nextafter(e.hi, np.inf)))
        # lambda_max(X) >= lo: lo I - X is not positive definite
        assert not is_positive_definite_exact(shifted(-Xq, -e.lo))
        # ||X||_2 <= hi: both hi I - X and hi I + X are PSD (checked as PD at the next float)
        up = np.nextafter(nrm.hi, np.inf)
        assert is_positive_definite_exact(shifted(-Xq, -up))
        assert is_positive_definite_exact(shifted(Xq, -up))


@settings(max_examples=100, deadline=None)
@given(symmetric_intervals(), st.sampled_from([0.0, 1e-8, 0.5, -0.5]))
def test_verdicts_agree_with_exact_tests(A, margin):
    v = certify_positive_definite(A, margin)
    g = certify_eigenvalue_at_most(A, margin)
    assert g is ~v
    for X in _members(A):
        above = lambda_min_is_above(qmat(X), margin)
        if v is Verdict.HOLDS:
            assert above
        elif v is Verdict.FAILS:
            assert not above


@st.composite
def interval_and_vector(draw):
    A = draw(symmetric_intervals())
    n = A.shape[0]
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    kind = draw(st.sampled_from(["eigenvector", "random", "sparse", "tiny", "huge", "signs"]))
    if kind == "eigenvector":      # the case the bound is used for: heavy cancellation in Xv
        v = np.linalg.eigh(A.mid())[1][:, 0]
    elif kind == "sparse":
        v = rng.standard_normal(n) * (rng.random(n) < 0.5)
    elif kind == "signs":
        v = rng.choice([-1.0, 1.0], n) * (1 + 1e-12 * rng.random(n))
    else:
        v = rng.standard_normal(n)
    if kind == "tiny":
        v *= 1e-300
    elif kind == "huge":
        v *= 1e40
    return A, v


def _exact_matvec(X: np.ndarray, v: np.ndarray) -> list:
    qv = [q(x) for x in v.tolist()]
    return [sum((q(a) * b for a, b in zip(row, qv)), q(0.0)) for row in X.tolist()]


@settings(max_examples=300, deadline=None)
@given(interval_and_vector())
def test_apriori_product_and_rayleigh_contain_exact_values(Av):
    """The a-priori enclosure of X v (and the Rayleigh quotient built on it) contains the exact
    rational values for corners, the center and random members of A; the center/radius pair
    covers every member entrywise."""
    A, v = Av
    n = A.shape[0]
    work = np.empty((n, n))
    M, R = _center_and_radius(A, work)
    W = _product_enclosure(M, R, v, work)
    rq = _rayleigh_quotient(v, W) if v.any() else None
    vv = sum((q(x) * q(x) for x in v.tolist()), q(0.0))
    rng = np.random.default_rng(5)
    for X in (A.lo, A.hi, M, random_symmetric_member(A.lo, A.hi, rng)):
        if X is M and not ((A.lo <= M) & (M <= A.hi)).all():
            continue
        assert all(abs(q(x) - q(m)) <= q(r) for x, m, r in
                   zip(X.ravel().tolist(), M.ravel().tolist(), R.ravel().tolist()))
        Xv = _exact_matvec(X, v)
        for i in range(n):
            assert q(W.lo[i]) <= Xv[i] <= q(W.hi[i]), ("X v outside", i)
        if rq is not None and np.isfinite(rq.lo) and np.isfinite(rq.hi):
            quot = sum((q(a) * b for a, b in zip(v.tolist(), Xv)), q(0.0)) / vv
            assert q(rq.lo) <= quot <= q(rq.hi)


def _laplacian(n: int) -> np.ndarray:
    """tridiag(-1, 2, -1): exact float entries, eigenvalues 2 - 2 cos(k pi / (n + 1))."""
    return 2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)


def _laplacian_lambda_min(n: int, shift: float = 0.0):
    from flint import arb, ctx
    with ctx.workprec(ORACLE_BITS):
        return 2 - 2 * (arb.pi() / (n + 1)).cos() - arb(shift)


@pytest.mark.parametrize("n,shift,rad", [(700, 0.0, 0.0), (700, 0.0, 1e-13),
                                         (650, 1.0, 0.0), (40, 0.0, 1e-14)])
def test_large_path_contains_arb_eigenvalue(n, shift, rad):
    """n > 600 takes the Lanczos-on-a-Cholesky-factor path (shift > 0 here makes the matrix
    indefinite, so the estimate factors below a Gershgorin bound); the exact lambda_min of
    the Laplacian (a member of the interval) must lie in the enclosure."""
    from flint import arb
    T = _laplacian(n) - shift * np.eye(n)
    A = Interval(T - rad, T + rad) if rad else T
    e = lambda_min_enclosure(A)
    lam = _laplacian_lambda_min(n, shift)
    assert arb(e.lo) < lam < arb(e.hi), (e, lam)
    assert e.relative_width() <= 1e-8 or rad, e


@pytest.mark.parametrize("A", [
    np.array([[1e308, 1e308], [1e308, 1.5e308]]),
    np.array([[1.7e308, -1.7e308], [-1.7e308, 1.7e308]]),
    np.array([[1e300, 0.0, 1e300], [0.0, -1e300, 0.0], [1e300, 0.0, 1e308]]),
])
def test_entries_near_overflow_give_valid_bounds(A):
    """Products overflow in float here: the bounds may be wide but must stay valid."""
    e = lambda_min_enclosure(A)
    Xq = qmat(A)
    if np.isfinite(e.lo):
        assert lambda_min_is_above(Xq, np.nextafter(e.lo, -np.inf)), e
    if np.isfinite(e.hi):
        assert not is_positive_definite_exact(shifted(Xq, e.hi)), e


@pytest.mark.parametrize("d", [3, 10, 100])
def test_gram_certificate_factors_twice(d, monkeypatch):
    """The structure the cost note promises on H_inf at n > 600: one Cholesky factorization
    for the estimates and one verifying factorization, with relative width <= 1e-8."""
    from scipy.linalg import lapack
    calls = []
    dpotrf = lapack.dpotrf
    monkeypatch.setattr(lapack, "dpotrf", lambda *a, **k: calls.append(1) or dpotrf(*a, **k))
    H = two_layer_relu_gram(np.random.default_rng(d).standard_normal((700, d)))
    e = lambda_min_enclosure(H)
    assert len(calls) == 2, e.method
    assert e.lo > 0 and e.relative_width() <= 1e-8, e


def test_temple_path_is_sound_with_interval_radius():
    """A tiny, well separated lambda_min: Rump's constant alone is far too wide, so the lower
    bound comes from Temple's inequality; check it exactly on members of the interval."""
    rng = np.random.default_rng(21)
    n = 12
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    ev = np.concatenate([[3e-9], rng.uniform(1, 2, n - 1)]) * 100.0
    B = (Q * ev) @ Q.T
    B = np.triu(B) + np.triu(B, 1).T
    A = Interval(B - 1e-16 * np.abs(B), B + 1e-16 * np.abs(B))
    e = lambda_min_enclosure(A, rel_tol=1e-6)
    assert "Temple" in e.method, e
    for X in _members(A, 3):
        Xq = qmat(X)
        assert lambda_min_is_above(Xq, np.nextafter(e.lo, -np.inf)), e
        assert not is_positive_definite_exact(shifted(Xq, e.hi)), e


@pytest.mark.parametrize("n", [2, 3, 5, 10, 20, 40, 60])
@pytest.mark.parametrize("d", [3, 10])
def test_lambda0_enclosure_is_tight_on_random_data(n, d):
    rng = np.random.default_rng(100 * n + d)
    X = rng.standard_normal((n, d))
    H = two_layer_relu_gram(X)
    e = lambda_min_enclosure(H)
    assert e.lo > 0
    assert e.relative_width() < 1e-6, e
    if n > 20:
        return  # the exact rational check is O(n^3) in fmpq; smaller n cover it
    # and it contains the exact eigenvalue of the midpoint matrix
    Xq = qmat(H.mid())
    assert lambda_min_is_above(Xq, np.nextafter(e.lo, -np.inf))
    assert not is_positive_definite_exact(shifted(Xq, e.hi))


def test_near_parallel_pair_gives_tiny_but_certified_lambda0():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((8, 4))
    X[1] = X[0] + 1e-7 * rng.standard_normal(4)
    H = two_layer_relu_gram(X)
    e = lambda_min_enclosure(H)
    Xq = qmat(H.mid())
    if e.lo > -np.inf:
        assert lambda_min_is_above(Xq, np.nextafter(e.lo, -np.inf))
    assert not is_positive_definite_exact(shifted(Xq, e.hi))
    assert e.hi < 1e-6


def test_exactly_parallel_inputs_never_certify_positive():
    rng = np.random.default_rng(10)
    X = rng.standard_normal((6, 3))
    X[4] = X[2] * 8.0
    H = two_layer_relu_gram(X)
    assert certify_positive_definite(H) is not Verdict.HOLDS


def test_arb_escalation_is_sound_and_records_backend():
    rng = np.random.default_rng(12)
    n = 30
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    ev = np.concatenate([[1e-9], rng.uniform(1, 2, n - 1)]) * 100.0
    A = (Q * ev) @ Q.T
    A = np.triu(A) + np.triu(A, 1).T
    with workprec(max_precision_bits=256):
        e = lambda_min_enclosure(A, rel_tol=1e-12)
    assert e.backend in ("numpy", "arb") and e.precision_bits >= 53
    Xq = qmat(A)
    assert lambda_min_is_above(Xq, np.nextafter(e.lo, -np.inf))
    assert not is_positive_definite_exact(shifted(Xq, e.hi))


def test_bad_input_is_rejected_with_the_argument_named():
    with pytest.raises(ValueError, match="symmetric"):
        lambda_min_enclosure(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="non-finite"):
        lambda_min_enclosure(np.array([[np.inf]]))
    with pytest.raises(ValueError, match="NaN"):
        lambda_min_enclosure(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="empty"):
        lambda_min_enclosure(np.zeros((0, 0)))
    with pytest.raises(ValueError, match="square"):
        lambda_min_enclosure(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="rel_tol"):
        lambda_min_enclosure(np.eye(2), rel_tol=-1.0)
    with pytest.raises(ValueError, match="max_precision_bits"):
        lambda_min_enclosure(np.eye(2), max_precision_bits=10)
    with pytest.raises(ValueError, match="margin"):
        certify_positive_definite(np.eye(2), margin=float("nan"))
    with pytest.raises(ValueError, match="lo <= hi"):
        SpectralEnclosure(1.0, 0.0, "x", "numpy", 53)


def test_one_by_one_and_identity():
    e = lambda_min_enclosure(np.array([[3.0]]))
    assert e.lo <= 3.0 <= e.hi
    e = lambda_min_enclosure(np.eye(50))
    assert e.lo <= 1.0 <= e.hi and e.relative_width() < 1e-8


def test_lambda_min_many_random_cases():
    """Exact checks of the lower bound on 2000 random small matrices (plus the Gram sweep)."""
    rng = np.random.default_rng(13)
    for _ in range(2000):
        n = int(rng.integers(2, 9))
        B = rng.standard_normal((n, n))
        A = B @ B.T / n + (rng.random() < 0.3) * 1e-12 * np.eye(n)
        A = np.triu(A) + np.triu(A, 1).T
        e = lambda_min_enclosure(A, rel_tol=1e-6)
        Xq = qmat(A)
        if np.isfinite(e.lo):
            assert lambda_min_is_above(Xq, np.nextafter(e.lo, -np.inf))
        assert not is_positive_definite_exact(shifted(Xq, e.hi))
