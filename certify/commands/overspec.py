"""`certify overspec`: the over-specification experiment (teacher-student, our setup, not the paper's).

    certify overspec --teacher-width 50 --widths 50,100 --seeds 10 --steps 1500 --dtype float32 --out out/

Trains ``--seeds`` students of each width in ``--widths`` on data labelled by a random two-layer ReLU
teacher of width ``--teacher-width`` (numerics.empirical.overspecification; the setup of Livni,
Shalev-Shwartz, Shamir 2014 is NOT VERIFIED, so this is our setup, not the paper's) and writes
DIR/overspec.json and DIR/overspec.png (relative training loss against steps per width: median and the
10-90% band). Prints a per-width table. Everything is float evidence, never a verdict: exit 0 when the
experiment ran, 2 on bad input (nothing is written then). The command above took about 7 minutes on a
2-core CPU (benchmarks/bench_overspec.py); float64, the default, takes about twice as long.

Module-level imports stay light (click only); torch and matplotlib are imported when the command runs.
"""

from __future__ import annotations

import math

import click

from certify.errors import BadInput

# argument names of numerics.empirical.overspecification -> the options they come from
OPTION_OF_ARGUMENT = {
    "teacher_width": "--teacher-width", "widths": "--widths", "width": "--widths", "d": "--d", "n": "--n",
    "n_test": "--n-test", "seeds": "--seeds", "steps": "--steps", "lr": "--lr", "tol": "--tol",
    "device": "--device", "dtype": "--dtype", "optimizer": "--optimizer", "lr_schedule": "--lr-schedule",
}


def parse_widths(text: str) -> list[int]:
    """``"50,100"`` -> ``[50, 100]``; BadInput naming ``--widths`` unless every entry is a positive integer."""
    allowed = "allowed: a comma-separated, non-empty list of positive integers such as '50,100'"
    parts = [p.strip() for p in str(text).split(",")]
    if not parts or all(p == "" for p in parts):
        raise BadInput("--widths", text, allowed)
    out = []
    for p in parts:
        if not p.isdigit() or int(p) < 1:
            raise BadInput("--widths", text, f"{allowed} (entry {p!r} is not)")
        out.append(int(p))
    return out


def _validate(teacher_width, widths_text, d, n, n_test, seeds, steps, lr, tol, device, dtype, optimizer,
              lr_schedule):
    from numerics.empirical.device import DEVICES, DTYPES
    from numerics.empirical.overspecification import LR_SCHEDULES, OPTIMIZERS

    widths = parse_widths(widths_text)
    for name, value in (("--teacher-width", teacher_width), ("--d", d), ("--n", n), ("--n-test", n_test),
                        ("--seeds", seeds)):
        if value < 1:
            raise BadInput(name, value, "allowed: a positive integer")
    if steps < 0:
        raise BadInput("--steps", steps, "allowed: an integer >= 0")
    if not (lr > 0 and math.isfinite(lr)):
        raise BadInput("--lr", lr, "allowed: a positive finite number")
    if not (tol > 0 and math.isfinite(tol)):
        raise BadInput("--tol", tol, "allowed: a positive finite number (relative to the teacher's output variance)")
    if device not in DEVICES:
        raise BadInput("--device", device, f"allowed: one of {', '.join(DEVICES)}")
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise BadInput("--device", device, "allowed: auto or cpu (no CUDA GPU is available to torch)")
    if dtype not in DTYPES:
        raise BadInput("--dtype", dtype, f"allowed: one of {', '.join(DTYPES)}")
    if optimizer not in OPTIMIZERS:
        raise BadInput("--optimizer", optimizer, f"allowed: one of {', '.join(OPTIMIZERS)}")
    if lr_schedule not in LR_SCHEDULES:
        raise BadInput("--lr-schedule", lr_schedule, f"allowed: one of {', '.join(LR_SCHEDULES)}")
    return widths


