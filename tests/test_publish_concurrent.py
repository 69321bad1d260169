"""Two roots publishing into one schema at the same time, in processes of their own, on the
real PostgreSQL: shared identical registry rows never fail either; a differing one is a
conflict naming both roots; nothing is half-written.

The overlap is made certain from the server's state: the first publisher is held inside its
declaration (``tests/faults.py``) until the second is seen waiting for the publishers' lock.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from session_files.datajoint.backend import lock_key
from tests import faults
from tests.fixtures_postgres import PostgresServer
from tests.test_publish import SUBJECTS, make_root

# PostgreSQL's own machinery (its catalog, locks, xmin, superuser hooks)
pytestmark = [pytest.mark.postgres, pytest.mark.backends("postgresql")]


def two_roots(base: Path, *, differing: bool) -> tuple[Path, Path]:
    first = make_root(base / "lab-a", sessions=6)
    (first / "session-files.yaml").write_text("root_id: lab-a\n", encoding="utf-8")
    second = base / "lab-b"
    shutil.copytree(first, second)
    (second / "session-files.yaml").write_text("root_id: lab-b\n", encoding="utf-8")
    for sidecar in second.rglob("session.yaml"):  # other sessions, the same registries
        sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("2024-02-", "2025-03-"))
    if differing:
        (second / "registry" / "subjects.yaml").write_text(
            SUBJECTS.replace("Mickey", "Minnie"), encoding="utf-8"
        )
    return first, second


def waiting_for_publishers_lock(admin: Any, schema: str) -> bool:
    key = lock_key(schema) & 0xFFFF_FFFF_FFFF_FFFF
    rows = faults.execute(
        admin,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        f" AND classid = {key >> 32} AND objid = {key & 0xFFFF_FFFF} AND objsubid = 1",
    )
    return bool(rows[0][0])


def side_by_side(
    server: PostgresServer, admin: Any, schema: str, first: Path, second: Path
) -> tuple[tuple[int, str], tuple[int, str]]:
    """Publish both roots at once; the exit status and output of each."""
    faults.execute(admin, faults.FUNCTIONS)
    faults.execute(admin, faults.declaration_hook(schema, 3))
    try:
        with faults.held(admin):
            one = faults.cli(server, "publish", str(first), "--schema", schema)
            faults.until(lambda: faults.waiting(admin) or one.poll() is not None, "the first")
            assert one.poll() is None, one.communicate()[0].decode()
            two = faults.cli(server, "publish", str(second), "--schema", schema)
            faults.until(
                lambda: waiting_for_publishers_lock(admin, schema) or two.poll() is not None,
                "the second publisher to wait for the first",
            )
            assert two.poll() is None, two.communicate()[0].decode()
    finally:
        faults.drop_hooks(admin, schema)
    return finished(one), finished(two)


def finished(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    output = process.communicate()[0].decode()
    return process.returncode, output


@pytest.fixture
def admin(postgres_server: PostgresServer) -> Any:
    connection = faults.superuser(postgres_server)
    yield connection
    connection.close()


def test_two_roots_sharing_registry_rows_both_publish(
    tmp_path: Path, schema_name: str, admin: Any, postgres_server: PostgresServer
) -> None:
    first, second = two_roots(tmp_path, differing=False)
    one, two = side_by_side(postgres_server, admin, schema_name, first, second)
    assert one == (0, f"inserted 6 sessions and 7 registry rows into {schema_name}\n"
                      "unchanged: 0 sessions and 0 registry rows\n")  # fmt: skip
    assert two == (0, f"inserted 6 sessions and 0 registry rows into {schema_name}\n"
                      "unchanged: 0 sessions and 7 registry rows\n")  # fmt: skip
    owners = faults.execute(
        admin,
        f'SELECT root_id, count(*) FROM "{schema_name}"."~session_files_session"'
        " GROUP BY 1 ORDER BY 1",
    )
    assert owners == [("lab-a", 6), ("lab-b", 6)]


def test_a_differing_registry_row_is_a_conflict_naming_both_roots(
    tmp_path: Path, schema_name: str, admin: Any, postgres_server: PostgresServer
) -> None:
    first, second = two_roots(tmp_path, differing=True)
    one, two = side_by_side(postgres_server, admin, schema_name, first, second)
    assert one[0] == 0
    assert two[0] == 1
    assert two[1].splitlines()[0] == (
        "conflict: subject 'M001' belongs to root 'lab-a', which published it; it differs"
        " from the database: subject_nickname is 'Mickey' there, 'Minnie' in the files of"
        " root 'lab-b'"
    )
    nickname = faults.execute(
        admin, f'SELECT subject_nickname FROM "{schema_name}"."subject" WHERE subject = \'M001\''
    )
    assert nickname == [("Mickey",)]
    sessions = faults.execute(admin, f'SELECT count(*) FROM "{schema_name}"."session"')
    assert sessions == [(12,)]  # the other sessions of lab-b are published, whole
