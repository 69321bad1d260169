"""Bring a schema to the tables session-files declares, whatever an earlier run left behind.

``prepare`` runs before a publish reads or writes any row, with the publishers' lock held:

1. **Check.** The tables of the schema that session-files declares itself (not a linking
   module's) must have the columns of the record models, with the same primary key and
   the same types (the attribute blob through DataJoint's ``<blob>`` codec). Columns the
   models do not know are fine (element-session 0.2's ``Session.session_id``). Anything
   else raises ``SchemaMismatch``, one message naming every table and column, before
   anything is written.
2. **Declare.** Missing tables (and the provenance tables) are declared by DataJoint's own
   declaration, on PostgreSQL inside one transaction: a publish killed while declaring
   leaves no schema, or every table of it.
3. **Finish.** A table whose DataJoint comments never got written (an earlier run killed
   between ``CREATE TABLE`` and its ``COMMENT ON`` statements, when each committed on its
   own) reads back without its codec: its blob column looks like plain bytes. Such a
   table, when its columns are the ones session-files declares, gets the statements
   DataJoint would have run after creating it (comments, support indexes), the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from session_files.records import TABLES

from . import backend, provenance
from .definitions import UPSTREAM, column_type, foreign_keys
from .errors import SchemaMismatch
from .pipeline import Pipeline, activate


@dataclass(frozen=True)
class Inspection:
    """What the declared tables of a schema need: problems (refuse), unfinished tables
    (finish), missing tables (declare)."""

    problems: tuple[str, ...]
    unfinished: tuple[str, ...]
    missing: tuple[str, ...]


def own_tables(pipeline: Pipeline) -> list[str]:
    """The tables session-files declares in this pipeline (upstream ones unless linked)."""
    return [table for table in TABLES if not (pipeline.linked and table in UPSTREAM)]


def inspect(pipeline: Pipeline) -> Inspection:
    """Compare the schema's own tables with what session-files declares."""
    problems: list[str] = []
    unfinished: list[str] = []
    missing: list[str] = []
    for table in own_tables(pipeline):
        instance = pipeline.tables[table]()
        if not instance.is_declared:
            missing.append(table)
            continue
        found, half = _compare(instance, table)
        problems += found
        if half:
            unfinished.append(table)
    return Inspection(tuple(problems), tuple(unfinished), tuple(missing))


def _compare(instance: Any, table: str) -> tuple[list[str], bool]:
    """The problems of one declared table, and whether its comments were never written."""
    model = TABLES[table]
    attributes = instance.heading.attributes
    inherited = {column for columns, _ in foreign_keys(table) for column in columns}
    name = instance.full_table_name
    problems: list[str] = []
    own = [c for c in model.model_fields if c not in inherited and c in attributes]
    # DataJoint writes a type marker into every own column's comment, and the table's
    # comment; none at all means the declaration stopped before its COMMENT ON statements.
    unmarked = all(attributes[c].original_type is None and attributes[c].codec is None for c in own)
    uncommented = bool(model.COMMENT) and not instance.heading.table_status.get("comment")
    half = (bool(own) and unmarked) or uncommented
    bytes_type = instance.connection.adapter.core_type_to_sql("bytes")
    for column, field in model.model_fields.items():
        expected = column_type(field)
        attribute = attributes.get(column)
        if attribute is None:
            problems.append(f"{name} has no column {column} (session-files declares {expected})")
            continue
        if attribute.in_key != (column in model.PRIMARY_KEY):
            where = "in" if attribute.in_key else "outside"
            problems.append(
                f"{name}.{column} is {where} the primary key; session-files declares the key"
                f" ({', '.join(model.PRIMARY_KEY)})"
            )
        if column in inherited:
            continue
        if expected == "<blob>":
            codec = getattr(attribute.codec, "name", None)
            if codec == "blob" or (half and attribute.type == bytes_type):
                continue
            found = f"<{codec}>" if codec else attribute.type
            problems.append(
                f"{name}.{column} is {found}, not {expected} (DataJoint's blob codec)"
                " that session-files declares"
            )
        elif attribute.original_type is not None and attribute.original_type != expected:
            problems.append(
                f"{name}.{column} is {attribute.original_type}; session-files declares {expected}"
            )
    return problems, half and not problems


def prepare(
    dj: ModuleType, connection: Any, schema_name: str, linking_module: ModuleType | str | None
) -> Pipeline:
    """The activated pipeline of ``schema_name``, every table declared and finished.

    Raises ``SchemaMismatch`` (nothing written) when existing tables differ from what
    session-files declares. The caller holds the publishers' lock.
    """
    todo: Inspection | None = None
    if schema_name in dj.list_schemas(connection):
        pipeline = activate(
            schema_name, create_schema=False, create_tables=False, linking_module=linking_module
        )
        todo = inspect(pipeline)
        refuse(schema_name, todo)
        if not todo.missing and not todo.unfinished and provenance.exists(connection, schema_name):
            return pipeline
    unfinished = todo.unfinished if todo else ()
    try:
        with backend.ddl_transaction(connection):
            _declare(connection, schema_name, linking_module, unfinished)
    except Exception:
        if not backend.transactional_ddl(connection):
            raise
        # A state one transaction cannot take (an enum type left by a declaration cut short
        # before its table, which DataJoint creates ignoring "already exists": fatal inside a
        # transaction). DataJoint's own statement-by-statement declaration takes it.
        _declare(connection, schema_name, linking_module, unfinished)
    pipeline = activate(
        schema_name, create_schema=False, create_tables=False, linking_module=linking_module
    )
    done = inspect(pipeline)
    refuse(schema_name, done)
    if done.missing or done.unfinished:
        tables = ", ".join([*done.missing, *done.unfinished])
        msg = f"could not declare {tables} in {schema_name}"
        raise SchemaMismatch(msg)
    return pipeline


def _declare(
    connection: Any,
    schema_name: str,
    linking_module: ModuleType | str | None,
    unfinished: tuple[str, ...],
) -> None:
    pipeline = activate(schema_name, linking_module=linking_module)
    for table in unfinished:
        finish(pipeline, table)
    provenance.declare(connection, schema_name)


def finish(pipeline: Pipeline, table: str) -> None:
    """Run the statements DataJoint runs after creating ``table`` (comments, indexes)."""
    from datajoint.declare import declare

    cls = pipeline.tables[table]
    instance = cls()
    connection = instance.connection
    *_, post_ddl = declare(
        instance.full_table_name,
        cls.definition,
        cls.declaration_context,
        connection.adapter,
        config=connection._config,
    )
    for statement in post_ddl:
        sql = str(statement).replace('"{database}".', f'"{instance.database}".')
        if sql.startswith("CREATE INDEX ") and backend.is_postgres(connection):
            sql = "CREATE INDEX IF NOT EXISTS " + sql.removeprefix("CREATE INDEX ")
        connection.query(sql)


def refuse(schema_name: str, inspection: Inspection) -> None:
    """Raise ``SchemaMismatch`` naming every problem, and what to do."""
    if not inspection.problems:
        return
    msg = (
        f"the tables of schema {schema_name} do not match what session-files declares: "
        + "; ".join(inspection.problems)
        + ". Nothing was written. Publish into another schema (--schema), or make these"
        " tables match (drop them when they hold nothing you need, and publish again)."
    )
    raise SchemaMismatch(msg)
