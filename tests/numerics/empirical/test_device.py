"""Device selection: 'cuda' without a GPU is a clear error, 'auto' falls back to the CPU and says so."""

import numpy as np
import pytest
import torch

from numerics.empirical.device import resolve_device, resolve_dtype
from numerics.empirical.two_layer_experiments import run_two_layer_experiments

no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is present")


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    return X / np.linalg.norm(X, axis=1, keepdims=True), rng.uniform(-1, 1, 6)


@no_gpu
def test_cuda_without_gpu_is_a_value_error_naming_device():
    with pytest.raises(ValueError, match=r"^device: got 'cuda'"):
        resolve_device("cuda")
    X, y = _data()
    with pytest.raises(ValueError, match="device"):
        run_two_layer_experiments(X, y, lambda0=0.1, step_size=0.1, widths=[4], seeds=[0], steps=2, device="cuda")


@no_gpu
def test_auto_falls_back_to_cpu_and_says_so():
    dev, note = resolve_device("auto")
    assert dev.type == "cpu" and "fell back to the CPU" in note
    X, y = _data()
    out = run_two_layer_experiments(X, y, lambda0=0.1, step_size=0.1, widths=[4], seeds=[0], steps=2, device="auto")
    assert out["device"] == "cpu" and out["dtype"] == "float64"
    assert any("fell back" in s for s in out["device_notes"])


def test_unknown_device_and_dtype():
    assert resolve_device("cpu") == (torch.device("cpu"), None)
    with pytest.raises(ValueError, match="device: got 'tpu'"):
        resolve_device("tpu")
    with pytest.raises(ValueError, match="dtype: got 'float16'"):
        resolve_dtype("float16")
