"""lambda_min bounds of the independent checker (exact Cholesky residual; Arb Rayleigh quotient)
against exact rational positive-definiteness, including matrices whose smallest eigenvalue is
known exactly and claims just above it; and the restricted expression grammar."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from flint import arb, ctx, fmpq

from certify.independent.definite import prove_lower_bound, rayleigh_upper
from certify.independent.expression import ExpressionError, evaluate
from tests.numerics_oracle import is_positive_definite_exact, qmat


def _balls(A: np.ndarray, rad: float = 0.0):
    return [[arb(float(x), rad) if rad else arb(float(x)) for x in row] for row in A.tolist()]


def _exact_shift(A: np.ndarray, t: Fraction):
    X = qmat(A)
    for i in range(A.shape[0]):
        X[i, i] = X[i, i] - fmpq(t.numerator, t.denominator)
    return X


@pytest.mark.parametrize("seed", range(6))
def test_a_proved_lower_bound_is_true(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 9))
    B = rng.standard_normal((n, n))
    A = B @ B.T / n
    A = np.triu(A) + np.triu(A, 1).T
    est = float(np.linalg.eigvalsh(A)[0])
    with ctx.workprec(128):
        H = _balls(A)
        for claim in (est * (1 - 1e-6), est - 1e-9 * abs(est)):
            res = prove_lower_bound(H, Fraction(claim))
            assert res is not None and res.bound >= Fraction(claim)
            # exact: A - (bound - tiny) I is positive definite
            assert is_positive_definite_exact(_exact_shift(A, res.bound - Fraction(1, 2 ** 200)))


@pytest.mark.parametrize("seed", range(4))
def test_claims_above_an_exactly_known_lambda_min_are_never_proved(seed):
    """A = B B^T + t I with an integer B of rank < n: lambda_min(A) = t exactly."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 8))
    B = rng.integers(-3, 4, size=(n, n - 1)).astype(float)
    t = 0.125
    A = B @ B.T + t * np.eye(n)                 # exact: small integers and a dyadic t
    with ctx.workprec(128):
        H = _balls(A)
        assert prove_lower_bound(H, Fraction(t) - Fraction(1, 2 ** 30)) is not None
        for above in (Fraction(1, 2 ** 60), Fraction(1, 2 ** 40), Fraction(1, 2 ** 10)):
            assert prove_lower_bound(H, Fraction(t) + above, estimate=t + 1.0) is None
        q = rayleigh_upper(H)
        assert q.upper() >= arb(t)


def test_ball_radii_enter_the_bound():
    A = np.diag([1.0, 2.0, 3.0])
    with ctx.workprec(128):
        assert prove_lower_bound(_balls(A), Fraction(999, 1000)) is not None
        # entries only known to +-0.01: lambda_min may be as low as 1 - 0.03
        assert prove_lower_bound(_balls(A, 0.01), Fraction(999, 1000)) is None
        assert prove_lower_bound(_balls(A, 0.01), Fraction(96, 100)) is not None


def test_expression_values():
    with ctx.workprec(128):
        v = {"n": arb(20), "lambda0": arb(0.25), "delta": arb(0.5)}
        assert evaluate("lambda0/(4*n**2)", v).contains(arb(0.25) / 1600)
        assert evaluate("-2**2 + 3*(1 - 1/2)", v).contains(arb(-2.5))
        assert evaluate("n**(3/2)", v).overlaps(arb(20) ** 1.5)
        assert evaluate("Max(n/delta, n**2) + Min(1, 2)", v) == 401
        assert evaluate("2**-1", v) == arb(0.5)
        assert evaluate("log(4*n/delta)", v).overlaps(arb(160).log())
        assert evaluate("1.5e2 + pi - pi", v).contains(arb(150))


@pytest.mark.parametrize("text", ["__import__('os').getcwd()", "n.real", "n[0]", "lambda0 +", "x", "2 ** ** 3",
                                  "f(n)", "n; 1", "1 2", ""])
def test_expression_rejects_everything_outside_the_grammar(text):
    with pytest.raises(ExpressionError):
        evaluate(text, {"n": arb(1), "lambda0": arb(1)})
