"""The DataJoint tests run against every backend session-files claims: PostgreSQL 15 and
MariaDB 10.11 (DataJoint's ``mysql`` backend), each a throwaway server started by the tests.

``database_server`` is parametrized over the backends, so every test that takes it, or
``schema_name``, runs once per backend (test ids ``[postgresql]`` and ``[mariadb]``); pytest
runs all tests of one backend, then all of the other, and DataJoint (``dj.config`` and the
``DJ_*`` variables, for subprocesses) points at the server of the backend in use. A backend
whose server cannot start fails its tests; nothing is skipped. ``SESSION_FILES_BACKENDS``
(comma-separated, e.g. ``postgresql``) narrows a local run; CI never sets it. A test of one
backend's own machinery says so with ``@pytest.mark.backends("postgresql")``.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

BACKENDS = {"postgresql": "postgres_process", "mysql": "mariadb_process"}
IDS = {"postgresql": "postgresql", "mysql": "mariadb"}


@dataclass(frozen=True)
class DatabaseServer:
    """Where a test server listens and how to log in."""

    backend: str  # DataJoint's name: "postgresql" or "mysql"
    host: str
    port: int
    user: str
    password: str
    directory: Path

    def env(self) -> dict[str, str]:
        """DataJoint's own connection variables for this server."""
        return {
            "DJ_HOST": self.host,
            "DJ_PORT": str(self.port),
            "DJ_USER": self.user,
            "DJ_PASS": self.password,
            "DJ_BACKEND": self.backend,
            "DJ_USE_TLS": "false",
        }

    def table(self, schema: str, table: str) -> str:
        """A table's full name as DataJoint writes it (``full_table_name``)."""
        quote = "`" if self.backend == "mysql" else '"'
        return f"{quote}{schema}{quote}.{quote}{table}{quote}"


def in_quoting_of(backend: str, sql: str) -> str:
    """The tests' SQL, written with "double-quoted" identifiers, in ``backend``'s quoting.

    The tests quote identifiers with double quotes and strings with single quotes; MySQL
    quotes identifiers with backticks (DataJoint's MySQL connections do not set ANSI_QUOTES).
    """
    return sql.replace('"', "`") if backend == "mysql" else sql


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _selected() -> list[str]:
    wanted = os.environ.get("SESSION_FILES_BACKENDS")
    if not wanted:
        return list(BACKENDS)
    chosen = [name.strip() for name in wanted.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BACKENDS))
    if unknown:
        msg = f"SESSION_FILES_BACKENDS names unknown backends {unknown}; known: {list(BACKENDS)}"
        raise pytest.UsageError(msg)
    return chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``database_server`` (and so everything using it) over the backends."""
    if "database_server" in metafunc.fixturenames:
        backends = _selected()
        only = metafunc.definition.get_closest_marker("backends")
        if only is not None:  # a test of one backend's own machinery (its catalog, its locks)
            unknown = sorted(set(only.args) - set(BACKENDS))
            if unknown:
                msg = f"@pytest.mark.backends names unknown backends {unknown}"
                raise pytest.UsageError(msg)
            backends = [b for b in backends if b in only.args]
        metafunc.parametrize(
            "database_server",
            backends,
            ids=[IDS[b] for b in backends],
            indirect=True,
            scope="session",
        )


@pytest.fixture(scope="session")
def database_server(request: pytest.FixtureRequest) -> Iterator[DatabaseServer]:
    """The server of the backend this test runs on, with DataJoint's settings pointing at it."""
    server: DatabaseServer = request.getfixturevalue(BACKENDS[request.param])
    with datajoint_settings(server):
        yield server


@pytest.fixture(scope="session")
def postgres_server(database_server: DatabaseServer) -> DatabaseServer:
    """The name the DataJoint tests used before MariaDB: the server of this test's backend."""
    return database_server


_ACTIVE: list[DatabaseServer] = []  # the servers DataJoint was pointed at, innermost last


@contextmanager
def datajoint_settings(server: DatabaseServer) -> Iterator[None]:
    """Point DataJoint (config and DJ_* variables) at the server; restore the variables.

    Nested (a test comparing the backends), the outer server's settings and a connection to
    it are restored on exit.
    """
    saved = {name: os.environ.get(name) for name in server.env()}
    _ACTIVE.append(server)
    _connect(server)
    try:
        yield
    finally:
        _ACTIVE.pop()
        from session_files.datajoint import _dj

        _dj.load().conn().close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if _ACTIVE:
            _connect(_ACTIVE[-1])


def _connect(server: DatabaseServer) -> None:
    from session_files.datajoint import _dj

    dj = _dj.load()
    os.environ.update(server.env())
    dj.config["database.backend"] = server.backend
    dj.config["database.host"] = server.host
    dj.config["database.port"] = server.port
    dj.config["database.user"] = server.user
    dj.config["database.password"] = server.password
    dj.config["database.use_tls"] = False
    dj.config["safemode"] = False
    dj.conn(reset=True)


@pytest.fixture
def schema_name(database_server: DatabaseServer) -> str:
    """A fresh schema name for one test (the servers are thrown away at the end)."""
    return f"sf_{uuid.uuid4().hex[:10]}"
