"""Every float eigensolver failing, for the tests that the estimates only steer the proofs."""

from __future__ import annotations

import numpy as np


def internal_error(*args, **kwargs):
    """What LAPACK's MRRR driver does on rare inputs."""
    raise np.linalg.LinAlgError("Internal Error (test)")


def disable_eigensolvers(monkeypatch) -> None:
    """scipy's dense (every LAPACK driver) and sparse (ARPACK) symmetric eigensolvers fail."""
    import scipy.linalg
    import scipy.sparse.linalg

    monkeypatch.setattr(scipy.linalg, "eigh", internal_error)
    monkeypatch.setattr(scipy.sparse.linalg, "eigsh", internal_error)
