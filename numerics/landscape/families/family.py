"""What a benign-landscape family is: sizes, seeded or user instances, the objective with its
gradient, what counts as success for gradient descent, and the certificate of global
optimality of a point.

A :class:`Family` bundles these views of one problem of slide 17 (the list in
:mod:`numerics.landscape.families`). The objective is evaluated in float for the empirical runs
(evidence); the certificate (:class:`GlobalOptimality`) is rigorous: ``certified`` only when an
enclosure proves it, with ``value`` the certified interval of the global optimum and ``radius``
(when given) the proved distance from the point found to an exact global optimizer.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["Family", "GlobalOptimality", "Instance", "SizeParam", "parse_size"]

CERTIFIED, NOT_CERTIFIED, UNDECIDED, NOT_APPLICABLE = "certified", "not-certified", "undecided", "not-applicable"


@dataclass(frozen=True)
class SizeParam:
    """One size parameter: its name, default, allowed range and meaning. ``default`` None means
    derived from the others (the family's builder says how)."""

    name: str
    default: Any
    lo: float
    hi: float
    kind: type = int
    meaning: str = ""

    def _allowed(self) -> str:
        return f"{'an integer' if self.kind is int else 'a number'} in [{self.lo:g}, {self.hi:g}]"

    def parse(self, text: str):
        try:
            v = self.kind(text) if self.kind is not int else int(text, 10)
        except ValueError:
            raise ValueError(f"size {self.name}={text} is not allowed; allowed: "
                             f"{self._allowed()}") from None
        if isinstance(v, float) and not math.isfinite(v) or not (self.lo <= v <= self.hi):
            raise ValueError(f"size {self.name}={text} is not allowed; allowed: {self._allowed()}")
        return v


def parse_size(text: str | dict | None, params: tuple[SizeParam, ...]) -> dict:
    """``"n=100,k=15"`` (or a mapping) -> {name: value} with defaults filled in (None = derived).
    ValueError names the key, the value and what is allowed."""
    known = {p.name: p for p in params}
    out = {p.name: p.default for p in params}
    if text is None or text == "":
        return out
    items = text.items() if isinstance(text, dict) else None
    if items is None:
        items = []
        for part in str(text).split(","):
            if "=" not in part:
                raise ValueError(f"size {part.strip()!r} is not allowed; allowed: key=value pairs separated by "
                                 f"commas, keys {', '.join(known)}")
            k, v = part.split("=", 1)
            items.append((k.strip(), v.strip()))
    for k, v in items:
        if k not in known:
            raise ValueError(f"size key {k!r} is not allowed; allowed: {', '.join(known)}")
        out[k] = known[k].parse(str(v))
    return out


@dataclass(frozen=True)
class Instance:
    """A concrete problem: ``data`` (float arrays defining the objective exactly), the optional
    ``planted`` ground truth (an exact global optimizer when the data are exactly noiseless),
    the resolved ``size`` and where it came from."""

    family: str
    size: dict
    data: dict
    planted: dict | None = None
    seed: int | None = None
    source: str = "seeded"
    extra: dict = field(default_factory=dict)

    def digest(self) -> str:
        """sha256 of the data arrays (names, shapes, bytes), for the certificate."""
        h = hashlib.sha256()
        for k in sorted(self.data):
            a = np.ascontiguousarray(self.data[k])
            h.update(k.encode())
            h.update(str(a.shape).encode())
            h.update(str(a.dtype).encode())
            h.update(a.tobytes())
        return h.hexdigest()


@dataclass(frozen=True)
class GlobalOptimality:
    """The certificate of global optimality of one point (see the module docstring).

    ``status``: certified / not-certified / undecided / not-applicable; ``value``: the
    certified interval ``[lo, hi]`` of the global optimum (None when not certified);
    ``radius``: proved distance to an exact global optimizer (None when not applicable);
    ``method``: how it was proved; ``details``: the evidence (JSON-ready)."""

    status: str
    value: tuple[float, float] | None
    radius: float | None
    method: str
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        def f(x):
            return None if x is None else repr(float(x))
        return {"status": self.status,
                "value": None if self.value is None else [f(self.value[0]), f(self.value[1])],
                "radius": f(self.radius), "method": self.method, **self.details}


@dataclass(frozen=True)
class Family:
    """One landscape family. Callables take the instance first; ``x`` is a flat float vector of
    length ``dim(inst)``, viewed as ``shape(inst)``.

    ``manifold``: ``"euclidean"`` or ``"sphere-rows"`` (every row of x on its unit sphere: the
    runner projects gradients and retracts by normalization).
    ``census``: ``(size) -> (entry, note)`` with a :class:`numerics.landscape.catalog.CatalogEntry`
    (or None) for the critical-point census at a size it can reach, and a note saying which.
    ``solve``: an optional specialised descent ``(inst, seed, rel_tol) -> (x, info, certificate)``
    used for the main point instead of the generic runner.
    """

    name: str
    title: str
    paper: str
    theorem_ids: tuple[str, ...]
    model: str
    sizes: tuple[SizeParam, ...]
    build: Callable[[dict, int], Instance]
    shape: Callable[[Instance], tuple[int, ...]]
    loss_grad: Callable[[Instance, np.ndarray], tuple[float, np.ndarray]]
    init: Callable[[Instance, np.random.Generator], np.ndarray]
    success: Callable[[Instance, np.ndarray, GlobalOptimality | None], bool]
    certify: Callable[[Instance, np.ndarray, float], GlobalOptimality]
    theorem_params: Callable[[Instance], dict]
    census: Callable[[dict], tuple[Any, str]]
    manifold: str = "euclidean"
    from_data: Callable[[dict, dict], Instance] | None = None
    data_keys: str = ""
    success_rule: str = ""
    census_sizes: str = ""
    solve: Callable[..., tuple[np.ndarray, dict, GlobalOptimality | None]] | None = None

    def dim(self, inst: Instance) -> int:
        return int(np.prod(self.shape(inst)))
