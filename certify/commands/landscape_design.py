"""`certify landscape-design`: plain squared loss against Ge-Lee-Ma's designed objective G (slide 18).

    certify landscape-design --d 50 --starts 10 --out DIR
    certify landscape-design --estimator samples --d 10 --batch 4096 --out DIR

Runs both objectives from the same random starts on the model of Ge, Lee, Ma (ICLR 2018,
arXiv:1711.00501, Sec. 4: ``B* = Id``, ``a* = 1``, ReLU, no noise, student of the same width) and
reports, side by side, how many starts recover ``B*`` (parameter error ``e(Q) <= --tol``, eq. 4.1) with
Clopper-Pearson intervals (numerics.empirical.landscape_design). Writes DIR/landscape_design.json,
DIR/landscape_design.png and DIR/report.md. Float evidence, never a verdict: exit 0 when it ran, 2 on
bad input (nothing is written then).
"""

from __future__ import annotations

import click

from certify.commands.overspec_sgd import bad_input_from
from certify.errors import BadInput

OPTION_OF_ARGUMENT = {
    "d": "--d", "starts": "--starts", "steps": "--steps", "batch": "--batch", "estimator": "--estimator",
    "lr_plain": "--lr-plain", "lr_designed": "--lr-designed", "tol": "--tol", "mu": "--mu", "lam": "--lam",
    "ground_truth": "--ground-truth", "device": "--device", "dtype": "--dtype",
}


def print_table(result: dict) -> None:
    cfg = result["config"]
    click.echo(f"landscape design: {result['source']}")
    click.echo(f"d = m = {cfg['d']}, {cfg['starts']} random starts, {cfg['steps']} steps of {cfg['optimizer']}, "
               f"mu = {cfg['mu']:g}, lambda = {cfg['lambda']:g}; {result['dtype']} on {result['device']}; "
               f"{result['evidence']}")
    click.echo(f"success = {result['success_definition']}")
    click.echo(f"{'objective':>10} {'success':>8} {'95% CI':>14} {'seconds':>8}")
    for o in result["objectives"]:
        lo, hi = o["success_interval"]
        click.echo(f"{o['objective']:>10} {o['successes']:>3}/{o['trials']:<4} [{lo:.2f}, {hi:.2f}] {o['seconds']:>8.1f}")


@click.command("landscape-design")
@click.option("--d", type=int, default=50, show_default=True, help="Dimension d = width m.")
@click.option("--starts", type=int, default=10, show_default=True, help="Random starts per objective.")
@click.option("--steps", type=int, default=10_000, show_default=True, help="Gradient steps.")
@click.option("--estimator", default="population", show_default=True,
              help="population (exact closed forms) or samples (SGD, fresh inputs).")
@click.option("--batch", type=int, default=256, show_default=True, help="Inputs per step with --estimator samples.")
@click.option("--lr-plain", type=float, default=0.05, show_default=True, help="Step size, plain loss.")
@click.option("--lr-designed", type=float, default=0.1, show_default=True, help="Step size, designed G.")
@click.option("--mu", type=float, default=0.01, show_default=True, help="mu of G (Thm 2.3: mu <= c / kappa*).")
@click.option("--lam", type=float, default=1.0, show_default=True, help="lambda of G (norm penalty).")
@click.option("--tol", type=float, default=0.05, show_default=True, help="Success: e(Q) <= tol.")
@click.option("--ground-truth", "ground", default="identity", show_default=True, help="identity or rotation.")
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.option("--dtype", default="float64", show_default=True, help="float64 or float32.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the starts and the samples.")
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True, help="Output directory.")
def command(d, starts, steps, estimator, batch, lr_plain, lr_designed, mu, lam, tol, ground, device, dtype, seed,
            out) -> None:
    """Plain loss vs the designed loss G of Ge-Lee-Ma, slide 18 (float evidence, never a verdict)."""
    from pathlib import Path

    from certify.commands.overspec_sgd import _validate

    _validate("1", device, dtype)
    if ground not in ("identity", "rotation"):
        raise BadInput("--ground-truth", ground, "allowed: identity or rotation")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInput("--out", str(out), "allowed: a directory path (it exists and is a file)")
    from numerics.empirical.landscape_design import run_landscape_design

    try:
        result = run_landscape_design(d=d, starts=starts, steps=steps, estimator=estimator, lr_plain=lr_plain,
                                      lr_designed=lr_designed, mu=mu, lam=lam, batch=batch, tol=tol, ground=ground,
                                      device=device, dtype=dtype, seed=seed)
    except ValueError as exc:
        bad = bad_input_from(exc, OPTION_OF_ARGUMENT)
        if bad is None:
            raise
        raise bad from None
    from certify.commands.overspec import write_evidence
    from certify.teacher_student_figures import landscape_design_markdown, landscape_design_png

    write_evidence(out, "landscape_design", result, landscape_design_png(result), landscape_design_markdown)
    print_table(result)
    click.echo(f"wrote {out}/landscape_design.json, landscape_design.png, report.md")
