"""Instance certificate `deep-global-minimizer-nearby`: an exact zero-loss global minimizer lies
within a certified distance of one concrete deep fully connected network or ResNet.

The deep counterpart of :mod:`proofs.lazy_global_minimizer`. The talk's deep result (Du, Lee, Li,
Wang, Zhai, arXiv:1811.03804v4, Thms 5.1/6.1) proves, with probability 1 - delta over the
initialization and for widths m = Omega(n^4 H^2 ...), that GD reaches zero loss; here the
existence of a zero-loss point next to the given weights is proved deterministically by
:mod:`numerics.instance.deep_minimizer`: ``G(alpha) = u(theta~ + Jhat^T alpha) - y`` has a zero in
``||alpha|| <= r`` by the simplified-Newton test (a verified ``lambda_min`` of the finite-width
NTK Gram ``K~ = Jhat Jhat^T``, a rigorous residual, a rigorous bound of ``DG - K~`` over the ball,
and, for ReLU, every activation sign proved constant on the ball). The scalar step of the test
is re-checked by sympy below; the hypotheses are decided on the instance
(docs/deep_instance_certificate.md).

Weights come from ``instance.cache["deep_weights"]`` (``{"params", "params0", "point"}``, set by
``certify instance``).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from proofs.core import (Check, Citation, Constant, Derivation, Eq, Hypothesis, InstanceData, Le, Lt,
                         Quantity, Step, StructuralResult, Theorem)

n = sp.Symbol("n", positive=True, integer=True)
m = sp.Symbol("m", positive=True)
H = sp.Symbol("H", positive=True, integer=True)
lam = sp.Symbol("lambda_min_K", positive=True)
eps = sp.Symbol("eps", nonnegative=True)
delta = sp.Symbol("delta_dev", nonnegative=True)
r = sp.Symbol("r", positive=True)
q = sp.Symbol("q", nonnegative=True)
D = sp.Symbol("D_max_neuron", nonnegative=True)
t = sp.Symbol("t", positive=True)
s_ = sp.Symbol("s", positive=True)
_u = sp.Symbol("u", nonnegative=True)
_v = sp.Symbol("v", nonnegative=True)

CACHE_KEY = "deep_minimizer"
WEIGHTS_KEY = "deep_weights"


def deep_result(instance: InstanceData):
    """The :class:`numerics.instance.deep_minimizer.DeepMinimizerResult` (cached), or None."""
    if CACHE_KEY in instance.cache:
        return instance.cache[CACHE_KEY]
    from numerics.instance.deep_minimizer import certify_deep_minimizer

    w = instance.cache.get(WEIGHTS_KEY)
    if w is None:
        instance.cache[CACHE_KEY] = None
        return None
    res = certify_deep_minimizer(w["params"], instance.X, instance.y, w.get("params0"))
    instance.cache[CACHE_KEY] = res
    return res


def _iv(x) -> dict:
    return {"lo": repr(float(x.lo)), "hi": repr(float(x.hi))}


def _undecided_no_weights() -> StructuralResult:
    return StructuralResult(Verdict.UNDECIDED, "not evaluated", {},
                            "no network: use `certify instance` (search from the initialization, or --weights)")


def _network(instance: InstanceData) -> StructuralResult:
    res = deep_result(instance)
    if res is None:
        return _undecided_no_weights()
    point = instance.cache[WEIGHTS_KEY].get("point", "given")
    return StructuralResult(Verdict.HOLDS, "exact check of layer names, shapes and finiteness (numerics.networks)",
                            {"kind": res.kind, "depth": res.depth, "m": res.width, "n": res.n,
                             "P": res.parameter_count, "point": point})


def _parameters(instance: InstanceData) -> StructuralResult:
    res = deep_result(instance)
    if res is None:
        return _undecided_no_weights()
    ev = {"P": res.parameter_count, "n": res.n}
    method = "exact integer comparison (rank K~ <= P)"
    if res.parameter_count < res.n:
        return StructuralResult(Verdict.FAILS, method, ev, f"P = {res.parameter_count} < n = {res.n}")
    return StructuralResult(Verdict.HOLDS, method, ev)


def _gram(instance: InstanceData) -> StructuralResult:
    res = deep_result(instance)
    if res is None:
        return _undecided_no_weights()
    method = ("K~ = Jhat Jhat^T enclosed from the float factors (a-priori product bounds); lambda_min by "
              "Rump's Cholesky test / Temple (numerics.linalg.spectral)")
    if res.lambda_min is None:
        return StructuralResult(Verdict.UNDECIDED, method, {}, res.reason)
    ev = {"lambda_min_K": _iv(res.lambda_min), "method": res.lambda_min_method}
    if float(res.lambda_min.lo) > 0:
        return StructuralResult(Verdict.HOLDS, method, ev)
    return StructuralResult(Verdict.UNDECIDED, method, ev, "lambda_min(K~) is not proved positive")


def _signs(instance: InstanceData) -> StructuralResult:
    res = deep_result(instance)
    if res is None:
        return _undecided_no_weights()
    method = ("float reference pass with one-layer rounding bounds; norm-wise deviation bounds over the ball "
              "(numerics.networks.deviation_bounds); |deviation| < |z| entry by entry")
    ratios = {L.name: None if L.margin_ratio is None else repr(L.margin_ratio) for L in res.layers}
    ev = {"margin_ratio_per_layer": ratios}
    if not res.attempts:
        return StructuralResult(Verdict.UNDECIDED, method, ev, res.reason)
    best = res.attempts[-1] if not res.certified else next(a for a in res.attempts if a["outcome"] == "holds")
    if best["signs_proved"]:
        return StructuralResult(Verdict.HOLDS, method, ev)
    if res.layers and instance.cache[WEIGHTS_KEY]["params"].architecture.activation != "relu":
        return StructuralResult(Verdict.HOLDS, "smooth activation: no sign condition", ev)
    return StructuralResult(Verdict.UNDECIDED, method, ev, "an activation sign is not proved on the ball")


def _contraction(instance: InstanceData) -> StructuralResult:
    res = deep_result(instance)
    if res is None:
        return _undecided_no_weights()
    method = ("simplified Newton (numerics.linalg.newton_kantorovich): deviation < lambda and "
              "eps <= r (lambda - deviation), decided in exact rational arithmetic")
    ev = {"radius": None if res.radius is None else repr(res.radius),
          "deviation": None if res.deviation is None else repr(res.deviation),
          "contraction": None if res.contraction is None else repr(res.contraction),
          "residual_norm": None if res.residual_norm is None else _iv(res.residual_norm)}
    if res.certified:
        return StructuralResult(Verdict.HOLDS, method, ev)
    return StructuralResult(Verdict.UNDECIDED, method, ev, res.reason)


def _quantity(get):
    def compute(instance: InstanceData) -> Interval:
        res = deep_result(instance)
        val = get(res) if res is not None else None
        return val if val is not None else Interval(0.0, np.inf)
    return compute


def _upper(field: str):
    def get(res):
        v = getattr(res, field)
        return None if v is None else Interval(0.0, float(v))
    return get


_STEPS = (
    Step("T(alpha) = alpha - M^-1 G(alpha): DT = M^-1 (M - DG), so ||DT|| <= ||M^-1|| ||M - DG|| (a "
         "submultiplicative norm) <= (1/lambda) delta = q; sympy checks the scalar bound with ||M^-1|| = "
         "1/(lambda (1 + u)) <= 1/lambda (lambda_min(M) >= lambda) and ||M - DG|| = delta/(1 + v) <= delta",
         Le(sp.Symbol("norm_M_inv", nonnegative=True) * sp.Symbol("norm_M_minus_DG", nonnegative=True), q),
         Check.SYMPY, "docs/deep_instance_certificate.md, The zero",
         substitution=[(sp.Symbol("norm_M_inv", nonnegative=True), 1 / (lam * (1 + _u))),
                       (sp.Symbol("norm_M_minus_DG", nonnegative=True), delta / (1 + _v)), (q, delta / lam)]),
    Step("self-map: ||T(alpha)|| <= q r + eps/lambda <= r when delta < lambda and eps <= r (lambda - delta) "
         "(written eps = r (lambda - delta)/(1 + t), delta = lambda/(1 + s) with s, t > 0)",
         Le(q * r + eps / lam, r), Check.SYMPY, "mean value inequality on the convex ball",
         substitution=[(q, delta / lam), (eps, r * (lam - delta) / (1 + t)), (delta, lam / (1 + s_))]),
    Step("contraction: q < 1 when delta < lambda (delta = lambda/(1 + t))",
         Lt(delta / lam, 1), Check.SYMPY, "Banach fixed point theorem", substitution={delta: lam / (1 + t)}),
    Step("the fixed point alpha* has G(alpha*) = 0, so u(theta*) = y: the loss 1/2 ||u - y||^2 is 0, its least "
         "possible value; theta* = theta~ + Jhat^T alpha* is a global minimizer",
         Eq(sp.Symbol("L_theta_star"), 0), Check.CITED, "definition of the loss (1811.03804 eq. 1)"),
    Step("distances: ||theta* - theta~|| <= r ||Jhat||_2, per layer ||Delta W^(h)||_F <= r ||Jhat_h||_2; "
         "sqrt(m) max_r ||w*_r - w_r(0)|| is the lazy-training constant",
         Eq(sp.Symbol("sqrt_m_D"), sp.sqrt(m) * D), Check.CITED,
         "1811.03804 Lemmas B.4/C.4 (movement O(1/sqrt m) per neuron)"),
)

SQRT_M_DISTANCE = Constant(
    name="sqrt_m_distance", symbol=sp.Symbol("sqrt_m_D"), expr=sp.sqrt(m) * D,
    description="sqrt(m) times the largest per-neuron distance of the zero-loss minimizer from the "
                "initialization, over the hidden layers (the lazy-training constant)",
    derivation=Derivation(_STEPS),
)


def _max_neuron(res):
    vals = [L.distance_from_init_max_neuron for L in res.layers if L.name != "a"
            and L.distance_from_init_max_neuron is not None]
    if not vals:
        return None
    return Interval(max(float(v.lo) for v in vals), max(float(v.hi) for v in vals))


QUANTITIES = (
    Quantity("D_max_neuron", D, "max over hidden layers and neurons of ||w*_r - w_r(0)||",
             "interval norms of W~ - W0 widened by the per-neuron correction bound", compute=_quantity(_max_neuron)),
    Quantity("lambda_min_K", lam, "lambda_min(K~) of the float-factor NTK Gram at theta~",
             "verified spectral bounds (numerics.linalg.spectral)", compute=_quantity(lambda res: res.lambda_min)),
    Quantity("eps", eps, "||y - u(theta~)||", "reference pass + deviation bounds",
             compute=_quantity(lambda res: res.residual_norm)),
    Quantity("r", r, "radius of the ball in alpha that holds the zero", "simplified Newton",
             compute=_quantity(_upper("radius"))),
)

THEOREM = Theorem(
    id="deep-global-minimizer-nearby",
    title="An exact zero-loss global minimizer lies next to this deep fully connected network or ResNet",
    citation=Citation(
        authors="S. S. Du, J. D. Lee, H. Li, L. Wang, X. Zhai",
        title="Gradient Descent Finds Global Minima of Deep Neural Networks",
        venue="ICML 2019", arxiv="1811.03804v4", result="idea of Thms 5.1/6.1 (lazy training, NTK Gram)",
        note="instance certificate: the proof is the rigorous computation for the given weights "
             "(numerics.instance.deep_minimizer), not the paper's probabilistic argument"),
    parameters=(n, m, H),
    quantities=QUANTITIES,
    hypotheses=(
        Hypothesis("network", "a network is given: every layer finite and of the right shape", predicate=_network),
        Hypothesis("parameter-count", "P >= n (rank K~ <= P)", predicate=_parameters, latex=r"P \ge n"),
        Hypothesis("ntk-gram-positive", "lambda_min(K~) > 0 for K~ = Jhat Jhat^T at theta~", predicate=_gram,
                   latex=r"\lambda_{\min}(\tilde K) > 0"),
        Hypothesis("signs-fixed", "every activation sign of every layer is constant on the ball (ReLU)",
                   predicate=_signs, latex=r"\mathrm{sign}\, z^{(h)}_{ir}\ \text{constant on}\ B"),
        Hypothesis("contraction", "sup_B ||DG - K~|| < lambda and ||G(0)|| <= r (lambda - sup_B ||DG - K~||)",
                   predicate=_contraction, latex=r"\varepsilon \le r(\lambda - \delta),\ \delta < \lambda"),
    ),
    constants=(SQRT_M_DISTANCE,),
    conclusion="theta* = theta~ + Jhat^T alpha* with ||alpha*|| <= r satisfies u(theta*) = y exactly (zero "
               "loss, a global minimizer); per-layer distances from theta~ and from the initialization as "
               "reported",
    conclusion_latex=r"\exists \theta^*:\ L(\theta^*) = 0,\ \|\theta^* - \tilde\theta\| \le r\,\|\hat J\|_2",
    observables=("certified width vs theorem width", "sqrt(m) D across widths"),
    notes=("Deterministic: no probability; certifies the given weights only.",
           "Jhat is the Jacobian at theta~ from the float factors ghat^(h)_i xhat^(h-1)_i^T (exact floats)."),
    family="deep",
)

THEOREMS = (THEOREM,)
