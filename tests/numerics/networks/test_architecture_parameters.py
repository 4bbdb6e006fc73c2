"""numerics/networks/architecture.py and parameters.py: validation, theta order, boxes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.networks import Architecture, IntervalParameters, Parameters, split_theta


def _layers(arch, rng):
    return {n: rng.standard_normal(arch.layer_shape(n)) for n in arch.layer_names}


def test_layer_names_shapes_and_parameter_count():
    deep = Architecture("deep-fc", width=5, input_dim=3, depth=3)
    assert deep.layer_names == ("W1", "W2", "W3", "a")
    assert [deep.layer_shape(n) for n in deep.layer_names] == [(5, 3), (5, 5), (5, 5), (5,)]
    assert deep.train_output and deep.parameter_count == 15 + 25 + 25 + 5
    two = Architecture("two-layer", width=4, input_dim=2)
    assert two.layer_names == ("W", "a") and two.trained_names == ("W",)
    assert two.parameter_count == 8
    assert Architecture("two-layer", 4, 2, train_output=True).parameter_count == 12
    assert Architecture("resnet", 4, 2, depth=2, train_output=False).trained_names == ("W1", "W2")


def test_float_scalings_are_the_papers():
    assert Architecture("two-layer", 9, 2).hidden_scale_float() == 1 / 3
    assert Architecture("deep-fc", 8, 2, depth=2).hidden_scale_float() == 0.5      # sqrt(2/8)
    r = Architecture("resnet", 16, 2, depth=4, c_res=0.25)
    assert r.residual_scale_float() == 0.25 / 16 and r.is_residual(2) and not r.is_residual(1)
    t = Architecture("deep-fc", 4, 2, activation="tanh")
    assert t.hidden_scale_float() == pytest.approx(math.sqrt(2.5361754332174537 / 4), rel=1e-15)


@pytest.mark.parametrize("kwargs, field", [
    (dict(kind="mlp", width=2, input_dim=2), "kind='mlp'"),
    (dict(kind="deep-fc", width=0, input_dim=2), "width=0"),
    (dict(kind="deep-fc", width=2, input_dim=2.0), "input_dim=2.0"),
    (dict(kind="two-layer", width=2, input_dim=2, depth=2), "depth=2"),
    (dict(kind="deep-fc", width=2, input_dim=2, activation="gelu"), "activation='gelu'"),
    (dict(kind="resnet", width=2, input_dim=2, c_res=1.0), "c_res=1.0"),
    (dict(kind="deep-fc", width=2, input_dim=2, train_output="yes"), "train_output='yes'"),
    (dict(kind="deep-fc", width=2, input_dim=2, init_scale=2.0), "init_scale=2.0"),
    (dict(kind="two-layer", width=2, input_dim=2, init_scale=-1.0), "init_scale=-1.0"),
])
def test_bad_architecture_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match="allowed") as info:
        Architecture(**kwargs)
    assert field in str(info.value)


def test_theta_order_is_forward_row_major():
    arch = Architecture("deep-fc", width=2, input_dim=3, depth=2)
    layers = {"W1": np.arange(6.0).reshape(2, 3), "W2": 10 + np.arange(4.0).reshape(2, 2),
              "a": np.array([20.0, 21.0])}
    theta = Parameters(arch, layers).flatten()
    assert theta.tolist() == [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 20, 21]
    assert Parameters(arch, layers).unflatten(theta + 1)["W1"][1, 0] == 4.0


def test_unflatten_inverts_flatten_and_keeps_fixed_layers():
    rng = np.random.default_rng(0)
    arch = Architecture("two-layer", width=3, input_dim=2)
    layers = {"W": rng.standard_normal((3, 2)), "a": np.array([1.0, -1.0, 1.0])}
    p = Parameters(arch, layers)
    q = p.unflatten(np.arange(6.0))
    assert q["W"].tolist() == [[0, 1], [2, 3], [4, 5]] and q["a"].tolist() == [1, -1, 1]
    assert np.array_equal(p.unflatten(p.flatten())["W"], layers["W"])
    with pytest.raises(ValueError, match=r"'theta' has shape \(5,\); allowed: \(6,\)"):
        p.unflatten(np.zeros(5))


def test_layers_are_read_only_copies():
    arch = Architecture("deep-fc", width=2, input_dim=2, depth=1)
    W = np.ones((2, 2))
    p = Parameters(arch, {"W1": W, "a": np.ones(2)})
    W[0, 0] = 5.0
    assert p["W1"][0, 0] == 1.0
    with pytest.raises(ValueError):
        p["W1"][0, 0] = 3.0
    with pytest.raises(TypeError):
        p.layers["W1"] = W


@pytest.mark.parametrize("change, message", [
    (lambda L: L.pop("W2"), "array 'W2' is missing"),
    (lambda L: L.update(W3=np.ones((2, 2))), "array 'W3' is not a layer"),
    (lambda L: L.update(W2=np.ones((2, 3))), r"array 'W2' has shape \(2, 3\); allowed: \(2, 2\)"),
    (lambda L: L.update(a=np.ones((2, 1))), r"array 'a' has shape \(2, 1\); allowed: \(2,\)"),
    (lambda L: L["W1"].__setitem__((0, 1), np.nan), r"array 'W1' has a non-finite entry \(nan\) at index \[0, 1\]"),
    (lambda L: L["a"].__setitem__(1, np.inf), r"array 'a' has a non-finite entry \(inf\)"),
    (lambda L: L.update(W1=np.ones((2, 3), dtype=complex)), "array 'W1' has dtype complex128"),
    (lambda L: L.update(W1=np.array([["1", "2", "3"]] * 2)), "array 'W1' has dtype <U1"),
])
def test_bad_layers_name_the_array(change, message):
    arch = Architecture("deep-fc", width=2, input_dim=3, depth=2)
    layers = _layers(arch, np.random.default_rng(1))
    change(layers)
    with pytest.raises(ValueError, match=message):
        Parameters(arch, layers)


def test_fixed_two_layer_output_must_be_signs():
    arch = Architecture("two-layer", width=2, input_dim=2)
    with pytest.raises(ValueError, match=r"array 'a' has entry 0.5 at index \[1\]; allowed: -1 or \+1"):
        Parameters(arch, {"W": np.ones((2, 2)), "a": np.array([1.0, 0.5])})
    trained = Architecture("two-layer", width=2, input_dim=2, train_output=True)
    assert Parameters(trained, {"W": np.ones((2, 2)), "a": np.array([1.0, 0.5])})["a"][1] == 0.5


def test_float32_and_small_integers_convert_exactly():
    arch = Architecture("two-layer", width=2, input_dim=2)
    W = np.array([[0.1, 3.0], [-2.5, 1e-30]], dtype=np.float32)
    p = Parameters(arch, {"W": W, "a": np.array([1, -1], dtype=np.int64)})
    assert p["W"].dtype == np.float64 and np.array_equal(p["W"], W.astype(np.float64))
    with pytest.raises(ValueError, match="above 2\\*\\*53"):
        Parameters(arch, {"W": np.array([[2 ** 60, 1], [1, 1]]), "a": np.ones(2)})


def test_interval_box_around_theta_contains_the_ball():
    rng = np.random.default_rng(2)
    arch = Architecture("resnet", width=3, input_dim=2, depth=2)
    p = Parameters(arch, _layers(arch, rng))
    r = 1e-3
    box = IntervalParameters.around(p, r)
    for _ in range(20):
        v = rng.standard_normal(arch.parameter_count)
        v *= r * rng.random() / np.linalg.norm(v)
        assert box.contains(p.unflatten(p.flatten() + v))
    assert not box.contains(p.unflatten(p.flatten() + 2 * r))
    radii = np.zeros(arch.parameter_count)
    radii[-1] = 0.5
    one = IntervalParameters.around(p, radii)
    assert np.array_equal(one["W1"].lo, p["W1"]) and one["a"].hi[-1] >= p["a"][-1] + 0.5
    fixed = IntervalParameters.around(Parameters(Architecture("two-layer", 2, 2),
                                                 {"W": np.ones((2, 2)), "a": np.ones(2)}), 0.1)
    assert np.array_equal(fixed["a"].lo, fixed["a"].hi)
    with pytest.raises(ValueError, match="radius"):
        IntervalParameters.around(p, -1.0)


def test_split_theta_lengths():
    arch = Architecture("deep-fc", width=2, input_dim=1, depth=2, train_output=False)
    parts = split_theta(arch, np.arange(6.0))
    assert list(parts) == ["W1", "W2"] and parts["W2"].shape == (2, 2)
