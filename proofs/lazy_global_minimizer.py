"""Instance certificate `lazy-global-minimizer-nearby`: an exact zero-loss global minimizer lies
within a certified distance of one concrete two-layer ReLU network.

The idea is the lazy-training argument of Du, Zhai, Poczos, Singh (arXiv:1810.02054v2, Lemmas
3.2-3.4): in a wide network each weight needs to move only O(1/sqrt m), too little to change
the activation patterns, and inside a fixed pattern region the predictions are linear in the
weights. Du et al. prove it with probability 1 - delta at very large widths; here it is proved
deterministically for the given weights by the computation in :mod:`numerics.instance.lazy_minimizer`
(margins, the stable Gram matrix ``H_S``, a verified solve for ``alpha = H_S^-1 (y - u)``, the
correction ``dW`` and the strict inequalities ``|dw_r . x_i| < |w_r . x_i|``, all on enclosures).
The algebra behind it is re-checked by sympy below; the hypotheses are decided on the instance.

The network and (optionally) its proof come as typed values on a :class:`LazyInstanceData`
(``network``: a :class:`TwoLayerPoint`; ``result``: the
:class:`~numerics.instance.lazy_minimizer.LazyMinimizerResult` already computed for it, as
``certify instance`` passes them); on a plain :class:`~proofs.core.InstanceData` the network is the
seeded initialization of the configuration (``params["m"]``, ``params["seed"]``, default seed 0).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from proofs.core import (Check, Citation, Constant, Derivation, Eq, Gt, Hypothesis, InstanceData, Lt,
                         Quantity, Step, StructuralResult, Theorem)

n = sp.Symbol("n", positive=True, integer=True)
m = sp.Symbol("m", positive=True)
d = sp.Symbol("d", positive=True, integer=True)
D = sp.Symbol("D_init", nonnegative=True)           # max_r ||w*_r - w_r(0)||
lam_S = sp.Symbol("lambda_min_HS", nonnegative=True)
corr = sp.Symbol("correction_max", nonnegative=True)
b = sp.Symbol("b", real=True)
c = sp.Symbol("c", positive=True)
s = sp.Symbol("s", positive=True)

@dataclass(frozen=True, eq=False)
class TwoLayerPoint:
    """A two-layer network to certify: first layer ``W`` (m, d), output signs ``a`` (m,) in
    {-1, +1}, initialization ``W0`` (distances are measured from it), and the point's name."""

    W: np.ndarray
    a: np.ndarray
    W0: np.ndarray
    point: str = "given"


@dataclass(eq=False)
class LazyInstanceData(InstanceData):
    """The instance of this theorem: data, parameters, the network and (when already computed)
    its proof result; with ``result`` None the proof runs on first use."""

    network: TwoLayerPoint | None = None
    result: object | None = None


_SEEDED = "lazy_minimizer_of_seeded_initialization"     # cache key of the plain-InstanceData path


# ------------------------------------------------------------------ the computation
def lazy_network(instance: InstanceData) -> TwoLayerPoint | None:
    """The network of the instance: the given one, or the seeded initialization (None without a
    width)."""
    if isinstance(instance, LazyInstanceData) and instance.network is not None:
        return instance.network
    width = instance.params.get("m")
    if width is None:
        return None
    from numerics.empirical.two_layer import init_two_layer

    X = np.asarray(instance.X, dtype=np.float64)
    W0, a = init_two_layer(int(instance.params.get("seed", 0) or 0), int(width), X.shape[1])
    return TwoLayerPoint(W0.numpy(), a.numpy(), W0.numpy(), "initialization")


def lazy_result(instance: InstanceData):
    """The :class:`numerics.instance.lazy_minimizer.LazyMinimizerResult` of the instance, or None
    when no network is available (no width given). Computed once per instance."""
    if isinstance(instance, LazyInstanceData):
        if instance.result is None and instance.network is not None:
            instance.result = _certify(instance, instance.network)
        if instance.result is not None:
            return instance.result
    if _SEEDED not in instance.cache:
        net = lazy_network(instance)
        instance.cache[_SEEDED] = (net, None if net is None else _certify(instance, net))
    return instance.cache[_SEEDED][1]


def _certify(instance: InstanceData, net: TwoLayerPoint):
    from numerics.instance.lazy_minimizer import certify_lazy_minimizer

    return certify_lazy_minimizer(instance.X, instance.y, net.W, net.a, net.W0)


