"""Provably correct automatic subdifferentiation (Kakade & Lee, NeurIPS 2018, arXiv 1809.08530).

The argument, and what it needs, is written out in docs/nonsmooth_chain_rule.md.

What is computed
----------------
For a program ``f`` built from smooth torch operations and the library primitives of
:mod:`numerics.nonsmooth.library` (relu, leaky_relu, prelu, abs, maximum/minimum, clamp,
hardtanh, relu6, max/min/amax/amin reductions, max_pool1d/2d, l1_loss, ``where`` on a
comparison of inputs), :func:`subgradient` returns an element of the Clarke
subdifferential ``∂_C f(x)`` with probability one over a random direction ``v``:

1. forward pass with forward-mode AD (dual numbers) carrying ``f'(x; v)``; every kink
   primitive selects its active piece lexicographically: by the primal values, and at an
   exact tie by the sign of the one-sided directional derivative (the tangent), i.e. the
   piece active on ``x + t v`` for small ``t > 0``; the selections are recorded in call
   order;
2. reverse pass (ordinary reverse-mode AD) through the selected pieces only: the program
   is re-run without tangents, replaying the recorded selections, and differentiated.
   (Mixing forward-mode tangents into the reverse graph is much slower in torch.)

By default (``tangents="auto"``) a primal-only pass runs first; when no kink is reached
exactly and no singular operation is met, the pieces are determined by the values alone
and that pass is the answer (cost: autograd's own); otherwise the two stages above run.

The returned vector is the gradient, with respect to ``v``, of the positively homogeneous
piecewise-linear map ``v -> f'(x; v)`` at the drawn ``v``.  Why it is a Clarke
subgradient: ``f`` is a composition of PC^1 (piecewise continuously differentiable)
functions, hence PC^1, and one-sided directional derivatives obey the chain rule for
compositions of locally Lipschitz, directionally differentiable maps.  ``f'(x; .)`` is a
piecewise-linear selection of ``{<∇f_i(x), .>}`` over essentially active pieces ``i``,
so at a ``v`` interior to one of its linear regions (all ``v`` outside a finite union of
hyperplanes, a null set) its gradient is some ``∇f_i(x)`` with ``i`` essentially active,
an element of the B-subdifferential, hence of ``∂_C f(x)``.  At such a ``v`` a tie of the
tangents themselves (a *degenerate* tie, counted in :class:`Trace`) only occurs when the
competing pieces' directional derivatives agree on a whole open cone, where their
gradients agree, so the choice there does not change the result; one random direction
therefore suffices and no further lexicographic directions are needed in exact
arithmetic.  The cost is one forward pass with tangents plus one reverse pass, within the
paper's factor of about 6 of evaluating ``f`` (benchmarks/bench_subgradient.py measures it).

Qualification condition (what the guarantee needs, and what happens outside it)
-------------------------------------------------------------------------------
* Every nonsmooth operation is a library primitive.  Nonsmooth or discontinuous torch
  operations outside the library (sign, floor, round, sort, argmax, topk, elu, hinge
  losses computed in C++, in-place kinks, ...) raise :class:`UnsupportedOperation`
  naming the op; they are never silently differentiated by autograd.
* Every smooth operation is evaluated where it is differentiable with a finite
  derivative: sqrt/log/division/pow/acos... whose tangent comes out infinite or NaN,
  and vector norms evaluated at 0, raise :class:`NotQualified` (checked when
  ``check_qualification`` is on, the default).
* A comparison of inputs may only feed ``where`` (or logical ops, or Python branching
  when not tied); where the comparison is tied, both branches of ``where`` must take the
  same value (continuity), otherwise :class:`NotQualified`.  A comparison used as a
  number (``(x > 0).float()``) raises :class:`UnsupportedOperation`.
* Operations that torch implements as composites in C++ and that hide a kink (other
  than those listed in ``library.UNSUPPORTED``) cannot be seen from Python; they are
  treated as smooth.  This is the one gap of an interception-based implementation.
* Exact-arithmetic caveat: the guarantee is for exact arithmetic.  In floating point a
  kink reached only up to rounding (an argument of 1e-17 instead of 0) is decided by its
  computed sign, and the random direction is a floating-point sample.
"""

