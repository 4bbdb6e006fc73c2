"""The landscape theorems of slide 17, as conditions decided on an instance.

One theorem per family (the quadratic-activation net reuses
:data:`proofs.benign_landscape.DU_LEE` and ``DU_LEE_PERTURBED``). Each condition is a sympy
relation decided rigorously, or a structural check on the instance. Constants carry their
provenance in the derivation steps: ``sympy`` steps are derived and re-proved here, ``cited``
steps name the source with a tag: [P] read in the paper, [S] from a secondary source (the
authors' posts, slides, reviews), NOT VERIFIED (recalled, not checked against the paper). A constant the papers leave unnamed or that is NOT VERIFIED is a symbol the user
may supply (``--constants``); without it the condition is ``undecided`` with its critical value,
with it the verdict is ``conditional`` on that claim. A cited premise that no computation can
check (a sampling model, a genericity assumption) is reported as a premise, never as holding.

Instance data: ``InstanceData.cache["landscape"] = (family, instance, certificate)``.
"""

from __future__ import annotations

import math

import sympy as sp

from numerics.arith.interval import Interval
from numerics.arith.verdict import Verdict
from proofs.core import (Check, Citation, Constant, Derivation, Ge, Gt, Hypothesis, InstanceData, Le, Lt,
                         Quantity, Step, StructuralResult, Theorem)

n, m, d, r, k, p = sp.symbols("n m d r k p", positive=True, integer=True)
theta, mu, lam, p_obs = sp.symbols("theta mu lambda p_obs", positive=True)
C_pr, C_mc, C_dl, c_dl = sp.symbols("C_pr C_mc C_dl c_dl", positive=True)
delta_2r = sp.Symbol("delta_2r", nonnegative=True)
c_mu, c_lam = sp.symbols("c_mu c_lambda", positive=True)
kappa, mu_inc = sp.symbols("kappa mu_inc", positive=True)


def _landscape(instance: InstanceData):
    return instance.cache["landscape"]


def premise(statement: str, tag: str) -> StructuralResult:
    """A cited premise: never checked, reported as such (``conditional`` at the theorem level)."""
    return StructuralResult(Verdict.UNDECIDED, f"cited premise {tag}", {"premise": True, "tag": tag},
                            f"premise, not checked on the instance: {statement}")


def _planted_exact(instance: InstanceData) -> StructuralResult:
    _, inst, cert = _landscape(instance)
    if cert is not None and cert.status == "certified" and "witness" in cert.details:
        return StructuralResult(Verdict.HOLDS, "the planted ground truth reproduces the data exactly (integers)",
                                {"witness": cert.details["witness"]})
    if inst.planted is None:
        return StructuralResult(Verdict.UNDECIDED, "no ground truth", {}, "the data come without a ground truth")
    return StructuralResult(Verdict.UNDECIDED, "exact check not run", {},
                            "the exact check of the ground truth runs with the global-optimality certificate")


def _orthonormal_rows(key: str):
    def check(instance: InstanceData) -> StructuralResult:
        from numerics.landscape.families.quantities import is_exactly_orthogonal
        _, inst, _ = _landscape(instance)
        A = inst.data[key] if key in inst.data else inst.planted[key]
        if is_exactly_orthogonal(A):
            return StructuralResult(Verdict.HOLDS, "A A^T = I in integer arithmetic (dyadic entries)", {})
        return StructuralResult(Verdict.UNDECIDED, "exact check", {},
                                "not exactly orthonormal in binary64 (orthonormal only up to rounding)")
    return check


def _positive(key: str):
    def check(instance: InstanceData) -> StructuralResult:
        _, inst, _ = _landscape(instance)
        a = inst.data[key]
        ok = bool((a > 0).all())
        return StructuralResult(Verdict.HOLDS if ok else Verdict.FAILS, "exact comparison of the stored floats",
                                {"min": repr(float(a.min()))})
    return check


def _quantity(name: str, symbol, description: str, method: str, fn):
    def compute(instance: InstanceData) -> Interval:
        cache = instance.cache.setdefault("quantities", {})
        if name not in cache:
            try:
                cache[name] = fn(*_landscape(instance))
            except (ValueError, ArithmeticError, KeyError, TypeError):
                cache[name] = Interval(0.0, math.inf)
        return cache[name]
    return Quantity(name, symbol, description, method, compute)


