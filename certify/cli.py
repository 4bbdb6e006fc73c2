"""The `certify` command line.

Exit codes: 0 certified, 1 not certified (a hypothesis fails or is undecided, or a
check found a mismatch), 2 bad input (the message names the field, the value and what is
allowed), 3 internal error. Module-level imports stay light; each verb imports what it needs.
"""

from __future__ import annotations

import importlib
import sys

import click

from certify.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_NOT_CERTIFIED, BadInput, NoInterpolation

# verbs contributed by later work: each module defines a click command named `command`
COMMAND_MODULES = (
    "certify.commands.sweep",
    "certify.commands.subgradient",
    "certify.commands.saddle",
    "certify.commands.widths",
    "certify.commands.instance",
    "certify.commands.audit",
    "certify.commands.diff",
    "certify.commands.schema",
    "certify.commands.overspec",
    "certify.commands.landscape",
    "certify.commands.overspec_sgd",
    "certify.commands.landscape_design",
    "certify.commands.weight_decay",
    "certify.commands.critical",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dl-certify")
def cli() -> None:
    """Check deep-learning optimization theorems on a concrete configuration."""


@cli.command("theorems")
def theorems_cmd() -> None:
    """List the theorems dl-certify knows, with their stable ids."""
    from proofs.registry import all_theorems

    for thm in all_theorems():
        click.echo(f"{thm.id:34s} {thm.title}  [{thm.citation.arxiv} {thm.citation.result}]")


@cli.command("explain")
@click.argument("theorem_id")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "html"]), default="text",
              help="text (terminal), md or html (a proof-check report).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write to this file instead of stdout.")
def explain_cmd(theorem_id: str, fmt: str, out: str | None) -> None:
    """Show a theorem's statement, hypotheses, constants and every derivation step with its check."""
    from certify.report import proof_check, render_explain_html, render_explain_markdown, write_or_echo
    from proofs.registry import get_theorem, theorem_ids

    try:
        thm = get_theorem(theorem_id)
    except KeyError:
        raise BadInput("THEOREM_ID", theorem_id, f"one of: {', '.join(theorem_ids())}") from None
    checks = [[st["result"] for st in c["steps"]] for c in proof_check(thm.id)["constants"]]
    render = render_explain_html if fmt == "html" else render_explain_markdown
    write_or_echo(render(thm.statement_dict(), checks), out)



@cli.command("run")
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True,
              help="Directory for certificate.json, report.md and report.html.")
@click.option("--no-empirical", is_flag=True, help="Skip the [empirical] section even if enabled.")
def run_cmd(config_path: str, out: str, no_empirical: bool) -> None:
    """Certify the configuration in CONFIG (TOML); exit 0 when every theorem is certified."""
    from certify.config import load_config
    from certify.data import load_dataset
    from certify.pipeline import evaluate_config, final_arrays, write_outputs
    from certify.certificate import seal
    from certify.fp_environment import checked_environment

    checked_environment()   # before the data are read and checked
    config = load_config(config_path)
    dataset = load_dataset(config)
    cert = seal(evaluate_config(config, dataset, empirical=not no_empirical, progress=sys.stderr.isatty()))
    write_outputs(cert, out, final_arrays(config, dataset))
    _print_summary(cert)
    click.echo(f"wrote {out}/certificate.json, {out}/report.md, {out}/report.html")
    sys.exit(0 if cert["verdict"] == "certified" else 1)


def _print_summary(cert: dict) -> None:
    click.echo(f"verdict: {cert['verdict']}")
    for t in cert["theorems"]:
        click.echo(f"  {t['id']}: {t['status']}")
        for h in t["hypotheses"]:
            mark = {"holds": "+", "fails": "x", "undecided": "?"}[h["verdict"]]
            msg = f" ({h['message']})" if h.get("message") else ""
            click.echo(f"    [{mark}] {h['id']}: {h['verdict']}{msg}")
        for name, q in t.get("quantities", {}).items():
            click.echo(f"    {name} in [{q['lo']}, {q['hi']}]")
        for name, c in t.get("constants", {}).items():
            hi = c.get("hi")
            if hi is not None and float(hi) != float("inf"):
                click.echo(f"    {name} <= {float(hi):.6g}")
            elif hi is not None:
                click.echo(f"    {name}: not enclosed (an input has no finite enclosure)")
        for k, v in t.get("parameters", {}).items():
            if k in ("m", "eta"):
                click.echo(f"    {k} = {v}")


