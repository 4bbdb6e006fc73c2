"""The classification of numerics.curvature.critical_point on points whose nature is known."""

from __future__ import annotations

import numpy as np
import pytest
from mpmath import mp, mpf

from float_minima import float_minimum
from mp_network_oracle import Oracle
from numerics.curvature.critical_point import (STRICT_LOCAL_MINIMUM, STRICT_SADDLE, UNDECIDED,
                                               certify_critical_point, minimizer_in_ball)
from numerics.networks import Architecture, Parameters
from numerics.networks.float_forward import outputs


def test_classic_saddle_at_zero_has_curvature_minus_norm_XTy_over_sqrt_m():
    """theta = 0 of u = m^{-1/2} sum a_r tanh(w_r . x), both layers trained: grad = 0 and the
    Hessian is block [[0, c^T], [c, 0]] per neuron with c = -m^{-1/2} X^T y, so lambda_min =
    -||X^T y|| / sqrt(m) (docs/critical_points_networks.md)."""
    rng = np.random.default_rng(3)
    n, d, m = 9, 3, 4
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    arch = Architecture("two-layer", m, d, activation="tanh", train_output=True)
    res = certify_critical_point(Parameters(arch, {"W": np.zeros((m, d)), "a": np.zeros(m)}), X, y, normalize=False)
    assert res.status == STRICT_SADDLE
    with mp.workdps(50):
        XTy = [mp.fsum(mpf(float(X[i, k])) * mpf(float(y[i])) for i in range(n)) for k in range(d)]
        exact = -mp.sqrt(mp.fsum(t * t for t in XTy)) / mp.sqrt(m)
    q = res.direction_value
    assert mpf(float(q.lo)) <= exact + mpf(1e-9) and q.hi < 0     # the certified value is the exact minimum
    assert exact <= mpf(float(q.hi))                               # a Rayleigh quotient is >= lambda_min
    assert res.grad_norm_upper < 1e-100


def _noisy_teacher_minimum(seed: int):
    """A width-2 tanh net at a local minimum of noisy teacher data (n = 30 > P = 6)."""
    rng = np.random.default_rng(seed)
    arch = Architecture("two-layer", 2, 2, activation="tanh", train_output=True)
    X = rng.standard_normal((30, 2))
    teacher = Parameters(arch, {"W": rng.standard_normal((2, 2)), "a": rng.standard_normal(2) * 2})
    y = outputs(teacher, X) + 0.1 * rng.standard_normal(30)
    return float_minimum(teacher, X, y), X, y


def test_strict_local_minimum_is_certified_and_its_bounds_hold():
    """The Hessian bound holds on the ball around the refined center's float part (checked at that
    point by mpmath), the center's gradient is below its bound, the loss bound is below the loss at
    the center, and the distance claim covers the refinement's move."""
    params, X, y = _noisy_teacher_minimum(0)
    res = certify_critical_point(params, X, y, normalize=False)
    assert res.status == STRICT_LOCAL_MINIMUM and res.loss_positive
    lo, hi = res.lambda_min
    center = res.center
    assert 0 < lo <= hi and res.critical_point_distance >= center.moved
    oracle = Oracle(center.params, X, y)
    with mp.workdps(80):
        eig = mp.eigsy(oracle.hessian_at(center.params.flatten()))[0]
        assert min(eig) >= mpf(lo)                       # lambda_min at the ball's center is above the bound
        oracle.theta = [mpf(float(a)) + mpf(float(b)) for a, b in zip(center.params.flatten(), center.correction)]
        assert mpf(float(res.loss.lo)) <= oracle.at(oracle.theta)
        grad = oracle.gradient()
        assert mp.sqrt(mp.fsum(g * g for g in grad)) <= mpf(center.grad_norm_upper) + mpf(10) ** -25
        moved = mp.sqrt(mp.fsum((a - mpf(float(b))) ** 2 for a, b in zip(oracle.theta, params.flatten())))
        assert moved <= mpf(center.moved)


def test_a_point_off_the_minimum_is_not_certified_a_minimum():
    params, X, y = _noisy_teacher_minimum(0)
    moved = params.unflatten(params.flatten() + 0.05)
    res = certify_critical_point(moved, X, y, normalize=False)
    assert res.status != STRICT_LOCAL_MINIMUM


