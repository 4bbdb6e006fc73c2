"""Float64 forward pass in numpy: pre-activations and features of every layer, and outputs.

FLOAT: no error bound (the enclosing twin is :mod:`numerics.networks.interval_forward`).
Inputs are the rows of ``X`` (n, d) taken as given; the theorems are stated for unit-norm
inputs, so callers normally pass float unit rows (or use the interval forward on the exact
normalized rows of :func:`numerics.kernels.two_layer.normalize_rows`). Layout is batch-first:
``Z^(h)`` and ``x^(h)`` have shape (n, m), ``Z^(h) = x^(h-1) W^(h)^T``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.kernels.gaussian_expectation import get_activation
from numerics.networks.parameters import Parameters


@dataclass(frozen=True, eq=False)
class ForwardPass:
    """``preactivations[h-1] = Z^(h)`` and ``features[h-1] = x^(h)`` (n, m) for h = 1..H, and
    ``outputs = u`` (n,)."""

    preactivations: tuple[np.ndarray, ...]
    features: tuple[np.ndarray, ...]
    outputs: np.ndarray


def checked_inputs(X, input_dim: int) -> np.ndarray:
    """``X`` as a finite float64 (n, input_dim) array; ValueError naming ``X`` otherwise."""
    A = np.asarray(X, dtype=np.float64)
    if A.ndim != 2 or A.shape[1] != input_dim or A.shape[0] == 0:
        raise ValueError(f"array 'X' has shape {A.shape}; allowed: (n, {input_dim}) with n >= 1")
    if not np.isfinite(A).all():
        raise ValueError("array 'X' has a non-finite entry; allowed: finite numbers")
    return A


def forward(params: Parameters, X) -> ForwardPass:
    """The float forward pass of the network on the rows of ``X`` (see module docstring)."""
    arch = params.architecture
    x = checked_inputs(X, arch.input_dim)
    sigma = get_activation(arch.activation).numpy
    alpha, beta = arch.hidden_scale_float(), arch.residual_scale_float()
    zs, xs = [], []
    for h, W in enumerate(params.hidden, start=1):
        z = x @ W.T
        x = x + beta * sigma(z) if arch.is_residual(h) else alpha * sigma(z)
        zs.append(z)
        xs.append(x)
    return ForwardPass(tuple(zs), tuple(xs), x @ params.output)


def outputs(params: Parameters, X) -> np.ndarray:
    """``u = f(theta, x_i)`` for every row of ``X`` (float)."""
    return forward(params, X).outputs


def unit_rows(X) -> np.ndarray:
    """Float unit rows ``v_i / ||v_i||`` (float; the exact ones are enclosed by
    :func:`numerics.kernels.two_layer.normalize_rows`). Each row is first scaled by a power of
    two (exact) to a largest entry in [1/2, 1), so that no norm underflows (a row scaled by
    2^-1000) or overflows."""
    A = np.asarray(X, dtype=np.float64)
    _, e = np.frexp(np.abs(A).max(axis=1))
    S = np.ldexp(A, -e[:, None])
    return S / np.linalg.norm(S, axis=1, keepdims=True)