# ------------------------------------------------------------------------------ Burer-Monteiro
_q = sp.Symbol("q", positive=True)

P_MIN = Constant(
    name="p_min", symbol=sp.Symbol("p_min"), expr=(sp.sqrt(8 * n + 1) - 1) / 2,
    description="p(p+1)/2 > n holds exactly for the integers p > p_min",
    derivation=Derivation((
        Step("the rank condition p (p + 1)/2 > m for an SDP with m linear constraints (Boumal, Voroninski, "
             "Bandeira 2016; Max-Cut: m = n)", Gt(p * (p + 1) / 2, n), Check.CITED,
             "arXiv:1606.04970, main theorem ([S]: Cifuentes and a NeurIPS review; NOT VERIFIED in the primary text)"),
        Step("p_min is the positive root of p (p + 1)/2 = n", sp.Eq(_q * (_q + 1) / 2, n),
             Check.SYMPY, "algebra", substitution={_q: (sp.sqrt(8 * n + 1) - 1) / 2}),
    )),
)

BVB = Theorem(
    id="bvb2016-burer-monteiro",
    title="Burer-Monteiro for Max-Cut: second-order critical points are globally optimal when p(p+1)/2 > n",
    citation=Citation("N. Boumal, V. Voroninski, A. S. Bandeira",
                      "The non-convex Burer-Monteiro approach works on smooth semidefinite programs", "NeurIPS 2016",
                      "1606.04970", "main theorem (smooth SDPs; Max-Cut example)",
                      note="[P] abstract; the rank condition is [S] / NOT VERIFIED in the primary text"),
    parameters=(n, p), quantities=(),
    hypotheses=(
        Hypothesis("rank", "p (p + 1)/2 > n", relation=Gt(p * (p + 1) / 2, n)),
        Hypothesis("smooth-manifold", "{Y : diag(Y Y^T) = 1} is a compact smooth manifold with linearly independent "
                   "constraint gradients", predicate=lambda inst: StructuralResult(
                       Verdict.HOLDS, "derived: the gradients 2 e_i e_i^T Y of diag(Y Y^T)_i are supported on "
                       "distinct rows, each non-zero on unit rows", {})),
        Hypothesis("generic-cost", "the cost matrix is generic (the statement holds for almost every C)",
                   predicate=lambda inst: premise("the graph's adjacency is generic", "[S]")),
    ),
    constants=(P_MIN,),
    conclusion="every second-order critical point Y has Y Y^T optimal for the SDP",
    observables=("rank of the Burer-Monteiro factor; dual certificate of the point GD found",),
    notes=("The global optimality of the point GD found does not rest on this theorem: it is proved on the "
           "instance by SDP duality (global_optimality).",),
    family="landscapes",
)

# ------------------------------------------------------------------------------ phase retrieval
SQW_PR = Theorem(
    id="sqw2018-phase-retrieval",
    title="Phase retrieval: no spurious local minimizers when m >= C n log^3 n",
    citation=Citation("J. Sun, Q. Qu, J. Wright", "A geometric analysis of phase retrieval", "FoCM 2018", "1602.06664",
                      "main theorem (complex Gaussian measurements)",
                      note="[P] abstract for m >= C n log^3 n; C is unnamed; the real-valued form used here and the "
                           "objective's normalization are NOT VERIFIED"),
    parameters=(n, m), quantities=(),
    hypotheses=(
        Hypothesis("samples", "m / (n log(n)^3) >= C_pr (m >= C_pr n log^3 n; n >= 2)",
                   relation=Ge(m / (n * sp.log(n) ** 3), C_pr)),
        Hypothesis("gaussian-measurements", "a_k i.i.d. Gaussian",
                   predicate=lambda inst: premise("a_k i.i.d. Gaussian (the seeded a_k are Gaussians rounded to "
                                                  "multiples of 1/16)", "[P]")),
        Hypothesis("noiseless", "y_k = (a_k . x*)^2 exactly", predicate=_planted_exact),
    ),
    constants=(), unnamed_constants=(C_pr,),
    conclusion="with high probability every local minimizer is +-x* and every saddle has negative curvature",
    family="landscapes",
)