from __future__ import annotations

import os
import sys
import weakref
from dataclasses import dataclass, field
from typing import Callable

import torch
import torch.autograd.forward_ad as fwAD
from torch.overrides import TorchFunctionMode

from numerics.nonsmooth.library import (
    COMPARISONS,
    KINK_PRIMITIVES,
    LOGICAL,
    NORMS,
    REDUCE_MAX,
    REDUCE_MIN,
    SINGULAR,
    UNSUPPORTED,
    NotQualified,
    Rule,
    UnsupportedOperation,
    pool_has_ties,
    reduce_indices,
)

__all__ = [
    "KinkRecord",
    "Trace",
    "SubgradientResult",
    "subdifferentiate",
    "subgradient",
    "module_subdifferentiate",
    "module_subgradients",
    "random_direction",
]

_TORCH_DIR = os.path.dirname(torch.__file__)
_HERE = os.path.dirname(os.path.abspath(__file__))

_SHAPE_OPS = frozenset({
    "reshape", "view", "expand", "expand_as", "unsqueeze", "squeeze", "flatten", "permute",
    "transpose", "t", "__getitem__", "contiguous", "clone", "detach", "broadcast_to", "movedim",
    "repeat", "view_as", "reshape_as",
})
_ARITHMETIC = frozenset({
    "mul", "__mul__", "__rmul__", "add", "__add__", "__radd__", "sub", "__sub__", "__rsub__",
    "rsub", "div", "__truediv__", "__rtruediv__", "true_divide", "divide",
})
_ZERO_SINGULAR = frozenset({"sqrt", "pow", "__pow__", "__rpow__", "float_power", "norm", "vector_norm",
                            "linalg_vector_norm", "matrix_norm", "linalg_norm", "frobenius_norm",
                            "nuclear_norm", "cdist", "pdist", "dist", "pairwise_distance"})


def _op_label(name: str, args) -> str:
    """The op name, with division by a nonzero Python number labelled apart (it is linear)."""
    if name in ("div", "__truediv__", "true_divide", "divide") and len(args) > 1 \
            and isinstance(args[1], (int, float)) and args[1] != 0:
        return "div_by_constant"
    if name in ("pow", "__pow__") and len(args) > 1 and isinstance(args[1], (int, float)) \
            and float(args[1]).is_integer() and args[1] >= 0:
        return "pow_natural"
    return name


class _NeedTangents(Exception):
    """Raised in the primal-only pass when a tie (or a singular point) needs tangents."""


_META = frozenset({"__get__", "size", "dim", "numel", "__len__", "__repr__", "__format__",
                   "__hash__", "is_floating_point", "__bool__", "item", "tolist"})


@dataclass(frozen=True)
class KinkRecord:
    """One call of a kink primitive: how many elements sat exactly on a kink (``ties``)
    and how many of those also had tied tangents (``degenerate``)."""

    primitive: str
    index: int
    shape: tuple
    ties: int
    degenerate: int
    location: str | None = None


@dataclass
class Trace:
    """The kink primitives a program went through, in call order."""

    records: list[KinkRecord] = field(default_factory=list)
    comparisons: int = 0
    qualification_checked: bool = True
    tangent_pass: bool = True
    ops: set = field(default_factory=set)
    selections: list = field(default_factory=list)  # (primitive, Selection or None if untied), tangent pass

    @property
    def ties(self) -> int:
        return sum(r.ties for r in self.records)

    @property
    def degenerate(self) -> int:
        return sum(r.degenerate for r in self.records)

    @property
    def primitives(self) -> tuple[str, ...]:
        return tuple(sorted({r.primitive for r in self.records}))


def _user_location() -> str | None:
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not (fn.startswith(_TORCH_DIR) or os.path.abspath(fn).startswith(_HERE)):
            return f"{fn}:{f.f_lineno} in {f.f_code.co_name}"
        f = f.f_back
    return None


