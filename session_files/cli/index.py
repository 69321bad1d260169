"""``session-files index``: build or refresh the persistent index and say what changed."""

from __future__ import annotations

from pathlib import Path

import click

from session_files.cli.index_options import (
    could_not_run,
    echo_warnings,
    index_option,
    open_root_argument,
    printable,
    registry_option,
)


@click.command()
@open_root_argument
@registry_option
@index_option
def index(root: str, registry: str | None, index_path: Path | None) -> None:
    """Build or refresh the index of ROOT (default: the current directory)."""
    from session_files.api import update_index
    from session_files.read.scan import open_root
    from session_files.reporters.text import plural

    try:
        open_root(root)  # a missing ROOT is a usage error
    except (FileNotFoundError, NotADirectoryError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="ROOT") from None
    with could_not_run(f"index {root}"):
        update = update_index(root, registry=registry, index=index_path)
    result = update.refresh
    echo_warnings(result.warnings)
    click.echo(f"index: {printable(str(result.index))}")
    click.echo(f"added: {len(result.added)}")
    click.echo(f"modified: {len(result.modified)}")
    click.echo(f"removed: {len(result.removed)}")
    click.echo(f"unchanged: {result.unchanged}")
    click.echo(f"sessions: {update.sessions}")
    click.echo(f"findings: {plural(update.errors, 'error')}, {plural(update.warnings, 'warning')}")
    click.echo(f"seconds: {result.seconds:.2f}")
