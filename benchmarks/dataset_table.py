"""The table (and log-scale figure) of docs/gauss_newton_search.md: for the five scikit-learn
datasets (benchmarks/real_data.py), n, d, the certified lambda0 = lambda_min(H_inf), the DZPS GD
theorem width (Thm 4.1, explicit constants, delta = 0.05), the median over seeds 0, 1, 2 of the
smallest width certified at the initialization (Gauss-Newton search from the seeded
initialization, then the proof; doubling then bisection), p / n = m d / n at that median,
sqrt(m) D of the median seed's certified point, and the seconds the width search took. Widths
are tried up to ``--max-width`` (default 8192); "-" means no width up to it was certified.

Usage: python benchmarks/dataset_table.py [--out benchmarks/results/dataset_table]
       [--digits-from benchmarks/results/bench_instance.json] [--datasets iris,wine] [--max-width 8192]
``--digits-from`` reuses the digits width search of bench_instance.py (the same seeds and search
settings) instead of running it again; the table says so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from types import SimpleNamespace

import numpy as np


def theorem_quantities(X, y) -> dict:
    """The certified lambda0 enclosure and the DZPS GD width (certify instance's own routine)."""
    from certify.commands.instance_record import theorem_width

    ds = SimpleNamespace(X=X, y=y, n=X.shape[0], d=X.shape[1])
    cfg = SimpleNamespace(certify=SimpleNamespace(delta=0.05))
    w = theorem_width(ds, cfg)
    return {"lambda0": w["lambda0"], "theorem_width": w["m"]}


def width_search(X, y, seeds, max_width: int) -> dict:
    from numerics.instance.two_layer_width_search import smallest_width_for_seed

    t0 = time.perf_counter()
    rows = []
    for seed in seeds:
        search, points = smallest_width_for_seed(X, y, seed, max_width=max_width)
        m = search.smallest
        smd = None if m is None else points[m].proof.sqrt_m_distance
        rows.append({"seed": seed, "smallest_width": m, "sqrt_m_distance_hi": None if smd is None else float(smd.hi),
                     "tried": search.as_dict()["tried"]})
    return {"seeds": rows, "seconds": time.perf_counter() - t0}


def summarize(name: str, X, y, merged, th: dict, ws: dict, reused: bool) -> dict:
    found = [r for r in ws["seeds"] if r["smallest_width"] is not None]
    median = None
    smd = None
    if len(found) == len(ws["seeds"]):
        widths = sorted(r["smallest_width"] for r in found)
        median = widths[len(widths) // 2]
        smd = next(r["sqrt_m_distance_hi"] for r in found if r["smallest_width"] == median)
    n, d = X.shape
    return {"dataset": name, "n": n, "d": d, "merged_duplicates": merged, "lambda0": th["lambda0"],
            "theorem_width": th["theorem_width"], "median_smallest_width": median,
            "per_seed": [r["smallest_width"] for r in ws["seeds"]],
            "p_over_n": None if median is None else median * d / n, "sqrt_m_distance_hi": smd,
            "seconds": ws["seconds"], "reused_from_bench_instance": reused}


def markdown(rows: list[dict]) -> str:
    out = ["| dataset | n | d | certified lambda0 | DZPS GD theorem width | median smallest certified width "
           "(seeds 0,1,2) | p / n | sqrt(m) D | seconds |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lam = f"[{float(r['lambda0']['lo']):.4g}, {float(r['lambda0']['hi']):.4g}]"
        tw = "-" if r["theorem_width"] is None else f"{float(r['theorem_width']):.3g}"
        med = "-" if r["median_smallest_width"] is None else f"{r['median_smallest_width']} ({', '.join(map(str, r['per_seed']))})"
        pn = "-" if r["p_over_n"] is None else f"{r['p_over_n']:.2f}"
        smd = "-" if r["sqrt_m_distance_hi"] is None else f"<= {r['sqrt_m_distance_hi']:.3g}"
        out.append(f"| {r['dataset']} | {r['n']} | {r['d']} | {lam} | {tw} | {med} | {pn} | {smd} | "
                   f"{r['seconds']:.0f}{' (bench)' if r['reused_from_bench_instance'] else ''} |")
    return "\n".join(out) + "\n"


def figure(rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r["dataset"] for r in rows]
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(7, 4))
    series = [("n (inputs)", [r["n"] for r in rows]),
              ("p = m d at the median smallest certified width", [np.nan if r["median_smallest_width"] is None
                                                                  else r["median_smallest_width"] * r["d"] for r in rows]),
              ("smallest certified width m (median)", [np.nan if r["median_smallest_width"] is None
                                                       else r["median_smallest_width"] for r in rows]),
              ("DZPS GD theorem width", [np.nan if r["theorem_width"] is None else float(r["theorem_width"])
                                         for r in rows])]
    for k, (label, vals) in enumerate(series):
        ax.bar(x + (k - 1.5) * 0.2, vals, width=0.2, label=label)
    ax.set_yscale("log")
    ax.set_xticks(x, names)
    ax.set_ylabel("count (log scale)")
    ax.set_title("Certified at the initialization vs the GD theorem's width")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="benchmarks/results/dataset_table")
    ap.add_argument("--digits-from", default=None)
    ap.add_argument("--figure", default="docs/gauss_newton_datasets.png")
    ap.add_argument("--max-width", type=int, default=8192)
    ap.add_argument("--datasets", default=None, help="comma-separated subset; rows of the others are kept from "
                    "an earlier OUT.json")
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from real_data import NAMES, load_real

    print(f"load average at start: {os.getloadavg()}; widths up to {args.max_width}", flush=True)
    wanted = NAMES if args.datasets is None else tuple(args.datasets.split(","))
    rows = []
    if args.datasets is not None and os.path.exists(args.out + ".json"):
        with open(args.out + ".json") as fh:
            rows = [r for r in json.load(fh) if r["dataset"] not in wanted]
    for name in reversed(NAMES):            # smallest first
        if name not in wanted:
            continue
        X, y, merged = load_real(name, report=True)
        if merged:
            print(f"{name}: merged identical rows with equal labels {merged}", flush=True)
        th = theorem_quantities(X, y)
        reused = False
        if name == "digits" and args.digits_from:
            with open(args.digits_from) as fh:
                b = json.load(fh)["digits_smallest_width"]
            ws, reused = {"seeds": b["seeds"], "seconds": b["seconds"]}, True
        else:
            ws = width_search(X, y, [0, 1, 2], args.max_width)
        rows.append(summarize(name, X, y, merged, th, ws, reused))
        print(markdown(rows[-1:]).splitlines()[-1], flush=True)
    rows = sorted(rows, key=lambda r: NAMES.index(r["dataset"]))
    text = markdown(rows)
    print(text)
    print(f"load average at end: {os.getloadavg()}")
    with open(args.out + ".json", "w") as fh:
        json.dump(rows, fh, indent=2)
    with open(args.out + ".md", "w") as fh:
        fh.write(text)
    figure(rows, args.figure)


if __name__ == "__main__":
    main()