# ------------------------------------------------------------------------------ matrix sensing
def _rip_not_refuted(instance: InstanceData) -> StructuralResult:
    from numerics.landscape.families.quantities import rip_lower_bound
    _, inst, _ = _landscape(instance)
    Z = inst.planted["Z"] if inst.planted else None
    low = rip_lower_bound(inst.data["A"], 2 * inst.size["r"], Z)
    ev = {"delta_2r_lower_bound": repr(low)}
    if low >= 0.2:
        return StructuralResult(Verdict.FAILS, "rigorous lower bound of delta_2r from test matrices", ev,
                                f"delta_2r >= {low:.3g} >= 1/5: the RIP premise is false for this operator")
    return StructuralResult(Verdict.UNDECIDED, "rigorous lower bound of delta_2r from test matrices", ev,
                            f"delta_2r >= {low:.3g} is all that is proved (delta_2r itself is intractable)")


BNS = Theorem(
    id="bns2016-matrix-sensing",
    title="Matrix sensing: RIP delta_2r < 1/5 implies no spurious local minima",
    citation=Citation("S. Bhojanapalli, B. Neyshabur, N. Srebro", "Global optimality of local search for low rank "
                      "matrix recovery", "NeurIPS 2016", "1605.07221", "noiseless theorem",
                      note="[P] abstract; delta_2r < 1/5 and the normalization A(X)_i = <A_i, X>/sqrt(m) are [S]"),
    parameters=(n, r, m), quantities=(),
    hypotheses=(
        Hypothesis("rip", "delta_2r < 1/5 (restricted isometry on rank-2r matrices)",
                   relation=Lt(delta_2r, sp.Rational(1, 5))),
        Hypothesis("rip-not-refuted", "the proved lower bound of delta_2r is below 1/5", predicate=_rip_not_refuted),
        Hypothesis("noiseless", "y_i = <A_i, Z Z^T> exactly", predicate=_planted_exact),
    ),
    constants=(), unnamed_constants=(delta_2r,),
    conclusion="every local minimum U has U U^T = Z Z^T",
    family="landscapes",
)

# ------------------------------------------------------------------------------ matrix completion
def _coherence(family, inst, cert):
    from numerics.landscape.families.quantities import coherence_and_condition
    return coherence_and_condition(inst.planted["Z"])


GLM_MC = Theorem(
    id="glm2016-matrix-completion",
    title="PSD matrix completion: no spurious local minima for the regularized objective",
    citation=Citation("R. Ge, J. D. Lee, T. Ma", "Matrix completion has no spurious local minimum", "NeurIPS 2016",
                      "1605.07272", "rank-r theorem",
                      note="[P] abstract; the sample condition p >= C mu^4 r^6 kappa^6 log d / d and the regularizer "
                           "are NOT VERIFIED"),
    parameters=(d, r, p_obs),
    quantities=(
        _quantity("mu_inc", mu_inc, "incoherence (d/r) max_i ||e_i^T P_Z||^2", "verified solve",
                  lambda f, i, c: _coherence(f, i, c)[0]),
        _quantity("kappa", kappa, "condition number lambda_1/lambda_r of Z Z^T", "verified eigenvalues",
                  lambda f, i, c: _coherence(f, i, c)[1]),
    ),
    hypotheses=(
        Hypothesis("samples", "p_obs d / (mu^4 r^6 kappa^6 log d) >= C_mc (p_obs >= C_mc mu^4 r^6 kappa^6 log(d)/d)",
                   relation=Ge(p_obs * d / (mu_inc ** 4 * r ** 6 * kappa ** 6 * sp.log(d)), C_mc)),
        Hypothesis("uniform-sampling", "each entry observed independently with probability p",
                   predicate=lambda inst: premise("Bernoulli(p) sampling of the entries", "NOT VERIFIED")),
        Hypothesis("regularizer", "the objective includes lambda sum_i (||e_i^T U|| - alpha)_+^4",
                   predicate=lambda inst: StructuralResult(
                       Verdict.UNDECIDED, "not part of the objective", {},
                       "the regularizer's constants are NOT VERIFIED, so the unregularized objective is used")),
        Hypothesis("noiseless", "M = Z Z^T exactly on the observed entries", predicate=_planted_exact),
    ),
    constants=(), unnamed_constants=(C_mc,),
    conclusion="with high probability every local minimum U has U U^T = M",
    family="landscapes",
)

