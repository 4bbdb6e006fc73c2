"""Du-Zhai-Poczos-Singh, "Gradient Descent Provably Optimizes Over-parameterized Neural Networks"
(ICLR 2019, arXiv:1810.02054v2): Theorem 3.1 (lambda0 > 0), Theorem 3.2 (gradient flow),
Theorem 4.1 (gradient descent), for f(W, a, x) = m^-1/2 sum_r a_r relu(w_r.x) with a fixed,
w_r(0) ~ N(0, I), loss 1/2 sum_i (f(x_i) - y_i)^2 and unit-norm inputs.

The paper states the widths only as Omega(n^6 / (lambda0^4 delta^3)) and the step as
O(lambda0 / n^2). The explicit constants below are derived from the displayed inequalities of its
proofs (Lemma 3.1, Lemma 3.2, Lemma 3.3 with the factor 2 corrected, Corollary 4.1, Lemma 4.1 and
the one-step bracket on p. 9); docs/dzps_constants.md writes the derivation out, with the paper's
slips. Every algebraic step is re-proved by sympy each time the derivation is checked, and the
probabilistic steps (Hoeffding, Markov) are marked `cited` with their location in the paper.
The big-O forms are derived from the explicit constants and compared with the printed ones.

Failure probability: the gradient-flow proof uses three events (Lemma 3.1, Lemma 3.2's Markov
bound, the Markov bound on ||y - u(0)||^2) and gradient descent four (adding Lemma 4.1); each gets
delta/3 resp. delta/4, so the conclusions hold with probability at least 1 - delta overall. (Three events
suffice for GD too, docs/dzps_constants.md; we keep the plain four-event count.)
"""

from __future__ import annotations

import sympy as sp

from numerics.arith.verdict import Verdict
from proofs.core import (Bound, Check, Citation, Constant, Derivation, Direction, Discrepancy, Eq, Ge, Gt,
                         Hypothesis, InstanceData, LeadingForm, Le, Lt, Quantity, Step, StructuralResult, Theorem)
from proofs.two_layer_quantities import label_bound, lambda0_evidence, lambda0_interval, parallel_pairs

# symbols shared by the three theorems (names are the keys the pipeline fills in)
n = sp.Symbol("n", positive=True, integer=True)
m = sp.Symbol("m", positive=True)
delta = sp.Symbol("delta", positive=True)
lambda0 = sp.Symbol("lambda0", positive=True)
eta = sp.Symbol("eta", positive=True)
C_y = sp.Symbol("C_y", nonnegative=True)
# auxiliaries used only inside derivations
N = sp.Symbol("N", positive=True)          # ||y - u(0)||_2
R = sp.Symbol("R", positive=True)
delta_e = sp.Symbol("delta_e", positive=True)  # failure probability of one event of the union bound
c = sp.Symbol("c", positive=True)
s = sp.Symbol("s", nonnegative=True)       # s >= 0 encodes side conditions by substitution
t = sp.Symbol("t", positive=True)
z = sp.Symbol("z", real=True)
x = sp.Symbol("x", nonnegative=True)

CITATION = dict(
    authors="S. S. Du, X. Zhai, B. Poczos, A. Singh",
    title="Gradient Descent Provably Optimizes Over-parameterized Neural Networks",
    venue="ICLR 2019",
    arxiv="1810.02054v2",
)

QUANTITIES = (
    Quantity("lambda0", lambda0, "lambda_min(H_inf), H_inf(i,j) = x_i.x_j (pi - arccos x_i.x_j)/(2 pi)",
             "interval Gram matrix + Rump's Cholesky test with shift (lower), rigorous Rayleigh quotient (upper)",
             compute=lambda0_interval, evidence=lambda0_evidence),
    Quantity("C_y", C_y, "max_i |y_i|", "exact", compute=label_bound),
)


