"""A float local minimum of a tiny network's loss, for the tests of `certify critical` (a search
only: the certificate under test proves what the point is)."""

from __future__ import annotations


def float_minimum(start, X, y):
    """BFGS from ``start``, then four Newton steps in float64 (torch double backward)."""
    import scipy.optimize as so
    import torch

    from numerics.curvature.lanczos import hessian_operator

    theta, _, grad, loss = hessian_operator(start, X, y)
    sol = so.minimize(lambda t: (float(loss(torch.tensor(t))), grad(torch.tensor(t)).numpy()), theta.numpy(),
                      jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 5000})
    t = torch.tensor(sol.x)
    for _ in range(4):
        t = t - torch.linalg.solve(torch.autograd.functional.hessian(loss, t), grad(t))
    return start.unflatten(t.numpy())
