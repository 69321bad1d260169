"""``publish``: insert the registries and the relational view of a root into DataJoint 2.

Idempotent: rows already there are left as they are; a session (or registry row) whose
content differs is a conflict, left alone unless ``replace``. Every row one run writes is
written in a single transaction, so a failure leaves the rows as they were.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from session_files.records import SESSION_TABLES, TABLES

from . import _dj
from .definitions import UPSTREAM, class_name
from .errors import ActivationError, PublishError, PublishRefused
from .pipeline import Pipeline, activate, linked_tables
from .plan import Plan, Rows, SessionKey, make_plan
from .result import PublishResult

CHUNK = 500


def publish(
    root: str | os.PathLike[str],
    schema_name: str,
    *,
    registry: str | os.PathLike[str] | None = None,
    replace: bool = False,
    allow_errors: bool = False,
    dry_run: bool = False,
    linking_module: ModuleType | str | None = None,
    progress: bool | None = None,
) -> PublishResult:
    """Publish the root's registries and sessions into ``schema_name``.

    A root with error findings is refused (``PublishRefused``) unless ``allow_errors``, which
    publishes the valid sessions only (the view never holds an invalid one). ``progress``
    shows a bar on stderr; by default only when stderr is a terminal.
    """
    from session_files.api import validate_and_load

    _dj.load()  # fail before reading the root when DataJoint is missing
    report, catalog = validate_and_load(root, registry=registry)
    try:
        if report.errors and not allow_errors:
            raise PublishRefused(report.errors, str(root))
        files = {table: catalog[table].to_dicts() for table in TABLES}
    finally:
        catalog.close()
    result = publish_rows(
        files,
        schema_name,
        replace=replace,
        dry_run=dry_run,
        linking_module=linking_module,
        progress=progress,
    )
    return dataclasses.replace(result, errors_left_out=report.errors)


def publish_rows(
    files: dict[str, Rows],
    schema_name: str,
    *,
    replace: bool = False,
    dry_run: bool = False,
    linking_module: ModuleType | str | None = None,
    progress: bool | None = None,
) -> PublishResult:
    """Publish rows of the relational view (table name -> rows) into ``schema_name``."""
    dj = _dj.load()
    connection = _connect(dj)
    with _database_errors():
        pipeline = _pipeline(dj, connection, schema_name, linking_module, dry_run=dry_run)
        columns = {table: _columns(pipeline, table) for table in TABLES}
        database = {table: _fetch(pipeline, table, columns[table]) for table in TABLES}
    plan = make_plan(files, database, columns)
    _check_required(pipeline, plan, columns)
    result = _result(plan, schema_name, dry_run=dry_run, replace=replace)
    if dry_run or pipeline is None or not result.changes:
        return result
    with _database_errors("nothing was written: "), connection.transaction:
        rows_inserted = _apply(pipeline, plan, columns, replace=replace, progress=progress)
    return dataclasses.replace(result, rows_inserted=rows_inserted)


def _connect(dj: ModuleType) -> Any:
    """DataJoint's connection from its own settings, or PublishError saying which ones."""
    settings = dj.config.database
    where = (
        f"{settings.backend} server {settings.user or '(no user)'}@{settings.host}:{settings.port}"
    )
    try:
        return dj.conn()
    except Exception as exc:
        detail = " ".join(str(exc).split())
        msg = (
            f"cannot connect to the {where}: {detail}\n"
            "Set DJ_HOST, DJ_PORT, DJ_USER, DJ_PASS and DJ_BACKEND (postgresql or mysql),"
            " or DataJoint's datajoint.json."
        )
        raise PublishError(msg) from None


@contextmanager
def _database_errors(prefix: str = "") -> Iterator[None]:
    try:
        yield
    except (PublishError, ActivationError):
        raise
    except Exception as exc:
        detail = " ".join(str(exc).split())
        msg = f"{prefix}the database refused: {detail}"
        raise PublishError(msg) from exc


