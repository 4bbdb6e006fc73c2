"""The independent checker: a small trusted base that replays the rigorous claims of two-layer
certificates (`certify check --independent CERT`).

It imports nothing from dl-certify's producer (``numerics``, ``proofs``, or the rest of
``certify``): only the standard library, numpy (to read arrays and to *choose* shifts and
vectors, never to decide) and python-flint (exact integers, Arb balls). A test in
tests/architecture enforces that. What it trusts and what it replays is documented in
docs/independent_checker.md.

Modules: :mod:`.exact` (exact integer forms of float arrays), :mod:`.gram` (H_inf in Arb,
exact parallel pairs), :mod:`.definite` (lambda_min bounds: exact Cholesky residual, Arb
Rayleigh quotient), :mod:`.expression` (a restricted arithmetic grammar evaluated in Arb),
:mod:`.lazy_minimizer` (the instance certificate's zero-loss point and radius), :mod:`.replay`
(reading a certificate and its files; the list of replayed claims).
"""
