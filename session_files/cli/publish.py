"""``session-files publish``: insert a root's relational view into a DataJoint 2 schema.

Exit status: 0 published (or nothing to do); 1 refused (the root has errors) or conflicts
left alone; 2 could not run (bad options, no DataJoint, cannot connect, the database
refused). The reason for a 2 goes to stderr as one message, never as a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from session_files.reporters.text import plural

from ._common import check_root, could_not_run, resolve_root
from ._datajoint import (
    check_schema,
    datajoint_logs_to_stderr,
    linking_module_option,
    schema_option,
)

if TYPE_CHECKING:
    from session_files.datajoint import PublishResult


def _rows(count: int) -> str:
    return plural(count, "row")


def render(result: PublishResult) -> list[str]:
    """The lines a person reads: what was (or would be) written, deleted, and left alone."""
    from session_files.datajoint.plan import session_label

    lines: list[str] = []
    would = "would " if result.dry_run or result.refused else ""
    if result.dry_run:
        lines.append(f"dry run: nothing was written to {result.schema}")
        lines += [f"would insert session {session_label(k)}" for k in result.sessions_inserted]
        for key in result.sessions_replaced:
            changes = "; ".join(result.changes_by_session.get(key, ()))
            lines.append(f"would update session {session_label(key)}: {changes}")
        lines += [f"would prune session {session_label(k)}" for k in result.sessions_pruned]
        for table, keys in result.registry_inserted.items():
            lines += [f"would insert {table} {key}" for key in keys]
        for table, keys in result.registry_updated.items():
            lines += [f"would update {table} {key}" for key in keys]
    lines += [f"conflict: {conflict.describe()}" for conflict in result.conflicts]
    missing = result.sessions_missing
    if missing and not result.sessions_pruned:
        lines += [f"missing on disk: session {session_label(k)}" for k in missing]
        lines.append(
            f"missing on disk: {plural(len(missing), 'session')} of root {result.root_id}"
            " (in the database, no sidecar); pass --prune to delete them"
        )
    if result.cascade:
        verb = "would delete" if would else "deleted"
        lines.append(f"{verb}, following the database's foreign keys:")
        for table, count in result.cascade.items():
            mark = "  (not declared by session-files)" if table in result.downstream else ""
            lines.append(f"  {table}: {_rows(count)}{mark}")
    if result.refused:
        total = sum(result.downstream.values())
        lines.append(
            f"refused: the deletes would reach {_rows(total)} of tables session-files does not"
            " declare (marked above); pass --cascade to delete them too. Nothing was written."
        )
        return lines
    registry = sum(len(keys) for keys in result.registry_inserted.values())
    updated = sum(len(keys) for keys in result.registry_updated.values())
    unchanged = (
        f"{plural(result.sessions_unchanged + len(result.sessions_adopted), 'session')} and"
        f" {plural(result.registry_unchanged, 'registry row')}"
    )
    if not result.changes:
        lines.append(f"nothing to change: {unchanged} already in {result.schema}")
    else:
        inserted = len(result.sessions_inserted)
        lines.append(
            f"{would}insert{'' if would else 'ed'} {plural(inserted, 'session')} and"
            f" {plural(registry, 'registry row')} into {result.schema}"
        )
        if result.sessions_replaced:
            replaced = plural(len(result.sessions_replaced), "session")
            lines.append(f"{would}update{'' if would else 'd'} {replaced} in place")
        if result.sessions_pruned:
            pruned = plural(len(result.sessions_pruned), "session")
            lines.append(f"{would}prune{'' if would else 'd'} {pruned} missing on disk")
        if updated:
            lines.append(f"{would}update{'' if would else 'd'} {plural(updated, 'registry row')}")
        lines.append(f"unchanged: {unchanged}")
    vocabulary = result.vocabulary_rows
    if vocabulary.get("inserted") or vocabulary.get("deleted"):
        lines.append(
            f"vocabulary: {'would write' if would else 'wrote'}"
            f" {plural(vocabulary['inserted'], 'row')}, {'would remove' if would else 'removed'}"
            f" {vocabulary['deleted']} (attribute_vocabulary, attribute_lookup)"
        )
    if result.sessions_adopted:
        adopted = plural(len(result.sessions_adopted), "session")
        lines.append(f"{would}adopt{'' if would else 'ed'} {adopted} with no recorded root")
    resolvable = [c for c in result.conflicts if c.owner is None]
    if resolvable:
        lines.append(
            f"{plural(len(resolvable), 'conflict')} left alone; pass --replace to update"
            " those sessions and registry rows in place"
        )
    foreign = [c for c in result.conflicts if c.owner is not None]
    if foreign:
        lines.append(
            f"{plural(len(foreign), 'conflict')} with other roots left alone; publish those"
            " from the root that owns them (or --prune them there)"
        )
    if result.errors_left_out:
        errors = plural(result.errors_left_out, "error")
        lines.append(
            f"left out: sessions and registry entries with errors ({errors};"
            " run `session-files validate` to see them)"
        )
    return lines


@click.command()
@click.argument("root", required=False)
@schema_option
@click.option("--registry", metavar="DIR", default=None, help="Directory of the registries.")
@click.option(
    "--replace", is_flag=True, help="Update sessions and registry rows that differ, in place."
)
@click.option("--prune", is_flag=True, help="Delete this root's sessions that have no sidecar.")
@click.option(
    "--cascade",
    is_flag=True,
    help="Allow deletes to reach rows of tables session-files does not declare.",
)
@click.option(
    "--allow-errors", is_flag=True, help="Publish the valid sessions of a root with errors."
)
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@linking_module_option(
    "Importable module with Subject, Project and Experimenter tables to link to."
)
@click.pass_context
def publish(
    ctx: click.Context,
    root: str | None,
    schema_name: str,
    registry: str | None,
    replace: bool,
    prune: bool,
    cascade: bool,
    allow_errors: bool,
    dry_run: bool,
    linking_module: str | None,
) -> None:
    """Insert ROOT's registries and sessions into a DataJoint 2 schema (ROOT: default the
    nearest root from the current directory up).

    The connection comes from DataJoint's settings: DJ_HOST, DJ_PORT, DJ_USER, DJ_PASS and
    DJ_BACKEND (postgresql or mysql), or datajoint.json. Sessions already there are left
    alone; one whose content differs is a conflict unless --replace, which changes only
    what differs. Sessions this root published that lost their sidecar are listed, and
    deleted with --prune. Deletes that would reach rows of other tables (in any schema)
    are refused unless --cascade; --dry-run shows them, per table.

    Exit status 0: published; 1: refused (errors in ROOT, or a cascade), or conflicts;
    2: could not run.
    """
    from session_files.datajoint import (  # the bridge and its models: loaded when it runs
        ActivationError,
        PublishError,
        PublishRefused,
    )
    from session_files.datajoint import publish as publish_root

    check_schema(schema_name)
    root = resolve_root(root)
    check_root(root)
    with could_not_run(expected=(PublishError, ActivationError)):
        try:
            with datajoint_logs_to_stderr():
                result = publish_root(
                    root,
                    schema_name,
                    registry=registry,
                    replace=replace,
                    prune=prune,
                    cascade=cascade,
                    allow_errors=allow_errors,
                    dry_run=dry_run,
                    linking_module=linking_module,
                )
        except PublishRefused as exc:
            click.echo(str(exc), err=True)
            ctx.exit(1)
    for line in render(result):
        click.echo(line)
    ctx.exit(0 if result.ok else 1)
