"""Du-Lee-Li-Wang-Zhai, "Gradient Descent Finds Global Minima of Deep Neural Networks"
(ICML 2019, arXiv:1811.03804v4): Theorem 5.1 (fully connected), Theorem 6.1 (ResNet),
Theorem 7.1 (convolutional ResNet). All layers, including the output a, are trained by GD on
L = 1/2 sum_i (f(x_i) - y_i)^2 from N(0, 1) initialization, with the scaling of Sec. 3.3.

What the paper pins down and what it does not (docs/dllwz_width.md):
* the widths and steps are stated as Omega/O with universal constants the paper does not name
  (the c of Lemmas B.4/C.4/B.6/C.6, c_{w,0}, a_{2,0}, a_{4,0}, the 2^{O(H)} of Thm 5.1, the
  poly(p) of Thm 7.1). They are sympy symbols here: `c_w` (width), `c_eta` (step), `kappa`
  (2^{O(H)} = 2^(kappa H)) and `nu` (poly(p) = p^nu). A user may supply values; otherwise each
  such hypothesis is `undecided` and the evaluation reports the critical value ("holds if
  c_w <= 3.1e-7");
* Condition 3.1 (sigma Lipschitz and smooth) excludes ReLU; Condition 3.2 (analytic, not a
  polynomial) gives lambda_min(K^(H)) > 0 for non-parallel inputs (Props. F.1, F.2). For ReLU
  the activation hypothesis fails, and it is reported as failing;
* lambda = lambda_min(K^(H)) of Defs. 5.1/6.1/7.1, enclosed rigorously for ReLU
  (numerics.kernels.deep, numerics.linalg.spectral), a float estimate for smooth activations.

The headline (Sec. 2, footnote 2): m = O(n^4 H^2) for the ResNet. The derivation below makes
it explicit: the c_res^2/H^2 prefactor of K^(H) gives lambda = kappa0/H^2 (that kappa0 stays of
order one as H grows is measured, not proved: an `empirical` step; `certify widths` and
benchmarks/bench_deep_gram.py show H^2 lambda flat in H), and
substituting into eq. (9) gives c_w (n^4 H^2/kappa0^4 + n^2 H^2/kappa0^2 + n/delta
+ n^2 H^4 L/kappa0^2), L = log(Hn/delta). Its leading term in n is n^4 H^2; but the last
(Lemma C.2) term dominates once n^2 < kappa0^2 H^2 L, i.e. for depths beyond about
n/(kappa0 sqrt L): the headline is the large-n, fixed-depth form.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from proofs.core import (Bound, Check, Citation, Constant, Derivation, Direction, Discrepancy, Eq, Ge, Hypothesis,
                         InstanceData, LeadingForm, Le, Quantity, Step, StructuralResult, Theorem)

# parameters (names are the keys the pipeline fills in)
n = sp.Symbol("n", positive=True, integer=True)
m = sp.Symbol("m", positive=True)
delta = sp.Symbol("delta", positive=True)
eta = sp.Symbol("eta", positive=True)
H = sp.Symbol("H", positive=True, integer=True)
p = sp.Symbol("p", positive=True, integer=True)          # pixels (CNN)
lam = sp.Symbol("lambda_H", positive=True)               # lambda_min(K^(H))
# constants the paper leaves unnamed
c_w = sp.Symbol("c_w", positive=True)
c_eta = sp.Symbol("c_eta", positive=True)
kappa = sp.Symbol("kappa", positive=True)
nu = sp.Symbol("nu", positive=True)
# derivation auxiliaries
kappa0 = sp.Symbol("kappa0", positive=True)              # H^2 lambda_min(K^(H))
L = sp.Symbol("L", positive=True)                         # log(H n / delta)
s = sp.Symbol("s", nonnegative=True)
alpha = sp.Symbol("alpha", positive=True)                 # c_res^2/H^2
mu = sp.Symbol("mu", positive=True)                       # lambda_min(K^(H-1) * E[sigma' sigma'])
c_res = sp.Symbol("c_res", positive=True)

CITATION = dict(
    authors="S. S. Du, J. D. Lee, H. Li, L. Wang, X. Zhai",
    title="Gradient Descent Finds Global Minima of Deep Neural Networks",
    venue="ICML 2019",
    arxiv="1811.03804v4",
)


# ------------------------------------------------------------------------------ quantities
def _arch_params(instance: InstanceData, arch: str) -> dict:
    P = instance.params
    depth = P.get("depth")
    if depth is None:
        raise ValueError(f"the {arch} theorem needs the network depth (model.depth)")
    return dict(depth=int(depth), activation=P.get("activation") or "relu", c_res=float(P.get("c_res") or 0.5),
                channels=int(P.get("channels") or 1), patch_size=int(P.get("patch_size") or 3))


def deep_gram_of(instance: InstanceData, arch: str):
    """The DeepGram K^(H) of `arch` for the instance (cached)."""
    from numerics.kernels.deep import deep_gram

    a = _arch_params(instance, arch)
    key = ("deep_gram", arch, a["depth"], a["activation"], a["c_res"], a["channels"], a["patch_size"])
    if key not in instance.cache:
        instance.cache[key] = deep_gram(np.asarray(instance.X, dtype=np.float64), arch, a["depth"],
                                        activation=a["activation"], c_res=a["c_res"],
                                        channels=a["channels"], patch_size=a["patch_size"])
    return instance.cache[key]


def lambda_of(instance: InstanceData, arch: str):
    """SpectralEnclosure (ReLU) or float (smooth activation) of lambda_min(K^(H)) (cached)."""
    from numerics.kernels.deep import gram_lambda_min

    g = deep_gram_of(instance, arch)
    key = ("deep_lambda", g.architecture, g.depth, g.activation, id(g))
    if key not in instance.cache:
        instance.cache[key] = gram_lambda_min(g)
    return instance.cache[key]


def _lambda_quantity(arch: str, definition: str) -> Quantity:
    def compute(instance: InstanceData) -> Interval:
        lam_ = lambda_of(instance, arch)
        if isinstance(lam_, float):
            return Interval(-np.inf, np.inf)    # float estimates never enter a verdict
        return Interval(lam_.lo, lam_.hi)

    def evidence(instance: InstanceData) -> dict:
        g = deep_gram_of(instance, arch)
        lam_ = lambda_of(instance, arch)
        if isinstance(lam_, float):
            return {"rigorous": False, "float_estimate": repr(lam_), "gram_method": g.method,
                    "note": "smooth activation: bivariate Gaussian moments are float; lambda is not enclosed"}
        return {"rigorous": True, "gram_method": g.method, "spectral_method": lam_.method,
                "backend": lam_.backend, "precision_bits": lam_.precision_bits}

    return Quantity("lambda_H", lam, f"lambda_min(K^(H)), {definition}",
                    "ReLU: interval Gram recursion (closed forms) + verified spectral bound; "
                    "smooth activations: float (reported as evidence, not enclosed)",
                    compute=compute, evidence=evidence)


# ------------------------------------------------------------------------------ structural hypotheses
def _activation(instance: InstanceData):
    from numerics.kernels.gaussian_expectation import get_activation
    return get_activation(instance.params.get("activation") or "relu")


def _condition_31(instance: InstanceData) -> StructuralResult:
    act = _activation(instance)
    method = "activation facts proved by hand (numerics.kernels.gaussian_expectation.ACTIVATIONS)"
    if act.condition_31 is None:
        return StructuralResult(Verdict.FAILS, method, {"activation": act.name},
                                f"{act.name} is outside Condition 3.1: {act.condition_31_reason}")
    return StructuralResult(Verdict.HOLDS, method, {"activation": act.name, "c": act.condition_31},
                            act.condition_31_reason)


def _condition_32(instance: InstanceData) -> StructuralResult:
    act = _activation(instance)
    ok = act.analytic and not act.polynomial
    return StructuralResult(Verdict.HOLDS if ok else Verdict.FAILS, "activation facts",
                            {"activation": act.name, "analytic": act.analytic, "polynomial": act.polynomial},
                            "" if ok else f"{act.name} is not analytic (Condition 3.2 fails)")


def _unit_norm(instance: InstanceData) -> StructuralResult:
    return StructuralResult(Verdict.HOLDS, "by construction: every enclosure is for x_i = v_i/||v_i|| "
                            "(||x_i||_F = 1 for the CNN), exact real arithmetic", {})


def _lambda_positive(arch: str):
    def check(instance: InstanceData) -> StructuralResult:
        from numerics.kernels.two_layer import parallel_pairs

        lam_ = lambda_of(instance, arch)
        if not isinstance(lam_, float):
            ev = {"lo": repr(float(lam_.lo)), "hi": repr(float(lam_.hi)), "method": lam_.method}
            if lam_.lo > 0:
                return StructuralResult(Verdict.HOLDS, "verified spectral lower bound", ev)
            if lam_.hi <= 0:
                return StructuralResult(Verdict.FAILS, "verified spectral upper bound", ev)
        par = [(i, j) for i, j, k in parallel_pairs(np.asarray(instance.X, dtype=np.float64)) if k == "parallel"]
        if par:
            return StructuralResult(Verdict.FAILS, "exact parallel-input detection",
                                    {"parallel_pairs": [list(q) for q in par]},
                                    f"inputs {par[0][0]} and {par[0][1]} are parallel: two equal rows of K^(H)")
        act = _activation(instance)
        if act.analytic and not act.polynomial:
            return StructuralResult(
                Verdict.UNDECIDED, "1811.03804 Props. F.1/F.2 (cited): Condition 3.2 and no two inputs "
                "parallel imply lambda_min(K^(H)) > 0; the inputs are proved pairwise non-parallel",
                {"float_estimate": repr(lam_) if isinstance(lam_, float) else None},
                "cited, not proved on this instance: lambda is only a float estimate for this activation",
                cited="1811.03804v4 Props. F.1 and F.2")
        if not isinstance(lam_, float):
            from numerics.linalg.spectral import EIGENSOLVER_FAILED

            if EIGENSOLVER_FAILED in lam_.method:      # the enclosure had no float estimates to steer it
                return StructuralResult(Verdict.UNDECIDED, "spectral bound inconclusive", ev,
                                        f"undecided because {lam_.method}")
        return StructuralResult(Verdict.UNDECIDED, "spectral bound inconclusive", {})
    return check


UNIT_NORM = Hypothesis("unit-norm-inputs", "||x_i|| = 1 for every input", predicate=_unit_norm)
CONDITION_31 = Hypothesis("activation-condition-3.1",
                          "Condition 3.1: |sigma(0)| <= c, sigma c-Lipschitz, sigma' c-Lipschitz",
                          predicate=_condition_31)
CONDITION_32 = Hypothesis("activation-condition-3.2", "Condition 3.2: sigma analytic and not a polynomial",
                          predicate=_condition_32)


def _lambda_hypothesis(arch: str) -> Hypothesis:
    return Hypothesis("lambda-positive", "lambda = lambda_min(K^(H)) > 0", predicate=_lambda_positive(arch),
                      latex=r"\lambda_{\min}(K^{(H)}) > 0")


# ------------------------------------------------------------------------------ constants
LOG_TERM = sp.log(H * n / delta)

FC_WIDTH = c_w * 2 ** (kappa * H) * sp.Max(n**4 / lam**4, n / delta, n**2 * LOG_TERM / lam**2)
FC_STEP = c_eta * lam / (n**2 * 2 ** (kappa * H))
RES_WIDTH = c_w * sp.Max(n**4 / (lam**4 * H**6), n**2 / (lam**2 * H**2), n / delta, n**2 * LOG_TERM / lam**2)
RES_STEP = c_eta * lam * H**2 / n**2
CNN_WIDTH = c_w * p**nu * sp.Max(n**4 / (lam**4 * H**6), n**4 / (lam**4 * H**2), n / delta,
                                 n**2 * LOG_TERM / lam**2)
CNN_STEP = c_eta * lam * H**2 / (n**2 * p**nu)

DISCREPANCY_INDEX = Discrepancy(
    location="Defs. 5.1 and 6.1, last line",
    printed="K^(H) = c_sigma K^(H-1) E_{A^(H-1)}[sigma'(u) sigma'(v)]",
    checked="the limit of G^(H) (eqs. 13, 14) takes the expectation over A^(H), the block of K^(H-1); "
            "only this reading is defined at H = 1, and the Monte Carlo tests of numerics.kernels.deep confirm it",
    consequence="numerics.kernels.deep computes K^(H) with A^(H)",
)
DISCREPANCY_C4 = Discrepancy(
    location="Lemma C.4 (App. C)",
    printed="||G^(H)(k) - G^(H)(0)||_2 <= lambda0/2",
    checked="with Lemma C.2's 3/4 lambda0 this gives only lambda_min >= lambda0/4; the fully connected "
            "analogue (B.4) has lambda0/4 (probably a typo; NOT VERIFIED)",
    consequence="the rate constant is unaffected at the level of O(); the unnamed c absorbs it",
)
DISCREPANCY_HEADLINE = Discrepancy(
    location="Sec. 2 and footnote 2 (m = O(n^4 H^2) for the ResNet)",
    printed="m = O(n^4 H^2), data-dependent factors ignored",
    checked="with lambda = kappa0/H^2, eq. (9) is c_w max(n^4 H^2/kappa0^4, n^2 H^2/kappa0^2, n/delta, "
            "n^2 H^4 log(Hn/delta)/kappa0^2); the n^4 H^2 term dominates only while "
            "n^2 >= kappa0^2 H^2 log(Hn/delta)",
    consequence="for depth H beyond about n/(kappa0 sqrt(log(Hn/delta))) the width grows like n^2 H^4 log: "
                "the headline is the leading form in n at fixed depth",
)


def _width_constant(name: str, expr, description: str, reference: str, extra_steps=()) -> Constant:
    steps = (
        Step(f"{reference}: the width condition as printed, with the unnamed constant written c_w",
             Ge(m, expr), Check.CITED, reference),
        *extra_steps,
    )
    return Constant(name=name, symbol=sp.Symbol("m_req"), expr=expr, description=description,
                    derivation=Derivation(steps, (DISCREPANCY_INDEX,)), asymptotic_in=(), order="Omega",
                    bounds=Bound(m, Direction.AT_LEAST))


def _step_constant(expr, reference: str) -> Constant:
    steps = (Step(f"{reference}: the step-size condition as printed, with the unnamed constant written c_eta",
                  Le(eta, expr), Check.CITED, reference),)
    return Constant(name="step_size", symbol=sp.Symbol("eta_max"), expr=expr,
                    description="largest step allowed (unnamed constant c_eta)",
                    derivation=Derivation(steps), order="O", bounds=Bound(eta, Direction.AT_MOST))


# ---- the headline derivation (ResNet)
_T1 = n**4 / (lam**4 * H**6)
_T2 = n**2 / (lam**2 * H**2)
_T4 = n**2 * L / lam**2
_LAM = kappa0 / H**2
_TERMS = (_T1, _T2, n / delta, _T4)
HEADLINE = c_w * (n**4 * H**2 / kappa0**4 + n**2 * H**2 / kappa0**2 + n / delta + n**2 * H**4 * L / kappa0**2)


_FIRST, _FOURTH = sp.Symbol("first", positive=True), sp.Symbol("fourth", positive=True)


def _headline_constant() -> Constant:
    steps = (
        Step("Thm 6.1 (eq. 9): m >= c_w max{n^4/(lambda^4 H^6), n^2/(lambda^2 H^2), n/delta, "
             "n^2 log(Hn/delta)/lambda^2}; write L = log(Hn/delta)",
             Ge(m, RES_WIDTH), Check.CITED, "1811.03804v4 Thm 6.1, eq. (9)"),
        Step("Def. 6.1: K^(H) = alpha M with alpha = c_res^2/H^2 and M = K^(H-1) * E[sigma' sigma'], so "
             "lambda = lambda_min(alpha M) = alpha mu with mu = lambda_min(M) (the minimum of the Rayleigh "
             "quotient scales with alpha > 0)",
             Eq(lam, alpha * mu), Check.CITED, "1811.03804v4 Def. 6.1, eq. (8), last line"),
        Step("define kappa0 = c_res^2 mu = H^2 lambda: then lambda = kappa0/H^2",
             Eq(H**2 * lam, kappa0), Check.SYMPY, "definition of kappa0",
             substitution={lam: alpha * mu, alpha: c_res**2 / H**2, kappa0: c_res**2 * mu}),
        Step("kappa0 = H^2 lambda_min(K^(H)) stays bounded away from 0 and infinity as H grows (M converges: "
             "each residual layer adds O(1/H)); measured, not proved: H^2 lambda_min(K^(H)) stays within a factor "
             "1.2 for H = 4..32 on 10 random inputs in R^4 (ReLU, c_res = 1/2)",
             Eq(kappa0, sp.Order(1, (H, sp.oo))), Check.EMPIRICAL,
             "tests/numerics/kernels/test_deep_kernels.py::test_resnet_lambda_min_scales_like_inverse_square_depth; "
             "`certify widths --depths`"),
        Step("first term: n^4/(lambda^4 H^6) = n^4 H^2/kappa0^4",
             Eq(_T1, n**4 * H**2 / kappa0**4), Check.SYMPY, "substitution", substitution={lam: _LAM}),
        Step("second term: n^2/(lambda^2 H^2) = n^2 H^2/kappa0^2",
             Eq(_T2, n**2 * H**2 / kappa0**2), Check.SYMPY, "substitution", substitution={lam: _LAM}),
        Step("fourth term (Lemma C.2): n^2 L/lambda^2 = n^2 H^4 L/kappa0^2",
             Eq(_T4, n**2 * H**4 * L / kappa0**2), Check.SYMPY, "substitution", substitution={lam: _LAM}),
        Step("the second term never exceeds the first when kappa0 <= n (kappa0 = n/(1+s), s >= 0); "
             "kappa0 <= c_res^2 max_i K^(H-1)_ii/2 is O(1)",
             Le(n**2 * H**2 / kappa0**2, n**4 * H**2 / kappa0**4), Check.SYMPY, "comparison",
             substitution={kappa0: n / (1 + s)}),
        Step("max of nonnegative terms <= their sum, so m >= c_w (sum) suffices",
             Le(sp.Max(*_TERMS), sum(_TERMS)), Check.SYMPY, "max <= sum",
             verifier=lambda: all(bool((sum(_TERMS) - t).is_nonnegative) for t in _TERMS)),
        Step("first/fourth = n^2/(kappa0^2 H^2 L): the n^4 H^2 term dominates iff n^2 >= kappa0^2 H^2 L",
             Eq(_FIRST / _FOURTH, n**2 / (kappa0**2 * H**2 * L)), Check.SYMPY, "comparison",
             substitution={_FIRST: n**4 * H**2 / kappa0**4, _FOURTH: n**2 * H**4 * L / kappa0**2}),
        Step("when n^2 = kappa0^2 H^2 L (1 + s) with s >= 0, the first term is at least the fourth",
             Ge(n**4 * H**2 / kappa0**4, n**2 * H**4 * L / kappa0**2), Check.SYMPY, "comparison",
             substitution={n: kappa0 * H * sp.sqrt(L * (1 + s))}),
        Step("leading form in n (L = log(Hn/delta) kept as a log factor): n^4 H^2/kappa0^4, "
             "i.e. m = O(n^4 H^2) at fixed depth",
             Eq(LeadingForm(HEADLINE, n), n**4 * H**2 / kappa0**4), Check.SYMPY, "Sec. 2, footnote 2"),
        Step("leading form in H at fixed n: n^2 H^4 L/kappa0^2 (the Lemma C.2 term)",
             Eq(LeadingForm(HEADLINE, H), n**2 * H**4 * L / kappa0**2), Check.SYMPY, "our derivation"),
        Step("step size: c_eta lambda H^2/n^2 = c_eta kappa0/n^2, independent of the depth",
             Eq(RES_STEP, c_eta * kappa0 / n**2), Check.SYMPY, "Thm 6.1", substitution={lam: _LAM}),
    )
    return Constant(name="headline_width", symbol=sp.Symbol("m_headline"), expr=HEADLINE,
                    description="Thm 6.1 width with lambda = kappa0/H^2 (kappa0 = H^2 lambda_min(K^(H))), "
                                "L = log(Hn/delta): c_w (n^4 H^2/kappa0^4 + n^2 H^2/kappa0^2 + n/delta "
                                "+ n^2 H^4 L/kappa0^2)",
                    derivation=Derivation(steps, (DISCREPANCY_HEADLINE, DISCREPANCY_C4)),
                    asymptotic_in=(), order="Omega", printed_big_o=n**4 * H**2)


# ------------------------------------------------------------------------------ theorems
def _hypotheses(arch: str, width, step, width_text: str, step_text: str) -> tuple[Hypothesis, ...]:
    return (
        UNIT_NORM, CONDITION_31, CONDITION_32, _lambda_hypothesis(arch),
        Hypothesis("width", width_text, relation=Ge(m, width)),
        Hypothesis("step-size", step_text, relation=Le(eta, step)),
    )


_CONCLUSION = ("with probability >= 1 - delta over the initialization, L(theta(k)) <= "
               "(1 - eta lambda_min(K^(H))/2)^k L(theta(0)) for all k >= 0")
_CONCLUSION_LATEX = r"L(\theta(k)) \le \left(1-\tfrac{\eta\lambda_{\min}(K^{(H)})}{2}\right)^k L(\theta(0))"
_NOTES = ("Unnamed constants (c_w, c_eta, kappa, nu) are symbols; supply them under [certify.constants] "
          "to decide the width and step hypotheses, otherwise their critical values are reported.",
          "ReLU is outside Condition 3.1; the Gram matrix and lambda are still computed (rigorously) for it.")

FC_THEOREM = Theorem(
    id="dllwz2019-fc",
    title="Gradient descent on a deep fully connected network converges to a global minimum",
    citation=Citation(**CITATION, result="Theorem 5.1",
                      note="constants c, 2^O(H) unnamed in the paper: symbols c_w, c_eta, kappa"),
    parameters=(n, m, delta, eta, H),
    quantities=(_lambda_quantity("fc", "Def. 5.1"),),
    hypotheses=_hypotheses("fc", FC_WIDTH, FC_STEP,
                           "m >= c_w 2^(kappa H) max{n^4/lambda^4, n/delta, n^2 log(Hn/delta)/lambda^2}",
                           "eta <= c_eta lambda/(n^2 2^(kappa H))"),
    constants=(_width_constant("width", FC_WIDTH, "Thm 5.1 width per layer (unnamed c_w, kappa)",
                               "1811.03804v4 Thm 5.1"),
               _step_constant(FC_STEP, "1811.03804v4 Thm 5.1")),
    conclusion=_CONCLUSION, conclusion_latex=_CONCLUSION_LATEX,
    observables=("loss vs (1 - eta lambda/2)^k", "lambda_min(G^(H)(k)) along training"),
    notes=_NOTES, family="deep", unnamed_constants=(c_w, c_eta, kappa),
)

RESNET_THEOREM = Theorem(
    id="dllwz2019-resnet",
    title="Gradient descent on a deep ResNet converges to a global minimum (m = O(n^4 H^2))",
    citation=Citation(**CITATION, result="Theorem 6.1",
                      note="constant c unnamed in the paper: symbols c_w, c_eta"),
    parameters=(n, m, delta, eta, H),
    quantities=(_lambda_quantity("resnet", "Def. 6.1"),),
    hypotheses=_hypotheses("resnet", RES_WIDTH, RES_STEP,
                           "m >= c_w max{n^4/(lambda^4 H^6), n^2/(lambda^2 H^2), n/delta, n^2 log(Hn/delta)/lambda^2}",
                           "eta <= c_eta lambda H^2/n^2"),
    constants=(_width_constant("width", RES_WIDTH, "Thm 6.1 width per layer (unnamed c_w), eq. (9)",
                               "1811.03804v4 Thm 6.1, eq. (9)"),
               _step_constant(RES_STEP, "1811.03804v4 Thm 6.1"),
               _headline_constant()),
    conclusion=_CONCLUSION, conclusion_latex=_CONCLUSION_LATEX,
    observables=("loss vs (1 - eta lambda/2)^k", "lambda_min(G^(H)(k)) along training", "H^2 lambda_min vs H"),
    notes=_NOTES, family="deep", unnamed_constants=(c_w, c_eta),
)

CNN_THEOREM = Theorem(
    id="dllwz2019-cnn",
    title="Gradient descent on a deep convolutional ResNet converges to a global minimum",
    citation=Citation(**CITATION, result="Theorem 7.1",
                      note="constants c, poly(p) unnamed in the paper: symbols c_w, c_eta, nu (poly(p) = p^nu); "
                           "patch operator read as 1-D, stride 1, zero padding (numerics.kernels.deep)"),
    parameters=(n, m, delta, eta, H, p),
    quantities=(_lambda_quantity("cnn", "Def. 7.1"),),
    hypotheses=_hypotheses("cnn", CNN_WIDTH, CNN_STEP,
                           "m >= c_w p^nu max{n^4/(lambda^4 H^6), n^4/(lambda^4 H^2), n/delta, "
                           "n^2 log(Hn/delta)/lambda^2}",
                           "eta <= c_eta lambda H^2/(n^2 p^nu)"),
    constants=(_width_constant("width", CNN_WIDTH, "Thm 7.1 width per layer (unnamed c_w, nu), eq. (11)",
                               "1811.03804v4 Thm 7.1, eq. (11)"),
               _step_constant(CNN_STEP, "1811.03804v4 Thm 7.1")),
    conclusion=_CONCLUSION, conclusion_latex=_CONCLUSION_LATEX,
    observables=("loss vs (1 - eta lambda/2)^k",),
    notes=_NOTES, family="deep", unnamed_constants=(c_w, c_eta, nu),
)

THEOREMS = (FC_THEOREM, RESNET_THEOREM, CNN_THEOREM)
