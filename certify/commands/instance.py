"""`certify instance`: prove that an exact zero-loss global minimizer lies next to *this* network.

    certify instance CONFIG --out DIR                      # init, GD, Gauss-Newton search, proof
    certify instance CONFIG --out DIR --weights net.npz    # certify given weights (W, a[, W0])
    certify instance CONFIG --out DIR --widths 100,1000,10000 [--seeds 0,1]
    certify instance CONFIG --out DIR --smallest-width [--seeds 0,1,2] [--resume] [--quiet]

Without weights the network starts at the seeded initialization of the configuration ([model]
width, [train] seed, numerics.empirical.two_layer.init_two_layer), is trained by full-batch GD
(numerics.empirical, [train] steps, step_size and loss_target; "auto" means 1/lambda_max(H(0)),
a float choice) and refined by the damped Gauss-Newton search ([instance] search, start, solver;
certify/commands/instance_points.py) before the proof. With ``--weights`` the arrays ``W``
(m, d), ``a`` (m,) in {-1, +1} and optionally ``W0`` are certified as given (and searched from
when they are not certified, unless ``--no-refine``). ``--smallest-width``: the smallest certified
width per seed (certify/commands/instance_width.py).

Writes DIR/certificate.json (with an ``instance`` object), report.md, report.html and
weights.npz; with ``--widths`` also widths.md and widths.png. Exit 0 when the final point is
certified, 1 when not, 2 on bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from certify.commands.instance_points import (InstancePoint, auto_step, points_from_initialization,
                                              points_from_weights, prove, train_gd)
from certify.commands.instance_record import (POINT_WEIGHTS_KEY, WITNESS_KEYS, _iv, instance_object,
                                              theorem_entry, theorem_width, weights_sha256,
                                              write_instance_certificate)
from certify.errors import BadInput
from proofs.lazy_global_minimizer import TwoLayerPoint

__all__ = ["auto_step", "train_gd", "command", "check_instance_certificate", "load_weights", "theorem_width"]

THEOREM_ID = "lazy-global-minimizer-nearby"


# ------------------------------------------------------------------------ inputs
def instance_rules():
    """What `certify check` does not recompute in an instance certificate (certify/agreement.py):
    the producer's machine, the search's bookkeeping (thresholds tried, attempts, timings), the
    float training record and the width sweep (its networks are not stored). A float-rounded
    one-sided bound (ratio_max), the lambda_min method and the DZPS width (an integer just above
    an enclosure) may differ between machines: notes."""
    from certify.agreement import Rules

    search = ("attempts", "attempts[]", "attempts[].*", "seconds", "training", "training.*",
              "tau_threshold", "search", "search.*")
    records = ["tool", "tool.*", "environment", "environment.*", "numerics", "numerics.*", "config_base_dir",
               "width_sweep", "width_sweep.*", "width_search", "width_search.*"]
    for obj in ("instance", "instance_points[]"):
        records += [f"{obj}.{k}" for k in search]
    return Rules(records=tuple(records),
                 descriptions=("instance.ratio_max", "instance_points[].ratio_max",
                               "instance.lambda_min_method", "instance_points[].lambda_min_method",
                               "instance.theorem_width.m", "instance_points[].theorem_width.m",
                               "theorems[].hypotheses[].evidence.ratio_max"))


def _load_witness(path: Path, point: str):
    """(S, c) recorded for `point` in the weights file, or None when the file has none."""
    import numpy as np

    s_key, c_key = (k.format(point=point) for k in WITNESS_KEYS)
    with np.load(path, allow_pickle=False) as npz:
        if s_key not in npz.files or c_key not in npz.files:
            return None
        return np.asarray(npz[s_key]), np.asarray(npz[c_key])


def _point_network(final: TwoLayerPoint, path: Path, point: str, last: bool, field: str) -> TwoLayerPoint:
    """The network of one recorded point: W0 for the initialization, W for the final point,
    the array ``W_<point>`` otherwise."""
    import numpy as np

    if point == "initialization":
        return TwoLayerPoint(final.W0, final.a, final.W0, point)
    if last:
        return TwoLayerPoint(final.W, final.a, final.W0, point)
    key = POINT_WEIGHTS_KEY.format(point=point)
    with np.load(path, allow_pickle=False) as npz:
        if key not in npz.files:
            raise BadInput(field, point, f"a point whose first layer the weights file records as {key}")
        W = np.asarray(npz[key], dtype=np.float64)
    if W.shape != final.W.shape or not np.isfinite(W).all():
        raise BadInput(f"--weights.{key}", f"array of shape {W.shape}", f"finite values of shape {final.W.shape}")
    return TwoLayerPoint(W, final.a, final.W0, point)


def _replay_point(dataset, net: TwoLayerPoint, path: Path, field: str) -> InstancePoint:
    """One recorded point: its witness replayed when recorded, otherwise the proof's search
    re-run (a point that was not certified)."""
    from numerics.instance.lazy_minimizer import certify_with_witness

    witness = _load_witness(path, net.point)
    if witness is None:
        return prove(dataset, net)
    try:
        res = certify_with_witness(dataset.X, dataset.y, net.W, net.a, net.W0, *witness)
    except ValueError as exc:
        raise BadInput(field, f"the witness of the {net.point} point", str(exc)) from None
    return InstancePoint(net, res)


def recompute_instance_certificate(cert: dict, directory) -> dict:
    """The instance certificate this machine computes from `cert`'s config, data and weights file
    (every recorded point replayed with its recorded witness; JSON-ready, unsealed)."""
    from certify.config import config_from_dict
    from certify.pipeline import numeric_context
    from certify.run_check import data_base_dir

    rec = cert.get("weights")
    if not isinstance(rec, dict) or not isinstance(rec.get("file"), str):
        raise BadInput("CERT.weights", rec, "an instance certificate that names its weights file")
    if not isinstance(cert.get("config"), dict):
        raise BadInput("CERT.config", cert.get("config"), "the config object `certify instance` records")
    config = config_from_dict(cert["config"], base_dir=data_base_dir(cert, directory))
    with numeric_context(config):       # the recorded `[numerics]`, as the producer ran
        return _recompute_instance(cert, config, directory, rec)


def _recompute_instance(cert: dict, config, directory, rec: dict) -> dict:
    import json

    from certify.data import load_dataset
    from certify.pipeline import certificate_header

    dataset = load_dataset(config)
    path = Path(directory) / Path(rec["file"]).name
    if not path.is_file():
        raise BadInput("CERT.weights.file", str(path), "the weights file written beside the certificate")
    final = load_weights(str(path), dataset.d)
    names = _recorded_point_names(rec, config)
    width_info = theorem_width(dataset, config)
    width_info.pop("_lambda0_float", None)
    points = []
    for i, name in enumerate(names):
        field = f"CERT.instance_points[{i}]"
        net = _point_network(final, path, name, i == len(names) - 1, field)
        points.append(_replay_point(dataset, net, path, field))
    objs = [instance_object(p.result, p.name, width_info) for p in points]
    entry = theorem_entry(dataset, config, points[-1])
    fresh = {**certificate_header(config, dataset), "kind": "instance", "verdict": points[-1].result.status,
             "theorems": [entry], "instance": objs[-1], "instance_points": objs,
             "weights": {"file": rec["file"], "sha256": weights_sha256(final), "point": names[-1], "points": names},
             "content_sha256": cert.get("content_sha256")}
    if "width_search" in cert:
        fresh["width_search"] = cert["width_search"]
    return json.loads(json.dumps(fresh, allow_nan=False))


def _recorded_point_names(rec: dict, config) -> list[str]:
    """The points a certificate records (``weights.points``; older certificates: the given
    weights, or the initialization and, with training steps, the trained network)."""
    names = rec.get("points")
    if names is not None:
        if not isinstance(names, list) or not names or not all(isinstance(x, str) and x for x in names):
            raise BadInput("CERT.weights.points", names, "the non-empty list of point names")
        return names
    if rec.get("point") == "given":
        return ["given"]
    return ["initialization", "trained"] if config.train.steps > 0 else ["initialization"]


def check_instance_certificate(cert: dict, directory):
    """Recompute an instance certificate and compare it with the recorded one
    (certify/agreement.py; the rules in :func:`instance_rules`)."""
    from certify.agreement import Agreement, compare
    from certify.certificate import integrity_problems

    kind = ((cert.get("config") or {}).get("model") or {}).get("kind")
    if kind in ("deep-fc", "resnet"):
        from certify.commands.deep_instance import check_deep_instance

        return check_deep_instance(cert, directory)
    out = Agreement(problems=integrity_problems(cert))
    out.extend(compare(cert, recompute_instance_certificate(cert, directory), instance_rules()))
    return out


def parse_int_list(text: str | None, option: str) -> list[int] | None:
    if text is None:
        return None
    out = []
    for part in text.split(","):
        part = part.strip()
        try:
            v = int(float(part)) if part and float(part).is_integer() else None
        except ValueError:
            v = None
        if v is None or v < (1 if option == "--widths" else 0):
            raise BadInput(option, text, "a comma-separated list of integers"
                           + (" >= 1 such as 100,1000,10000" if option == "--widths" else " >= 0"))
        out.append(v)
    if not out:
        raise BadInput(option, text, "at least one integer")
    return sorted(set(out)) if option == "--widths" else out


def load_weights(path: str, d: int) -> TwoLayerPoint:
    """Read W (m, d), a (m,) and optional W0 from an .npz; every defect is a BadInput (exit 2)."""
    import zipfile

    import numpy as np

    p = Path(path)
    if not p.exists():
        raise BadInput("--weights", path, "an existing .npz file with arrays W (m, d) and a (m,)")
    try:
        with np.load(p, allow_pickle=False) as npz:
            names = set(npz.files)
            if not {"W", "a"} <= names:
                raise BadInput("--weights", path, f"an .npz with arrays W and a (optional W0); found {sorted(names)}")
            arrays = {k: np.asarray(npz[k]) for k in ("W", "a", "W0") if k in names}
    except BadInput:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise BadInput("--weights", path, f"a readable .npz file ({exc})") from None
    for k, arr in arrays.items():
        if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
            raise BadInput(f"--weights.{k}", f"dtype {arr.dtype}", "a real numeric array")
    W = arrays["W"].astype(np.float64)
    if W.ndim != 2 or W.shape[1] != d or W.shape[0] < 1:
        raise BadInput("--weights.W", f"array of shape {W.shape}", f"shape (m, {d}): one row per neuron, d = {d} as the data")
    m = W.shape[0]
    a = arrays["a"].astype(np.float64)
    if a.shape != (m,):
        raise BadInput("--weights.a", f"array of shape {a.shape}", f"shape ({m},), one output sign per neuron")
    W0 = arrays.get("W0")
    if W0 is not None:
        W0 = W0.astype(np.float64)
        if W0.shape != W.shape:
            raise BadInput("--weights.W0", f"array of shape {W0.shape}", f"the shape of W, {W.shape}")
    for k, arr in (("W", W), ("a", a), ("W0", W0)):
        if arr is not None and not np.isfinite(arr).all():
            idx = tuple(int(t) for t in np.argwhere(~np.isfinite(arr))[0])
            raise BadInput(f"--weights.{k}{list(idx)}", float(arr[idx]), "finite values (no NaN or inf)")
    bad = ~((a == 1.0) | (a == -1.0))
    if bad.any():
        r = int(np.argmax(bad))
        raise BadInput(f"--weights.a[{r}]", float(a[r]), "exactly -1 or +1 (the output layer is fixed)")
    return TwoLayerPoint(W, a, W0 if W0 is not None else W, "given")


def _summary_line(obj: dict) -> str:
    def hi(k):
        v = obj.get(k)
        return "-" if v is None else f"{float(v['hi']):.4g}"
    return (f"{obj['point']:>14s} m={obj['m']:<8d} {obj['status']:<14s} |S|={obj['stable_neurons']:<8d} "
            f"sqrt(m)D<={hi('sqrt_m_distance')} corr<={hi('correction_max')} ({obj['seconds']}s)")


# ------------------------------------------------------------------------ sweep
FROM_INITIALIZATION = ("initialization", "search-from-initialization")
FROM_TRAINED = ("trained", "search-from-trained")


def width_sweep(dataset, config, widths, seeds, lambda0, width_info, zero_tol: float,
                keep: tuple[int, int] | None = None, echo=lambda text: None) -> tuple[dict, list | None]:
    """The points of certify/commands/instance_points.py for every width and seed; returns the
    sweep record and the points of the (width, seed) pair ``keep`` (the certificate's main point)."""
    rows = []
    kept = None
    for m in widths:
        for seed in seeds:
            points = points_from_initialization(dataset, config, m, seed, lambda0)
            if keep == (m, seed):
                kept = points
            for p in points:
                res = p.result
                row = {"m": m, "seed": seed, "point": p.name, "status": res.status,
                       "stable_neurons": int(len(res.stable)),
                       "sqrt_m_distance": _iv(res.sqrt_m_distance),
                       "correction_max": _iv(res.correction_max), "seconds": round(res.seconds, 3)}
                if p.training is not None:
                    row["final_loss_float"] = p.training["final_loss_float"]
                    row["gd_zero_loss"] = float(p.training["final_loss_float"]) <= zero_tol
                    row["train_seconds"] = p.training["seconds"]
                if p.search is not None:
                    row["search_residual_float"] = p.search["residual_norm_float"]
                    row["search_iterations"] = p.search["iterations"]
                rows.append(row)
                echo(f"  width {m:>8d} seed {seed}: {p.name:>26s} {res.status}")

    def smallest(pred):
        out = {}
        for seed in seeds:
            ok = [r["m"] for r in rows if r["seed"] == seed and pred(r)]
            out[str(seed)] = min(ok) if ok else None
        return out

    summary = {
        "theorem_width": None if width_info is None else width_info.get("m"),
        "certified_width_initialization": smallest(lambda r: r["point"] in FROM_INITIALIZATION
                                                   and r["status"] == "certified"),
        "certified_width_trained": smallest(lambda r: r["point"] in FROM_TRAINED and r["status"] == "certified"),
        "gd_zero_loss_width": smallest(lambda r: r.get("gd_zero_loss", False)),
        "zero_loss_tolerance": zero_tol,
    }
    return {"widths": list(widths), "seeds": list(seeds), "rows": rows, "summary": summary}, kept


def sweep_markdown(sweep: dict) -> str:
    s = sweep["summary"]
    lines = ["# Width sweep: theorem width vs certified width vs GD", "",
             f"- theorem width (DZPS Thm 4.1, explicit constants): {s['theorem_width']}",
             f"- smallest certified width at initialization (per seed): {s['certified_width_initialization']}",
             f"- smallest certified width after training (per seed): {s['certified_width_trained']}",
             f"- smallest width where GD reached loss <= {s['zero_loss_tolerance']:g} (per seed): {s['gd_zero_loss_width']}",
             "", "| m | seed | point | status | sqrt(m) D (hi) | final loss (float) |", "|---|---|---|---|---|---|"]
    for r in sweep["rows"]:
        smd = r["sqrt_m_distance"]["hi"] if r["sqrt_m_distance"] else "-"
        lines.append(f"| {r['m']} | {r['seed']} | {r['point']} | {r['status']} | {smd} | {r.get('final_loss_float', '-')} |")
    return "\n".join(lines) + "\n"


def sweep_figure(sweep: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for (point, names), marker in ((("initialization", FROM_INITIALIZATION), "o"), (("trained", FROM_TRAINED), "s")):
        for status, fill in (("certified", True), ("not-certified", False)):
            rs = [r for r in sweep["rows"] if r["point"] in names and r["status"] == status and r["sqrt_m_distance"]]
            if rs:
                ax.scatter([r["m"] for r in rs], [float(r["sqrt_m_distance"]["hi"]) for r in rs], marker=marker,
                           facecolors=None if fill else "none", edgecolors="C0" if point == "initialization" else "C1",
                           color="C0" if point == "initialization" else "C1", label=f"{point}, {status}")
    ax.set_xscale("log")
    ax.set_xlabel("width m")
    ax.set_ylabel("sqrt(m) x certified distance from init")
    tw = sweep["summary"]["theorem_width"]
    ax.set_title(f"theorem width (DZPS Thm 4.1) = {tw:.3g}" if tw else "instance certificates")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


# ------------------------------------------------------------------------ the command
@click.command("instance")
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True,
              help="Directory for certificate.json, report.md, report.html, weights.npz.")
@click.option("--weights", "weights_path", type=click.Path(dir_okay=False), default=None,
              help=".npz with W (m, d), a (m,) in {-1,+1}, optional W0: certify these weights.")
@click.option("--widths", default=None, help="Comma-separated widths to sweep, e.g. 100,1000,10000.")
@click.option("--seeds", default=None, help="Comma-separated seeds for the sweep (default: [train] seed).")
@click.option("--zero-loss-tol", type=float, default=1e-10, show_default=True,
              help="Float loss 1/2||u - y||^2 below which GD counts as having reached zero loss (sweep).")
@click.option("--smallest-width", is_flag=True, default=False,
              help="Doubling then bisection over the width for each seed: the smallest certified width.")
@click.option("--max-width", type=click.IntRange(1, None), default=None,
              help="Largest width tried by --smallest-width (default: 4096 deep, 2^20 two-layer).")
@click.option("--resume", is_flag=True, default=False,
              help="--smallest-width: reuse the widths already proved in DIR's journal.")
@click.option("--scheduler", default=None, metavar="ADDR",
              help="--smallest-width: run each width as a task on a dask.distributed scheduler, the seeds "
                   "concurrently (e.g. tcp://host:8786).")
@click.option("--refine/--no-refine", default=True, show_default=True,
              help="With --weights: when the given point is not certified, search from it and certify again.")
@click.option("--quiet", is_flag=True, default=False, help="No progress on stderr.")
def command(config_path: str, out: str, weights_path: str | None, widths: str | None, seeds: str | None,
            zero_loss_tol: float, smallest_width: bool, max_width: int | None, resume: bool, scheduler: str | None,
            refine: bool, quiet: bool) -> None:
    """Prove that an exact zero-loss global minimizer lies within O(1/sqrt m) of this network."""
    from certify.config import load_config
    from certify.fp_environment import checked_environment
    from certify.pipeline import numeric_context

    checked_environment()   # before any rigorous computation (again when the header is written)
    config = load_config(config_path)
    with numeric_context(config):       # `[numerics]` for everything below
        return _instance(config, out, weights_path, widths, seeds, zero_loss_tol, smallest_width, max_width,
                         resume, scheduler, refine, quiet)


def _instance(config, out: str, weights_path: str | None, widths: str | None, seeds: str | None,
              zero_loss_tol: float, smallest_width: bool, max_width: int | None, resume: bool, scheduler: str | None,
              refine: bool, quiet: bool) -> None:
    from certify.data import load_dataset

    dataset = load_dataset(config)
    width_list = parse_int_list(widths, "--widths")
    if (resume or scheduler) and not smallest_width:
        raise BadInput("--resume" if resume else "--scheduler", True, "only together with --smallest-width")
    if config.model.kind not in ("two-layer-relu", "deep-fc", "resnet"):
        raise BadInput("model.kind", config.model.kind, "two-layer-relu, deep-fc or resnet for `certify instance`")
    seed_list = parse_int_list(seeds, "--seeds") or [config.train.seed]
    if smallest_width:       # both kinds: one driver with its journal, --resume and --scheduler
        if weights_path or width_list:
            raise BadInput("--smallest-width", True, "not together with --weights or --widths")
        from certify.commands.instance_width import run_smallest_width

        return run_smallest_width(config, dataset, out, seed_list, max_width, resume, scheduler, quiet)
    if config.model.kind in ("deep-fc", "resnet"):
        from certify.commands.deep_instance import run as run_deep

        return run_deep(config, dataset, out, weights_path, width_list, parse_int_list(seeds, "--seeds"),
                        refine, quiet)
    given = load_weights(weights_path, dataset.d) if weights_path else None
    if given is not None and width_list:
        raise BadInput("--widths", widths, "not together with --weights (the weights fix the width)")
    m = config.model.width
    if given is None and m is None and not width_list:
        raise BadInput("model.width", None, "a width (or --widths, --smallest-width or --weights) for an "
                       "instance certificate")

    def echo(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    width_info = theorem_width(dataset, config)
    lambda0 = width_info.pop("_lambda0_float")
    sweep = None
    if given is not None:
        points = points_from_weights(dataset, given, config, refine, echo)
    else:
        m_main = int(m) if m is not None else max(width_list)
        points = None
        if width_list:
            sweep, points = width_sweep(dataset, config, width_list, seed_list, lambda0, width_info,
                                        zero_loss_tol, keep=(m_main, seed_list[0]), echo=echo)
        if points is None:
            points = points_from_initialization(dataset, config, m_main, seed_list[0], lambda0, echo)
    outp, objs = write_instance_certificate(dataset, config, points, width_info, out,
                                            extra={} if sweep is None else {"width_sweep": sweep})
    for o in objs:
        click.echo(_summary_line(o))
    click.echo(f"theorem width (DZPS Thm 4.1, delta={config.certify.delta}): {width_info.get('m')}")
    if sweep is not None:
        (outp / "widths.md").write_text(sweep_markdown(sweep), encoding="utf-8")
        sweep_figure(sweep, outp / "widths.png")
        click.echo(sweep_markdown(sweep))
    final = points[-1].result
    click.echo(f"verdict: {final.status}; wrote {outp}/certificate.json, report.md, report.html, weights.npz")
    sys.exit(0 if final.certified else 1)
