"""``session-files schema``: write or check the JSON Schemas."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write into DIR.")
@click.option(
    "--check",
    type=click.Path(file_okay=False, path_type=Path),
    help="Exit 1 unless DIR holds exactly what the models produce.",
)
def schema(out: Path | None, check: Path | None) -> None:
    """Write the JSON Schemas (--out DIR) or check a directory of them (--check DIR)."""
    from ..write.schema_export import check_schemas, write_schemas

    if (out is None) == (check is None):
        msg = "give exactly one of --out DIR or --check DIR"
        raise click.UsageError(msg)
    if out is not None:
        for path in write_schemas(out):
            click.echo(f"wrote {path}")
        return
    assert check is not None
    problems = check_schemas(check)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo("run: session-files schema --out " + str(check), err=True)
        raise SystemExit(1)
    click.echo(f"{check}: up to date")
