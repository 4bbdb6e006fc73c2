"""Deep Gram recursions (numerics.kernels.deep): soundness against an independent Arb implementation at
200 bits (hypothesis, with parallel / antiparallel / nearly parallel / badly scaled inputs), the
H = 1 reduction to 2 H_inf, Monte Carlo agreement with wide random torch networks, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from flint import arb, ctx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from numerics.arith.balls import arb_bounds
from numerics.kernels.two_layer import two_layer_relu_gram
from numerics.kernels.deep import cnn_gram, deep_gram, fc_gram, gram_lambda_min, ntk_gram, resnet_gram

PREC = 200


# ----------------------------------------------------------------------------- Arb reference
def _arb_unit_rows(X):
    rows = []
    for v in np.asarray(X, dtype=np.float64):
        a = [arb(float(t)) for t in v]
        nrm = sum((t * t for t in a), arb(0)).sqrt()
        rows.append([t / nrm for t in a])
    return rows


def _dot(u, v):
    return sum((a * b for a, b in zip(u, v)), arb(0))


def _clip(r):
    return r.min(arb(1)).max(arb(-1))


def _moments(a, b, c):
    """ReLU moments for covariance [[a, c], [c, b]] in Arb (1904.11955 eqs. 17-20)."""
    s = (a * b).sqrt()
    rho = _clip(c / s)
    j0 = arb.pi() - rho.acos()
    j1 = rho * j0 + (1 - rho * rho).max(arb(0)).sqrt()
    return s * j1 / (2 * arb.pi()), j0 / (2 * arb.pi())


def _arb_matrix_moments(K):
    n = len(K)
    Ess = [[None] * n for _ in range(n)]
    Edd = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                Ess[i][j], Edd[i][j] = K[i][i] / 2, arb(1) / 2
            else:
                Ess[i][j], Edd[i][j] = _moments(K[i][i], K[j][j], K[i][j])
    Es = [(K[i][i] / (2 * arb.pi())).sqrt() for i in range(n)]
    return Ess, Edd, Es


def arb_fc(X, H):
    with ctx.workprec(PREC):
        x = _arb_unit_rows(X)
        n = len(x)
        S = [[_dot(x[i], x[j]) for j in range(n)] for i in range(n)]
        for _ in range(H - 1):
            Ess, _, _ = _arb_matrix_moments(S)
            S = [[2 * Ess[i][j] for j in range(n)] for i in range(n)]
        _, Edd, _ = _arb_matrix_moments(S)
        return [[2 * S[i][j] * Edd[i][j] for j in range(n)] for i in range(n)]


def arb_ntk(X, L):
    with ctx.workprec(PREC):
        x = _arb_unit_rows(X)
        n = len(x)
        S = [[_dot(x[i], x[j]) for j in range(n)] for i in range(n)]
        T = [row[:] for row in S]
        for _ in range(L):
            Ess, Edd, _ = _arb_matrix_moments(S)
            S = [[2 * Ess[i][j] for j in range(n)] for i in range(n)]
            T = [[T[i][j] * 2 * Edd[i][j] + S[i][j] for j in range(n)] for i in range(n)]
        return T


def arb_resnet(X, H, c):
    with ctx.workprec(PREC):
        x = _arb_unit_rows(X)
        n = len(x)
        K0 = [[_dot(x[i], x[j]) for j in range(n)] for i in range(n)]
        Ess, _, Es = _arb_matrix_moments(K0)
        K = [[2 * Ess[i][j] for j in range(n)] for i in range(n)]
        b = [arb(2).sqrt() * e for e in Es]
        ch = arb(c) / H
        for _ in range(2, H):
            Ess, _, Es = _arb_matrix_moments(K)
            K = [[K[i][j] + ch * (b[i] * Es[j] + b[j] * Es[i]) + ch * ch * Ess[i][j] for j in range(n)]
                 for i in range(n)]
            b = [b[i] + ch * Es[i] for i in range(n)]
        _, Edd, _ = _arb_matrix_moments(K)
        return [[ch * ch * K[i][j] * Edd[i][j] for j in range(n)] for i in range(n)]


def _assert_inside(enclosure, ref):
    n = len(ref)
    for i in range(n):
        for j in range(n):
            lo, hi = arb_bounds(ref[i][j])
            assert enclosure.lo[i, j] <= hi and lo <= enclosure.hi[i, j], (
                f"entry ({i},{j}): Arb value [{lo}, {hi}] outside [{enclosure.lo[i, j]}, {enclosure.hi[i, j]}]")


# ----------------------------------------------------------------------------- strategies
_coord = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@st.composite
def inputs(draw, max_n=4, max_d=4):
    n = draw(st.integers(2, max_n))
    d = draw(st.integers(1, max_d))
    X = np.array([[draw(_coord) for _ in range(d)] for _ in range(n)])
    kind = draw(st.sampled_from(["plain", "parallel", "antiparallel", "near", "scaled"]))
    if kind == "parallel":
        X[1] = X[0] * draw(st.floats(1e-3, 1e3))
    elif kind == "antiparallel":
        X[1] = -X[0] * draw(st.floats(1e-3, 1e3))
    elif kind == "near":
        X[1] = X[0] + draw(st.floats(1e-14, 1e-6)) * np.abs(X[0]).max()
    elif kind == "scaled":
        X[0] = X[0] * 2.0 ** draw(st.integers(-300, 300))
    for i in range(n):          # last: a scaling above may underflow a row to zero
        if not X[i].any():
            X[i, 0] = 1.0
    return X


FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(inputs(), st.integers(1, 5))
def test_fc_gram_encloses_arb(X, H):
    g = fc_gram(X, H)
    assert g.rigorous
    _assert_inside(g.enclosure, arb_fc(X, H))


@FAST
@given(inputs(), st.integers(1, 4))
def test_ntk_encloses_arb(X, L):
    _assert_inside(ntk_gram(X, L).enclosure, arb_ntk(X, L))


@FAST
@given(inputs(), st.integers(2, 6), st.floats(0.05, 0.95))
def test_resnet_gram_encloses_arb(X, H, c):
    _assert_inside(resnet_gram(X, H, c).enclosure, arb_resnet(X, H, c))


def test_fc_depth_one_is_twice_two_layer_gram():
    """H = 1: K^(1) = c_sigma H_inf = 2 H_inf (docs/dllwz_width.md): the enclosures overlap
    everywhere and the Arb value of 2 H_inf lies in K^(1)."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((7, 3))
    K1 = fc_gram(X, 1).enclosure
    H = two_layer_relu_gram(X)
    assert np.all(K1.lo <= 2 * H.hi) and np.all(2 * H.lo <= K1.hi)
    with ctx.workprec(PREC):
        x = _arb_unit_rows(X)
        for i in range(7):
            for j in range(7):
                t = _clip(_dot(x[i], x[j]))
                h = t * (arb.pi() - t.acos()) / (2 * arb.pi())
                lo, hi = arb_bounds(2 * h)
                assert K1.lo[i, j] <= hi and lo <= K1.hi[i, j]
    assert np.max(K1.rad()) < 1e-13


