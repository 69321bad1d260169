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
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="With --out: write ROOT's own session.schema.json, with its lab vocabulary.",
)
def schema(out: Path | None, check: Path | None, root: Path | None) -> None:
    """Write the JSON Schemas (--out DIR) or check a directory of them (--check DIR).

    With --root ROOT --out DIR, write ROOT's session.schema.json, which adds the
    declarations of its registry/attributes.yaml (exit 1 when it has none, or findings)."""
    from ..write.schema_export import check_schemas, write_schemas

    if (out is None) == (check is None):
        msg = "give exactly one of --out DIR or --check DIR"
        raise click.UsageError(msg)
    if root is not None:
        if out is None:
            raise click.UsageError("--root goes with --out DIR")
        _root_schema(root, out)
        return
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


def _root_schema(root: Path, out: Path) -> None:
    from ..write.vocabulary_schema import VocabularyError, write_root_schema

    try:
        click.echo(f"wrote {write_root_schema(root, out)}")
    except VocabularyError as exc:
        click.echo(f"Error: {exc}", err=True)
        for finding in exc.findings:
            where = ":".join(str(p) for p in (finding.path, finding.line, finding.column) if p)
            click.echo(f"  {where}: {finding.code}: {finding.message}", err=True)
        raise SystemExit(1) from None
