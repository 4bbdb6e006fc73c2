"""The certified critical-point census of a family at a size it can reach
(:func:`numerics.landscape.critical_points.find_critical_points`, or the rotation-orbit search
for objectives invariant under U -> U R), with the verdict "every local minimum is global"."""

from __future__ import annotations

import time

import numpy as np


def run_census(entry, *, max_boxes: int = 100_000, algebra_budget_s: float = 20.0) -> dict:
    """Run the census on a catalog entry; returns a JSON-ready summary."""
    from numerics.landscape.critical_points import (find_critical_orbits_right_rotation, find_critical_points,
                                                    local_minima_are_global)
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
    kinds: dict = {}
    for p in search.points:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    return {"instance": entry.name, "description": entry.description, "variables": names,
            "box": {n: [float(a), float(b)] for n, a, b in zip(names, lo, hi)}, "symmetry": symmetry,
            "complete": bool(search.complete), "critical_points": len(search.points), "kinds": kinds,
            "strict_saddle_property": search.strict_saddle_property().value,
            "local_minima_global": verdict.value, "reason": ev.get("reason", ""),
            "boxes": int(search.stats.get("boxes_processed", 0)), "seconds": round(time.perf_counter() - t0, 2)}
