"""Nonsmooth calculus for programs built from piecewise-smooth primitives.

* :mod:`.library`: the primitives (relu, abs, max, clamp, max_pool, ...) and their
  lexicographic piece selection; :class:`UnsupportedOperation`, :class:`NotQualified`.
* :mod:`.subdifferentiation`: Kakade-Lee provably correct subgradients
  (:func:`subgradient`, :func:`module_subgradients`).
* :mod:`.clarke_enumeration`: the Clarke subdifferential of an expression by exact
  enumeration of active pieces (ground truth).
* :mod:`.audit`: where autograd's answer leaves the Clarke subdifferential.
* :mod:`.qualification`: the Kakade-Lee qualification conditions on a traced program.
* :mod:`.goldstein`, :mod:`.stochastic_subgradient`, :mod:`.relu_derivative_at_zero`:
  empirical tools (Goldstein near-stationarity, the stochastic subgradient method on ReLU
  nets, the relu'(0) experiment of Bertoin et al. 2021).
"""

from numerics.nonsmooth.audit import AuditReport, ExpressionAudit, audit, audit_expression
from numerics.nonsmooth.clarke_enumeration import ClarkeEnumeration, clarke_enumeration
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
    "AuditReport",
    "ExpressionAudit",
    "audit",
    "audit_expression",
    "ClarkeEnumeration",
    "clarke_enumeration",
    "NotQualified",
    "UnsupportedOperation",
    "SubgradientResult",
    "Trace",
    "module_subdifferentiate",
    "module_subgradients",
    "subdifferentiate",
    "subgradient",
]
