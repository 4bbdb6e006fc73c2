"""Search and proof at one width, and the smallest certified width of a two-layer ReLU net.

At width m and seed s: the seeded initialization (:func:`numerics.empirical.two_layer.
init_two_layer`, the empirical layer's numbers), the Gauss-Newton search from it
(:mod:`numerics.instance.two_layer_gauss_newton`, float) and, when the search reached a small
float residual, the proof (:mod:`numerics.instance.lazy_minimizer`). The smallest certified width
is found by doubling then bisection (:mod:`numerics.instance.smallest_width`), starting from the
smallest width with ``m d >= n`` (narrower nets are never certified: ``rank H_S <= |S| d``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from numerics.instance.deep_gauss_newton import float_inputs
from numerics.instance.lazy_minimizer import LazyMinimizerResult, certify_lazy_minimizer
from numerics.instance.smallest_width import WidthSearch, smallest_certified_width
from numerics.instance.two_layer_gauss_newton import TwoLayerSearchResult, two_layer_gauss_newton_search

PROOF_RESIDUAL = 1e-6     # float residual (relative to 1 + ||y||) below which the proof is attempted


@dataclass(frozen=True, eq=False)
class TwoLayerWidthPoint:
    """One width and seed: the initialization, the search from it and (maybe) its proof."""

    width: int
    seed: int
    W0: np.ndarray
    a: np.ndarray
    search: TwoLayerSearchResult
    proof: LazyMinimizerResult | None
    seconds: float

    @property
    def certified(self) -> bool:
        return self.proof is not None and self.proof.certified

    def as_dict(self) -> dict:
        """The journal record of this point (plain JSON)."""
        p = self.proof
        smd = None if p is None or p.sqrt_m_distance is None else \
            {"lo": repr(float(p.sqrt_m_distance.lo)), "hi": repr(float(p.sqrt_m_distance.hi))}
        return {"width": self.width, "seed": self.seed, "certified": self.certified,
                "sqrt_m_distance": smd if self.certified else None,
                "search_residual_float": repr(self.search.residual_norm),
                "search_iterations": self.search.iterations, "search_stop": self.search.stop_reason,
                "search_seconds": round(self.search.seconds, 3),
                "proof_seconds": None if p is None else round(p.seconds, 3),
                "reason": "float residual above the proof threshold" if p is None else p.reason,
                "seconds": round(self.seconds, 3)}


def smallest_useful_width(n: int, d: int) -> int:
    """The smallest m with ``m d >= n``."""
    return max(1, math.ceil(n / d))


def certify_at_width(X, y, width: int, seed: int, *, inputs: np.ndarray | None = None,
                     progress: Callable[[int, float], None] | None = None, **search_options) -> TwoLayerWidthPoint:
    """Initialization, search and proof at one width (module docstring)."""
    from numerics.empirical.two_layer import init_two_layer

    t0 = time.perf_counter()
    X = np.asarray(X, dtype=np.float64)
    W0t, at = init_two_layer(int(seed), int(width), X.shape[1])
    W0, a = W0t.numpy(), at.numpy()
    Xf = float_inputs(X) if inputs is None else inputs
    s = two_layer_gauss_newton_search(X, y, W0, a, inputs=Xf, progress=progress, **search_options)
    scale = 1.0 + float(np.linalg.norm(y))
    proof = certify_lazy_minimizer(X, y, s.W, a, W0) if s.residual_norm <= PROOF_RESIDUAL * scale else None
    return TwoLayerWidthPoint(int(width), int(seed), W0, a, s, proof, time.perf_counter() - t0)


def smallest_width_for_seed(X, y, seed: int, *, max_width: int = 1 << 20, known: Mapping[int, bool] | None = None,
                            on_point: Callable[[TwoLayerWidthPoint], None] | None = None,
                            on_width: Callable[[int], None] | None = None,
                            progress: Callable[[int, float], None] | None = None,
                            **search_options) -> tuple[WidthSearch, dict[int, TwoLayerWidthPoint]]:
    """Doubling and bisection over m for one seed. ``known`` (width -> certified) is reused
    without recomputation; every point computed is returned and passed to ``on_point`` as soon
    as it is done (``on_width(m)`` before it starts)."""
    X = np.asarray(X, dtype=np.float64)
    inputs = float_inputs(X)
    start = smallest_useful_width(*X.shape)
    points: dict[int, TwoLayerWidthPoint] = {}

    def certified(m: int) -> bool:
        if on_width is not None:
            on_width(m)
        pt = certify_at_width(X, y, m, seed, inputs=inputs, progress=progress, **search_options)
        points[m] = pt
        if on_point is not None:
            on_point(pt)
        return pt.certified

    return smallest_certified_width(certified, start, max(start, int(max_width)), known=known), points
