"""Empirical saddle layer: torch evaluation matches sympy, GD from random starts avoids the
certified saddle of the paper's example, PGD escapes, the quadratic escape time grows with d."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

from numerics.empirical.saddle_escape import escape_times, gd_endpoints, quadratic_escape, torch_function
from numerics.landscape.catalog import builtin

x, y = sp.symbols("x y", real=True)


def test_torch_function_matches_sympy():
    e = sp.exp(sp.sin(x) * y) + sp.cos(x - y) / 3 + (x**2 + 1) ** sp.Rational(3, 2) - sp.tanh(y) * sp.log(2 + x)
    f = torch_function(e, (x, y))
    pts = np.array([[0.3, -1.2], [1.1, 0.7], [-0.5, 0.0]])
    got = f(torch.as_tensor(pts, dtype=torch.float64)).numpy()
    want = [float(e.subs({x: a, y: b}).evalf(30)) for a, b in pts]
    assert np.allclose(got, want, rtol=1e-13, atol=1e-13)


def test_gd_avoids_saddle_of_paper_example():
    e = builtin("lsjr-example")
    pts = [("saddle", [0.0, 0.0], [0.0, 0.0]), ("min+", [0.0, 1.0], [0.0, 1.0]), ("min-", [0.0, -1.0], [0.0, -1.0])]
    s = gd_endpoints(e.expr, e.variables, [-2, -2], [2, 2], pts, 0.9 / 11, runs=300, steps=300, seed=3)
    assert s.counts.get("saddle", 0) == 0
    lo, hi = s.fractions["saddle"][1:]
    assert lo == 0.0 and 0 < hi < 0.02
    assert s.counts.get("min+", 0) + s.counts.get("min-", 0) == 300


def test_gd_from_stable_manifold_reaches_saddle():
    # starts on the x-axis (the stable manifold of the origin) converge to the saddle: the
    # classifier must be able to report that outcome
    e = builtin("lsjr-example")
    pts = [("saddle", [0.0, 0.0], [0.0, 0.0])]
    s = gd_endpoints(e.expr, e.variables, [-2, 0], [2, 0], pts, 0.5, runs=20, steps=200, seed=0)
    assert s.counts.get("saddle", 0) == 20


def test_pgd_escapes_faster_than_gd():
    e = builtin("lsjr-example")
    out = escape_times(e.expr, e.variables, np.zeros(2), 0.08, radius=0.01, g_thres=1e-3, t_thres=20,
                       drop=0.1, runs=50, max_steps=3000, seed=1)
    assert out["pgd"]["escaped"] == 50
    assert out["pgd"]["median_steps"] < out["gd"]["median_steps"] if out["gd"]["median_steps"] else True


def test_quadratic_escape_grows_like_log_d():
    out = quadratic_escape(dims=(2, 16, 128, 1024), runs=100, seed=0)
    means = [r["mean_steps"] for r in out["rows"]]
    assert all(b > a for a, b in zip(means, means[1:]))
    # log d growth: about log(d)/(2 log 1.5) ~ 1.23 steps per unit of log d
    assert 0.6 < out["fit_steps_vs_log_d"]["steps_per_log_d"] < 2.0


def test_bad_arguments():
    e = builtin("lsjr-example")
    with pytest.raises(ValueError, match="step_size"):
        gd_endpoints(e.expr, e.variables, [-1, -1], [1, 1], [], -1.0)
