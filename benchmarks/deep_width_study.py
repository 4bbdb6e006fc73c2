"""How wide must a deep ReLU net be for an exact global minimizer to be *proved* next to it?

The scaling study of issue 17: on real data (scikit-learn's digits and breast_cancer, offline),
fully connected nets in the Du-Lee-Li-Wang-Zhai parametrization, depth H and n inputs: the
smallest width m at which `certify instance` proves a zero-loss global minimizer next to the
Gauss-Newton point found from the seeded initialization (doubling then bisection over m,
numerics.instance.deep_width_search), the median over seeds, the parameter count p and p / n,
and fitted exponents of m in n (at fixed H) and in H (at fixed n) with 95% bootstrap intervals,
beside the theory's m = O(n^4 H^2) (1811.03804, ResNet headline; the fully connected theorem asks
for 2^O(H) n^4 / lambda^4).

Data preparation (as `[data] source = "sklearn:NAME"`, `standardize = true`, `subsample = n`,
`seed = 0` of the configuration): n rows drawn without replacement with numpy's default_rng(0),
columns standardized (constant columns dropped), labels +-1 (digits: parity of the digit;
breast_cancer: the stored 0/1 class). The seeds vary the network initialization only. Search
budget per width: at most 60 Gauss-Newton steps, abandoned when the residual has not halved in
12 accepted steps (numerics.instance.deep_width_search), so a width is "certified" when this
search and the proof succeed; a longer search can certify some narrower widths.

    python benchmarks/deep_width_study.py --out benchmarks/results/deep_width_study   # resumable
    python benchmarks/deep_width_study.py --summary-only --out ...                   # table, fits, figure

Results are appended to OUT.jsonl as each (dataset, n, H, seed) finishes; OUT.json, OUT.md and
OUT.png hold the summary. Runs on the CPU, one thread per process.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GRIDS = {
    # the two slices that carry the exponents (n at H = 2 and 4; H at n = 200), then the rest
    "slices": [("digits", n, H) for H in (2, 4) for n in (50, 100, 200, 400, 800)]
    + [("digits", 200, H) for H in (3, 6, 8)]
    + [("breast_cancer", n, H) for H in (2, 4) for n in (50, 100, 200, 400, 569)]
    + [("breast_cancer", 200, H) for H in (3, 6, 8)],
    "quick": [("digits", n, 2) for n in (50, 100)] + [("digits", 50, H) for H in (3, 4)],
}
GRIDS["full"] = GRIDS["slices"] + [(ds, n, H) for ds, ns in (("digits", (50, 100, 400, 800)),
                                                             ("breast_cancer", (50, 100, 400, 569)))
                                   for n in ns for H in (3, 6, 8)]


def prepared(name: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The subsample of module docstring."""
    from sklearn import datasets

    data = datasets.load_digits() if name == "digits" else datasets.load_breast_cancer()
    X, y = data.data.astype(np.float64), data.target.astype(np.float64)
    rows = np.sort(np.random.default_rng(seed).choice(len(y), size=n, replace=False))
    X, y = X[rows], y[rows]
    y = np.where(np.mod(y, 2) == 0, 1.0, -1.0) if name == "digits" else np.where(y > 0, 1.0, -1.0)
    sd = X.std(axis=0)
    keep = sd > 0
    return (X[:, keep] - X[:, keep].mean(axis=0)) / sd[keep], y


def run_cell(ds: str, n: int, H: int, seed: int, kind: str, max_width: int) -> dict:
    from numerics.instance.deep_width_search import smallest_width_for_seed

    X, y = prepared(ds, n)
    t0 = time.perf_counter()
    search, points = smallest_width_for_seed(X, y, kind, H, seed, max_width=max_width)
    m = search.smallest
    best = points.get(m) if m is not None else None
    out = {"dataset": ds, "n": n, "d": X.shape[1], "depth": H, "seed": seed, "kind": kind,
           "smallest_width": m, "parameters": None if best is None else best.parameter_count,
           "tried": [points[w].as_dict() for w, _ in search.tried], "seconds": round(time.perf_counter() - t0, 2),
           "load_average": os.getloadavg()}
    if best is not None:
        pr = best.proof
        out["certificate"] = {"lambda_min_K": repr(float(pr.lambda_min.lo)), "radius": repr(pr.radius),
                              "residual_norm_hi": repr(float(pr.residual_norm.hi)),
                              "sqrt_m_distance_max_neuron": [None if L.sqrt_m_distance_max_neuron is None else
                                                             repr(float(L.sqrt_m_distance_max_neuron.hi))
                                                             for L in pr.layers]}
    return out


def _done(path: Path) -> set:
    if not path.exists():
        return set()
    keys = set()
    for line in path.read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            keys.add((r["dataset"], r["n"], r["depth"], r["seed"], r["kind"]))
    return keys


