"""Regression (issue 15, crashes): scipy's MRRR eigensolver with an index range stopped with
"LinAlgError: Internal Error" on the Gram matrix of n = 5 rows, three of them exactly parallel at
scales 1, 1/32, 1/128 (`certify run` exited 3). The float eigenpairs only steer the proof, so
another LAPACK driver is used; the enclosure stays rigorous and contains lambda_min = 0."""

import numpy as np
import pytest

from numerics.kernels.two_layer import two_layer_relu_gram
from numerics.linalg import spectral
from numerics.linalg.spectral import lambda_min_enclosure

# found by a random search; rows 0, 1, 2 are v/128, v/32, v (v = row 2)
X_MRRR_FAILS = np.array([
    [1.0400011832904277e-02, 1.1111108095989402e-04, -5.5654135222648806e-03, 3.4641937617568169e-03,
     -1.8023710012888359e-02],
    [4.1600047331617110e-02, 4.4444432383957609e-04, -2.2261654089059522e-02, 1.3856775047027267e-02,
     -7.2094840051553435e-02],
    [1.3312015146117475e+00, 1.4222218362866435e-02, -7.1237293084990472e-01, 4.4341680150487256e-01,
     -2.3070348816497099e+00],
    [-1.0413305425183583e+00, 1.7679581716049979e+00, -1.5613058733790533e-01, 9.5981351669725629e-02,
     -2.4336348983332825e+00],
    [-4.7551243519272990e-01, -1.6553464957170367e+00, -7.9570687171440246e-01, -7.9503852445903744e-01,
     -1.0375168525252954e+00],
])


def test_rows_are_exactly_parallel_at_the_stated_scales():
    X = X_MRRR_FAILS
    assert (X[0] * 128 == X[2]).all() and (X[1] * 32 == X[2]).all()


def test_singular_gram_is_enclosed_without_a_crash():
    H = two_layer_relu_gram(X_MRRR_FAILS)
    enc = lambda_min_enclosure(H)
    assert enc.lo <= 0.0 <= enc.hi          # three equal rows: H is singular


def test_every_driver_failing_but_one_still_gives_the_eigenpairs(monkeypatch):
    import scipy.linalg

    real = scipy.linalg.eigh
    calls = []

    def flaky(a, *args, **kwargs):
        calls.append(kwargs.get("driver") or ("subset" if "subset_by_index" in kwargs else "default"))
        if "subset_by_index" in kwargs or kwargs.get("driver") == "evd":
            raise np.linalg.LinAlgError("Internal Error.")
        return real(a, *args, **kwargs)

    monkeypatch.setattr(scipy.linalg, "eigh", flaky)
    rng = np.random.default_rng(3)
    B = rng.standard_normal((6, 6))
    M = B @ B.T
    th, V = spectral._dense_smallest_eigenpairs(M, np.empty_like(M), 3)
    assert calls == ["subset", "evd", "ev"]
    np.testing.assert_allclose(th, np.linalg.eigvalsh(M)[:3], rtol=1e-10)
    np.testing.assert_allclose(np.abs(V.T @ V), np.eye(3), atol=1e-10)


@pytest.mark.slow
def test_certify_run_on_these_rows_does_not_exit_3(tmp_path):
    from certify.cli import main

    np.savez(tmp_path / "data.npz", X=X_MRRR_FAILS, y=np.array([1.0, -1, 1, -1, 1]))
    cfg = tmp_path / "cfg.toml"
    cfg.write_text('[data]\npath = "data.npz"\n[certify]\ndelta = 0.1\ntheorems = ["dzps2019-lambda0-positive"]\n')
    with pytest.raises(SystemExit) as exc:
        main(["run", str(cfg), "--out", str(tmp_path / "out")])
    assert exc.value.code == 1                # not certified (parallel inputs), not a crash
