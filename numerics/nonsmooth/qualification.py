"""Is a concrete program qualified in the sense of Kakade & Lee (NeurIPS 2018)?

The guarantee of :mod:`.subdifferentiation` needs (module docstring there):

1. ``library``: every nonsmooth operation the program executes is a library primitive.
   Decided structurally from the traced operations: HOLDS when the traced run completed
   (unsupported operations raise), FAILS when one raised (``UnsupportedOperation``).
2. ``primitives``: each library primitive is piecewise smooth with a constraint
   qualification.  True by construction: every primitive is a max/min (or a selection by
   a sign) of affine pieces whose active constraints ``a_i - a_j`` have linearly
   independent gradients in the primitive's own arguments.
3. ``smooth``: every smooth operation is continuously differentiable near the point where
   it is evaluated.  HOLDS when every traced operation is entire (C-infinity everywhere:
   affine maps, products, exp, tanh, softmax, ...); FAILS when an operation was evaluated
   exactly on its singular set (``NotQualified``); UNDECIDED when operations with a
   singular set (sqrt, log, division by a tensor, ...) were evaluated at points where the
   floating-point check found a finite derivative, which is evidence, not a proof.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from numerics.nonsmooth.library import KINK_PRIMITIVES, NotQualified, UnsupportedOperation
from numerics.nonsmooth.subdifferentiation import Trace, module_subdifferentiate, subdifferentiate
from numerics.arith.verdict import Verdict

__all__ = ["Qualification", "qualify", "ENTIRE_OPS"]

ENTIRE_OPS = frozenset({
    # affine and multilinear
    "linear", "bilinear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "matmul", "mm", "bmm", "addmm", "addmv", "mv", "dot", "einsum", "tensordot", "outer",
    "add", "__add__", "__radd__", "sub", "__sub__", "__rsub__", "rsub", "mul", "__mul__",
    "__rmul__", "neg", "__neg__", "negative", "div_by_constant", "pow_natural", "sum", "mean", "square",
    "cumsum", "diff", "trace", "diagonal", "diag", "t", "transpose", "permute", "reshape",
    "view", "flatten", "unflatten", "squeeze", "unsqueeze", "expand", "expand_as", "repeat",
    "cat", "concat", "stack", "split", "chunk", "narrow", "select", "index_select", "gather",
    "__getitem__", "contiguous", "clone", "flip", "roll", "pad", "embedding", "dropout",
    "batch_norm_eval", "zeros_like", "ones_like", "full_like", "view_as", "reshape_as",
    "movedim", "broadcast_to", "unbind", "type_as", "to", "double", "float", "unfold",
    # entire smooth functions
    "exp", "expm1", "sin", "cos", "tanh", "sigmoid", "softplus", "silu", "gelu", "mish",
    "erf", "sinh", "cosh", "atan", "arctan", "logsigmoid", "softmax", "log_softmax",
    "logsumexp", "cross_entropy", "nll_loss", "mse_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy_with_logits", "soft_margin_loss", "kl_div_logits",
})
_META = frozenset({"__get__", "size", "dim", "numel", "__len__", "__repr__", "__format__",
                   "__hash__", "is_floating_point", "__bool__", "item", "tolist", "detach",
                   "requires_grad_", "float_power_meta"})
_KINKS = frozenset(KINK_PRIMITIVES) | {"max", "min", "where", "gt", "ge", "lt", "le", "greater",
                                        "greater_equal", "less", "less_equal", "__gt__", "__ge__",
                                        "__lt__", "__le__", "logical_and", "logical_or",
                                        "logical_not", "__and__", "__or__", "__invert__"}


@dataclass
class Qualification:
    """The three conditions (module docstring) with their verdicts and evidence."""

    library: Verdict
    primitives: Verdict
    smooth: Verdict
    message: str
    ops: tuple[str, ...]
    singular_ops: tuple[str, ...]
    kink_primitives: tuple[str, ...]
    ties: int
    trace: Trace | None

    @property
    def verdict(self) -> Verdict:
        return Verdict.all_of([self.library, self.primitives, self.smooth])


def qualify(fn_or_module, inputs, loss_fn=None, generator: torch.Generator | None = None) -> Qualification:
    """Trace the program once with tangents (at a random direction) and decide the
    qualification conditions at this point."""
    try:
        if isinstance(fn_or_module, torch.nn.Module):
            if loss_fn is None:
                raise ValueError("loss_fn: required for a module")
            res = module_subdifferentiate(fn_or_module, inputs, loss_fn, generator, tangents="always")
        else:
            res = subdifferentiate(fn_or_module, inputs, generator, tangents="always")
    except UnsupportedOperation as exc:
        return Qualification(Verdict.FAILS, Verdict.HOLDS, Verdict.UNDECIDED, str(exc), (), (), (), 0, None)
    except NotQualified as exc:
        return Qualification(Verdict.HOLDS, Verdict.HOLDS, Verdict.FAILS, str(exc), (), (exc.op,), (), 0, None)
    ops = tuple(sorted(res.trace.ops))
    singular = tuple(o for o in ops if o not in ENTIRE_OPS and o not in _META and o not in _KINKS)
    if singular:
        smooth = Verdict.UNDECIDED
        msg = (f"operations with a singular set were evaluated where their floating-point "
               f"derivative is finite (evidence, not proof): {', '.join(singular)}")
    else:
        smooth = Verdict.HOLDS
        msg = "every smooth operation is entire; every nonsmooth operation is a library primitive"
    return Qualification(Verdict.HOLDS, Verdict.HOLDS, smooth, msg, ops, singular,
                         res.trace.primitives, res.trace.ties, res.trace)
