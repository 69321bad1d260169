"""What differs between the database backends DataJoint 2 speaks, in one place.

- **Transactional DDL.** PostgreSQL runs ``CREATE SCHEMA``/``CREATE TABLE``/``COMMENT ON``
  inside a transaction, so a schema's whole declaration commits or vanishes together. MySQL
  (and MariaDB) commit each DDL statement on its own; there each ``CREATE TABLE`` carries its
  column comments inline, so a table is whole or absent, and a declaration cut short is
  finished by the next publish (``declaration``).
- **The publishers' lock.** Publishers of one schema take turns: a lock named after the
  schema, held by the connection for the whole publish (PostgreSQL's advisory lock, MySQL's
  ``GET_LOCK``). The server releases it when the connection ends, a killed process included.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
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
