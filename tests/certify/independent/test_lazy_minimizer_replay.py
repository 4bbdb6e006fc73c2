"""The independent replay of the instance certificate, against the producer
(numerics/instance/lazy_minimizer.py) and against a direct 50-digit mpmath construction of W*
from the model's definition u_i(W) = m^-1/2 sum_r a_r relu(w_r . x_i)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from flint import ctx

from certify.independent.lazy_minimizer import replay_lazy_minimizer


def _instance(seed: int, n=5, d=3, m=300):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * 2.0 ** rng.integers(-3, 4, size=(n, 1))
    y = rng.choice([-1.0, 1.0], n) * 0.1
    W0 = rng.standard_normal((m, d))
    a = rng.choice([-1.0, 1.0], m)
    W = W0 + 1e-3 * rng.standard_normal((m, d))
    return X, y, W, a, W0


@pytest.fixture(scope="module")
def certified_cases():
    from numerics.instance.lazy_minimizer import certify_lazy_minimizer

    out = []
    for seed in range(6):
        X, y, W, a, W0 = _instance(seed)
        res = certify_lazy_minimizer(X, y, W, a, W0)
        if res.certified:
            out.append(((X, y, W, a, W0), res))
    assert len(out) >= 2, "the instances should include certified ones"
    return out


def _mp_witness_point(X, y, W, a, W0, S, c):
    """W* - W0 per neuron, and dW, built from the definitions at 50 digits; also max |u(W*) - y|."""
    mp = mpmath.mp
    with mpmath.workdps(50):
        n, d = X.shape
        m = W.shape[0]
        x = [[mp.mpf(float(t)) for t in row] for row in X]
        x = [[t / mp.sqrt(mp.fsum(s * s for s in row)) for t in row] for row in x]
        dot = lambda u, v: mp.fsum(p * q for p, q in zip(u, v))  # noqa: E731
        Wm = [[mp.mpf(float(t)) for t in row] for row in W]
        u = lambda Wx: [mp.fsum(a[r] * max(dot(Wx[r], x[i]), 0) for r in range(m)) / mp.sqrt(m)  # noqa: E731
                        for i in range(n)]
        e = [mp.mpf(float(y[i])) - ui for i, ui in enumerate(u(Wm))]
        s = {int(r): [dot(Wm[r], x[i]) > 0 for i in range(n)] for r in S}
        H = mp.matrix(n, n)
        for i in range(n):
            for j in range(n):
                H[i, j] = mp.fsum(float(cr) * s[int(r)][i] * s[int(r)][j] for r, cr in zip(S, c)) \
                    * dot(x[i], x[j]) / m
        alpha = mp.lu_solve(H, mp.matrix(e))
        Wstar = [row[:] for row in Wm]
        corr = []
        for r, cr in zip(S, c):
            dw = [float(cr) * a[r] / mp.sqrt(m) * mp.fsum(alpha[i] * s[int(r)][i] * x[i][k] for i in range(n))
                  for k in range(d)]
            corr.append(mp.sqrt(dot(dw, dw)))
            Wstar[int(r)] = [Wm[int(r)][k] + dw[k] for k in range(d)]
        resid = max(abs(ui - float(yi)) for ui, yi in zip(u(Wstar), y))
        dist = max(mp.sqrt(mp.fsum((Wstar[r][k] - float(W0[r, k])) ** 2 for k in range(d))) for r in range(m))
        return resid, max(corr), dist


def _inside(ball, value) -> bool:
    with mpmath.workdps(50):
        return mpmath.mpf(ball.lower().str(50, radius=False)) - mpmath.mpf(10) ** -45 <= value \
            <= mpmath.mpf(ball.upper().str(50, radius=False)) + mpmath.mpf(10) ** -45


def test_the_replay_agrees_with_the_producer_and_the_definition(certified_cases):
    for (X, y, W, a, W0), res in certified_cases:
        with ctx.workprec(128):
            rep = replay_lazy_minimizer(X, y, W, a, W0, res.stable, res.weights)
        assert rep.certified, rep.reason
        for key, enc in (("correction_max", res.correction_max), ("distance_from_init_max", res.distance_from_init_max),
                         ("sqrt_m_distance", res.sqrt_m_distance), ("residual_norm", res.residual_norm),
                         ("tau", res.tau)):
            ball = rep.balls[key]
            assert float(enc.lo) <= float(ball.lower().mid()) and float(ball.upper().mid()) <= float(enc.hi), key
        resid, corr, dist = _mp_witness_point(X, y, W, a, W0, res.stable, res.weights)
        assert resid < 1e-40                       # W* interpolates the labels
        assert _inside(rep.balls["correction_max"], corr) and _inside(rep.balls["distance_from_init_max"], dist)


def test_a_wrong_witness_is_not_certified(certified_cases):
    (X, y, W, a, W0), res = certified_cases[0]
    with ctx.workprec(128):
        few = replay_lazy_minimizer(X, y, W, a, W0, res.stable[:1], res.weights[:1])
        assert not few.certified and "singular" in few.reason
        bad_c = replay_lazy_minimizer(X, y, W, a, W0, res.stable, np.full(len(res.stable), 0.3))
        assert not bad_c.certified and "2^-k" in bad_c.reason
        dup = replay_lazy_minimizer(X, y, W, a, W0, np.r_[res.stable, res.stable[:1]], np.r_[res.weights, 1.0])
        assert not dup.certified and "distinct" in dup.reason
        Wz = W.copy()
        r = int(res.stable[0])
        Wz[r] = 0.0                                   # w_r . x_i = 0 exactly: no sign
        zero = replay_lazy_minimizer(X, y, Wz, a, W0, res.stable, res.weights)
        assert not zero.certified and "exactly" in zero.reason


def test_labels_far_from_the_network_are_not_certified(certified_cases):
    (X, y, W, a, W0), res = certified_cases[0]
    with ctx.workprec(128):
        rep = replay_lazy_minimizer(X, 1e3 * np.sign(y), W, a, W0, res.stable, res.weights)
    assert not rep.certified and "not proved" in rep.reason
