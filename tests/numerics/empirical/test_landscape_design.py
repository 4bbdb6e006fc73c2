"""numerics.empirical.landscape_design: Ge-Lee-Ma's designed objective G and the plain loss, each value and
gradient against an independent formula (explicit Hermite tensors, loops, quadrature, Monte Carlo)."""

import itertools
import json
import math

import mpmath
import numpy as np
import pytest
import torch

from numerics.empirical import landscape_design as ld


def he4_tensor(x: np.ndarray) -> np.ndarray:
    """The probabilists' Hermite tensor He_4(x)_{abcd} = x_a x_b x_c x_d - (6 terms x x delta) + (3 delta delta)."""
    d = x.size
    I = np.eye(d)
    T = np.einsum("a,b,c,e->abce", x, x, x, x)
    for (p, q), (r, s) in [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]:
        for (i, j), (k, l) in (((p, q), (r, s)), ((r, s), (p, q))):
            idx = ["a", "b", "c", "e"]
            sub_xx = idx[i] + "," + idx[j]
            sub_d = idx[k] + idx[l]
            T = T - np.einsum(f"{sub_xx},{sub_d}->abce", x, x, I)
        T = T + np.einsum(f"{'abce'[p]}{'abce'[q]},{'abce'[r]}{'abce'[s]}->abce", I, I)
    return T


def test_hermite_tensor_helper_is_he4_along_a_unit_direction():
    rng = np.random.default_rng(0)
    x, u = rng.standard_normal(4), rng.standard_normal(4)
    u /= np.linalg.norm(u)
    t = x @ u
    assert np.einsum("abce,a,b,c,e->", he4_tensor(x), u, u, u, u) == pytest.approx(t**4 - 6 * t**2 + 3, rel=1e-12)


@pytest.mark.parametrize("k", range(9))
def test_relu_hermite_coefficients_against_quadrature(k):
    coeffs = [0] * k + [1]
    with mpmath.workdps(30):
        val = mpmath.quad(lambda z: z * mpmath.hermite(k, z / mpmath.sqrt(2)) * 2 ** (-mpmath.mpf(k) / 2)
                          * mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi), [0, mpmath.inf])
    # He_k(z) = 2^{-k/2} H_k(z / sqrt 2) (physicists' H_k); checked against numpy's HermiteE at one point
    assert float(2 ** (-k / 2) * mpmath.hermite(k, 0.7 / math.sqrt(2))) == pytest.approx(
        float(np.polynomial.hermite_e.hermeval(0.7, coeffs)), rel=1e-12, abs=1e-12)
    assert ld.relu_hermite(k) == pytest.approx(float(val) / math.sqrt(math.factorial(k)), abs=1e-14)
    assert ld.S4 == pytest.approx(-1 / math.sqrt(48 * math.pi), rel=1e-15)


def test_vphi_and_phi_are_the_hermite_tensor_contractions():
    rng = np.random.default_rng(1)
    d, m = 4, 3
    B = rng.standard_normal((m, d)) * 0.8
    X = rng.standard_normal((5, d))
    vp = ld.vphi(torch.tensor(B)[None], torch.tensor(X))[0].numpy()
    off = ld.phi_offdiagonal_sum(torch.tensor(B)[None], torch.tensor(X))[0].numpy()
    for i, x in enumerate(X):
        H = he4_tensor(x)
        for j in range(m):
            assert vp[i, j] == pytest.approx(np.einsum("abce,a,b,c,e->", H, *[B[j]] * 4) / 24, rel=1e-11)
        contr = sum(np.einsum("abce,a,b,c,e->", H, B[j], B[j], B[k], B[k]) / 2
                    for j, k in itertools.permutations(range(m), 2))
        assert off[i] == pytest.approx(contr, rel=1e-11, abs=1e-11)


