"""Jin, Ge, Netrapalli, Kakade, Jordan, "How to Escape Saddle Points Efficiently" (ICML 2017,
arXiv:1703.00887): perturbed gradient descent (Algorithm 2), Theorem 3, and Theorem 5 under the
robust strict-saddle Assumption A2 (docs/saddle_certification.md): the algorithm's parameters are
tagged [S] (four secondary sources agree), the theorem numbers [P].

Parameters of PGD(x_0, ell, rho, epsilon, c, delta, Delta_f):

    chi = 3 max(log(d ell Delta_f / (c epsilon^2 delta)), 4),   eta = c / ell,
    r = sqrt(c)/chi^2 * epsilon/ell,   g_thres = sqrt(c)/chi^2 * epsilon,
    f_thres = c/chi^3 * sqrt(epsilon^3/rho),   t_thres = chi/c^2 * ell/sqrt(rho epsilon).

``c`` is the paper's absolute constant, required to satisfy c <= c_max where c_max exists but is
**not given numerically** (NOT VERIFIED): it is a sympy symbol, default ``DEFAULT_C = 1`` (the
largest value public implementations use), and the hypothesis ``c <= c_max`` is always
`undecided`, so this theorem is never reported `certified`; its constants are still evaluated
rigorously. ``log`` is the natural logarithm (both implementations; the paper's convention is NOT
VERIFIED). The explicit iteration count behind Theorem 3's O(.) is the derived (NOT VERIFIED)
``chi^4/c^3 * ell (f(x_0) - f*)/epsilon^2`` up to an absolute constant.

Instance data: the :class:`proofs.saddle_facts.SaddleFacts` in ``InstanceData.cache["saddle"]``
(``ell``, ``rho``: rigorous upper bounds on the box; ``delta_f`` >= sup f - inf f on the box;
``dim``; the robust strict-saddle triple ``constants`` (theta, gamma, zeta) with ``search``).
"""

from __future__ import annotations

import math

import sympy as sp

from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from proofs.core import (Check, Citation, Constant, Derivation, Eq, Hypothesis, InstanceData, Le, Quantity, Step,
                         StructuralResult, Theorem)
from proofs.saddle_facts import saddle_facts

ell = sp.Symbol("ell", positive=True)
rho = sp.Symbol("rho", positive=True)
epsilon = sp.Symbol("epsilon", positive=True)
delta = sp.Symbol("delta", positive=True)
Delta_f = sp.Symbol("Delta_f", positive=True)
c = sp.Symbol("c", positive=True)
d = sp.Symbol("d", positive=True, integer=True)

DEFAULT_C = sp.Integer(1)
"""Default of the absolute constant c (c <= c_max is required; c_max is not given in the paper)."""
DEFAULT_DELTA = sp.Rational(1, 10)

CHI = 3 * sp.Max(sp.log(d * ell * Delta_f / (c * epsilon**2 * delta)), 4)
ETA = c / ell
RADIUS = sp.sqrt(c) / CHI**2 * epsilon / ell
G_THRES = sp.sqrt(c) / CHI**2 * epsilon
F_THRES = c / CHI**3 * sp.sqrt(epsilon**3 / rho)
T_THRES = CHI / c**2 * ell / sp.sqrt(rho * epsilon)
ITERATIONS = CHI**4 / c**3 * ell * Delta_f / epsilon**2

CITATION = Citation(
    authors="C. Jin, R. Ge, P. Netrapalli, S. M. Kakade, M. I. Jordan",
    title="How to Escape Saddle Points Efficiently",
    venue="ICML 2017",
    arxiv="1703.00887",
    result="Algorithm 2 (PGD), Theorem 3, Theorem 5",
    note="c <= c_max with c_max not given numerically (NOT VERIFIED); c is a symbol with default 1",
)

_ALG = "1703.00887 Algorithm 2 (formulas [S], four secondary sources)"


def _cited(name, expr):
    sym = sp.Symbol(name)
    return Derivation((Step(f"{name} as set in Algorithm 2", Eq(sym, expr), Check.CITED, _ALG),))


def _point(name):
    def compute(instance: InstanceData) -> Interval:
        v = float(getattr(saddle_facts(instance), name))
        return Interval(v, v)
    return compute


def _c_max(instance: InstanceData) -> StructuralResult:
    return StructuralResult(Verdict.UNDECIDED, "c_max is an absolute constant of the proof that the paper does not "
                            "state numerically (NOT VERIFIED)", {"c": str(instance.params.get("c", DEFAULT_C))},
                            "c <= c_max cannot be checked")


def _a1(instance: InstanceData) -> StructuralResult:
    data = saddle_facts(instance)
    ok = math.isfinite(float(data.ell)) and math.isfinite(float(data.rho))
    if not ok:
        return StructuralResult(Verdict.UNDECIDED, "interval bounds on the box are unbounded", {})
    return StructuralResult(Verdict.UNDECIDED,
                            "ell and rho are certified on the box only; PGD's perturbations may leave it, and "
                            "A1 asks for global constants", {"ell": repr(data.ell), "rho": repr(data.rho)},
                            "A1 holds on the box; globally undecided")