def test_a_point_near_the_minimum_is_refined_and_the_distance_covers_the_offset():
    """From theta* + 1e-3 (1, ..., 1) the Newton refinement reaches the minimum; the certified
    distance must cover the true offset, and the loss interval must meet the one certified at the
    float minimum itself (the same exact minimizer)."""
    params, X, y = _noisy_teacher_minimum(0)
    at_min = certify_critical_point(params, X, y, normalize=False)
    moved = params.unflatten(params.flatten() + 1e-3)
    res = certify_critical_point(moved, X, y, normalize=False)
    assert res.status == STRICT_LOCAL_MINIMUM
    offset = 1e-3 * np.sqrt(params.architecture.parameter_count)
    assert res.critical_point_distance >= offset - 2 * at_min.critical_point_distance - 1e-12
    assert res.loss.lo <= at_min.loss.hi and at_min.loss.lo <= res.loss.hi


def test_a_minimum_on_the_exactly_normalized_rows_is_certified():
    """With normalize=True the loss is on the exact rows x_i / ||x_i|| (not on their float
    roundings): the refinement and the Arb gradient use the exact rows, the ball Hessian their
    enclosure; a float minimum on the rounded rows is certified, its distance covering the move."""
    from numerics.kernels.two_layer import normalize_rows

    rng = np.random.default_rng(5)
    arch = Architecture("two-layer", 2, 2, activation="tanh", train_output=True)
    X = rng.standard_normal((30, 2)) * 3.0
    teacher = Parameters(arch, {"W": rng.standard_normal((2, 2)) * 2, "a": rng.standard_normal(2) * 2})
    Xn = normalize_rows(X).mid()
    y = outputs(teacher, Xn) + 0.1 * rng.standard_normal(30)
    res = certify_critical_point(float_minimum(teacher, Xn, y), X, y, normalize=True)
    assert res.status == STRICT_LOCAL_MINIMUM and res.normalized
    assert res.critical_point_distance >= res.center.moved and res.center.grad_norm_upper < 1e-20


def test_a_negative_eigenvalue_the_lanczos_run_missed_is_found_by_the_dense_hessian(monkeypatch):
    """The float search only steers: when it reports no negative curvature (here: forced), the
    dense float Hessian's smallest eigenvector is tested rigorously, and the classic saddle at 0 is
    still certified, with the exact curvature -||X^T y|| / sqrt(m) inside the proved bound."""
    import numerics.curvature.critical_point as cp
    from numerics.curvature.lanczos import RitzSpectrum

    rng = np.random.default_rng(3)
    n, d, m = 9, 3, 4
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    arch = Architecture("two-layer", m, d, activation="tanh", train_output=True)
    P = arch.parameter_count
    blind = RitzSpectrum(np.array([1.0, 2.0]), np.eye(P)[0], np.eye(P)[1], (0.0, 0.0), 2, 0.0, float(y @ y) / 2)
    monkeypatch.setattr(cp, "lanczos_spectrum", lambda *a, **k: blind)
    res = certify_critical_point(Parameters(arch, {"W": np.zeros((m, d)), "a": np.zeros(m)}), X, y, normalize=False)
    assert res.status == STRICT_SADDLE
    assert any(a["test"] == "dense float Hessian" for a in res.attempts)
    with mp.workdps(50):
        XTy = [mp.fsum(mpf(float(X[i, k])) * mpf(float(y[i])) for i in range(n)) for k in range(d)]
        exact = -mp.sqrt(mp.fsum(t * t for t in XTy)) / mp.sqrt(m)
    assert exact <= mpf(float(res.direction_value.hi)) < 0


def test_relu_point_with_a_zero_preactivation_is_undecided():
    arch = Architecture("two-layer", 3, 2, activation="relu", train_output=True)
    rng = np.random.default_rng(0)
    res = certify_critical_point(Parameters(arch, {"W": np.zeros((3, 2)), "a": np.zeros(3)}),
                                 rng.standard_normal((5, 2)), rng.standard_normal(5), normalize=False)
    assert res.status == UNDECIDED and "not proved smooth" in res.reason


