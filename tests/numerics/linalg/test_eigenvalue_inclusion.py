"""Every eigenvalue of a symmetric float matrix, enclosed in order: checked against Arb's
rigorous eigenvalues (200 bits), with clusters, repeated eigenvalues and extreme scales."""

from __future__ import annotations

import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.linalg.eigenvalue_inclusion import symmetric_eigenvalues_enclosure
from numerics_oracle import ORACLE_BITS, arb_eigenvalues_exact_matrix


def _symmetric(rng, n, kind, scale):
    if kind == "gaussian":
        G = rng.standard_normal((n, n))
        M = G + G.T
    else:
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        w = {"repeated": np.repeat([1.0, -2.0, 3.0], n)[:n], "cluster": 1 + 1e-13 * rng.standard_normal(n),
             "tiny": rng.standard_normal(n) * 1e-12}[kind]
        M = (Q * w) @ Q.T
    M = 0.5 * (M + M.T) * scale
    return 0.5 * (M + M.T)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10 ** 6), n=st.integers(1, 7),
       kind=st.sampled_from(["gaussian", "repeated", "cluster", "tiny"]),
       power=st.sampled_from([0, -500, 500, 1]))
def test_enclosures_contain_the_ordered_eigenvalues(seed, n, kind, power):
    M0 = _symmetric(np.random.default_rng(seed), n, kind, 1.0)
    M = M0 * 2.0 ** power                                   # exact scaling: eigenvalues scale exactly
    enc = symmetric_eigenvalues_enclosure(M)
    with ctx.workprec(ORACLE_BITS):
        exact = [b * arb(2) ** power for b in arb_eigenvalues_exact_matrix(M0)[::-1]]   # descending
    with ctx.workprec(ORACLE_BITS):
        for i, ball in enumerate(exact):
            # the i-th largest eigenvalue lies in the i-th enclosure (the ball of the oracle may be
            # wide inside a cluster, so test the part of it compatible with the ordering)
            assert bool(arb(float(enc.lo[i])) <= ball.upper()) and bool(ball.lower() <= arb(float(enc.hi[i])))
        # and as sets: the enclosures cover the spectrum's extreme values
        assert bool(arb(float(enc.lo[-1])) <= exact[-1].upper()) and bool(exact[0].lower() <= arb(float(enc.hi[0])))


def test_enclosures_are_tight_for_a_well_conditioned_matrix():
    M = _symmetric(np.random.default_rng(0), 50, "gaussian", 1.0)
    enc = symmetric_eigenvalues_enclosure(M)
    w = np.linalg.eigvalsh(M)[::-1]
    assert (enc.lo <= w).all() and (w <= enc.hi).all()
    assert float(np.max(enc.hi - enc.lo)) < 1e-11 * float(np.abs(w).max())


@pytest.mark.parametrize("M", [np.array([[1.0, 2.0], [2.1, 1.0]]), np.array([[np.nan]]), np.zeros((2, 3))])
def test_rejects_non_symmetric_or_non_finite(M):
    with pytest.raises(ValueError):
        symmetric_eigenvalues_enclosure(M)
