"""``session-files registry add|remove``: edit one registry entry, checked, as a minimal edit."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import click

from session_files.cli._common import check_root, could_not_run, printable, resolve_root

if TYPE_CHECKING:
    from session_files.write.registry_edit import RegistryEdit

KIND_NAMES = ("subject", "experimenter", "project", "attribute")
ROOT = click.option("--root", default=None, help="Data root (default: the nearest one up).")
DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="Show the lines it would change; write nothing."
)


@click.group()
def registry() -> None:
    """Add or remove registry entries, checked, changing only their own lines.

    \b
    session-files registry add KIND KEY [--FIELD VALUE]... [--root ROOT] [--dry-run]
    session-files registry remove KIND KEY [--root ROOT] [--dry-run]

    KIND is subject, project or experimenter (registry/subjects.yaml, projects.yaml,
    experimenters.yaml). A FIELD is an entry's column, with or without its prefix
    (--sex F --birth-date 2024-01-01). Remove is refused while sidecars refer to KEY (they
    are listed). Exit status: 0 done (or a dry run), 1 refused, 2 bad options or no root.
    """


def _fields(args: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    rest = list(args)
    while rest:
        name = rest.pop(0)
        if not name.startswith("--") or len(name) < 3:
            msg = f"{name!r}: give fields as --FIELD VALUE"
            raise click.UsageError(msg)
        name, sep, value = name.partition("=")
        if not sep:
            if not rest:
                msg = f"{name} needs a value"
                raise click.UsageError(msg)
            value = rest.pop(0)
        if name in fields:
            msg = f"{name} given more than once"
            raise click.UsageError(msg)
        fields[name] = value
    return fields


def _echo(edit: RegistryEdit, verb: str) -> None:
    for line in edit.lines:
        before = f"-{line.before}" if line.before else ""
        after = f"+{line.after}" if line.after else ""
        click.echo(printable(f"  {edit.path}:{line.line}: {before} {after}".rstrip()))
    click.echo(f"{verb}: {edit.path}" if edit.written else "dry run: nothing written")


@registry.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.argument("key")
@ROOT
@DRY_RUN
@click.pass_context
def add(ctx: click.Context, kind: str, key: str, root: str | None, dry_run: bool) -> None:
    """Add KEY to the KIND registry with its fields: --FIELD VALUE (the column name, with or
    without its prefix: --sex F --birth-date 2024-01-01). Checked as validate checks it; the
    rest of the file is kept byte for byte. Exit status: 0 added, 1 refused, 2 no root."""
    from session_files.write.registry_edit import add_entry
    from session_files.write.registry_files import EditRefused

    fields = _fields(ctx.args)
    root = resolve_root(root)
    check_root(root)
    with could_not_run(f"edit the registry of {root}"):
        try:
            edit = add_entry(root, kind, key, fields, dry_run=dry_run)
        except EditRefused as exc:
            _refused(exc.reasons)
    _echo(edit, "added")


@registry.command()
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.argument("key")
@ROOT
@DRY_RUN
def remove(kind: str, key: str, root: str | None, dry_run: bool) -> None:
    """Remove KEY from the KIND registry; refused while sidecars refer to it (they are
    listed). Exit status: 0 removed, 1 refused, 2 no root."""
    from session_files.write.registry_edit import remove_entry
    from session_files.write.registry_files import EditRefused

    root = resolve_root(root)
    check_root(root)
    with could_not_run(f"edit the registry of {root}"):
        try:
            edit = remove_entry(root, kind, key, dry_run=dry_run)
        except EditRefused as exc:
            _refused(exc.reasons)
    _echo(edit, "removed")


def _refused(reasons: list[str]) -> NoReturn:
    lines = "\n".join(f"  {printable(reason)}" for reason in reasons)
    raise click.ClickException(f"refused (nothing written):\n{lines}")