def _phi_pointwise(v, w, x):
    """eq. (2.9) term by term, with the sign of Lemma A.9's construction on the cross term."""
    vx, wx, vw = v @ x, w @ x, v @ w
    return (0.5 * (v @ v) * (w @ w) + vw**2 - 0.5 * (w @ w) * vx**2 - 0.5 * (v @ v) * wx**2 - 2 * vx * wx * vw
            + 0.5 * vx**2 * wx**2)


def _vphi_pointwise(v, x):
    return (v @ v) ** 2 / 8 - (v @ x) ** 2 * (v @ v) / 4 + (v @ x) ** 4 / 24


def test_phi_is_lemma_a9s_polarization_of_vphi_and_matches_the_pointwise_formula():
    rng = np.random.default_rng(2)
    for _ in range(20):
        v, w, x = rng.standard_normal((3, 5))
        polar = (_vphi_pointwise(v + w, x) + _vphi_pointwise(v - w, x) - 2 * _vphi_pointwise(v, x)
                 - 2 * _vphi_pointwise(w, x))
        assert polar == pytest.approx(_phi_pointwise(v, w, x), rel=1e-10, abs=1e-10)
        B = torch.tensor(np.stack([v, w]))[None]
        off = float(ld.phi_offdiagonal_sum(B, torch.tensor(x)[None])[0, 0])
        assert off == pytest.approx(2 * _phi_pointwise(v, w, x), rel=1e-10, abs=1e-10)


def _monte_carlo(fn, d, Bstar, astar, reps=10, n=50_000, seed=0):
    g = torch.Generator().manual_seed(seed)
    vals = []
    for _ in range(reps):
        X = torch.randn(n, d, generator=g, dtype=torch.float64)
        y = torch.relu(X @ Bstar.t()) @ astar
        vals.append(fn(X, y))
    v = torch.stack(vals)
    return v.mean(0), v.std(0) / math.sqrt(reps)


def test_sample_estimator_of_g_is_unbiased_for_the_closed_form_with_our_constants():
    d = 2
    Bstar, _ = ld.ground_truth(d, "rotation", 4)
    astar = torch.tensor([1.0, 2.0], dtype=torch.float64)
    B = torch.tensor(np.random.default_rng(5).standard_normal((4, d, d)) * 0.7)[:2]
    mu = 0.4
    mean, se = _monte_carlo(lambda X, y: ld.designed_sample(B, X, y, mu, 0.0), d, Bstar, astar)
    pop = ld.designed_population(B, Bstar, astar, mu, 0.0)
    assert torch.all((mean - pop).abs() <= 5 * se), (mean, pop, se)
    # the constants printed in Theorem 2.6 are twice ours; with |pop| > 10 se the Monte-Carlo mean rules them out
    assert torch.all(pop.abs() > 10 * se)
    assert torch.all((mean - 2 * pop).abs() > 5 * se)


def _g_population_numpy(B, Bstar, astar, mu, lam):
    s4 = abs(ld.S4)
    M = Bstar @ B.T
    val = 0.0
    for i in range(M.shape[0]):
        val += astar[i] * (math.sqrt(6) * sum(M[i, j] ** 2 * M[i, k] ** 2 for j in range(M.shape[1])
                                              for k in range(M.shape[1]) if j != k)
                           - mu / (2 * math.sqrt(6)) * sum(M[i, j] ** 4 for j in range(M.shape[1])))
    return s4 * val + lam * np.sum((np.sum(B * B, 1) - 1) ** 2)


def _g_gradient_numpy(B, Bstar, astar, mu, lam):
    """dG/dB by hand: dG/dM_ij = |s4| a_i (4 sqrt6 M_ij (S_i - M_ij^2) - 4 mu/(2 sqrt6) M_ij^3), S_i = sum_j
    M_ij^2, dM_ij/db_j = b*_i, plus 4 lambda (|b_j|^2 - 1) b_j."""
    M = Bstar @ B.T
    S = np.sum(M**2, 1, keepdims=True)
    D = abs(ld.S4) * astar[:, None] * (4 * math.sqrt(6) * M * (S - M**2) - 2 * mu / math.sqrt(6) * M**3)
    return D.T @ Bstar + 4 * lam * (np.sum(B * B, 1) - 1)[:, None] * B