def test_resnet_depth_one_is_the_fc_net():
    X = np.random.default_rng(0).standard_normal((4, 3))
    assert np.array_equal(resnet_gram(X, 1, 0.3).value, fc_gram(X, 1).value)


def test_ntk_dominates_last_layer_kernel():
    """Theta^(H) - K^(H) is a sum of PSD matrices, so lambda_min(Theta) >= lambda_min(K^(H))."""
    X = np.random.default_rng(5).standard_normal((12, 5))
    for H in (1, 2, 4):
        lt = gram_lambda_min(ntk_gram(X, H))
        lk = gram_lambda_min(fc_gram(X, H))
        assert lt.hi >= lk.lo


def test_resnet_lambda_min_scales_like_inverse_square_depth():
    """c_res^2/H^2 prefactor: H^2 lambda_min(K^(H)) stays within a factor 1.2 for H = 4..32."""
    X = np.random.default_rng(1).standard_normal((10, 4))
    scaled = []
    for H in (4, 8, 16, 32):
        lam = gram_lambda_min(resnet_gram(X, H, 0.5))
        assert lam.lo > 0
        scaled.append(lam.lo * H * H)
    assert max(scaled) / min(scaled) < 1.2


# ----------------------------------------------------------------------------- Monte Carlo
def _unit(X):
    X = np.asarray(X, dtype=np.float64)
    return torch.tensor(X / np.linalg.norm(X, axis=1, keepdims=True))