def _unit_norm(instance: InstanceData) -> StructuralResult:
    return StructuralResult(
        Verdict.HOLDS,
        "by construction: the certificate is about x_i = v_i/||v_i|| (real arithmetic) "
        "for the stored float rows v_i; every enclosure is computed for these x_i",
        {"normalization": "exact (real arithmetic)"},
    )


def _no_parallel(instance: InstanceData) -> StructuralResult:
    pairs = parallel_pairs(instance)
    par = [(i, j) for i, j, kind in pairs if kind == "parallel"]
    anti = [(i, j) for i, j, kind in pairs if kind == "antiparallel"]
    evidence = {"parallel_pairs": [list(p) for p in par], "antiparallel_pairs": [list(p) for p in anti]}
    method = "exact rational arithmetic on the float inputs (all 2x2 minors of each candidate pair)"
    if par:
        i, j = par[0]
        return StructuralResult(Verdict.FAILS, method, evidence,
                                f"inputs {i} and {j} are parallel (x_{i} = x_{j} after normalization)"
                                + (f"; {len(par) - 1} more parallel pair(s)" if len(par) > 1 else ""))
    msg = (f"{len(anti)} antiparallel pair(s) (allowed by the theorem)" if anti else "")
    return StructuralResult(Verdict.HOLDS, method, evidence, msg)


UNIT_NORM = Hypothesis("unit-norm-inputs", "||x_i||_2 = 1 for every input", predicate=_unit_norm,
                       latex=r"\|x_i\|_2 = 1")
NO_PARALLEL = Hypothesis("no-parallel-inputs", "no two inputs are parallel (x_i not parallel to x_j for i != j)",
                         predicate=_no_parallel, latex=r"x_i \nparallel x_j \ (i \ne j)")
def _lambda0_zero_if_parallel(instance: InstanceData) -> StructuralResult | None:
    """Two parallel inputs (x_i = x_j) give two equal rows of H_inf, and H_inf is positive
    semidefinite (a Gram matrix of feature maps), so lambda0 = 0 exactly: the hypothesis fails,
    naming the pair. None when no two inputs are parallel (the relation then decides)."""
    par = [(i, j) for i, j, kind in parallel_pairs(instance) if kind == "parallel"]
    if not par:
        return None
    i, j = par[0]
    return StructuralResult(Verdict.FAILS, "exact parallel-input detection: equal rows i, j of H_inf, "
                            "and H_inf is positive semidefinite, so lambda0 = 0",
                            {"parallel_pairs": [list(p) for p in par], "lambda0": "0 (exact)"},
                            f"inputs {i} and {j} are parallel (x_{i} = x_{j}), so H_inf has two equal rows "
                            "and lambda0 = 0 exactly")


LAMBDA0_POSITIVE = Hypothesis("lambda0-positive", "Assumption 3.1: lambda0 = lambda_min(H_inf) > 0",
                              relation=Gt(lambda0, 0), refuted_by=_lambda0_zero_if_parallel)


