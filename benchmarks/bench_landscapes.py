"""Benchmark: Max-Cut global optimality certified at n = 2000 (and the 10^4 path), and the sizes
the critical-point census reaches per landscape family.

Max-Cut (issue 19 target: n = 2000 in <= 60 s on 2 cores): G(n, 10/n) (mean degree 10), the
Burer-Monteiro rank p = smallest p with p(p+1)/2 > n. Columns: seconds of the Riemannian GD solve,
seconds of the certificate (numerics.landscape.maxcut_sdp.certify_maxcut_sdp), their sum, and the
certificate's time as a ratio to the named baseline, one float ``numpy.linalg.eigvalsh`` of the
dense S = A - Diag(diag(A Y Y^T)) measured in the same run (unverified, and it gives only the
eigenvalues the certificate proves a bound for). ``--large`` adds n = 10^4 (the large-n path:
S factored in place in one n x n buffer, 0.8 GB; the eigvalsh baseline is skipped there, it takes
minutes).

Census: for each family, the census instance at increasing sizes within ``--census-budget``
seconds each (default 120); the largest size whose search completes is what the census reaches
on this machine. Manifold-constrained families (tensor, dictionary, maxcut) are beyond it.

Run: python benchmarks/bench_landscapes.py [--large] [--no-census] [--census-budget S]
"""

from __future__ import annotations

import math
import os
import sys
import time

import numpy as np


def maxcut_row(n: int, eig_baseline: bool) -> dict:
    from numerics.landscape.families import family
    from numerics.landscape.families.family import parse_size

    fam = family("maxcut")
    inst = fam.build(parse_size(f"n={n}", fam.sizes), 0)
    t0 = time.perf_counter()
    x, info, cert = fam.solve(inst, 0)
    total = time.perf_counter() - t0
    cert_s = float(cert.details["timings"]["total"])
    row = {"n": n, "edges": inst.size["edges"], "p": inst.size["rank"], "iterations": info["iterations"],
           "status": cert.status, "value": cert.value, "gap": float(cert.details["gap"]),
           "solve+certify s": total, "last certificate s": cert_s, "eigvalsh s": None}
    if eig_baseline:
        A = inst.extra["A"]
        Y = x.reshape(fam.shape(inst))
        y = np.einsum("ij,ij->i", A @ Y, Y)
        S = A.toarray()
        S[np.diag_indices(n)] = -y
        t1 = time.perf_counter()
        np.linalg.eigvalsh(S)
        row["eigvalsh s"] = time.perf_counter() - t1
    return row


def census_rows(budget: float) -> list[dict]:
    from numerics.landscape.families import family, family_names
    from numerics.landscape.families.census import run_census

    probes = {"quadratic-net": [{}], "relu-design": [{}], "matrix-sensing": [{}],
              "phase-retrieval": [{"n": 2}, {"n": 3}, {"n": 4}], "matrix-completion": [{"d": 3}, {"d": 4}],
              "rank-k": [{"d": 3}, {"d": 4}, {"d": 5}, {"d": 6}]}
    rows = []
    for name in family_names():
        fam = family(name)
        for size in probes.get(name, [{}]):
            entry, note = fam.census(size)
            if entry is None:
                rows.append({"family": name, "instance": "-", "vars": "-", "seconds": None, "complete": None,
                             "verdict": note})
                break
            t0 = time.perf_counter()
            # a box budget scaled to the time budget keeps one probe from running away
            c = run_census(entry, max_boxes=int(2000 * budget))
            dt = time.perf_counter() - t0
            rows.append({"family": name, "instance": entry.name, "vars": len(entry.variables), "seconds": dt,
                         "complete": c["complete"], "verdict": c["local_minima_global"]})
            if not c["complete"] or dt > budget:
                break
    return rows


def main(argv) -> None:
    budget = float(argv[argv.index("--census-budget") + 1]) if "--census-budget" in argv else 120.0
    print(f"load average at start: {os.getloadavg()}")
    sizes = [2000] + ([10_000] if "--large" in argv else [])
    print("\nMax-Cut (G(n, 10/n)); baseline: one float eigvalsh of the dense S")
    print(f"{'n':>6} {'edges':>7} {'p':>4} {'iters':>6} {'status':>14} {'SDP bound on the cut':>36} "
          f"{'gap':>9} {'solve+cert s':>12} {'cert s':>7} {'eigvalsh s':>10} {'cert/eigvalsh':>13}")
    for n in sizes:
        r = maxcut_row(n, eig_baseline=n <= 4000)
        ratio = "-" if r["eigvalsh s"] is None else f"{r['last certificate s'] / r['eigvalsh s']:.2f}"
        eig = "-" if r["eigvalsh s"] is None else f"{r['eigvalsh s']:.2f}"
        print(f"{r['n']:>6} {r['edges']:>7} {r['p']:>4} {r['iterations']:>6} {r['status']:>14} "
              f"[{r['value'][0]:.10g}, {r['value'][1]:.10g}]".ljust(0) +
              f" {r['gap']:9.2e} {r['solve+certify s']:12.2f} {r['last certificate s']:7.2f} {eig:>10} {ratio:>13}",
              flush=True)
        print(f"       load average: {os.getloadavg()}")
    if "--no-census" not in argv:
        print(f"\nCensus sizes reached (budget {budget:.0f} s per probe)")
        print(f"{'family':>18} {'instance':>34} {'vars':>4} {'seconds':>8} {'complete':>8}  local minima global")
        for r in census_rows(budget):
            s = "-" if r["seconds"] is None else f"{r['seconds']:.1f}"
            print(f"{r['family']:>18} {r['instance']:>34} {r['vars']!s:>4} {s:>8} {r['complete']!s:>8}  "
                  f"{r['verdict']}", flush=True)
        print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main(sys.argv[1:])
