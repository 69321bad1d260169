"""``session-files pull``: write a root's registries and sidecars from a DataJoint 2 schema.

Exit status: 0 pulled (or everything already there); 1 existing files differ (nothing was
written; --force overwrites them) or sessions could not be written; 2 could not run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from session_files.reporters.text import plural

from ._common import CouldNotRun, could_not_run, resolve_root
from ._datajoint import (
    check_schema,
    datajoint_logs_to_stderr,
    linking_module_option,
    schema_option,
)

if TYPE_CHECKING:
    from session_files.datajoint import PullResult


def render(result: PullResult) -> list[str]:
    """The lines a person reads: what was written, what was already there, what differs."""
    lines = [f"problem: {problem}" for problem in result.problems]
    for root, count in sorted(result.other_roots.items()):
        lines.append(f"left out: {plural(count, 'session')} of root {root}")
    lines += [f"differs: {path}" for path in result.differing]
    if result.refused:
        lines.append(
            f"refused: {plural(len(result.differing), 'existing file')} in {result.root}"
            " differ from the schema (listed above); pass --force to overwrite them."
            " Nothing was written."
        )
        return lines
    owner = f" (root_id {result.root_id})" if result.root_id else ""
    lines.append(
        f"pulled {plural(result.sessions, 'session')} from {result.schema} into"
        f" {result.root}{owner}: {plural(len(result.written), 'file')} written,"
        f" {len(result.unchanged)} already there"
    )
    return lines


@click.command()
@click.argument("root", required=False, default=None)
@schema_option
@click.option(
    "--root-id",
    metavar="ID",
    default=None,
    help="Pull the sessions of this root, when several roots published into the schema.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files that differ.")
@linking_module_option("Importable module with the Subject, Project and Experimenter tables.")
@click.pass_context
def pull(
    ctx: click.Context,
    root: str | None,
    schema_name: str,
    root_id: str | None,
    force: bool,
    linking_module: str | None,
) -> None:
    """Write ROOT's registries, sidecars and session-files.yaml from a DataJoint 2 schema.

    The schema may come from session-files or from element-session's own definitions. A
    session's directory is its session_directory.session_dir, else the root config's layout.
    Existing files that differ are left alone (and nothing is written) unless --force.

    Exit status 0: pulled; 1: existing files differ, or sessions could not be written;
    2: could not run.
    """
    from session_files.datajoint import (  # the bridge and its models: loaded when it runs
        ActivationError,
        PublishError,
    )
    from session_files.datajoint import pull as pull_schema

    check_schema(schema_name)
    target = Path(resolve_root(root))
    if target.exists() and not target.is_dir():
        msg = f"{root}: not a directory"
        raise CouldNotRun(msg)
    with could_not_run(expected=(PublishError, ActivationError)), datajoint_logs_to_stderr():
        result = pull_schema(
            target,
            schema_name,
            root_id=root_id,
            force=force,
            linking_module=linking_module,
        )
    for line in render(result):
        click.echo(line)
    ctx.exit(0 if result.ok else 1)