def _mc_fc(X, H, m, seed, act=torch.relu, dact=lambda z: (z >= 0).double(), cs=2.0):
    g = torch.Generator().manual_seed(seed)
    x = _unit(X).T                                    # (d, n)
    for _ in range(H - 1):
        W = torch.randn(m, x.shape[0], generator=g, dtype=torch.float64)
        x = math.sqrt(cs / m) * act(W @ x)
    W = torch.randn(m, x.shape[0], generator=g, dtype=torch.float64)
    D = dact(W @ x)                                   # (m, n); E a_r^2 = 1 replaces a_r^2
    return ((x.T @ x) * (D.T @ D) * cs / m).numpy()


def _mc_resnet(X, H, c, m, seed):
    g = torch.Generator().manual_seed(seed)
    x = _unit(X).T
    W = torch.randn(m, x.shape[0], generator=g, dtype=torch.float64)
    x = math.sqrt(2.0 / m) * torch.relu(W @ x)
    for _ in range(2, H):
        W = torch.randn(m, m, generator=g, dtype=torch.float64)
        x = x + c / (H * math.sqrt(m)) * torch.relu(W @ x)
    W = torch.randn(m, m, generator=g, dtype=torch.float64)
    D = (W @ x >= 0).double()
    return ((x.T @ x) * (D.T @ D) * c * c / (H * H * m)).numpy()


def _mc_cnn(X, H, c, ch, q, m, seed):
    g = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    p = X.shape[1] // ch
    x = _unit(X).reshape(n, ch, p)
    half = (q - 1) // 2
    conv = torch.nn.functional.conv1d
    W = torch.randn(m, ch, q, generator=g, dtype=torch.float64)
    if H == 1:
        last_in, scale = x, 2.0
    else:
        x = math.sqrt(2.0 / m) * torch.relu(conv(x, W, padding=half))
        for _ in range(2, H):
            W = torch.randn(m, m, q, generator=g, dtype=torch.float64)
            x = x + c / (H * math.sqrt(m)) * torch.relu(conv(x, W, padding=half))
        W = torch.randn(m, m, q, generator=g, dtype=torch.float64)
        last_in, scale = x, c * c / (H * H)
    D = (conv(last_in, W, padding=half) >= 0).double()            # (n, m, p)
    patches = torch.nn.functional.pad(last_in, (half, half)).unfold(-1, q, 1)   # (n, C, p, q)
    Pf = patches.permute(0, 2, 1, 3).reshape(n, p, -1)            # phi_l(x_i)
    inner = torch.einsum("ilk,jlk->ijl", Pf, Pf)                  # phi_l(x_i).phi_l(x_j)
    Dl = torch.einsum("iml,jml->ijl", D, D) / m
    return (scale * (inner * Dl).sum(-1)).numpy()


def _mc_check(sample, K, seeds=4):
    runs = np.stack([sample(s) for s in range(seeds)])
    mean = runs.mean(0)
    se = runs.std(0, ddof=1) / math.sqrt(seeds)
    tol = 5 * se + 0.02 * np.abs(K).max()
    assert np.all(np.abs(mean - K) <= tol), (np.abs(mean - K).max(), tol.min())


def test_fc_matches_wide_network():
    X = np.random.default_rng(0).standard_normal((4, 3))
    K = fc_gram(X, 3).value
    _mc_check(lambda s: _mc_fc(X, 3, 3000, s), K)


def test_resnet_matches_wide_network():
    X = np.random.default_rng(1).standard_normal((4, 3))
    K = resnet_gram(X, 4, 0.6).value
    _mc_check(lambda s: _mc_resnet(X, 4, 0.6, 3000, s), K)


@pytest.mark.parametrize("H", [1, 3])
def test_cnn_matches_wide_network(H):
    X = np.random.default_rng(2).standard_normal((3, 2 * 5))
    K = cnn_gram(X, H, 0.6, channels=2, patch_size=3).value
    _mc_check(lambda s: _mc_cnn(X, H, 0.6, 2, 3, 1200, s), K)