def _point_name(instance: InstanceData) -> str:
    if isinstance(instance, LazyInstanceData) and instance.network is not None:
        return instance.network.point
    return "initialization"


def _whole_half_line() -> Interval:
    return Interval(0.0, np.inf)


def _quantity(field: str):
    def compute(instance: InstanceData) -> Interval:
        res = lazy_result(instance)
        val = getattr(res, field, None) if res is not None else None
        return val if val is not None else _whole_half_line()
    return compute


def _no_weights() -> StructuralResult:
    return StructuralResult(Verdict.UNDECIDED, "not evaluated", {},
                            "no network: give [model] width (seeded initialization) or use "
                            "`certify instance --weights FILE.npz`")


def _weights_ok(instance: InstanceData) -> StructuralResult:
    res = lazy_result(instance)
    if res is None:
        return _no_weights()
    point = _point_name(instance)
    return StructuralResult(Verdict.HOLDS, "exact check of shapes, finiteness and a_r in {-1, +1}",
                            {"m": res.m, "d": res.d, "n": res.n, "point": point})


def _rank(instance: InstanceData) -> StructuralResult:
    res = lazy_result(instance)
    if res is None:
        return _no_weights()
    k = len(res.stable)
    ev = {"m": res.m, "d": res.d, "n": res.n, "stable_neurons": k}
    method = "exact integer comparison (rank H_S <= |S| d)"
    if res.m * res.d < res.n:
        return StructuralResult(Verdict.FAILS, method, ev,
                                f"m d = {res.m * res.d} < n = {res.n}: no set of neurons can interpolate")
    if k * res.d < res.n:
        return StructuralResult(Verdict.UNDECIDED, method, ev,
                                f"the chosen stable set has |S| d = {k * res.d} < n = {res.n}")
    return StructuralResult(Verdict.HOLDS, method, ev)


def _signs(instance: InstanceData) -> StructuralResult:
    res = lazy_result(instance)
    if res is None:
        return _no_weights()
    method = "interval enclosure of w_r . x_i for the exactly normalized x_i (a-priori matmul bound)"
    if res.tau is None or not float(res.tau.lo) > 0:
        return StructuralResult(Verdict.UNDECIDED, method, {}, "no stable set with proved signs was verified")
    return StructuralResult(Verdict.HOLDS, method,
                            {"tau": {"lo": repr(float(res.tau.lo)), "hi": repr(float(res.tau.hi))},
                             "stable_neurons": int(len(res.stable))})


def _nonsingular(instance: InstanceData) -> StructuralResult:
    res = lazy_result(instance)
    if res is None:
        return _no_weights()
    method = "verified solve (Krawczyk / Arb) of H_S alpha = y - u on the interval matrix H_S"
    ev = {}
    if res.lambda_min_HS is not None:
        ev["lambda_min_HS"] = {"lo": repr(float(res.lambda_min_HS.lo)), "hi": repr(float(res.lambda_min_HS.hi))}
    if res.alpha is None:
        return StructuralResult(Verdict.UNDECIDED, method, ev, res.reason)
    return StructuralResult(Verdict.HOLDS, method, ev)


def _preserved(instance: InstanceData) -> StructuralResult:
    res = lazy_result(instance)
    if res is None:
        return _no_weights()
    method = "interval enclosures of dw_r . x_i and w_r . x_i, strict comparison entry by entry"
    ev = {"ratio_max": None if res.ratio_max is None else repr(float(res.ratio_max))}
    if res.certified:
        return StructuralResult(Verdict.HOLDS, method, ev)
    return StructuralResult(Verdict.UNDECIDED, method, ev, res.reason)


