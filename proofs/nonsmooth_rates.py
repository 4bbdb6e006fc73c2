"""Complexity of finding (delta, epsilon)-Goldstein-stationary points of Lipschitz functions.

A point x is (delta, epsilon)-stationary when dist(0, ∂_δ f(x)) <= epsilon, where
∂_δ f(x) = conv(∪_{||y - x|| <= δ} ∂_C f(y)) is the Goldstein subdifferential (Zhang et
al. 2020 [P]).  Tags: [P] read in the paper (abstract, table), NOT VERIFIED otherwise:

| result | oracle | rate | tag |
|---|---|---|---|
| Zhang, Lin, Jegelka, Sra, Jadbabaie (ICML 2020) | deterministic, nonstandard | Õ(δ^-1 ε^-3), dimension-free | [P] (Table 1); Δ L^2 dependence NOT VERIFIED |
| same | stochastic | Õ(δ^-1 ε^-4), dimension-free | [P]; Δ L^3 dependence NOT VERIFIED |
| Davis, Drusvyatskiy, Y. T. Lee, Padmanabhan, Ye (NeurIPS 2022) | perturbed gradient, standard | O(ε^-4) at fixed δ | [P] (abstract) |
| same | cutting plane | O(d ε^-3) | [P] (abstract) |
| randomized smoothing + SGD | stochastic gradient of f at x + δu | O(√d L^3 Δ / (δ ε^4)) | derived below (sympy), smoothing constant c NOT VERIFIED |

Every constant a paper leaves inside Õ/O is a sympy symbol (``C_zljsj_det`` ...), listed in
``unnamed_constants``; the rate theorems' hypotheses (global Lipschitz constant, oracle)
are not decided on instances here and stay `undecided`.

The smoothing route is derived step by step: f_δ(x) = E_u f(x + δu) (u uniform in the
unit ball) has a (c √d L / δ)-Lipschitz gradient (smoothing lemma; c NOT VERIFIED, a
symbol), ∇f_δ(x) ∈ ∂_δ f(x), stochastic gradients ∇f(x + δu) have second moment <= L^2,
and SGD with step η on an ℓ-smooth function with σ^2-bounded gradients satisfies
min_k E||∇f_δ(x_k)||^2 <= 2Δ/(ηT) + ηℓσ^2 (Ghadimi & Lan 2013, cited); optimizing η and
solving for T gives T >= 8 Δ ℓ σ^2 / ε^4 = 8 c √d L^3 Δ / (δ ε^4) (steps checked by sympy).
"""

from __future__ import annotations

import sympy as sp

from numerics.arith.verdict import Verdict
from proofs.core import (Check, Citation, Constant, Derivation, Eq, Hypothesis, InstanceData, Le, Step,
                         StructuralResult, Theorem)

delta = sp.Symbol("delta", positive=True)
eps = sp.Symbol("epsilon", positive=True)
L = sp.Symbol("L", positive=True)
Delta = sp.Symbol("Delta", positive=True)  # f(x_0) - inf f
d = sp.Symbol("d", positive=True, integer=True)
s_f = sp.Symbol("s", positive=True)  # rescaling of f
r_x = sp.Symbol("r", positive=True)  # rescaling of x

C_det = sp.Symbol("C_zljsj_det", positive=True)
C_sto = sp.Symbol("C_zljsj_sto", positive=True)
C_pert = sp.Symbol("C_ddlpy_pert", positive=True)
C_cut = sp.Symbol("C_ddlpy_cut", positive=True)
c_smooth = sp.Symbol("c_smooth", positive=True)


def _undecided(reason: str):
    def predicate(instance: InstanceData) -> StructuralResult:
        return StructuralResult(Verdict.UNDECIDED, "not checked on instances", {}, reason)

    return predicate


H_LIPSCHITZ = Hypothesis("lipschitz", "f is L-Lipschitz (globally) and bounded below (Delta = f(x0) - inf f)",
                         predicate=_undecided("a global Lipschitz constant is not computed by dl-certify"))


def _scale_invariance_steps(expr: sp.Expr, label: str) -> tuple[Step, ...]:
    """Dimensional analysis, checked by sympy: the iteration count is invariant when f is
    scaled by s (Delta, L, epsilon scale by s) and when x is scaled by r (delta by r, L and
    epsilon by 1/r)."""
    f_scaled = expr.subs({Delta: s_f * Delta, L: s_f * L, eps: s_f * eps}, simultaneous=True)
    x_scaled = expr.subs({delta: r_x * delta, L: L / r_x, eps: eps / r_x}, simultaneous=True)
    return (
        Step(f"{label}: invariant under f -> s f", Eq(f_scaled, expr), Check.SYMPY, "dimensional analysis"),
        Step(f"{label}: invariant under x -> r x", Eq(x_scaled, expr), Check.SYMPY, "dimensional analysis"),
    )