# ---------------------------------------------------------------- Lemma 3.1 (event E1)
def _width_e1(split: int) -> Constant:
    """Lemma 3.1: ||H(0) - H_inf||_F^2 <= 16 n^2 log(n/delta')/m <= lambda0^2/16."""
    d = delta / split
    expr = 256 * n**2 * sp.log(n / d) / lambda0**2
    steps = (
        Step("Hoeffding per entry with delta' = delta/n^2, union bound over the n^2 entries: "
             "|H_ij(0) - H_inf_ij| <= 4 sqrt(log(n/delta)/m), hence ||H(0) - H_inf||_F^2 <= 16 n^2 log(n/delta)/m",
             Le(sp.Symbol("F2"), 16 * n**2 * sp.log(n / delta) / m), Check.CITED,
             "1810.02054v2 App. A, proof of Lemma 3.1 (p. 15); 'delta' = n^2 delta' read as delta/n^2"),
        Step("16 n^2 log(n/delta)/m = lambda0^2/16 exactly at m = 256 n^2 log(n/delta)/lambda0^2",
             Eq(16 * n**2 * sp.log(n / delta) / (256 * n**2 * sp.log(n / delta) / lambda0**2),
                   lambda0**2 / 16), Check.SYMPY, "Lemma 3.1"),
        Step(f"failure probability of E1 set to delta/{split} (union bound over the proof's events)",
             Eq(256 * n**2 * sp.log(n / delta_e) / lambda0**2, 256 * n**2 * sp.log(split * n / delta) / lambda0**2),
             Check.SYMPY, "union bound (not tracked in the paper)", substitution={delta_e: delta / split}),
    )
    return Constant(
        name="width_lemma31", symbol=sp.Symbol("m_E1"), expr=expr,
        description=f"width for Lemma 3.1 (||H(0) - H_inf||_2 <= lambda0/4) at failure probability delta/{split}",
        derivation=Derivation(steps, (DISCREPANCY_DELTA_PRIME,)),
        asymptotic_in=(n, lambda0, delta), bounds=Bound(m, Direction.AT_LEAST),
    )


DISCREPANCY_DELTA_PRIME = Discrepancy(
    location="App. A, proof of Lemma 3.1 (p. 15)",
    printed="set delta' = n^2 delta",
    checked="delta' = delta / n^2 (union bound over the n^2 entries)",
    consequence="none for the final bound, which the paper states with log(n/delta)",
)
DISCREPANCY_R_PRIME = Discrepancy(
    location="Lemma 3.3 (p. 6) and its proof",
    printed="R' = sqrt(n) ||y - u(0)||_2 / (sqrt(m) lambda0)",
    checked="R' = 2 sqrt(n) ||y - u(0)||_2 / (sqrt(m) lambda0): the unsquared residual decays as "
            "exp(-lambda0 s / 2), not exp(-lambda0 s)",
    consequence="the gradient-flow width constant is 512/pi instead of 128/pi (before the union bound)",
)
DISCREPANCY_R_DELTA = Discrepancy(
    location="Sec. 4, definition of R (p. 8)",
    printed="R = c lambda0 / n^2",
    checked="R = c delta lambda0 / n^2, as Lemma 3.2 requires and as the final inequality (with R/delta) uses",
    consequence="the delta-dependence of the GD width; the theorem's Omega(n^6/(lambda0^4 delta^3)) needs it",
)
DISCREPANCY_UNION = Discrepancy(
    location="proofs of Thm 3.2 and Thm 4.1",
    printed="each lemma holds with probability 1 - delta; the events are not combined",
    checked="union bound: 3 events (gradient flow), 4 events (gradient descent), each at delta/3 resp. delta/4",
    consequence="the explicit width constants carry factors 27 resp. 64",
)


