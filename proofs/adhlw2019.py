"""Arora, Du, Hu, Li, Wang, "Fine-Grained Analysis of Optimization and Generalization for
Overparameterized Two-Layer Neural Networks" (ICML 2019, arXiv:1901.08584v2): Theorem 4.1
(fine-grained convergence rate) and Theorem 5.1 (data-dependent generalization bound), for the
two-layer ReLU network of Du et al. with first-layer initialization w_r(0) ~ N(0, kappa^2 I),
0 < kappa <= 1, unit-norm inputs and labels |y_i| <= 1 (Sec. 3.1).

The paper states its conditions only up to unspecified constants and an unspecified polynomial:
Thm 4.1 needs kappa = O(eps delta / sqrt(n)), m = Omega(n^7 / (lambda0^4 kappa^2 delta^4 eps^2)),
eta = O(lambda0 / n^2); Thm 5.1 needs kappa = O(lambda0 delta / n), m >= kappa^-2
poly(n, 1/lambda0, 1/delta), eta = O(lambda0 / n^2). None of these constants is given
(the paper names none of them), so they are sympy symbols the user may supply: ``c_w``, ``c_kappa``,
``c_eta`` and ``poly_w`` (the value of the unspecified polynomial). Without them the width,
kappa and step hypotheses are undecided and the report gives their critical values.

What is certified for the user's data: lambda0 = lambda_min(H_inf) (as in dzps2019) and the
value of the main term of Thm 5.1, ``sqrt(2 y^T (H_inf)^-1 y / n)`` (eq. 9), enclosed by a
verified solve (numerics.linalg.solve.inverse_quadratic_form) on the interval matrix that contains the
exact H_inf of x_i = v_i/||v_i||.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from proofs.core import (Bound, Check, Citation, Constant, Derivation, Direction, Ge, Hypothesis,
                         InstanceData, Le, Quantity, Step, StructuralResult, Theorem)
from proofs.dzps2019 import LAMBDA0_POSITIVE, QUANTITIES as DZPS_QUANTITIES, UNIT_NORM
from proofs.two_layer_quantities import lambda0_enclosure

n = sp.Symbol("n", positive=True, integer=True)
m = sp.Symbol("m", positive=True)
delta = sp.Symbol("delta", positive=True)
eta = sp.Symbol("eta", positive=True)
kappa = sp.Symbol("kappa", positive=True)
epsilon = sp.Symbol("epsilon", positive=True)
lambda0 = sp.Symbol("lambda0", positive=True)
C_y = sp.Symbol("C_y", nonnegative=True)
gen_bound = sp.Symbol("generalization_bound", nonnegative=True)
# constants the paper leaves unnamed (O / Omega / poly): supplied by the user or undecided
c_w = sp.Symbol("c_w", positive=True)
c_kappa = sp.Symbol("c_kappa", positive=True)
c_eta = sp.Symbol("c_eta", positive=True)
poly_w = sp.Symbol("poly_w", positive=True)

CITATION = dict(
    authors="S. Arora, S. S. Du, W. Hu, Z. Li, R. Wang",
    title="Fine-Grained Analysis of Optimization and Generalization for Overparameterized "
          "Two-Layer Neural Networks",
    venue="ICML 2019",
    arxiv="1901.08584v2",
)


# ------------------------------------------------------------------ the certified quantity
def _generalization_bound(instance: InstanceData) -> Interval:
    """Enclosure of sqrt(2 y^T H_inf^-1 y / n); [0, inf] when the solve cannot be verified."""
    if "adhlw2019_generalization_bound" not in instance.cache:
        from numerics.arith.interval import sqrt as isqrt
        from numerics.linalg.solve import NotVerified, inverse_quadratic_form

        lambda0_enclosure(instance)            # builds and caches the interval H_inf
        H = instance.cache["H_inf"]
        y = np.asarray(instance.y, dtype=np.float64)
        try:
            q = inverse_quadratic_form(H, y)
            val = (q * 2.0) / float(len(y))
            val = Interval(max(float(val.lo), 0.0), max(float(val.hi), 0.0))
            out, how = isqrt(val), "verified"
        except NotVerified as exc:
            out, how = Interval(0.0, np.inf), f"not verified: {exc}"
        instance.cache["adhlw2019_generalization_bound"] = (out, how)
    return instance.cache["adhlw2019_generalization_bound"][0]


def _generalization_evidence(instance: InstanceData) -> dict:
    _generalization_bound(instance)
    return {"method": "y^T H_inf^-1 y = 2 y^T x - x^T H x + r^T H^-1 r (r = y - H x, "
                      "Krawczyk-verified correction), H_inf as an interval matrix",
            "status": instance.cache["adhlw2019_generalization_bound"][1],
            "backend": "numpy", "precision_bits": 53}


GENERALIZATION_QUANTITY = Quantity(
    "generalization_bound", gen_bound,
    "sqrt(2 y^T (H_inf)^-1 y / n), the data-dependent term of Thm 5.1 (eq. 9)",
    "verified solve (Krawczyk with float preconditioner) on the interval H_inf",
    compute=_generalization_bound, evidence=_generalization_evidence)

QUANTITIES = (*DZPS_QUANTITIES, GENERALIZATION_QUANTITY)

def _labels_bounded(instance: InstanceData) -> StructuralResult:
    y = np.asarray(instance.y, dtype=np.float64)
    worst = float(np.max(np.abs(y))) if y.size else 0.0
    ok = bool(np.all(np.abs(y) <= 1.0))
    return StructuralResult(
        Verdict.HOLDS if ok else Verdict.FAILS,
        "exact comparison of the float labels with 1", {"max_abs_label": repr(worst)},
        "" if ok else f"label {int(np.argmax(np.abs(y)))} has |y| = {worst!r} > 1")


LABELS_BOUNDED = Hypothesis("labels-bounded", "|y_i| <= 1 for every label (Sec. 3.1)",
                            predicate=_labels_bounded)
KAPPA_AT_MOST_ONE = Hypothesis("kappa-at-most-one", "0 < kappa <= 1 (Sec. 3.1)",
                               relation=Le(kappa, 1))


def _cited_constant(name: str, symbol: str, relation, expr, description: str, reference: str,
                    order: str, asymptotic_in=(), printed=None, bounds: Bound | None = None) -> Constant:
    step = Step(f"{reference}: the condition as printed, unnamed constants written "
                "c_w/c_kappa/c_eta/poly_w", relation, Check.CITED, reference)
    return Constant(name=name, symbol=sp.Symbol(symbol), expr=expr, description=description,
                    derivation=Derivation((step,)), asymptotic_in=asymptotic_in, order=order,
                    printed_big_o=printed, bounds=bounds)


# ------------------------------------------------------------------ Theorem 4.1
_RATE_WIDTH_EXPR = c_w * n**7 / (lambda0**4 * kappa**2 * delta**4 * epsilon**2)
_RATE_KAPPA_EXPR = c_kappa * epsilon * delta / sp.sqrt(n)
_STEP_EXPR = c_eta * lambda0 / n**2

_RATE_WIDTH = _cited_constant(
    "width", "m_req", Ge(m, _RATE_WIDTH_EXPR), _RATE_WIDTH_EXPR,
    "width required by Thm 4.1 (unnamed constant c_w)", "Thm 4.1", "Omega",
    (n, lambda0, delta, epsilon), n**7 / (lambda0**4 * kappa**2 * delta**4 * epsilon**2),
    bounds=Bound(m, Direction.AT_LEAST))
_RATE_KAPPA = _cited_constant(
    "kappa_max", "kappa_max", Le(kappa, _RATE_KAPPA_EXPR), _RATE_KAPPA_EXPR,
    "largest initialization scale allowed by Thm 4.1 (unnamed constant c_kappa)", "Thm 4.1", "O")
_STEP = _cited_constant(
    "step_size", "eta_max", Le(eta, _STEP_EXPR), _STEP_EXPR,
    "largest step allowed (unnamed constant c_eta)", "Thm 4.1 / Lemma 5.3", "O",
    bounds=Bound(eta, Direction.AT_MOST))

RATE_THEOREM = Theorem(
    id="adhlw2019-rate",
    title="Fine-grained convergence rate of gradient descent on a two-layer ReLU network",
    citation=Citation(**CITATION, result="Theorem 4.1",
                      note="constants O/Omega unnamed in the paper: symbols c_w, c_kappa, c_eta"),
    parameters=(n, m, delta, eta, kappa, epsilon),
    quantities=DZPS_QUANTITIES,
    hypotheses=(
        UNIT_NORM,
        LABELS_BOUNDED,
        LAMBDA0_POSITIVE,
        KAPPA_AT_MOST_ONE,
        Hypothesis("kappa", "kappa <= c_kappa eps delta / sqrt(n)",
                   relation=Le(kappa, _RATE_KAPPA_EXPR)),
        Hypothesis("width", "m >= c_w n^7 / (lambda0^4 kappa^2 delta^4 eps^2)",
                   relation=Ge(m, _RATE_WIDTH_EXPR)),
        Hypothesis("step-size", "eta <= c_eta lambda0 / n^2", relation=Le(eta, _STEP_EXPR)),
    ),
    constants=(_RATE_WIDTH, _RATE_KAPPA, _STEP),
    conclusion="with probability >= 1 - delta, for all k >= 0: ||y - u(k)||_2 = "
               "sqrt(sum_i (1 - eta lambda_i)^(2k) (v_i^T y)^2) +- eps, (lambda_i, v_i) the "
               "eigenpairs of H_inf (eq. 8)",
    conclusion_latex=r"\|y-u(k)\|_2=\sqrt{\sum_{i=1}^n(1-\eta\lambda_i)^{2k}(v_i^\top y)^2}\pm"
                     r"\epsilon",
    observables=("||y - u(k)|| vs the linear recursion u~(k+1) = u~(k) - eta H_inf (u~(k) - y)",),
    family="two-layer",
    unnamed_constants=(c_w, c_kappa, c_eta),
)

# ------------------------------------------------------------------ Theorem 5.1
_GEN_WIDTH_EXPR = poly_w / kappa**2
_GEN_KAPPA_EXPR = c_kappa * lambda0 * delta / n

_GEN_WIDTH = _cited_constant(
    "width", "m_req", Ge(m, _GEN_WIDTH_EXPR), _GEN_WIDTH_EXPR,
    "width required by Thm 5.1: kappa^-2 poly(n, 1/lambda0, 1/delta), the polynomial "
    "unspecified in the paper (its value: poly_w)", "Thm 5.1", "Omega",
    bounds=Bound(m, Direction.AT_LEAST))
_GEN_KAPPA = _cited_constant(
    "kappa_max", "kappa_max", Le(kappa, _GEN_KAPPA_EXPR), _GEN_KAPPA_EXPR,
    "largest initialization scale allowed by Thm 5.1 (unnamed constant c_kappa)", "Thm 5.1",
    "O")

GENERALIZATION_THEOREM = Theorem(
    id="adhlw2019-generalization",
    title="Data-dependent generalization bound sqrt(2 y^T H_inf^-1 y / n) for a trained "
          "two-layer ReLU network",
    citation=Citation(**CITATION, result="Theorem 5.1 (and Corollary 5.2)",
                      note="constants O and poly(n, 1/lambda0, 1/delta) unnamed in the paper: "
                           "symbols c_kappa, c_eta, poly_w"),
    parameters=(n, m, delta, eta, kappa),
    quantities=QUANTITIES,
    hypotheses=(
        UNIT_NORM,
        LABELS_BOUNDED,
        LAMBDA0_POSITIVE,
        KAPPA_AT_MOST_ONE,
        Hypothesis("kappa", "kappa <= c_kappa lambda0 delta / n",
                   relation=Le(kappa, _GEN_KAPPA_EXPR)),
        Hypothesis("width", "m >= poly(n, 1/lambda0, 1/delta) / kappa^2 (value poly_w)",
                   relation=Ge(m, _GEN_WIDTH_EXPR)),
        Hypothesis("step-size", "eta <= c_eta lambda0 / n^2", relation=Le(eta, _STEP_EXPR)),
    ),
    constants=(_GEN_WIDTH, _GEN_KAPPA, _STEP),
    conclusion="with probability >= 1 - delta over the initialization and an i.i.d. sample from "
               "a (lambda0, delta/3, n)-non-degenerate distribution, GD run for k >= "
               "Omega(log(n/delta)/(eta lambda0)) steps has population loss (any loss into [0,1], "
               "1-Lipschitz in the prediction, l(y,y) = 0; 0-1 error for y in {+-1}) at most "
               "sqrt(2 y^T H_inf^-1 y / n) + O(sqrt(log(n/(lambda0 delta)) / n)) (eq. 9)",
    conclusion_latex=r"L_{\mathcal D}(f_{W(k),a})\le\sqrt{\frac{2y^\top(H^\infty)^{-1}y}{n}}+"
                     r"O\Big(\sqrt{\tfrac{\log\frac{n}{\lambda_0\delta}}{n}}\Big)",
    observables=("test error vs sqrt(2 y^T H_inf^-1 y / n)",
                 "||W(k) - W(0)||_F vs sqrt(y^T H_inf^-1 y)"),
    notes=("The hypothesis lambda0-positive is checked on the sample; Definition 5.1 "
           "(non-degenerate distribution) is a property of the distribution that one sample "
           "cannot prove.",),
    family="two-layer",
    unnamed_constants=(c_kappa, c_eta, poly_w),
)

THEOREMS = (RATE_THEOREM, GENERALIZATION_THEOREM)