_ZLJSJ_DET = C_det * Delta * L**2 / (delta * eps**3)
_ZLJSJ_STO = C_sto * Delta * L**3 / (delta * eps**4)

ZLJSJ = Theorem(
    id="zljsj2020-goldstein-stationarity",
    title="Dimension-free (delta, epsilon)-stationarity for Lipschitz functions (Zhang et al.)",
    citation=Citation(authors="J. Zhang, H. Lin, S. Jegelka, S. Sra, A. Jadbabaie",
                      title="Complexity of Finding Stationary Points of Nonconvex Nonsmooth Functions",
                      venue="ICML 2020", arxiv="2002.04130", result="Table 1",
                      note="rates in delta, epsilon [P]; the Delta L^2 / Delta L^3 dependence NOT VERIFIED "
                           "(kept with unnamed constants); a nonstandard oracle"),
    parameters=(delta, eps, L, Delta),
    quantities=(),
    hypotheses=(H_LIPSCHITZ,
                Hypothesis("directionally-differentiable", "f is Hadamard directionally differentiable",
                           predicate=_undecided("holds for library programs; not tied to an instance here"))),
    constants=(
        Constant("iterations_deterministic", sp.Symbol("T_det", positive=True), _ZLJSJ_DET,
                 "deterministic oracle calls to reach (delta, epsilon)-stationarity (up to logs)",
                 Derivation((Step("Table 1: O~(delta^-1 epsilon^-3), dimension-free",
                                  Eq(sp.Symbol("T_det"), _ZLJSJ_DET), Check.CITED, "2002.04130 Table 1"),)
                            + _scale_invariance_steps(_ZLJSJ_DET, "Delta L^2/(delta eps^3)")),
                 asymptotic_in=(delta, eps), order="O"),
        Constant("iterations_stochastic", sp.Symbol("T_sto", positive=True), _ZLJSJ_STO,
                 "stochastic oracle calls (up to logs)",
                 Derivation((Step("Table 1: O~(delta^-1 epsilon^-4), dimension-free",
                                  Eq(sp.Symbol("T_sto"), _ZLJSJ_STO), Check.CITED, "2002.04130 Table 1"),)
                            + _scale_invariance_steps(_ZLJSJ_STO, "Delta L^3/(delta eps^4)")),
                 asymptotic_in=(delta, eps), order="O"),
    ),
    conclusion="an algorithm finds a (delta, epsilon)-stationary point within the stated number of oracle calls; "
               "epsilon-stationarity itself (delta = 0) is impossible in finite time",
    notes=("Tags: rates [P] (abstract and Table 1); constant dependence NOT VERIFIED.",),
    family="nonsmooth-rates",
    unnamed_constants=(C_det, C_sto),
)

_DDLPY_PERT = C_pert * eps**-4
_DDLPY_CUT = C_cut * d * eps**-3

DDLPY = Theorem(
    id="ddlpy2022-perturbed-subgradient",
    title="Gradient sampling with random perturbations and cutting planes (Davis, Drusvyatskiy, Y. T. Lee et al.)",
    citation=Citation(authors="D. Davis, D. Drusvyatskiy, Y. T. Lee, S. Padmanabhan, G. Ye",
                      title="A gradient sampling method with complexity guarantees for Lipschitz functions "
                            "in high and low dimensions",
                      venue="NeurIPS 2022", arxiv="2112.06969", result="abstract",
                      note="O(eps^-4) with a standard oracle and O(d eps^-3) by cutting planes [P, abstract]; "
                           "the delta, L, Delta dependence is inside the unnamed constants"),
    parameters=(eps, d),
    quantities=(),
    hypotheses=(H_LIPSCHITZ,),
    constants=(
        Constant("iterations_perturbed", sp.Symbol("T_pert", positive=True), _DDLPY_PERT,
                 "gradient evaluations (random perturbation per step), fixed delta",
                 Derivation((Step("abstract: O(epsilon^-4)", Eq(sp.Symbol("T_pert"), _DDLPY_PERT), Check.CITED,
                                  "2112.06969 abstract"),)), asymptotic_in=(eps,), order="O"),
        Constant("iterations_cutting_plane", sp.Symbol("T_cut", positive=True), _DDLPY_CUT,
                 "gradient evaluations of the cutting-plane method, fixed delta",
                 Derivation((Step("abstract: O(d epsilon^-3)", Eq(sp.Symbol("T_cut"), _DDLPY_CUT), Check.CITED,
                                  "2112.06969 abstract"),)), asymptotic_in=(eps, d), order="O"),
    ),
    conclusion="a (delta, epsilon)-stationary point within the stated number of gradient evaluations",
    notes=("The Lee of this paper is Yin Tat Lee.",),
    family="nonsmooth-rates",
    unnamed_constants=(C_pert, C_cut),
)

