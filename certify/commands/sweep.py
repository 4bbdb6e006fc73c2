"""`certify sweep CONFIG --out DIR [--scheduler ADDR] [--resume]`: the empirical sweep on its own.

Reads the same TOML as `certify run`; trains the two-layer ReLU ensembles of its `[empirical]`
section (widths x seeds; run even when `enabled = false`, since the sweep is asked for explicitly)
and writes DIR/runs.jsonl (one JSON line per finished run), DIR/summary.json and DIR/figures/*.png.
The theory it is compared with comes from the rigorous layer: lambda0 is the lower endpoint of the
certified enclosure of lambda_min(H_inf); the loss bound counts as "applies" at a width only where
`dzps2019-two-layer-gd` is certified at that width. Everything the sweep measures is float evidence.

Module-level imports stay light (click only); the work is imported when the command runs.
"""

from __future__ import annotations

import click

# argument names of numerics.empirical -> the config keys they come from (for exit-2 messages)
FIELD_OF_ARGUMENT = {
    "device": "empirical.device", "dtype": "empirical.dtype", "widths": "empirical.widths",
    "seeds": "empirical.seeds", "steps": "empirical.steps", "method": "empirical.method",
    "batch_size": "empirical.batch_size", "eps": "empirical.eps", "step_size": "train.step_size",
    "lambda0": "data", "X": "data", "y": "data", "scheduler": "--scheduler",
}
GD_THEOREM = "dzps2019-two-layer-gd"


def theory_inputs(config, dataset, widths) -> dict:
    """Float inputs for the experiments, taken from the rigorous layer (nothing recomputed here).

    Returns ``lambda0`` (lower endpoint of the certified enclosure; BadInput if it is not > 0),
    ``H_inf`` (midpoint of the verified interval matrix, float), ``step_size`` (the config's, or the
    theorem's largest allowed step when "auto"), ``theorem_width`` (the width Thm 4.1 requires) and
    ``applies`` ({width: certified at that width}; widths below the required width are not evaluated
    again: the required width is the smallest integer above the enclosures, so they are not certified).
    """
    import numpy as np

    from certify.errors import BadInput
    from proofs.core import InstanceData
    from proofs.evaluation import evaluate_theorem
    from proofs.registry import get_theorem
    from proofs.two_layer_quantities import lambda0_enclosure

    base = {"n": dataset.n, "d": dataset.d, "m": None, "delta": config.certify.delta,
            "eta": config.train.step_size}
    instance = InstanceData(dataset.X, dataset.y, params=dict(base))
    enc = lambda0_enclosure(instance)
    lam0 = float(enc.lo)
    if not lam0 > 0:
        raise BadInput("data", dataset.source,
                       "inputs whose H_inf is certified positive definite (lambda0 > 0 requires that no two "
                       f"inputs are parallel); the certified lower bound is {lam0!r}")
    H = instance.cache["H_inf"]
    H_mid = (np.asarray(H.lo, dtype=np.float64) + np.asarray(H.hi, dtype=np.float64)) / 2.0
    thm = get_theorem(GD_THEOREM)
    entry = evaluate_theorem(thm, instance, base)
    eta = config.train.step_size
    if eta == "auto":
        chosen = entry["parameters"].get("eta")
        if chosen is None:
            raise BadInput("train.step_size", "auto", "a positive number: the theorem's step could not be enclosed")
        eta = float(chosen)
    m_req = entry["parameters"].get("m")
    applies = {}
    for w in widths:
        if m_req is None or int(w) < int(m_req):
            applies[int(w)] = False  # below the width the theorem requires (as enclosed): not certified there
            continue
        at_w = evaluate_theorem(thm, instance, {**base, "m": int(w), "eta": float(eta)})
        applies[int(w)] = at_w["status"] == "certified"
    return {"lambda0": lam0, "lambda0_hi": float(enc.hi), "H_inf": H_mid, "step_size": float(eta),
            "theorem_width": float(m_req) if m_req is not None else None, "applies": applies,
            "theorem": GD_THEOREM}


def _bad_input_from_value_error(exc: ValueError, config):
    from certify.errors import BadInput

    arg, _, rest = str(exc).partition(":")
    field = FIELD_OF_ARGUMENT.get(arg.strip(), "empirical")
    section = getattr(config, "empirical", None)
    value = getattr(section, arg.strip(), None) if field.startswith("empirical.") else None
    return BadInput(field, value, rest.strip() or str(exc))


