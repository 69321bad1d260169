"""``session-files rename``: rename a subject, experimenter, project or attribute across a root."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import click

from session_files.cli._common import check_root, could_not_run, printable, resolve_root

if TYPE_CHECKING:
    from session_files.write.rename import RenameIncomplete, RenamePlan

KIND_NAMES = ("subject", "experimenter", "project", "attribute")


def _terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def echo_plan(plan: RenamePlan) -> None:
    """Every file and line the plan changes, with the counts first."""
    files, lines = len(plan.files), plan.line_count
    head = f"rename {plan.kind} {plan.old!r} -> {plan.new!r} in {plan.root}"
    counts = f"{files} file{'s' * (files != 1)}, {lines} line{'s' * (lines != 1)}"
    if plan.moves:
        counts += f", {len(plan.moves)} director{'ies' if len(plan.moves) != 1 else 'y'} to move"
    click.echo(printable(f"{head}: {counts}"))
    for change in plan.files:
        for line in change.lines:
            click.echo(printable(f"  {change.path}:{line.line}: {line.before}  =>  {line.after}"))
    for source, target in plan.moves:
        click.echo(printable(f"  move {source}/  =>  {target}/"))
    for note in plan.notes:
        click.echo(printable(f"note: {note}"), err=True)
    if plan.unchecked:
        count = len(plan.unchecked)
        click.echo(
            f"warning: {count} sidecar{'s' * (count != 1)} with errors"
            f" mention{'s' * (count == 1)} {plan.old!r}, not renamed (fix, then run the rename again):",
            err=True,
        )
        for path in plan.unchecked:
            click.echo(printable(f"  {path}"), err=True)


@click.command()
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.argument("old")
@click.argument("new")
@click.argument("root", required=False)
@click.option(
    "--dry-run", is_flag=True, help="List the files and lines it would change; write nothing."
)
@click.option(
    "--yes", "-y", is_flag=True, help="Apply without asking (the way to apply from a script)."
)
@click.option("--merge", is_flag=True, help="Merge OLD into a NEW that already exists.")
@click.option(
    "--move-dirs",
    is_flag=True,
    help="Subjects: also move the session directories the root's layout names after them.",
)
def rename(
    kind: str,
    old: str,
    new: str,
    root: str | None,
    dry_run: bool,
    yes: bool,
    merge: bool,
    move_dirs: bool,
) -> None:
    """Rename the KIND OLD to NEW in its registry and in every sidecar of ROOT that refers to it.

    Only the lines that refer to OLD change (comments and the rest stay byte for byte). It
    refuses, writing nothing, when NEW is already registered (unless --merge), when a
    session would collide with another (duplicate-session), or when a file changed since
    the plan. With --move-dirs (subjects, in a root whose config sets layout) the session
    directories move too, never over an existing one. Without --yes it shows the plan and asks; with no terminal to ask on, it is a
    dry run. Exit status: 0 renamed (or a dry run), 1 refused or stopped part-way (run it
    again to finish), 2 bad options or no root.
    """
    from session_files.write.registry_files import EditRefused
    from session_files.write.rename import RenameIncomplete, apply_rename, plan_rename

    root = resolve_root(root)
    check_root(root)
    with could_not_run(f"plan the rename in {root}"):
        plan = plan_rename(root, kind, old, new, merge=merge, move_dirs=move_dirs)
    echo_plan(plan)
    if not plan.ok:
        refused(list(plan.refused))
    if dry_run:
        click.echo("dry run: nothing written")
        return
    if not yes:
        if not _terminal():
            click.echo("dry run: nothing written (no terminal to confirm on; pass --yes to apply)")
            return
        if not click.confirm("apply?", default=False):
            click.echo("nothing written")
            return
    with could_not_run(f"rename in {root}"):
        try:
            result = apply_rename(plan)
        except EditRefused as exc:
            refused(exc.reasons)
        except RenameIncomplete as exc:
            stopped(exc)
    moved = len(plan.moves)
    click.echo(f"renamed: {len(result.done) - moved} files written")
    if moved:
        click.echo(f"moved: {moved} director{'ies' if moved != 1 else 'y'}")
    click.echo(f"index: {len(result.refreshed)} sidecars re-read")


def stopped(exc: RenameIncomplete) -> NoReturn:
    """Say which files are done and which are not, and exit 1."""
    click.echo(printable(f"stopped: {exc.reason}"), err=True)
    for label, paths in (("done", exc.result.done), ("not done", exc.result.not_done)):
        click.echo(f"{label}: {len(paths)} files", err=True)
        for path in paths:
            click.echo(printable(f"  {path}"), err=True)
    click.echo("run the same rename again to finish", err=True)
    click.get_current_context().exit(1)


def refused(reasons: list[str]) -> NoReturn:
    """Say why nothing was written, and exit 1."""
    lines = "\n".join(f"  {printable(reason)}" for reason in reasons)
    raise click.ClickException(f"refused (nothing written):\n{lines}")


__all__ = ["echo_plan", "refused", "rename", "stopped"]
