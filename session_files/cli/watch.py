"""``session-files watch``: keep the index fresh and print findings as they appear and clear."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import (
    CouldNotRun,
    check_config_registry,
    check_root,
    refuse_subfolder,
    resolve_root,
)
from .index_options import registry_option


@click.command()
@click.argument("root", required=False, type=click.Path(file_okay=False, path_type=Path))
@registry_option
@click.option(
    "--poll",
    is_flag=True,
    help="Poll for changes instead of OS events (network shares: SMB, NFS).",
)
def watch(root: Path | None, registry: str | None, poll: bool) -> None:
    """Keep the index of ROOT fresh as files change, until Ctrl-C.

    ROOT defaults to the nearest directory, from the current one upward, with
    session-files.yaml or registry/. Prints every finding when it appears ("new: ...")
    and when it clears ("cleared: ..."), each time followed by the counts of sessions,
    errors and warnings. Exit status: 0 when interrupted (Ctrl-C), 2 when it could not run.
    """
    import logging

    from ..index.watch import watch as watch_root
    from ..reporters.text import finding_line, plural

    root = Path(resolve_root(None if root is None else str(root)))
    check_root(str(root))
    refuse_subfolder(str(root), registry)
    check_config_registry(str(root), registry)
    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # its Ctrl-C notice: we exit 0
    first = True
    try:
        for event in watch_root(root, registry=registry, poll=poll):
            for warning in event.refresh_warnings:
                click.echo(f"warning: {warning}", err=True)
            for finding in event.cleared:
                click.echo(f"cleared: {finding_line(finding)}")
            for finding in event.appeared:
                click.echo(f"new: {finding_line(finding)}")
            counts = ", ".join(
                (
                    plural(event.sessions, "session"),
                    plural(event.errors, "error"),
                    plural(event.warnings, "warning"),
                )
            )
            click.echo(f"watching {root}: {counts}" if first else counts)
            first = False
    except KeyboardInterrupt:  # Ctrl-C during a refresh: stop as between refreshes
        pass
    except OSError as exc:
        msg = f"could not watch {root}: {exc}"
        raise CouldNotRun(msg) from None