def _write_atomic(path, data: bytes) -> None:
    import os

    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def run_sweep_from_config(config_path, out, *, scheduler: str | None = None, resume: bool = False,
                          progress: bool = False) -> dict:
    """Python API behind `certify sweep`: returns the summary written to DIR/summary.json."""
    import json
    from pathlib import Path

    import numpy as np

    from certify.config import load_config
    from certify.data import load_dataset
    from certify.errors import BadInput

    config = load_config(config_path)
    emp = config.empirical
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInput("--out", str(out), "a directory path (it exists and is a file)")
    if resume and not (out / "runs.jsonl").exists():
        raise BadInput("--resume", str(out / "runs.jsonl"), "an existing runs.jsonl from an earlier sweep into --out")
    from numerics.empirical.device import resolve_device

    try:
        resolve_device(emp.device)  # before the (slower) theory: 'cuda' without a GPU is exit 2 at once
    except ValueError as exc:
        raise _bad_input_from_value_error(exc, config) from None
    dataset = load_dataset(config)
    from numerics.networks.float_forward import unit_rows

    X = unit_rows(dataset.X)
    theory = theory_inputs(config, dataset, emp.widths)

    from numerics.empirical.two_layer_experiments import run_two_layer_experiments

    client = None
    executor = None
    try:
        if scheduler:
            from numerics.empirical.sweep import executor_for_scheduler

            executor, client = executor_for_scheduler(scheduler)
        out.mkdir(parents=True, exist_ok=True)
        summary = run_two_layer_experiments(
            X, np.asarray(dataset.y, dtype=np.float64), lambda0=theory["lambda0"], step_size=theory["step_size"],
            widths=emp.widths, seeds=emp.seeds, steps=emp.steps, device=emp.device, dtype=emp.dtype,
            theorem_applies=lambda w: theory["applies"][int(w)], H_inf=theory["H_inf"], executor=executor,
            progress=progress, method=emp.method, batch_size=emp.batch_size, eps=emp.eps,
            theorem_width=theory["theorem_width"], runs_path=out / "runs.jsonl", resume=resume)
    except ValueError as exc:
        if isinstance(exc, BadInput):
            raise
        raise _bad_input_from_value_error(exc, config) from None
    finally:
        if client is not None:
            client.close()
    summary["theory"] = {
        "theorem": theory["theorem"], "lambda0_enclosure": [theory["lambda0"], theory["lambda0_hi"]],
        "lambda0_used": "lower endpoint of the certified enclosure", "H_inf": "midpoint of the verified enclosure (float)",
        "step_size": theory["step_size"], "theorem_width": theory["theorem_width"],
        "certified_at_width": {str(w): v for w, v in theory["applies"].items()},
    }
    summary["config"] = config.normalized()
    summary["data"] = {"source": dataset.source, "sha256": dataset.sha256, "n": dataset.n, "d": dataset.d}
    from certify.empirical_figures import empirical_figures

    figdir = out / "figures"
    figdir.mkdir(exist_ok=True)
    for name, png in empirical_figures(summary).items():
        _write_atomic(figdir / f"{name}.png", png)
    _write_atomic(out / "summary.json", (json.dumps(summary, indent=2, sort_keys=True, allow_nan=False) + "\n").encode())
    return summary


@click.command("sweep")
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(), help="output directory (runs.jsonl, summary.json, figures/)")
@click.option("--scheduler", default=None, metavar="ADDR", help="dask.distributed scheduler address, e.g. tcp://host:8786")
@click.option("--resume", is_flag=True, help="skip the runs already in DIR/runs.jsonl")
@click.option("--progress/--no-progress", default=True, help="progress bar with ETA (only on a terminal)")
def command(config_path, out, scheduler, resume, progress):
    """Run the empirical sweep of CONFIG's [empirical] section (evidence, not a verdict)."""
    try:
        summary = run_sweep_from_config(config_path, out, scheduler=scheduler, resume=resume, progress=progress)
    except KeyboardInterrupt:
        click.echo(f"interrupted: finished runs are saved in {out}/runs.jsonl; rerun with --resume", err=True)
        raise
    ms = summary["movement_slope"]
    est = "n/a" if ms["estimate"] is None else f"{ms['estimate']:.3f}"
    ci = "" if ms["lo"] is None else f" [{ms['lo']:.3f}, {ms['hi']:.3f}]"
    click.echo(f"{summary['runs']} runs on {summary['device']} ({summary['dtype']}); "
               f"movement exponent {est}{ci} (kernel regime: -0.5); "
               f"empirically sufficient width {summary['empirical_sufficient_width']['width']}")
    if summary["counterexample_flag"]:
        click.secho(summary["counterexample_flag"], fg="red", bold=True, err=True)
    click.echo(f"wrote {out}/runs.jsonl, {out}/summary.json, {out}/figures/")
