"""The instance verifier never certifies data where two rows have the same normalized input and
different labels (no network of the model fits both), whatever the scale of the copy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.instance.lazy_minimizer import certify_lazy_minimizer


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 8), d=st.integers(1, 4), seed=st.integers(0, 2 ** 31),
       scale=st.sampled_from([1.0, 2.0, 0.125, 2.0 ** -1000, 2.0 ** 700]), m=st.sampled_from([20, 200]))
def test_a_copied_row_with_a_flipped_label_is_never_certified(n, d, seed, scale, m):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.choice([-1.0, 1.0], size=n)
    src = int(rng.integers(n))
    X = np.vstack([X, scale * X[src]])
    y = np.append(y, -y[src])
    W = rng.standard_normal((m, d))
    a = np.where(np.arange(m) % 2 == 0, 1.0, -1.0)
    res = certify_lazy_minimizer(X, y, W, a)
    assert not res.certified
    assert "with different labels: no network interpolates them" in res.reason
