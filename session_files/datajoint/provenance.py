"""Provenance: which root published each session and registry row, in hidden tables.

Two tables in the session schema, named with DataJoint's hidden-table prefix ``~`` (as its
own ``~lineage``), so ``schema.list_tables()``, diagrams and ``dj.Diagram`` never show
them and no foreign key ties them to the pipeline:

- ``~session_files_session``: ``subject``, ``session_datetime`` -> ``root_id``
- ``~session_files_registry``: ``table_name`` (subject, project, experimenter), ``entry``
  (its key) -> ``root_id``
- ``~session_files_root``: ``root_id`` -> the stamp of its last publish in sync (``stamp``)

A row whose session (or entry) is gone is ignored: provenance only speaks for what exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .plan import SessionKey

SESSION_TABLE = "~session_files_session"
REGISTRY_TABLE = "~session_files_registry"
ROOT_TABLE = "~session_files_root"  # per root: the stamp of its last publish in sync (stamp)
CHUNK = 500


def name(connection: Any, schema: str, table: str) -> str:
    """The quoted full name of a provenance table."""
    return _name(connection, schema, table)


def _name(connection: Any, schema: str, table: str) -> str:
    quote = connection.adapter.quote_identifier
    return f"{quote(schema)}.{quote(table)}"


def exists(connection: Any, schema: str) -> bool:
    """True when the schema holds the provenance tables."""
    # information_schema, not the adapter's SHOW TABLES: MySQL refuses SHOW TABLES of a
    # database that does not exist yet (a dry run before the first publish).
    sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
    names = {str(row[0]) for row in connection.query(sql, args=(schema,)).fetchall()}
    return {SESSION_TABLE, REGISTRY_TABLE, ROOT_TABLE} <= names


def declare(connection: Any, schema: str) -> None:
    """Create the provenance tables when they are missing (DDL: call outside a transaction)."""
    if exists(connection, schema):
        return
    adapter = connection.adapter
    stamp = adapter.core_type_to_sql("datetime")
    quote = adapter.quote_identifier
    connection.query(
        f"CREATE TABLE IF NOT EXISTS {_name(connection, schema, SESSION_TABLE)} ("
        f"{quote('subject')} varchar(64) NOT NULL, {quote('session_datetime')} {stamp} NOT NULL,"
        f" {quote('root_id')} varchar(1024) NOT NULL,"
        f" PRIMARY KEY ({quote('subject')}, {quote('session_datetime')}))"
    )
    connection.query(
        f"CREATE TABLE IF NOT EXISTS {_name(connection, schema, REGISTRY_TABLE)} ("
        f"{quote('table_name')} varchar(64) NOT NULL, {quote('entry')} varchar(64) NOT NULL,"
        f" {quote('root_id')} varchar(1024) NOT NULL,"
        f" PRIMARY KEY ({quote('table_name')}, {quote('entry')}))"
    )
    # one row per root (publishers take turns: a root's row is deleted, then inserted)
    connection.query(
        f"CREATE TABLE IF NOT EXISTS {_name(connection, schema, ROOT_TABLE)} ("
        f"{quote('root_id')} varchar(1024) NOT NULL, {quote('view_stamp')} varchar(64) NOT NULL,"
        f" {quote('xid')} bigint NOT NULL, {quote('counts')} text NOT NULL)"
    )


def session_owners(connection: Any, schema: str) -> dict[SessionKey, str]:
    """The recorded root of each session (empty when the tables do not exist yet)."""
    if not exists(connection, schema):
        return {}
    sql = (
        f"SELECT subject, session_datetime, root_id FROM {_name(connection, schema, SESSION_TABLE)}"
    )
    return {(str(s), _naive(d)): str(r) for s, d, r in connection.query(sql).fetchall()}


def registry_owners(connection: Any, schema: str) -> dict[tuple[str, str], str]:
    """The recorded root of each registry entry: (table, key) -> root_id."""
    if not exists(connection, schema):
        return {}
    sql = f"SELECT table_name, entry, root_id FROM {_name(connection, schema, REGISTRY_TABLE)}"
    return {(str(t), str(e)): str(r) for t, e, r in connection.query(sql).fetchall()}


def record_sessions(connection: Any, schema: str, keys: list[SessionKey], root_id: str) -> None:
    """Record ``root_id`` as the owner of these sessions (replacing any record)."""
    forget_sessions(connection, schema, keys)
    _insert(connection, schema, SESSION_TABLE, [(s, d, root_id) for s, d in keys])


def record_registry(
    connection: Any, schema: str, entries: list[tuple[str, str]], root_id: str
) -> None:
    """Record ``root_id`` as the owner of these registry entries (replacing any record)."""
    _delete(connection, schema, REGISTRY_TABLE, ("table_name", "entry"), entries)
    _insert(connection, schema, REGISTRY_TABLE, [(t, e, root_id) for t, e in entries])


def forget_sessions(connection: Any, schema: str, keys: list[SessionKey]) -> None:
    """Remove the records of these sessions."""
    _delete(connection, schema, SESSION_TABLE, ("subject", "session_datetime"), keys)


def _insert(connection: Any, schema: str, table: str, rows: list[tuple[Any, ...]]) -> None:
    name = _name(connection, schema, table)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        values = ", ".join(["(%s, %s, %s)"] * len(chunk))
        args = [value for row in chunk for value in row]
        connection.query(f"INSERT INTO {name} VALUES {values}", args=args)


def _delete(
    connection: Any,
    schema: str,
    table: str,
    columns: tuple[str, str],
    keys: list[SessionKey] | list[tuple[str, str]],
) -> None:
    name = _name(connection, schema, table)
    quote = connection.adapter.quote_identifier
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        args = [value for key in chunk for value in key]
        where = f"({quote(columns[0])}, {quote(columns[1])}) IN ({values})"
        connection.query(f"DELETE FROM {name} WHERE {where}", args=args)


def _naive(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.fromisoformat(str(value))