# ------------------------------------------------------------- gradient flow (Thm 3.2)
def _gf_width() -> Constant:
    c_star = sp.sqrt(2 * sp.pi) / 16
    R_gf = c_star * delta * lambda0 / n**2
    R_prime = 2 * sp.sqrt(n) * N / (sp.sqrt(m) * lambda0)
    m_star = 512 * n**5 * N**2 / (sp.pi * delta**2 * lambda0**4)
    N2_markov = n * (C_y**2 + sp.Rational(1, 2)) / delta
    m_markov = sp.Rational(512) / sp.pi * (C_y**2 + sp.Rational(1, 2)) * n**6 / (lambda0**4 * delta**3)
    expr = m_markov.subs(delta, delta / 3)
    phi = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    steps = (
        Step("Lemma 3.2: P(|z| < R) <= 2R/sqrt(2 pi), Markov over the n^2 entries: "
             "||H(W) - H(0)||_2 <= 4 n^2 R / (sqrt(2 pi) delta)",
             Le(sp.Symbol("dH"), 4 * n**2 * R / (sp.sqrt(2 * sp.pi) * delta)), Check.CITED,
             "1810.02054v2 proof of Lemma 3.2 (p. 6)"),
        Step("with R = c delta lambda0/n^2 and c = sqrt(2 pi)/16 the bound equals lambda0/4 (E2)",
             Eq(4 * n**2 * R / (sp.sqrt(2 * sp.pi) * delta), lambda0 / 4),
             Check.SYMPY, "Lemma 3.2", substitution={R: R_gf}),
        Step("Lemma 3.3 corrected: integral of sqrt(n/m) exp(-lambda0 s/2) N over s in [0, inf) "
             "is R' = 2 sqrt(n) N/(sqrt(m) lambda0)",
             Eq(sp.Integral(sp.sqrt(n / m) * sp.exp(-lambda0 * t / 2) * N, (t, 0, sp.oo)), R_prime),
             Check.SYMPY, "Lemma 3.3 (p. 6)"),
        Step("E[relu(z)^2] = integral of z^2 phi(z) over z > 0 = 1/2 for z ~ N(0, 1), so E u_i(0)^2 = 1/2",
             Eq(sp.Integral(z**2 * phi, (z, 0, sp.oo)), sp.Rational(1, 2)), Check.SYMPY,
             "proof of Thm 3.2 (p. 7), exact value"),
        Step("E||y - u(0)||^2 = ||y||^2 + n/2 (the cross terms vanish since E a_r a_s = 0 for r != s); "
             "Markov (E3): ||y - u(0)||^2 <= n (C_y^2 + 1/2)/delta with probability >= 1 - delta",
             Le(N**2, N2_markov), Check.CITED, "proof of Thm 3.2 (p. 7)"),
        Step("R' = R exactly at m* = 512 n^5 N^2 / (pi delta^2 lambda0^4)",
             Eq(R_prime, R_gf), Check.SYMPY, "Lemma 3.4: R' < R", substitution={m: m_star}),
        Step("R' is decreasing in m, so R' < R exactly when m > m*",
             Lt(sp.diff(R_prime, m), 0), Check.SYMPY, "Lemma 3.4"),
        Step("substituting E3 (N^2 = n (C_y^2 + 1/2)/delta): m* <= 512/pi (C_y^2 + 1/2) n^6 / (lambda0^4 delta^3)",
             Eq(m_star, m_markov), Check.SYMPY, "proof of Thm 3.2", substitution={N: sp.sqrt(N2_markov)}),
        Step("union bound over E1, E2, E3 at delta/3 each: m > 13824/pi (C_y^2 + 1/2) n^6/(lambda0^4 delta^3)",
             Eq(expr, 13824 / sp.pi * (C_y**2 + sp.Rational(1, 2)) * n**6 / (lambda0**4 * delta**3)),
             Check.SYMPY, "union bound (not tracked in the paper)"),
        Step("the leading form of this width in (n, lambda0, delta) is the printed Omega(n^6 / (lambda0^4 delta^3))",
             Eq(LeadingForm(expr, n, lambda0, delta), n**6 / (lambda0**4 * delta**3)), Check.SYMPY, "Thm 3.2"),
    )
    return Constant(
        name="width", symbol=sp.Symbol("m_GF"), expr=expr,
        description="width sufficient for Thm 3.2 (R' < R), overall failure probability delta",
        derivation=Derivation(steps, (DISCREPANCY_R_PRIME, DISCREPANCY_UNION)),
        asymptotic_in=(n, lambda0, delta), order="Omega",
        printed_big_o=n**6 / (lambda0**4 * delta**3), bounds=Bound(m, Direction.AT_LEAST),
    )


# ---------------------------------------------------------- gradient descent (Thm 4.1)
C_L41 = sp.sqrt(2 / sp.pi)
C_SYM = sp.Symbol("C", positive=True)     # Lemma 4.1's constant, shown by name in the derivation
R_GD = delta * lambda0 / (8 * C_L41 * (n**2 + n**sp.Rational(3, 2)))
STEP_MAX = lambda0 / (4 * n**2)