# ------------------------------------------------------------------ the algebra, re-checked
def _identity_holds() -> bool:
    """m^-1/2 sum_{r in S} a_r s_ri dw_r . x_i = (H_c alpha)_i for a generic symbolic instance
    (3 inputs, 2 neurons, d = 2; symbolic x, alpha, weights c_r and pattern entries s_ri, which
    the identity never needs to be 0/1), for every choice of the signs a_r in {-1, +1}."""
    ni, k, dd = 3, 2, 2
    mm = sp.Symbol("m", positive=True)
    X = sp.Matrix(ni, dd, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    S = sp.Matrix(k, ni, lambda r, i: sp.Symbol(f"s{r}{i}", real=True))
    alpha = [sp.Symbol(f"alpha{i}", real=True) for i in range(ni)]
    cw = [sp.Symbol(f"c{r}", positive=True) for r in range(k)]
    for signs in itertools.product((-1, 1), repeat=k):
        dw = [cw[r] * signs[r] / sp.sqrt(mm) * sum((S[r, i] * alpha[i] * X.row(i) for i in range(ni)),
                                                    sp.zeros(1, dd)) for r in range(k)]
        for i in range(ni):
            lhs = sum(signs[r] * S[r, i] * (dw[r] * X.row(i).T)[0, 0] for r in range(k)) / sp.sqrt(mm)
            rhs = sum(sum(cw[r] * S[r, i] * S[r, j] for r in range(k)) * (X.row(i) * X.row(j).T)[0, 0]
                      * alpha[j] for j in range(ni)) / mm
            if sp.expand(lhs - rhs) != 0:
                return False
    return True


def _interpolation_holds() -> bool:
    """With alpha = H^-1 (y - u), u + H alpha = y, and the loss 1/2 ||u - y||^2 is a sum of squares
    that vanishes there (a generic invertible symbolic 3 x 3 H; real symbolic u, y)."""
    k = 3
    H = sp.Matrix(k, k, lambda i, j: sp.Symbol(f"h{i}{j}", real=True))
    u = sp.Matrix([sp.Symbol(f"u{i}", real=True) for i in range(k)])
    yv = sp.Matrix([sp.Symbol(f"y{i}", real=True) for i in range(k)])
    new_u = u + H * (H.adjugate() / H.det()) * (yv - u)
    if any(sp.simplify(e) != 0 for e in new_u - yv):
        return False
    loss = sum(((u - yv)[i]) ** 2 for i in range(k)) / 2
    return bool(loss.is_nonnegative)


def _rank_bound_holds() -> bool:
    """H_S = J_S J_S^T with J_S of size n x |S| d is singular when |S| d < n: det = 0 identically for
    a generic symbolic J (n = 3, |S| d = 2 and n = 2, |S| d = 1; Cauchy-Binet in general)."""
    for rows, cols in ((3, 2), (2, 1)):
        J = sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"j{i}{j}", real=True))
        if sp.expand((J * J.T).det()) != 0:
            return False
    return True


_STEPS = (
    Step("inside a fixed activation pattern the predictions are linear in the moved weights, and "
         "with dw_r = m^-1/2 c_r a_r sum_i s_ri alpha_i x_i (a_r^2 = 1): "
         "m^-1/2 sum_{r in S} a_r s_ri dw_r.x_i = (H_c alpha)_i, H_c = (1/m)[sum_r c_r s_ri s_rj] x_i.x_j "
         "(checked on a generic symbolic instance: 3 inputs, 2 neurons, d = 2, symbolic patterns, all signs)",
         Eq(sp.Symbol("J_S_dW"), sp.Symbol("H_c_alpha")), Check.SYMPY,
         "1810.02054v2 eq. (6)-(7) (the Gram matrix H = J J^T); weighted form: this module",
         verifier=_identity_holds),
    Step("a strictly smaller perturbation keeps the sign: c > 0 and |b| < c (b = c (2s/(1+s) - 1), s > 0) "
         "give c + b > 0", Gt(c + b, 0), Check.SYMPY, "pattern preservation",
         substitution={b: c * (2 * s / (1 + s) - 1)}),
    Step("... and for a negative pre-activation -c: -c + b < 0 when |b| < c",
         Lt(-c + b, 0), Check.SYMPY, "pattern preservation",
         substitution={b: c * (1 - 2 * s / (1 + s))}),
    Step("so u(W~ + dW) = u(W~) + H_c alpha = u(W~) + (y - u(W~)) = y with alpha = H_c^-1 (y - u(W~)): the "
         "loss 1/2 ||u - y||^2, a sum of squares, is 0, its least possible value, hence W* = W~ + dW is a "
         "global minimizer (checked on a generic invertible symbolic 3 x 3 H_c)",
         Eq(sp.Symbol("u_W_star"), sp.Symbol("y")), Check.SYMPY, "definition of the loss (1810.02054v2 eq. 2)",
         verifier=_interpolation_holds),
    Step("rank H_S <= |S| d (H_S = J_S J_S^T with J_S of size n x |S| d), so H_S is singular when |S| d < n "
         "and m d < n is never certified (det J J^T = 0 checked for generic symbolic J of sizes 3 x 2 and "
         "2 x 1; Cauchy-Binet in general)", Eq(sp.Symbol("det_H_S_when_Sd_lt_n"), 0), Check.SYMPY,
         "linear algebra; the code checks |S| d >= n exactly", verifier=_rank_bound_holds),
    Step("per-neuron distance: ||w*_r - w_r(0)|| <= D and sqrt(m) D is the lazy-training constant "
         "Du et al. predict to be O(1) (their R' = 4 sqrt(n)||y - u(0)||/(sqrt(m) lambda0))",
         Eq(sp.Symbol("sqrt_m_distance"), sp.sqrt(m) * D), Check.CITED,
         "1810.02054v2 Lemma 3.3 / Corollary 4.1 (the O(1/sqrt m) movement)"),
)