def overspec_figure(result: dict) -> bytes:
    """PNG bytes: relative training loss against steps, per width, median and 10-90% band (log axes)."""
    from certify.empirical_figures import STYLE, _plt, _png

    plt = _plt()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        for entry in result["per_width"]:
            c = entry["curve"]
            pts = [(k + 1, m, lo, hi) for k, m, lo, hi in zip(c["steps"], c["median"], c["q10"], c["q90"])
                   if m is not None and lo is not None and hi is not None and min(m, lo, hi) > 0]
            if not pts:
                continue
            ks, med, lo, hi = (list(t) for t in zip(*pts))
            label = f"width {entry['width']}" + (" (over-specified)" if entry["overspecified"] else "")
            (line,) = ax.plot(ks, med, label=label)
            ax.fill_between(ks, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
        tol = result["config"]["tol"]
        ax.axhline(tol, color="grey", linestyle="--", linewidth=1, label=f"tol = {tol:g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("step + 1")
        ax.set_ylabel("training MSE / var(teacher output)")
        cfg = result["config"]
        ax.set_title(f"teacher width {cfg['teacher_width']}, d={cfg['d']}, n={cfg['n']}, {cfg['optimizer']}, "
                     f"{cfg['seeds']} seeds\n(our setup, not the paper's; median and 10-90% band; float evidence)",
                     fontsize=8)
        ax.legend(fontsize=8)
        return _png(fig)


def write_evidence(out, stem: str, result: dict, png: bytes, markdown) -> None:
    """OUT/STEM.json, OUT/STEM.png and OUT/report.md (``markdown(result, png_name)``), each
    written atomically: the outputs of the float-evidence experiment verbs."""
    from certify.certificate import write_json_atomic

    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / f"{stem}.json", result)
    _write_atomic(out / f"{stem}.png", png)
    _write_atomic(out / "report.md", markdown(result, f"{stem}.png").encode())


def _write_atomic(path, data: bytes) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _g(v) -> str:
    return "-" if v is None else f"{v:.3g}"


def print_table(result: dict) -> None:
    cfg = result["config"]
    click.echo(f"over-specification: {result['setup']}")
    click.echo(f"teacher width {cfg['teacher_width']}, d = {cfg['d']}, n = {cfg['n']} (test {cfg['n_test']}), "
               f"{cfg['seeds']} seeds, {cfg['steps']} steps of {cfg['optimizer_detail']}, lr = {cfg['lr']:g} "
               f"({cfg['lr_schedule']}), "
               f"{result['dtype']} on {result['device']}")
    click.echo(f"relative loss = MSE / var(teacher output); success = relative train loss <= {cfg['tol']:g}; "
               f"{result['evidence']}")
    click.echo(f"{'width':>6} {'median train':>13} {'q10':>9} {'q90':>9} {'median test':>12} "
               f"{'success':>8} {'95% CI':>15} {'seconds':>8}")
    for e in result["per_width"]:
        tr, te = e["final_train"], e["test"]
        lo, hi = e["success_interval"]
        click.echo(f"{e['width']:>6} {_g(tr['median']):>13} {_g(tr['quantiles']['0.1']):>9} "
                   f"{_g(tr['quantiles']['0.9']):>9} {_g(te['median']):>12} "
                   f"{e['successes']:>3}/{e['trials']:<4} [{lo:.2f}, {hi:.2f}]{'':>2} {e['seconds']:>8.1f}")


@click.command("overspec")
@click.option("--teacher-width", type=int, default=50, show_default=True, help="Width k0 of the teacher.")
@click.option("--widths", "widths_text", default="50,100", show_default=True,
              help="Student widths, comma-separated.")
@click.option("--d", type=int, default=50, show_default=True, help="Input dimension.")
@click.option("--n", type=int, default=10_000, show_default=True, help="Training samples.")
@click.option("--n-test", type=int, default=2_000, show_default=True, help="Held-out samples.")
@click.option("--seeds", type=int, default=10, show_default=True, help="Students (random initialisations) per width.")
@click.option("--steps", type=int, default=1_500, show_default=True, help="Full-batch optimizer steps.")
@click.option("--lr", type=float, default=1e-2, show_default=True, help="(Initial) learning rate.")
@click.option("--lr-schedule", default="cosine", show_default=True,
              help="cosine (anneal lr to 0 over the steps) or constant.")
@click.option("--optimizer", default="adam", show_default=True, help="adam (full batch) or gd.")
@click.option("--tol", type=float, default=1e-3, show_default=True,
              help="Success threshold on the relative training loss MSE / var(teacher output).")
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.option("--dtype", default="float64", show_default=True, help="float64 or float32.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the teacher, the data and the students.")
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True,
              help="Directory for overspec.json and overspec.png.")
def command(teacher_width, widths_text, d, n, n_test, seeds, steps, lr, lr_schedule, optimizer, tol, device,
            dtype, seed, out) -> None:
    """Over-specification experiment: students wider than the teacher vs of its width (float evidence)."""
    from pathlib import Path

    widths = _validate(teacher_width, widths_text, d, n, n_test, seeds, steps, lr, tol, device, dtype, optimizer,
                       lr_schedule)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInput("--out", str(out), "allowed: a directory path (it exists and is a file)")
    from numerics.empirical.overspecification import run_overspecification

    try:
        result = run_overspecification(teacher_width=teacher_width, widths=widths, d=d, n=n, n_test=n_test,
                                       seeds=seeds, steps=steps, lr=lr, optimizer=optimizer,
                                       lr_schedule=lr_schedule, tol=tol,
                                       device=device, dtype=dtype, seed=seed)
    except ValueError as exc:
        arg, _, rest = str(exc).partition(":")
        option = OPTION_OF_ARGUMENT.get(arg.strip())
        if option is None:
            raise
        got, _, allowed = rest.strip().partition("; ")
        raise BadInput(option, got.removeprefix("got ").strip(), allowed or str(exc)) from None
    png = overspec_figure(result)
    from certify.certificate import write_json_atomic

    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "overspec.json", result)
    _write_atomic(out / "overspec.png", png)
    print_table(result)
    click.echo(f"wrote {out}/overspec.json, {out}/overspec.png")
