"""Optimization landscapes: every critical point of an objective in a box, certified; and the
benign landscapes of the talk at real sizes.

* every critical point in a box, certified: :mod:`.census` (``find_critical_points``: the search
  put together and accounted for), :mod:`.search` (branch and bound over boxes), :mod:`.verify`
  (Krawczyk, exact rational points, isolation certificates), :mod:`.classify` (kinds from the
  Hessian), :mod:`.spectrum` (verified eigenvalue bounds), :mod:`.results` (the returned values),
  :mod:`.symmetry` (search modulo rotation orbits), :mod:`.global_minima` (are local minima
  global?), :mod:`.saddle_constants` (ell, rho, the robust strict-saddle triple, forward
  invariance).
* :mod:`.benign`: small exact instances of benign landscapes; ``local_minima_are_global``.
* :mod:`.catalog`: the built-in objectives.
* :mod:`.families`: the nine landscape families of slide 17, parametric, each with the
  certificate of global optimality of the point gradient descent finds.
* :mod:`.graphs`, :mod:`.burer_monteiro`, :mod:`.maxcut_sdp`: Max-Cut edge lists and generators,
  the Burer-Monteiro solver, the SDP dual certificate.
"""