# ------------------------------------------------------------------------------ rank-k
def _spectrum(instance: InstanceData) -> dict:
    from numerics.landscape.families.quantities import spectrum_bounds
    cache = instance.cache.setdefault("quantities", {})
    if "spectrum" not in cache:
        _, inst, _ = _landscape(instance)
        cache["spectrum"] = spectrum_bounds(inst.data["M"], inst.size["k"])
    return cache["spectrum"]


def _psd(instance: InstanceData) -> StructuralResult:
    lm = _spectrum(instance)["lambda_min"]
    ev = {"lambda_min": [repr(float(lm.lo)), repr(float(lm.hi))]}
    if float(lm.lo) >= 0:
        return StructuralResult(Verdict.HOLDS, "verified eigenvalue enclosure", ev)
    if float(lm.hi) < 0:
        return StructuralResult(Verdict.FAILS, "verified eigenvalue enclosure", ev)
    return StructuralResult(Verdict.UNDECIDED, "verified eigenvalue enclosure", ev, "lambda_min encloses 0")


def _gap(instance: InstanceData) -> StructuralResult:
    g = _spectrum(instance)["gap"]
    if g is None:
        return StructuralResult(Verdict.HOLDS, "k = d: nothing to separate", {})
    ev = {"gap": [repr(float(g.lo)), repr(float(g.hi))]}
    if float(g.lo) > 0:
        return StructuralResult(Verdict.HOLDS, "verified eigenvalue enclosures", ev)
    return StructuralResult(Verdict.UNDECIDED, "verified eigenvalue enclosures", ev, "the gap is not proved positive")


BH = Theorem(
    id="bh1989-rank-k",
    title="Rank-k approximation: every local minimum of 1/2 ||M - U U^T||_F^2 is global",
    citation=Citation("P. Baldi, K. Hornik", "Neural networks and principal component analysis: learning from "
                      "examples without local minima", "Neural Networks 2:53-58 (1989)", "n/a",
                      "main theorem (linear autoencoder); symmetric form classical",
                      note="NOT VERIFIED against the source (classical)"),
    parameters=(d, k), quantities=(),
    hypotheses=(
        Hypothesis("psd", "M is positive semidefinite", predicate=_psd),
        Hypothesis("eigengap", "lambda_k > lambda_{k+1} (the top-k eigenspace is unique)", predicate=_gap),
        Hypothesis("rank", "k <= d", relation=Le(k, d)),
    ),
    constants=(),
    conclusion="every local minimum spans the top-k eigenspace; its value is the tail 1/2 sum_{i>k} lambda_i^2",
    notes=("NOT VERIFIED against the paper (classical result).",),
    family="landscapes",
)

# ------------------------------------------------------------------------------ tensor
GHJY_T = Theorem(
    id="ghjy2015-tensor",
    title="Orthogonal tensor decomposition: the sphere-constrained formulation is strict saddle, local minima are "
          "the components",
    citation=Citation("R. Ge, F. Huang, C. Jin, Y. Yuan", "Escaping from saddle points: online stochastic gradient "
                      "for tensor decomposition", "COLT 2015", "1503.02101", "tensor decomposition section",
                      note="[P] abstract; the objective and the strict-saddle parameters are NOT VERIFIED"),
    parameters=(d,), quantities=(),
    hypotheses=(
        Hypothesis("orthonormal", "the components a_l are orthonormal", predicate=_orthonormal_rows("A")),
        Hypothesis("dimension", "d >= 2", relation=Ge(d, 2)),
    ),
    constants=(),
    conclusion="all local minima are {+-a_pi(i)}; the problem is strict saddle with parameters polynomial in 1/d",
    family="landscapes",
)

