"""Audit: where does autograd's derivative leave the Clarke subdifferential?

Autograd applies one fixed local convention at every kink (relu'(0) = 0, ties of
``maximum`` split 1/2-1/2, ``clamp`` passes 1, ``abs'(0) = 0``; measured on torch by
tests/numerics/nonsmooth/test_audit.py; docs/nonsmooth_chain_rule.md).  Each convention lies
in the local Clarke subdifferential of its primitive, but the chain rule does not hold for Clarke
subdifferentials, so the composite answer can fall outside ``∂_C f(x)``:
``relu(x) - relu(-x)`` (= x) gets 0 at 0 instead of 1.

:func:`audit` runs the program with the Kakade-Lee selection
(:mod:`.subdifferentiation`), records every kink primitive reached exactly (a *site*),
and compares there autograd's local derivative with the derivative of the selected piece.
Globally it compares autograd's gradient with the convex hull of several Kakade-Lee
subgradients (each in ``∂_C f(x)`` with probability one, so their hull is too):

* inside the hull (infinity-norm distance <= ``tol``): autograd's value is in ``∂_C f(x)``;
* outside, for a function of one real variable: the hull of the two one-sided
  derivatives *is* ``∂_C f(x)``, so autograd's value is outside (``False``);
* outside, otherwise: undecided (``None``): the sampled hull may be smaller than the
  Clarke subdifferential.  For expressions, :func:`audit_expression` decides exactly with
  :mod:`.clarke_enumeration`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch

from numerics.nonsmooth.clarke_enumeration import ClarkeEnumeration, clarke_enumeration, distance_to_hull
from numerics.nonsmooth.subdifferentiation import (
    Trace,
    module_subdifferentiate,
    random_direction,
    subdifferentiate,
)

__all__ = ["SiteReport", "AuditReport", "audit", "ExpressionAudit", "audit_expression"]

_MAX_ELEMENTS = 10


@dataclass(frozen=True)
class SiteReport:
    """A kink primitive reached exactly where autograd's local derivative differs from
    the derivative of the piece selected by the Kakade-Lee rule.  ``elements`` are flat
    indices into ``operand`` (the primitive's ``operand``-th tensor argument), at most 10;
    ``autograd_local`` and ``selected_local`` the two local derivatives there."""

    primitive: str
    index: int
    location: str | None
    operand: int
    elements: tuple[int, ...]
    autograd_local: tuple[float, ...]
    selected_local: tuple[float, ...]
    ties: int


@dataclass
class AuditReport:
    """``autograd``: autograd's gradient; ``subgradient``: a Kakade-Lee subgradient;
    ``clarke_sample``: the Kakade-Lee subgradients for several directions (flattened);
    ``distance``: infinity-norm distance of autograd's gradient to their hull;
    ``autograd_in_clarke``: True, False or None (undecided), see the module docstring;
    ``sites``: kinks where autograd's local choice differs from the selected piece."""

    autograd: object
    subgradient: object
    clarke_sample: list
    distance: float
    tol: float
    autograd_in_clarke: bool | None
    sample_complete: bool
    sites: list[SiteReport] = field(default_factory=list)
    trace: Trace | None = None

    @property
    def flagged(self) -> bool:
        return self.autograd_in_clarke is not True

    def summary(self) -> str:
        verdict = {True: "in the Clarke subdifferential", False: "NOT in the Clarke subdifferential",
                   None: "outside the sampled part of the Clarke subdifferential (undecided)"}
        lines = [f"autograd's gradient is {verdict[self.autograd_in_clarke]} "
                 f"(distance {self.distance:.3g} to the hull of {len(self.clarke_sample)} "
                 f"Kakade-Lee subgradients; tolerance {self.tol:.3g})"]
        for s in self.sites:
            where = f" at {s.location}" if s.location else ""
            lines.append(
                f"  {s.primitive} #{s.index}{where}: {s.ties} tied element(s); autograd's local "
                f"derivative {list(s.autograd_local)} vs selected piece {list(s.selected_local)} "
                f"at operand {s.operand} elements {list(s.elements)}")
        return "\n".join(lines)


def _flatten(g) -> torch.Tensor:
    if isinstance(g, dict):
        return torch.cat([v.reshape(-1) for v in g.values()]) if g else torch.zeros(0)
    return g.reshape(-1)


def _site_recorder(sites: list):
    import torch.autograd.forward_ad as fwAD

    def on_tie(rule, inputs, sel, params, rec, func, args, kwargs):
        leaves = []
        replace = {}
        for v in inputs:
            if isinstance(v, torch.Tensor) and v.is_floating_point():
                leaf = fwAD.unpack_dual(v).primal.detach().clone().requires_grad_(True)
                replace[id(v)] = leaf
                leaves.append(leaf)
            else:
                leaves.append(v)
        if func is None or not replace:
            return

        def sub(a):
            return replace.get(id(a), a) if isinstance(a, torch.Tensor) else a

        with torch.enable_grad():
            ad_out = func(*[sub(a) for a in args], **{k: sub(a) for k, a in kwargs.items()})
            if isinstance(ad_out, tuple):
                ad_out = ad_out[0]
            sel_out = rule.build(tuple(leaves), sel, params)
            grad_leaves = [l for l in leaves if isinstance(l, torch.Tensor) and l.requires_grad]
            g_ad = torch.autograd.grad(ad_out.sum(), grad_leaves, allow_unused=True)
            g_sel = torch.autograd.grad(sel_out.sum(), grad_leaves, allow_unused=True)
        k = 0
        for i, leaf in enumerate(leaves):
            if not (isinstance(leaf, torch.Tensor) and leaf.requires_grad):
                continue
            a = torch.zeros_like(leaf) if g_ad[k] is None else g_ad[k]
            b = torch.zeros_like(leaf) if g_sel[k] is None else g_sel[k]
            k += 1
            diff = (a != b).reshape(-1).nonzero().reshape(-1)
            if diff.numel():
                idx = diff[:_MAX_ELEMENTS]
                sites.append(SiteReport(
                    rec.primitive, rec.index, rec.location, i, tuple(int(j) for j in idx),
                    tuple(float(a.reshape(-1)[j]) for j in idx),
                    tuple(float(b.reshape(-1)[j]) for j in idx), rec.ties))

    return on_tie


def _tolerance(dtype: torch.dtype, scale: float) -> float:
    return 1e3 * torch.finfo(dtype).eps * max(1.0, scale)


def audit(fn_or_module, inputs, loss_fn: Callable | None = None, *, directions: int = 8,
          generator: torch.Generator | None = None, tol: float | None = None) -> AuditReport:
    """Audit autograd against provably correct subdifferentiation.

    ``audit(fn, x)``: ``fn`` maps the tensor ``x`` to a scalar.  ``audit(module, inputs,
    loss_fn)``: derivatives with respect to the module's trainable parameters of
    ``loss_fn(module(*inputs))``.  ``directions`` Kakade-Lee subgradients form the sample
    (for a single real variable, the directions +1 and -1, which make it complete)."""
    if directions < 1:
        raise ValueError(f"directions: got {directions}; need at least 1")
    sites: list[SiteReport] = []
    recorder = _site_recorder(sites)
    if isinstance(fn_or_module, torch.nn.Module):
        if loss_fn is None:
            raise ValueError("loss_fn: required when auditing a module")
        module = fn_or_module
        args = inputs if isinstance(inputs, tuple) else (inputs,)
        params = {k: p for k, p in module.named_parameters() if p.requires_grad}
        with torch.enable_grad():
            loss = loss_fn(module(*args))
            grads = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
        autograd = {k: (torch.zeros_like(p) if g is None else g.detach())
                    for (k, p), g in zip(params.items(), grads)}
        dtype = next(iter(params.values())).dtype
        total = sum(p.numel() for p in params.values())

        def run(dirs, record):
            return module_subdifferentiate(module, inputs, loss_fn, directions=dirs, locate=record,
                                           on_tie=recorder if record else None)

        def draw():
            return {k: random_direction(p, generator) for k, p in params.items()}

        def unit(sign):
            return {k: torch.full_like(p, sign) for k, p in params.items()}
    else:
        fn, x = fn_or_module, inputs
        xg = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            out = fn(xg)
            (g,) = torch.autograd.grad(out, [xg], allow_unused=True)
        autograd = torch.zeros_like(x) if g is None else g.detach()
        dtype, total = x.dtype, x.numel()

        def run(d, record):
            return subdifferentiate(fn, x, direction=d, locate=record, on_tie=recorder if record else None)

        def draw():
            return random_direction(x, generator)

        def unit(sign):
            return torch.full_like(x, sign)

    complete = total == 1
    dirs = [unit(1.0), unit(-1.0)] if complete else [draw() for _ in range(directions)]
    results = [run(d, record=(i == 0)) for i, d in enumerate(dirs)]
    sample = [_flatten(r.subgradient).to(torch.float64) for r in results]
    g_ad = _flatten(autograd).to(torch.float64)
    scale = float(max([g_ad.abs().max().item() if g_ad.numel() else 0.0]
                      + [s.abs().max().item() if s.numel() else 0.0 for s in sample]))
    tol = _tolerance(dtype, scale) if tol is None else tol
    if any(bool((s - g_ad).abs().max() <= tol) for s in sample) or g_ad.numel() == 0:
        dist = min(float((s - g_ad).abs().max()) if s.numel() else 0.0 for s in sample)
    else:
        dist = distance_to_hull([s.tolist() for s in sample], g_ad.tolist())
    verdict = True if dist <= tol else (False if complete else None)
    return AuditReport(autograd, results[0].subgradient, sample, dist, tol, verdict, complete,
                       sites, results[0].trace)


# ---------------------------------------------------------------------------- expressions


@dataclass
class ExpressionAudit:
    """Autograd and Kakade-Lee at a point of an expression, with the exact Clarke
    enumeration.  Vectors are ordered as ``names``.  ``autograd_in_clarke`` and
    ``subgradient_in_clarke``: True, False, or None (undecided)."""

    names: tuple[str, ...]
    value: float
    autograd: list[float]
    subgradient: list[float]
    clarke: ClarkeEnumeration
    autograd_in_clarke: bool | None
    subgradient_in_clarke: bool | None
    tol: float
    sites: list[SiteReport]


def audit_expression(expr, point: dict, generator: torch.Generator | None = None) -> ExpressionAudit:
    """Audit an expression of :mod:`numerics.symbolic.expression` at ``point`` ({name: number};
    Fractions keep the Clarke enumeration exact).  Computations in float64."""
    from fractions import Fraction

    from numerics.symbolic.expression import to_torch, variables

    names = variables(expr)
    missing = [v for v in names if v not in point]
    if missing:
        raise ValueError(f"point: missing value(s) for {missing}")
    f = to_torch(expr)
    x = torch.tensor([float(point[v]) for v in names], dtype=torch.float64)

    def fn(z):
        return f({v: z[i] for i, v in enumerate(names)})

    if names:
        xg = x.clone().requires_grad_(True)
        out = fn(xg)
        g = torch.autograd.grad(out, [xg], allow_unused=True)[0] if out.requires_grad else None
        autograd = [0.0] * len(names) if g is None else g.tolist()
        sites: list[SiteReport] = []
        res = subdifferentiate(fn, x, generator, locate=False, on_tie=_site_recorder(sites))
        sub = res.subgradient.tolist()
        value = float(res.value)
    else:
        autograd, sub, sites, value = [], [], [], float(fn(x))
    clarke = clarke_enumeration(expr, {k: (v if isinstance(v, Fraction) else v) for k, v in point.items()},
                                names)
    scale = max([1.0] + [abs(float(c)) for gen in clarke.generators for c in gen]
                + [abs(a) for a in autograd])
    tol = _tolerance(torch.float64, scale)
    if names:
        ad_in = clarke.contains(autograd, tol=tol)
        sub_in = clarke.contains(sub, tol=tol)
    else:
        ad_in = sub_in = True
    return ExpressionAudit(names, value, autograd, sub, clarke, ad_in, sub_in, tol, sites)
