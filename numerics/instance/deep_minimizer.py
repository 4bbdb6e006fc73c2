"""Instance certificates for deep networks: an exact zero-loss global minimizer next to a given
deep fully connected net or ResNet (also two-layer nets, the same argument at depth 1).

Model (Du, Lee, Li, Wang, Zhai, arXiv:1811.03804v4 Sec. 3.3; ``docs/networks.md``): ``u_i(theta)``
the outputs on the exactly normalized inputs ``x_i = v_i / ||v_i||``, loss
``1/2 sum_i (u_i - y_i)^2``. Given float parameters ``theta~`` (e.g. from the Gauss-Newton search
of :mod:`numerics.instance.deep_gauss_newton`) this module tries to prove:

    there is ``alpha*`` with ``||alpha*|| <= r`` such that ``theta* = theta~ + Jhat^T alpha*``
    has ``u(theta*) = y`` exactly: zero loss, hence a global minimizer.

``Jhat`` is the Jacobian at ``theta~`` as computed in float: its row i has the blocks
``ghat^(h)_i (xhat^(h-1)_i)^T`` (trained hidden layers) and ``xhat^(H)_i`` (trained output), from
the float reference pass (:mod:`numerics.networks.reference_pass`); it is a matrix of exact
floats, so the correction direction is explicit. The argument (``docs/deep_instance_certificate.md``):

1. ``G(alpha) = u(theta~ + Jhat^T alpha) - y``; ``M = K~ = Jhat Jhat^T`` (the finite-width NTK
   Gram at theta~ from the float factors), enclosed with a-priori product bounds; a verified
   lower bound ``lambda <= lambda_min(K~)`` (Rump's Cholesky test,
   :func:`numerics.linalg.spectral.lambda_min_enclosure`);
2. ``eps >= ||G(0)|| = ||y - u(theta~)||`` from the reference pass and the deviation bounds at
   the point (:mod:`numerics.networks.deviation_bounds`);
3. on the ball ``||alpha|| <= r``: ``||Delta W^(h)||_F <= r ||Jhat_h||_2``, per neuron
   ``||Delta w_r|| <= r sqrt(sum_i ghat_ir^2 ||xhat_i||^2)``, and first-order terms
   ``|Delta w_r . xhat_j| <= r sqrt(sum_i ghat_ir^2 (xhat_i . xhat_j)^2)``; the deviation bounds
   then prove that no pre-activation of any layer changes sign (ReLU), and bound
   ``||J(theta) - Jhat||_F`` over the ball, so ``||DG(alpha) - M|| <= delta(r) =
   ||J(theta) - Jhat||_F ||Jhat||_2`` (``DG(alpha) = J(theta~ + Jhat^T alpha) Jhat^T``);
4. the simplified-Newton test (:func:`numerics.linalg.newton_kantorovich.simplified_newton_zero`):
   ``delta(r) < lambda`` and ``eps <= r (lambda - delta(r))`` give the zero.

Every bound is computed with upward rounding from enclosures; no float result decides. The
distances reported (per layer, from theta~ and from the initialization) follow from
``||alpha*|| <= r``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from numerics.arith import upper_bounds as ub
from numerics.arith.interval import Interval
from numerics.arith.interval import sqrt as isqrt
from numerics.arith.rounding import down
from numerics.arith.verdict import Verdict
from numerics.networks.deviation_bounds import (Deviations, WeightDeviation, deviation_bounds,
                                                weight_norms)
from numerics.networks.parameters import Parameters
from numerics.networks.reference_pass import ReferencePass, reference_pass

CERTIFIED = "certified"
NOT_CERTIFIED = "not-certified"
RADIUS_FACTORS = (2.0, 1.25, 4.0)     # r = c eps / lambda, tried in this order


@dataclass(frozen=True, eq=False)
class GramFactors:
    """Enclosure of the float-factor NTK Gram ``K~ = Jhat Jhat^T`` and what the ball needs: per
    trained layer an upper bound of ``||Jhat_h||_2`` and of ``|xhat_i . xhat_j|`` (the inputs of
    that layer)."""

    gram: Interval                                  # K~ (n, n), symmetric endpoints
    layer_norms: dict                               # name -> float >= ||Jhat_h||_2
    input_grams: dict                               # name -> (n, n) upper bound of |x_i . x_j|


@dataclass
class LayerReport:
    """Per-layer facts of a certified (or attempted) minimizer; intervals are rigorous."""

    name: str
    min_margin: float | None          # lower bound of min |z^(h)| over the ball (None: no pre-activations)
    margin_ratio: float | None        # upper bound of max movement / |zhat|
    correction_frobenius: float       # >= ||W*^(h) - W~^(h)||_F
    correction_max_neuron: float      # >= max_r ||w*_r - w~_r||
    distance_from_init: Interval | None = None            # ||W*^(h) - W0^(h)||_F
    distance_from_init_max_neuron: Interval | None = None  # max_r ||w*_r - w0_r||
    sqrt_m_distance_max_neuron: Interval | None = None


@dataclass
class DeepMinimizerResult:
    """Outcome of :func:`certify_deep_minimizer`.

    ``status == "certified"``: proved that a real ``theta* = theta~ + Jhat^T alpha*`` with
    ``||alpha*|| <= radius`` has zero loss, with the distances of ``layers``. Otherwise nothing is
    claimed and ``reason`` says which condition was not proved.
    """

    status: str
    reason: str
    n: int
    kind: str
    depth: int
    width: int
    parameter_count: int
    residual_norm: Interval | None = None       # ||y - u(theta~)||
    lambda_min: Interval | None = None          # lambda_min(K~)
    lambda_min_method: str = ""
    jacobian_norm: float | None = None          # >= ||Jhat||_2
    radius: float | None = None                 # ball in alpha
    deviation: float | None = None              # >= sup ||DG - K~|| over the ball
    contraction: float | None = None            # >= deviation / lambda
    parameter_distance: float | None = None     # >= ||theta* - theta~||
    layers: list[LayerReport] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def certified(self) -> bool:
        return self.status == CERTIFIED


# ------------------------------------------------------------------------ the Gram K~
def _symmetric(A: Interval) -> Interval:
    return Interval._raw(np.maximum(A.lo, A.lo.T), np.minimum(A.hi, A.hi.T))


def gram_factors(ref: ReferencePass) -> GramFactors:
    """``K~ = sum_h (Ghat_h Ghat_h^T) o (Xhat_{h-1} Xhat_{h-1}^T) [+ Xhat_H Xhat_H^T]`` over the
    trained layers (docs/deep_instance_certificate.md, "The Gram matrix").

    Two float products per layer. Their a-priori errors ``|fl(f_i . f_j) - f_i . f_j| <=
    c1 |f_i| . |f_j| + c2 <= c1 ||f_i|| ||f_j|| + c2`` (Cauchy-Schwarz), the rounding of the
    entrywise products and of the sum over layers are all bounded by ``c w_i w_j + const`` with
    ``w_i = ||ghat_i|| ||xhat_i||``: the radius of the enclosure is a sum of rank-one matrices."""
    from numerics.arith.products import _product_constants

    arch = ref.architecture
    n = ref.outputs.shape[0]
    terms = []                                       # (name, xhat, ghat or None)
    for h, name in enumerate(arch.hidden_names, start=1):
        if name in arch.trained_names:
            terms.append((name, ref.layer_input(h), ref.gradients[h - 1]))
    if arch.train_output:
        terms.append(("a", ref.features[-1], None))
    k = len(terms)
    g_k = float(ub.add(ub.mul(k, 2.0 ** -53), 2.0 ** -60))     # >= gamma_k for the sum of k terms
    mid = np.zeros((n, n))
    rank_one, absolute = [], 0.0
    layer_norms, input_grams = {}, {}
    for name, X, G in terms:
        c1x, c2x = _product_constants(X.shape[1])
        XX = X @ X.T
        xn = ub.norm(X, axis=1)
        input_grams[name] = ub.add(np.abs(XX), ub.mul(c1x, ub.mul(xn[:, None], xn[None, :])), c2x)
        if G is None:
            P, w, rel, ab = XX, xn, c1x, c2x
            rows = ub.total(input_grams[name], axis=1)
        else:
            c1g, c2g = _product_constants(G.shape[1])
            GG = G @ G.T
            gn = ub.norm(G, axis=1)
            P = GG * XX
            w = ub.mul(gn, xn)
            # |GG XX - gg xx| <= |GG| eX + eG |XX| + eG eX, |GG| <= gn gn^T, |XX| <= xn xn^T
            rel = float(ub.add(c1x, c1g, ub.mul(c1x, c1g), 2.0 ** -52))
            gmax2, xmax2 = ub.square(float(gn.max(initial=0))), ub.square(float(xn.max(initial=0)))
            ab = float(ub.mul(ub.add(ub.mul(ub.mul(c2x, gmax2), ub.add(1.0, c1g)),
                                     ub.mul(ub.mul(c2g, xmax2), ub.add(1.0, c1x)),
                                     ub.mul(ub.mul(c2x, c2g), 2.0), 2.0 ** -1074), 1.0 + 2.0 ** -50))
            rows = ub.add(ub.total(np.abs(P), axis=1), ub.mul(ub.mul(rel, w), ub.total(w)), ub.mul(n, ab))
        trace = ub.total(ub.square(w))
        layer_norms[name] = float(ub.sqrt(min(float(trace), float(rows.max(initial=0.0)))))
        mid += P
        rank_one.append((float(ub.add(rel, ub.mul(g_k, ub.add(1.0, rel)))), w))
        absolute = float(ub.add(absolute, ub.mul(ub.add(1.0, g_k), ab)))
    W = np.stack([w for _, w in rank_one], axis=1)                     # (n, k)
    c = np.array([cc for cc, _ in rank_one])
    R = ub.add(ub.matmul(ub.mul(W, c[None, :]), W.T), absolute)
    gram = Interval._raw(ub.below(mid - R), ub.above(mid + R))
    return GramFactors(_symmetric(gram), layer_norms, input_grams)


def norm_bound(K: Interval) -> float:
    """Upper bound of ``sqrt(lambda_max(K))`` for a PSD matrix in ``K``: the smaller of the
    trace and the largest absolute row sum (Gershgorin)."""
    mag = K.mag()
    trace = float(ub.total(np.abs(np.diag(K.hi))))
    rows = float(ub.total(mag, axis=1).max(initial=0.0))
    return float(ub.sqrt(min(trace, rows)))


# ------------------------------------------------------------------------ the ball
@dataclass(frozen=True, eq=False)
class UnitBall:
    """Weight-change bounds for ``||alpha|| <= 1`` (they scale linearly with the radius)."""

    layer_norm: dict            # name -> >= ||Jhat_h||_2
    neuron_norm: dict           # name -> (m,)
    first_order: dict           # name -> (n, m)
    output_first_order: np.ndarray | None


def unit_ball(ref: ReferencePass, gf: GramFactors) -> UnitBall:
    """Bounds of ``Delta W^(h) = sum_i alpha_i ghat_i xhat_i^T`` and ``Delta a = sum_i alpha_i
    xhat^(H)_i`` for ``||alpha|| <= 1`` (Cauchy-Schwarz; module docstring, step 3)."""
    arch = ref.architecture
    lnorm, nnorm, first = {}, {}, {}
    for h, name in enumerate(arch.hidden_names, start=1):
        if name not in arch.trained_names:
            continue
        X = ref.layer_input(h)
        g2 = ub.square(np.abs(ref.gradients[h - 1]))            # (n, m)
        x2 = ub.square(ub.norm(X, axis=1))                        # (n,)
        lnorm[name] = gf.layer_norms[name]
        nnorm[name] = ub.sqrt(ub.matmul(x2[None, :], g2)[0])      # (m,)
        c2 = ub.square(gf.input_grams[name])                      # (x_i . x_j)^2
        first[name] = ub.sqrt(ub.matmul(c2, g2))                  # (n, m)
    out_first = None
    if arch.train_output:
        lnorm["a"] = gf.layer_norms["a"]
        out_first = ub.sqrt(ub.total(ub.square(gf.input_grams["a"]), axis=1))
    return UnitBall(lnorm, nnorm, first, out_first)


def ball_deviation(ref: ReferencePass, unit: UnitBall, r: float) -> WeightDeviation:
    """The :class:`WeightDeviation` of ``{theta~ + Jhat^T alpha : ||alpha|| <= r}``."""
    arch = ref.architecture
    n, m = ref.outputs.shape[0], arch.width
    ln, nn, fo = [], [], []
    for name in arch.hidden_names:
        if name in unit.layer_norm:
            ln.append(float(ub.mul(r, unit.layer_norm[name])))
            nn.append(ub.mul(r, unit.neuron_norm[name]))
            fo.append(ub.mul(r, unit.first_order[name]))
        else:
            ln.append(0.0), nn.append(np.zeros(m)), fo.append(np.zeros((n, m)))
    if arch.train_output:
        return WeightDeviation(tuple(ln), tuple(nn), tuple(fo), float(ub.mul(r, unit.layer_norm["a"])),
                               ub.mul(r, unit.output_first_order))
    return WeightDeviation(tuple(ln), tuple(nn), tuple(fo), 0.0, np.zeros(n))


# ------------------------------------------------------------------------ validation
def check_inputs(X, y, params) -> tuple[np.ndarray, np.ndarray]:
    """float64 copies of ``X`` (n, d) and ``y`` (n,); ValueError naming the argument otherwise."""
    if not isinstance(params, Parameters):
        raise TypeError(f"params must be Parameters, got {type(params).__name__}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    d = params.architecture.input_dim
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] != d:
        raise ValueError(f"X: got shape {X.shape}; allowed: (n, {d}) with n >= 1")
    if not np.isfinite(X).all() or (np.abs(X).max(axis=1) == 0).any():
        raise ValueError("X: a row is zero or non-finite; allowed: finite nonzero rows")
    if y.shape != (X.shape[0],) or not np.isfinite(y).all():
        raise ValueError(f"y: got shape {y.shape}; allowed: ({X.shape[0]},) finite labels")
    return X, y


# ------------------------------------------------------------------------ the proof
def norm_enclosure(A: Interval, axis=None) -> Interval:
    """Enclosure of the Euclidean norm (along ``axis``) of every real array in ``A``."""
    absA = Interval._raw(A.mig(), A.mag())
    return isqrt((absA * absA).sum(axis=axis))


def _residual(ref: ReferencePass, y: np.ndarray, dev: Deviations) -> Interval:
    """Enclosure of ``||y - u(theta~)||``: ``|uhat_i - y_i|`` widened by ``dev.output[i]``."""
    diff = Interval(ref.outputs) - y
    lo = np.maximum(down(diff.mig() - dev.output), 0.0)
    return norm_enclosure(Interval(lo, ub.add(diff.mag(), dev.output)))


def _lambda(gram: Interval) -> tuple[Interval | None, str]:
    from numerics.linalg.spectral import lambda_min_enclosure

    try:
        enc = lambda_min_enclosure(gram, rel_tol=1e-6)
    except (ValueError, ArithmeticError) as exc:
        return None, f"not computed ({type(exc).__name__}: {exc})"
    return Interval(enc.lo, enc.hi), f"{enc.method} ({enc.backend}/{enc.precision_bits})"


def _try_radius(ref, unit, norms, E0, eps, lam, jnorm, r):
    from numerics.linalg.newton_kantorovich import simplified_newton_zero

    dev = deviation_bounds(ref, norms, ball_deviation(ref, unit, r), E0)
    delta = float(ub.mul(ub.norm(dev.jacobian_rows), jnorm))
    cert = simplified_newton_zero(eps, lam, delta, r)
    attempt = {"radius": repr(r), "signs_proved": dev.all_signs_proved,
               "margin_ratio": repr(dev.margin_ratio(ref)), "deviation": repr(delta),
               "contraction": None if cert.contraction is None else repr(cert.contraction),
               "outcome": cert.verdict.value if cert.verdict is Verdict.HOLDS else cert.reason}
    if ref.architecture.activation == "relu" and not dev.all_signs_proved:
        attempt["outcome"] = "an activation sign is not proved on the ball"
    return dev, cert, attempt


def certify_deep_minimizer(params: Parameters, X, y, params0: Parameters | None = None) -> DeepMinimizerResult:
    """Try to prove that a zero-loss global minimizer lies next to ``params`` (module docstring).

    ``X`` (n, d) stored inputs (normalized exactly inside); ``y`` (n,); ``params0``: the
    initialization the distances are measured from (default ``params``).
    """
    from numerics.kernels.two_layer import normalize_rows

    t0 = time.perf_counter()
    X, y = check_inputs(X, y, params)
    arch = params.architecture
    if params0 is not None and params0.architecture != arch:
        raise ValueError("params0: a different architecture than params; allowed: the same")
    res = DeepMinimizerResult(NOT_CERTIFIED, "", X.shape[0], arch.kind, arch.depth, arch.width,
                              arch.parameter_count)
    Xn = normalize_rows(X)
    E0 = ub.norm(Xn.rad(), axis=1)
    ref = reference_pass(params, Xn.mid())
    norms = weight_norms(params)
    point = deviation_bounds(ref, norms, WeightDeviation.zero(ref), E0)
    res.residual_norm = _residual(ref, y, point)
    done = lambda reason: _finish(res, reason, t0)   # noqa: E731
    if arch.parameter_count < X.shape[0]:
        return done(f"P = {arch.parameter_count} < n = {X.shape[0]}: the Jacobian has rank < n, "
                    "the NTK Gram is singular")
    gf = gram_factors(ref)
    res.lambda_min, res.lambda_min_method = _lambda(gf.gram)
    if res.lambda_min is None or not float(res.lambda_min.lo) > 0:
        from numerics.linalg.spectral import EIGENSOLVER_FAILED

        if EIGENSOLVER_FAILED in res.lambda_min_method:
            return done(f"lambda_min(K~) is not proved positive: {res.lambda_min_method}")
        return done("lambda_min(K~) is not proved positive (duplicate or contradictory inputs, "
                    "or too few parameters)")
    lam, eps = float(res.lambda_min.lo), float(res.residual_norm.hi)
    jnorm = norm_bound(gf.gram)
    res.jacobian_norm = jnorm
    unit = unit_ball(ref, gf)
    best = None
    for c in RADIUS_FACTORS:
        r = float(ub.mul(c, ub.div(eps, lam)))
        dev, cert, attempt = _try_radius(ref, unit, norms, E0, eps, lam, jnorm, r)
        res.attempts.append(attempt)
        ok = cert.verdict is Verdict.HOLDS and (arch.activation != "relu" or dev.all_signs_proved)
        if best is None or ok:
            best = (r, dev, cert, ok)
        if ok:
            break
    r, dev, cert, ok = best
    res.radius, res.deviation, res.contraction = r, cert.deviation, cert.contraction
    res.parameter_distance = float(ub.mul(r, jnorm))
    res.layers = _layer_reports(ref, unit, dev, r, params, params0 or params)
    if not ok:
        return done(res.attempts[0]["outcome"])
    res.status = CERTIFIED
    return done("simplified Newton on the least-norm correction: a unique zero in the ball")


def _finish(res: DeepMinimizerResult, reason: str, t0: float) -> DeepMinimizerResult:
    res.reason = reason
    res.seconds = time.perf_counter() - t0
    return res


# ------------------------------------------------------------------------ distances
def _shift(x: Interval, by) -> Interval:
    """``[max(lo - by, 0), hi + by]`` (a distance that may change by at most ``by``)."""
    return Interval(np.maximum(down(x.lo - by), 0.0), ub.add(x.hi, by))


def _layer_reports(ref, unit, dev, r, params, params0) -> list[LayerReport]:
    arch = params.architecture
    out = []
    sqrt_m = isqrt(Interval(float(arch.width)))
    for h, name in enumerate(arch.layer_names, start=1):
        trained = name in arch.trained_names
        if name == "a":
            corr = float(ub.mul(r, unit.layer_norm["a"])) if trained else 0.0
            rep = LayerReport("a", None, None, corr, corr)
            diff = Interval(params["a"]) - params0["a"]
            rep.distance_from_init = _shift(norm_enclosure(diff), corr)
            rep.distance_from_init_max_neuron = rep.distance_from_init
            out.append(rep)
            continue
        z = ref.preactivations[h - 1]
        T = dev.preactivation[h - 1]
        margin = float(np.min(np.maximum(down(np.abs(z) - T), 0.0)))
        ratio = float(ub.div(T, np.abs(z)).max(initial=0.0))
        corr = float(ub.mul(r, unit.layer_norm[name])) if trained else 0.0
        neuron = ub.mul(r, unit.neuron_norm[name]) if trained else np.zeros(arch.width)
        rep = LayerReport(name, margin, ratio, corr, float(np.max(neuron, initial=0.0)))
        diff = Interval(params[name]) - params0[name]
        rep.distance_from_init = _shift(norm_enclosure(diff), corr)
        rows = norm_enclosure(diff, axis=1)
        moved = Interval(np.maximum(down(rows.lo - neuron), 0.0), ub.add(rows.hi, neuron))
        rep.distance_from_init_max_neuron = Interval(float(moved.lo.max()), float(moved.hi.max()))
        rep.sqrt_m_distance_max_neuron = rep.distance_from_init_max_neuron * sqrt_m
        out.append(rep)
    return out
