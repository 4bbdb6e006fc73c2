"""The network in torch (float64): forward, Jacobian-vector and vector-Jacobian products, and
the empirical neural tangent kernel ``K = J J^T`` (J the n x P Jacobian of the outputs in theta).

FLOAT: nothing here is an enclosure; it drives float searches (Gauss-Newton, Lanczos) whose
results the rigorous layer then verifies. torch is imported inside the functions, so importing
this module stays light; every tensor lives on the ``device`` given at construction
(``"auto" | "cpu" | "cuda"`` as in :func:`numerics.empirical.device.resolve_device`, or any
torch device string / object).

Conventions shared with :mod:`numerics.networks.float_forward` (``docs/networks.md``):
``relu(z) = where(z >= 0, z, 0)``, so autograd's ``relu'(0) = 1`` as in 1810.02054 eq. (4);
``softplus(z) = logaddexp(z, 0)`` (not ``torch.nn.functional.softplus``, which returns z for
z > 20); theta is the flat vector of :class:`~numerics.networks.parameters.Parameters`.

The Gram is built from the layer structure instead of a dense J: the outputs depend on
``W^(h)`` only through ``z^(h)_i = W^(h) x^(h-1)_i``, so
``J_(h) J_(h)^T = (G_h G_h^T) * (X_{h-1} X_{h-1}^T)`` (entrywise product), where row i of
``G_h`` is ``du_i/dz^(h)_i`` (one backward pass gives all rows, since u_i depends on row i
only) and row i of ``X_{h-1}`` is ``x^(h-1)_i``; the trained output layer adds
``X_H X_H^T``. The result is assembled in blocks of ``block`` input rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from numerics.networks.float_forward import checked_inputs
from numerics.networks.parameters import Parameters


def resolve_torch_device(device) -> Any:
    """A torch.device for ``"auto" | "cpu" | "cuda"`` (via the empirical layer's rules) or any
    other torch device string / object."""
    import torch
    if isinstance(device, str) and device in ("auto", "cpu", "cuda"):
        from numerics.empirical.device import resolve_device
        return resolve_device(device)[0]
    return torch.device(device)


def _activation(name: str):
    import torch
    if name == "relu":
        return lambda z: torch.where(z >= 0, z, torch.zeros((), dtype=z.dtype, device=z.device))
    if name == "tanh":
        return torch.tanh
    if name == "softplus":
        return lambda z: torch.logaddexp(z, torch.zeros((), dtype=z.dtype, device=z.device))
    raise ValueError(f"activation={name!r}; allowed: relu, tanh, softplus")


@dataclass(frozen=True, eq=False)
class TorchNetwork:
    """A network with its inputs on a torch device; ``theta`` is the base point (length P).

    Every method takes an optional ``theta`` (a float64 tensor of length P on the device, or
    anything ``torch.as_tensor`` accepts); None means the base point. Results are float64
    tensors on the device.
    """

    params: Parameters
    inputs: Any        # (n, d) tensor
    fixed: dict        # name -> tensor, the layers that are not trained
    theta: Any         # (P,) tensor
    device: Any

    @property
    def architecture(self):
        return self.params.architecture

    # ------------------------------------------------------------------ forward
    def _theta(self, theta):
        import torch
        if theta is None:
            return self.theta
        t = torch.as_tensor(theta, dtype=torch.float64, device=self.device)
        if t.shape != self.theta.shape:
            raise ValueError(f"array 'theta' has shape {tuple(t.shape)}; allowed: {tuple(self.theta.shape)}")
        return t

    def layers(self, theta=None) -> dict:
        """Every layer as a tensor: views of ``theta`` for trained layers, fixed ones as stored."""
        arch = self.architecture
        t = self._theta(theta)
        out, offset = dict(self.fixed), 0
        for name in arch.trained_names:
            shape = arch.layer_shape(name)
            size = int(np.prod(shape))
            out[name] = t[offset:offset + size].reshape(shape)
            offset += size
        return out

    def forward(self, theta=None) -> tuple[list, list, Any]:
        """``(zs, xs, u)``: pre-activations and features (n, m) of every layer, outputs (n,)."""
        arch = self.architecture
        L = self.layers(theta)
        sigma = _activation(arch.activation)
        alpha, beta = arch.hidden_scale_float(), arch.residual_scale_float()
        x, zs, xs = self.inputs, [], []
        for h, name in enumerate(arch.hidden_names, start=1):
            z = x @ L[name].T
            x = x + beta * sigma(z) if arch.is_residual(h) else alpha * sigma(z)
            zs.append(z)
            xs.append(x)
        return zs, xs, x @ L["a"]

    def outputs(self, theta=None):
        return self.forward(theta)[2]

    # ------------------------------------------------------------------ derivatives
    def jvp(self, v, theta=None):
        """``J v`` (n,): the directional derivative of the outputs along v (forward mode)."""
        import torch
        vt = self._theta(v)
        return torch.func.jvp(self.outputs, (self._theta(theta),), (vt,))[1]

    def vjp(self, w, theta=None):
        """``J^T w`` (P,): the gradient of ``w . u`` in theta (one backward pass)."""
        import torch
        t = self._theta(theta).detach().requires_grad_(True)
        w = torch.as_tensor(w, dtype=torch.float64, device=self.device)
        return torch.autograd.grad(self.outputs(t) @ w, t)[0]

    def jacobian(self, theta=None):
        """The dense Jacobian J (n, P) (reverse mode; memory n * P floats, for small nets)."""
        import torch
        return torch.func.jacrev(self.outputs)(self._theta(theta))

    def ntk_matvec(self, v, theta=None):
        """``J J^T v`` (n,) by one VJP and one JVP, without forming J or K."""
        return self.jvp(self.vjp(v, theta), theta)

    def ntk_gram(self, theta=None, block: int = 1024, per_layer: bool = False):
        """The empirical NTK Gram ``K = J J^T`` (n, n), from the layer structure (module
        docstring), in blocks of ``block`` rows; ``per_layer=True`` returns a dict of each
        trained layer's term ``J_(l) J_(l)^T`` instead (their sum is K)."""
        import torch
        arch = self.architecture
        t = self._theta(theta).detach().requires_grad_(True)
        with torch.enable_grad():
            zs, xs, u = self.forward(t)
            grads = torch.autograd.grad(u.sum(), zs) if arch.hidden_names else ()
        prev = [self.inputs, *xs[:-1]]
        factors = {name: (grads[h].detach(), prev[h].detach())
                   for h, name in enumerate(arch.hidden_names) if name in arch.trained_names}
        if "a" in arch.trained_names:
            factors["a"] = (None, xs[-1].detach())
        n = self.inputs.shape[0]
        out = {name: torch.empty((n, n), dtype=torch.float64, device=self.device) for name in factors}
        for s in range(0, n, max(int(block), 1)):
            rows = slice(s, min(s + int(block), n))
            for name, (G, F) in factors.items():
                term = F[rows] @ F.T
                if G is not None:
                    term = term * (G[rows] @ G.T)
                out[name][rows] = term
        if per_layer:
            return out
        return sum(out.values())


def torch_network(params: Parameters, X, device="cpu") -> TorchNetwork:
    """``params`` and the inputs ``X`` (n, d; taken as given, normally unit rows) on ``device``."""
    import torch
    dev = resolve_torch_device(device)
    arch = params.architecture
    x = torch.as_tensor(checked_inputs(X, arch.input_dim), dtype=torch.float64, device=dev)
    fixed = {n: torch.as_tensor(np.array(params[n]), dtype=torch.float64, device=dev)
             for n in arch.layer_names if n not in arch.trained_names}
    theta = torch.as_tensor(params.flatten(), dtype=torch.float64, device=dev)
    return TorchNetwork(params, x, fixed, theta, dev)
