"""numerics/networks float_forward.py and torch_network.py: numpy == torch == the empirical
layer's forward; JVP / VJP against finite differences and each other; the NTK Gram against
the dense Jacobian and against Du et al.'s finite-width Gram (1810.02054 eq. 6)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from numerics.empirical import deep as empirical_deep
from numerics.empirical import two_layer as empirical_two_layer
from numerics.networks import Architecture
from numerics.networks.float_forward import forward, unit_rows
from numerics.networks.initialization import initial_parameters
from numerics.networks.torch_network import torch_network

CASES = [("two-layer", 1, "relu", False), ("two-layer", 1, "tanh", True),
         ("two-layer", 1, "softplus", False), ("deep-fc", 1, "relu", True),
         ("deep-fc", 3, "relu", True), ("deep-fc", 2, "tanh", False),
         ("resnet", 3, "relu", True), ("resnet", 2, "softplus", True), ("resnet", 3, "tanh", False)]


def _net(kind, depth, act, train_output, n=7, m=5, d=3, seed=0):
    arch = Architecture(kind, m, d, depth=depth, activation=act, train_output=train_output)
    X = unit_rows(np.random.default_rng(seed + 100).standard_normal((n, d)))
    return initial_parameters(arch, seed), X


@pytest.mark.parametrize("kind, depth, act, train_output", CASES)
def test_numpy_forward_equals_torch_forward(kind, depth, act, train_output):
    p, X = _net(kind, depth, act, train_output)
    fp = forward(p, X)
    zs, xs, u = torch_network(p, X).forward()
    assert np.allclose(u.numpy(), fp.outputs, rtol=1e-13, atol=1e-14)
    for h in range(depth):
        assert np.allclose(zs[h].numpy(), fp.preactivations[h], rtol=1e-13, atol=1e-14)
        assert np.allclose(xs[h].numpy(), fp.features[h], rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("kind, arch_name", [("deep-fc", "fc"), ("resnet", "resnet")])
@pytest.mark.parametrize("act", ["relu", "tanh", "softplus"])
def test_forward_and_ntk_agree_with_empirical_deep(kind, arch_name, act):
    depth, m, d, seed = 3, 6, 4, 5
    X, _ = empirical_deep.sphere_data(5, d, 3)
    ens = empirical_deep.init_deep(arch_name, [seed], m, d, depth, activation=act)
    p = initial_parameters(Architecture(kind, m, d, depth=depth, activation=act), seed)
    fp = forward(p, X)
    Xt = torch.tensor(X)
    expected_u = empirical_deep.predictions(ens, Xt)[0].detach().numpy()
    assert np.allclose(fp.outputs, expected_u, rtol=1e-13, atol=1e-14)
    for h in range(1, depth + 1):
        feats = empirical_deep.features(ens, Xt, h)[0].detach().numpy().T
        assert np.allclose(fp.features[h - 1], feats, rtol=1e-13, atol=1e-14)
    K = torch_network(p, X).ntk_gram().numpy()
    assert np.allclose(K, empirical_deep.tangent_gram(ens, Xt)[0].numpy(), rtol=1e-12, atol=1e-13)


def test_two_layer_forward_agrees_with_empirical_two_layer():
    p, X = _net("two-layer", 1, "relu", False, n=9, m=11)
    u = empirical_two_layer.predictions(torch.tensor(p["W"])[None], torch.tensor(p["a"])[None],
                                        torch.tensor(X))[0].numpy()
    assert np.allclose(forward(p, X).outputs, u, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kind, depth, act, train_output", CASES)
def test_jvp_vjp_against_finite_differences_and_each_other(kind, depth, act, train_output):
    p, X = _net(kind, depth, act, train_output)
    net = torch_network(p, X)
    rng = np.random.default_rng(1)
    P = p.architecture.parameter_count
    v = torch.tensor(rng.standard_normal(P))
    w = torch.tensor(rng.standard_normal(X.shape[0]))
    jv = net.jvp(v)
    h = 1e-6
    theta = p.flatten()
    fd = (forward(p.unflatten(theta + h * v.numpy()), X).outputs
          - forward(p.unflatten(theta - h * v.numpy()), X).outputs) / (2 * h)
    assert np.allclose(jv.numpy(), fd, rtol=1e-6, atol=1e-7)
    jtw = net.vjp(w)
    assert jtw.shape == (P,)
    assert float(jv @ w) == pytest.approx(float(v @ jtw), rel=1e-12, abs=1e-12)
    J = net.jacobian()
    assert torch.allclose(J @ v, jv, rtol=1e-12, atol=1e-13)
    assert torch.allclose(J.T @ w, jtw, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kind, depth, act, train_output", CASES)
@pytest.mark.parametrize("block", [1, 3, 1024])
def test_ntk_gram_is_j_jt(kind, depth, act, train_output, block):
    p, X = _net(kind, depth, act, train_output)
    net = torch_network(p, X)
    J = net.jacobian()
    K = net.ntk_gram(block=block)
    assert torch.allclose(K, J @ J.T, rtol=1e-12, atol=1e-13)
    parts = net.ntk_gram(per_layer=True)
    assert set(parts) == set(p.architecture.trained_names)
    assert torch.allclose(sum(parts.values()), K, rtol=1e-13, atol=1e-14)
    v = torch.tensor(np.random.default_rng(2).standard_normal(X.shape[0]))
    assert torch.allclose(net.ntk_matvec(v), K @ v, rtol=1e-12, atol=1e-13)


def test_two_layer_ntk_is_du_et_al_finite_width_gram():
    """1810.02054 eq. (6): H_ij = (1/m) x_i.x_j #{r : w_r.x_i >= 0, w_r.x_j >= 0} (a_r^2 = 1)."""
    p, X = _net("two-layer", 1, "relu", False, n=6, m=13, d=4, seed=3)
    S = (X @ p["W"].T >= 0).astype(float)
    expected = (X @ X.T) * (S @ S.T) / 13
    assert np.allclose(torch_network(p, X).ntk_gram().numpy(), expected, rtol=1e-13, atol=1e-15)


def test_relu_derivative_at_the_kink_is_one():
    """Du et al.'s convention relu'(0) = 1 (1810.02054 eq. 4), also through autograd."""
    arch = Architecture("two-layer", 1, 2)
    from numerics.networks import Parameters
    p = Parameters(arch, {"W": np.array([[1.0, -1.0]]), "a": np.array([1.0])})
    X = np.array([[0.5, 0.5]])                                  # w . x = 0 exactly
    J = torch_network(p, X).jacobian().numpy()
    assert np.array_equal(J, np.array([[0.5, 0.5]]))


def test_device_argument():
    p, X = _net("deep-fc", 2, "relu", True)
    for dev in ("cpu", "auto", torch.device("cpu")):
        assert torch_network(p, X, device=dev).outputs().device.type in ("cpu", "cuda")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="device"):
            torch_network(p, X, device="cuda")


def test_bad_inputs_and_theta_name_the_array():
    p, X = _net("deep-fc", 2, "relu", True)
    with pytest.raises(ValueError, match=r"array 'X' has shape \(7, 2\); allowed: \(n, 3\)"):
        forward(p, X[:, :2])
    net = torch_network(p, X)
    with pytest.raises(ValueError, match="array 'theta' has shape"):
        net.outputs(torch.zeros(3, dtype=torch.float64))
