"""`certify schema [--validate CERT ...]`: the certificate's JSON Schema, or a validation against it.

Without options it prints certificate.schema.json (JSON Schema 2020-12). With `--validate` it
checks each file against the schema and the consistency rules of `certify.schema`; exit 0 when
all are valid, 1 when one is not (each problem printed), 2 when a file is unreadable, not JSON
or not a dl-certify certificate.
"""

from __future__ import annotations

import click


@click.command("schema")
@click.option("--validate", "paths", multiple=True, type=click.Path(dir_okay=False), metavar="CERT",
              help="Validate this certificate instead of printing the schema (repeatable).")
def command(paths: tuple[str, ...]) -> None:
    """Print the certificate's JSON Schema, or validate certificates against it."""
    import sys

    from certify.certificate import load_certificate
    from certify.schema import certificate_problems, schema_text

    if not paths:
        click.echo(schema_text(), nl=False)
        return
    bad = 0
    for path in paths:
        problems = certificate_problems(load_certificate(path))
        if problems:
            bad += 1
            click.echo(f"{path}: INVALID", err=True)
            for p in problems:
                click.echo(f"  - {p}", err=True)
        else:
            click.echo(f"{path}: valid")
    sys.exit(1 if bad else 0)