# ------------------------------------------------------------------------------ dictionary learning
SQW_DL = Theorem(
    id="sqw2017-dictionary",
    title="Complete dictionary recovery over the sphere: no spurious local minimizers",
    citation=Citation("J. Sun, Q. Qu, J. Wright", "Complete dictionary recovery over the sphere", "IEEE TIT 2017",
                      "1511.03607", "main geometric theorem (orthogonal case)",
                      note="[P] abstract; theta in (0, 1/3) is [S]; the mu and sample-size conditions are "
                           "NOT VERIFIED"),
    parameters=(n, p), quantities=(),
    hypotheses=(
        Hypothesis("sparsity", "theta < 1/3", relation=Lt(theta, sp.Rational(1, 3))),
        Hypothesis("orthogonal", "A0 orthogonal (the orthogonal case; no preconditioning)",
                   predicate=_orthonormal_rows("A0")),
        Hypothesis("smoothing", "mu <= c_dl min(theta/n, n^(-5/4))",
                   relation=Le(mu, c_dl * sp.Min(theta / n, n ** sp.Rational(-5, 4)))),
        Hypothesis("samples", "p >= C_dl n^3 log(n/(mu theta))/(mu^2 theta^2)",
                   relation=Ge(p, C_dl * n ** 3 * sp.log(n / (mu * theta)) / (mu ** 2 * theta ** 2))),
        Hypothesis("bernoulli-gaussian", "X0 Bernoulli(theta)-Gaussian",
                   predicate=lambda inst: premise("X0 Bernoulli(theta)-Gaussian", "[S]")),
    ),
    constants=(), unnamed_constants=(c_dl, C_dl),
    conclusion="with high probability every local minimizer is close to +-a_i (a column of A0)",
    family="landscapes",
)

# ------------------------------------------------------------------------------ landscape design
def _kappa_a(family, inst, cert):
    a = inst.data["a_star"]
    return Interval(float(a.max()), float(a.max())) / Interval(float(a.min()), float(a.min()))


GLM_LD = Theorem(
    id="glm2018-landscape-design",
    title="Landscape design: every local minimum of the designed objective G recovers B* (up to sign and "
          "permutation)",
    citation=Citation("R. Ge, J. D. Lee, T. Ma", "Learning one-hidden-layer neural networks with landscape design",
                      "ICLR 2018", "1711.00501", "main theorem (orthonormal B*)",
                      note="[P] abstract (m <= d, a* >= 0, B* full rank); [P] eq. (2.7) and Thm 2.3 (mu <= c/kappa*, "
                           "lambda >= a*_max/c); the population form of G derived and checked in "
                           "docs/landscape_design.md (the printed Thm 2.6 differs by a factor 2), so c_mu, "
                           "c_lambda stay symbols the user supplies"),
    parameters=(d, m),
    quantities=(_quantity("kappa", kappa, "a*_max / a*_min", "exact quotient, enclosed", _kappa_a),),
    hypotheses=(
        Hypothesis("width", "m <= d", relation=Le(m, d)),
        Hypothesis("positive-output", "a* > 0", predicate=_positive("a_star")),
        Hypothesis("orthonormal", "the rows of B* are orthonormal", predicate=_orthonormal_rows("B_star")),
        Hypothesis("mu-small", "mu <= c_mu / kappa", relation=Le(mu, c_mu / kappa)),
        Hypothesis("lambda-large", "lambda >= c_lambda", relation=Ge(lam, c_lam)),
    ),
    constants=(), unnamed_constants=(c_mu, c_lam),
    conclusion="every approximate local minimum of G is close to +-a permutation of the rows of B*",
    family="landscapes",
)

THEOREMS = (BVB, SQW_PR, BNS, GLM_MC, BH, GHJY_T, SQW_DL, GLM_LD)


def theorem_status(evaluated: dict) -> str:
    """``certified`` (every hypothesis holds unconditionally), ``conditional`` (every hypothesis
    holds, some only under a user-supplied constant, or is a cited premise), else ``not-certified``."""
    hyps = evaluated["hypotheses"]
    if all(h["verdict"] == "holds" and not h.get("conditional_on") for h in hyps):
        return "certified"
    if all(h["verdict"] == "holds" or (h.get("evidence") or {}).get("premise") for h in hyps):
        return "conditional"
    return "not-certified"
