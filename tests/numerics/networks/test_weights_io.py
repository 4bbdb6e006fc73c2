"""numerics/networks/weights_io.py: .npz and torch state_dict round trips; every defect is a
ValueError naming the file or the array."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from numerics.networks import Architecture
from numerics.networks.initialization import initial_parameters
from numerics.networks.weights_io import load_parameters, read_arrays, save_parameters

ARCHS = [Architecture("two-layer", 4, 3), Architecture("two-layer", 4, 3, train_output=True, activation="tanh"),
         Architecture("deep-fc", 5, 2, depth=3), Architecture("resnet", 3, 4, depth=2, activation="softplus")]


@pytest.mark.parametrize("arch", ARCHS, ids=lambda a: f"{a.kind}-{a.depth}")
@pytest.mark.parametrize("suffix", [".npz", ".pt"])
def test_round_trip_is_exact(tmp_path, arch, suffix):
    p = initial_parameters(arch, 3)
    path = save_parameters(tmp_path / f"w{suffix}", p)
    q = load_parameters(path, arch)
    assert all(np.array_equal(p[n], q[n]) for n in arch.layer_names)
    assert np.array_equal(p.flatten(), q.flatten())
    assert [f.name for f in tmp_path.iterdir()] == [f"w{suffix}"]      # no temporary left behind


def test_key_names_are_the_documented_ones(tmp_path):
    save_parameters(tmp_path / "d.npz", initial_parameters(ARCHS[2], 0))
    assert sorted(read_arrays(tmp_path / "d.npz")) == ["W1", "W2", "W3", "a"]
    save_parameters(tmp_path / "t.pt", initial_parameters(ARCHS[0], 0))
    assert sorted(torch.load(tmp_path / "t.pt", weights_only=True)) == ["W", "a"]


def test_float32_state_dict_from_torch_loads_exactly(tmp_path):
    arch = Architecture("deep-fc", 3, 2, depth=2)
    state = {"W1": torch.randn(3, 2), "W2": torch.randn(3, 3), "a": torch.randn(3)}   # float32
    torch.save(state, tmp_path / "f32.pt")
    p = load_parameters(tmp_path / "f32.pt", arch)
    assert np.array_equal(p["W2"], state["W2"].double().numpy())


def test_ignore_allows_listed_extra_keys(tmp_path):
    arch = ARCHS[0]
    p = initial_parameters(arch, 0)
    np.savez(tmp_path / "w.npz", W=p["W"], a=p["a"], W0=p["W"])
    with pytest.raises(ValueError, match="array 'W0' is not a layer"):
        load_parameters(tmp_path / "w.npz", arch)
    assert np.array_equal(load_parameters(tmp_path / "w.npz", arch, ignore=("W0",))["W"], p["W"])


def _write(tmp_path, suffix, arrays):
    path = tmp_path / f"bad{suffix}"
    if suffix == ".npz":
        np.savez(path, **arrays)
    else:
        torch.save({k: torch.as_tensor(v) for k, v in arrays.items()}, path)
    return path


@pytest.mark.parametrize("suffix", [".npz", ".pt"])
@pytest.mark.parametrize("change, message", [
    (lambda L: L.update(W2=np.ones((3, 4))), r"array 'W2' has shape \(3, 4\); allowed: \(3, 3\)"),
    (lambda L: L.update(W1=np.full((3, 2), np.nan)), r"array 'W1' has a non-finite entry \(nan\)"),
    (lambda L: L.update(a=np.array([1.0, np.inf, 0.0])), r"array 'a' has a non-finite entry \(inf\) at index \[1\]"),
    (lambda L: L.pop("a"), "array 'a' is missing"),
    (lambda L: L.update(extra=np.ones(2)), "array 'extra' is not a layer"),
])
def test_bad_weights_name_the_array_and_the_file(tmp_path, suffix, change, message):
    arch = Architecture("deep-fc", 3, 2, depth=2)
    layers = {n: np.ones(arch.layer_shape(n)) for n in arch.layer_names}
    change(layers)
    path = _write(tmp_path, suffix, layers)
    with pytest.raises(ValueError, match=message) as info:
        load_parameters(path, arch)
    assert str(path) in str(info.value)


def test_bad_files(tmp_path):
    arch = ARCHS[0]
    with pytest.raises(ValueError, match="suffix '.json'; allowed: .npz, .pt, .pth"):
        load_parameters(tmp_path / "w.json", arch)
    with pytest.raises(ValueError, match="does not exist"):
        load_parameters(tmp_path / "missing.npz", arch)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_parameters(tmp_path / "junk.npz", arch)
    (tmp_path / "junk.pt").write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match="not a readable torch state_dict"):
        load_parameters(tmp_path / "junk.pt", arch)
    torch.save([torch.ones(2)], tmp_path / "list.pt")
    with pytest.raises(ValueError, match="holds a list; allowed: a state_dict"):
        load_parameters(tmp_path / "list.pt", arch)
    torch.save({"W": torch.ones(4, 3, dtype=torch.complex64), "a": torch.ones(4)}, tmp_path / "c.pt")
    with pytest.raises(ValueError, match="array 'W' .* has dtype torch.complex64"):
        load_parameters(tmp_path / "c.pt", arch)
    np.savez(tmp_path / "obj.npz", W=np.array([[None] * 3] * 4, dtype=object), a=np.ones(4))
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_parameters(tmp_path / "obj.npz", arch)


def test_pickled_code_in_a_pt_file_is_refused(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("executed",))
    torch.save({"W": Payload()}, tmp_path / "evil.pt")
    with pytest.raises(ValueError, match="not a readable torch state_dict"):
        load_parameters(tmp_path / "evil.pt", ARCHS[0])


def test_failed_save_leaves_nothing_behind(tmp_path):
    p = initial_parameters(ARCHS[0], 0)
    object.__setattr__(p, "layers", {"W": p["W"], "a": object()})      # not an array: savez fails
    with pytest.raises(Exception):
        save_parameters(tmp_path / "w.pt", p)
    assert list(tmp_path.iterdir()) == []
