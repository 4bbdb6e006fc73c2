"""The theorem registry, keyed by stable ids.

Each module listed in THEOREM_MODULES defines a tuple `THEOREMS`; adding a theorem family is a
one-line addition here. Modules are imported on first use.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from proofs.core import Theorem

THEOREM_MODULES = (
    "proofs.dzps2019",
    "proofs.adhlw2019",
    "proofs.dllwz2019",
    "proofs.lsjr2016",
    "proofs.benign_landscape",
    "proofs.landscape_families",
    "proofs.jin2017",
    "proofs.ghjy2015",
    "proofs.kakade_lee2018",
    "proofs.ddkl2018",
    "proofs.nonsmooth_rates",
    "proofs.lazy_global_minimizer",
    "proofs.deep_global_minimizer",
)


@lru_cache(maxsize=1)
def _theorems() -> dict[str, Theorem]:
    out: dict[str, Theorem] = {}
    for name in THEOREM_MODULES:
        module = importlib.import_module(name)
        for thm in module.THEOREMS:
            if thm.id in out:
                raise RuntimeError(f"duplicate theorem id {thm.id!r} in {name}")
            out[thm.id] = thm
    return out


def all_theorems() -> list[Theorem]:
    return list(_theorems().values())


def theorem_ids() -> list[str]:
    return list(_theorems())


def get_theorem(theorem_id: str) -> Theorem:
    try:
        return _theorems()[theorem_id]
    except KeyError:
        raise KeyError(theorem_id) from None