def test_designed_population_value_and_gradient_against_independent_formulas():
    rng = np.random.default_rng(5)
    d, mu, lam = 4, 0.3, 0.7
    Bstar, _ = ld.ground_truth(d, "rotation", 1)
    astar = torch.tensor([1.0, 0.5, 2.0, 1.5], dtype=torch.float64)
    for _ in range(3):
        Bn = rng.standard_normal((d, d))
        B = torch.tensor(Bn)[None].requires_grad_(True)
        val = ld.designed_population(B, Bstar, astar, mu, lam)
        (grad,) = torch.autograd.grad(val.sum(), B)
        assert float(val.detach()[0]) == pytest.approx(_g_population_numpy(Bn, Bstar.numpy(), astar.numpy(), mu, lam),
                                              rel=1e-12)
        np.testing.assert_allclose(grad[0].numpy(), _g_gradient_numpy(Bn, Bstar.numpy(), astar.numpy(), mu, lam),
                                   rtol=1e-10, atol=1e-12)


def test_the_ground_truth_and_its_signed_permutations_are_global_minima_of_g():
    d, mu = 4, 0.01
    Bstar, astar = ld.ground_truth(d, "rotation", 2)
    P = torch.eye(d, dtype=torch.float64)[[2, 0, 3, 1]] * torch.tensor([1.0, -1.0, 1.0, -1.0])[:, None]
    g_star = ld.designed_population((P @ Bstar)[None], Bstar, astar, mu, 5.0)
    assert float(g_star) == pytest.approx(-abs(ld.S4) * mu / (2 * math.sqrt(6)) * d, rel=1e-12)
    B = torch.tensor(np.random.default_rng(0).standard_normal((50, d, d)))
    assert torch.all(ld.designed_population(B, Bstar, astar, mu, 5.0) > g_star)
    assert float(ld.parameter_error((P @ Bstar)[None] * 3.0, Bstar)) == pytest.approx(0.0, abs=1e-15)


def _relu_kernel_numpy(u, v):
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    rho = np.clip(u @ v / (nu * nv), -1, 1)
    return nu * nv * (math.sqrt(1 - rho**2) + (math.pi - math.acos(rho)) * rho) / (2 * math.pi)


def test_plain_population_risk_against_monte_carlo_and_an_independent_kernel_formula():
    d = 3
    Bstar, _ = ld.ground_truth(d, "rotation", 6)
    astar = torch.tensor([1.0, 0.3, 2.0], dtype=torch.float64)
    rng = np.random.default_rng(7)
    B = torch.tensor(rng.standard_normal((2, d, d)))
    a = torch.tensor(rng.standard_normal((2, d)))
    pop = ld.plain_population(a, B, Bstar, astar)
    mean, se = _monte_carlo(lambda X, y: ld.plain_sample(a, B, X, y), d, Bstar, astar)
    assert torch.all((mean - pop).abs() <= 5 * se)
    s = 0
    Bn, an, Bs, As = B[s].numpy(), a[s].numpy(), Bstar.numpy(), astar.numpy()
    ref = (sum(an[j] * an[k] * _relu_kernel_numpy(Bn[j], Bn[k]) for j in range(d) for k in range(d))
           - 2 * sum(an[j] * As[i] * _relu_kernel_numpy(Bn[j], Bs[i]) for j in range(d) for i in range(d))
           + sum(As[i] * As[k] * _relu_kernel_numpy(Bs[i], Bs[k]) for i in range(d) for k in range(d)))
    assert float(pop[s]) == pytest.approx(ref, rel=1e-12)