# ---- the smoothing route, derived

eta = sp.Symbol("eta", positive=True)
T = sp.Symbol("T", positive=True)
ell = sp.Symbol("ell", positive=True)
sigma2 = sp.Symbol("sigma2", positive=True)
_BOUND = 2 * Delta / (eta * T) + eta * ell * sigma2
_ETA_STAR = sp.sqrt(2 * Delta / (T * ell * sigma2))
_T_GENERIC = 8 * Delta * ell * sigma2 / eps**4
_T_SMOOTHING = 8 * c_smooth * sp.sqrt(d) * L**3 * Delta / (delta * eps**4)

SMOOTHING = Theorem(
    id="smoothing-sgd-goldstein",
    title="Randomized smoothing plus SGD reaches (delta, epsilon)-stationarity in O(sqrt(d) L^3 Delta/(delta eps^4))",
    citation=Citation(authors="derived (smoothing lemma + Ghadimi-Lan SGD bound)",
                      title="the dimension-dependent smoothing route discussed by Kornowski & Shamir",
                      venue="NeurIPS 2021 / JMLR 2022 (discussion)", arxiv="n/a",
                      result="derivation in this module",
                      note="not a paper's theorem: derived here; the smoothing constant c is NOT VERIFIED (a symbol)"),
    parameters=(delta, eps, L, Delta, d),
    quantities=(),
    hypotheses=(H_LIPSCHITZ,),
    constants=(
        Constant("iterations", T, _T_SMOOTHING,
                 "SGD steps on f_delta until min_k E||grad f_delta(x_k)|| <= epsilon",
                 Derivation((
                     Step("smoothing lemma: grad f_delta is (c sqrt(d) L/delta)-Lipschitz", Eq(ell, c_smooth * sp.sqrt(d) * L / delta),
                          Check.CITED, "standard smoothing lemma; c NOT VERIFIED"),
                     Step("grad f_delta(x) lies in the Goldstein subdifferential at x, so "
                          "dist(0, Goldstein subdifferential) <= ||grad f_delta(x)||",
                          Le(sp.Symbol("dist_goldstein"), sp.Symbol("norm_grad_f_delta")),
                          Check.CITED, "Zhang et al. 2020 / Kornowski-Shamir"),
                     Step("SGD bound: min_k E||grad||^2 <= 2 Delta/(eta T) + eta ell sigma^2",
                          Eq(sp.Symbol("B"), _BOUND), Check.CITED, "Ghadimi & Lan 2013, nonconvex SGD"),
                     Step("the bound is stationary at eta* = sqrt(2 Delta/(T ell sigma^2))",
                          Eq(sp.diff(_BOUND, eta).subs(eta, _ETA_STAR), 0), Check.SYMPY, "calculus"),
                     Step("its value there is 2 sqrt(2 Delta ell sigma^2 / T)",
                          Eq(_BOUND.subs(eta, _ETA_STAR), 2 * sp.sqrt(2 * Delta * ell * sigma2 / T)),
                          Check.SYMPY, "algebra"),
                     Step("it equals epsilon^2 at T = 8 Delta ell sigma^2 / epsilon^4",
                          Eq((2 * sp.sqrt(2 * Delta * ell * sigma2 / T)).subs(T, _T_GENERIC), eps**2),
                          Check.SYMPY, "algebra"),
                     Step("with ell = c sqrt(d) L/delta and sigma^2 = L^2",
                          Eq(_T_GENERIC.subs({ell: c_smooth * sp.sqrt(d) * L / delta, sigma2: L**2}), _T_SMOOTHING),
                          Check.SYMPY, "substitution"),
                 ) + _scale_invariance_steps(_T_SMOOTHING, "sqrt(d) L^3 Delta/(delta eps^4)")),
                 asymptotic_in=(delta, eps, d), order="O"),
    ),
    conclusion="E min_k dist(0, Goldstein delta-subdifferential at x_k) <= epsilon after T steps",
    notes=("Dimension-dependent; Kornowski & Shamir show dimension-free smoothing needs exponentially many "
           "oracle calls [P, abstract].", "Zeroth-order variants: d^{3/2} (Lin-Zheng-Jordan 2022, NOT VERIFIED)."),
    family="nonsmooth-rates",
    unnamed_constants=(c_smooth,),
)

THEOREMS = (ZLJSJ, DDLPY, SMOOTHING)
