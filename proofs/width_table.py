"""The literature's width requirements for gradient descent on over-parametrized networks, each
with its citation, verification tag and a sympy formula, and their evaluation on a user's dataset.

Tags: "V" read in the primary text; "S" seen only in a secondary source (named in `tag_note`);
"NV" not verified (e.g. recalled, not read). `explicit` is True only where every
constant of the formula is known (the Du-Zhai-Poczos-Singh widths, whose constants are our
sympy-checked completion of the proof in proofs.dzps2019); every other formula is an
Omega/O statement whose unnamed constant (and any poly/2^O(H) factor) is written as the symbol
`C` (and `kappa`, `nu`) and **evaluated at 1**, which the output labels
"with unnamed constants = 1". Such a number is a scale, not a requirement.

Symbols: n (samples), L (depth H), d (input dimension), p (pixels), delta (failure
probability), eps (target loss), lambda0 = lambda_min(H_inf) (two-layer, Du et al.),
lambda_fc / lambda_res / lambda_cnn = lambda_min(K^(H)) of 1811.03804 Defs. 5.1/6.1/7.1,
phi = min_{i != j} ||x_i - x_j|| (separation, Allen-Zhu-Li-Song and Zou-Cao-Zhou-Gu; for the
latter only pairs with different labels), gamma (NTK margin, Ji-Telgarsky; only when supplied),
C_y = max |y_i|.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import sympy as sp

n = sp.Symbol("n", positive=True, integer=True)
L = sp.Symbol("L", positive=True, integer=True)
d = sp.Symbol("d", positive=True, integer=True)
p = sp.Symbol("p", positive=True, integer=True)
delta = sp.Symbol("delta", positive=True)
eps = sp.Symbol("eps", positive=True)
lambda0 = sp.Symbol("lambda0", positive=True)
lambda_fc = sp.Symbol("lambda_fc", positive=True)
lambda_res = sp.Symbol("lambda_res", positive=True)
lambda_cnn = sp.Symbol("lambda_cnn", positive=True)
phi = sp.Symbol("phi", positive=True)
phi_labels = sp.Symbol("phi_labels", positive=True)
gamma = sp.Symbol("gamma", positive=True)
C_y = sp.Symbol("C_y", nonnegative=True)
C = sp.Symbol("C", positive=True)          # the unnamed constant of an Omega statement
kappa = sp.Symbol("kappa", positive=True)  # 2^O(H) = 2^(kappa H)
nu = sp.Symbol("nu", positive=True)        # poly(p) = p^nu
UNNAMED = (C, kappa, nu)


@dataclass(frozen=True)
class WidthRequirement:
    id: str
    work: str
    arxiv: str
    result: str
    setting: str
    formula: sp.Expr | None
    tag: str
    tag_note: str
    explicit: bool = False
    measure: str = "width"          # "width" (per layer) or "parameters"
    note: str = ""

    def symbols(self) -> set[str]:
        return {s.name for s in self.formula.free_symbols} if self.formula is not None else set()


def _dzps(kind: str) -> sp.Expr:
    """The explicit DZPS widths of proofs.dzps2019 (symbols renamed to this table's)."""
    from proofs import dzps2019 as Z

    thm = Z.GRADIENT_FLOW_THEOREM if kind == "gf" else Z.GRADIENT_DESCENT_THEOREM
    expr = thm.constant("width").expr
    return expr.subs({Z.n: n, Z.lambda0: lambda0, Z.delta: delta, Z.C_y: C_y})


def _log(x):
    return sp.log(x)


def requirements() -> tuple[WidthRequirement, ...]:
    """The registry (built on first use so that importing this module stays light)."""
    return (
        WidthRequirement("dzps2019-gf", "Du, Zhai, Poczos, Singh", "1810.02054v2", "Thm 3.2",
                         "2-layer ReLU, gradient flow on layer 1", _dzps("gf"), "V",
                         "statement V; constants: our sympy-checked completion of the proof (proofs.dzps2019)",
                         explicit=True),
        WidthRequirement("dzps2019-gd", "Du, Zhai, Poczos, Singh", "1810.02054v2", "Thm 4.1",
                         "2-layer ReLU, GD on layer 1", _dzps("gd"), "V",
                         "statement V; constants: our sympy-checked completion of the proof (proofs.dzps2019)",
                         explicit=True),
        WidthRequirement("adhlw2019-rate", "Arora, Du, Hu, Li, Wang", "1901.08584v2", "Thm 4.1",
                         "2-layer ReLU, GD on layer 1, init scale kappa_init = eps delta/sqrt(n)",
                         C * n**8 / (lambda0**4 * delta**6 * eps**4), "V",
                         "m = Omega(n^7/(lambda0^4 kappa^2 delta^4 eps^2)) with kappa = O(eps delta/sqrt n) substituted"),
        WidthRequirement("dllwz2019-fc", "Du, Lee, Li, Wang, Zhai", "1811.03804v4", "Thm 5.1",
                         "deep fully connected, smooth analytic sigma, GD on all layers",
                         C * 2**(kappa * L) * sp.Max(n**4 / lambda_fc**4, n / delta,
                                                     n**2 * _log(L * n / delta) / lambda_fc**2), "V",
                         "2^O(H) written 2^(kappa H)"),
        WidthRequirement("dllwz2019-resnet", "Du, Lee, Li, Wang, Zhai", "1811.03804v4", "Thm 6.1",
                         "deep ResNet, smooth analytic sigma, GD on all layers",
                         C * sp.Max(n**4 / (lambda_res**4 * L**6), n**2 / (lambda_res**2 * L**2), n / delta,
                                    n**2 * _log(L * n / delta) / lambda_res**2), "V", "eq. (9)"),
        WidthRequirement("dllwz2019-cnn", "Du, Lee, Li, Wang, Zhai", "1811.03804v4", "Thm 7.1",
                         "deep convolutional ResNet, smooth analytic sigma",
                         C * p**nu * sp.Max(n**4 / (lambda_cnn**4 * L**6), n**4 / (lambda_cnn**4 * L**2), n / delta,
                                            n**2 * _log(L * n / delta) / lambda_cnn**2), "V",
                         "eq. (11); poly(p) written p^nu"),
        WidthRequirement("azls2018", "Allen-Zhu, Li, Song", "1811.03962", "main theorem (as commonly quoted)",
                         "deep ReLU FC/CNN/ResNet, (S)GD, phi-separated data",
                         C * n**24 * L**12 / phi**8, "S",
                         "n^24 L^12 delta^-8 in tables of 2111.01875 and an ICLR submission; exact statement NV"),
        WidthRequirement("azls2018-early", "Allen-Zhu, Li, Song", "1811.03962 (early version)",
                         "as quoted in 1811.03804 Sec. 2", "deep ReLU, GD",
                         C * n**30 * L**30 * _log(1 / eps)**2, "S",
                         "the quotation in 1811.03804v4 Sec. 2 is V; the original version NV"),
        WidthRequirement("zczg2018", "Zou, Cao, Zhou, Gu", "1811.08888v3", "Thm 4.1 (main case of the proof, p. 12)",
                         "deep ReLU, binary classification, phi-separated differently labelled inputs",
                         C * n**26 * L**38 / phi_labels**8, "V", "tilde-Omega: log factors dropped"),
        WidthRequirement("zou-gu2019", "Zou, Gu", "1906.04688", "main theorem", "deep ReLU, GD/SGD",
                         C * n**8 * L**12, "S", "2111.01875 Table 1; the phi dependence NV"),
        WidthRequirement("os2019", "Oymak, Soltanolkotabi", "1902.04674", "main theorem",
                         "2-layer, (S)GD on layer 1", C * n**2, "S",
                         "two secondary tables ('tilde-Omega(n^2)'; they mix width and parameter count)"),
        WidthRequirement("song-yang2019", "Song, Yang", "1906.03593", "main theorem", "2-layer ReLU, GD on layer 1",
                         C * n**2, "S", "secondary tables"),
        WidthRequirement("song-yang2019-n4", "Song, Yang", "1906.03593v2", "matrix Chernoff variant",
                         "2-layer ReLU, GD on layer 1", C * n**4 * _log(n / delta)**3 / lambda0**4, "NV",
                         "recalled, not read in the paper; not verified"),
        WidthRequirement("ji-telgarsky2019", "Ji, Telgarsky", "1909.12292", "main theorem",
                         "2-layer ReLU, logistic loss, classification with NTK margin gamma",
                         C * (_log(n / delta) + _log(1 / eps)**2) / gamma**8, "NV",
                         "ln terms V (intro of v4); the gamma^-8 power NV"),
        WidthRequirement("nguyen2021", "Nguyen", "2101.09612", "abstract",
                         "deep ReLU, one wide layer, standard parametrization", C * n, "V",
                         "abstract only; linear, quadratic or cubic in n depending on init and depth (linear shown)"),
        WidthRequirement("srpec2021", "Song, Ramezani-Kebrya, Pethick, Eftekhari, Cevher", "2111.01875",
                         "main theorem", "2-layer smooth sigma, GD on both layers",
                         C * n**sp.Rational(3, 2) / d, "V",
                         "tilde-Omega(n^(3/2)) parameters, i.e. width n^(3/2)/d"),
        WidthRequirement("kawaguchi-huang2019", "Kawaguchi, Huang", "(2019; id not recorded)", "main theorem",
                         "GD on the last layer only", C * n, "S", "secondary source"),
        WidthRequirement("cczg2019", "Chen, Cao, Zou, Gu", "1911.12360", "abstract",
                         "deep ReLU, margin assumptions", None, "V",
                         "polylog(n, 1/eps) width; the power is not stated in what was read, so not evaluated"),
    )


def _label(req: WidthRequirement, float_inputs: list[str]) -> str:
    if float_inputs:
        return "FLOAT (" + ", ".join(float_inputs) + " estimated in float)"
    return "explicit" if req.explicit else "with unnamed constants = 1"


def evaluate_requirements(values: Mapping[str, Any], float_values: Mapping[str, float] | None = None,
                          ids: tuple[str, ...] | None = None) -> list[dict]:
    """Evaluate every requirement on the given values.

    `values`: symbol name -> exact number or rigorous Interval (n, L, d, p, delta, eps, lambda0,
    lambda_fc, lambda_res, lambda_cnn, phi, phi_labels, gamma, C_y); `float_values`: names whose
    only value is a float estimate (e.g. lambda_res for a smooth activation). Unnamed constants
    (C, kappa, nu) are set to 1. Returns one dict per requirement with `lo`/`hi` (Arb
    enclosure rounded outward) or a `missing` list.
    """
    from numerics.symbolic.enclosure import enclose

    float_values = dict(float_values or {})
    out = []
    for req in requirements():
        if ids is not None and req.id not in ids:
            continue
        row = {"id": req.id, "work": req.work, "arxiv": req.arxiv, "result": req.result,
               "setting": req.setting, "tag": req.tag, "tag_note": req.tag_note, "measure": req.measure,
               "formula": sp.sstr(req.formula) if req.formula is not None else None,
               "latex": sp.latex(req.formula) if req.formula is not None else None,
               "explicit": req.explicit, "lo": None, "hi": None, "missing": [], "label": ""}
        if req.formula is None:
            row["label"] = "not evaluated (no formula)"
            out.append(row)
            continue
        env = {C: 1, kappa: 1, nu: 1}
        used_float = []
        for s in req.formula.free_symbols - set(UNNAMED):
            if s.name in values and values[s.name] is not None:
                env[s] = values[s.name]
            elif s.name in float_values:
                env[s] = float(float_values[s.name])
                used_float.append(s.name)
            else:
                row["missing"].append(s.name)
        if row["missing"]:
            row["label"] = "not evaluated (needs " + ", ".join(sorted(row["missing"])) + ")"
            out.append(row)
            continue
        enc = enclose(req.formula, env)
        lo, hi = float(enc.lo), float(enc.hi)
        row["lo"], row["hi"] = repr(lo), repr(hi)
        row["label"] = _label(req, sorted(used_float))
        if not (math.isfinite(lo) and math.isfinite(hi)):
            row["label"] += " (not enclosed: a quantity is not bounded away from 0)"
        out.append(row)
    return out