def test_relu_rescaling_symmetry_is_named():
    arch = Architecture("two-layer", 3, 2, activation="relu", train_output=True)
    rng = np.random.default_rng(1)
    p = Parameters(arch, {"W": rng.standard_normal((3, 2)), "a": rng.standard_normal(3)})
    res = certify_critical_point(p, rng.standard_normal((6, 2)), rng.standard_normal(6), normalize=False)
    assert any("rescaling" in s or "(c w_r, a_r / c)" in s for s in res.structure)
    assert res.status != STRICT_LOCAL_MINIMUM


def test_zero_loss_overparametrized_point_says_rank_and_delegates():
    """P = 12 > n = 3 at a zero-loss point: the structure note names the rank, and the answer is
    the instance certificate's."""
    rng = np.random.default_rng(2)
    arch = Architecture("two-layer", 4, 2, activation="tanh", train_output=True)
    p = Parameters(arch, {"W": rng.standard_normal((4, 2)), "a": rng.standard_normal(4)})
    X = rng.standard_normal((3, 2))
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    res = certify_critical_point(p, X, outputs(p, Xn), normalize=True)
    assert any("rank <= n" in s for s in res.structure)
    assert any(a["test"] == "instance certificate" for a in res.attempts)
    assert res.status == "zero-loss" and res.radius < 1e-10 and float(res.loss.lo) == 0.0
    stored = certify_critical_point(p, X, outputs(p, Xn), normalize=False)   # the instance certificate
    assert stored.status != "zero-loss"                                       # is stated for normalized rows


@pytest.mark.parametrize("g, gamma, rho, holds", [(1.0, 1.0, 1.5, True), (1.0, 1.0, 1.0, False),
                                                   (1e-300, 1e-3, 1e-290, True), (1.0, 0.0, 10.0, False)])
def test_minimizer_in_ball_decides_g_below_gamma_rho(g, gamma, rho, holds):
    out = minimizer_in_ball(g, gamma, rho)
    assert out.holds is holds
    if holds:
        assert out.distance >= g / gamma and out.distance < rho * (1 + 1e-15)
        assert out.loss_drop >= g * g / (2 * gamma)


def test_a_premise_makes_the_answer_conditional():
    """With libm's margin model (a premise) the same saddle is only `conditional`, naming it."""
    from numerics.arith.elementary import MARGIN_PREMISE, elementary_mode_scope

    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((6, 2)), rng.standard_normal(6)
    arch = Architecture("two-layer", 2, 2, activation="tanh", train_output=True)
    params = Parameters(arch, {"W": np.zeros((2, 2)), "a": np.zeros(2)})
    with elementary_mode_scope("margin"):
        res = certify_critical_point(params, X, y, normalize=False)
    assert res.status == "conditional" and res.premises == (MARGIN_PREMISE,)
    assert certify_critical_point(params, X, y, normalize=False).status == STRICT_SADDLE


def _zero_saddle():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((6, 2)), rng.standard_normal(6)
    arch = Architecture("two-layer", 2, 2, activation="tanh", train_output=True)
    return Parameters(arch, {"W": np.zeros((2, 2)), "a": np.zeros(2)}), X, y


def test_reproving_a_saddle_from_its_direction_gives_the_producers_bounds():
    """reprove_critical_point (what `certify check` runs) is the producer's rigorous part: the
    same point and direction give the same enclosures, and a tiny gradient_tol the weaker status."""
    from numerics.curvature.critical_point import NEGATIVE_CURVATURE, reprove_critical_point

    params, X, y = _zero_saddle()
    res = certify_critical_point(params, X, y, normalize=False)
    again = reprove_critical_point(params, X, y, normalize=False, direction=res.direction, claim=res.status)
    assert again.status == STRICT_SADDLE and again.grad_norm_upper == res.grad_norm_upper
    assert (again.direction_value.lo, again.direction_value.hi) == (res.direction_value.lo, res.direction_value.hi)
    assert (again.loss.lo, again.loss.hi) == (res.loss.lo, res.loss.hi)
    strict = reprove_critical_point(params, X, y, normalize=False, direction=res.direction, claim=res.status,
                                    gradient_tol=0.0)
    assert strict.status == NEGATIVE_CURVATURE


