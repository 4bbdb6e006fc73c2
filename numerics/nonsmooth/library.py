"""The library of piecewise-smooth primitives and their lexicographic piece selection.

Kakade & Lee (NeurIPS 2018, arXiv 1809.08530) compute a Clarke subgradient of a program
built from a *library* of nonsmooth functions: each library function is locally Lipschitz
and piecewise smooth, and is overloaded to return its value together with its one-sided
directional derivative ``g'(x; dx)``.  Here each primitive is written as a *selection*:
a boolean mask (or an index) chooses, element by element, which smooth piece is active,
and the output is built from the selected piece only.  The choice uses the primal values
first and, at an exact tie (argument on a kink), the sign of the directional derivative
(the tangent carried by forward-mode AD), i.e. the piece that is active just beyond the
point in direction ``dx``.  Building the output as ``where(mask, piece_a, piece_b)`` makes
forward-mode AD return exactly ``g'(x; dx)`` and reverse-mode AD differentiate the
selected piece, which is the Kakade-Lee reverse pass.

A *degenerate* tie is one where the tangents tie as well (for instance relu(x - x)); with
a random direction it only happens when the competing pieces' directional derivatives
agree on an open cone of directions, where their gradients agree too, so either piece
gives the same answer (module docstring of :mod:`numerics.nonsmooth.subdifferentiation`).

Every rule is split in two: ``select(primals, tangents) -> selection`` (no gradients) and
``build(inputs, selection) -> output`` (differentiable), so the audit can differentiate
the selected piece locally and compare with autograd's own convention.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch
import torch.nn.functional as F

__all__ = [
    "UnsupportedOperation",
    "NotQualified",
    "Selection",
    "KINK_PRIMITIVES",
    "COMPARISONS",
    "LOGICAL",
    "UNSUPPORTED",
    "lex_greater_equal",
]


class UnsupportedOperation(ValueError):
    """A nonsmooth or discontinuous torch operation outside the library.  ``op`` names it."""

    def __init__(self, op: str, reason: str):
        self.op = op
        self.reason = reason
        super().__init__(
            f"torch operation {op!r} is not supported by provably correct subdifferentiation: "
            f"{reason}"
        )


class NotQualified(ValueError):
    """The program leaves the qualification condition at this point (a smooth operation
    evaluated where it is not differentiable, a discontinuous selection, ...).  ``op``
    names the operation."""

    def __init__(self, op: str, reason: str):
        self.op = op
        self.reason = reason
        super().__init__(f"program is not qualified at this point: {op!r}: {reason}")


@dataclass
class Selection:
    """What a kink primitive chose: ``data`` is passed to ``build``; ``ties`` counts
    elements whose argument lay exactly on a kink; ``degenerate`` those whose tangents
    tied as well; ``tie_mask`` marks tied output elements (or None when there are none)."""

    data: Any
    ties: int
    degenerate: int
    tie_mask: torch.Tensor | None = None


# ---------------------------------------------------------------------------- helpers


def _const_like(value, like: torch.Tensor) -> torch.Tensor:
    """A constant tensor for building a piece next to ``like``; when ``like`` carries a
    tangent, the constant gets an explicit zero tangent (forward-mode AD's implicit zero
    tensors take a slow path)."""
    import torch.autograd.forward_ad as fwAD

    if isinstance(value, torch.Tensor):
        c = value
    else:
        c = torch.full((), float(value), dtype=like.dtype, device=like.device)
    if fwAD.unpack_dual(like).tangent is not None and fwAD.unpack_dual(c).tangent is None:
        c = fwAD.make_dual(c, torch.zeros_like(c))
    return c


def _zeros_like(p: torch.Tensor) -> torch.Tensor:
    return _const_like(0.0, p)


def _tangent(p, t):
    """The tangent of a primal, zeros when the value carries none (a constant)."""
    if t is not None:
        return t
    if isinstance(p, torch.Tensor):
        return torch.zeros_like(p)
    return 0.0


def lex_greater_equal(pa, ta, pb, tb):
    """Elementwise lexicographic ``(pa, ta) >= (pb, tb)``: the primal decides, and at a tie
    the tangent (directional derivative).  Returns (mask, tie, degenerate)."""
    gt = pa > pb
    tie = pa == pb
    if not bool(torch.as_tensor(tie).any()):
        return torch.as_tensor(gt), torch.as_tensor(tie), torch.zeros_like(torch.as_tensor(tie))
    ta, tb = _tangent(pa, ta), _tangent(pb, tb)
    dt = torch.as_tensor(ta - tb)
    mask = gt | (tie & (dt >= 0))
    return mask, tie, tie & (dt == 0)


def _count(mask) -> int:
    return int(torch.as_tensor(mask).sum())


def _selection(mask, tie, degenerate) -> Selection:
    n = _count(tie)
    return Selection(mask, n, _count(degenerate) if n else 0, tie if n else None)


def _as_tensor_like(v, like: torch.Tensor) -> torch.Tensor:
    return _const_like(v, like)


# ---------------------------------------------------------------------------- argument parsing


def _arg(args, kwargs, i, name, default=None):
    if len(args) > i:
        return args[i]
    return kwargs.get(name, default)


# ---------------------------------------------------------------------------- rules

# A rule: parse(args, kwargs) -> (inputs: tuple, params: dict); select(primals, tangents,
# params) -> Selection; build(inputs, selection, params) -> output.


@dataclass(frozen=True)
class Rule:
    name: str
    parse: Callable
    select: Callable
    build: Callable
    reduces: bool = False  # output elements pick among several input elements
    has_ties: Callable | None = None  # fast tie check on primals (pooling)


def _unary_parse(args, kwargs):
    return (args[0] if args else kwargs["input"],), {}


# relu(x) = x on {x >= 0}, 0 on {x <= 0}
def _relu_select(p, t, params):
    return _kink_at_zero(p[0], t[0], strict=True)


def _kink_at_zero(x, tx, strict: bool):
    """Select the piece ``x >= 0`` lexicographically; ``strict`` sends degenerate ties to
    the other piece (the choice is immaterial there)."""
    pos = x > 0
    tie = x == 0
    if not bool(tie.any()):
        return Selection(pos, 0, 0, None)
    t = _tangent(x, tx)
    mask = pos | (tie & ((t > 0) if strict else (t >= 0)))
    return Selection(mask, _count(tie), _count(tie & (t == 0)), tie)


def _relu_build(inputs, sel, params):
    (x,) = inputs
    return torch.where(sel.data, x, _zeros_like(x))


def _leaky_parse(args, kwargs):
    return (_arg(args, kwargs, 0, "input"),), {"slope": float(_arg(args, kwargs, 1, "negative_slope", 0.01))}


def _leaky_select(p, t, params):
    return _kink_at_zero(p[0], t[0], strict=False)


def _leaky_build(inputs, sel, params):
    (x,) = inputs
    return torch.where(sel.data, x, x * _const_like(params["slope"], x))


def _prelu_parse(args, kwargs):
    return (_arg(args, kwargs, 0, "input"), _arg(args, kwargs, 1, "weight")), {}


def _prelu_select(p, t, params):
    return _kink_at_zero(p[0], t[0], strict=False)


def _prelu_build(inputs, sel, params):
    x, w = inputs
    if w.numel() > 1 and x.dim() >= 2:
        shape = [1] * x.dim()
        shape[1] = w.numel()
        w = w.reshape(shape)
    return torch.where(sel.data, x, x * _const_like(w, x))


def _abs_select(p, t, params):
    return _kink_at_zero(p[0], t[0], strict=False)


def _abs_build(inputs, sel, params):
    (x,) = inputs
    return torch.where(sel.data, x, -x)


def _binary_parse(args, kwargs):
    a = _arg(args, kwargs, 0, "input")
    b = _arg(args, kwargs, 1, "other")
    return (a, b), {}


def _maximum_select(p, t, params):
    return _selection(*lex_greater_equal(p[0], t[0], p[1], t[1]))


def _minimum_select(p, t, params):
    return _selection(*lex_greater_equal(p[1], t[1], p[0], t[0]))


def _pick_build(inputs, sel, params):
    a, b = inputs
    like = a if isinstance(a, torch.Tensor) else b
    return torch.where(sel.data, _as_tensor_like(a, like), _as_tensor_like(b, like))


# clamp(x, lo, hi) = min(max(x, lo), hi): two selections in sequence


def _clamp_parse(args, kwargs):
    x = _arg(args, kwargs, 0, "input")
    lo = _arg(args, kwargs, 1, "min")
    hi = _arg(args, kwargs, 2, "max")
    return (x, lo, hi), {}


def _clamp_min_parse(args, kwargs):
    return (_arg(args, kwargs, 0, "input"), _arg(args, kwargs, 1, "min"), None), {}


def _clamp_max_parse(args, kwargs):
    return (_arg(args, kwargs, 0, "input"), None, _arg(args, kwargs, 1, "max")), {}


def _hardtanh_parse(args, kwargs):
    x = _arg(args, kwargs, 0, "input")
    lo = float(_arg(args, kwargs, 1, "min_val", -1.0))
    hi = float(_arg(args, kwargs, 2, "max_val", 1.0))
    return (x, lo, hi), {}


def _relu6_parse(args, kwargs):
    return (_arg(args, kwargs, 0, "input"), 0.0, 6.0), {}


def _clamp_select(p, t, params):
    x, lo, hi = p
    tx, tlo, thi = t
    ties = degenerate = 0
    tie_mask = None
    upper = lower = None
    cur_p, cur_t = x, _tangent(x, tx)
    if lo is not None:
        lower, tie, deg = lex_greater_equal(cur_p, cur_t, lo, tlo)  # True: keep x
        ties, degenerate = _count(tie), _count(deg)
        tie_mask = tie if ties else None
        lo_b = _as_tensor_like(lo, x)
        cur_p = torch.where(lower, cur_p, lo_b)
        cur_t = torch.where(lower, cur_t, torch.as_tensor(_tangent(lo, tlo), dtype=x.dtype))
    if hi is not None:
        upper, tie, deg = lex_greater_equal(hi, thi, cur_p, cur_t)  # True: keep current
        n = _count(tie)
        if n:
            ties += n
            degenerate += _count(deg)
            tie_mask = tie if tie_mask is None else (tie_mask | tie)
    return Selection((lower, upper), ties, degenerate, tie_mask)


def _clamp_build(inputs, sel, params):
    x, lo, hi = inputs
    lower, upper = sel.data
    out = x
    if lower is not None:
        out = torch.where(lower, out, _as_tensor_like(lo, x))
    if upper is not None:
        out = torch.where(upper, out, _as_tensor_like(hi, x))
    return out


# max/min reductions: lexicographic argmax along a dimension


def lex_argmax(p: torch.Tensor, t: torch.Tensor | None, dim: int, largest: bool = True):
    """Index (keepdim) of the lexicographic maximum (or minimum) of (p, t) along ``dim``;
    also the number of windows with a primal tie and with a full (degenerate) tie."""
    sgn = 1.0 if largest else -1.0
    q = p * sgn
    m = q.amax(dim=dim, keepdim=True)
    cand = q == m
    nc = cand.sum(dim=dim, keepdim=True)
    tied = nc > 1
    if not bool(tied.any()):
        return q.argmax(dim=dim, keepdim=True), 0, 0, None
    tt = _tangent(p, t) * sgn
    neg_inf = torch.full_like(tt, float("-inf"))
    tq = torch.where(cand, tt, neg_inf)
    idx = tq.argmax(dim=dim, keepdim=True)  # the first candidate with the largest tangent
    tm = torch.gather(tq, dim, idx)
    degenerate = ((tq == tm).sum(dim=dim, keepdim=True) > 1)
    return idx, _count(tied), _count(degenerate), tied


def _reduction_parse(args, kwargs):
    x = _arg(args, kwargs, 0, "input")
    dim = _arg(args, kwargs, 1, "dim")
    keepdim = bool(_arg(args, kwargs, 2, "keepdim", False))
    return (x,), {"dim": dim, "keepdim": keepdim}


def _normalize_dims(x: torch.Tensor, dim):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(x.dim()))
    if isinstance(dim, int):
        return (dim % max(x.dim(), 1),)
    return tuple(sorted(d % max(x.dim(), 1) for d in dim))


def _move_reduced_last(x, dims):
    keep = [d for d in range(x.dim()) if d not in dims]
    y = x.permute(*keep, *dims) if x.dim() else x.reshape(1)
    return y.reshape(*[x.shape[d] for d in keep], -1), keep


def _reduce_select(largest):
    def select(p, t, params):
        (x,), (tx,) = p, t
        dims = _normalize_dims(x, params["dim"])
        xr, _ = _move_reduced_last(x, dims)
        tr = None if tx is None else _move_reduced_last(tx, dims)[0]
        idx, ties, deg, tied = lex_argmax(xr, tr, dim=-1, largest=largest)
        return Selection((dims, idx), ties, deg, None if tied is None else tied.squeeze(-1))

    return select


def _reduce_build(inputs, sel, params):
    (x,) = inputs
    dims, idx = sel.data
    xr, keep = _move_reduced_last(x, dims)
    out = torch.gather(xr, -1, idx).squeeze(-1)
    if params["keepdim"]:
        shape = [1 if d in dims else x.shape[d] for d in range(x.dim())]
        out = out.reshape(shape)
    return out


def _reduce_indices(inputs, sel, params):
    (x,) = inputs
    dims, idx = sel.data
    out = idx.squeeze(-1)
    if params["keepdim"]:
        out = out.reshape([1 if d in dims else x.shape[d] for d in range(x.dim())])
    return out


# max_pool via unfold: each output element is a lexicographic max over its window


def _pool_parse(ndim):
    def parse(args, kwargs):
        x = _arg(args, kwargs, 0, "input")
        k = _arg(args, kwargs, 1, "kernel_size")
        stride = _arg(args, kwargs, 2, "stride", None)
        padding = _arg(args, kwargs, 3, "padding", 0)
        dilation = _arg(args, kwargs, 4, "dilation", 1)
        ceil_mode = bool(_arg(args, kwargs, 5, "ceil_mode", False))
        return_indices = bool(_arg(args, kwargs, 6, "return_indices", False))
        if ceil_mode:
            raise UnsupportedOperation(f"max_pool{ndim}d", "ceil_mode=True is not implemented")
        if return_indices:
            raise UnsupportedOperation(f"max_pool{ndim}d", "return_indices=True is not implemented")

        def pair(v):
            if v is None or (isinstance(v, (list, tuple)) and len(v) == 0):
                return None
            if isinstance(v, int):
                return (v,) * ndim
            v = tuple(int(u) for u in v)
            return v * ndim if len(v) == 1 else v

        k = pair(k)
        stride = pair(stride) or k
        return (x,), {"k": k, "stride": stride, "padding": pair(padding), "dilation": pair(dilation),
                      "ndim": ndim}

    return parse


def _as_2d(x, ndim):
    return x.unsqueeze(-2) if ndim == 1 else x


def _pool_geometry(params):
    if params["ndim"] == 1:
        return ((1,) + params["k"], (1,) + params["stride"], (0,) + params["padding"],
                (1,) + params["dilation"])
    return params["k"], params["stride"], params["padding"], params["dilation"]


def _pool_windows(x, params):
    """(windows [B, C, K, L], output spatial shape) of x (N,C,*) or (C,*)."""
    ndim = params["ndim"]
    batched = x.dim() == ndim + 2
    y = x if batched else x.unsqueeze(0)
    y = _as_2d(y, ndim)
    k, s, pad, dil = _pool_geometry(params)
    n, c, h, w = y.shape
    if any(pad):
        y = F.pad(y, (pad[1], pad[1], pad[0], pad[0]), value=float("-inf"))
    cols = F.unfold(y, kernel_size=k, dilation=dil, stride=s)  # [n, c*K, L]
    kk = k[0] * k[1]
    cols = cols.reshape(n, c, kk, -1)
    hp, wp = y.shape[-2], y.shape[-1]
    ho = (hp - dil[0] * (k[0] - 1) - 1) // s[0] + 1
    wo = (wp - dil[1] * (k[1] - 1) - 1) // s[1] + 1
    return cols, (ho, wo), batched


def _pool_select(p, t, params):
    (x,), (tx,) = p, t
    # windows on the last (contiguous) dimension: reductions there are much faster
    cols = _pool_windows(x, params)[0].transpose(2, 3).contiguous()
    tcols = None if tx is None else _pool_windows(tx, params)[0].transpose(2, 3).contiguous()
    idx, ties, deg, tied = lex_argmax(cols, tcols, dim=-1)  # [n, c, L, 1]: index within the window
    return Selection(_window_to_flat(idx.squeeze(-1), x, params), ties, deg,
                     None if tied is None else tied.squeeze(-1))


def _window_to_flat(j: torch.Tensor, x: torch.Tensor, params) -> torch.Tensor:
    """Flat index into the (unpadded) 2-d input plane of window element ``j`` of each window."""
    ndim = params["ndim"]
    k, s, pad, dil = _pool_geometry(params)
    h, w = (1, x.shape[-1]) if ndim == 1 else (x.shape[-2], x.shape[-1])
    ho = (h + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) // s[0] + 1
    wo = (w + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) // s[1] + 1
    ell = torch.arange(ho * wo, device=j.device)
    row = (ell // wo) * s[0] - pad[0] + (j // k[1]) * dil[0]
    col = (ell % wo) * s[1] - pad[1] + (j % k[1]) * dil[1]
    return (row * w + col, (ho, wo))


def pool_has_ties(x: torch.Tensor, params, ignore_zero_max: bool = False) -> bool:
    """Does some pooling window hold its maximum twice?  Native ops only when the windows
    do not overlap (stride = kernel, no padding, no dilation); otherwise via unfold.
    ``ignore_zero_max``: windows whose maximum is 0 do not count (used when ``x`` is the
    output of an untied relu: its zeros are locally constant, with gradient 0, so a tie
    among them does not change the derivative)."""
    ndim = params["ndim"]
    k, s, pad, dil = _pool_geometry(params)
    with torch.no_grad():
        if tuple(k) == tuple(s) and not any(pad) and all(d == 1 for d in dil):
            y = x if x.dim() == ndim + 2 else x.unsqueeze(0)
            y = _as_2d(y, ndim)
            pooled = F.max_pool2d(y, k, s)
            ho, wo = pooled.shape[-2:]
            crop = y[..., : ho * k[0], : wo * k[1]]
            up = pooled.repeat_interleave(k[0], dim=-2).repeat_interleave(k[1], dim=-1)
            counts = F.avg_pool2d((crop == up).to(y.dtype), k, s) * (k[0] * k[1])
            tied = counts > 1.5
            if ignore_zero_max:
                tied = tied & (pooled != 0)
            return bool(tied.any())
        cols, _, _ = _pool_windows(x, params)
        m = cols.amax(dim=2, keepdim=True)
        tied = (cols == m).sum(dim=2, keepdim=True) > 1
        if ignore_zero_max:
            tied = tied & (m != 0)
        return bool(tied.any())


def _pool_build(inputs, sel, params):
    (x,) = inputs
    flat, (ho, wo) = sel.data
    ndim = params["ndim"]
    batched = x.dim() == ndim + 2
    y = x if batched else x.unsqueeze(0)
    y = y.reshape(y.shape[0], y.shape[1], -1)  # [n, c, H*W]
    out = torch.gather(y, 2, flat)  # [n, c, ho*wo]: the selected element of each window
    out = out.reshape(out.shape[0], out.shape[1], ho, wo)
    if ndim == 1:
        out = out.squeeze(-2)
    return out if batched else out.squeeze(0)


def _l1_parse(args, kwargs):
    x = _arg(args, kwargs, 0, "input")
    y = _arg(args, kwargs, 1, "target")
    reduction = kwargs.get("reduction", "mean")
    if kwargs.get("size_average") is not None or kwargs.get("reduce") is not None or kwargs.get("weight") is not None:
        raise UnsupportedOperation("l1_loss", "only the `reduction` argument is supported")
    return (x, y), {"reduction": reduction}


def _l1_select(p, t, params):
    x, y = p
    tx, ty = t
    d = x - y
    td = _tangent(x, tx) - _tangent(y, ty)
    return _kink_at_zero(d, td, strict=False)


def _l1_build(inputs, sel, params):
    x, y = inputs
    d = x - y
    a = torch.where(sel.data, d, -d)
    r = params["reduction"]
    if r == "mean":
        return a.mean()
    if r == "sum":
        return a.sum()
    return a


_RULES = [
    Rule("relu", _unary_parse, _relu_select, _relu_build),
    Rule("leaky_relu", _leaky_parse, _leaky_select, _leaky_build),
    Rule("prelu", _prelu_parse, _prelu_select, _prelu_build),
    Rule("abs", _unary_parse, _abs_select, _abs_build),
    Rule("absolute", _unary_parse, _abs_select, _abs_build),
    Rule("maximum", _binary_parse, _maximum_select, _pick_build),
    Rule("fmax", _binary_parse, _maximum_select, _pick_build),
    Rule("minimum", _binary_parse, _minimum_select, _pick_build),
    Rule("fmin", _binary_parse, _minimum_select, _pick_build),
    Rule("clamp", _clamp_parse, _clamp_select, _clamp_build),
    Rule("clip", _clamp_parse, _clamp_select, _clamp_build),
    Rule("clamp_min", _clamp_min_parse, _clamp_select, _clamp_build),
    Rule("clamp_max", _clamp_max_parse, _clamp_select, _clamp_build),
    Rule("hardtanh", _hardtanh_parse, _clamp_select, _clamp_build),
    Rule("relu6", _relu6_parse, _clamp_select, _clamp_build),
    Rule("amax", _reduction_parse, _reduce_select(True), _reduce_build, reduces=True),
    Rule("amin", _reduction_parse, _reduce_select(False), _reduce_build, reduces=True),
    Rule("max_pool1d", _pool_parse(1), _pool_select, _pool_build, reduces=True,
         has_ties=lambda p, params: pool_has_ties(p[0], params)),
    Rule("max_pool2d", _pool_parse(2), _pool_select, _pool_build, reduces=True,
         has_ties=lambda p, params: pool_has_ties(p[0], params)),
    Rule("l1_loss", _l1_parse, _l1_select, _l1_build),
]
KINK_PRIMITIVES: dict[str, Rule] = {r.name: r for r in _RULES}
KINK_PRIMITIVES["max_pool1d_with_indices"] = KINK_PRIMITIVES["max_pool1d"]
KINK_PRIMITIVES["max_pool2d_with_indices"] = KINK_PRIMITIVES["max_pool2d"]
# torch.max / torch.min are dispatched by their arguments in subdifferentiation.py
REDUCE_MAX = Rule("max", _reduction_parse, _reduce_select(True), _reduce_build, reduces=True)
REDUCE_MIN = Rule("min", _reduction_parse, _reduce_select(False), _reduce_build, reduces=True)
reduce_indices = _reduce_indices

COMPARISONS = {
    "gt": "gt", "greater": "gt", "__gt__": "gt",
    "ge": "ge", "greater_equal": "ge", "__ge__": "ge",
    "lt": "lt", "less": "lt", "__lt__": "lt",
    "le": "le", "less_equal": "le", "__le__": "le",
}
LOGICAL = frozenset({
    "logical_and", "logical_or", "logical_not", "logical_xor", "__and__", "__or__", "__xor__",
    "__invert__", "__rand__", "__ror__", "__rxor__", "bitwise_and", "bitwise_or", "bitwise_not",
    "bitwise_xor", "any", "all",
})

_DISCONTINUOUS = "discontinuous (a step), not locally Lipschitz"
_SORTING = "its pieces are selected by sorting/ranking, which is not in the library"
UNSUPPORTED: dict[str, str] = {
    **{n: _DISCONTINUOUS for n in (
        "sign", "sgn", "signbit", "floor", "ceil", "round", "trunc", "fix", "frac", "fmod",
        "remainder", "__mod__", "__rmod__", "__floordiv__", "__rfloordiv__", "floor_divide",
        "heaviside", "eq", "ne", "__eq__", "__ne__", "equal", "isclose", "hardshrink", "threshold",
        "bucketize", "searchsorted", "histc", "histogram", "bincount", "unique",
        "unique_consecutive", "nonzero", "argwhere", "masked_select", "rrelu", "dropout1d",
    )},
    **{n: _SORTING for n in (
        "sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "quantile",
        "nanquantile", "argmax", "argmin", "cummax", "cummin",
    )},
    **{n: "a pooling or unpooling kink not in the library (max_pool1d/2d are)" for n in (
        "max_pool3d", "max_pool3d_with_indices", "adaptive_max_pool1d", "adaptive_max_pool2d",
        "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices",
        "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices",
        "fractional_max_pool2d", "fractional_max_pool3d", "max_unpool1d", "max_unpool2d",
        "max_unpool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d",
    )},
    **{n: "a piecewise activation whose kink is not in the library (use relu, leaky_relu, "
          "hardtanh, clamp, maximum)" for n in (
        "elu", "selu", "celu", "hardswish", "hardsigmoid", "softshrink", "elu_", "selu_", "celu_",
    )},
    **{n: "a loss with a hinge computed inside C++ (write it with relu/maximum instead)" for n in (
        "hinge_embedding_loss", "margin_ranking_loss", "multi_margin_loss",
        "multilabel_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
        "cosine_embedding_loss",
    )},
    **{n: "in-place update of a kink primitive (use the out-of-place form)" for n in (
        "relu_", "abs_", "absolute_", "clamp_", "clip_", "clamp_min_", "clamp_max_", "hardtanh_",
        "leaky_relu_", "relu6_", "fmax_", "fmin_",
    )},
}
# smooth except at a singular set: their tangent must stay finite (qualification)
SINGULAR = frozenset({
    "sqrt", "rsqrt", "log", "log2", "log10", "log1p", "div", "divide", "true_divide",
    "__truediv__", "__rtruediv__", "__itruediv__", "reciprocal", "pow", "__pow__", "__rpow__",
    "float_power", "acos", "asin", "atanh", "acosh", "erfinv", "xlogy", "special_xlogy",
    "lgamma", "digamma", "polygamma", "cdist", "pdist", "dist", "pairwise_distance",
})
NORMS = frozenset({"norm", "vector_norm", "linalg_vector_norm", "normalize", "matrix_norm",
                   "linalg_norm", "frobenius_norm", "nuclear_norm"})
