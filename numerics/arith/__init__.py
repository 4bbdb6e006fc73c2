"""Rigorous arithmetic: the leaf every enclosure is built on.

It imports only the standard library, numpy and python-flint (enforced by
``tests/architecture/test_import_graph.py``).

* :mod:`.rounding`: one-ulp directed rounding, ``U``, ``ETA``, ``gamma_k``.
* :mod:`.error_free`: TwoSum and TwoProduct.
* :mod:`.interval`: interval arrays with outward rounding and three-valued comparisons.
* :mod:`.products`: matrix products with a-priori error bounds.
* :mod:`.accurate_dot`: compensated (Dot2) dot products and matrix-vector products.
* :mod:`.balls`: exact conversions between intervals and Arb balls.
* :mod:`.elementary`: elementary functions on intervals.
* :mod:`.context`: the numeric context (precision, backend) in a context variable, and
  :func:`~.context.arb_precision`, the one thread-safe way to set python-flint's precision.
* :mod:`.fp_environment`: exact run-time probes of round-to-nearest and gradual underflow
  (docs/floating_point_environment.md).
* :mod:`.verdict`: HOLDS / FAILS / UNDECIDED.
"""
