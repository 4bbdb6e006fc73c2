"""An exact zero of a smooth map next to a float point: Newton-Kantorovich on the least-norm
correction.

**Theorem** (docs/newton_kantorovich.md). Let ``F: R^N -> R^m`` with ``m <= N`` be C^1 on the
closed ball ``B(x0, rho)``, and suppose

* ``||F(x0)||_2 <= eps`` (a rigorous residual enclosure at the float point x0),
* ``sigma_m(DF(x0)) >= sigma > 0`` (the smallest of the m singular values; full row rank),
* ``||DF(x) - DF(x')||_2 <= L ||x - x'||_2`` for x, x' in ``B(x0, rho)``.

If ``h = L eps / sigma^2 <= 1/2`` and ``r = 2 eps / (sigma (1 + sqrt(1 - 2h))) <= rho``, then F
has a zero ``x*`` with ``||x* - x0||_2 <= r``.

Proof: the least-norm correction ``x0 + P z`` with ``P = DF(x0)^+`` (so ``||P||_2 <= 1/sigma``
and ``DF(x0) P = I``) turns F into ``G(z) = F(x0 + P z)`` on R^m with ``G'(0) = I`` and
``G'`` Lipschitz with constant ``L / sigma^2``; Kantorovich's theorem (Ortega & Rheinboldt,
Iterative Solution of Nonlinear Equations, 12.6.2) gives a zero ``z*`` of G with
``||z*|| <= 2 eps / (1 + sqrt(1 - 2h))``, and ``x* = x0 + P z*``. Nothing requires ``x*`` to be
unique: for ``m < N`` the zeros form a manifold, and the theorem finds one within ``r``.

Every scalar step is decided in exact rational arithmetic on the float bounds (the square root
rounded down and checked by squaring). The caller supplies rigorous bounds; this module also
gives the two that have one standard form: the residual norm from an interval residual
(:func:`residual_norm_upper`) and ``sigma`` from an interval Jacobian
(:func:`smallest_singular_value_lower`, the verified ``lambda_min(J J^T)`` of
:mod:`numerics.linalg.spectral`). The Lipschitz bound is the problem's own (a function of the
ball's radius). This is the argument of the two-layer instance certificate
(:mod:`numerics.instance.lazy_minimizer`, where F is piecewise linear and ``L = 0``) made
general.

**Frozen-derivative form** (:func:`simplified_newton_zero`, docs/deep_instance_certificate.md,
"The zero"), used by the deep instance certificate. Let ``G: R^n -> R^n`` be C^1 on the closed
ball ``B = {||alpha|| <= r}`` and M a fixed n x n matrix with ``||G(0)|| <= eps``,
``||M v|| >= sigma ||v||`` for all v, and ``||DG(alpha) - M||_2 <= delta`` on B. If
``delta < sigma`` and ``eps <= r (sigma - delta)``, G has exactly one zero in B. Proof:
``T(alpha) = alpha - M^-1 G(alpha)`` has ``||DT|| = ||M^-1 (M - DG)|| <= q = delta/sigma < 1`` on
the convex B and ``||T(alpha)|| <= q r + eps/sigma <= r``: a contraction of B into itself (Banach),
whose fixed points are the zeros of G. It needs a bound of ``DG - M`` over the ball instead of a
Lipschitz constant between pairs of points (Ortega & Rheinboldt 12.5; Krawczyk's operator with a
point matrix).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from numerics.arith.interval import Interval, matmul_enclosure
from numerics.arith.rounding import down, round_up_fraction, up
from numerics.arith.verdict import Verdict

__all__ = ["SimplifiedNewtonCertificate", "ZeroCertificate", "kantorovich_zero", "prove_zero_near",
           "residual_norm_upper", "simplified_newton_zero", "smallest_singular_value_lower"]


@dataclass(frozen=True)
class ZeroCertificate:
    """Outcome of the Newton-Kantorovich test.

    ``verdict`` HOLDS: a zero of F lies within ``radius`` of x0 (proved). UNDECIDED: nothing
    is claimed (``reason`` says which condition was missed). The inputs are recorded as the
    bounds that were used: ``eps >= ||F(x0)||``, ``sigma <= sigma_m(DF(x0))``, ``lipschitz``
    on the ball of radius ``ball``; ``h`` is an upper bound of ``L eps / sigma^2``.
    """

    verdict: Verdict
    radius: float | None
    eps: float
    sigma: float
    lipschitz: float
    ball: float
    h: float | None
    reason: str = ""

    def as_dict(self) -> dict:
        def f(x):
            return None if x is None else repr(float(x))
        return {"verdict": self.verdict.value, "radius": f(self.radius), "residual_norm": f(self.eps),
                "sigma_min": f(self.sigma), "lipschitz": f(self.lipschitz), "ball": f(self.ball),
                "h": f(self.h), "reason": self.reason}


def _nonneg(name: str, x) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name}={x!r} must be a real number")
    x = float(x)
    if math.isnan(x) or x < 0:
        raise ValueError(f"{name}={x!r} is not allowed; allowed: a number >= 0 (an upper or lower bound)")
    return x


def _up(q: Fraction) -> float:
    """The smallest float >= q, or inf when q is beyond the float range."""
    try:
        return round_up_fraction(q)
    except OverflowError:
        return math.inf


def _sqrt_down(q: Fraction) -> Fraction:
    """A rational s with 0 <= s <= sqrt(q) (q >= 0): a float square root, lowered until s^2 <= q."""
    s = float(math.sqrt(float(q)))
    while s > 0 and Fraction(s) ** 2 > q:
        s = float(down(s))
    return Fraction(max(s, 0.0))


def kantorovich_zero(eps: float, sigma: float, lipschitz: float, ball: float) -> ZeroCertificate:
    """Decide the theorem of the module docstring from the four bounds (exact arithmetic).

    ``eps``: upper bound of ``||F(x0)||_2``; ``sigma``: lower bound of ``sigma_m(DF(x0))``;
    ``lipschitz``: upper bound of the Lipschitz constant of DF on ``B(x0, ball)``.
    """
    eps, sigma = _nonneg("eps", eps), _nonneg("sigma", sigma)
    lipschitz, ball = _nonneg("lipschitz", lipschitz), _nonneg("ball", ball)

    def undecided(reason, h=None):
        return ZeroCertificate(Verdict.UNDECIDED, None, eps, sigma, lipschitz, ball, h, reason)

    if not all(math.isfinite(v) for v in (eps, sigma, lipschitz, ball)):
        return undecided("a bound is infinite")
    if sigma == 0:
        return undecided("the Jacobian is not proved to have full row rank (sigma lower bound 0)")
    E, S, L = Fraction(eps), Fraction(sigma), Fraction(lipschitz)
    h = L * E / (S * S)
    h_up = _up(h)
    if h > Fraction(1, 2):
        return undecided(f"h = L eps / sigma^2 <= {h_up:.3g} is not proved <= 1/2", h_up)
    s = _sqrt_down(1 - 2 * h)
    r = 2 * E / (S * (1 + s))
    radius = _up(r)
    if r > Fraction(ball):
        return undecided(f"the radius {radius:.3g} exceeds the ball {ball:.3g} on which L holds", h_up)
    return ZeroCertificate(Verdict.HOLDS, radius, eps, sigma, lipschitz, ball, h_up,
                           "Newton-Kantorovich on the least-norm correction")


def residual_norm_upper(residual: Interval) -> float:
    """An upper bound of ``||F(x0)||_2`` for every vector in the interval ``residual``."""
    r = residual if isinstance(residual, Interval) else Interval(np.asarray(residual, dtype=np.float64))
    mag = np.asarray(r.mag(), dtype=np.float64).ravel()
    if not np.isfinite(mag).all():
        return math.inf
    sq = up(mag * mag)
    total = float(up(math.fsum(sq.tolist())))     # fsum is correctly rounded
    return float(up(math.sqrt(total)))


def smallest_singular_value_lower(jacobian: Interval, rel_tol: float = 1e-6) -> float:
    """A lower bound (>= 0) of ``sigma_m(J)`` for every m x N matrix J in ``jacobian`` (m <= N):
    ``sqrt(lambda_min(J J^T))`` with ``J J^T`` enclosed and lambda_min verified
    (:func:`numerics.linalg.spectral.lambda_min_enclosure`). 0 when nothing better is proved."""
    from numerics.linalg.spectral import lambda_min_enclosure

    J = jacobian if isinstance(jacobian, Interval) else Interval(np.asarray(jacobian, dtype=np.float64))
    if J.ndim != 2 or J.shape[0] > J.shape[1] or J.shape[0] == 0:
        raise ValueError(f"jacobian: got shape {J.shape}; allowed: m x N with 1 <= m <= N")
    if not J.is_finite():
        return 0.0
    G = matmul_enclosure(J, J.T)
    G = Interval._raw(np.minimum(G.lo, G.lo.T), np.maximum(G.hi, G.hi.T))
    lam = lambda_min_enclosure(G, rel_tol=rel_tol).lo
    if not lam > 0:
        return 0.0
    s = float(down(math.sqrt(lam)))
    while s > 0 and Fraction(s) ** 2 > Fraction(lam):
        s = float(down(s))
    return max(s, 0.0)


def prove_zero_near(residual: Interval, jacobian: Interval,
                    lipschitz: Callable[[float], float]) -> ZeroCertificate:
    """Prove a zero of F within a small radius of x0.

    ``residual``: enclosure of ``F(x0)``; ``jacobian``: enclosure of ``DF(x0)`` (m x N,
    m <= N); ``lipschitz(rho)``: an upper bound of the Lipschitz constant of DF on
    ``B(x0, rho)``. The ball is taken as ``rho = 2 eps / sigma``, which contains every radius
    the theorem can give, so only ``h <= 1/2`` remains to be checked.
    """
    eps = residual_norm_upper(residual)
    sigma = smallest_singular_value_lower(jacobian)
    if not (sigma > 0 and math.isfinite(eps)):
        return kantorovich_zero(eps, sigma, 0.0, 0.0)
    rho = _up(2 * Fraction(eps) / Fraction(sigma))
    if not math.isfinite(rho):
        return kantorovich_zero(eps, sigma, 0.0, 0.0)
    L = float(lipschitz(rho))
    return kantorovich_zero(eps, sigma, L, rho)


# ---------------------------------------------------------------------- frozen derivative
@dataclass(frozen=True)
class SimplifiedNewtonCertificate:
    """Outcome of :func:`simplified_newton_zero`: HOLDS means a unique zero in the ball of
    ``radius`` (proved from the bounds as given); UNDECIDED means nothing is claimed."""

    verdict: Verdict
    radius: float
    eps: float
    sigma: float
    deviation: float
    contraction: float | None      # an upper bound of q = deviation / sigma
    reason: str

    def as_dict(self) -> dict:
        def f(x):
            return None if x is None else repr(float(x))
        return {"verdict": self.verdict.value, "radius": f(self.radius), "residual_norm": f(self.eps),
                "sigma": f(self.sigma), "deviation": f(self.deviation), "contraction": f(self.contraction),
                "reason": self.reason}


def simplified_newton_zero(eps: float, sigma: float, deviation: float, radius: float) -> SimplifiedNewtonCertificate:
    """Decide the theorem of the module docstring for the given bounds.

    ``eps >= ||G(0)||``; ``sigma <= inf ||Mv||/||v||``; ``deviation >= sup_B ||DG - M||``;
    ``radius``: the ball B.
    """
    eps, sigma = _nonneg("eps", eps), _nonneg("sigma", sigma)
    deviation, radius = _nonneg("deviation", deviation), _nonneg("radius", radius)

    def verdict(v, q, reason):
        return SimplifiedNewtonCertificate(v, radius, eps, sigma, deviation, q, reason)

    if not all(math.isfinite(v) for v in (eps, sigma, deviation, radius)):
        return verdict(Verdict.UNDECIDED, None, "a bound is infinite")
    if sigma == 0:
        return verdict(Verdict.UNDECIDED, None, "M is not proved invertible (sigma lower bound 0)")
    S, D = Fraction(sigma), Fraction(deviation)
    q = D / S
    q_up = float(q) if Fraction(float(q)) >= q else math.nextafter(float(q), math.inf)
    if D >= S:
        return verdict(Verdict.UNDECIDED, q_up, f"deviation/sigma = {q_up:.3g} is not < 1: DG varies "
                       "too much over the ball")
    if Fraction(eps) > Fraction(radius) * (S - D):
        return verdict(Verdict.UNDECIDED, q_up, f"eps = {eps:.3g} > r (sigma - deviation) = "
                       f"{float(Fraction(radius) * (S - D)):.3g}: the ball is too small")
    return verdict(Verdict.HOLDS, q_up, "T = id - M^-1 G maps the ball into itself and contracts")
