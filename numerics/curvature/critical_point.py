"""What the point theta of a network's squared loss is: a strict saddle, a strict local minimum,
next to a zero-loss global minimizer, or undecided -- proved, not estimated.

Loss ``L(theta) = 1/2 sum_i (u_i(theta) - y_i)^2`` (``docs/networks.md``) on the inputs as
given (floats, exact) or on the exactly normalized rows. ``docs/critical_points_networks.md``
states the method; in short:

1. FLOAT search: Lanczos on Hessian-vector products (:mod:`numerics.curvature.lanczos`).
2. Rigorous gradient ``||grad L(theta)|| <= g`` by the interval reverse pass
   (:mod:`numerics.curvature.loss_gradient`) and the loss enclosure.
3. **strict saddle**: for the smallest Ritz vector v, the Taylor arithmetic of
   :mod:`numerics.curvature.taylor_jets` encloses ``v^T hess L v / ||v||^2``; an upper end
   ``-gamma < 0`` proves that theta is not a local minimum and not an approximate second-order
   stationary point for any tolerance below gamma (Jin et al. 2017's (eps, sqrt(rho eps)) test
   fails there for sqrt(rho eps) < gamma). With ``||grad L|| <= g <= gradient_tol`` proved too the
   status is ``strict-saddle``; with a larger gradient bound it is ``negative-curvature`` (theta
   is then not even an approximate critical point).
4. **strict local minimum** (any depth): first the point is refined
   (:func:`~numerics.curvature.newton_refinement.refine_critical_point`: Newton steps with an Arb
   gradient to a center ``hi + lo`` between the float64 numbers, ``||center - theta|| <= moved``);
   then, with theta the center below, ``lambda_min(hess L(theta')) >= gamma > 0`` for
   every ``theta'`` in the ball ``B(theta, rho)`` (:func:`~numerics.curvature.ball_hessian.split_ball_hessian`:
   an interval core matrix and a norm bound of the rest, with the verified spectral core and
   Weyl's inequality), and ``g < gamma rho``.
   Then (:func:`minimizer_in_ball`) L is gamma-strongly convex on the ball and its minimizer
   over the closed ball lies at distance ``<= g / gamma < rho`` from theta, in the interior: an
   exact critical point, a strict local minimizer (Hessian >= gamma), with
   ``L(theta) - g^2 / (2 gamma) <= L(theta*) <= L(theta)``, at distance ``<= moved + g / gamma``
   from the classified point (``docs/critical_points_networks.md``, "Refining the point").
5. **zero loss**: at a point of (float) zero loss with P > n the Hessian ``J^T J`` has rank
   <= n < P and is never positive definite; the answer is the instance certificate
   (:func:`numerics.instance.deep_minimizer.certify_deep_minimizer`, normalized inputs only).
6. otherwise **undecided**, with the figures that fell short.

Structure: a ReLU net with two consecutive trained layers is positively homogeneous in
``(w_r, a_r) -> (c w_r, a_r / c)``; at a critical point the Hessian then vanishes along
``(w_r, -a_r)``, so no strict local minimum exists and none is claimed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from numerics.arith import upper_bounds as ub
from numerics.arith.interval import Interval
from numerics.arith.rounding import round_down_fraction, round_up_fraction
from numerics.curvature.activation_derivatives import KinkInside
from numerics.curvature.lanczos import RitzSpectrum, lanczos_spectrum
from numerics.curvature.loss_gradient import gradient_enclosure, norm_upper
from numerics.curvature.taylor_jets import LineDerivatives, line_derivatives
from numerics.networks.parameters import Parameters

STRICT_SADDLE = "strict-saddle"
NEGATIVE_CURVATURE = "negative-curvature"
STRICT_LOCAL_MINIMUM = "strict-local-minimum"
ZERO_LOSS = "zero-loss"
UNDECIDED = "undecided"
CONDITIONAL = "conditional"
RADIUS_FACTORS = (4.0, 16.0, 1.5)
DENSE_LIMIT = 8000
"""The largest P for the strict-local-minimum step: it builds the P x P Hessian enclosure and a
float Hessian (8 P^2 bytes each, several of them)."""


@dataclass(frozen=True)
class MinimizerInBall:
    """``holds``: an exact critical point theta* with ``||theta* - theta|| <= distance`` and
    ``lambda_min(hess L) >= gamma`` there; ``loss_drop``: ``>= L(theta) - L(theta*)``."""

    holds: bool
    distance: float | None
    loss_drop: float | None
    reason: str


def minimizer_in_ball(grad_norm: float, gamma: float, radius: float) -> MinimizerInBall:
    """Decide the strong-convexity argument in exact rational arithmetic.

    Hypotheses: ``||grad L(theta)|| <= grad_norm`` and ``hess L >= gamma I`` on the closed ball
    ``B(theta, radius)``. If ``grad_norm < gamma radius``: the minimizer theta* of L over the ball
    is interior (at a boundary minimizer KKT gives ``grad L(theta*) = -mu (theta* - theta)``,
    ``mu >= 0``, and strong monotonicity ``<grad L(theta*) - grad L(theta), theta* - theta> >=
    gamma radius^2`` forces ``gamma radius^2 <= grad_norm radius``), hence critical, with
    ``||theta* - theta|| <= grad_norm / gamma`` (strong monotonicity again) and
    ``L(theta) - L(theta*) <= grad_norm^2 / (2 gamma)`` (strong convexity:
    ``L(theta*) >= L(theta) - g d + gamma d^2 / 2 >= L(theta) - g^2/(2 gamma)``).
    """
    g, lam, r = Fraction(grad_norm), Fraction(gamma), Fraction(radius)
    if not (lam > 0):
        return MinimizerInBall(False, None, None, f"lambda_min on the ball not proved positive (>= {gamma!r})")
    if not (g < lam * r):
        return MinimizerInBall(False, None, None,
                               f"gradient bound {grad_norm:.3g} not below gamma * radius = {float(lam * r):.3g}")
    return MinimizerInBall(True, round_up_fraction(g / lam), round_up_fraction(g * g / (2 * lam)),
                           "strongly convex on the ball, minimizer interior")


@dataclass
class CriticalPointResult:
    """The answer for theta (see the module docstring). Intervals are rigorous; ``spectrum`` is
    FLOAT (Lanczos); ``direction`` is the float vector v whose curvature was enclosed."""

    status: str
    reason: str
    parameters: int
    n: int
    grad_norm_upper: float | None = None
    loss: Interval | None = None
    direction_value: Interval | None = None
    direction: np.ndarray | None = None
    lambda_min: tuple[float, float] | None = None
    radius: float | None = None
    critical_point_distance: float | None = None
    loss_positive: bool | None = None
    structure: list[str] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    spectrum: RitzSpectrum | None = None
    instance: object = None
    center: object = None
    normalized: bool = True
    premises: tuple[str, ...] = ()
    seconds: float = 0.0
    status_if_premises: str | None = None
    """For a ``conditional`` answer: the status the rigorous part reached, which holds if the
    premises do."""


def _inputs(params: Parameters, X, y, normalize: bool):
    from numerics.instance.deep_minimizer import check_inputs
    from numerics.kernels.two_layer import normalize_rows

    X, y = check_inputs(X, y, params)
    return X, y, (normalize_rows(X) if normalize else X)


def _homogeneous_relu(params: Parameters) -> bool:
    arch = params.architecture
    return arch.activation == "relu" and len(arch.trained_names) >= 2


def structure_notes(params: Parameters, n: int, zero_loss_float: bool) -> list[str]:
    """What the structure of the loss says before any computation (strings for the report)."""
    arch, notes = params.architecture, []
    P = arch.parameter_count
    if zero_loss_float and P > n:
        notes.append(f"zero loss with P = {P} > n = {n}: the Hessian is J^T J, of rank <= n < P, never positive "
                     "definite; a zero-loss point is certified by the instance certificate instead")
    if _homogeneous_relu(params):
        notes.append("ReLU with consecutive trained layers: the loss is invariant under (w_r, a_r) -> (c w_r, a_r / c), "
                     "so the Hessian is singular at every critical point and no strict local minimum exists")
    return notes


def _saddle(res: CriticalPointResult, params, Xe, y, v: np.ndarray, gradient_tol: float,
            source: str = "the smallest Ritz vector") -> LineDerivatives:
    ld = line_derivatives(params, Xe, y, v)
    res.loss = ld.loss
    res.direction_value = ld.quotient
    res.direction = v
    res.attempts.append({"test": f"negative curvature along {source}",
                         "quotient": [float(ld.quotient.lo), float(ld.quotient.hi)]})
    if ld.quotient.hi < 0 and res.grad_norm_upper <= gradient_tol:
        res.status = STRICT_SADDLE
        res.reason = (f"curvature along v proved <= {float(ld.quotient.hi):.3g} < 0 at a point with "
                      f"||grad L|| <= {res.grad_norm_upper:.3g} <= {gradient_tol:g}")
    elif ld.quotient.hi < 0:
        res.status = NEGATIVE_CURVATURE
        res.reason = (f"curvature along v proved <= {float(ld.quotient.hi):.3g} < 0, but ||grad L|| <= "
                      f"{res.grad_norm_upper:.3g} is not below the stationarity tolerance {gradient_tol:g}: "
                      "theta is no local minimum, and not an approximate critical point either")
    return ld


def _dense_saddle(res: CriticalPointResult, params, Xe, y, hessian: np.ndarray, gradient_tol: float) -> bool:
    """When the FLOAT dense Hessian has a negative eigenvalue that the Lanczos run missed, the
    rigorous curvature test of step 3 along its eigenvector (it may decide a saddle). The float
    eigensolver only steers: when it fails, the check is skipped (recorded) and the local-minimum
    step goes on."""
    import scipy.linalg

    from numerics.linalg.spectral import EIGENSOLVER_FAILED

    try:
        w, V = scipy.linalg.eigh(hessian, subset_by_index=[0, 0])
    except (np.linalg.LinAlgError, ValueError) as exc:
        res.attempts.append({"test": "dense float Hessian", "outcome": f"{EIGENSOLVER_FAILED} ({exc}): skipped"})
        return False
    if not w[0] < 0:
        return False
    res.attempts.append({"test": "dense float Hessian", "smallest_eigenvalue": float(w[0])})
    _saddle(res, params, Xe, y, V[:, 0], gradient_tol, "the dense Hessian's smallest eigenvector")
    return res.status != UNDECIDED


def _local_minimum(res: CriticalPointResult, params, X, Xe, y, gamma0: float, normalize: bool,
                   gradient_tol: float) -> None:
    """Refine the point (Arb gradient, two-float center), then the Hessian on a ball around the
    center's float64 part that contains the ball ``B(center, rho)`` of the strong-convexity
    argument (``docs/critical_points_networks.md``, "Refining the point")."""
    from numerics.curvature.ball_hessian import split_ball_hessian
    from numerics.curvature.newton_refinement import refine_critical_point

    try:
        hessian = split_ball_hessian(params, Xe, y, 0.0).core.mid()
        if _dense_saddle(res, params, Xe, y, hessian, gradient_tol):
            return
        center = refine_critical_point(params, X, y, hessian, normalize=normalize,
                                       hessian_at=lambda p: split_ball_hessian(p, Xe, y, 0.0).core.mid())
    except (KinkInside, ValueError, np.linalg.LinAlgError) as exc:
        res.attempts.append({"test": "Newton refinement", "outcome": str(exc)})
        return
    g = center.grad_norm_upper
    res.attempts.append({"test": "Newton refinement", "gradient_bounds": list(center.history),
                         "moved": center.moved, "correction_norm": center.correction_norm})
    for c in RADIUS_FACTORS:
        rho = max(float(ub.div(ub.mul(c, g), gamma0)), center.correction_norm, 1e-300)
        if ball_test(res, center, Xe, y, rho):
            res.center = center         # recorded (center.npz) only for the certificate it carries
            return


def _zero_loss(res: CriticalPointResult, params, X, y, normalize: bool) -> None:
    if not normalize:
        res.attempts.append({"test": "instance certificate", "outcome": "not run: it is stated for normalized inputs"})
        return
    from numerics.instance.deep_minimizer import certify_deep_minimizer

    inst = certify_deep_minimizer(params, X, y)
    res.instance = inst
    res.attempts.append({"test": "instance certificate", "outcome": inst.status, "reason": inst.reason})
    if inst.status == "certified":
        res.status, res.reason = ZERO_LOSS, "an exact zero-loss global minimizer lies next to theta (instance certificate)"
        res.radius = inst.parameter_distance
        res.loss = Interval(0.0, float(res.loss.hi)) if res.loss is not None else None


def certify_critical_point(params: Parameters, X, y, *, normalize: bool = True, lanczos_steps: int = 40,
                           seed: int = 0, device="cpu", zero_tol: float = 1e-20,
                           gradient_tol: float = 1e-3, dense_limit: int = DENSE_LIMIT) -> CriticalPointResult:
    """Classify theta (module docstring). ``X`` (n, d) stored inputs, normalized exactly inside
    when ``normalize``; ``y`` (n,). ``zero_tol``: float loss below ``zero_tol (1 + ||y||^2)`` is
    treated as a zero-loss candidate (only a search hint; the verdict is the instance
    certificate's). ``gradient_tol``: a point of proved negative curvature is a ``strict-saddle``
    when ``||grad L|| <= gradient_tol`` is proved, else ``negative-curvature``. ``dense_limit``:
    above this P the strict-local-minimum step (dense P x P matrices) is not attempted."""
    return _timed_with_premises(_classify, params, X, y, normalize, lanczos_steps, seed, device, zero_tol,
                                gradient_tol, dense_limit)


def _timed_with_premises(decide, *args) -> CriticalPointResult:
    """``decide(*args)``, timed, with every premise it used recorded (:func:`_premised`)."""
    from numerics.arith.elementary import premise_log

    t0 = time.perf_counter()
    with premise_log() as used:
        res = decide(*args)
    _premised(res, used)
    res.seconds = time.perf_counter() - t0
    return res


def _premised(res: CriticalPointResult, used) -> None:
    """A premise never makes a verdict: a decided answer that used one is ``conditional``."""
    res.premises = tuple(sorted(used))
    if res.premises and res.status != UNDECIDED:
        res.reason = f"{res.status} if {'; '.join(res.premises)}: {res.reason}"
        res.status_if_premises, res.status = res.status, CONDITIONAL


def _classify(params, X, y, normalize, lanczos_steps, seed, device, zero_tol, gradient_tol,
              dense_limit) -> CriticalPointResult:
    X, y, Xe = _inputs(params, X, y, normalize)
    n, P = X.shape[0], params.architecture.parameter_count
    res = CriticalPointResult(UNDECIDED, "", P, n, normalized=normalize)
    Xf = Xe.mid() if isinstance(Xe, Interval) else Xe
    try:
        spec = lanczos_spectrum(params, Xf, y, steps=lanczos_steps, seed=seed, device=device)
    except np.linalg.LinAlgError as exc:
        res.reason = f"the float Lanczos search failed ({exc}); no direction to test"
        try:
            res.grad_norm_upper = norm_upper(gradient_enclosure(params, Xe, y))
        except KinkInside:
            pass
        return res
    res.spectrum = spec
    zero_float = spec.loss <= zero_tol * (1.0 + float(y @ y))
    res.structure = structure_notes(params, n, zero_float)
    try:
        res.grad_norm_upper = norm_upper(gradient_enclosure(params, Xe, y))
        _saddle(res, params, Xe, y, spec.smallest_vector, gradient_tol)
    except KinkInside as exc:
        res.reason = f"the loss is not proved smooth at theta: {exc}"
        return res
    if res.status == UNDECIDED and zero_float and P > n:
        _zero_loss(res, params, X, y, normalize)
    elif res.status == UNDECIDED and spec.values[0] > 0:
        if _homogeneous_relu(params):
            res.reason = "no strict local minimum can exist (ReLU rescaling symmetry; see structure)"
        elif P > dense_limit:
            res.reason = (f"the strict-local-minimum step needs the dense P x P Hessian; P = {P} exceeds its limit "
                          f"{dense_limit} (smallest Ritz value {spec.values[0]:.3g}, float)")
        else:
            _local_minimum(res, params, X, Xe, y, float(spec.values[0]), normalize, gradient_tol)
    if res.status == UNDECIDED and not res.reason:
        res.reason = _shortfall(res, spec)
    return res


def _shortfall(res: CriticalPointResult, spec: RitzSpectrum) -> str:
    q = res.direction_value
    parts = [f"smallest Ritz value {spec.values[0]:.3g} (float)"]
    if q is not None:
        parts.append(f"curvature along v in [{float(q.lo):.3g}, {float(q.hi):.3g}]")
    for a in res.attempts:
        if a.get("test") == "Hessian on the ball":
            parts.append(f"ball {a['radius']:.3g}: {a['outcome']}")
    return "; ".join(parts)


# ---------------------------------------------------------------- re-proving a recorded answer
def reprove_critical_point(params: Parameters, X, y, *, normalize: bool, direction, claim: str,
                           radius: float | None = None, center=None,
                           gradient_tol: float = 1e-3) -> CriticalPointResult:
    """The rigorous part of :func:`certify_critical_point` at a recorded point, without the float
    search (what `certify check` runs; docs/critical_points_networks.md, "Checking a
    critical-point certificate").

    ``direction``: the recorded vector v (or None): the gradient bound, the loss enclosure and the
    curvature quotient along v are recomputed and the saddle statuses re-decided exactly as the
    producer decides them (step 3 of the module docstring). ``claim``: the status to re-prove
    (for a ``conditional`` answer, the status it holds if its premises do); it chooses the test
    that follows an undecided saddle test, as the float search chose it for the producer:
    ``zero-loss`` runs the instance certificate, ``strict-local-minimum`` the Hessian on the ball
    of the recorded ``radius`` around the recorded ``center = (center_params, correction)`` (the
    refined point; the classified point itself when None) (step 4). Any other claim runs the
    saddle test only. ``X`` (n, d) stored inputs, ``y`` (n,); ValueError when v is not a finite
    vector of length P or the correction is malformed."""
    return _timed_with_premises(_reprove, params, X, y, normalize, direction, claim, radius, center, gradient_tol)


def checked_direction(direction, P: int) -> np.ndarray | None:
    """The recorded direction as a float64 vector (None stays None); ValueError unless it is a
    finite nonzero vector of length P."""
    if direction is None:
        return None
    v = np.asarray(direction, dtype=np.float64)
    if v.shape != (P,) or not np.isfinite(v).all() or not np.any(v):
        raise ValueError(f"the direction v must be a finite nonzero vector of length P = {P} (got shape {v.shape})")
    return v


def _reprove(params, X, y, normalize, direction, claim, radius, center, gradient_tol) -> CriticalPointResult:
    X, y, Xe = _inputs(params, X, y, normalize)
    n, P = X.shape[0], params.architecture.parameter_count
    v = checked_direction(direction, P)
    res = CriticalPointResult(UNDECIDED, "", P, n, normalized=normalize)
    try:
        res.grad_norm_upper = norm_upper(gradient_enclosure(params, Xe, y))
        if v is not None:
            _saddle(res, params, Xe, y, v, gradient_tol)
    except KinkInside as exc:
        res.reason = f"the loss is not proved smooth at theta: {exc}"
        return res
    if res.status == UNDECIDED and claim == ZERO_LOSS:
        _zero_loss(res, params, X, y, normalize)
    elif res.status == UNDECIDED and claim == STRICT_LOCAL_MINIMUM:
        blocker = _ball_blocker(params, radius)
        if blocker is None:
            res.center = _recorded_center(params, center, X, y, normalize)
            ball_test(res, res.center, Xe, y, float(radius))
        res.reason = res.reason or blocker or ""
    if res.status == UNDECIDED and not res.reason:
        res.reason = _not_reproved(res)
    return res


def _not_reproved(res: CriticalPointResult) -> str:
    """The figures that fell short, for an undecided re-proof."""
    q = res.direction_value
    parts = [] if q is None else [f"curvature along v in [{float(q.lo):.3g}, {float(q.hi):.3g}]"]
    parts += [f"{a['test']}: {a['outcome']}" for a in res.attempts if "outcome" in a]
    return "; ".join(parts) or "no direction recorded"


def _recorded_center(params: Parameters, center, X, y, normalize: bool):
    from numerics.curvature.newton_refinement import center_at

    hi, lo = center if center is not None else (params, np.zeros(params.architecture.parameter_count))
    return center_at(hi, lo, params.flatten(), X, y, normalize=normalize)


def _ball_blocker(params: Parameters, radius) -> str | None:
    """Why the ball test cannot run (None when it can)."""
    if radius is None or not radius > 0:
        return "no positive ball radius recorded"
    if _homogeneous_relu(params):
        return "no strict local minimum can exist (ReLU rescaling symmetry; see structure)"
    return None


def ball_test(res: CriticalPointResult, center, Xe, y, rho: float) -> bool:
    """Step 4 of the module docstring at one radius ``rho`` around the refined ``center``
    (:class:`~numerics.curvature.newton_refinement.RefinedPoint`: ``center.params + correction``):
    ``lambda_min(hess L) >= gamma`` on ``B(center.params, rho + ||correction||)``, which contains
    ``B(center, rho)``, and :func:`minimizer_in_ball` at the center. On success ``res`` becomes a
    strict local minimum with its bounds: the distance from the classified point (the center's
    move plus ``g / gamma``) and the loss (the center's, lowered by ``g^2 / (2 gamma)``). The
    attempt is appended to ``res.attempts`` either way. A network the ball enclosure does not
    handle (ValueError) is an attempt that failed."""
    from numerics.curvature.ball_hessian import split_ball_hessian
    from numerics.linalg.spectral import EIGENSOLVER_FAILED, lambda_min_enclosure

    outer = float(ub.add(rho, center.correction_norm))
    try:
        split = split_ball_hessian(center.params, Xe, y, outer)
    except (KinkInside, ValueError) as exc:
        res.attempts.append({"test": "Hessian on the ball", "radius": outer, "outcome": str(exc)})
        return False
    enc = lambda_min_enclosure(split.core, rel_tol=1e-3, backend="numpy", max_precision_bits=53)
    gamma = round_down_fraction(Fraction(enc.lo) - Fraction(split.deviation))
    proof = minimizer_in_ball(center.grad_norm_upper, max(gamma, 0.0), rho)
    res.attempts.append({"test": "Hessian on the ball", "radius": outer, "lambda_min": [gamma, enc.hi],
                         "core_lambda_min": [enc.lo, enc.hi], "deviation": split.deviation,
                         "outcome": proof.reason if EIGENSOLVER_FAILED not in enc.method
                         else f"{proof.reason} ({enc.method})"})
    if not proof.holds:
        return False
    res.status, res.reason = STRICT_LOCAL_MINIMUM, proof.reason
    res.lambda_min, res.radius = (gamma, enc.hi), rho
    res.critical_point_distance = float(ub.add(center.moved, proof.distance))
    loss = center.enclosure.loss
    lo = round_down_fraction(Fraction(float(loss.lo)) - Fraction(proof.loss_drop))
    res.loss = Interval(max(lo, 0.0), float(loss.hi))
    res.loss_positive = lo > 0
    return True