def test_plain_population_gradient_is_finite_at_the_ground_truth_and_matches_finite_differences():
    d = 3
    Bstar, astar = ld.ground_truth(d, "identity")
    B = Bstar.clone()[None].requires_grad_(True)
    a = astar.clone()[None].requires_grad_(True)
    val = ld.plain_population(a, B, Bstar, astar)
    gB, ga = torch.autograd.grad(val.sum(), (B, a))
    assert float(val.detach()) == pytest.approx(0.0, abs=1e-14)
    assert torch.all(torch.isfinite(gB)) and float(gB.abs().max()) < 1e-12 and float(ga.abs().max()) < 1e-12
    rng = np.random.default_rng(8)
    B0 = torch.tensor(rng.standard_normal((1, d, d)))
    a0 = torch.tensor(rng.standard_normal((1, d)))
    Bg = B0.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(ld.plain_population(a0, Bg, Bstar, astar).sum(), Bg)
    h = 1e-6
    for idx in [(0, 0, 0), (0, 1, 2), (0, 2, 1)]:
        E = torch.zeros_like(B0)
        E[idx] = h
        fd = (ld.plain_population(a0, B0 + E, Bstar, astar) - ld.plain_population(a0, B0 - E, Bstar, astar)) / (2 * h)
        assert float(g[idx]) == pytest.approx(float(fd), rel=1e-6, abs=1e-8)


def test_parameter_error_is_zero_exactly_for_signed_permutations():
    Bstar, _ = ld.ground_truth(3, "identity")
    P = torch.eye(3, dtype=torch.float64)[[1, 2, 0]] * torch.tensor([[-2.0], [1.0], [0.5]])
    assert float(ld.parameter_error(P[None], Bstar)) == 0.0
    Q = P.clone()
    Q[0, 0] = 0.3
    assert float(ld.parameter_error(Q[None], Bstar)) > 0.01
    # signed: only a permutation with positive scales is a recovery for a ReLU network
    assert float(ld.parameter_error(P[None], Bstar, signed=True)) == pytest.approx(1.0)  # row 0 is -e_2
    assert float(ld.parameter_error(P.abs()[None], Bstar, signed=True)) == 0.0
    same = torch.ones(3, 3, dtype=torch.float64)  # every row the same direction: far from a permutation
    assert float(ld.parameter_error(same[None], Bstar)) == pytest.approx(1 - 1 / math.sqrt(3), rel=1e-12)


def test_gradient_descent_on_g_recovers_the_ground_truth_from_random_starts_small_d():
    Bstar, astar = ld.ground_truth(6, "rotation", 3)
    a0, B0 = ld.initial_points(3, 6, 8)
    _, _, _, obj, err = ld.train("designed", a0, B0, Bstar, astar, steps=400, lr=0.1, mu=0.01, lam=1.0,
                                         checkpoints=[0])
    assert np.all(err[:, -1] <= 1e-3) and np.all(err[:, 0] > 0.1)
    assert np.all(obj[:, -1] < obj[:, 0])


def test_run_result_is_labelled_json_safe_and_its_intervals_match_the_counts():
    res = ld.run_landscape_design(d=3, starts=4, steps=30, device="cpu", seed=1, tol=0.3)
    json.dumps(res, allow_nan=False)
    assert "arXiv:1711.00501" in res["source"] and "never a verdict" in res["evidence"]
    assert [o["objective"] for o in res["objectives"]] == ["plain", "designed"]
    for o in res["objectives"]:
        assert o["successes"] == sum(e <= 0.3 for e in o["final_parameter_error"])
        assert o["final_parameter_error"] == [row[-1] for row in o["curve"]["parameter_error"]]
        lo, hi = o["success_interval"]
        assert 0 <= lo <= o["success_fraction"] <= hi <= 1 and o["trials"] == 4


@pytest.mark.parametrize("kw,name", [(dict(estimator="exact"), "estimator"), (dict(d=0), "d"),
                                     (dict(tol=0.0), "tol"), (dict(mu=-1.0), "mu"), (dict(lr_plain=0.0), "lr_plain"),
                                     (dict(ground="random"), "ground_truth")])
def test_bad_arguments_raise_value_errors_naming_the_argument(kw, name):
    with pytest.raises(ValueError, match=rf"^{name}: got .*allowed"):
        ld.run_landscape_design(**{"d": 3, "starts": 2, "steps": 2, "device": "cpu", **kw})
