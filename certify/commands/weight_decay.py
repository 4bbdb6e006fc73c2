"""`certify weight-decay`: distance from the initialization against width, with and without decay (slide 28).

    certify weight-decay --widths 64,128,256,512,1024,2048 --weight-decay 1e-2 --out DIR

Trains the two-layer ReLU model of Du, Zhai, Poczos, Singh by gradient descent with and without weight
decay from the same initializations (numerics.empirical.weight_decay_movement) and fits the exponent of
the per-neuron distance ``|w_r(T) - w_r(0)|`` against the width with bootstrap intervals. Writes
DIR/weight_decay.json, DIR/weight_decay.png and DIR/report.md. Float evidence, never a verdict: exit 0
when it ran, 2 on bad input (nothing is written then).
"""

from __future__ import annotations

import click

from certify.commands.overspec import parse_widths
from certify.commands.overspec_sgd import bad_input_from
from certify.errors import BadInput

OPTION_OF_ARGUMENT = {
    "widths": "--widths", "n": "--n", "d": "--d", "seeds": "--seeds", "steps": "--steps",
    "weight_decay": "--weight-decay", "step_size": "--step-size", "device": "--device", "dtype": "--dtype",
}


def print_table(result: dict) -> None:
    cfg = result["config"]
    click.echo(f"distance from initialization vs width: {result['model']}")
    click.echo(f"n = {cfg['n']}, d = {cfg['d']}, {cfg['seeds']} seeds, {cfg['steps']} GD steps, eta = "
               f"{cfg['step_size']:.4g}, wd = {cfg['weight_decay']:g}; {result['dtype']} on {result['device']}; "
               f"{result['evidence']}")
    click.echo(f"{'observable':>20} {'slope (none)':>13} {'95% CI':>18} {'slope (decay)':>14} {'95% CI':>18}")
    for key in ("mean_neuron", "max_neuron", "relative_frobenius"):
        a, b = result["slopes"]["none"][key], result["slopes"]["decay"][key]
        ci = (lambda f: "-" if f["lo"] is None else f"[{f['lo']:.3f}, {f['hi']:.3f}]")
        click.echo(f"{key:>20} {a['estimate']:>13.3f} {ci(a):>18} {b['estimate']:>14.3f} {ci(b):>18}")


@click.command("weight-decay")
@click.option("--widths", "widths_text", default="64,128,256,512,1024,2048", show_default=True, help="Widths m.")
@click.option("--n", type=int, default=20, show_default=True, help="Training points (unit sphere).")
@click.option("--d", type=int, default=5, show_default=True, help="Input dimension.")
@click.option("--seeds", type=int, default=5, show_default=True, help="Initializations per width.")
@click.option("--steps", type=int, default=2000, show_default=True, help="Gradient-descent steps.")
@click.option("--weight-decay", type=float, default=1e-2, show_default=True, help="Decay coefficient wd > 0.")
@click.option("--step-size", type=float, default=None, help="eta [default 1 / lambda_max(H_inf), float].")
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.option("--dtype", default="float64", show_default=True, help="float64 or float32.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the data.")
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True, help="Output directory.")
def command(widths_text, n, d, seeds, steps, weight_decay, step_size, device, dtype, seed, out) -> None:
    """Distance from the initialization with and without weight decay, slide 28 (float evidence)."""
    from pathlib import Path

    from certify.commands.overspec_sgd import _validate

    widths = parse_widths(widths_text)
    if len(widths) < 2:
        raise BadInput("--widths", widths_text, "allowed: at least two widths (a slope needs two)")
    _validate("1", device, dtype)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInput("--out", str(out), "allowed: a directory path (it exists and is a file)")
    from numerics.empirical.weight_decay_movement import run_weight_decay_movement

    try:
        result = run_weight_decay_movement(widths=widths, n=n, d=d, seeds=seeds, steps=steps,
                                           weight_decay=weight_decay, step_size=step_size, device=device,
                                           dtype=dtype, data_seed=seed)
    except ValueError as exc:
        bad = bad_input_from(exc, OPTION_OF_ARGUMENT)
        if bad is None:
            raise
        raise bad from None
    from certify.commands.overspec import write_evidence
    from certify.teacher_student_figures import weight_decay_markdown, weight_decay_png

    write_evidence(out, "weight_decay", result, weight_decay_png(result), weight_decay_markdown)
    print_table(result)
    click.echo(f"wrote {out}/weight_decay.json, weight_decay.png, report.md")
