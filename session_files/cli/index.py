"""``session-files index``: build or refresh the persistent index and say what changed."""

from __future__ import annotations

from pathlib import Path

import click

from session_files.cli._common import (
    check_config_registry,
    check_root,
    could_not_run,
    echo_warnings,
    printable,
    refuse_subfolder,
    report_left_out,
    resolve_root,
    strict_option,
)
from session_files.cli.index_options import index_option, open_root_argument, registry_option


@click.command()
@open_root_argument
@registry_option
@index_option
@strict_option
def index(root: str | None, registry: str | None, index_path: Path | None, strict: bool) -> None:
    """Build or refresh the index of ROOT (default: the nearest root from the current
    directory up). How many sidecars errors keep out of the view goes to stderr."""
    from session_files.api import update_index
    from session_files.reporters.text import plural

    root = resolve_root(root)
    check_root(root)
    refuse_subfolder(root, registry)
    with could_not_run(f"index {root}"):
        update = update_index(root, registry=registry, index=index_path)
    check_config_registry(root, registry, update.findings)
    result = update.refresh
    echo_warnings(result.warnings)
    click.echo(f"index: {printable(str(result.index))}")
    click.echo(f"added: {len(result.added)}")
    click.echo(f"modified: {len(result.modified)}")
    click.echo(f"removed: {len(result.removed)}")
    click.echo(f"unchanged: {result.unchanged}")
    if result.rechecked:
        click.echo(f"rechecked: {result.rechecked} (the lab vocabulary changed)")
    click.echo(f"sessions: {update.sessions}")
    click.echo(f"findings: {plural(update.errors, 'error')}, {plural(update.warnings, 'warning')}")
    click.echo(f"seconds: {result.seconds:.2f}")
    click.get_current_context().exit(report_left_out(update.left_out, result.root, strict=strict))
