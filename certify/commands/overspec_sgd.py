"""`certify overspec-sgd`: slide 19's over-specification experiment with mini-batch SGD (float evidence).

    certify overspec-sgd --out DIR                 # CPU default budget: widths 50,100; 10^4 iterations
    certify overspec-sgd --full --out DIR          # the slide's setting: widths 50,100,200; 5 x 10^4
    certify overspec-sgd --full --stalled-dir S --critical --out DIR

Teacher of ``--teacher-width`` ReLU neurons, ``--seeds`` students of every width in ``--widths``,
mini-batch SGD (numerics.empirical.overspecification_sgd; the setup of Livni, Shalev-Shwartz, Shamir
2014 is NOT VERIFIED, every choice the slide leaves open is recorded). Writes DIR/overspec_sgd.json,
DIR/overspec_sgd.png (one panel per width: every student's training objective against the iteration)
and DIR/report.md; the students that did not reach ``--tol`` go to ``--stalled-dir`` (default
DIR/stalled) as .npz files for the critical-point certificate of issue 18. ``--critical`` runs
``certify critical`` on each of them (``--inputs stored``, the student rescaled to the toolkit's
``m^{-1/2}`` parametrization) and records each answer. ``--full`` sets ``--steps 50000 --widths 50,100,200`` unless those are given.
Exit 0 when the experiment ran, 2 on bad input (nothing is written then).
"""

from __future__ import annotations

import click

from certify.commands.overspec import parse_widths
from certify.errors import BadInput

OPTION_OF_ARGUMENT = {
    "teacher": "--teacher", "teacher_width": "--teacher-width", "widths": "--widths", "d": "--d", "n": "--n",
    "n_eval": "--n-eval", "seeds": "--seeds", "steps": "--steps", "batch": "--batch", "lr": "--lr",
    "momentum": "--momentum", "schedule": "--schedule", "tol": "--tol", "device": "--device",
    "dtype": "--dtype",
}
FULL_STEPS, FULL_WIDTHS = 50_000, "50,100,200"
DEFAULT_STEPS, DEFAULT_WIDTHS = 10_000, "50,100"


def bad_input_from(exc: ValueError, options: dict) -> BadInput | None:
    """A numerics ``ValueError("name: got V; allowed: ...")`` as a BadInput naming the CLI option."""
    arg, _, rest = str(exc).partition(":")
    option = options.get(arg.strip())
    if option is None:
        return None
    got, _, allowed = rest.strip().partition("; ")
    return BadInput(option, got.removeprefix("got ").strip(), allowed or str(exc))


def toolkit_weights(stalled_file, out_file, width: int):
    """The stalled student ``f = sum_r a_r relu(w_r . x)`` in the toolkit's two-layer
    parametrization ``u = m^{-1/2} sum_r a'_r relu(w_r . x)``: ``a' = sqrt(m) a`` (rounded to
    float; the certificate is about the written point), written atomically to ``out_file``."""
    import math
    import os

    import numpy as np

    with np.load(stalled_file, allow_pickle=False) as npz:
        W, a = np.asarray(npz["W"], dtype=np.float64), np.asarray(npz["a"], dtype=np.float64)
    tmp = out_file.with_name(f".{out_file.name}.tmp.npz")
    np.savez(tmp, W=W, a=a * math.sqrt(width))
    os.replace(tmp, out_file)
    return out_file


