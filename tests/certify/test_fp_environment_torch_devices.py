"""The torch part of the environment check, with a stand-in torch module (no GPU needed): CUDA
float64 products are probed once CUDA is initialized, a reduced-precision product there (as
TF32 would give) stops the command naming it, and the float32 settings are recorded."""

import types

import numpy as np
import pytest

from certify.errors import BadInput
from certify.fp_environment import check_torch_environment, checked_environment


class Tensor:
    def __init__(self, a, device):
        self.a, self.device = np.asarray(a, dtype=np.float64), device

    def __matmul__(self, other):
        if self.device == "cuda" and FakeTorch.reduced_cuda_products:
            f32 = (self.a.astype(np.float32) @ other.a.astype(np.float32)).astype(np.float64)
            return Tensor(f32, self.device)
        return Tensor(self.a @ other.a, self.device)

    def cpu(self):
        return Tensor(self.a, "cpu")

    def numpy(self):
        return self.a


def _elementwise(f):
    return staticmethod(lambda x, y: Tensor(f(x.a, y.a), x.device))


class FakeTorch(types.ModuleType):
    reduced_cuda_products = False
    float64 = "float64"
    add, sub, mul, div = (_elementwise(f) for f in (np.add, np.subtract, np.multiply, np.divide))
    gt, nextafter = _elementwise(np.greater), _elementwise(np.nextafter)

    def __init__(self):
        super().__init__("torch")
        self.cuda = types.SimpleNamespace(is_available=lambda: True, is_initialized=lambda: True,
                                          get_device_name=lambda: "Fake GPU")
        self.backends = types.SimpleNamespace(cuda=types.SimpleNamespace(
            matmul=types.SimpleNamespace(allow_tf32=True)))

    @staticmethod
    def full(shape, value, dtype, device):
        return Tensor(np.full(shape, value), device)

    @staticmethod
    def sqrt(x):
        return Tensor(np.sqrt(x.a), x.device)

    @staticmethod
    def as_tensor(a, device):
        return Tensor(a, device)

    @staticmethod
    def get_float32_matmul_precision():
        return "high"


@pytest.fixture
def fake_torch(monkeypatch):
    fake = FakeTorch()
    monkeypatch.setitem(__import__("sys").modules, "torch", fake)
    yield fake
    FakeTorch.reduced_cuda_products = False


def test_cuda_products_are_probed_and_float32_settings_recorded(fake_torch):
    check = check_torch_environment()
    assert check.safe and check.backends == ("torch cpu", "torch cuda")
    env = checked_environment()
    assert "cuda Fake GPU float64 probed" in env["device"]
    assert "allow_tf32=True" in env["device"] and "'high'" in env["device"]


def test_reduced_precision_cuda_products_stop_the_command(fake_torch):
    FakeTorch.reduced_cuda_products = True
    check = check_torch_environment()
    assert not check.safe
    assert {f.backend for f in check.failures} == {"torch cuda"}
    assert "matmul (1 + ulp) * (1 + ulp)" in {f.probe for f in check.failures}
    with pytest.raises(BadInput) as exc:
        checked_environment()
    assert "not computed in full binary64" in str(exc.value)
