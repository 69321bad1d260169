"""Write a publish's plan inside the caller's transaction: deletes (children first, as the
cascade accounting found them), updates in place, inserts in chunks, provenance."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from session_files.records import SESSION_TABLES

from . import backend, provenance
from .cascade import Accountant, Cascade, full_name
from .definitions import UPSTREAM
from .errors import PublishError
from .pipeline import Pipeline
from .plan import Op, Plan, Rows
from .result import PublishResult

CHUNK = 10_000  # rows per bulk insert (COPY on PostgreSQL)


def apply_plan(
    pipeline: Pipeline,
    plan: Plan,
    columns: dict[str, list[str]],
    result: PublishResult,
    accountant: Accountant | None,
    reach: Cascade,
    declared: dict[tuple[str, str], str],
    *,
    progress: bool | None,
) -> dict[str, Any]:
    """Write the plan inside the caller's transaction: deletes (children first), updates,
    inserts, provenance. Returns the row counts per table for the result."""
    from tqdm import tqdm

    connection = pipeline.schema.connection
    schema = pipeline.schema_name
    replaced = set(result.sessions_replaced)
    deleted: dict[str, int] = {}
    if accountant is not None and reach.conditions:
        for reached, count in accountant.delete(reach).items():
            if reached not in declared and count > reach.counts.get(reached, 0):
                msg = (
                    f"{full_name(reached)} gained rows that the delete reaches while publishing;"
                    " run again to see them"
                )
                raise PublishError(msg)
            if count:
                deleted[declared.get(reached, full_name(reached))] = count
    updated: dict[str, int] = defaultdict(int)
    ops: list[Op] = [op for key in replaced for op in plan.changed_sessions[key]]
    for table in UPSTREAM:
        if result.registry_updated.get(table):
            for row in plan.changed_registry.get(table, []):
                pipeline.tables[table].update1({c: row[c] for c in columns[table]})
                updated[table] += 1
    for op in ops:
        if op.kind == "update":
            pipeline.tables[op.table].update1(op.row)
            updated[op.table] += 1
    batches: list[tuple[str, Rows]] = [(t, plan.new_registry.get(t, [])) for t in UPSTREAM]
    for table in SESSION_TABLES:
        rows = [row for key in plan.new_sessions for row in plan.session_rows[key].get(table, [])]
        rows += [op.row for op in ops if op.kind == "insert" and op.table == table]
        batches.append((table, rows))
    show = sys.stderr.isatty() if progress is None else progress
    total = sum(len(rows) for _, rows in batches)
    inserted: dict[str, int] = {}
    with tqdm(total=total, disable=not show, delay=1.0, unit=" rows", file=sys.stderr) as bar:
        for table, rows in batches:
            target = pipeline.tables[table]()
            names = columns[table]
            encode = _encoders(target, names)
            for start in range(0, len(rows), CHUNK):
                chunk = [
                    tuple(e(row[c]) for c, e in zip(names, encode, strict=True))
                    for row in rows[start : start + CHUNK]
                ]
                backend.insert_rows(connection, target.full_table_name, names, chunk)
                bar.update(len(chunk))
            if rows:
                inserted[table] = len(rows)
    owned = [*plan.new_sessions, *result.sessions_replaced, *plan.adopted_sessions]
    provenance.forget_sessions(connection, schema, list(result.sessions_pruned))
    provenance.record_sessions(connection, schema, owned, result.root_id)
    entries = [
        (table, key)
        for table in UPSTREAM
        for key in (
            *result.registry_inserted.get(table, ()),
            *result.registry_updated.get(table, ()),
        )
    ]
    provenance.record_registry(
        connection, schema, [*entries, *plan.adopted_registry], result.root_id
    )
    return {"rows_inserted": inserted, "rows_updated": dict(updated), "rows_deleted": deleted}


def _encoders(target: Any, columns: list[str]) -> list[Callable[[Any], Any]]:
    """Per column, what turns a value into what the table stores: the column's codec
    (``<blob>``: DataJoint's blob bytes; None stays NULL), else the value itself.

    The rows bypass DataJoint's per-row insert (the bulk path) but never its codecs.
    """
    encoders: list[Callable[[Any], Any]] = []
    for column in columns:
        codec = target.heading.attributes[column].codec
        if codec is None:
            encoders.append(_same)
        else:
            encoders.append(_codec(codec, f"{target.full_table_name}.{column}"))
    return encoders


def _same(value: Any) -> Any:
    return value


def _codec(codec: Any, where: str) -> Callable[[Any], Any]:
    def encode(value: Any) -> Any:
        if value is None:
            return None
        codec.validate(value)
        stored = codec.encode(value, key=None)
        if not isinstance(stored, bytes):
            msg = f"{where}: codec <{codec.name}> gave {type(stored).__name__}, not bytes"
            raise PublishError(msg)
        return stored

    return encode