def critical_point_hook(manifest: dict, directory) -> list[dict]:
    """Run ``certify critical`` (issue 18) on every stalled student, when the verb exists.

    For each file of the manifest: the student in the toolkit's parametrization
    (:func:`toolkit_weights`, DIR/critical/NAME-point.npz), then ``certify critical
    DIR/critical-k{k}.toml --weights THAT --inputs stored --out DIR/critical/NAME``; the
    configuration names ``data.npz`` and a two-layer ReLU model of width ``k`` whose output layer
    is trained; the loss is on the stored (raw) inputs, as the students were trained. Returns one
    ``{file, status, critical_point}`` per student; where the verb is not registered every status
    says so and nothing is run.
    """
    import json
    from pathlib import Path

    from certify.cli import cli

    directory = Path(directory)
    if "critical" not in cli.commands:
        return [{"file": e["file"], "status": "not run: `certify critical` (issue 18) is not in this build"}
                for e in manifest["stalled"]]
    out = []
    (directory / "critical").mkdir(exist_ok=True)
    for e in manifest["stalled"]:
        config = directory / f"critical-k{e['width']}.toml"
        if not config.exists():
            config.write_text(f'[data]\npath = "data.npz"\n\n[model]\nkind = "two-layer-relu"\nwidth = {e["width"]}\n'
                              "train_output = true\n")
        name = e["file"].removesuffix(".npz")
        point = toolkit_weights(directory / e["file"], directory / "critical" / f"{name}-point.npz", e["width"])
        target = directory / "critical" / name
        args = ["critical", str(config), "--weights", str(point), "--inputs", "stored", "--out", str(target)]
        status, answer = "ran", None
        try:
            cli.main(args, standalone_mode=False)
        except SystemExit as exc:
            status = f"exit {exc.code}"
        except Exception as exc:  # noqa: BLE001 - the hook reports, it does not fail the experiment
            status = f"failed: {exc}"
        if (target / "critical_point.json").is_file():
            answer = json.loads((target / "critical_point.json").read_text())["critical_point"]["status"]
        out.append({"file": e["file"], "status": status, "critical_point": answer})
    return out


def _validate(widths_text, device, dtype):
    from numerics.empirical.device import DEVICES, DTYPES

    widths = parse_widths(widths_text)
    if device not in DEVICES:
        raise BadInput("--device", device, f"allowed: one of {', '.join(DEVICES)}")
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise BadInput("--device", device, "allowed: auto or cpu (no CUDA GPU is available to torch)")
    if dtype not in DTYPES:
        raise BadInput("--dtype", dtype, f"allowed: one of {', '.join(DTYPES)}")
    return widths


def print_table(result: dict) -> None:
    cfg = result["config"]
    click.echo(f"over-specification, SGD: {result['setup']}")
    click.echo(f"{cfg['teacher']} teacher k0 = {cfg['teacher_width']}, d = {cfg['d']}, n = {cfg['n']}, batch "
               f"{cfg['batch']}, {cfg['steps']} iterations, lr {cfg['lr']:g}, momentum {cfg['momentum']:g}, "
               f"{cfg['schedule']} schedule; {result['dtype']} on {result['device']}; {result['evidence']}")
    click.echo(f"success = {result['success_definition']}")
    click.echo(f"{'width':>6} {'median':>10} {'q10':>10} {'q90':>10} {'success':>8} {'95% CI':>14} {'seconds':>8}")
    for e in result["per_width"]:
        f = e["final"]
        lo, hi = e["success_interval"]
        g = (lambda v: "-" if v is None else f"{v:.3g}")
        click.echo(f"{e['width']:>6} {g(f['median']):>10} {g(f['quantiles']['0.1']):>10} "
                   f"{g(f['quantiles']['0.9']):>10} {e['successes']:>3}/{e['trials']:<4} [{lo:.2f}, {hi:.2f}] "
                   f"{e['seconds']:>8.1f}")


