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

import importlib

_EXPORTS = {
    "AuditReport": "audit", "ExpressionAudit": "audit", "audit_expression": "audit",
    "ClarkeEnumeration": "clarke_enumeration",
    "NotQualified": "library", "UnsupportedOperation": "library",
    "SubgradientResult": "subdifferentiation", "Trace": "subdifferentiation",
    "module_subdifferentiate": "subdifferentiation", "module_subgradients": "subdifferentiation",
    "subdifferentiate": "subdifferentiation", "subgradient": "subdifferentiation",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    """Import the submodule that defines ``name`` on first use (PEP 562): importing this
    package, or its torch-free :mod:`.clarke_enumeration`, does not import torch.

    The functions ``audit`` and ``clarke_enumeration`` share their module's name; import them
    from :mod:`.audit` and :mod:`.clarke_enumeration` (the package attribute is the module).
    """
    if name not in _EXPORTS:
        raise AttributeError(f"module 'numerics.nonsmooth' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"numerics.nonsmooth.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value
