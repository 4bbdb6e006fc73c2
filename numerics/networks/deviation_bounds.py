"""How far the exact network, anywhere in a set of parameters, lies from a float reference pass.

Setting (``docs/deep_instance_certificate.md``, section "Deviation bounds"). A
:class:`~numerics.networks.reference_pass.ReferencePass` holds float quantities ``xhat^(h)``,
``zhat^(h)``, ``ghat^(h)``, ``bhat^(h)``, ``uhat`` computed at float weights ``W~``, ``a~`` and
float inputs ``xhat^(0)``. The exact network is evaluated on the exact inputs ``x^(0)`` with
``||x^(0)_i - xhat^(0)_i|| <= input_error[i]`` at any weights ``W^(h) = W~^(h) + Delta W^(h)``,
``a = a~ + Delta a`` of a set described by a :class:`WeightDeviation`:

* ``layer_norm[h-1] >= ||Delta W^(h)||_2`` and ``neuron_norm[h-1][r] >= ||Delta w^(h)_r||``;
* ``first_order[h-1][i, r] >= |Delta w^(h)_r . xhat^(h-1)_i|``;
* ``output_norm >= ||Delta a||`` and ``output_first_order[i] >= |Delta a . xhat^(H)_i|``.

Given rigorous norms of the float weights (:class:`WeightNorms`), the recursions below bound,
for every member of the set and every input i (all with upward rounding,
:mod:`numerics.arith.upper_bounds`):

* forward: ``|z^(h)_ir - zhat^(h)_ir| <= T^(h)_ir`` with
  ``T = z_err + (||w~_r|| + ||Delta w_r||) E^(h-1)_i + first_order`` (since
  ``w . x - w~ . xhat = w~ . (x - xhat) + Delta w . xhat + Delta w . (x - xhat)``), its Euclidean
  norm ``Z^(h)_i <= min(||T_i||, ||z_err_i|| + ||W~||_2 E + ||Delta W||_2 (||xhat|| + E))``,
  and ``E^(h)_i >= ||x^(h)_i - xhat^(h)_i|| = x_err + s_h^hi Z^(h)_i [+ E^(h-1)_i]`` (sigma is
  1-Lipschitz for relu, tanh and softplus);
* outputs: ``|u_i - uhat_i| <= u_err + ||a~|| E^(H) + output_first_order + ||Delta a|| E^(H)``;
  sharper, once the backward bounds below are finite: with ``F_h`` the map from the features of
  layer h to the output and ``phi_h`` layer h of the member, the telescoping sum
  ``u - a . xhat^(H) = F_0(x^(0)) - F_0(xhat^(0)) + sum_h [F_h(phi_h(xhat^(h-1))) - F_h(xhat^(h))]``
  has terms ``|grad F_h . delta_h| <= ||b^(h)|| ||delta_h||`` (F_h is linear along the segment
  for ReLU on a fixed pattern; mean value theorem for smooth sigma; every point of the segment
  starts within ``E^(h)`` of ``xhat^(h)`` and so propagates within the same forward bounds), where
  ``||delta_h|| <= x_err + s_h^hi min(||z_err + first_order||, ||z_err|| + ||Delta W^(h)||_2
  ||xhat^(h-1)||)`` and ``||b^(h)|| <= ||bhat^(h)|| + B^(h)``, ``||b^(0)|| <=
  (||W~^(1)||_2 + ||Delta W^(1)||_2)(||ghat^(1)|| + G^(1))``: the rounding of early layers is
  weighed by the actual sensitivity instead of the product of the layer norms;
* signs: where ``T^(h)_ir < |zhat^(h)_ir|`` the sign of ``z^(h)_ir`` is that of ``zhat`` for
  every member; for ReLU the backward bounds need every sign proved (then ``relu'`` is the
  same 0/1 pattern for every member) and are infinite otherwise;
* backward: ``B^(H) = ||Delta a||``; ``G^(h) = g_err + s_h^hi (B^(h) + L2 Z^(h) (||bhat^(h)||_inf
  + B^(h)))`` (L2: Lipschitz constant of sigma', 0 for ReLU on a fixed pattern, 4/(3 sqrt 3) <=
  0.77 for tanh, 1/4 for softplus; ``|sigma'| <= 1``); ``B^(h-1) = b_err + ||W~^(h)||_2 G^(h) +
  ||Delta W^(h)||_2 (||ghat^(h)|| + G^(h)) [+ B^(h) for a skip layer]``;
* Jacobian rows: ``du_i/dW^(h) = g^(h)_i x^(h-1)_i^T`` and ``du_i/da = x^(H)_i``, so
  ``||grad u_i - Jhat_i||^2 <= sum_h (G^(h)_i (||xhat^(h-1)_i|| + E^(h-1)_i) + ||ghat^(h)_i||
  E^(h-1)_i)^2 + E^(H)_i^2`` (trained layers only), ``Jhat_i`` the row built from the float
  factors ``ghat^(h)_i (xhat^(h-1)_i)^T`` and ``xhat^(H)_i``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics.arith import upper_bounds as ub
from numerics.arith.interval import Interval
from numerics.networks.parameters import Parameters
from numerics.networks.reference_pass import ReferencePass

# Lipschitz constants of sigma' (proved in docs/deep_instance_certificate.md)
DERIVATIVE_LIPSCHITZ = {"relu": 0.0, "tanh": 0.77, "softplus": 0.25}


@dataclass(frozen=True, eq=False)
class WeightNorms:
    """Rigorous upper bounds of the float weights' norms: ``spectral[h-1] >= ||W~^(h)||_2``,
    ``rows[h-1][r] >= ||w~^(h)_r||``, ``output >= ||a~||``."""

    spectral: tuple[float, ...]
    rows: tuple[np.ndarray, ...]
    output: float


@dataclass(frozen=True, eq=False)
class WeightDeviation:
    """Bounds on the weight changes of a set of networks (module docstring); zeros: the point."""

    layer_norm: tuple[float, ...]
    neuron_norm: tuple[np.ndarray, ...]
    first_order: tuple[np.ndarray, ...]
    output_norm: float
    output_first_order: np.ndarray

    @classmethod
    def zero(cls, ref: ReferencePass) -> "WeightDeviation":
        n, m = ref.outputs.shape[0], ref.architecture.width
        H = ref.architecture.depth
        return cls((0.0,) * H, tuple(np.zeros(m) for _ in range(H)),
                   tuple(np.zeros((n, m)) for _ in range(H)), 0.0, np.zeros(n))


@dataclass(frozen=True, eq=False)
class Deviations:
    """The bounds of the module docstring for every input (and neuron where indexed so)."""

    feature: tuple[np.ndarray, ...]        # E^(h), h = 0..H, each (n,)
    preactivation: tuple[np.ndarray, ...]  # T^(h), (n, m)
    preactivation_norm: tuple[np.ndarray, ...]   # Z^(h), (n,)
    output: np.ndarray                      # (n,)
    signs_proved: tuple[np.ndarray, ...]   # T < |zhat|, (n, m) bool
    gradient: tuple[np.ndarray, ...]       # G^(h), (n,) (inf when a ReLU sign is not proved)
    jacobian_rows: np.ndarray              # (n,) bound of ||grad u_i - Jhat_i||

    @property
    def all_signs_proved(self) -> bool:
        return all(bool(s.all()) for s in self.signs_proved)

    def margin_ratio(self, ref: ReferencePass) -> float:
        """Upper bound of max T / |zhat| over all layers, inputs and neurons (< 1: all proved)."""
        worst = 0.0
        for T, z in zip(self.preactivation, ref.preactivations):
            worst = max(worst, float(ub.div(T, np.abs(z)).max(initial=0.0)))
        return worst


def spectral_norm_upper(W: np.ndarray) -> float:
    """A rigorous upper bound of ``||W||_2`` (never above the Frobenius norm).

    ``S = W^T W`` (or ``W W^T``, the smaller; same nonzero spectrum) is enclosed by
    :func:`numerics.arith.interval.matmul_enclosure`; a float power iteration estimates
    ``lambda_max(S)``; the bound ``g`` is proved by Rump's shifted Cholesky test on ``g I - S``
    (:func:`numerics.linalg.spectral.shifted_cholesky_test`: every symmetric X in the enclosure
    has ``g - lambda_max(X) > 0``), with ``g`` raised by 2%, 10%, 50% until the test succeeds.
    One Cholesky factorization of a ``min(m, k)`` square matrix per try."""
    from numerics.arith.interval import matmul_enclosure
    from numerics.linalg.spectral import shifted_cholesky_test

    fro = float(ub.norm(W))
    if fro == 0.0:
        return 0.0
    F = W if W.shape[0] >= W.shape[1] else W.T
    S = matmul_enclosure(F.T, F)
    S = Interval._raw(np.minimum(S.lo, S.lo.T), np.maximum(S.hi, S.hi.T))
    mid = 0.5 * S.lo + 0.5 * S.hi
    v = np.random.default_rng(0).standard_normal(mid.shape[0])
    for _ in range(60):
        v = mid @ v
        nv = np.linalg.norm(v)
        if not (np.isfinite(nv) and nv > 0):
            return fro                  # S underflows or overflows: the Frobenius norm
        v /= nv
    est = float(v @ mid @ v)
    for lift in (1.02, 1.1, 1.5):
        g = float(ub.add(ub.mul(max(est, 0.0), lift), 1e-300))
        neg = Interval._raw(ub.below(g - S.hi), ub.above(g - S.lo))     # g I - S, diagonal only
        off = ~np.eye(mid.shape[0], dtype=bool)
        lo = np.where(off, -S.hi, neg.lo)
        hi = np.where(off, -S.lo, neg.hi)
        center = 0.5 * lo + 0.5 * hi
        rad = ub.above(np.maximum(hi - center, center - lo))
        rho = float(ub.total(rad, axis=1).max(initial=0.0))
        if shifted_cholesky_test(center, rho, 0.0) is not None:
            return min(float(ub.sqrt(g)), fro)
    return fro


def weight_norms(params: Parameters) -> WeightNorms:
    """Rigorous norms of the float weights (:func:`spectral_norm_upper`, row norms)."""
    spectral = tuple(spectral_norm_upper(W) for W in params.hidden)
    rows = tuple(ub.norm(W, axis=1) for W in params.hidden)
    return WeightNorms(spectral, rows, float(ub.norm(params.output)))


def _forward(ref: ReferencePass, norms: WeightNorms, dev: WeightDeviation, E0: np.ndarray):
    arch = ref.architecture
    E, T, Z = [np.asarray(E0, dtype=np.float64)], [], []
    for h in range(1, arch.depth + 1):
        prev = E[-1]
        xnorm = ub.norm(ref.layer_input(h), axis=1)
        w = ub.add(norms.rows[h - 1], dev.neuron_norm[h - 1])
        Th = ub.add(ref.z_err[h - 1], ub.mul(prev[:, None], w[None, :]), dev.first_order[h - 1])
        whole = ub.add(ub.norm(ref.z_err[h - 1], axis=1), ub.mul(norms.spectral[h - 1], prev),
                       ub.mul(dev.layer_norm[h - 1], ub.add(xnorm, prev)))
        Zh = np.minimum(ub.norm(Th, axis=1), whole)
        Eh = ub.add(ref.x_err[h - 1], ub.mul(float(ref.scales[h - 1].hi), Zh))
        if arch.is_residual(h):
            Eh = ub.add(Eh, prev)
        T.append(Th), Z.append(Zh), E.append(Eh)
    EH = E[-1]
    U = ub.add(ref.u_err, ub.mul(norms.output, EH), dev.output_first_order, ub.mul(dev.output_norm, EH))
    return E, T, Z, U


def _backward(ref: ReferencePass, norms: WeightNorms, dev: WeightDeviation, Z: list, proved: bool):
    arch = ref.architecture
    n, H = ref.outputs.shape[0], arch.depth
    if arch.activation == "relu" and not proved:
        return [np.full(n, np.inf)] * H, [np.full(n, np.inf)] * H
    L2 = DERIVATIVE_LIPSCHITZ[arch.activation]
    G, Bs = [None] * H, [None] * H
    B = np.full(n, dev.output_norm if arch.train_output else 0.0)
    for h in range(H, 0, -1):
        Bs[h - 1] = B
        s = float(ref.scales[h - 1].hi)
        inner = B
        if L2 > 0:
            binf = np.abs(ref.backprops[h - 1]).max(axis=1)
            inner = ub.add(B, ub.mul(L2, ub.mul(Z[h - 1], ub.add(binf, B))))
        G[h - 1] = ub.add(ref.g_err[h - 1], ub.mul(s, inner))
        if h == 1:
            break
        gnorm = ub.norm(ref.gradients[h - 1], axis=1)
        Bprev = ub.add(ref.b_err[h - 2], ub.mul(norms.spectral[h - 1], G[h - 1]),
                       ub.mul(dev.layer_norm[h - 1], ub.add(gnorm, G[h - 1])))
        B = ub.add(Bprev, B) if arch.is_residual(h) else Bprev
    return G, Bs


def _jacobian_rows(ref: ReferencePass, E: list, G: list) -> np.ndarray:
    arch = ref.architecture
    total = np.zeros(ref.outputs.shape[0])
    for h, name in enumerate(arch.hidden_names, start=1):
        if name not in arch.trained_names:
            continue
        xnorm = ub.norm(ref.layer_input(h), axis=1)
        gnorm = ub.norm(ref.gradients[h - 1], axis=1)
        term = ub.add(ub.mul(G[h - 1], ub.add(xnorm, E[h - 1])), ub.mul(gnorm, E[h - 1]))
        total = ub.add(total, ub.square(term))
    if arch.train_output:
        total = ub.add(total, ub.square(E[-1]))
    return ub.sqrt(total)


def _output_by_sensitivity(ref: ReferencePass, norms: WeightNorms, dev: WeightDeviation, E0, G, Bs) -> np.ndarray:
    """The output bound through the backward vectors (module docstring, "outputs, sharper")."""
    arch = ref.architecture
    total = ub.add(ref.u_err, dev.output_first_order)
    for h in range(arch.depth, 0, -1):
        s = float(ref.scales[h - 1].hi)
        X = ref.layer_input(h)
        zmove = np.minimum(ub.norm(ub.add(ref.z_err[h - 1], dev.first_order[h - 1]), axis=1),
                           ub.add(ub.norm(ref.z_err[h - 1], axis=1),
                                  ub.mul(dev.layer_norm[h - 1], ub.norm(X, axis=1))))
        inject = ub.add(ref.x_err[h - 1], ub.mul(s, zmove))
        bnorm = ub.add(ub.norm(ref.backprops[h - 1], axis=1), Bs[h - 1])
        total = ub.add(total, ub.mul(bnorm, inject))
    g1 = ub.add(ub.norm(ref.gradients[0], axis=1), G[0])
    b0 = ub.mul(ub.add(norms.spectral[0], dev.layer_norm[0]), g1)
    return ub.add(total, ub.mul(b0, E0))


def deviation_bounds(ref: ReferencePass, norms: WeightNorms, dev: WeightDeviation,
                     input_error: np.ndarray) -> Deviations:
    """The bounds of the module docstring, valid for every member of the set ``dev`` describes."""
    E, T, Z, U = _forward(ref, norms, dev, input_error)
    signs = tuple(Th < np.abs(z) for Th, z in zip(T, ref.preactivations))
    proved = all(bool(s.all()) for s in signs)
    G, B = _backward(ref, norms, dev, Z, proved)
    if np.isfinite(G[0]).all():
        U = np.minimum(U, _output_by_sensitivity(ref, norms, dev, input_error, G, B))
    J = _jacobian_rows(ref, E, G)
    return Deviations(tuple(E), tuple(T), tuple(Z), U, signs, tuple(G), J)
