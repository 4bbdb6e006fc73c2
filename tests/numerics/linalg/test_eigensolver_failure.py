"""Every float eigensolver failing (every LAPACK driver on the midpoint, ARPACK not converging):
the estimates only steer the proof, so the spectral enclosure is still returned -- the one that
needs no estimate (Gershgorin below, the smallest diagonal entry above) -- with ``method`` naming
the failure, and it still contains the exact eigenvalue (exact rational tests, as in
test_spectral.py). Verdicts built on it are undecided unless it decides them rigorously."""

import numpy as np
import pytest

from eigensolver_failure import disable_eigensolvers, internal_error
from hypothesis import given, settings

from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from numerics.linalg.spectral import (EIGENSOLVER_FAILED, lambda_max_enclosure, lambda_min_enclosure,
                                      positive_definite_evidence)
import symmetric_matrix_families as matrix_families
from numerics_oracle import (is_positive_definite_exact, lambda_min_is_above, qmat, random_symmetric_member,
                             shifted)


def symmetric_intervals(max_n: int = 8):
    return matrix_families.symmetric_intervals(max_n, families=[f for f in matrix_families.FAMILIES if f != "tiny"],
                                               radii=(0.0, 1e-15, 1e-10, 1e-6))


def _members(A: Interval):
    rng = np.random.default_rng(11)
    return [A.mid(), random_symmetric_member(A.lo, A.hi, rng), random_symmetric_member(A.lo, A.hi, rng)]


@pytest.fixture
def no_lapack_eigensolver(monkeypatch):
    disable_eigensolvers(monkeypatch)


def _brackets(e, X) -> None:
    Xq = qmat(X)
    if np.isfinite(e.lo):
        assert lambda_min_is_above(Xq, np.nextafter(e.lo, -np.inf)), ("lower bound violated", e)
    assert not is_positive_definite_exact(shifted(Xq, e.hi)), ("upper bound violated", e)


@settings(max_examples=80, deadline=None)
@given(A=symmetric_intervals(max_n=8))
def test_enclosure_without_estimates_brackets_the_exact_eigenvalue(A):
    import scipy.linalg

    real = scipy.linalg.eigh
    scipy.linalg.eigh = internal_error         # (hypothesis: no function-scoped fixture)
    try:
        e = lambda_min_enclosure(A, rel_tol=1e-6)
    finally:
        scipy.linalg.eigh = real
    assert e.lo <= e.hi
    if A.shape[0] > 1:
        assert EIGENSOLVER_FAILED in e.method       # (an Arb escalation may tighten the lower end)
        assert all(name in e.method for name in ("evr (MRRR)", "evd:", "ev:", "Internal Error (test)"))
    for X in _members(A):
        _brackets(e, X)


def test_lanczos_failure_on_a_large_matrix_is_named_and_sound(no_lapack_eigensolver):
    """n = 601 takes the Lanczos path; the tridiagonal (2, -1) matrix has lambda_min =
    2 - 2 cos(pi / (n + 1)) > 0, which the enclosure brackets (exact test)."""
    n = 601
    T = 2.0 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)
    e = lambda_min_enclosure(Interval(T))
    assert e.method.startswith(EIGENSOLVER_FAILED) and "ARPACK" in e.method
    assert e.lo <= 0.0 < 2.0 - 2.0 * np.cos(np.pi / (n + 1)) <= e.hi <= 2.0
    assert e.lo > -np.inf


def test_lambda_max_carries_the_failure(no_lapack_eigensolver):
    X = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    e = lambda_max_enclosure(Interval(X))
    assert EIGENSOLVER_FAILED in e.method
    Xq = qmat(X)
    assert is_positive_definite_exact(shifted(-Xq, -np.nextafter(e.hi, np.inf)))     # lambda_max <= hi
    assert not is_positive_definite_exact(shifted(-Xq, -e.lo))                      # lambda_max >= lo


def test_a_verdict_the_fallback_cannot_decide_is_undecided(monkeypatch):
    """lambda_min = 1e-3 (up to rounding) against the margin 2e-3: with its estimates the
    enclosure proves "fails"; without them (every eigensolver failing) it is Gershgorin's lower
    bound and the smallest diagonal entry, which decide nothing: undecided, the enclosure naming
    the failure -- not an error."""
    import scipy.linalg

    rng = np.random.default_rng(5)
    Q, _ = np.linalg.qr(rng.standard_normal((30, 30)))
    A = (Q * np.linspace(1e-3, 1.0, 30)) @ Q.T
    A = Interval(np.triu(A) + np.triu(A, 1).T)
    assert positive_definite_evidence(A, 2e-3)[0] is Verdict.FAILS
    monkeypatch.setattr(scipy.linalg, "eigh", internal_error)
    v, enc = positive_definite_evidence(A, 2e-3)
    assert v is Verdict.UNDECIDED and EIGENSOLVER_FAILED in enc.method
    _brackets(enc, A.mid())


def test_a_failing_refinement_keeps_the_first_estimates(monkeypatch):
    """Lanczos (n = 601) gives the estimates; every dense eigensolver call after it (the
    Rayleigh-Ritz of the refinement) fails: the refinement stops and the enclosure is computed
    from the unrefined estimates (proved, though wider than asked). (Its soundness is that of the path with
    estimates, tested against exact arithmetic in test_spectral.py; here numpy's eigvalsh, with
    a margin far below the enclosure's width, only checks that nothing went astray.)"""
    import scipy.linalg

    calls = []

    def failing(*args, **kwargs):
        calls.append(kwargs)
        raise np.linalg.LinAlgError("Internal Error (test)")

    n = 601
    B = np.random.default_rng(0).standard_normal((n, n))
    A = B @ B.T / n + 1e-3 * np.eye(n)
    A = np.triu(A) + np.triu(A, 1).T
    lam = float(np.linalg.eigvalsh(A)[0])
    monkeypatch.setattr(scipy.linalg, "eigh", failing)
    e = lambda_min_enclosure(Interval(A), rel_tol=1e-6)
    assert calls and EIGENSOLVER_FAILED not in e.method                # the refinement was tried
    assert 0 < e.lo and e.relative_width() <= 1e-3
    assert e.lo - 1e-12 <= lam <= e.hi + 1e-12
