"""Reading and writing network weights: ``.npz`` archives and torch state_dicts (``.pt``).

Key names (one array per layer, shapes of :meth:`Architecture.layer_shape`; the same names in
both formats, ``docs/networks.md``):

* two-layer: ``W`` (m, d), ``a`` (m,) -- the names ``certify instance --weights`` already reads;
* deep-fc / resnet: ``W1`` (m, d), ``W2`` .. ``WH`` (m, m), ``a`` (m,).

Every defect is a ValueError naming the file or the array, what was found and what is allowed
(missing or unknown key, shape, dtype, NaN/inf, a fixed two-layer ``a`` outside {-1, +1}); the
CLI maps it to exit 2. Floats of any width and integers up to 2^53 convert exactly to float64.
``.pt`` files are read with ``torch.load(weights_only=True)`` (tensors only, no pickled code);
``.npz`` with ``allow_pickle=False``. Writes are atomic (a temporary file in the same directory,
then ``os.replace``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from numerics.networks.architecture import Architecture
from numerics.networks.parameters import Parameters

SUFFIXES = (".npz", ".pt", ".pth")


def _suffix(path: Path) -> str:
    s = path.suffix.lower()
    if s not in SUFFIXES:
        raise ValueError(f"weights file {str(path)!r} has suffix {s!r}; allowed: {', '.join(SUFFIXES)}")
    return s


def read_arrays(path) -> dict[str, np.ndarray]:
    """Every named array of a weights file (no validation of names or shapes)."""
    p = Path(path)
    suffix = _suffix(p)
    if not p.is_file():
        raise ValueError(f"weights file {str(p)!r} does not exist; allowed: an existing {suffix} file")
    if suffix == ".npz":
        try:
            with np.load(p, allow_pickle=False) as npz:
                return {k: np.asarray(npz[k]) for k in npz.files}
        except (OSError, ValueError, EOFError) as exc:
            raise ValueError(f"weights file {str(p)!r} is not a readable .npz of numeric arrays ({exc})") from None
    return _read_state_dict(p)


def _read_state_dict(p: Path) -> dict[str, np.ndarray]:
    import torch
    try:
        state = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a corrupt or unsafe file
        raise ValueError(f"weights file {str(p)!r} is not a readable torch state_dict ({exc})") from None
    if not isinstance(state, dict):
        raise ValueError(f"weights file {str(p)!r} holds a {type(state).__name__}; allowed: a "
                         "state_dict (a dict from layer names to tensors)")
    out = {}
    for key, value in state.items():
        if not isinstance(value, torch.Tensor):
            raise ValueError(f"array {key!r} in {str(p)!r} is a {type(value).__name__}; allowed: a tensor")
        if value.is_complex() or value.dtype == torch.bool:
            raise ValueError(f"array {key!r} in {str(p)!r} has dtype {value.dtype}; allowed: real floats or integers")
        t = value.detach().cpu()
        out[str(key)] = (t.to(torch.float64) if t.is_floating_point() else t).numpy()
    return out


def load_parameters(path, arch: Architecture, ignore: tuple[str, ...] = ()) -> Parameters:
    """The validated parameters of ``arch`` read from ``path`` (.npz or .pt); keys listed in
    ``ignore`` may be present and are skipped, any other unknown key is an error."""
    arrays = {k: v for k, v in read_arrays(path).items() if k not in ignore}
    try:
        return Parameters(arch, arrays)
    except ValueError as exc:
        raise ValueError(f"{exc} (in weights file {str(path)!r})") from None


def save_parameters(path, params: Parameters) -> Path:
    """Write every layer to ``path`` (.npz or .pt) atomically; returns the path."""
    p = Path(path)
    suffix = _suffix(p)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if suffix == ".npz":
                np.savez(fh, **{k: np.array(v) for k, v in params.layers.items()})
            else:
                import torch
                torch.save({k: torch.from_numpy(np.array(v)) for k, v in params.layers.items()}, fh)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p
