"""Exactly noiseless data: dyadic ground truths and measurements computed in integers.

"Noiseless" instances must have an exact global optimizer, or "an exact zero of the loss
near the point found" means nothing. Seeded instances therefore draw their ground truth and
measurement vectors from a Gaussian rounded to the grid ``2^-bits Z`` (a quantized Gaussian;
the landscape theorems are stated for Gaussians, so the instances are close to, not exactly,
their setting), compute the measurements in exact integer arithmetic, and store them as floats
only after checking that each is exactly representable. The ground truth is then an exact zero
of the residuals, checked again by :func:`residual_is_exactly_zero`-style integer evaluations
in each family.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dyadic_normal", "equals_scaled", "exact_float", "exact_orthogonal", "grid_bits", "int_matmul",
           "to_int"]

_INT64_SAFE = 2 ** 62


def dyadic_normal(rng: np.random.Generator, shape, bits: int, clip: float = 6.0) -> np.ndarray:
    """Gaussian samples rounded to multiples of ``2^-bits`` and clipped to ``[-clip, clip]``."""
    g = np.clip(rng.standard_normal(shape), -clip, clip)
    return np.round(g * 2.0 ** bits) / 2.0 ** bits


def to_int(x: np.ndarray, bits: int) -> np.ndarray:
    """``x * 2^bits`` as int64, exactly; ValueError when some entry is not on the grid."""
    s = np.asarray(x, dtype=np.float64) * 2.0 ** bits        # exact: a power-of-two scaling
    if not np.isfinite(s).all() or (np.abs(s) >= 2.0 ** 62).any() or (s != np.round(s)).any():
        raise ValueError(f"values are not multiples of 2^-{bits} within range; allowed: dyadic data")
    return s.astype(np.int64)


def int_matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Exact integer product: int64 when the a-priori bound ``k max|A| max|B| < 2^62`` allows,
    otherwise Python integers (object arrays)."""
    A, B = np.asarray(A), np.asarray(B)
    k = A.shape[-1] if A.ndim else 1
    amax = int(np.abs(A).max()) if A.size else 0
    bmax = int(np.abs(B).max()) if B.size else 0
    if k * amax * bmax < _INT64_SAFE:
        return A.astype(np.int64) @ B.astype(np.int64)
    return A.astype(object) @ B.astype(object)


def exact_float(N: np.ndarray, bits: int) -> np.ndarray:
    """The integers ``N`` times ``2^-bits`` as floats; ValueError unless every one is exact
    (``|N| < 2^53``)."""
    N = np.asarray(N)
    if N.size and int(np.abs(N.astype(object)).max()) >= 2 ** 53:
        raise ValueError("a measurement needs more than 53 bits; allowed: smaller sizes or fewer bits")
    return N.astype(np.float64) * 2.0 ** -bits


def grid_bits(x: np.ndarray, max_bits: int = 40) -> int:
    """The smallest b <= max_bits with x on the grid ``2^-b Z`` (ValueError otherwise)."""
    x = np.asarray(x, dtype=np.float64)
    if not np.isfinite(x).all():
        raise ValueError("values are not finite; allowed: dyadic data")
    for b in range(max_bits + 1):
        s = x * 2.0 ** b
        if (s == np.round(s)).all():
            return b
    raise ValueError(f"values are not on a dyadic grid of at most {max_bits} bits; allowed: exactly noiseless "
                     "dyadic data")


def equals_scaled(y: np.ndarray, N: np.ndarray, bits: int) -> bool:
    """True when ``y == N 2^-bits`` exactly, entry by entry (y floats, N integers)."""
    y = np.asarray(y, dtype=np.float64).ravel()
    N = np.asarray(N).ravel()
    if y.shape != N.shape or not np.isfinite(y).all():
        return False
    s = y * 2.0 ** bits                       # exact unless it overflows (then not finite)
    if not np.isfinite(s).all() or (s != np.round(s)).any():
        return False
    return all(int(a) == int(b) for a, b in zip(s.tolist(), N.tolist()))


def exact_orthogonal(d: int, rng: np.random.Generator, reflections: int = 5) -> np.ndarray:
    """An exactly orthogonal float matrix: a random signed permutation times ``reflections``
    Householder reflections ``I - 2^{1-k} v v^T`` with ``v`` in {0, +-1}^d having 2^k non-zeros
    (so ``v^T v = 2^k``), multiplied in integers. ``A A^T = I`` holds exactly (checked)."""
    k = int(np.floor(np.log2(d))) if d > 1 else 0
    scale = max(k - 1, 0)
    P = np.zeros((d, d), dtype=object)
    P[np.arange(d), rng.permutation(d)] = [int(s) for s in rng.choice([-1, 1], d)]
    out, bits = P, 0
    for _ in range(reflections if d > 1 else 0):
        v = np.zeros(d, dtype=object)
        idx = rng.choice(d, 2 ** k, replace=False)
        v[idx] = [int(s) for s in rng.choice([-1, 1], 2 ** k)]
        H = -np.outer(v, v) * (1 if k >= 1 else 2)
        H[np.arange(d), np.arange(d)] += 2 ** scale
        out, bits = out.dot(H), bits + scale
    A = exact_float(out, bits)
    if not (A.T.dot(A) == np.eye(d)).all() and not _gram_is_identity(out, bits):
        raise ArithmeticError("exact_orthogonal: A^T A != I")
    return A


def _gram_is_identity(N: np.ndarray, bits: int) -> bool:
    G = N.T.dot(N)
    return bool((G == np.eye(G.shape[0], dtype=object) * (2 ** (2 * bits))).all())
