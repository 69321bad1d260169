"""Kill points chosen from the server's own state, for the fault tests of publish.

A *hook* makes one server backend wait at an exact point of a publish: a trigger (or an
event trigger, for the declaration) calls ``pg_advisory_lock(HOOK)``, which the test holds.
The test sees the publisher waiting in ``pg_locks``, SIGKILLs the publishing process, lets
the orphaned backend go on (it finds its client gone and rolls back, or, inside COMMIT,
commits), waits until the server has ended it, and removes the hook.

Hooks are installed as the server's superuser, over its Unix socket.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.fixtures_postgres import PostgresServer

HOOK = 4_242_424  # the advisory lock the hooks wait for
WAIT = f"PERFORM pg_advisory_lock({HOOK}); PERFORM pg_advisory_unlock({HOOK});"
FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION public.sf_fault_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {WAIT} RETURN NULL; END $$;
"""
PATIENCE = 120.0  # seconds a step may take before the test gives up (never a speed check)


def superuser(server: PostgresServer) -> Any:
    """An autocommit connection as ``postgres`` over the server's socket."""
    connection = psycopg2.connect(
        host=str(server.directory), port=server.port, user="postgres", dbname="postgres"
    )
    connection.autocommit = True
    return connection


def execute(connection: Any, sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall()) if cursor.description else []


def table_hook(schema: str, table: str, event: str, *, at_commit: bool = False) -> str:
    """SQL making the first ``event`` (INSERT, UPDATE, DELETE) on the table wait; with
    ``at_commit``, the wait happens inside COMMIT (a deferred constraint trigger)."""
    name = f'"{schema}"."{table}"'
    if at_commit:
        return (
            f"CREATE CONSTRAINT TRIGGER sf_fault AFTER {event} ON {name}"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.sf_fault_row()"
        )
    return (
        f"CREATE TRIGGER sf_fault BEFORE {event} ON {name}"
        " FOR EACH STATEMENT EXECUTE FUNCTION public.sf_fault_row()"
    )


def declaration_hook(schema: str, tables: int) -> str:
    """SQL making the declaration of ``schema`` wait once it holds ``tables`` tables (as its
    own transaction sees them)."""
    return f"""
CREATE OR REPLACE FUNCTION public.sf_fault_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}') = {tables} THEN {WAIT}
  END IF;
END $$;
CREATE EVENT TRIGGER sf_fault ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
  EXECUTE FUNCTION public.sf_fault_ddl();
"""


def drop_hooks(connection: Any, schema: str) -> None:
    execute(connection, "DROP EVENT TRIGGER IF EXISTS sf_fault")
    rows = execute(
        connection,
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        f" JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}'"
        " AND t.tgname = 'sf_fault'",
    )
    for (table,) in rows:
        execute(connection, f'DROP TRIGGER sf_fault ON "{schema}"."{table}"')


def waiting(connection: Any) -> list[int]:
    """Backends waiting for the hook's lock."""
    rows = execute(
        connection,
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        f" AND classid = 0 AND objid = {HOOK} AND objsubid = 1",
    )
    return [int(pid) for (pid,) in rows]


def until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}", pytrace=False)
        time.sleep(0.01)


@contextmanager
def held(connection: Any) -> Iterator[None]:
    """Hold the hook's lock: every hook that fires waits."""
    execute(connection, f"SELECT pg_advisory_lock({HOOK})")
    try:
        yield
    finally:
        execute(connection, "SELECT pg_advisory_unlock_all()")


def cli(server: PostgresServer, *args: str) -> subprocess.Popen[bytes]:
    """``session-files ARGS`` in a process of its own, connected with the DJ_* variables."""
    env = {**os.environ, **server.env()}
    return subprocess.Popen(
        [sys.executable, "-m", "session_files", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[1],
    )


def kill_at_hook(connection: Any, process: subprocess.Popen[bytes]) -> None:
    """Wait until the process's backend waits at the hook, SIGKILL the process, let the
    backend go on and wait until the server has ended it."""

    def blocked_or_done() -> bool:
        return bool(waiting(connection)) or process.poll() is not None

    until(blocked_or_done, "the publish to reach the kill point")
    if process.poll() is not None:
        output = process.stdout.read().decode() if process.stdout else ""
        if process.stdout:
            process.stdout.close()
        pytest.fail(f"the publish ended before the kill point:\n{output}", pytrace=False)
    (backend,) = waiting(connection)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.stdout:
        process.stdout.close()
    execute(connection, "SELECT pg_advisory_unlock_all()")

    def ended() -> bool:
        return not execute(connection, f"SELECT 1 FROM pg_stat_activity WHERE pid = {backend}")

    until(ended, "the server to end the killed publisher's session")


def dump(connection: Any, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the schema (hidden ones included), rows sorted, with the schema's name
    in values (DataJoint's lineage) replaced by a placeholder."""
    tables = execute(
        connection,
        f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}'",
    )
    dumped: dict[str, list[tuple[Any, ...]]] = {}
    for (table,) in sorted(tables):
        # the transaction id a view stamp records is one run's own; the rest must match
        columns = "root_id, view_stamp, counts" if table == "~session_files_root" else "*"
        rows = execute(connection, f'SELECT {columns} FROM "{schema}"."{table}"')
        cleaned = [tuple(_plain(value, schema) for value in row) for row in rows]
        dumped[table] = sorted(cleaned, key=repr)
    return dumped


def _plain(value: Any, schema: str) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.replace(schema, "<schema>")
    return value
