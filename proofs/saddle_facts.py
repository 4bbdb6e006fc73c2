"""What the saddle theorems (:mod:`proofs.lsjr2016`, :mod:`proofs.jin2017`, :mod:`proofs.ghjy2015`,
:mod:`proofs.benign_landscape`) are evaluated on: the certified facts about one objective on one
box, computed by the saddle pipeline (``certify saddle``) and handed over in
``InstanceData.cache["saddle"]``. One typed record, read by one helper, instead of a dict looked
up by key in every module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numerics.arith.verdict import Verdict
from proofs.core import InstanceData


@dataclass(frozen=True)
class SaddleFacts:
    """Certified facts about f on the box (each bound rigorous, docs/saddle_certification.md).

    ``search``: the critical-point census (a ``numerics.landscape.results.CriticalPointSearch``);
    ``ell`` >= sup ||Hessian f||_2 and ``rho`` >= sup ||D^3 f||_F over the box; ``delta_f`` >=
    sup f - inf f over the box; ``smooth``: f is C^2 by its syntax; ``forward_invariance``:
    (verdict, evidence) for the GD map; ``constant_hessian``: sympy found no variable in the
    Hessian; ``local_minima_global``: (verdict, evidence) or None when not computed;
    ``constants``: the robust strict-saddle triple (theta, gamma, zeta, strong_convexity,
    verdict); ``dim``: the number of variables."""

    search: Any
    ell: float
    rho: float
    delta_f: float
    dim: int
    constants: dict
    forward_invariance: tuple[Verdict, dict]
    smooth: bool = True
    constant_hessian: bool = False
    local_minima_global: tuple[Verdict, dict] | None = None


def saddle_facts(instance: InstanceData) -> SaddleFacts:
    """The saddle facts of ``instance``; ValueError when the saddle pipeline has not run."""
    data = instance.cache.get("saddle")
    if not isinstance(data, SaddleFacts):
        raise ValueError("instance.cache['saddle'] must hold the SaddleFacts of the saddle pipeline "
                         f"(got {type(data).__name__}): run `certify saddle` or build SaddleFacts first")
    return data
