"""What differs between the database backends DataJoint 2 speaks, in one place.

- **Transactional DDL.** PostgreSQL runs ``CREATE SCHEMA``/``CREATE TABLE``/``COMMENT ON``
  inside a transaction, so a schema's whole declaration commits or vanishes together. MySQL
  (and MariaDB) commit each DDL statement on its own; there each ``CREATE TABLE`` carries its
  column comments inline, so a table is whole or absent, and a declaration cut short is
  finished by the next publish (``declaration``).
- **Bulk inserts.** PostgreSQL takes rows by ``COPY``; MySQL by multi-row ``INSERT``.
- **The publishers' lock.** Publishers of one schema take turns: a lock named after the
  schema, held by the connection for the whole publish (PostgreSQL's advisory lock, MySQL's
  ``GET_LOCK``). The server releases it when the connection ends, a killed process included.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

LOCK_NAMESPACE = "session-files publish"
# MySQL's GET_LOCK takes a timeout in seconds; a year stands for "wait as long as it takes"
# (negative values mean "forever" on MySQL 8 only, not on every MariaDB).
MYSQL_LOCK_WAIT = 365 * 24 * 3600


def is_postgres(connection: Any) -> bool:
    """True for PostgreSQL, false for MySQL and MariaDB."""
    return str(connection.adapter.backend) == "postgresql"


def transactional_ddl(connection: Any) -> bool:
    """True when DDL statements take part in a transaction (PostgreSQL)."""
    return is_postgres(connection)


def lock_key(schema: str) -> int:
    """The 63-bit key of the publishers' lock of ``schema`` (PostgreSQL advisory locks)."""
    digest = hashlib.sha256(f"{LOCK_NAMESPACE}:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_name(schema: str) -> str:
    """The name of the publishers' lock of ``schema`` (MySQL: at most 64 characters)."""
    return "session_files:" + hashlib.sha256(schema.encode()).hexdigest()[:40]


def lock_schema(connection: Any, schema: str) -> None:
    """Take the publishers' lock of ``schema``, waiting for another publisher to finish."""
    if is_postgres(connection):
        connection.query("SELECT pg_advisory_lock(%s)", args=(lock_key(schema),))
        return
    got = connection.query(
        "SELECT GET_LOCK(%s, %s)", args=(lock_name(schema), MYSQL_LOCK_WAIT)
    ).fetchone()
    if not got or got[0] != 1:
        msg = f"could not take the publishers' lock of {schema}"
        raise RuntimeError(msg)


def unlock_schema(connection: Any, schema: str) -> None:
    """Give the publishers' lock of ``schema`` back."""
    if is_postgres(connection):
        connection.query("SELECT pg_advisory_unlock(%s)", args=(lock_key(schema),))
    else:
        connection.query("SELECT RELEASE_LOCK(%s)", args=(lock_name(schema),))


@contextmanager
def ddl_transaction(connection: Any) -> Iterator[bool]:
    """A transaction around DDL where the backend has one (yields True), else nothing
    (yields False: each statement commits on its own).

    DataJoint's ``Connection.transaction`` refuses table declarations (on MySQL they would
    commit it); on PostgreSQL the declaration is sent inside a plain BEGIN/COMMIT instead.
    """
    if not transactional_ddl(connection):
        yield False
        return
    adapter = connection.adapter
    connection.query(adapter.start_transaction_sql())
    try:
        yield True
    except BaseException:
        connection.query(adapter.rollback_sql())
        raise
    connection.query(adapter.commit_sql())


def insert_rows(
    connection: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert rows (values already as the database stores them: blobs as the codec's bytes)
    into ``table`` (quoted full name), inside the caller's transaction.

    PostgreSQL: one ``COPY ... FROM STDIN`` (text format) per call, the server's bulk path.
    MySQL: multi-row ``INSERT`` statements of ``INSERT_CHUNK`` rows.
    """
    if not rows:
        return
    quote = connection.adapter.quote_identifier
    names = ", ".join(quote(column) for column in columns)
    if is_postgres(connection):
        text = "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows)
        cursor = connection._conn.cursor()  # DataJoint's psycopg2 connection, same transaction
        try:
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO(text))
        finally:
            cursor.close()
        return
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        args = tuple(value for row in chunk for value in row)
        connection.query(f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}",
                         args=args)  # fmt: skip


INSERT_CHUNK = 1000
_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if type(value) is str:  # most values: escaped only when they hold a special character
        return value.translate(_COPY_ESCAPES) if _SPECIAL.search(value) else value
    if value is None:
        return "\\N"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        msg = f"no COPY text for {type(value).__name__} values"
        raise TypeError(msg)
    return str(value).translate(_COPY_ESCAPES)