def _gd_step() -> Constant:
    bracket = (1 - eta * lambda0 + 2 * C_L41 * eta * n**2 * R / delta
               + 2 * C_L41 * eta * n**sp.Rational(3, 2) * R / delta + eta**2 * n**2)
    steps = (
        Step("one-step bound: ||y - u(k+1)||^2 <= (1 - eta lambda0 + 2 C eta n^2 R/delta "
             "+ 2 C eta n^(3/2) R/delta + eta^2 n^2) ||y - u(k)||^2",
             Le(sp.Symbol("ratio"), bracket), Check.CITED, "1810.02054v2 p. 9 and App. B"),
        Step("with R = delta lambda0/(8 C (n^2 + n^(3/2))) and any eta = lambda0/(4 n^2 (1 + s)), s >= 0, "
             "the bracket is at most 1 - eta lambda0/2",
             Le(bracket, 1 - eta * lambda0 / 2), Check.SYMPY, "Thm 4.1",
             substitution={R: R_GD, eta: lambda0 / (4 * n**2 * (1 + s))}),
        Step("the leading form of this step in (n, lambda0) is the printed O(lambda0 / n^2)",
             Eq(LeadingForm(STEP_MAX, n, lambda0), lambda0 / n**2), Check.SYMPY, "Thm 4.1"),
    )
    return Constant(
        name="step_size", symbol=sp.Symbol("eta_max"), expr=STEP_MAX,
        description="largest step for which the proof's one-step bracket is <= 1 - eta lambda0/2",
        derivation=Derivation(steps), asymptotic_in=(n, lambda0), order="O",
        printed_big_o=lambda0 / n**2, bounds=Bound(eta, Direction.AT_MOST),
    )


