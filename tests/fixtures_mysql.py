"""A throwaway MariaDB 10.11 server for the DataJoint tests, started once per test session.

The MySQL-family backend of DataJoint (``DJ_BACKEND=mysql``) is tested against Debian's
``mariadb-server`` (no MySQL 8 server is packaged for Debian). The server gets its own data
directory (``mariadb-install-db``), socket, pid file and a free port of 127.0.0.1, and runs as
the ``mysql`` system user when the tests run as root (MariaDB refuses root without
``--user``), else as the current user; the system service is never used. Its options are
those of Debian's packaged configuration that matter to session-files: ``utf8mb4`` with
``utf8mb4_general_ci``, a case-insensitive collation, as most MySQL-family servers have.
Durability is off (a test server). Missing server binaries skip the tests with the command
that installs them, and fail them when CI is set (tests/system.py).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_database import DatabaseServer, free_port
from tests.system import require

MYSQL_BIN = Path(os.environ.get("SESSION_FILES_MYSQL_BIN", "/usr/sbin"))
CLIENT_BIN = Path(os.environ.get("SESSION_FILES_MYSQL_CLIENT_BIN", "/usr/bin"))
ROLE = "session_files"
PASSWORD = "session-files-test"
INSTALL_HINT = "install mariadb-server (apt-get install mariadb-server)"


def _owner() -> dict[str, Any]:
    """Keyword arguments that make subprocess calls run as the mysql user when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("mysql")
    except KeyError:
        pytest.fail(
            f"running as root, and MariaDB refuses root: {INSTALL_HINT}, which creates the"
            " `mysql` system user",
            pytrace=False,
        )
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _tool(directory: Path, *names: str) -> Path:
    """The first of ``names`` (MariaDB's name, then MySQL's) found in ``directory``."""
    for name in names:
        if (directory / name).is_file():
            return directory / name
    pytest.fail(
        f"MariaDB binaries {list(names)} not found in {directory}: {INSTALL_HINT} or set"
        " SESSION_FILES_MYSQL_BIN / SESSION_FILES_MYSQL_CLIENT_BIN",
        pytrace=False,
    )


def _failed(what: str, directory: Path, output: str) -> None:
    log = directory / "server.log"
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    pytest.fail(f"{what} failed:\n{output}{tail}", pytrace=False)


@contextmanager
def running_mariadb() -> Iterator[DatabaseServer]:
    """Start MariaDB in a fresh directory, create a role with a password, stop and remove it.

    A plain context manager, so benchmarks can start one too.
    """
    if "SESSION_FILES_MYSQL_BIN" not in os.environ:
        require(str(MYSQL_BIN / "mariadbd"))
    server = _tool(MYSQL_BIN, "mariadbd", "mysqld")
    install = _tool(CLIENT_BIN, "mariadb-install-db", "mysql_install_db")
    client = _tool(CLIENT_BIN, "mariadb", "mysql")
    owner = _owner()
    base = "/tmp" if Path("/tmp").is_dir() else None  # reachable by mysql; a short socket path
    directory = Path(tempfile.mkdtemp(prefix="session-files-my-", dir=base))
    if owner:
        os.chown(directory, owner["user"], owner["group"])
    data, socket = directory / "data", directory / "server.sock"
    done = subprocess.run(
        [str(install), "--no-defaults", f"--datadir={data}", "--auth-root-authentication-method=normal",
         "--skip-test-db", "--skip-name-resolve"],
        cwd=directory, capture_output=True, text=True, check=False, **owner,
    )  # fmt: skip
    if done.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        _failed(f"{install.name} ({done.returncode})", directory, done.stdout + done.stderr)
    port = free_port()
    process = subprocess.Popen(
        [str(server), "--no-defaults", f"--datadir={data}", f"--socket={socket}",
         f"--pid-file={directory / 'server.pid'}", f"--log-error={directory / 'server.log'}",
         f"--port={port}", "--bind-address=127.0.0.1", "--skip-name-resolve", "--skip-log-bin",
         "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
         "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=0",
         "--innodb-doublewrite=0", "--skip-innodb-adaptive-hash-index"],
        cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **owner,
    )  # fmt: skip
    try:
        sql = (
            f"CREATE USER '{ROLE}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}';"
            f" GRANT ALL PRIVILEGES ON *.* TO '{ROLE}'@'127.0.0.1';"
        )
        command = [str(client), "--no-defaults", f"--socket={socket}", "-u", "root", "-e", sql]
        _wait_until_ready(process, command, directory, owner)
        yield DatabaseServer("mysql", "127.0.0.1", port, ROLE, PASSWORD, directory)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_until_ready(
    process: subprocess.Popen[bytes], command: list[str], directory: Path, owner: dict[str, Any]
) -> None:
    """Run the first statements as soon as the server takes connections (it starts in ~1 s)."""
    output = ""
    for _ in range(600):
        if process.poll() is not None:
            _failed(f"mariadbd exited ({process.returncode}) while starting", directory, output)
        done = subprocess.run(
            command, cwd=directory, capture_output=True, text=True, check=False, **owner
        )
        if done.returncode == 0:
            return
        output = done.stdout + done.stderr
        time.sleep(0.1)
    _failed("mariadbd did not take connections within 60 s", directory, output)


@pytest.fixture(scope="session")
def mariadb_process() -> Iterator[DatabaseServer]:
    """The MariaDB server process (DataJoint is pointed at it by ``database_server``)."""
    with running_mariadb() as server:
        yield server
