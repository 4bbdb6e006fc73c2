"""Tests of numerics.instance.lazy_minimizer: planted minimizers, rank obstruction, Arb and exact checks."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from numerics.arith.interval import Interval
from numerics.kernels.two_layer import normalize_rows
from numerics.instance.lazy_minimizer import (CERTIFIED, NOT_CERTIFIED, certify_lazy_minimizer, check_network,
                                     check_weights, coactivation_counts, input_gram, margin_summary,
                                     stable_gram, verify_stable_set, weighted_counts)
from numerics.linalg.solve import NotVerified, verified_solve

PREC = 256


# ---------------------------------------------------------------------------- helpers
def _fr(x) -> Fraction:
    return Fraction(float(x))


def _contains_fraction(iv: Interval, idx, q: Fraction) -> bool:
    return _fr(iv.lo[idx]) <= q <= _fr(iv.hi[idx])


def _arb_overlaps(iv: Interval, idx, ball) -> bool:
    """The interval meets the (tiny) Arb ball: the true value lies in both, and the ball's radius
    is < 2^-200, so a miss by more than that is detected."""
    from numerics.arith.balls import _dyadic

    mid, rad = _dyadic(ball.mid()), _dyadic(ball.rad())
    assert rad < Fraction(1, 2 ** 200)
    return _fr(iv.lo[idx]) <= mid + rad and mid - rad <= _fr(iv.hi[idx])


def _arb_inputs(X):
    from flint import arb

    rows = []
    for v in X:
        s = sum(arb(float(t)) ** 2 for t in v)
        r = s.sqrt()
        rows.append([arb(float(t)) / r for t in v])
    return rows


def _arb_dot(u, v):
    from flint import arb

    out = arb(0)
    for p, q in zip(u, v):
        out += p * q
    return out


# ---------------------------------------------------------------------------- bad input
def test_check_network_rejects_bad_shapes_signs_and_nan():
    X = np.eye(3)
    y = np.zeros(3)
    W = np.ones((4, 3))
    a = np.ones(4)
    with pytest.raises(ValueError, match="W"):
        check_network(X, y, np.ones((4, 2)), a)
    with pytest.raises(ValueError, match="a"):
        check_network(X, y, W, np.ones(5))
    with pytest.raises(ValueError, match=r"a\[2\].*-1 or \+1"):
        check_network(X, y, W, np.array([1.0, -1.0, 0.5, 1.0]))
    Wn = W.copy()
    Wn[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"W\[1, 2\]"):
        check_network(X, y, Wn, a)
    with pytest.raises(ValueError, match="W0"):
        check_network(X, y, W, a, np.ones((3, 3)))
    with pytest.raises(ValueError, match="y"):
        check_network(X, np.array([0.0, np.inf, 1.0]), W, a)
    with pytest.raises(ValueError, match="weights"):
        check_weights(np.array([1.0, 0.3]))


# ---------------------------------------------------------------------------- exact counts
@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(1, 7), st.integers(0, 2 ** 32 - 1))
def test_weighted_counts_exact(k, n, seed):
    rng = np.random.default_rng(seed)
    P = rng.random((k, n)) < 0.5
    c = 2.0 ** -rng.integers(0, 13, size=k)
    c[rng.random(k) < 0.2] = 0.0
    C = weighted_counts(P, c)
    for i in range(n):
        for j in range(n):
            exact = sum(Fraction(float(c[r])) for r in range(k) if P[r, i] and P[r, j])
            assert Fraction(float(C[i, j])) == exact
    assert np.array_equal(coactivation_counts(P), (P.T.astype(int) @ P.astype(int)).astype(float))


# ---------------------------------------------------------------------------- planted minimizer
def _planted(m: int, seed: int, y_scale: float):
    """Inputs e_1..e_n (exactly unit), so H_S = diag(counts)/m and alpha_i = m e_i / c_i exactly."""
    n = d = 4
    rng = np.random.default_rng(seed)
    X = np.eye(n)
    G = rng.standard_normal((m, d))
    W = np.sign(G) * (0.2 + np.abs(G))          # margins >= 0.2
    a = rng.choice([-1.0, 1.0], size=m)
    y = _float_predictions(X, W, a) + y_scale * rng.standard_normal(n)
    return X, y, W, a


def _planted_exact(X, y, W, a):
    """Exact alpha, dW and the exact pattern-preservation verdict for S = all, weights 1."""
    m, d = W.shape
    n = X.shape[0]
    root = int(round(m ** 0.5))
    assert root * root == m
    Wq = [[_fr(t) for t in row] for row in W]
    u = [sum(Fraction(int(a[r])) * max(Wq[r][i], 0) for r in range(m)) / root for i in range(n)]
    e = [_fr(y[i]) - u[i] for i in range(n)]
    counts = [sum(1 for r in range(m) if Wq[r][i] > 0) for i in range(n)]
    alpha = [Fraction(m) * e[i] / counts[i] for i in range(n)]
    dW = [[Fraction(int(a[r])) * (alpha[i] if Wq[r][i] > 0 else 0) / root for i in range(d)] for r in range(m)]
    preserved = all(abs(dW[r][i]) < abs(Wq[r][i]) for r in range(m) for i in range(n))
    return alpha, dW, preserved


@pytest.mark.parametrize("m,seed,y_scale", [(64, 0, 0.05), (64, 1, 3.0), (256, 2, 0.3), (16, 3, 1.0), (256, 4, 0.01)])
def test_planted_minimizer_enclosed_and_decided_exactly(m, seed, y_scale):
    X, y, W, a = _planted(m, seed, y_scale)
    Xn = normalize_rows(X)
    G = input_gram(Xn)
    ms = margin_summary(Xn, W, a)
    assert ms.certain.all()          # Gaussian weights: no exact zero
    e = Interval(y) - ms.predictions
    S = np.arange(m)
    v = verify_stable_set(Xn, G, W, a, e, ms.positive, S, m)
    alpha, dW, preserved = _planted_exact(X, y, W, a)
    for i in range(4):
        assert _contains_fraction(v.alpha, i, alpha[i])
    for r in range(m):
        for i in range(4):
            assert _contains_fraction(v.dW, (r, i), dW[r][i])
    # rigorous "certified" must never contradict the exact verdict
    if v.ok:
        assert preserved
    # and with comfortable margins the exact truth is found
    ratios = [abs(dW[r][i]) / abs(_fr(W[r, i])) for r in range(m) for i in range(4)]
    if max(ratios) < Fraction(99, 100):
        assert v.ok


def test_planted_cases_cover_both_outcomes():
    outcomes = set()
    for m, seed, ys in [(256, 4, 0.01), (64, 1, 3.0)]:
        X, y, W, a = _planted(m, seed, ys)
        outcomes.add(_planted_exact(X, y, W, a)[2])
    assert outcomes == {True, False}


def test_planted_certified_by_the_search():
    X, y, W, a = _planted(256, 4, 0.01)
    res = certify_lazy_minimizer(X, y, W, a)
    assert res.status == CERTIFIED
    alpha, dW, preserved = _planted_exact(X, y, W, a)
    assert preserved and len(res.stable) == 256 and (res.weights == 1).all()
    for i in range(4):
        assert _contains_fraction(res.alpha, i, alpha[i])


# ---------------------------------------------------------------------------- rank obstruction
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2 ** 32 - 1), st.integers(1, 3), st.integers(2, 4))
def test_too_narrow_is_never_certified(seed, m, d):
    rng = np.random.default_rng(seed)
    n = m * d + int(rng.integers(1, 4))          # m d < n
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    W = rng.standard_normal((m, d))
    a = rng.choice([-1.0, 1.0], size=m)
    res = certify_lazy_minimizer(X, y, W, a)
    assert res.status == NOT_CERTIFIED
    # the verified solve itself refuses the (singular) H_S: the shortcut is not what protects us
    Xn = normalize_rows(X)
    ms = margin_summary(Xn, W, a)
    S = np.flatnonzero(ms.certain)
    if len(S):
        H = stable_gram(coactivation_counts(ms.positive[S]), input_gram(Xn), m)
        with pytest.raises(NotVerified):
            verified_solve(H, Interval(y) - ms.predictions)


# ---------------------------------------------------------------------------- against Arb
def _adversarial_case(draw_seed: int, n: int, d: int, m: int, tiny_margin: bool):
    rng = np.random.default_rng(draw_seed)
    X = rng.standard_normal((n, d)) * 2.0 ** rng.integers(-20, 20, size=(n, 1))
    W = rng.standard_normal((m, d))
    if tiny_margin:
        # make neuron 0 nearly orthogonal to x_0 (margin ~ 1e-12)
        x0 = X[0] / np.linalg.norm(X[0])
        W[0] = W[0] - (W[0] @ x0) * x0 + 1e-12 * x0
    a = rng.choice([-1.0, 1.0], size=m)
    y = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 3)
    return X, y, W, a


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2 ** 32 - 1), st.integers(2, 5), st.integers(2, 4), st.integers(3, 14),
       st.booleans())
def test_enclosures_contain_arb_values(seed, n, d, m, tiny):
    from flint import arb, arb_mat, ctx

    X, y, W, a = _adversarial_case(seed, n, d, m, tiny)
    Xn = normalize_rows(X)
    G = input_gram(Xn)
    ms = margin_summary(Xn, W, a)
    e = Interval(y) - ms.predictions
    rng = np.random.default_rng(seed + 1)
    S = np.flatnonzero(ms.certain)
    c = 2.0 ** -rng.integers(0, 4, size=len(S))
    old = ctx.prec
    ctx.prec = PREC
    try:
        xs = _arb_inputs(X)
        root = arb(m).sqrt()
        Z = [[_arb_dot([arb(float(t)) for t in W[r]], xs[i]) for i in range(n)] for r in range(m)]
        for i in range(n):
            for j in range(n):
                assert _arb_overlaps(G, (i, j), _arb_dot(xs[i], xs[j]))
        u = []
        for i in range(n):
            s = arb(0)
            for r in range(m):
                z = Z[r][i]
                if z > 0:
                    s += float(a[r]) * z
                elif not z < 0:        # ball contains 0: relu in [0, max(z, 0)]
                    assert not ms.certain[r]
            u.append(s / root)
        for r in range(m):
            for i in range(n):
                if ms.positive[r, i]:
                    assert Z[r][i] > 0
                assert not (abs(Z[r][i]) < float(ms.min_margin[r]))   # a lower bound
        for i in range(n):
            if ms.certain.all():
                assert _arb_overlaps(ms.predictions, i, u[i])
        if not len(S) or len(S) * d < n:
            return
        v = verify_stable_set(Xn, G, W, a, e, ms.positive, S, m, c)
        H = arb_mat([[sum((float(c[k]) for k in range(len(S)) if ms.positive[S[k], i] and ms.positive[S[k], j]),
                          start=arb(0)) * _arb_dot(xs[i], xs[j]) / m for j in range(n)] for i in range(n)])
        for i in range(n):
            for j in range(n):
                assert _arb_overlaps(v.H if v.H is not None else stable_gram(
                    weighted_counts(ms.positive[S], c), G, m), (i, j), H[i, j])
        if v.alpha is None:
            return
        ea = arb_mat([[arb(float(y[i])) - u[i]] for i in range(n)])
        alpha = H.solve(ea)
        for i in range(n):
            assert _arb_overlaps(v.alpha, i, alpha[i, 0])
        for k, r in enumerate(S):
            for j in range(d):
                dw = arb(0)
                for i in range(n):
                    if ms.positive[r, i]:
                        dw += alpha[i, 0] * xs[i][j]
                dw = dw * float(c[k]) * float(a[r]) / root
                assert _arb_overlaps(v.dW, (k, j), dw)
    finally:
        ctx.prec = old


# ---------------------------------------------------------------------------- exact identity
_PYTHAGOREAN = np.array([[3, 4, 0], [0, 3, 4], [4, 0, 3], [1, 2, 2], [2, 1, 2]], dtype=float)


def test_identity_u_of_minimizer_equals_y_exactly():
    """Inputs with integer norms (x_i rational), m = 256 (sqrt rational): W* is rational and
    u(W*) = y holds in exact arithmetic, with W* inside the certified enclosure."""
    rng = np.random.default_rng(7)
    X = _PYTHAGOREAN[:4]
    n, d = X.shape
    m = 256
    W = rng.standard_normal((m, d))
    a = rng.choice([-1.0, 1.0], size=m)
    y = np.round(_float_predictions(X, W, a) + 0.01 * rng.standard_normal(n), 6)
    res = certify_lazy_minimizer(X, y, W, a)
    assert res.status == CERTIFIED
    S, c = res.stable, res.weights
    xq = [[Fraction(int(t)) / int(round(np.linalg.norm(v))) for t in v] for v in X]
    Wq = [[_fr(t) for t in row] for row in W]
    dot = lambda p, q: sum(s * t for s, t in zip(p, q))  # noqa: E731
    u = [sum(int(a[r]) * max(dot(Wq[r], xq[i]), 0) for r in range(m)) / 16 for i in range(n)]
    e = [_fr(y[i]) - u[i] for i in range(n)]
    sgn = [[dot(Wq[r], xq[i]) > 0 for i in range(n)] for r in range(m)]
    H = [[sum(_fr(c[k]) for k, r in enumerate(S) if sgn[r][i] and sgn[r][j]) * dot(xq[i], xq[j]) / m
          for j in range(n)] for i in range(n)]
    alpha = _solve_fractions(H, e)
    Wstar = [row[:] for row in Wq]
    for k, r in enumerate(S):
        for j in range(d):
            dwj = _fr(c[k]) * int(a[r]) * sum(alpha[i] * xq[i][j] for i in range(n) if sgn[r][i]) / 16
            assert _contains_fraction(res.correction, (k, j), dwj)
            Wstar[r][j] += dwj
    for i in range(n):
        assert _contains_fraction(res.alpha, i, alpha[i])
    ustar = [sum(int(a[r]) * max(dot(Wstar[r], xq[i]), 0) for r in range(m)) / 16 for i in range(n)]
    assert ustar == [_fr(t) for t in y]
    # distances: the exact max_r ||w*_r - w_r|| lies in the certified interval (squared, exactly)
    d2 = max(sum((Wstar[r][j] - Wq[r][j]) ** 2 for j in range(d)) for r in range(m))
    assert _fr(res.distance_from_init_max.lo) ** 2 <= d2 <= _fr(res.distance_from_init_max.hi) ** 2


def _float_predictions(X, W, a):
    Xf = X / np.linalg.norm(X, axis=1, keepdims=True)
    return a @ np.maximum(W @ Xf.T, 0.0) / np.sqrt(W.shape[0])


def _solve_fractions(A, b):
    n = len(b)
    M = [list(A[i]) + [b[i]] for i in range(n)]
    for col in range(n):
        piv = next(r for r in range(col, n) if M[r][col] != 0)
        M[col], M[piv] = M[piv], M[col]
        for r in range(n):
            if r != col and M[r][col] != 0:
                f = M[r][col] / M[col][col]
                M[r] = [p - f * q for p, q in zip(M[r], M[col])]
    return [M[i][n] / M[i][i] for i in range(n)]


# ---------------------------------------------------------------------------- end to end
def test_near_interpolating_wide_net_is_certified_with_consistent_fields():
    rng = np.random.default_rng(3)
    n, d, m = 8, 4, 400
    X = rng.standard_normal((n, d))
    W0 = rng.standard_normal((m, d))
    a = rng.choice([-1.0, 1.0], size=m)
    W = W0 + 1e-3 * rng.standard_normal((m, d))
    y = _float_predictions(X, W, a) + 1e-4 * rng.standard_normal(n)
    res = certify_lazy_minimizer(X, y, W, a, W0)
    assert res.status == CERTIFIED
    assert res.ratio_max < 1
    assert float(res.tau.lo) > 0
    assert float(res.correction_max.hi) < float(res.tau.hi)
    dist = np.linalg.norm(W - W0, axis=1).max()
    assert float(res.distance_from_init_max.lo) <= dist + float(res.correction_max.hi) + 1e-12
    assert float(res.sqrt_m_distance.lo) >= float(res.distance_from_init_max.lo) * np.sqrt(m) * (1 - 1e-12)
    if res.lambda_min_HS is not None:
        assert float(res.lambda_min_HS.lo) > 0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 50), st.integers(1, 6), st.integers(0, 2 ** 32 - 1))
def test_incremental_count_update_is_exact(k, n, seed):
    from numerics.instance.lazy_minimizer import MAX_LEVEL, _count_update

    rng = np.random.default_rng(seed)
    P = rng.random((k, n)) < 0.6
    old = 2.0 ** -rng.integers(0, MAX_LEVEL + 1, size=k)
    new = np.where(rng.random(k) < 0.3, 0.0, old * 2.0 ** -rng.integers(0, 4, size=k))
    new[new < 2.0 ** -MAX_LEVEL] = 0.0
    C = weighted_counts(P, old) + _count_update(P, new - old)
    assert np.array_equal(C, weighted_counts(P, new))
    for i in range(n):
        for j in range(n):
            assert Fraction(float(C[i, j])) == sum(Fraction(float(new[r])) for r in range(k) if P[r, i] and P[r, j])


# ---------------------------------------------------------------------------- H_S = C o G / m

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ENDPOINT = st.one_of(st.floats(-1.0, 1.0, allow_nan=False),
                      st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.0 ** -1022, 1.0, -1.0,
                                       1.0 - 2.0 ** -53, -1.0 + 2.0 ** -53]))
_COUNT = st.one_of(st.integers(0, 2 ** 24), st.sampled_from([0.0, 2.0 ** -12, 3 * 2.0 ** -12, 2.0 ** 40 + 1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ENDPOINT, _ENDPOINT, _COUNT), min_size=4, max_size=4),
       st.one_of(st.integers(1, 10 ** 6), st.sampled_from([3, 7, 2 ** 52 - 1])))
def test_stable_gram_encloses_the_exact_entries(entries, m):
    # a 2 x 2 symmetric instance: exact rationals C_ij g_ij / m against the float endpoints
    lo = np.array([[min(e[0], e[1]) for e in entries[:2]], [min(e[0], e[1]) for e in entries[2:]]])
    hi = np.array([[max(e[0], e[1]) for e in entries[:2]], [max(e[0], e[1]) for e in entries[2:]]])
    C = np.array([[float(e[2]) for e in entries[:2]], [float(e[2]) for e in entries[2:]]])
    lo, hi, C = np.minimum(lo, lo.T), np.maximum(hi, hi.T), np.maximum(C, C.T)    # symmetric inputs
    H = stable_gram(C, Interval(lo, hi), m)
    for i in range(2):
        for j in range(2):
            for g in (lo[i, j], hi[i, j]):
                exact = Fraction(float(C[i, j])) * Fraction(float(g)) / m
                assert Fraction(float(H.lo[i, j])) <= exact <= Fraction(float(H.hi[i, j]))
    assert (H.lo == H.lo.T).all() and (H.hi == H.hi.T).all()


def test_stable_gram_refuses_negative_counts():
    with pytest.raises(ValueError, match="C"):
        stable_gram(-np.ones((2, 2)), Interval(np.zeros((2, 2)), np.ones((2, 2))), 3)


@pytest.mark.parametrize("m,seed,y_scale", [(64, 0, 0.05), (256, 2, 0.3), (16, 3, 1.0)])
def test_reused_margins_give_the_same_verification(m, seed, y_scale):
    X, y, W, a = _planted(m, seed, y_scale)
    Xn = normalize_rows(X)
    G = input_gram(Xn)
    ms = margin_summary(Xn, W, a)
    assert ms.mig is not None
    e = Interval(y) - ms.predictions
    S = np.arange(m)[::2]
    fresh = verify_stable_set(Xn, G, W, a, e, ms.positive, S, m)
    reused = verify_stable_set(Xn, G, W, a, e, ms.positive, S, m, margins=ms)
    assert fresh.ok == reused.ok and fresh.reason == reused.reason
    if fresh.tau is not None:
        assert (fresh.tau.lo, fresh.tau.hi) == (reused.tau.lo, reused.tau.hi)
        assert fresh.ratio_max == reused.ratio_max