def _gd_width() -> Constant:
    R_prime = 4 * sp.sqrt(n) * N / (sp.sqrt(m) * lambda0)
    m_exact = 2048 / sp.pi * n * (n**2 + n**sp.Rational(3, 2))**2 * N**2 / (delta**2 * lambda0**4)
    N2_markov = n * (C_y**2 + sp.Rational(1, 2)) / delta
    m_markov = m_exact.subs(N, sp.sqrt(N2_markov))
    expr = m_markov.subs(delta, delta / 4)
    xs = 1 - 1 / (1 + s)**2
    steps = (
        Step("Lemma 4.1: E|S_i^perp| <= 2 m R/sqrt(2 pi); Markov gives sum_i |S_i^perp| <= C m n R/delta "
             "with C = 2/sqrt(2 pi) = sqrt(2/pi)", Eq(C_SYM, 2 / sp.sqrt(2 * sp.pi)), Check.SYMPY,
             "1810.02054v2 Lemma 4.1 (p. 8); the paper says only 'some large constant'",
             substitution={C_SYM: C_L41}),
        Step("R = delta lambda0/(8 C (n^2 + n^(3/2))) equals sqrt(2 pi)/16 delta lambda0/(n^2 + n^(3/2))",
             Eq(delta * lambda0 / (8 * C_SYM * (n**2 + n**sp.Rational(3, 2))),
                sp.sqrt(2 * sp.pi) / 16 * delta * lambda0 / (n**2 + n**sp.Rational(3, 2))),
             Check.SYMPY, "Thm 4.1", substitution={C_SYM: C_L41}),
        Step("this R satisfies Lemma 3.2's requirement 4 n^2 R/(sqrt(2 pi) delta) <= lambda0/4",
             Le(4 * n**2 * R_GD / (sp.sqrt(2 * sp.pi) * delta), lambda0 / 4), Check.SYMPY,
             "Lemma 3.2"),
        Step("1 - sqrt(1 - x) >= x/2 on [0, 1) (written x = 1 - 1/(1 + s)^2, s >= 0)",
             Ge(1 - sp.sqrt(1 - x) - x / 2, 0), Check.SYMPY, "Corollary 4.1",
             substitution={x: xs}),
        Step("geometric sum: ||w_r(k+1) - w_r(0)|| <= eta sqrt(n/m) N / (1 - sqrt(1 - eta lambda0/2))",
             Le(sp.Symbol("dist"), eta * sp.sqrt(n / m) * N / (1 - sp.sqrt(1 - eta * lambda0 / 2))),
             Check.CITED, "Corollary 4.1, eq. (8)"),
        Step("with 1 - sqrt(1 - x) >= x/2 at x = eta lambda0/2 the radius is R' = 4 sqrt(n) N/(sqrt(m) lambda0)",
             Eq(eta * sp.sqrt(n / m) * N / (x / 2), R_prime), Check.SYMPY, "Corollary 4.1",
             substitution={x: eta * lambda0 / 2}),
        Step("R' = R exactly at m = 2048/pi n (n^2 + n^(3/2))^2 N^2/(delta^2 lambda0^4)",
             Eq(R_prime, R_GD), Check.SYMPY, "Thm 4.1", substitution={m: m_exact}),
        Step("R' is decreasing in m", Lt(sp.diff(R_prime, m), 0), Check.SYMPY, "Thm 4.1"),
        Step("Markov (E3): N^2 <= n (C_y^2 + 1/2)/delta", Le(N**2, N2_markov), Check.CITED,
             "proof of Thm 3.2 (p. 7)"),
        Step("substituting E3 and the union bound over E1, E2, E3 and Lemma 4.1 at delta/4 each gives the "
             "stated width 131072/pi (C_y^2 + 1/2) n^2 (n^2 + n^(3/2))^2/(lambda0^4 delta^3)",
             Eq(m_exact.subs(delta, delta_e), 131072 / sp.pi * (C_y**2 + sp.Rational(1, 2)) * n**2
                * (n**2 + n**sp.Rational(3, 2))**2 / (lambda0**4 * delta**3)),
             Check.SYMPY, "union bound (not tracked in the paper)",
             substitution={N: sp.sqrt(n * (C_y**2 + sp.Rational(1, 2)) / delta_e), delta_e: delta / 4}),
        Step("(n^2 + n^(3/2))^2 <= 4 n^4 for n >= 1 (n = (1 + s)^2), so the width is at most "
             "64 * 8192/pi (C_y^2 + 1/2) n^6/(lambda0^4 delta^3)",
             Le((n**2 + n**sp.Rational(3, 2))**2, 4 * n**4), Check.SYMPY,
             "our simplification (docs/dzps_constants.md)",
             substitution={n: (1 + s)**2}),
        Step("the leading form of this width in (n, lambda0, delta) is the printed Omega(n^6 / (lambda0^4 delta^3))",
             Eq(LeadingForm(expr, n, lambda0, delta), n**6 / (lambda0**4 * delta**3)), Check.SYMPY, "Thm 4.1"),
    )
    return Constant(
        name="width", symbol=sp.Symbol("m_GD"), expr=expr,
        description="width sufficient for Thm 4.1 (R' < R with the GD radius), overall failure probability delta",
        derivation=Derivation(steps, (DISCREPANCY_R_DELTA, DISCREPANCY_UNION)),
        asymptotic_in=(n, lambda0, delta), order="Omega",
        printed_big_o=n**6 / (lambda0**4 * delta**3), bounds=Bound(m, Direction.AT_LEAST),
    )


LAMBDA0_POSITIVE_THEOREM = Theorem(
    id="dzps2019-lambda0-positive",
    title="No two inputs parallel implies lambda0 > 0",
    citation=Citation(**CITATION, result="Theorem 3.1"),
    parameters=(n,),
    quantities=(QUANTITIES[0],),
    hypotheses=(UNIT_NORM, NO_PARALLEL),
    constants=(),
    conclusion="lambda0 = lambda_min(H_inf) > 0",
    conclusion_latex=r"\lambda_0 = \lambda_{\min}(H^\infty) > 0",
    notes=("The certified enclosure of lambda0 is reported as evidence beside the structural verdict.",),
    family="two-layer",
)

