"""Gaussian expectations of activations: validated one-dimensional moments, float bivariate ones.

The deep Gram recursions of Du-Lee-Li-Wang-Zhai (arXiv 1811.03804v4, Defs. 5.1, 6.1, 7.1) need

* ``c_sigma = 1 / E[sigma(z)^2]``, ``z ~ N(0, 1)`` (Sec. 3.3);
* ``E[sigma(u)]`` for ``u ~ N(0, v)`` (the ResNet's ``b_i``, Def. 6.1);
* ``E[sigma(u) sigma(v)]`` and ``E[sigma'(u) sigma'(v)]`` for ``(u, v) ~ N(0, [[a, c], [c, b]])``.

ReLU has closed forms (1904.11955 eqs. 17-20) which :mod:`numerics.kernels.deep`
evaluates in interval arithmetic. For smooth activations:

* one-dimensional moments are **validated**: Arb's rigorous integration (``acb.integral``) on
  ``[-T, T]`` plus an explicit tail bound from the growth bound ``|sigma(z)| <= A + B |z|``
  (``int_{|z|>T} phi = erfc(T/sqrt 2)``, ``int_{|z|>T} z^2 phi = 2 T phi(T) + erfc(T/sqrt 2)``),
  so the returned :class:`~numerics.arith.interval.Interval` contains the exact value;
* bivariate moments are **float** (a tensor Gauss-Hermite rule, ``nodes`` points per axis); the
  callers label every result built from them ``float``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from numerics.arith.balls import arb_bounds
from numerics.arith.context import arb_precision
from numerics.arith.interval import Interval


@dataclass(frozen=True)
class Activation:
    """An activation and the facts the deep theorems ask about it.

    ``growth = (A, B)``: ``|sigma(z)| <= A + B |z|`` for all real z (used for tail bounds).
    ``condition_31``: the constant c of 1811.03804 Condition 3.1 (``|sigma(0)| <= c``, sigma
    c-Lipschitz, sigma' c-Lipschitz), or None when sigma' is not Lipschitz (ReLU).
    ``analytic``/``polynomial``: Condition 3.2 (analytic and not a polynomial).
    """

    name: str
    numpy: Callable[[np.ndarray], np.ndarray]
    numpy_derivative: Callable[[np.ndarray], np.ndarray]
    growth: tuple[float, float]
    condition_31: float | None
    condition_31_reason: str
    analytic: bool
    polynomial: bool
    arb: Callable | None = None      # acb -> acb (with the `analytic` flag), None for ReLU


def _softplus(z):
    return np.logaddexp(0.0, z)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_d(z):
    return (z >= 0).astype(np.float64)   # sigma'(0) = 1 (1810.02054 eq. 4); measure zero here


def _arb_softplus(x, analytic):
    return (1 + x.exp()).log(analytic=analytic)


def _arb_tanh(x, analytic):
    return x.tanh()


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation(
        "relu", _relu, _relu_d, (0.0, 1.0), None,
        "ReLU' jumps from 0 to 1 at 0, so it is not Lipschitz: Condition 3.1 fails "
        "(1811.03804 Sec. 3.2: the theorems do not cover ReLU)",
        analytic=False, polynomial=False),
    "softplus": Activation(
        "softplus", _softplus, _sigmoid, (math.log(2.0), 1.0), 1.0,
        "softplus(0) = log 2 <= 1, softplus' = sigmoid in (0, 1) (1-Lipschitz), "
        "softplus'' = s(1 - s) <= 1/4 (sigmoid 1-Lipschitz): Condition 3.1 with c = 1",
        analytic=True, polynomial=False, arb=_arb_softplus),
    "tanh": Activation(
        "tanh", np.tanh, lambda z: 1.0 - np.tanh(z) ** 2, (1.0, 0.0), 1.0,
        "tanh(0) = 0, |tanh'| <= 1, |tanh''| = 2|tanh| sech^2 <= 4/(3 sqrt 3) < 1: "
        "Condition 3.1 with c = 1",
        analytic=True, polynomial=False, arb=_arb_tanh),
}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"activation={name!r} is not supported; allowed: {', '.join(ACTIVATIONS)}") from None


# ------------------------------------------------------------------ validated 1-D moments
_T = 12            # truncation point; the tail is bounded explicitly
_PREC = 96


def _tail_bounds(T, prec):
    """(int_{|z|>T} phi, int_{|z|>T} z^2 phi) as Arb balls."""
    from flint import arb
    with arb_precision(prec):
        t = arb(T)
        p0 = (t / arb(2).sqrt()).erfc()
        phi = (-(t * t) / 2).exp() / (2 * arb.pi()).sqrt()
        p2 = 2 * t * phi + p0
        return p0, p2


def _validated_moment(act: Activation, power: int, var: float, prec: int = _PREC):
    """Arb ball containing E[sigma(sqrt(var) z)^power], z ~ N(0, 1), power in {1, 2}."""
    from flint import acb, arb
    if act.arb is None:
        raise ValueError(f"activation {act.name!r} has no Arb form; use its closed form")
    if not (var > 0 and math.isfinite(var)):
        raise ValueError(f"var={var!r}; allowed: a positive finite variance")
    with arb_precision(prec):
        s = arb(var).sqrt()
        norm = 1 / (2 * arb.pi()).sqrt()

        def integrand(z, analytic):
            v = act.arb(s * z, analytic)
            if power == 2:
                v = v * v
            return v * (-(z * z) / 2).exp() * norm

        core = acb.integral(integrand, -_T, _T, rel_tol=arb(2) ** (-prec + 10))
        if not core.imag.contains(0) or not core.real.is_finite():
            raise ArithmeticError(f"Arb integration failed for {act.name} (E sigma^{power})")
        p0, p2 = _tail_bounds(_T, prec)
        A, B = arb(act.growth[0]), arb(act.growth[1]) * s
        if power == 2:
            tail = 2 * A * A * p0 + 2 * B * B * p2
        else:
            tail = A * p0 + B * (p2 + p0)        # |z| <= 1 + z^2
        return core.real + arb(0, 1) * tail      # adds the ball [-tail, tail]


def _interval(ball) -> Interval:
    lo, hi = arb_bounds(ball)
    return Interval(lo, hi)


@lru_cache(maxsize=None)
def second_moment(name: str) -> Interval:
    """Enclosure of E[sigma(z)^2], z ~ N(0, 1) (ReLU: exactly 1/2)."""
    act = get_activation(name)
    if act.name == "relu":
        return Interval(0.5, 0.5)
    return _interval(_validated_moment(act, 2, 1.0))


@lru_cache(maxsize=None)
def c_sigma(name: str) -> Interval:
    """Enclosure of c_sigma = 1/E[sigma(z)^2] (1811.03804 Sec. 3.3); ReLU: exactly 2."""
    act = get_activation(name)
    if act.name == "relu":
        return Interval(2.0, 2.0)
    from flint import arb
    with arb_precision(_PREC):
        return _interval(arb(1) / _validated_moment(act, 2, 1.0))


def c_sigma_ball(name: str):
    """Arb ball containing c_sigma at the precision of the enclosing
    :func:`~numerics.arith.context.arb_precision` block (ReLU: exactly 2)."""
    from flint import ctx

    return _c_sigma_ball(name, ctx.prec)


@lru_cache(maxsize=None)
def _c_sigma_ball(name: str, prec: int):
    from flint import arb
    act = get_activation(name)
    if act.name == "relu":
        return arb(2)
    with arb_precision(prec):
        return arb(1) / _validated_moment(act, 2, 1.0, prec)


def mean(name: str, var: float) -> Interval:
    """Enclosure of E[sigma(u)], u ~ N(0, var) (ReLU: sqrt(var/(2 pi)), enclosed in Arb)."""
    act = get_activation(name)
    if act.name == "relu":
        from flint import arb
        with arb_precision(_PREC):
            return _interval(arb(var).sqrt() / (2 * arb.pi()).sqrt())
    return _interval(_validated_moment(act, 1, float(var)))


# ------------------------------------------------------------------ float bivariate moments
@lru_cache(maxsize=8)
def _hermite(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    t, w = np.polynomial.hermite_e.hermegauss(nodes)
    return t, w / math.sqrt(2.0 * math.pi)


def bivariate_float(f: Callable, g: Callable, a, b, c, nodes: int = 48) -> np.ndarray:
    """Float E[f(u) g(v)] for (u, v) ~ N(0, [[a, c], [c, b]]), elementwise over arrays a, b, c.

    Writes u = sqrt(a) z1, v = sqrt(b) (rho z1 + sqrt(1 - rho^2) z2), rho = c/sqrt(ab), and
    applies the ``nodes``-point probabilists' Gauss-Hermite rule in z1 and z2. FLOAT: no error
    bound; callers must label results built from it as float.
    """
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    if nodes < 2:
        raise ValueError(f"nodes={nodes}; allowed: an integer >= 2")
    sa, sb = np.sqrt(np.maximum(a, 0.0)), np.sqrt(np.maximum(b, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(sa * sb > 0, c / (sa * sb), 0.0)
    rho = np.clip(rho, -1.0, 1.0)
    perp = np.sqrt(np.maximum(1.0 - rho * rho, 0.0))
    t, w = _hermite(nodes)
    out = np.zeros(np.broadcast(a, b, c).shape)
    for t1, w1 in zip(t, w):
        fu = f(sa * t1)
        inner = np.zeros_like(out)
        for t2, w2 in zip(t, w):
            inner += w2 * g(sb * (rho * t1 + perp * t2))
        out += w1 * fu * inner
    return out


def univariate_float(f: Callable, var, nodes: int = 64) -> np.ndarray:
    """Float E[f(u)], u ~ N(0, var), elementwise over the array var (Gauss-Hermite)."""
    var = np.asarray(var, dtype=np.float64)
    t, w = _hermite(nodes)
    s = np.sqrt(np.maximum(var, 0.0))
    out = np.zeros(var.shape)
    for tk, wk in zip(t, w):
        out += wk * f(s * tk)
    return out
