"""Search and proof at one width, and the smallest certified width of a deep network on a dataset.

The search budget of a width search (``max_iterations = 60``, ``slow_window = 12``: give up when
the residual has not halved in 12 accepted steps) is smaller than the default of a single
search; it is the budget the scaling study ran with (benchmarks/deep_width_study.py), so a
longer search may certify some narrower widths.

At width m and seed s: the seeded initialization (:func:`numerics.networks.initialization.
initial_parameters`, the empirical layer's numbers), the Gauss-Newton search from it
(:mod:`numerics.instance.deep_gauss_newton`, float) and, when the search reached a small float
residual, the proof (:mod:`numerics.instance.deep_minimizer`). The smallest certified width is
found by doubling then bisection (:mod:`numerics.instance.smallest_width`), starting from the
smallest width with at least n parameters (fewer can never be certified: the NTK Gram has rank
at most P).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from numerics.instance.deep_gauss_newton import (DeepSearchResult, deep_gauss_newton_search,
                                                 float_inputs)
from numerics.instance.deep_minimizer import DeepMinimizerResult, certify_deep_minimizer
from numerics.instance.smallest_width import WidthSearch, smallest_certified_width
from numerics.networks import Architecture
from numerics.networks.initialization import initial_parameters

PROOF_RESIDUAL = 1e-6     # float residual below which the proof is attempted
SEARCH_BUDGET = {"max_iterations": 60, "slow_window": 12}    # the width search's budget (module docstring)


@dataclass(frozen=True, eq=False)
class DeepWidthPoint:
    """One width and seed: the search from the initialization and (maybe) its proof."""

    width: int
    seed: int
    parameter_count: int
    search: DeepSearchResult
    proof: DeepMinimizerResult | None
    seconds: float

    @property
    def certified(self) -> bool:
        return self.proof is not None and self.proof.certified

    def as_dict(self) -> dict:
        """The journal record of this point (plain JSON); ``sqrt_m_distance`` is the largest
        per-layer enclosure of sqrt(m) times the max-neuron distance from the initialization."""
        p = self.proof
        return {"width": self.width, "seed": self.seed, "parameters": self.parameter_count,
                "certified": self.certified, "sqrt_m_distance": _max_sqrt_m_distance(p) if self.certified else None,
                "search_residual_float": repr(self.search.residual_norm),
                "search_iterations": self.search.iterations, "search_stop": self.search.stop_reason,
                "search_seconds": round(self.search.seconds, 3),
                "proof_seconds": None if p is None else round(p.seconds, 3),
                "reason": "float residual above the proof threshold" if p is None else p.reason,
                "seconds": round(self.seconds, 3)}


def _max_sqrt_m_distance(proof: DeepMinimizerResult) -> dict | None:
    vals = [L.sqrt_m_distance_max_neuron for L in proof.layers if L.sqrt_m_distance_max_neuron is not None]
    if not vals:
        return None
    return {"lo": repr(max(float(v.lo) for v in vals)), "hi": repr(max(float(v.hi) for v in vals))}


def architecture_at(kind: str, width: int, d: int, depth: int, activation: str = "relu",
                    c_res: float = 0.5, train_output: bool | None = None) -> Architecture:
    return Architecture(kind, int(width), int(d), depth=int(depth) if kind != "two-layer" else 1,
                        activation=activation, c_res=c_res, train_output=train_output)


def smallest_useful_width(kind: str, d: int, depth: int, n: int, **arch) -> int:
    """The smallest m whose parameter count P(m) is at least n."""
    m = 1
    while architecture_at(kind, m, d, depth, **arch).parameter_count < n:
        m += 1
    return m


def certify_at_width(X, y, kind: str, depth: int, width: int, seed: int, *, max_iterations: int = 60,
                     slow_window: int = 12, device: str = "cpu", inputs: np.ndarray | None = None,
                     progress: Callable[[int, float], None] | None = None, **arch) -> DeepWidthPoint:
    """Initialization, search and proof at one width (module docstring)."""
    t0 = time.perf_counter()
    X = np.asarray(X, dtype=np.float64)
    A = architecture_at(kind, width, X.shape[1], depth, **arch)
    p0 = initial_parameters(A, seed)
    Xf = float_inputs(X) if inputs is None else inputs
    s = deep_gauss_newton_search(p0, X, y, max_iterations=max_iterations, device=device, inputs=Xf,
                                 slow_window=slow_window, progress=progress)
    scale = 1.0 + float(np.linalg.norm(y))
    proof = certify_deep_minimizer(s.params, X, y, p0) if s.residual_norm <= PROOF_RESIDUAL * scale else None
    return DeepWidthPoint(int(width), int(seed), A.parameter_count, s, proof, time.perf_counter() - t0)


def smallest_width_for_seed(X, y, kind: str, depth: int, seed: int, *, max_width: int = 4096,
                            known: Mapping[int, bool] | None = None,
                            on_point: Callable[[DeepWidthPoint], None] | None = None,
                            on_width: Callable[[int], None] | None = None,
                            progress: Callable[[int, float], None] | None = None,
                            **options) -> tuple[WidthSearch, dict[int, DeepWidthPoint]]:
    """Doubling and bisection over m for one seed. ``known`` (width -> certified, e.g. read back
    from a journal) is reused without recomputation; every point computed is returned and passed
    to ``on_point`` as soon as it is done (``on_width(m)`` before it starts, ``progress`` to the
    search)."""
    X = np.asarray(X, dtype=np.float64)
    inputs = float_inputs(X)
    arch = {k: options.pop(k) for k in ("activation", "c_res", "train_output") if k in options}
    start = smallest_useful_width(kind, X.shape[1], depth, X.shape[0], **arch)
    points: dict[int, DeepWidthPoint] = {}

    def certified(m: int) -> bool:
        if on_width is not None:
            on_width(m)
        pt = certify_at_width(X, y, kind, depth, m, seed, inputs=inputs, progress=progress, **arch, **options)
        points[m] = pt
        if on_point is not None:
            on_point(pt)
        return pt.certified

    return smallest_certified_width(certified, start, max(start, int(max_width)), known=known), points


def seed_search(X, y, seed: int, *, kind: str, depth: int, **options):
    """:func:`smallest_width_for_seed` with the model as keywords (the signature of the two-layer
    search, so one journal driver runs both)."""
    return smallest_width_for_seed(X, y, kind, depth, seed, **options)


def point_at_width(X, y, width: int, seed: int, *, kind: str, depth: int, **options) -> DeepWidthPoint:
    """:func:`certify_at_width` with the model as keywords (as :func:`seed_search`)."""
    return certify_at_width(X, y, kind, depth, width, seed, **options)
