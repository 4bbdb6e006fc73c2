"""Where and in what precision the empirical layer computes.

`resolve_device` maps the user's choice ``auto | cpu | cuda`` to a torch device and a note that is
recorded with every result: ``auto`` picks CUDA when present and otherwise falls back to the CPU and
says so; ``cuda`` without a GPU is an error (the certify layer maps the ``ValueError`` to exit 2).
Everything computed here is floating point and is labelled ``float`` in the results: it is evidence,
never a verdict.
"""

from __future__ import annotations

import torch

DEVICES = ("auto", "cpu", "cuda")
DTYPES = {"float64": torch.float64, "float32": torch.float32}


def resolve_device(device: str) -> tuple[torch.device, str | None]:
    """Return ``(torch.device, note)``; ``note`` says why the device differs from the request, or None."""
    if device not in DEVICES:
        raise ValueError(f"device: got {device!r}; allowed: 'auto', 'cpu', 'cuda'")
    has_cuda = torch.cuda.is_available()
    if device == "cuda":
        if not has_cuda:
            raise ValueError(
                "device: got 'cuda' but no CUDA GPU is available to torch "
                "(torch.cuda.is_available() is False); use device = 'auto' or 'cpu'"
            )
        return torch.device("cuda"), None
    if device == "auto":
        if has_cuda:
            return torch.device("cuda"), "device 'auto': CUDA is available, ran on the GPU"
        return torch.device("cpu"), "device 'auto': no CUDA GPU available, fell back to the CPU"
    return torch.device("cpu"), None


def resolve_dtype(dtype: str) -> torch.dtype:
    """Map ``"float64" | "float32"`` to the torch dtype; anything else is a ValueError naming ``dtype``."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype: got {dtype!r}; allowed: 'float64', 'float32'")
    return DTYPES[dtype]


def device_name(device: torch.device) -> str:
    """A human-readable name of the device, recorded beside timings and results."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return "cpu"
