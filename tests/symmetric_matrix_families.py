"""Adversarial symmetric interval matrices for the property tests of the verified eigenvalue
bounds: well conditioned, clustered, a tiny or a zero eigenvalue, indefinite, badly scaled,
huge, subnormal entries, diagonally dominant; relative radii from 0 to 1e-6."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from numerics.arith.interval import Interval

FAMILIES = ("well", "clustered", "tiny", "indefinite", "badly-scaled", "huge", "subnormal-entries",
            "psd-singular", "diagonally-dominant")


def _eigenvalues(family: str, n: int, rng) -> np.ndarray:
    ev = rng.uniform(0.5, 2.0, n)
    if family == "clustered":
        ev = 1.0 + 1e-9 * rng.standard_normal(n)
    elif family == "tiny":
        ev[0] = 10.0 ** -rng.uniform(6, 14)
    elif family == "indefinite":
        ev = rng.standard_normal(n)
    elif family == "psd-singular":
        ev[0] = 0.0
    return ev


def _distorted(family: str, A: np.ndarray, rng) -> np.ndarray:
    n = A.shape[0]
    if family == "badly-scaled":
        D = 10.0 ** rng.uniform(-4, 4, n)
        A = D[:, None] * A * D[None, :]
    elif family == "huge":
        A = A * 1e250
    elif family == "subnormal-entries":
        A = np.where(np.abs(A) < 0.3, A * 1e-310, A)
    elif family == "diagonally-dominant":
        A = A * 1e-3 + np.diag(rng.uniform(1.0, 2.0, n))
    return A


@st.composite
def symmetric_intervals(draw, max_n: int = 10, families=FAMILIES, radii=(0.0, 0.0, 1e-15, 1e-10, 1e-6)):
    """An exactly symmetric interval matrix of one family, radius ``|A| * r`` for r in ``radii``."""
    n = draw(st.integers(1, max_n))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    family = draw(st.sampled_from(list(families)))
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = _distorted(family, (Q * _eigenvalues(family, n, rng)) @ Q.T, rng)
    A = np.triu(A) + np.triu(A, 1).T
    R = np.abs(A) * draw(st.sampled_from(list(radii)))
    return Interval(A - R, A + R)