def _a2(instance: InstanceData) -> StructuralResult:
    const = saddle_facts(instance).constants
    ev = {k: (repr(v) if isinstance(v, float) else v) for k, v in const.items() if k != "verdict"}
    return StructuralResult(const["verdict"], "branch-and-bound over the box: each sub-box has a proven gradient "
                            "lower bound >= theta, a Rayleigh quotient <= -gamma, or lies within zeta of a certified "
                            "local minimum", ev)


THEOREM = Theorem(
    id="jin2017-pgd",
    title="Perturbed gradient descent finds an epsilon-second-order stationary point in polylog(d)/epsilon^2 steps",
    citation=CITATION,
    parameters=(epsilon, delta, Delta_f, c, d),
    quantities=(
        Quantity("ell", ell, "gradient-Lipschitz constant on the box (>= sup ||Hessian||_2)",
                 "interval Hessian on a refined subdivision", compute=_point("ell")),
        Quantity("rho", rho, "Hessian-Lipschitz constant on the box (>= sup ||D^3 f||_F)",
                 "interval third derivatives on a subdivision", compute=_point("rho")),
    ),
    hypotheses=(
        Hypothesis("A1", "f is ell-gradient Lipschitz and rho-Hessian Lipschitz (globally)", predicate=_a1),
        Hypothesis("epsilon-range", "epsilon <= ell^2 / rho", relation=Le(epsilon, ell**2 / rho)),
        Hypothesis("c-at-most-c-max", "c <= c_max (absolute constant of the proof)", predicate=_c_max),
        Hypothesis("A2", "robust strict saddle (theta, gamma, zeta) on the box (for Theorem 5)", predicate=_a2),
    ),
    constants=(
        Constant("chi", sp.Symbol("chi"), CHI, "log factor of Algorithm 2", _cited("chi", CHI)),
        Constant("eta_pgd", sp.Symbol("eta_pgd"), ETA, "step size eta = c/ell", _cited("eta", ETA)),
        Constant("r", sp.Symbol("r"), RADIUS, "perturbation radius (uniform in the ball)", _cited("r", RADIUS)),
        Constant("g_thres", sp.Symbol("g_thres"), G_THRES, "gradient threshold", _cited("g_thres", G_THRES)),
        Constant("f_thres", sp.Symbol("f_thres"), F_THRES, "function-decrease threshold", _cited("f_thres", F_THRES)),
        Constant("t_thres", sp.Symbol("t_thres"), T_THRES, "steps between perturbations", _cited("t_thres", T_THRES)),
        Constant("iterations", sp.Symbol("T"), ITERATIONS,
                 "iteration count up to an absolute constant (derived, NOT VERIFIED)",
                 Derivation((
                     Step("large-gradient steps decrease f by eta/2 g_thres^2 = c^2/(2 chi^4) epsilon^2/ell",
                          Eq(ETA / 2 * G_THRES**2, c**2 / (2 * CHI**4) * epsilon**2 / ell), Check.SYMPY,
                          "1703.00887 Lemma 9 with the Algorithm 2 parameters"),
                     Step("a perturbation episode decreases f by f_thres in t_thres steps: per step "
                          "c^3/chi^4 epsilon^2/ell",
                          Eq(F_THRES / T_THRES, c**3 / CHI**4 * epsilon**2 / ell), Check.SYMPY,
                          "1703.00887 Lemma 10 (NOT VERIFIED count)"),
                     Step("so at most chi^4/c^3 ell Delta_f/epsilon^2 steps, up to a constant",
                          Eq(sp.Symbol("T"), ITERATIONS), Check.CITED,
                          "1703.00887 Theorem 3 (the count behind its O(.), derived from Lemmas 9-10, NOT VERIFIED)"),
                 )), asymptotic_in=(Delta_f, epsilon), order="O"),
    ),
    conclusion="with probability >= 1 - delta, PGD returns x with ||grad f(x)|| <= epsilon and "
               "lambda_min(Hessian f(x)) >= -sqrt(rho epsilon) within O(ell Delta_f/epsilon^2 log^4(d ell Delta_f/"
               "(epsilon^2 delta))) iterations; under A2 with epsilon = min(theta, gamma^2/rho) the output is "
               "zeta-close to a local minimum (Theorem 5)",
    observables=("PGD vs GD escape times near a certified saddle",),
    notes=("DEFAULT_C = 1 and DEFAULT_DELTA = 1/10 are used when the user gives no c or delta.",
           "Without a user epsilon, epsilon = min(theta, gamma^2/rho) from the certified A2 triple (Theorem 5)."),
    family="saddles",
)

THEOREMS = (THEOREM,)
