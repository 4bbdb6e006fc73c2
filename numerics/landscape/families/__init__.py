"""The nine benign landscapes of the talk (slide 17), parametric.

Each module defines ``FAMILY`` (:class:`.family.Family`): a builder of seeded (or user) instances
at a given size, the objective and its gradient (float), a success rule for gradient descent
(float evidence), the rigorous certificate of global optimality of a point
(:class:`.family.GlobalOptimality`), and the critical-point census at the sizes the census can
reach. The theorems' conditions are in :mod:`proofs.landscape_families`; the arguments are in
docs/landscape_certificates.md.

=====================  =============================================  ====================================
family                 paper                                          global optimality of GD's point
=====================  =============================================  ====================================
quadratic-net          Du & Lee 2018                                  Newton-Kantorovich (exact zero)
relu-design            Ge, Lee, Ma 2018                               not applicable
matrix-completion      Ge, Lee, Ma 2016                               planted exact zero + orbit distance
rank-k                 Baldi & Hornik 1989                            value = certified spectral tail
matrix-sensing         Bhojanapalli, Neyshabur, Srebro 2016           planted exact zero + orbit distance
phase-retrieval        Sun, Qu, Wright 2018                           planted exact zero + orbit distance
tensor                 Ge, Huang, Jin, Yuan 2015                      exact zero from a verified A^-1
dictionary             Sun, Qu, Wright 2017                           not applicable
maxcut                 Boumal, Voroninski, Bandeira 2016              SDP dual certificate
=====================  =============================================  ====================================
"""

from __future__ import annotations

import importlib

from numerics.landscape.families.family import Family

__all__ = ["FAMILY_MODULES", "family", "family_names"]

FAMILY_MODULES = {
    "quadratic-net": "quadratic_net", "relu-design": "relu_design", "matrix-completion": "matrix_completion",
    "rank-k": "rank_k", "matrix-sensing": "matrix_sensing", "phase-retrieval": "phase_retrieval",
    "tensor": "tensor", "dictionary": "dictionary", "maxcut": "maxcut",
}


def family_names() -> list[str]:
    return list(FAMILY_MODULES)


def family(name: str) -> Family:
    """The family ``name``; ValueError naming the allowed names otherwise."""
    if name not in FAMILY_MODULES:
        raise ValueError(f"family {name!r} is not known; allowed: {', '.join(FAMILY_MODULES)}")
    return importlib.import_module(f"numerics.landscape.families.{FAMILY_MODULES[name]}").FAMILY
