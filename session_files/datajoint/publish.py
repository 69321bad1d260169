"""``publish``: make a schema hold a root's registries and relational view, changing as little
as it can and never deleting what the user did not see.

Rows already there and equal are left alone. A session that differs is a conflict until
``replace``, which updates secondary columns in place and inserts or deletes only the part
and association rows that differ: a session row is deleted only when it leaves the root
(``prune``). Before any delete every row it would reach is counted, in every schema of the
database (``cascade``); rows of tables session-files does not declare are deleted only with
``cascade=True``. Which root published each session is recorded (``provenance``). Every row
one run writes is written in a single transaction.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections import defaultdict
from collections.abc import Callable
from types import ModuleType
from typing import Any

from session_files.records import TABLES

from . import _dj, backend, collation, declaration, provenance, stamp
from .apply import apply_plan
from .cascade import Accountant, Cascade, Delete
from .definitions import UPSTREAM, check_schema_name, class_name
from .errors import ActivationError, PublishError, PublishRefused
from .pipeline import Pipeline, activate, linked_tables
from .plan import Owners, Plan, Rows, make_plan
from .result import PublishResult, result_of
from .roots import root_identity
from .tables import connect, database_errors, declared, fetch_owned, owned_columns


def publish(
    root: str | os.PathLike[str],
    schema_name: str,
    *,
    registry: str | os.PathLike[str] | None = None,
    replace: bool = False,
    prune: bool = False,
    cascade: bool = False,
    allow_errors: bool = False,
    dry_run: bool = False,
    linking_module: ModuleType | str | None = None,
    root_id: str | None = None,
    progress: bool | None = None,
) -> PublishResult:
    """Publish the root's registries and sessions into ``schema_name``.

    A root with error findings is refused (``PublishRefused``) unless ``allow_errors``, which
    publishes the valid sessions only (the view never holds an invalid one); sessions left
    out that way are never pruned. ``root_id`` defaults to the root config's ``root_id``,
    else the root's absolute path or URL. ``progress`` shows a bar on stderr; by default
    only when stderr is a terminal.
    """
    from session_files.api import validate_and_load
    from session_files.index.store import default_index_path
    from session_files.read.scan import open_root

    check_schema_name(schema_name)
    loading = _dj.load_in_background()  # DataJoint's import (~1-2 s) while the root is read
    # The root's persistent index (made when missing, as `session-files index` does): a
    # publish that follows another reads only what changed on disk.
    index = default_index_path(open_root(root), create=True)
    report, catalog = validate_and_load(root, registry=registry, index=index)
    try:
        loading.join()
        _dj.load()  # imported by now, or the error saying how to install it
        if report.errors and not allow_errors:
            raise PublishRefused(report.errors, str(root))
        if prune and report.errors:
            msg = (
                f"--prune with errors in {root}: a session whose sidecar has an error would be"
                " deleted from the database; fix the errors first"
            )
            raise PublishError(msg)
        from .vocabulary import publish_root_vocabulary  # the lab vocabulary's tables

        # other rules in the database refuse the publish before anything is written
        counts = publish_root_vocabulary(root, registry, schema_name, replace, dry_run=True)
        result = _publish_view(
            lambda: {table: catalog[table].to_dicts() for table in TABLES},
            schema_name,
            view=stamp.view_stamp(index),
            root_id=root_id or root_identity(root),
            replace=replace,
            prune=prune,
            cascade=cascade,
            dry_run=dry_run,
            linking_module=linking_module,
            progress=progress,
        )
    finally:
        catalog.close()
    if not result.refused and not dry_run:
        counts = publish_root_vocabulary(root, registry, schema_name, replace, dry_run=False)
    result = dataclasses.replace(result, vocabulary_rows=counts)
    return dataclasses.replace(result, errors_left_out=report.errors)


def publish_rows(
    files: dict[str, Rows],
    schema_name: str,
    *,
    root_id: str,
    replace: bool = False,
    prune: bool = False,
    cascade: bool = False,
    dry_run: bool = False,
    linking_module: ModuleType | str | None = None,
    progress: bool | None = None,
) -> PublishResult:
    """Publish rows of the relational view (table name -> rows) into ``schema_name``, as the
    root ``root_id``."""
    return _publish_view(
        lambda: files,
        schema_name,
        view=None,
        root_id=root_id,
        replace=replace,
        prune=prune,
        cascade=cascade,
        dry_run=dry_run,
        linking_module=linking_module,
        progress=progress,
    )


def _publish_view(
    files: Callable[[], dict[str, Rows]],
    schema_name: str,
    *,
    view: str | None,
    root_id: str,
    replace: bool,
    prune: bool,
    cascade: bool,
    dry_run: bool,
    linking_module: ModuleType | str | None,
    progress: bool | None,
) -> PublishResult:
    dj = _dj.load()
    connection = connect(dj)
    if not dry_run:  # publishers of one schema take turns; a dry run only reads
        with database_errors("nothing was written: "):
            backend.lock_schema(connection, schema_name)
    try:
        return _publish(
            dj,
            connection,
            files,
            schema_name,
            view=view,
            root_id=root_id,
            replace=replace,
            prune=prune,
            cascade=cascade,
            dry_run=dry_run,
            linking_module=linking_module,
            progress=progress,
        )
    finally:
        if not dry_run:
            with contextlib.suppress(Exception):  # the server drops it with the connection
                backend.unlock_schema(connection, schema_name)


def _publish(
    dj: ModuleType,
    connection: Any,
    load: Callable[[], dict[str, Rows]],
    schema_name: str,
    *,
    view: str | None,
    root_id: str,
    replace: bool,
    prune: bool,
    cascade: bool,
    dry_run: bool,
    linking_module: ModuleType | str | None,
    progress: bool | None,
) -> PublishResult:
    files: dict[str, Rows] | None = None
    with database_errors():
        new_schema = schema_name not in dj.list_schemas(connection)
    if new_schema:  # keys that collide in the database refuse it before it is created
        files = load()
        collation.check(connection, schema_name, files, root_id)
    with database_errors("nothing was written: "):
        pipeline = _pipeline(dj, connection, schema_name, linking_module, dry_run=dry_run)
    stamps = stamp.Stamps(connection, pipeline, root_id, view)
    with database_errors():
        kept = stamps.in_sync() if files is None else None
    if kept is not None:  # the schema holds this very view: nothing to fetch, nor to change
        return PublishResult(
            schema=schema_name,
            root_id=root_id,
            dry_run=dry_run,
            sessions_unchanged=kept.counts.get("sessions", 0),
            registry_unchanged=kept.counts.get("registry", 0),
        )
    if files is None:
        files = load()
        collation.check(connection, schema_name, files, root_id)
    with database_errors():
        columns = {table: owned_columns(pipeline, table) for table in TABLES}
        database = {table: fetch_owned(pipeline, table, columns[table]) for table in TABLES}
        owners = Owners(
            root_id=root_id,
            sessions=provenance.session_owners(connection, schema_name) if pipeline else {},
            registry=provenance.registry_owners(connection, schema_name) if pipeline else {},
        )
    collation.check(connection, schema_name, files, root_id, database=database)
    plan = make_plan(files, database, columns, owners)
    _check_required(pipeline, plan, columns)
    deletes = _deletes(pipeline, plan, replace=replace, prune=prune)
    with database_errors():
        accountant = Accountant(connection) if deletes else None
        reach = accountant.cascade(deletes) if accountant else Cascade()
    declared = _declared_tables(pipeline)
    result = result_of(plan, schema_name, root_id, reach, declared, replace=replace, prune=prune)
    result = dataclasses.replace(
        result, dry_run=dry_run, refused=bool(result.downstream) and not cascade
    )
    if dry_run or result.refused or pipeline is None:
        return result
    in_sync = result.ok  # once the plan is written, the schema holds exactly this view
    if not _writes(result, plan):
        if in_sync:
            with database_errors(), connection.transaction:
                stamps.record(files)
        return result
    with database_errors("nothing was written: "), connection.transaction:
        counts = apply_plan(
            pipeline, plan, columns, result, accountant, reach, declared, progress=progress
        )
        if in_sync:
            stamps.record(files)
    return dataclasses.replace(result, **counts)


def _writes(result: PublishResult, plan: Plan) -> bool:
    return bool(result.changes or plan.adopted_sessions or plan.adopted_registry)


def _pipeline(
    dj: ModuleType,
    connection: Any,
    schema_name: str,
    linking_module: ModuleType | str | None,
    *,
    dry_run: bool,
) -> Pipeline | None:
    """Activate the schema, declared and checked (``declaration``); a dry run never creates
    it, nor any table, but refuses a mismatched schema the same way."""
    if not dry_run:
        return declaration.prepare(dj, connection, schema_name, linking_module)
    if schema_name not in dj.list_schemas(connection):
        if linking_module is None:
            return None
        upstream = linked_tables(linking_module)
        tables = {table: upstream[class_name(table)] for table in UPSTREAM}
        return Pipeline(schema=None, tables=tables, linked=True)
    pipeline = activate(
        schema_name, create_schema=False, create_tables=False, linking_module=linking_module
    )
    declaration.refuse(schema_name, declaration.inspect(pipeline))
    return pipeline


def _check_required(pipeline: Pipeline | None, plan: Plan, columns: dict[str, list[str]]) -> None:
    """A linked upstream table that needs columns the registries lack cannot take new rows."""
    for table in UPSTREAM:
        instance = declared(pipeline, table)
        if instance is None or not plan.new_registry.get(table):
            continue
        required = [
            name
            for name, attribute in instance.heading.attributes.items()
            if name not in columns[table]
            and not (attribute.nullable or attribute.autoincrement or attribute.default is not None)
        ]
        if required:
            msg = (
                f"{instance.full_table_name} requires {', '.join(required)}, which the {table}"
                " registry does not provide; give those columns defaults in the lab pipeline"
            )
            raise ActivationError(msg)


def _table_of(pipeline: Pipeline, table: str) -> tuple[str, str]:
    instance = pipeline.tables[table]()
    schema, name = instance.connection.adapter.split_full_table_name(instance.full_table_name)
    return (str(schema), str(name))


def _declared_tables(pipeline: Pipeline | None) -> dict[tuple[str, str], str]:
    """(schema, table) of every table session-files declares or links -> its table name."""
    if pipeline is None:
        return {}
    return {_table_of(pipeline, table): table for table in TABLES if declared(pipeline, table)}


def _deletes(pipeline: Pipeline | None, plan: Plan, *, replace: bool, prune: bool) -> list[Delete]:
    """The deletes of a run: rows --replace removes, sessions --prune removes."""
    if pipeline is None:
        return []
    keys: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    if replace:
        for ops in plan.changed_sessions.values():
            for op in ops:
                if op.kind == "delete":
                    primary = TABLES[op.table].PRIMARY_KEY
                    keys[op.table].append(tuple(op.row[c] for c in primary))
    if prune:
        keys["session"] += [tuple(key) for key in plan.missing_sessions]
    return [
        Delete(_table_of(pipeline, table), TABLES[table].PRIMARY_KEY, tuple(rows))
        for table, rows in keys.items()
        if rows
    ]