@cli.command("check")
@click.argument("cert_path", metavar="CERT", type=click.Path(dir_okay=False))
@click.option("--independent", is_flag=True,
              help="Replay the two-layer claims in the small independent checker (docs/independent_checker.md) "
                   "instead of recomputing with dl-certify's own numerics.")
def check_cmd(cert_path: str, independent: bool) -> None:
    """Re-prove CERT: recompute every verdict and compare every recorded enclosure; exit 1 on a
    false or unproved claim, a tampered field or an unknown key."""
    from pathlib import Path

    from certify.certificate import CHECKERS, checker_for, load_certificate

    cert = load_certificate(cert_path, schemas=tuple(CHECKERS))
    _note_other_version(cert)
    directory = Path(cert_path).resolve().parent
    if independent:
        _independent_check(cert, directory)
        return
    agreement = checker_for(cert)(cert, directory)
    for note in agreement.notes:
        click.echo(f"note: {note}", err=True)
    if agreement.unchecked:
        click.echo("not recomputed (the producer's records and float evidence): "
                   + ", ".join(agreement.unchecked), err=True)
    if agreement.problems:
        click.echo("certificate check FAILED:", err=True)
        for p in agreement.truncated_problems():
            click.echo(f"  - {p}", err=True)
        sys.exit(1)
    click.echo(f"certificate check passed: every verdict re-proved and every enclosure consistent with the "
               f"recomputation ({cert['schema']}{', ' + cert['kind'] if 'kind' in cert else ''})")


def _note_other_version(cert: dict) -> None:
    """Say so when another dl-certify version wrote CERT (a field it added or changed is then
    reported as a mismatch below, and the fix is to check it with that version)."""
    from certify.certificate import tool_version

    tool = cert.get("tool")
    produced = tool.get("version") if isinstance(tool, dict) else None
    if produced != tool_version():
        click.echo(f"note: CERT.tool.version is {produced!r}; this is dl-certify {tool_version()}. A field "
                   "that version added or changed is reported as a mismatch below; check it with that "
                   "version if so", err=True)


def _independent_check(cert: dict, directory) -> None:
    from certify.independent.replay import ReplayError, replay_certificate

    try:
        result = replay_certificate(cert, directory)
    except ReplayError as exc:
        raise BadInput(exc.field, exc.value, exc.allowed) from None
    for line in result.lines():
        click.echo(line)
    if not result.ok:
        click.echo("independent check FAILED", err=True)
        sys.exit(1)
    click.echo(f"independent check passed: {len(result.claims)} claims replayed")


@cli.command("report")
@click.argument("cert_path", metavar="CERT", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), default="html", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Output file (default: stdout).")
def report_cmd(cert_path: str, fmt: str, out: str | None) -> None:
    """Render CERT as a Markdown or self-contained HTML proof-check report."""
    from certify.certificate import CHECKERS, SCHEMA_ID, load_certificate
    from certify.report import render_html, render_markdown, write_or_echo

    cert = load_certificate(cert_path, schemas=tuple(CHECKERS))
    if cert["schema"] == SCHEMA_ID:
        from certify.schema import require_valid_certificate

        cert = require_valid_certificate(cert, cert_path)
        write_or_echo(render_html(cert) if fmt == "html" else render_markdown(cert), out)
    elif cert["schema"] == "dl-certify/critical-point/1":
        from pathlib import Path

        from certify.critical_report import figures_beside, render_html as critical_html, render_markdown as critical_md
        from certify.critical_report import require_report_fields

        require_report_fields(cert)
        directory = Path(cert_path).resolve().parent
        write_or_echo(critical_html(cert, directory) if fmt == "html" else critical_md(cert, figures_beside(directory)),
                      out)
    elif cert["schema"] == "dl-certify/landscape-certificate/1":
        from certify.landscape_report import render_landscape_html, render_landscape_markdown

        write_or_echo(render_landscape_html(cert) if fmt == "html" else render_landscape_markdown(cert), out)
    else:
        from certify.saddle_report import render_saddle_html, render_saddle_markdown

        write_or_echo(render_saddle_html(cert) if fmt == "html" else render_saddle_markdown(cert), out)


def _register_contributed_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that verb is not part of this build
            raise
        cli.add_command(module.command)


_register_contributed_commands()


def main(argv=None) -> None:
    """Entry point: map BadInput to exit 2, NoInterpolation to exit 1 and unexpected errors to exit 3."""
    try:
        cli.main(args=argv, prog_name="certify", standalone_mode=False)
    except BadInput as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except NoInterpolation as exc:
        click.echo(f"not certified: {exc}", err=True)
        sys.exit(EXIT_NOT_CERTIFIED)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_INTERNAL)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":  # pragma: no cover
    main()