def _split(v):
    """(primal, tangent) of a tensor (tangent None if it carries none) or of a constant."""
    if isinstance(v, torch.Tensor):
        p, t = fwAD.unpack_dual(v)
        return p, t
    return v, None


def _tensors_in(obj):
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _tensors_in(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors_in(o)


class _LexicographicMode(TorchFunctionMode):
    """Intercepts torch calls: kink primitives select pieces lexicographically, unsupported
    nonsmooth ops raise, comparisons are tracked, singular smooth ops are checked."""

    def __init__(self, trace: Trace, *, check: bool = True, locate: bool = False,
                 on_tie: Callable | None = None, tangents: bool = True):
        super().__init__()
        self.trace = trace
        self.tangents = tangents
        self._zero_duals: dict[int, tuple] = {}
        self.recorded: list | None = [] if tangents else None  # selections, in call order
        self.replay: list | None = None  # selections to reuse (reverse stage)
        self._relu_outputs: dict[int, weakref.ref] = {}  # primal pass: outputs of untied relus
        self._cursor = 0
        self.check = check
        self.locate = locate
        self.on_tie = on_tie
        self._cmp: dict[int, tuple] = {}  # id(bool tensor) -> (weakref, tie mask or None)

    # ---- comparisons
    def _cmp_tie(self, t):
        entry = self._cmp.get(id(t))
        if entry is None or entry[0]() is not t:
            return False, None
        return True, entry[1]

    def _register(self, out, tie):
        self._cmp[id(out)] = (weakref.ref(out), tie)
        return out

    def _compare(self, kind, args, kwargs):
        if self.replay is not None:
            out, tie = self._next_replayed("compare:" + kind)
            return self._register(out, tie)
        out, tie = self._compare_lex(kind, args, kwargs)
        if self.recorded is not None:
            self.recorded.append(("compare:" + kind, (out, tie)))
        return self._register(out, tie)

    def _compare_lex(self, kind, args, kwargs):
        a = args[0] if args else kwargs["input"]
        b = args[1] if len(args) > 1 else kwargs["other"]
        (pa, ta), (pb, tb) = _split(a), _split(b)
        self.trace.comparisons += 1
        with torch.no_grad():
            if kind in ("lt", "le"):  # a < b  <=>  b > a
                pa, ta, pb, tb = pb, tb, pa, ta
            gt = torch.as_tensor(pa > pb)
            tie = torch.as_tensor(pa == pb)
            if bool(tie.any()):
                if not self.tangents:
                    raise _NeedTangents(kind)
                ta = ta if ta is not None else torch.zeros_like(torch.as_tensor(pa, dtype=torch.float64))
                tb = tb if tb is not None else 0.0
                dt = torch.as_tensor(ta - tb)
                out = gt | (tie & ((dt > 0) if kind in ("gt", "lt") else (dt >= 0)))
                return out, tie
        return gt, None

    def _where(self, func, args, kwargs):
        if func is torch.Tensor.where:
            x, cond, y = args[0], args[1] if len(args) > 1 else kwargs["condition"], (
                args[2] if len(args) > 2 else kwargs["other"])
        else:
            if len(args) + len(kwargs) == 1:
                cond = args[0] if args else kwargs["condition"]
                if self._cmp_tie(cond)[0]:
                    raise UnsupportedOperation("where", "torch.where(condition) returns indices of a comparison")
                return func(*args, **kwargs)
            cond = args[0] if args else kwargs["condition"]
            x = args[1] if len(args) > 1 else kwargs.get("input", kwargs.get("self"))
            y = args[2] if len(args) > 2 else kwargs["other"]
        tracked, tie = self._cmp_tie(cond)
        if tracked and tie is not None:
            px, py = _split(x)[0], _split(y)[0]
            with torch.no_grad():
                jump = tie & torch.as_tensor(px != py)
            if bool(jump.any()):
                raise NotQualified(
                    "where", "the branches take different values where the comparison is tied, "
                    "so the program is discontinuous at this point")
        return torch.where(cond, x, y)

    # ---- kink primitives
    def _apply(self, rule: Rule, args, kwargs, *, with_indices=False, func=None):
        inputs, params = rule.parse(args, kwargs)
        split = [_split(v) for v in inputs]
        primals = tuple(s[0] for s in split)
        tangents = tuple(s[1] for s in split)
        if not self.tangents and self.replay is None:
            # primal-only pass: without a tie every piece is determined by the values, and the
            # native op's autograd derivative is the selected piece's derivative
            if rule.name in ("max_pool1d", "max_pool2d") and self._is_untied_relu(primals[0]):
                tied = pool_has_ties(primals[0], params, ignore_zero_max=True)
            elif rule.has_ties is not None:
                tied = rule.has_ties(primals, params)
            else:
                with torch.no_grad():
                    tied = rule.select(primals, tangents, params).ties > 0
            if tied:
                raise _NeedTangents(rule.name)
            out = func(*args, **kwargs) if func is not None else rule.build(
                inputs, rule.select(primals, tangents, params), params)
            first = out[0] if isinstance(out, tuple) else out
            self.trace.records.append(KinkRecord(rule.name, len(self.trace.records), tuple(first.shape), 0, 0))
            if rule.name == "relu" and isinstance(first, torch.Tensor):
                self._relu_outputs[id(first)] = weakref.ref(first)
            return out
        if self.replay is not None:
            sel = self._next_replayed(rule.name)
            if sel is None:  # no tie at this call: the native op is the selected piece
                return func(*args, **kwargs)
            return self._finish(rule, inputs, sel, params, with_indices)
        if func is not None and rule.has_ties is not None and not rule.has_ties(primals, params):
            sel = None
        else:
            with torch.no_grad():
                sel = rule.select(primals, tangents, params)
            if sel.ties and not self.tangents:
                raise _NeedTangents(rule.name)
            if not sel.ties and func is not None:
                sel = None
        if self.recorded is not None:
            self.recorded.append((rule.name, sel))
        if sel is None:
            out = func(*args, **kwargs)
            first = out[0] if isinstance(out, tuple) else out
            self.trace.records.append(KinkRecord(rule.name, len(self.trace.records), tuple(first.shape), 0, 0))
            return out
        out = rule.build(inputs, sel, params)
        rec = KinkRecord(
            rule.name, len(self.trace.records), tuple(out.shape), sel.ties, sel.degenerate,
            _user_location() if (self.locate and sel.ties) else None)
        self.trace.records.append(rec)
        if sel.ties and self.on_tie is not None:
            self.on_tie(rule, inputs, sel, params, rec, func, args, kwargs)
        if with_indices:
            return torch.return_types.max((out, reduce_indices(inputs, sel, params))) if rule is REDUCE_MAX \
                else torch.return_types.min((out, reduce_indices(inputs, sel, params)))
        return out

    def _is_untied_relu(self, t) -> bool:
        ref = self._relu_outputs.get(id(t))
        return ref is not None and ref() is t

    def _next_replayed(self, name):
        if self._cursor >= len(self.replay) or self.replay[self._cursor][0] != name:
            raise RuntimeError(f"the program took a different path on the reverse stage at {name!r} "
                               f"(call {self._cursor}); programs must be deterministic")
        sel = self.replay[self._cursor][1]
        self._cursor += 1
        return sel

    def _finish(self, rule, inputs, sel, params, with_indices):
        out = rule.build(inputs, sel, params)
        if with_indices:
            idx = reduce_indices(inputs, sel, params)
            return torch.return_types.max((out, idx)) if rule is REDUCE_MAX else torch.return_types.min((out, idx))
        return out

    def _max_min(self, func, name, args, kwargs):
        binary = (len(args) > 1 and isinstance(args[1], torch.Tensor)) or "other" in kwargs
        if binary:
            return self._apply(KINK_PRIMITIVES["maximum" if name == "max" else "minimum"], args, kwargs,
                               func=func)
        rule = REDUCE_MAX if name == "max" else REDUCE_MIN
        has_dim = len(args) > 1 or "dim" in kwargs
        return self._apply(rule, args, kwargs, with_indices=has_dim, func=func)

    # ---- dispatch
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        self.trace.ops.add(_op_label(name, args))
        if name in ("max", "min"):
            return self._max_min(func, name, args, kwargs)
        rule = KINK_PRIMITIVES.get(name)
        if rule is not None:
            return self._apply(rule, args, kwargs, func=func)
        if name in COMPARISONS:
            return self._compare(COMPARISONS[name], args, kwargs)
        if name == "where":
            return self._where(func, args, kwargs)
        if name in UNSUPPORTED:
            raise UnsupportedOperation(name, UNSUPPORTED[name])
        if self._cmp:
            tracked = [(t, self._cmp_tie(t)[1]) for t in _tensors_in(args) if self._cmp_tie(t)[0]]
            tracked += [(t, self._cmp_tie(t)[1]) for t in _tensors_in(kwargs) if self._cmp_tie(t)[0]]
            if tracked:
                return self._on_comparison_result(func, name, args, kwargs, tracked)
        if not self.tangents:
            out = func(*args, **kwargs)
            if self.replay is None and (name in SINGULAR or name in NORMS):
                self._check_primal(name, out)
            return out
        if name not in _META and not name.endswith("_") and not name.startswith("__set"):
            args = self._with_zero_tangents(args, name in _ARITHMETIC)
            kwargs = {k: self._with_zero_tangents(v, False) for k, v in kwargs.items()}
        out = func(*args, **kwargs)
        if self.check and (name in SINGULAR or name in NORMS):
            self._check_finite(name, out, args, kwargs)
        return out

    def _with_zero_tangents(self, obj, scalars: bool):
        """Give constant operands an explicit zero tangent: forward-mode AD otherwise builds
        implicit zero tensors whose arithmetic runs through slow Python decompositions."""
        if isinstance(obj, torch.Tensor):
            if not obj.is_floating_point() or fwAD.unpack_dual(obj).tangent is not None:
                return obj
            hit = self._zero_duals.get(id(obj))
            if hit is not None and hit[0]() is obj:
                return hit[1]
            dual = fwAD.make_dual(obj, torch.zeros_like(obj))
            self._zero_duals[id(obj)] = (weakref.ref(obj), dual)
            return dual
        if scalars and isinstance(obj, float):
            return fwAD.make_dual(torch.tensor(obj, dtype=torch.get_default_dtype()),
                                  torch.zeros((), dtype=torch.get_default_dtype()))
        if isinstance(obj, (list, tuple)) and not isinstance(obj, torch.Size):
            return type(obj)(self._with_zero_tangents(o, scalars) for o in obj)
        return obj

    def _check_primal(self, name, out):
        """Primal-only pass: a singular op evaluated at (or near) its singular set sends the
        computation to the tangent pass, which decides qualification."""
        for o in _tensors_in(out):
            if not o.is_floating_point():
                continue
            if not bool(torch.isfinite(o).all()):
                raise _NeedTangents(name)
            if name in _ZERO_SINGULAR and bool((o == 0).any()):
                raise _NeedTangents(name)

    def _on_comparison_result(self, func, name, args, kwargs, tracked):
        ties = [tie for _, tie in tracked if tie is not None]
        if name in ("__bool__", "item", "tolist"):
            if ties and any(bool(t.any()) for t in ties):
                raise NotQualified(
                    name, "Python branching on a comparison that is tied at this point: "
                    "continuity across the branch cannot be checked")
            return func(*args, **kwargs)
        if name in _META:
            return func(*args, **kwargs)
        if name in LOGICAL:
            out = func(*args, **kwargs)
            if isinstance(out, torch.Tensor) and out.dtype == torch.bool:
                tie = None
                for t in ties:
                    t = torch.broadcast_to(t, out.shape) if t.shape != out.shape else t
                    tie = t if tie is None else (tie | t)
                self._register(out, tie)
            return out
        if name in _SHAPE_OPS and isinstance(args[0], torch.Tensor) and self._cmp_tie(args[0])[0]:
            out = func(*args, **kwargs)
            tie = self._cmp_tie(args[0])[1]
            self._register(out, None if tie is None else func(tie, *args[1:], **kwargs))
            return out
        raise UnsupportedOperation(
            name, "applied to the result of a comparison: a comparison used as a number is a "
            "step function (use torch.where(cond, a, b), relu or maximum instead)")

    def _check_finite(self, name, out, args, kwargs):
        for o in _tensors_in(out):
            if not o.is_floating_point():
                continue
            p, t = fwAD.unpack_dual(o)
            if name in NORMS and bool((p == 0).any()):
                raise NotQualified(name, "a norm evaluated at 0 is a kink outside the library "
                                   "(write it with abs/maximum, or keep it away from 0)")
            bad = not bool(torch.isfinite(p).all()) or (t is not None and not bool(torch.isfinite(t).all()))
            if bad and all(bool(torch.isfinite(fwAD.unpack_dual(a).primal).all())
                           for a in _tensors_in((args, kwargs)) if a.is_floating_point()):
                raise NotQualified(
                    name, "its value or directional derivative is infinite or undefined at this "
                    "point (for example sqrt or log at 0, or division by 0): not differentiable here")


# ---------------------------------------------------------------------------- drivers


def random_direction(like: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """A standard Gaussian direction shaped like ``like`` (drawn on the generator's device)."""
    dev = generator.device if generator is not None else like.device
    v = torch.randn(like.shape, generator=generator, dtype=like.dtype, device=dev)
    return v.to(like.device)


@dataclass
class SubgradientResult:
    """``value = f(x)``, ``directional_derivative = f'(x; direction)``, ``subgradient`` an
    element of the Clarke subdifferential (a tensor, or a dict for module parameters)."""

    value: torch.Tensor
    directional_derivative: torch.Tensor
    subgradient: object
    direction: object
    trace: Trace


def _run(call: Callable, primals: dict, directions: dict, *, check: bool, locate: bool,
         on_tie: Callable | None, tangents: str = "auto"):
    """``tangents="auto"``: a primal-only pass first (pieces chosen by values); if it meets a
    tie, a singular point or a non-finite gradient, the pass with tangents is run instead.
    ``"always"``: only the pass with tangents (the algorithm as stated by Kakade-Lee)."""
    if tangents not in ("auto", "always"):
        raise ValueError(f"tangents: got {tangents!r}; allowed: 'auto', 'always'")
    if tangents == "auto":
        try:
            result = _pass(call, primals, directions, check=check, locate=locate, on_tie=on_tie,
                           tangents=False)
            total = sum(g.sum() for g in result[2].values())
            if bool(torch.isfinite(torch.as_tensor(total))):  # one check: inf/nan propagate into the sum
                return result
        except _NeedTangents:
            pass
    return _pass(call, primals, directions, check=check, locate=locate, on_tie=on_tie, tangents=True)


def _check_output(out):
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        raise ValueError(
            f"fn: must return a tensor with one element (a scalar loss), got "
            f"{type(out).__name__}{'' if not isinstance(out, torch.Tensor) else tuple(out.shape)}")


def _pass(call, primals, directions, *, check, locate, on_tie, tangents: bool):
    trace = Trace(qualification_checked=check, tangent_pass=tangents)
    leaves = {k: p.detach().requires_grad_(True) for k, p in primals.items()}
    mode = _LexicographicMode(trace, check=check, locate=locate, on_tie=on_tie, tangents=tangents)
    if not tangents:
        with torch.enable_grad():
            with mode:
                out = call(leaves)
            _check_output(out)
            value = out.reshape(())
            grads = (torch.autograd.grad(value, list(leaves.values()), allow_unused=True)
                     if value.requires_grad else [None] * len(leaves))
        grads = {k: (torch.zeros_like(leaves[k]) if g is None else g.detach())
                 for k, g in zip(leaves, grads)}
        # no tie anywhere: f is smooth near x along the selected pieces, f'(x; v) = <grad, v>
        tangent = sum(torch.dot(grads[k].reshape(-1), directions[k].to(grads[k].dtype).reshape(-1))
                      for k in leaves)
        return value.detach(), torch.as_tensor(tangent).to(value.dtype), grads, trace
    # stage 1: forward with tangents (no reverse graph): values, f'(x; v), piece selections
    with torch.no_grad(), fwAD.dual_level():
        duals = {k: fwAD.make_dual(p.detach(), directions[k].to(p.dtype)) for k, p in primals.items()}
        with mode:
            out = call(duals)
        _check_output(out)
        value, tangent = fwAD.unpack_dual(out)
        value = value.reshape(()).clone()
        tangent = torch.zeros_like(value) if tangent is None else tangent.reshape(()).clone()
    trace.selections = mode.recorded
    # stage 2: the reverse pass through the selected pieces (selections replayed in call order)
    replay = _LexicographicMode(Trace(), check=False, tangents=False)
    replay.replay = mode.recorded
    with torch.enable_grad():
        with replay:
            out2 = call(leaves)
        value2 = out2.reshape(())
        grads = (torch.autograd.grad(value2, list(leaves.values()), allow_unused=True)
                 if value2.requires_grad else [None] * len(leaves))
    if replay._cursor != len(mode.recorded):
        raise RuntimeError("the program took a different path on the reverse stage; programs must be deterministic")
    grads = {k: (torch.zeros_like(leaves[k]) if g is None else g.detach())
             for k, g in zip(leaves, grads)}
    return value.detach(), tangent.detach(), grads, trace


def subdifferentiate(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                     generator: torch.Generator | None = None, *,
                     direction: torch.Tensor | None = None, check_qualification: bool = True,
                     locate: bool = False, on_tie: Callable | None = None,
                     tangents: str = "auto") -> SubgradientResult:
    """Kakade-Lee subdifferentiation of a scalar function of one tensor (module docstring).

    ``direction`` fixes the direction (default: Gaussian from ``generator``).
    ``tangents="auto"`` (default) first tries a primal-only pass, which is exact when no
    kink is reached exactly (then ``f`` is differentiable at ``x``), and runs the pass with
    tangents when one is; ``"always"`` runs the tangent pass directly.  Raises
    :class:`UnsupportedOperation` or :class:`NotQualified` outside the qualification
    condition."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"x: expected a floating-point tensor, got {type(x).__name__}")
    v = random_direction(x, generator) if direction is None else direction
    if v.shape != x.shape:
        raise ValueError(f"direction: shape {tuple(v.shape)} differs from x's {tuple(x.shape)}")
    value, tan, grads, trace = _run(lambda d: fn(d["x"]), {"x": x}, {"x": v},
                                    check=check_qualification, locate=locate, on_tie=on_tie,
                                    tangents=tangents)
    return SubgradientResult(value, tan, grads["x"], v, trace)


def subgradient(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """An element of the Clarke subdifferential of ``fn`` at ``x`` (probability one over the
    random direction drawn from ``generator``); see :func:`subdifferentiate`."""
    return subdifferentiate(fn, x, generator).subgradient


def module_subdifferentiate(module: torch.nn.Module, inputs, loss_fn: Callable,
                            generator: torch.Generator | None = None, *,
                            directions: dict | None = None, check_qualification: bool = True,
                            locate: bool = False, on_tie: Callable | None = None,
                            tangents: str = "auto") -> SubgradientResult:
    """Kakade-Lee subdifferentiation of ``loss_fn(module(*inputs))`` with respect to the
    module's trainable parameters (the inputs are held fixed)."""
    from torch.func import functional_call

    params = {k: p for k, p in module.named_parameters() if p.requires_grad}
    if not params:
        raise ValueError("module: has no trainable parameters")
    if directions is None:
        directions = {k: random_direction(p, generator) for k, p in params.items()}
    args = inputs if isinstance(inputs, tuple) else (inputs,)
    value, tan, grads, trace = _run(
        lambda d: loss_fn(functional_call(module, d, args)), params, directions,
        check=check_qualification, locate=locate, on_tie=on_tie, tangents=tangents)
    return SubgradientResult(value, tan, grads, directions, trace)


def module_subgradients(module: torch.nn.Module, inputs, loss_fn: Callable,
                        generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Clarke subgradients of ``loss_fn(module(*inputs))`` for each trainable parameter,
    keyed by parameter name."""
    return module_subdifferentiate(module, inputs, loss_fn, generator).subgradient