SQRT_M_DISTANCE = Constant(
    name="sqrt_m_distance", symbol=sp.Symbol("sqrt_m_D"), expr=sp.sqrt(m) * D,
    description="sqrt(m) times the certified per-neuron distance max_r ||w*_r - w_r(0)|| of the "
                "zero-loss minimizer from the initialization (the lazy-training constant)",
    derivation=Derivation(_STEPS),
)

QUANTITIES = (
    Quantity("D_init", D, "max_r ||w*_r - w_r(0)|| for the certified minimizer W*",
             "interval norms of (W~ - W0) + dW", compute=_quantity("distance_from_init_max")),
    Quantity("correction_max", corr, "max_r ||dw_r||, the distance of W* from the given weights per neuron",
             "interval norms of the enclosure of dW", compute=_quantity("correction_max")),
    Quantity("lambda_min_HS", lam_S, "lambda_min(H_S) of the weighted stable Gram matrix",
             "verified spectral bounds (numerics.linalg.spectral)", compute=_quantity("lambda_min_HS")),
)

THEOREM = Theorem(
    id="lazy-global-minimizer-nearby",
    title="An exact zero-loss global minimizer lies within O(1/sqrt m) of this two-layer ReLU network",
    citation=Citation(
        authors="S. S. Du, X. Zhai, B. Poczos, A. Singh",
        title="Gradient Descent Provably Optimizes Over-parameterized Neural Networks",
        venue="ICLR 2019", arxiv="1810.02054v2", result="idea of Lemmas 3.2-3.4",
        note="instance certificate: the proof is the rigorous computation for the given weights "
             "(numerics.instance.lazy_minimizer), not the paper's probabilistic argument"),
    parameters=(n, m, d),
    quantities=QUANTITIES,
    hypotheses=(
        Hypothesis("network", "a network is given: W (m, d) finite, a in {-1, +1}^m", predicate=_weights_ok),
        Hypothesis("interpolation-rank", "|S| d >= n for the stable set S (m d >= n is necessary)",
                   predicate=_rank, latex=r"|S|\,d \ge n"),
        Hypothesis("stable-signs", "every activation sign of every neuron in S is proved: "
                   "min_{r in S, i} |w_r . x_i| >= tau > 0", predicate=_signs,
                   latex=r"|w_r^\top x_i| \ge \tau > 0\ (r \in S)"),
        Hypothesis("H_S-nonsingular", "H_S is proved nonsingular and alpha = H_S^-1 (y - u) enclosed",
                   predicate=_nonsingular, latex=r"\det H_S \ne 0"),
        Hypothesis("pattern-preserved", "|dw_r . x_i| < |w_r . x_i| for every r in S and every i",
                   predicate=_preserved, latex=r"|\Delta w_r^\top x_i| < |w_r^\top x_i|"),
    ),
    constants=(SQRT_M_DISTANCE,),
    conclusion="W* = W~ + dW satisfies u(W*) = y exactly (zero loss, a global minimizer), dW is zero "
               "outside S, max_r ||w*_r - w~_r|| <= correction_max and max_r ||w*_r - w_r(0)|| <= D_init",
    conclusion_latex=r"\exists W^*:\ L(W^*) = 0,\ \max_r\|w^*_r - w_r(0)\| \le D",
    observables=("certified width vs theorem width", "sqrt(m) D across widths"),
    notes=("Deterministic: no probability; certifies the given weights only.",
           "Weighted correction (weights 2^-k per neuron) generalizes the plain construction "
           "(all weights 1); see numerics/instance/lazy_minimizer.py."),
    family="two-layer",
)

THEOREMS = (THEOREM,)
