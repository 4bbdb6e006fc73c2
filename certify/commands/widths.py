"""`certify widths CONFIG`: the literature's width requirements evaluated on the user's data.

For the dataset of CONFIG it prints, per requirement of proofs.width_table, the width the theorem
asks for (rigorous Arb enclosures of the formula; "explicit" where every constant is known, "with
unnamed constants = 1" where the paper leaves them unnamed, FLOAT where an input is only a float
estimate), its verification tag and citation, beside the empirically sufficient width (smallest
width at which every seed of a GD run on the same data reached loss <= eps) when asked for.
`--certified` adds the smallest width `certify instance --smallest-width` proves (the same
journaled search: DIR/width_journal.jsonl in `--out`, `--resume`, `--scheduler`).
`--depths 2,4,...` adds rigorous enclosures of lambda_min(K^(H)) of the ResNet at each depth with
the fitted exponent of H (the theory: -2). `--figure FILE.png` draws the table on a log scale.

Module-level imports stay light (click only).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import click


def _phi(X, y):
    """Rigorous enclosures of min_{i<j} ||x_i - x_j|| (all pairs, and differently labelled pairs)
    for the normalized inputs: ||x_i - x_j||^2 = 2 - 2 x_i.x_j."""
    import numpy as np

    from numerics.arith.interval import Interval
    from numerics.arith.interval import sqrt as isqrt
    from numerics.kernels.two_layer import normalize_rows

    Xn = normalize_rows(X)
    G = Xn @ Xn.T
    D2 = Interval(2.0) - G * 2.0
    n = X.shape[0]
    iu = np.triu_indices(n, 1)
    out = {}
    for name, mask in (("phi", np.ones(len(iu[0]), bool)), ("phi_labels", y[iu[0]] != y[iu[1]])):
        if not mask.any():
            out[name] = None
            continue
        lo = max(float(np.min(D2.lo[iu][mask])), 0.0)
        hi = max(float(np.min(D2.hi[iu][mask])), 0.0)
        out[name] = isqrt(Interval(lo, hi))
    return out


def width_inputs(config, dataset) -> tuple[dict, dict, dict]:
    """(values, float_values, evidence) for proofs.width_table.evaluate_requirements."""
    from certify.pipeline import _deep_params
    from proofs.core import InstanceData
    from proofs.dllwz2019 import lambda_of
    from proofs.two_layer_quantities import label_bound, lambda0_interval
    from numerics.arith.interval import Interval

    deep = _deep_params(config, dataset)
    params = {"n": dataset.n, "d": dataset.d, "delta": config.certify.delta, **deep}
    inst = InstanceData(dataset.X, dataset.y, params=params)
    depth = deep["depth"]
    values = {"n": dataset.n, "d": dataset.d, "L": depth, "delta": config.certify.delta,
              "eps": config.empirical.eps, "C_y": label_bound(inst), "lambda0": lambda0_interval(inst),
              **{k: v for k, v in _phi(dataset.X, dataset.y).items()}}
    if "gamma" in config.certify.constants:
        values["gamma"] = config.certify.constants["gamma"]
    if "p" in deep:
        values["p"] = deep["p"]
    floats, evidence = {}, {}
    archs = [("lambda_fc", "fc"), ("lambda_res", "resnet")]
    if config.model.kind == "cnn":
        archs.append(("lambda_cnn", "cnn"))
    for name, arch in archs:
        lam = lambda_of(inst, arch)
        if isinstance(lam, float):
            floats[name] = lam
            evidence[name] = {"float": lam}
        else:
            values[name] = Interval(lam.lo, lam.hi)
            evidence[name] = {"lo": lam.lo, "hi": lam.hi, "method": lam.method}
    return values, floats, evidence


def lambda_depth_study(X, depths, c_res: float, activation: str) -> dict:
    """lambda_min(K^(H)) of the ResNet for each depth, H^2 lambda, and the fitted exponent of H."""
    from numerics.empirical.statistics import loglog_slope
    from numerics.kernels.deep import lambda_min_by_depth

    rows = lambda_min_by_depth(X, depths, "resnet", c_res, activation)
    mids = [0.5 * (r["lo"] + r["hi"]) for r in rows]
    for r, mid in zip(rows, mids):
        r["H2_lambda"] = mid * r["depth"] ** 2
    fit = None
    if len({r["depth"] for r in rows}) >= 2 and all(x > 0 for x in mids):
        fit = loglog_slope([r["depth"] for r in rows], mids).to_dict()
    return {"rows": rows, "fitted_exponent": fit, "theory_exponent": -2,
            "note": "enclosures are rigorous (ReLU); the fitted exponent is a float regression of their midpoints"}


def _fmt(x) -> str:
    if x is None:
        return "-"
    x = float(x)
    if not math.isfinite(x):
        return "inf"
    return f"{x:.3g}"


def _figure(rows, empirical_width, path: str, certified_width=None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if r["hi"] is not None and math.isfinite(float(r["hi"])) and float(r["hi"]) > 0]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(shown) + 1.5))
    colors = {"explicit": "tab:blue"}
    for i, r in enumerate(shown):
        ax.barh(i, float(r["hi"]), color=colors.get(r["label"], "tab:gray" if "FLOAT" not in r["label"] else "tab:orange"))
    ax.set_yticks(range(len(shown)), [f"{r['id']} [{r['tag']}]" for r in shown], fontsize=7)
    ax.set_xscale("log")
    if empirical_width:
        ax.axvline(empirical_width, color="tab:red", label=f"empirically sufficient width {empirical_width}")
    if certified_width:
        ax.axvline(certified_width, color="tab:green", label=f"certified width {certified_width:g} (proved)")
    if empirical_width or certified_width:
        ax.legend(fontsize=7)
    ax.set_xlabel("width m (blue: explicit constants; gray: unnamed constants = 1; orange: float inputs)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


CERTIFIED_KINDS = ("two-layer-relu", "deep-fc", "resnet")


def certified_width(config, dataset, seeds, out, *, resume: bool = False, scheduler: str | None = None,
                    quiet: bool = True, max_width: int | None = None) -> dict:
    """The smallest width at which `certify instance` proves a zero-loss minimizer next to the
    search's point from the seeded initialization, per seed, with the median and the parameters
    per sample: the journaled search of `certify instance --smallest-width`
    (certify/commands/instance_width.py), its journal in ``out`` (``resume`` reuses it)."""
    from certify.commands.instance_width import JOURNAL_FILE, search_smallest_widths, width_search_record
    from certify.errors import BadInput

    if config.model.kind not in CERTIFIED_KINDS:
        raise BadInput("model.kind", config.model.kind, "two-layer-relu, deep-fc or resnet for --certified")
    run = search_smallest_widths(config, dataset, out, seeds, max_width, resume, scheduler, quiet)
    ws = width_search_record(run.problem, dataset, run.searches, run.records, None, run.max_width)
    median = ws["median_smallest_width"]
    p = None if median is None else run.problem.parameters(median)
    return {"kind": run.problem.model, "depth": run.problem.depth or 1,
            "seeds": [{k: r[k] for k in ("seed", "smallest_width", "parameters", "p_over_n", "tried")}
                      for r in ws["seeds"]],
            "median_smallest_width": median, "parameters_at_median": p,
            "p_over_n": None if p is None else p / dataset.n, "max_width": run.max_width,
            "journal": str(Path(out) / JOURNAL_FILE),
            "note": "proved (certify instance): an exact zero-loss global minimizer next to the Gauss-Newton "
                    "point from the initialization; doubling then bisection over the width"}


def width_report(config, *, empirical: bool, depths=None) -> dict:
    from certify.data import load_dataset
    from proofs.width_table import evaluate_requirements

    dataset = load_dataset(config)
    values, floats, evidence = width_inputs(config, dataset)
    rows = evaluate_requirements(values, floats)
    report = {"n": dataset.n, "d": dataset.d, "depth": values["L"], "activation": config.model.activation,
              "quantities": {k: (repr(v) if not hasattr(v, "lo") else {"lo": repr(float(v.lo)), "hi": repr(float(v.hi))})
                             for k, v in values.items()},
              "float_quantities": floats, "lambda_evidence": evidence, "requirements": rows,
              "empirical": None, "depth_study": None}
    if empirical:
        from numerics.empirical.deep import smallest_interpolating_width

        arch = "resnet" if config.model.kind == "resnet" else "fc"
        report["empirical"] = smallest_interpolating_width(
            dataset.X, dataset.y, arch, int(values["L"]), config.empirical.widths, tuple(config.empirical.seeds),
            config.empirical.steps, None, config.empirical.eps, config.model.activation,
            config.model.c_res if config.model.c_res is not None else 0.5)
    if depths:
        report["depth_study"] = lambda_depth_study(dataset.X, depths, config.model.c_res or 0.5,
                                                   config.model.activation)
    return report


def _parse_seeds(text: str):
    from certify.errors import BadInput

    try:
        seeds = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise BadInput("--certified-seeds", text, "a comma-separated list of integers >= 0, e.g. 0,1,2") from None
    if not seeds or any(s < 0 for s in seeds):
        raise BadInput("--certified-seeds", text, "a comma-separated list of integers >= 0, e.g. 0,1,2")
    return seeds


def _parse_depths(text: str | None):
    from certify.errors import BadInput

    if not text:
        return None
    try:
        depths = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise BadInput("--depths", text, "a comma-separated list of integers >= 1, e.g. 2,4,8,16") from None
    if not depths or any(h < 1 for h in depths):
        raise BadInput("--depths", text, "a comma-separated list of integers >= 1, e.g. 2,4,8,16")
    return sorted(set(depths))


@click.command("widths")
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False))
@click.option("--empirical/--no-empirical", default=None,
              help="Also train GD on the data to find the empirically sufficient width "
                   "(default: the config's [empirical] enabled).")
@click.option("--depths", default=None, help="Rigorous lambda_min(K^(H)) of the ResNet at these depths, e.g. 2,4,8,16,32,64.")
@click.option("--figure", type=click.Path(dir_okay=False), default=None, help="Write a log-scale PNG of the table.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None, help="Write the report as JSON.")
@click.option("--certified", is_flag=True, default=False,
              help="Add the smallest width at which `certify instance` proves a zero-loss minimizer next to the "
                   "network (median over --certified-seeds).")
@click.option("--certified-seeds", default="0,1,2", show_default=True, help="Seeds for --certified.")
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True,
              help="--certified: directory of the width search's journal (width_journal.jsonl).")
@click.option("--resume", is_flag=True, default=False,
              help="--certified: reuse the widths already proved in DIR's journal.")
@click.option("--max-width", type=click.IntRange(1, None), default=None,
              help="--certified: largest width tried (default: 4096 deep, 2^20 two-layer).")
@click.option("--scheduler", default=None, metavar="ADDR",
              help="--certified: run the widths on a dask.distributed scheduler (e.g. tcp://host:8786).")
@click.option("--quiet", is_flag=True, default=False, help="--certified: no progress on stderr.")
@click.option("--sweep-ns", default=None,
              help="Also sweep n on sphere data (e.g. 8,16,32) and the --depths list: smallest interpolating "
                   "width vs n and vs depth with fitted exponents (theory: n^4 H^2), and parameters vs n.")
def command(config_path: str, empirical, depths, figure, json_path, sweep_ns, certified, certified_seeds, out,
            resume, max_width, scheduler, quiet) -> None:
    """Width requirements of the literature evaluated on CONFIG's data, beside the width that suffices."""
    from certify.fp_environment import checked_environment

    checked_environment()   # exit 2 in a flush-to-zero / directed-rounding process, before computing
    from certify.config import load_config

    config = load_config(config_path)
    for flag, value in (("--resume", resume), ("--scheduler", scheduler), ("--max-width", max_width)):
        if value and not certified:
            from certify.errors import BadInput
            raise BadInput(flag, value, "only together with --certified")
    cert_seeds = _parse_seeds(certified_seeds) if certified else None
    depth_list = _parse_depths(depths)
    ns = _parse_depths(sweep_ns) if sweep_ns else None
    if ns is not None and min(ns) < 2:
        from certify.errors import BadInput
        raise BadInput("--sweep-ns", sweep_ns, "a comma-separated list of integers >= 2")
    run_empirical = config.empirical.enabled if empirical is None else empirical
    rep = width_report(config, empirical=run_empirical, depths=depth_list)
    if certified:
        from certify.data import load_dataset
        from certify.pipeline import numeric_context

        with numeric_context(config):       # `[numerics]`, as `certify instance` (part of the journal's identity)
            rep["certified"] = certified_width(config, load_dataset(config), cert_seeds, out, resume=resume,
                                               scheduler=scheduler, quiet=quiet, max_width=max_width)
    if ns is not None:
        from numerics.empirical.deep import deep_width_sweep

        arch = "resnet" if config.model.kind == "resnet" else "fc"
        rep["sweep"] = deep_width_sweep(ns, depth_list or [rep["depth"]], config.empirical.widths,
                                        d=rep["d"], architecture=arch, seeds=tuple(config.empirical.seeds),
                                        steps=config.empirical.steps, eps=config.empirical.eps,
                                        c_res=config.model.c_res or 0.5)
    click.echo(f"data: n = {rep['n']}, d = {rep['d']}; depth H = {rep['depth']}; activation {rep['activation']}")
    for k in ("lambda0", "lambda_fc", "lambda_res", "lambda_cnn", "phi", "phi_labels"):
        q = rep["quantities"].get(k)
        if isinstance(q, dict):
            click.echo(f"  {k} in [{q['lo']}, {q['hi']}]")
        elif k in rep["float_quantities"]:
            click.echo(f"  {k} ~ {rep['float_quantities'][k]!r} (FLOAT estimate, not enclosed)")
    click.echo("")
    click.echo(f"{'requirement':22s} {'tag':3s} {'width (upper end)':>18s}  {'label':30s} source")
    for r in rep["requirements"]:
        click.echo(f"{r['id']:22s} {r['tag']:3s} {_fmt(r['hi']):>18s}  {r['label']:30s} "
                   f"{r['work']} {'arXiv:' if r['arxiv'][:1].isdigit() else ''}{r['arxiv']} {r['result']}")
    click.echo("")
    click.echo("'with unnamed constants = 1': the paper states only Omega(.); the number is a scale, not a requirement.")
    emp = rep["empirical"]
    if emp is not None:
        w = emp["empirical_width"]
        click.echo(f"empirically sufficient width ({emp['architecture']}, depth {emp['depth']}, loss <= {emp['eps']} "
                   f"within {emp['steps']} GD steps, every seed): {w if w is not None else 'none in the sweep'}"
                   + (f"; parameters {emp['parameters_at_width']} = {emp['parameters_at_width'] / rep['n']:.3g} n"
                      if w is not None else ""))
        row = next((r for r in emp["per_width"] if r["width"] == w), emp["per_width"][-1] if emp["per_width"] else None)
        if row and row["lambda_min_gram"]:
            traj = ", ".join(f"k={k}: {min(v):.3g}" for k, v in row["lambda_min_gram"])
            click.echo(f"  lambda_min(G^(H)(k)) along training at width {row['width']} (min over seeds): {traj}")
    cw = rep.get("certified")
    if cw is not None:
        med = cw["median_smallest_width"]
        per = ", ".join(f"seed {r['seed']}: {r['smallest_width']}" for r in cw["seeds"])
        click.echo(f"certified width ({cw['kind']}, depth {cw['depth']}; proved by certify instance): "
                   f"{'none found' if med is None else f'{med:g}'} (median; {per})"
                   + (f"; parameters {cw['parameters_at_median']} = {cw['p_over_n']:.3g} n" if med is not None else ""))
        click.echo(f"{'certified (instance)':22s} {'[P]':3s} {_fmt(med):>18s}  {'proved on this data':30s} "
                   "certify instance --smallest-width")
        click.echo(f"  every width tried is in {cw['journal']} (--resume reuses it)")
    if rep["depth_study"] is not None:
        st = rep["depth_study"]
        click.echo("lambda_min(K^(H)) of the ResNet (rigorous enclosures):")
        for r in st["rows"]:
            click.echo(f"  H = {r['depth']:3d}: [{r['lo']:.6e}, {r['hi']:.6e}]  H^2 lambda = {r['H2_lambda']:.4g}")
        fit = st["fitted_exponent"]
        if fit:
            click.echo(f"  fitted exponent of H: {fit['estimate']:.3f} (95% bootstrap CI [{fit['lo']:.3f}, {fit['hi']:.3f}]); "
                       "theory: -2")
    if rep.get("sweep"):
        sw = rep["sweep"]
        click.echo("empirical sweep (sphere data, GD on all layers; evidence, not a verdict):")
        for r in sw["by_n"]:
            click.echo(f"  n = {r['n']:4d}, depth {r['depth']}: smallest interpolating width {r['empirical_width']}, "
                       f"parameters {r['parameters_at_width']}")
        for r in sw["by_depth"]:
            click.echo(f"  depth {r['depth']:3d}, n = {r['n']}: smallest interpolating width {r['empirical_width']}")
        for key, label, theory in (("width_exponent_in_n", "width vs n", 4), ("width_exponent_in_depth", "width vs depth", 2),
                                   ("parameter_exponent_in_n", "parameters vs n", None)):
            f = sw[key]
            if f and f["estimate"] is not None:
                click.echo(f"  fitted exponent, {label}: {f['estimate']:.2f} (95% CI [{f['lo']:.2f}, {f['hi']:.2f}])"
                           + (f"; theory {theory}" if theory else "; 'p = constant x n' is exponent 1"))
            else:
                click.echo(f"  fitted exponent, {label}: not enough points with an interpolating width")
    if figure:
        _figure(rep["requirements"], emp["empirical_width"] if emp else None, figure,
                cw["median_smallest_width"] if cw else None)
        click.echo(f"wrote {figure}")
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(rep, fh, indent=1, default=str)
        click.echo(f"wrote {json_path}")
