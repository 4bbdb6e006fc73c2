"""Optimization landscapes: every critical point of an objective in a box, certified.

* :mod:`.critical_points`: branch-and-bound search, Krawczyk existence and uniqueness,
  classification by verified Hessians.
* :mod:`.benign`: small exact instances of benign landscapes; ``local_minima_are_global``.
* :mod:`.catalog`: the built-in objectives.
"""