def summarize(rows: list[dict]) -> dict:
    from numerics.empirical.statistics import loglog_slope

    cells = {}
    for r in rows:
        cells.setdefault((r["dataset"], r["n"], r["depth"], r["kind"]), []).append(r)
    table = []
    for (ds, n, H, kind), rs in sorted(cells.items()):
        widths = [r["smallest_width"] for r in rs]
        found = [w for w in widths if w is not None]
        med = float(np.median(found)) if len(found) == len(widths) and found else None
        d = rs[0]["d"]
        p = None
        if med is not None:
            from numerics.instance.deep_width_search import architecture_at
            p = architecture_at(kind, int(round(med)), d, H).parameter_count
        table.append({"dataset": ds, "n": n, "d": d, "depth": H, "kind": kind, "seeds": [r["seed"] for r in rs],
                      "smallest_widths": widths, "median_width": med, "parameters_at_median": p,
                      "p_over_n": None if p is None else p / n, "n4H2": float(n) ** 4 * H ** 2,
                      "seconds": round(sum(r["seconds"] for r in rs), 1)})
    fits = []
    for ds in sorted({t["dataset"] for t in table}):
        for H in sorted({t["depth"] for t in table if t["dataset"] == ds}):
            pts = [(t["n"], t["median_width"]) for t in table if t["dataset"] == ds and t["depth"] == H
                   and t["median_width"]]
            if len({x for x, _ in pts}) >= 3:
                f = loglog_slope([x for x, _ in pts], [w for _, w in pts])
                fits.append({"dataset": ds, "variable": "n", "fixed": {"depth": H}, "points": len(pts),
                             "exponent": f.estimate, "ci95": [f.lo, f.hi], "theory": 4})
        for n in sorted({t["n"] for t in table if t["dataset"] == ds}):
            pts = [(t["depth"], t["median_width"]) for t in table if t["dataset"] == ds and t["n"] == n
                   and t["median_width"]]
            if len({x for x, _ in pts}) >= 3:
                f = loglog_slope([x for x, _ in pts], [w for _, w in pts])
                fits.append({"dataset": ds, "variable": "H", "fixed": {"n": n}, "points": len(pts),
                             "exponent": f.estimate, "ci95": [f.lo, f.hi], "theory": 2})
    return {"table": table, "fits": fits}


def markdown(summary: dict) -> str:
    lines = ["| dataset | n | H | median smallest certified m (seeds) | p at median | p / n | n^4 H^2 |",
             "|---|---|---|---|---|---|---|"]
    for t in summary["table"]:
        med = "-" if t["median_width"] is None else f"{t['median_width']:g}"
        ws = ", ".join("-" if w is None else str(w) for w in t["smallest_widths"])
        p = "-" if t["parameters_at_median"] is None else str(t["parameters_at_median"])
        pn = "-" if t["p_over_n"] is None else f"{t['p_over_n']:.2f}"
        lines.append(f"| {t['dataset']} | {t['n']} | {t['depth']} | {med} ({ws}) | {p} | {pn} | {t['n4H2']:.2g} |")
    lines += ["", "| dataset | exponent of | at | fitted exponent [95% bootstrap CI] | theory |", "|---|---|---|---|---|"]
    for f in summary["fits"]:
        at = ", ".join(f"{k} = {v}" for k, v in f["fixed"].items())
        est = "-" if f["exponent"] is None else f"{f['exponent']:.2f} [{f['ci95'][0]:.2f}, {f['ci95'][1]:.2f}]"
        lines.append(f"| {f['dataset']} | {f['variable']} | {at} | {est} | {f['theory']} |")
    return "\n".join(lines) + "\n"


def figure(summary: dict, path: Path, kind: str = "deep-fc") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ds, marker in (("digits", "o"), ("breast_cancer", "s")):
        for H, color in ((2, "C0"), (4, "C1")):
            pts = sorted((t["n"], t["median_width"], t["p_over_n"]) for t in summary["table"]
                         if t["dataset"] == ds and t["depth"] == H and t["median_width"])
            if pts:
                axes[0].plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, color=color,
                             label=f"{ds}, H = {H}: certified m")
        pts = sorted((t["depth"], t["median_width"]) for t in summary["table"]
                     if t["dataset"] == ds and t["n"] == 200 and t["median_width"])
        if pts:
            axes[1].plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, label=f"{ds}, n = 200")
    ns = np.array([50, 800])
    axes[0].plot(ns, 8 * (ns / 50.0) ** 4, "k--", label="n^4 (theory's scaling, arbitrary constant)")
    axes[0].set(xscale="log", yscale="log", xlabel="n (inputs)", ylabel="smallest certified width m (median of 3 seeds)")
    Hs = np.array([2, 8])
    axes[1].plot(Hs, 8 * (Hs / 2.0) ** 2, "k--", label="H^2 (theory's scaling)")
    axes[1].set(xscale="log", yscale="log", xlabel="depth H", ylabel="smallest certified width m")
    for ax in axes:
        ax.legend(fontsize=7)
    net = "Deep FC nets" if kind == "deep-fc" else "ResNets"
    fig.suptitle(f"{net} (DLLWZ parametrization): width at which a zero-loss minimizer is proved", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="benchmarks/results/deep_width_study")
    ap.add_argument("--grid", choices=sorted(GRIDS), default="slices")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--kind", default="deep-fc", choices=["deep-fc", "resnet"])
    ap.add_argument("--max-width", type=int, default=2048)
    ap.add_argument("--summary-only", action="store_true")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    jl = out.with_suffix(".jsonl")
    if not args.summary_only:
        done = _done(jl)
        seeds = [int(s) for s in args.seeds.split(",")]
        for ds, n, H in GRIDS[args.grid]:
            for seed in seeds:
                if (ds, n, H, seed, args.kind) in done:
                    continue
                r = run_cell(ds, n, H, seed, args.kind, args.max_width)
                with jl.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
                print(f"{ds:14s} n={n:4d} H={H} seed={seed}: smallest certified m = {r['smallest_width']} "
                      f"({len(r['tried'])} widths, {r['seconds']:.1f} s, load {os.getloadavg()[0]:.1f})", flush=True)
    rows = [json.loads(line) for line in jl.read_text().splitlines() if line.strip()] if jl.exists() else []
    rows = [r for r in rows if r["kind"] == args.kind]
    summary = summarize(rows)
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1))
    out.with_suffix(".md").write_text(markdown(summary))
    figure(summary, out.with_suffix(".png"), args.kind)
    print(markdown(summary))
    print(f"total seconds of the runs: {sum(r['seconds'] for r in rows):.0f}; load now {os.getloadavg()}")


if __name__ == "__main__":
    main()
