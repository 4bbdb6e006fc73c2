"""Optimization landscapes: every critical point of an objective in a box, certified; and the
benign landscapes of the talk at real sizes.

* :mod:`.critical_points`: branch-and-bound search, Krawczyk existence and uniqueness,
  classification by verified Hessians.
* :mod:`.benign`: small exact instances of benign landscapes; ``local_minima_are_global``.
* :mod:`.catalog`: the built-in objectives.
* :mod:`.families`: the nine landscape families of slide 17, parametric, each with the
  certificate of global optimality of the point gradient descent finds.
* :mod:`.graphs`, :mod:`.burer_monteiro`, :mod:`.maxcut_sdp`: Max-Cut edge lists and generators,
  the Burer-Monteiro solver, the SDP dual certificate.
"""
