"""A throwaway PostgreSQL 15 server for the DataJoint tests, started once per test session.

PostgreSQL refuses to run as root, and CI runs as root: the cluster is created in a fresh
directory owned by the ``postgres`` system user (``nobody`` where there is none) and every
server command runs as that user (``subprocess.run(user=...)``). When the tests do not run as
root, the server runs as the current user. pytest-postgresql's executor starts ``pg_ctl`` as the current user, which is
exactly what cannot work as root, so the few commands are run here directly.

The server listens on a free port of 127.0.0.1 with password (scram-sha-256) authentication
for TCP; the tests connect as a dedicated role through DataJoint's own settings
(``dj.config`` in-process, ``DJ_*`` variables for subprocesses). Missing server binaries skip
the tests with the command that installs them, and fail them when CI is set (tests/system.py).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_database import DatabaseServer, free_port
from tests.system import require

PG_BIN = Path(os.environ.get("SESSION_FILES_PG_BIN", "/usr/lib/postgresql/15/bin"))
ROLE = "session_files"
PASSWORD = "session-files-test"


# The name the tests used before MariaDB; the servers of both backends are described alike.
PostgresServer = DatabaseServer


def _owner() -> dict[str, Any]:
    """Keyword arguments that make subprocess.run run as the postgres user when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:  # no postgres user (a fresh machine): any unprivileged one will do
        entry = pwd.getpwnam("nobody")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _run(command: list[str], directory: Path, owner: dict[str, Any]) -> None:
    done = subprocess.run(
        command, cwd=directory, capture_output=True, text=True, check=False, **owner
    )
    if done.returncode != 0:
        log = directory / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}",
            pytrace=False,
        )


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start PostgreSQL (initdb + pg_ctl), create a role with a password, stop and remove it.

    A plain context manager, so benchmarks (benchmarks/publish.py) can start one too.
    """
    if "SESSION_FILES_PG_BIN" not in os.environ:
        require(str(PG_BIN / "initdb"))
    missing = [tool for tool in ("initdb", "pg_ctl", "psql") if not (PG_BIN / tool).is_file()]
    if missing:
        pytest.fail(
            f"PostgreSQL server binaries {missing} not found in {PG_BIN}: install"
            " postgresql-15 (apt-get install postgresql-15) or set SESSION_FILES_PG_BIN",
            pytrace=False,
        )
    owner = _owner()
    # Under /tmp: the postgres user can reach it, and the socket path stays short.
    base = "/tmp" if Path("/tmp").is_dir() else None
    directory = Path(tempfile.mkdtemp(prefix="session-files-pg-", dir=base))
    if owner:
        os.chown(directory, owner["user"], owner["group"])
    data = directory / "data"
    port = free_port()
    started = False
    try:
        _run(
            [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
             "--no-locale", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256"],
            directory,
            owner,
        )  # fmt: skip
        options = (
            f"-p {port} -k {directory} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        _run(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"),
             "-w", "-t", "60", "-o", options, "start"],
            directory,
            owner,
        )  # fmt: skip
        started = True
        sql = (
            f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}';"
            f" GRANT CREATE ON DATABASE postgres TO {ROLE};"
        )
        _run(
            [str(PG_BIN / "psql"), "-h", str(directory), "-p", str(port), "-U", "postgres",
             "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            directory,
            owner,
        )  # fmt: skip
        yield DatabaseServer("postgresql", "127.0.0.1", port, ROLE, PASSWORD, directory)
    finally:
        if started:
            subprocess.run(
                [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                cwd=directory,
                capture_output=True,
                check=False,
                **owner,
            )
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_process() -> Iterator[DatabaseServer]:
    """The PostgreSQL server process (DataJoint is pointed at it by ``database_server``)."""
    with running_postgres() as server:
        yield server
