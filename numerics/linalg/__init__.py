"""Verified linear algebra.

* :mod:`.solve`: verified solves (Krawczyk with Arb escalation), inverse quadratic forms.
* :mod:`.spectral`: certified bounds on the smallest eigenvalue of a symmetric interval
  matrix (Rump's Cholesky test with a shift, rigorous Rayleigh quotients).
"""
