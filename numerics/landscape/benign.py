"""Small exact instances of the objectives whose landscapes are proved benign ("all local minima
are global") in the landscape literature (docs/saddle_certification.md), for the critical-point
certifier (:mod:`numerics.landscape.census`).

The theorems are statements about random or generic instances in high dimension; these are
concrete low-dimensional instances with rational data, so that every critical point in a box can
be certified and the claim "every local minimum is global" is decided *for this instance*
(``local_minima_are_global``). All objectives are sums of squares of polynomials with rational
coefficients, so the zero-level certificate of :mod:`numerics.symbolic.ideal_saturation` applies.

* ``phase-retrieval-2``: ``1/(2m) sum_k ((a_k.x)^2 - (a_k.x*)^2)^2`` in R^2, m = 5 real
  measurements, x* = (1, 1/2) (Sun, Qu, Wright 2018, real analogue of their objective).
* ``matrix-sensing-2x1``: ``1/2 sum_i <A_i, u u^T - z z^T>^2`` with four symmetric 2x2 sensing
  matrices, z = (1, 1/2) (Bhojanapalli, Neyshabur, Srebro 2016, rank 1).
* ``matrix-completion-3x1``: ``1/2 sum_{(i,j) in Omega} (u_i u_j - z_i z_j)^2`` over the
  observed entries Omega = diagonal and (1,2), (2,3) (both triangles), z = (1, 1/2, -1) (Ge, Lee,
  Ma 2016, rank 1, without the regularizer). Too few entries are observed: with u2 = 0 nothing
  ties the sign of u3 to that of u1, and +-(1, 0, 1) are spurious local minima (f = 17/32).
* ``quadratic-net-2x2``: ``1/(2n) sum_i (||W x_i||^2 - y_i)^2``, a quadratic-activation network
  f(x; W) = sum_j (w_j.x)^2 with k = 2 hidden units in d = 2, n = 3 samples, labels from the
  teacher W* = [[1, 1/2], [0, 1]] (Du & Lee 2018; k >= d).
* ``tensor-rank1-2``: ``1/2 ||u (x) u (x) u - a (x) a (x) a||_F^2`` in R^2, a = (1, 1/2)
  (the simplest tensor decomposition: a degenerate critical point at 0 that is not a minimum).
"""

from __future__ import annotations

import sympy as sp

R = sp.Rational


def _sym(names):
    return tuple(sp.Symbol(n, real=True) for n in names)


def phase_retrieval():
    x = _sym(("x1", "x2"))
    xs = (1, R(1, 2))
    A = ((1, 0), (0, 1), (1, 1), (1, -1), (2, 1))
    terms = [((a[0] * x[0] + a[1] * x[1]) ** 2 - (a[0] * xs[0] + a[1] * xs[1]) ** 2) ** 2 for a in A]
    expr = sp.Add(*terms) / (2 * len(A))
    return ("phase-retrieval-2",
            f"1/(2m) sum_k ((a_k.x)^2 - (a_k.x*)^2)^2, x* = (1, 1/2), m = {len(A)} measurements a_k = {list(A)}",
            expr, x, {"x1": (-2.0, 2.0), "x2": (-2.0, 2.0)},
            {"family": "phase-retrieval", "n": 2, "m": len(A)})


def matrix_sensing():
    u = _sym(("u1", "u2"))
    z = (1, R(1, 2))
    mats = (((1, 0), (0, 0)), ((0, 1), (1, 0)), ((1, 0), (0, 1)), ((1, 1), (1, -1)))
    resid = [[u[i] * u[j] - z[i] * z[j] for j in range(2)] for i in range(2)]
    terms = [sp.Add(*[A[i][j] * resid[i][j] for i in range(2) for j in range(2)]) ** 2 for A in mats]
    expr = sp.Add(*terms) / 2
    return ("matrix-sensing-2x1",
            f"1/2 sum_i <A_i, u u^T - z z^T>^2, z = (1, 1/2), A_i = {list(mats)}",
            expr, u, {"u1": (-2.0, 2.0), "u2": (-2.0, 2.0)},
            {"family": "matrix-sensing", "n": 2, "r": 1, "m": len(mats)})


def matrix_completion():
    u = _sym(("u1", "u2", "u3"))
    z = (1, R(1, 2), -1)
    omega = ((0, 0), (1, 1), (2, 2), (0, 1), (1, 0), (1, 2), (2, 1))
    expr = sp.Add(*[(u[i] * u[j] - z[i] * z[j]) ** 2 for i, j in omega]) / 2
    return ("matrix-completion-3x1",
            "1/2 sum_{(i,j) in Omega} (u_i u_j - z_i z_j)^2, z = (1, 1/2, -1), "
            "Omega = diagonal, (1,2), (2,1), (2,3), (3,2)",
            expr, u, {v.name: (-2.0, 2.0) for v in u},
            {"family": "matrix-completion", "n": 3, "r": 1, "observed": len(omega)})


def quadratic_net():
    # column-major names: the rows of U = W^T are the columns of W, so f(W) = f(Q W) (it depends
    # on W^T W only) is the right-rotation invariance U -> U Q^T of the symmetry-reduced search
    w = _sym(("w11", "w21", "w12", "w22"))
    W = sp.Matrix([[w[0], w[2]], [w[1], w[3]]])
    Wt = sp.Matrix([[1, R(1, 2)], [0, 1]])
    X = ((1, 0), (0, 1), (1, 1))
    terms = []
    for xi in X:
        xv = sp.Matrix(xi)
        yi = (Wt * xv).dot(Wt * xv)
        terms.append(((W * xv).dot(W * xv) - yi) ** 2)
    expr = sp.Add(*terms) / (2 * len(X))
    return ("quadratic-net-2x2",
            "1/(2n) sum_i (||W x_i||^2 - y_i)^2, W in R^(2x2) (k = 2 units, d = 2), n = 3 samples "
            f"x_i = {list(X)}, y_i = ||W* x_i||^2 with W* = [[1, 1/2], [0, 1]]",
            expr, w, {v.name: (-2.0, 2.0) for v in w},
            {"family": "quadratic-net", "k": 2, "d": 2, "n": len(X)})


def tensor_rank_one():
    u = _sym(("u1", "u2"))
    a = (1, R(1, 2))
    expr = sp.Add(*[(u[i] * u[j] * u[k] - a[i] * a[j] * a[k]) ** 2
                    for i in range(2) for j in range(2) for k in range(2)]) / 2
    return ("tensor-rank1-2", "1/2 ||u (x) u (x) u - a (x) a (x) a||_F^2, a = (1, 1/2)",
            expr, u, {"u1": (-2.0, 2.0), "u2": (-2.0, 2.0)},
            {"family": "tensor-decomposition", "n": 2, "order": 3})


LANDSCAPES = {"phase-retrieval-2": phase_retrieval, "matrix-sensing-2x1": matrix_sensing,
              "matrix-completion-3x1": matrix_completion, "quadratic-net-2x2": quadratic_net,
              "tensor-rank1-2": tensor_rank_one}
"""name -> builder returning (name, description, expr, variables, box, params)."""