def test_reproving_under_a_premise_is_conditional_and_names_the_underlying_status():
    from numerics.arith.elementary import MARGIN_PREMISE, elementary_mode_scope
    from numerics.curvature.critical_point import reprove_critical_point

    params, X, y = _zero_saddle()
    res = certify_critical_point(params, X, y, normalize=False)
    with elementary_mode_scope("margin"):
        again = reprove_critical_point(params, X, y, normalize=False, direction=res.direction, claim=res.status)
    assert again.status == "conditional" and again.status_if_premises == STRICT_SADDLE
    assert again.premises == (MARGIN_PREMISE,)


def test_reproving_a_minimum_at_its_radius_and_refusing_without_one():
    from numerics.curvature.critical_point import reprove_critical_point

    params, X, y = _noisy_teacher_minimum(0)
    res = certify_critical_point(params, X, y, normalize=False)
    assert res.status == STRICT_LOCAL_MINIMUM
    center = (res.center.params, res.center.correction)
    again = reprove_critical_point(params, X, y, normalize=False, direction=res.direction, claim=res.status,
                                   radius=res.radius, center=center)
    assert again.status == STRICT_LOCAL_MINIMUM and again.lambda_min == res.lambda_min
    assert again.critical_point_distance == res.critical_point_distance and again.loss.lo == res.loss.lo
    none = reprove_critical_point(params, X, y, normalize=False, direction=res.direction, claim=res.status)
    assert none.status == UNDECIDED and "radius" in none.reason
    too_small = res.center.grad_norm_upper / res.lambda_min[1] / 2      # gamma * rho < g
    small = reprove_critical_point(params, X, y, normalize=False, direction=res.direction, claim=res.status,
                                   radius=too_small, center=center)
    assert small.status == UNDECIDED
    uncorrected = reprove_critical_point(params, X, y, normalize=False, direction=res.direction, claim=res.status,
                                         radius=res.radius)           # the classified point as the center
    assert uncorrected.center.grad_norm_upper >= res.center.grad_norm_upper


@pytest.mark.parametrize("v", [np.zeros(6), np.ones(5), np.full(6, np.nan)])
def test_a_recorded_direction_must_be_a_finite_nonzero_vector_of_length_P(v):
    from numerics.curvature.critical_point import reprove_critical_point

    params, X, y = _zero_saddle()
    with pytest.raises(ValueError, match="length P = 6"):
        reprove_critical_point(params, X, y, normalize=False, direction=v, claim=STRICT_SADDLE)


def test_every_eigensolver_failing_leaves_the_minimum_undecided_naming_it(monkeypatch):
    """The Hessian-on-a-ball test with no float eigensolver (scipy's LAPACK drivers raising): the
    enclosure of lambda_min is Gershgorin's, which does not prove this minimum; the answer is
    undecided with the failure in its reason, never an error."""
    import scipy.linalg

    params, X, y = _noisy_teacher_minimum(0)

    def internal_error(*args, **kwargs):
        raise np.linalg.LinAlgError("Internal Error (test)")

    monkeypatch.setattr(scipy.linalg, "eigh", internal_error)
    res = certify_critical_point(params, X, y, normalize=False)
    assert res.status == UNDECIDED
    assert "float eigensolver failed" in res.reason and "Internal Error (test)" in res.reason


def test_a_failing_float_search_is_undecided_and_a_large_net_skips_the_dense_step(monkeypatch):
    """The Lanczos search only steers: its failure is an undecided answer naming it; above
    ``dense_limit`` parameters the strict-local-minimum step (dense P x P) is not attempted."""
    import numerics.curvature.critical_point as cp

    params, X, y = _noisy_teacher_minimum(0)
    limited = certify_critical_point(params, X, y, normalize=False, dense_limit=5)
    assert limited.status == UNDECIDED and "exceeds its limit 5" in limited.reason

    def failing(*args, **kwargs):
        raise np.linalg.LinAlgError("Eigenvalues did not converge (test)")

    monkeypatch.setattr(cp, "lanczos_spectrum", failing)
    res = certify_critical_point(params, X, y, normalize=False)
    assert res.status == UNDECIDED and "Lanczos search failed" in res.reason and res.spectrum is None