_E1_GF = _width_e1(3)
_E1_GD = _width_e1(4)
_GF_WIDTH = _gf_width()
_GD_WIDTH = _gd_width()
_GD_STEP = _gd_step()

GRADIENT_FLOW_THEOREM = Theorem(
    id="dzps2019-two-layer-gf",
    title="Gradient flow on an over-parametrized two-layer ReLU network converges linearly",
    citation=Citation(**CITATION, result="Theorem 3.2",
                      note="explicit constants: our completion of the proof (docs/dzps_constants.md), checked step by step"),
    parameters=(n, m, delta),
    quantities=QUANTITIES,
    hypotheses=(
        UNIT_NORM,
        LAMBDA0_POSITIVE,
        Hypothesis("width", "m > 13824/pi (C_y^2 + 1/2) n^6 / (lambda0^4 delta^3)",
                   relation=Gt(m, _GF_WIDTH.expr)),
        Hypothesis("width-lemma-3.1", "m >= 256 n^2 log(3n/delta) / lambda0^2 (Lemma 3.1 at delta/3)",
                   relation=Ge(m, _E1_GF.expr)),
    ),
    constants=(_GF_WIDTH, _E1_GF),
    conclusion="with probability >= 1 - delta over the initialization, ||u(t) - y||^2 <= exp(-lambda0 t) ||u(0) - y||^2 for all t >= 0",
    conclusion_latex=r"\|u(t)-y\|_2^2 \le e^{-\lambda_0 t}\|u(0)-y\|_2^2",
    observables=("loss vs exp(-lambda0 t) bound", "per-neuron movement vs R'"),
    family="two-layer",
)

GRADIENT_DESCENT_THEOREM = Theorem(
    id="dzps2019-two-layer-gd",
    title="Gradient descent on an over-parametrized two-layer ReLU network converges linearly",
    citation=Citation(**CITATION, result="Theorem 4.1",
                      note="explicit constants: our completion of the proof (docs/dzps_constants.md), checked step by step"),
    parameters=(n, m, delta, eta),
    quantities=QUANTITIES,
    hypotheses=(
        UNIT_NORM,
        LAMBDA0_POSITIVE,
        Hypothesis("width", "m > 131072/pi (C_y^2 + 1/2) n^2 (n^2 + n^(3/2))^2 / (lambda0^4 delta^3)",
                   relation=Gt(m, _GD_WIDTH.expr)),
        Hypothesis("width-lemma-3.1", "m >= 256 n^2 log(4n/delta) / lambda0^2 (Lemma 3.1 at delta/4)",
                   relation=Ge(m, _E1_GD.expr)),
        Hypothesis("step-size", "eta <= lambda0 / (4 n^2)", relation=Le(eta, STEP_MAX)),
    ),
    constants=(_GD_WIDTH, _GD_STEP, _E1_GD),
    conclusion="with probability >= 1 - delta over the initialization, ||u(k) - y||^2 <= (1 - eta lambda0/2)^k ||u(0) - y||^2 for all k >= 0",
    conclusion_latex=r"\|u(k)-y\|_2^2 \le \left(1-\tfrac{\eta\lambda_0}{2}\right)^k\|u(0)-y\|_2^2",
    observables=("loss vs (1 - eta lambda0/2)^k bound", "per-neuron movement vs R' = 4 sqrt(n)||y-u(0)||/(sqrt(m) lambda0)",
                 "fraction of activation patterns flipped", "lambda_min(H(k))"),
    family="two-layer",
)

THEOREMS = (LAMBDA0_POSITIVE_THEOREM, GRADIENT_FLOW_THEOREM, GRADIENT_DESCENT_THEOREM)
