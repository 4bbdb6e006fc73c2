"""The checked floating-point environment recorded in every certificate.

Before a rigorous computation and again when a certificate is written, :func:`checked_environment`
runs the exact probes of :mod:`numerics.arith.fp_environment` on numpy (array and scalar ufuncs,
``np.sum``, the BLAS behind ``@``) and, when torch is already imported, on torch's CPU float64
operations and matrix product (and on CUDA float64 products when CUDA was initialized). When any
probe fails it raises :class:`~certify.errors.BadInput` (exit 2) saying what is wrong and how to fix
it; a certificate is never computed or written in an environment that would make its enclosures
wrong. Otherwise it returns the record ``{rounding, subnormals, blas, device, elementary}``.
See docs/floating_point_environment.md.

Nothing here imports torch: a process that never imported it cannot have torch's matrix product in
its rigorous path.
"""

from __future__ import annotations

import sys

import numpy as np

from certify.errors import BadInput
from numerics.arith.fp_environment import (
    EnvironmentCheck,
    Probe,
    ProbeFailure,
    check_arithmetic,
    check_numpy_environment,
)

_TORCH_OPS = {"add": "add", "sub": "sub", "mul": "mul", "div": "div", "gt": "gt", "nextafter": "nextafter"}


def _torch_elementwise(torch, device: str):
    def evaluate(p: Probe):
        a = torch.full((64,), p.a, dtype=torch.float64, device=device)
        b = torch.full((64,), p.b, dtype=torch.float64, device=device)
        out = torch.sqrt(a) if p.op == "sqrt" else getattr(torch, _TORCH_OPS[p.op])(a, b)
        return out.cpu().numpy()
    return evaluate


def _torch_product(torch, device: str):
    def product(A: np.ndarray, B: np.ndarray) -> np.ndarray:
        tA = torch.as_tensor(np.array(A), device=device)
        tB = torch.as_tensor(np.array(B), device=device)
        return (tA @ tB).cpu().numpy()
    return product


def check_torch_environment() -> EnvironmentCheck:
    """Probe torch (only when this process has imported it): CPU float64, and CUDA when initialized."""
    torch = sys.modules.get("torch")
    if torch is None or not hasattr(torch, "float64"):
        return EnvironmentCheck((), ())
    out = check_arithmetic("torch cpu", _torch_elementwise(torch, "cpu"), _torch_product(torch, "cpu"))
    cuda = getattr(torch, "cuda", None)
    if cuda is not None and cuda.is_available() and cuda.is_initialized():
        out = out.merged(check_arithmetic("torch cuda", _torch_elementwise(torch, "cuda"),
                                          _torch_product(torch, "cuda")))
    return out


def probe_environment() -> EnvironmentCheck:
    """All probes for the arithmetic this process may use in a rigorous computation."""
    return check_numpy_environment().merged(check_torch_environment())


def require_safe(check: EnvironmentCheck) -> None:
    """BadInput (exit 2) naming what is wrong and the fix, when a probe failed."""
    if check.safe:
        return
    kinds = {f.breaks for f in check.failures}
    field = "environment.subnormals" if "subnormals" in kinds else (
        "environment.rounding" if "rounding" in kinds else "environment.blas")
    value = check.subnormals if "subnormals" in kinds else (
        check.rounding if "rounding" in kinds else "reduced precision")
    raise BadInput(field, value, f"{check.problem()}. No certificate is computed in this environment")


def checked_environment() -> dict[str, str]:
    """Probe now; BadInput when unsafe, else ``{rounding, subnormals, blas, device, elementary}``."""
    check = probe_environment()
    require_safe(check)
    return {
        "rounding": check.rounding,
        "subnormals": check.subnormals,
        "blas": _blas_text(check),
        "device": _device_text(),
        "elementary": elementary_mode(),
    }


def _blas_text(check: EnvironmentCheck) -> str:
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name = f"{info.get('name')} {info.get('version')}"
    except Exception:  # noqa: BLE001 - numpy builds differ in what they report
        name = "numpy BLAS (unreported)"
    return f"{name}; probed: {', '.join(check.backends)}"


def _device_text() -> str:
    text = "cpu (numpy float64)"
    torch = sys.modules.get("torch")
    if torch is None or not hasattr(torch, "get_float32_matmul_precision"):
        return text
    text += "; torch cpu float64 probed"
    cuda = getattr(torch, "cuda", None)
    if cuda is not None and cuda.is_available() and cuda.is_initialized():
        tf32 = bool(torch.backends.cuda.matmul.allow_tf32)
        text += (f"; cuda {cuda.get_device_name()} float64 probed (float32 paths: allow_tf32={tf32}, "
                 f"float32_matmul_precision={torch.get_float32_matmul_precision()!r}; no rigorous result "
                 "uses float32)")
    return text


def elementary_mode() -> str:
    """How elementary functions are enclosed in this process.

    Hook for numerics/arith/elementary.py: when it exposes a public ``elementary_mode()`` (the
    proved-polynomial work), its answer is recorded verbatim; otherwise the mode is read from the
    numeric context (strict Arb) or is the libm margin mode, whose premise is named.
    """
    from numerics.arith import elementary
    from numerics.arith.context import get_context

    hook = getattr(elementary, "elementary_mode", None)
    if callable(hook):
        return str(hook())
    if get_context().strict_elementary:
        return "arb-strict (every value enclosed by Arb)"
    return ("libm-margin (premise: libm within "
            f"{getattr(elementary, 'MARGIN_ULPS', '?')} ulp, sampled self-check; strict Arb if it fails)")


__all__ = [
    "ProbeFailure",
    "check_torch_environment",
    "checked_environment",
    "elementary_mode",
    "probe_environment",
    "require_safe",
]
