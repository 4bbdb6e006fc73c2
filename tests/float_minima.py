"""A float local minimum of a tiny network's loss, for the tests of `certify critical` (a search
only: the certificate under test proves what the point is)."""

from __future__ import annotations

import numpy as np

from numerics.networks import Architecture, Parameters
from numerics.networks.float_forward import outputs


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


def noisy_teacher_minimum(arch: Architecture, seed: int, n: int, noise: float = 0.1):
    """``(params, X, y)``: X (n, d) standard normal, y = teacher(X) + noise N(0, 1), params the
    :func:`float_minimum` reached from the teacher (every layer N(0, 1))."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, arch.input_dim))
    teacher = Parameters(arch, {k: rng.standard_normal(arch.layer_shape(k)) for k in arch.layer_names})
    y = outputs(teacher, X) + noise * rng.standard_normal(n)
    return float_minimum(teacher, X, y), X, y