@click.command("overspec-sgd")
@click.option("--full", is_flag=True, help=f"The slide's setting: --steps {FULL_STEPS} --widths {FULL_WIDTHS}.")
@click.option("--teacher", default="gaussian", show_default=True, help="gaussian or orthonormal (Ge-Lee-Ma).")
@click.option("--teacher-width", type=int, default=50, show_default=True, help="Teacher width k0.")
@click.option("--widths", "widths_text", default=None, help=f"Student widths [default {DEFAULT_WIDTHS}].")
@click.option("--d", type=int, default=50, show_default=True, help="Input dimension.")
@click.option("--n", type=int, default=10_000, show_default=True, help="Training set size; 0 = fresh inputs.")
@click.option("--n-eval", type=int, default=10_000, show_default=True, help="Evaluation inputs when --n 0.")
@click.option("--seeds", type=int, default=10, show_default=True, help="Students per width.")
@click.option("--steps", type=int, default=None, help=f"SGD iterations [default {DEFAULT_STEPS}].")
@click.option("--batch", type=int, default=64, show_default=True, help="Mini-batch size.")
@click.option("--lr", type=float, default=0.08, show_default=True, help="Initial step size.")
@click.option("--momentum", type=float, default=0.9, show_default=True, help="Heavy-ball momentum in [0, 1).")
@click.option("--schedule", default="step", show_default=True, help="step (factor-4 decays) or constant.")
@click.option("--tol", type=float, default=1e-3, show_default=True, help="Success: final MSE / var(y) <= tol.")
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.option("--dtype", default="float32", show_default=True, help="float32 or float64.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of teacher, data and students.")
@click.option("--stalled-dir", type=click.Path(file_okay=False), default=None,
              help="Where stalled students go [default OUT/stalled].")
@click.option("--critical", is_flag=True, help="Run `certify critical` (issue 18) on every stalled student.")
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True, help="Output directory.")
def command(full, teacher, teacher_width, widths_text, d, n, n_eval, seeds, steps, batch, lr, momentum, schedule,
            tol, device, dtype, seed, stalled_dir, critical, out) -> None:
    """Over-specification with mini-batch SGD, slide 19 (float evidence, never a verdict)."""
    from pathlib import Path

    widths_text = widths_text if widths_text is not None else (FULL_WIDTHS if full else DEFAULT_WIDTHS)
    steps = steps if steps is not None else (FULL_STEPS if full else DEFAULT_STEPS)
    widths = _validate(widths_text, device, dtype)
    out = Path(out)
    stalled_path = Path(stalled_dir) if stalled_dir else out / "stalled"
    for opt, p in (("--out", out), ("--stalled-dir", stalled_path)):
        if p.exists() and not p.is_dir():
            raise BadInput(opt, str(p), "allowed: a directory path (it exists and is a file)")
    from numerics.empirical.overspecification_sgd import run_overspecification_sgd, save_stalled

    try:
        result, arrays = run_overspecification_sgd(
            teacher=teacher, teacher_width=teacher_width, widths=widths, d=d, n=n, n_eval=n_eval, seeds=seeds,
            steps=steps, batch=batch, lr=lr, momentum=momentum, schedule=schedule, tol=tol, device=device,
            dtype=dtype, seed=seed)
    except ValueError as exc:
        bad = bad_input_from(exc, OPTION_OF_ARGUMENT)
        if bad is None:
            raise
        raise bad from None
    from certify.certificate import write_json_atomic
    from certify.commands.overspec import _write_atomic
    from certify.teacher_student_figures import overspec_sgd_markdown, overspec_sgd_png

    png = overspec_sgd_png(result)
    out.mkdir(parents=True, exist_ok=True)
    manifest = save_stalled(result, arrays, stalled_path)
    hook = critical_point_hook(manifest, stalled_path) if critical else None
    result["stalled"] = {"directory": str(stalled_path), "count": len(manifest["stalled"]),
                         "format": manifest["format"], "critical_point_certificate": hook}
    write_json_atomic(out / "overspec_sgd.json", result)
    _write_atomic(out / "overspec_sgd.png", png)
    _write_atomic(out / "report.md", overspec_sgd_markdown(result, "overspec_sgd.png", manifest, hook).encode())
    print_table(result)
    click.echo(f"stalled students: {len(manifest['stalled'])} written to {stalled_path} (stalled.json)")
    if hook is not None:
        click.echo(f"certify critical: {hook[0]['status'] if hook else 'no stalled student'}")
    click.echo(f"wrote {out}/overspec_sgd.json, overspec_sgd.png, report.md")
