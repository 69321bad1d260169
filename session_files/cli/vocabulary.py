"""``session-files vocabulary``: print a draft registry/attributes.yaml from the sidecars."""

from __future__ import annotations

from pathlib import Path

import click

from session_files.cli._common import load_view
from session_files.cli.index_options import index_option, open_root_argument, registry_option


@click.command()
@open_root_argument
@registry_option
@index_option
def vocabulary(root: str | None, registry: str | None, index_path: Path | None) -> None:
    """Print a draft registry/attributes.yaml inferred from ROOT's sidecars (names, counts,
    types, the values when few): review it, then save it as the root's vocabulary."""
    root, catalog = load_view(root, registry, index_path, verb="read")
    with catalog:
        click.echo(catalog.draft_vocabulary(), nl=False)