def _pipeline(
    dj: ModuleType,
    connection: Any,
    schema_name: str,
    linking_module: ModuleType | str | None,
    *,
    dry_run: bool,
) -> Pipeline | None:
    """Activate the schema; a dry run never creates it, nor any table."""
    if not dry_run:
        return activate(schema_name, linking_module=linking_module)
    if schema_name not in dj.list_schemas(connection):
        if linking_module is None:
            return None
        upstream = linked_tables(linking_module)
        tables = {table: upstream[class_name(table)] for table in UPSTREAM}
        return Pipeline(schema=None, tables=tables, linked=True)
    return activate(
        schema_name, create_schema=False, create_tables=False, linking_module=linking_module
    )


def _declared(pipeline: Pipeline | None, table: str) -> Any | None:
    if pipeline is None or table not in pipeline.tables:
        return None
    instance = pipeline.tables[table]()
    return instance if instance.is_declared else None


def _columns(pipeline: Pipeline | None, table: str) -> list[str]:
    """The model's columns, narrowed to those a linked upstream table has."""
    names = list(TABLES[table].model_fields)
    instance = _declared(pipeline, table)
    if instance is None:
        return names
    attributes = instance.heading.attributes
    return [name for name in names if name in attributes]


def _check_required(pipeline: Pipeline | None, plan: Plan, columns: dict[str, list[str]]) -> None:
    """A linked upstream table that needs columns the registries lack cannot take new rows."""
    for table in UPSTREAM:
        instance = _declared(pipeline, table)
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


def _fetch(pipeline: Pipeline | None, table: str, columns: list[str]) -> Rows:
    instance = _declared(pipeline, table)
    if instance is None:
        return []
    secondary = [c for c in columns if c not in instance.primary_key]
    rows: Rows = instance.proj(*secondary).to_dicts()
    return rows


def _result(plan: Plan, schema: str, *, dry_run: bool, replace: bool) -> PublishResult:
    def keys(rows_by_table: dict[str, Rows]) -> dict[str, tuple[str, ...]]:
        return {
            table: tuple(str(row[TABLES[table].PRIMARY_KEY[0]]) for row in rows)
            for table, rows in rows_by_table.items()
            if rows
        }

    replaced = _replaced(plan) if replace else []
    return PublishResult(
        schema=schema,
        dry_run=dry_run,
        sessions_inserted=tuple(plan.new_sessions),
        sessions_replaced=tuple(replaced),
        sessions_unchanged=len(plan.unchanged_sessions),
        registry_inserted=keys(plan.new_registry),
        registry_updated=keys(plan.changed_registry) if replace else {},
        registry_unchanged=sum(plan.unchanged_registry.values()),
        conflicts=() if replace else tuple(plan.conflicts),
    )


def _apply(
    pipeline: Pipeline,
    plan: Plan,
    columns: dict[str, list[str]],
    *,
    replace: bool,
    progress: bool | None,
) -> dict[str, int]:
    """Write the plan, inside the caller's transaction; returns rows inserted per table."""
    from tqdm import tqdm

    replaced = _replaced(plan) if replace else []
    batches: list[tuple[str, Rows]] = [(t, plan.new_registry.get(t, [])) for t in UPSTREAM]
    for table in SESSION_TABLES:
        rows = [
            row
            for key in (*plan.new_sessions, *replaced)
            for row in plan.session_rows[key].get(table, [])
        ]
        batches.append((table, rows))
    if replace:
        for table in UPSTREAM:
            for row in plan.changed_registry.get(table, []):
                pipeline.tables[table].update1({c: row[c] for c in columns[table]})
        if replaced:
            keys = [{"subject": s, "session_datetime": d} for s, d in replaced]
            for start in range(0, len(keys), CHUNK):
                restricted = pipeline.tables["session"] & keys[start : start + CHUNK]
                restricted.delete(transaction=False, prompt=False)
    show = sys.stderr.isatty() if progress is None else progress
    total = sum(len(rows) for _, rows in batches)
    counts: dict[str, int] = {}
    with tqdm(total=total, disable=not show, delay=1.0, unit=" rows", file=sys.stderr) as bar:
        for table, rows in batches:
            target = pipeline.tables[table]
            for start in range(0, len(rows), CHUNK):
                chunk = [{c: row[c] for c in columns[table]} for row in rows[start : start + CHUNK]]
                target.insert(chunk)
                bar.update(len(chunk))
            counts[table] = len(rows)
    return counts


def _replaced(plan: Plan) -> list[SessionKey]:
    return [(conflict.key[0], conflict.key[1]) for conflict in plan.session_conflicts]
