"""The certified critical-point census of a family at a size it can reach
(:func:`numerics.landscape.census.find_critical_points`, or the rotation-orbit search
for objectives invariant under U -> U R), with the verdict "every local minimum is global"
(:func:`numerics.landscape.global_minima.local_minima_are_global`).

Known zeros. When that verdict is undecided only because some local minima are not proved to
have f = 0 (the zero-level certificate needs a Groebner basis, which can run out of time), the
census instance's exact zeros (``entry.params["zeros"]``: rational points, such as the planted
``+-x*``) settle it: for ``f >= 0`` by its form, a certified local minimum that is the *unique*
critical point of its region, with an exact zero of f inside that region (f = 0 checked by sympy),
is that zero (a zero of ``f >= 0`` is a critical point), hence a global minimum
(docs/landscape_certificates.md)."""

from __future__ import annotations

import time

import numpy as np


def run_census(entry, *, max_boxes: int = 100_000, algebra_budget_s: float = 20.0) -> dict:
    """Run the census on a catalog entry; returns a JSON-ready summary: ``complete`` when every part
    of the box is accounted for, ``critical_points`` the number of isolated critical points proved
    in the box, ``census`` whether that is the exact count and why not, ``kinds`` the listed rows
    (points and regions) by kind."""
    from numerics.landscape.census import find_critical_points
    from numerics.landscape.global_minima import local_minima_are_global
    from numerics.landscape.symmetry import find_critical_orbits_right_rotation
    from numerics.symbolic.derivatives import smooth_objective

    t0 = time.perf_counter()
    names = [v.name for v in entry.variables]
    lo = np.array([entry.box[n][0] for n in names])
    hi = np.array([entry.box[n][1] for n in names])
    objective = smooth_objective(entry.expr, entry.variables, label=entry.name)
    symmetry = entry.params.get("symmetry", "none")
    kw = {"max_boxes": max_boxes, "algebra_budget_s": algebra_budget_s}
    if symmetry == "right-rotation":
        search = find_critical_orbits_right_rotation(objective, len(names) // 2, lo, hi, **kw)
    else:
        search = find_critical_points(objective, lo, hi, **kw)
    verdict, ev = local_minima_are_global(objective, search)
    zeros = entry.params.get("zeros") or ()
    if verdict.value == "undecided" and ev.get("unproved") and zeros and _minima_at_known_zeros(entry, search, zeros):
        verdict = type(verdict)("holds")
        ev = {"reason": "f >= 0, the search is complete, every critical point is a strict saddle or local maximum, or "
                        "has f = 0 (zero-level certificate, or the unique critical point of a region that contains an "
                        "exact zero of f)"}
    kinds: dict = {}
    for p in search.points:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    return {"instance": entry.name, "description": entry.description, "variables": names,
            "box": {n: [float(a), float(b)] for n, a, b in zip(names, lo, hi)}, "symmetry": symmetry,
            "complete": bool(search.complete), "critical_points": search.census().points,
            "census": search.census().as_dict(), "kinds": kinds,
            "strict_saddle_property": search.strict_saddle_property().value,
            "local_minima_global": verdict.value, "reason": ev.get("reason", ""),
            "boxes": int(search.stats.get("boxes_processed", 0)), "seconds": round(time.perf_counter() - t0, 2)}


def _minima_at_known_zeros(entry, search, zeros) -> bool:
    """Every critical point not proved non-minimal is proved to be a zero of f (module docstring)."""
    import sympy as sp

    from numerics.symbolic.ideal_saturation import structurally_nonnegative

    if not (search.complete and structurally_nonnegative(entry.expr)):
        return False
    exact = []
    for z in zeros:
        subs = dict(zip(entry.variables, (sp.nsimplify(v) for v in z)))
        if sp.simplify(entry.expr.subs(subs)) == 0:
            exact.append([float(v) for v in z])
    for p in search.points:
        if p.kind in ("strict-saddle", "local-max") or p.kind == "degenerate" and p.evidence.get("not_local_min"):
            continue
        if p.method == "zero-level-set" or "global_min" in p.evidence:
            continue
        inside = any(all(p.region_lo[i] <= z[i] <= p.region_hi[i] for i in range(len(z))) for z in exact)
        if not (p.kind == "local-min" and p.unique and p.exists.value == "holds" and inside):
            return False
    return True