def test_tanh_fc_float_path_matches_wide_network():
    from numerics.kernels.gaussian_expectation import c_sigma
    X = np.random.default_rng(4).standard_normal((4, 3))
    g = fc_gram(X, 2, activation="tanh")
    assert not g.rigorous and g.enclosure is None
    cs = float(c_sigma("tanh").mid())
    _mc_check(lambda s: _mc_fc(X, 2, 3000, s, torch.tanh, lambda z: 1 - torch.tanh(z) ** 2, cs), g.value)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, word", [
    (dict(architecture="fc", depth=0), "depth"),
    (dict(architecture="resnet", depth=3, c_res=1.0), "c_res"),
    (dict(architecture="resnet", depth=3, c_res=0.0), "c_res"),
    (dict(architecture="cnn", depth=2, channels=1, patch_size=7), "patch_size"),
    (dict(architecture="cnn", depth=2, channels=3, patch_size=3), "channels"),
    (dict(architecture="fc", depth=2, activation="sigmoid"), "activation"),
    (dict(architecture="lstm", depth=2), "architecture"),
])
def test_bad_arguments_are_named(kwargs, word):
    X = np.random.default_rng(0).standard_normal((3, 4))
    with pytest.raises(ValueError, match=word):
        deep_gram(X, **kwargs)


# ----------------------------------------------------------------------------- CNN vs Arb
def _arb_patch(G, n, p, q):
    half = (q - 1) // 2
    out = {}
    for i in range(n):
        for l in range(p):
            for j in range(n):
                for r in range(p):
                    acc = arb(0)
                    for k in range(-half, half + 1):
                        if 0 <= l + k < p and 0 <= r + k < p:
                            acc += G[(i, l + k), (j, r + k)]
                    out[(i, l), (j, r)] = acc
    return out


def arb_cnn(X, H, c, ch, q):
    with ctx.workprec(PREC):
        n = X.shape[0]
        p = X.shape[1] // ch
        rows = _arb_unit_rows(X)
        x = [[[rows[i][cc * p + l] for l in range(p)] for cc in range(ch)] for i in range(n)]
        idx = [(i, l) for i in range(n) for l in range(p)]
        P = {(I, J): sum((x[I[0]][cc][I[1]] * x[J[0]][cc][J[1]] for cc in range(ch)), arb(0))
             for I in idx for J in idx}
        K = _arb_patch(P, n, p, q)

        def moments(K):
            Km = [[K[I, J] for J in idx] for I in idx]
            return _arb_matrix_moments(Km)

        if H >= 2:
            Ess, _, Es = moments(K)
            Gam = {(I, J): 2 * Ess[a][b] for a, I in enumerate(idx) for b, J in enumerate(idx)}
            bvec = [arb(2).sqrt() * e for e in Es]
            K = _arb_patch(Gam, n, p, q)
            ch_ = arb(c) / H
            for _ in range(2, H):
                Ess, _, Es = moments(K)
                Gam = {(I, J): Gam[I, J] + ch_ * (bvec[a] * Es[b] + bvec[b] * Es[a]) + ch_ * ch_ * Ess[a][b]
                       for a, I in enumerate(idx) for b, J in enumerate(idx)}
                bvec = [bvec[a] + ch_ * Es[a] for a in range(len(idx))]
                K = _arb_patch(Gam, n, p, q)
            scale = ch_ * ch_
        else:
            scale = arb(2)
        _, Edd, _ = moments(K)
        pos = {I: a for a, I in enumerate(idx)}
        return [[scale * sum((K[(i, l), (j, l)] * Edd[pos[(i, l)]][pos[(j, l)]] for l in range(p)), arb(0))
                 for j in range(n)] for i in range(n)]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 3), st.sampled_from([1, 3]), st.integers(0, 10_000))
def test_cnn_gram_encloses_arb(H, q, seed):
    X = np.random.default_rng(seed).standard_normal((2, 2 * 4))
    g = cnn_gram(X, H, 0.4, channels=2, patch_size=q)
    _assert_inside(g.enclosure, arb_cnn(X, H, 0.4, 2, q))
