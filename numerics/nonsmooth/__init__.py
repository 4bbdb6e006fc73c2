"""Nonsmooth calculus for programs built from piecewise-smooth primitives.

* :mod:`.library`: the primitives (relu, abs, max, clamp, max_pool, ...) and their
  lexicographic piece selection; :class:`UnsupportedOperation`, :class:`NotQualified`.
* :mod:`.subdifferentiation`: Kakade-Lee provably correct subgradients
  (:func:`subgradient`, :func:`module_subgradients`).
"""

from numerics.nonsmooth.library import NotQualified, UnsupportedOperation
from numerics.nonsmooth.subdifferentiation import (
    SubgradientResult,
    Trace,
    module_subdifferentiate,
    module_subgradients,
    subdifferentiate,
    subgradient,
)

__all__ = [
    "NotQualified",
    "UnsupportedOperation",
    "SubgradientResult",
    "Trace",
    "module_subdifferentiate",
    "module_subgradients",
    "subdifferentiate",
    "subgradient",
]
