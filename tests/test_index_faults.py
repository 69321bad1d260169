"""Index faults: a damaged, foreign or half-written index never gives a wrong answer.

The index is a cache of the files: when it cannot be trusted it is rebuilt (with a
warning), and what the API returns afterwards equals a cold, in-memory rebuild. A refresh
killed at a random moment (SIGKILL, its worker processes included) leaves an index that
the next run opens and brings up to date.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from session_files import Catalog, IndexRebuiltWarning, Report, update_index
from session_files.api import validate_and_load
from session_files.index import open_index
from session_files.index.store import IndexRefusedError
from session_files.read.scan import open_root
from session_files.records import TABLES
from tests.fixtures_roots import cold, many_sessions, sidecar, snapshot, write_root

REPO = Path(__file__).resolve().parents[1]
View = tuple[dict[str, list[dict[str, Any]]], list[Any]]


def reported(checked: tuple[Report, Catalog]) -> View:
    """What ``validate_and_load`` returned, in the shape of ``cold``."""
    report, catalog = checked
    with catalog:
        tables = {name: catalog[name].to_dicts() for name in TABLES}
    return tables, [finding.to_dict() for finding in report.findings]


@pytest.fixture
def indexed_root(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """A root of 300 sessions (some with findings), its index, and the index's bytes."""
    root = many_sessions(tmp_path / "root", 300, bad_every=20)
    index = tmp_path / "index.sqlite"
    update_index(root, index=index)
    return root, index, index.read_bytes()


@pytest.mark.parametrize("keep", ["first page", "half", "all but the last page"])
def test_a_truncated_index_is_rebuilt_with_a_warning(
    indexed_root: tuple[Path, Path, bytes], keep: str
) -> None:
    root, index, data = indexed_root
    page = int.from_bytes(data[16:18], "big")  # the page size, from the SQLite header
    size = {"first page": page, "half": len(data) // 2}.get(keep, len(data) - page)
    index.write_bytes(data[:size])  # its header still says it is a session-files index
    with pytest.warns(IndexRebuiltWarning, match="is unreadable .*rebuilt from scratch"):
        checked = validate_and_load(root, index=index)
    assert reported(checked) == cold(root)
    assert update_index(root, index=index).refresh.warnings == []  # and it stays rebuilt


@pytest.mark.parametrize(
    "garbage",
    [
        lambda data: data[:50],
        lambda data: random.Random(1).randbytes(len(data)),
        lambda data: b"\x00" * len(data),
        lambda data: b"SQLite format 3\x00" + random.Random(2).randbytes(len(data) - 16),
    ],
    ids=["header-only", "random", "zeros", "sqlite-header-then-random"],
)
def test_a_file_that_is_not_positively_an_index_is_refused_never_replaced(
    indexed_root: tuple[Path, Path, bytes], garbage: Any
) -> None:
    """Only a file whose SQLite header carries the index's application id (or an older
    index's meta table) is ever rebuilt: anything else may be someone's data."""
    root, index, data = indexed_root
    content = garbage(data)
    index.write_bytes(content)
    with pytest.raises(
        IndexRefusedError, match="is not a session-files index; it is left untouched"
    ):
        validate_and_load(root, index=index)
    assert index.read_bytes() == content
    assert sorted(p.name for p in index.parent.iterdir()) == ["index.sqlite", "root"]


@pytest.mark.parametrize(
    ("key", "value"), [("index_schema", "0"), ("tool_version", "999.0"), ("format", "other")]
)
def test_an_index_of_another_version_is_rebuilt_never_read(
    indexed_root: tuple[Path, Path, bytes], key: str, value: str
) -> None:
    root, index, _ = indexed_root
    conn = sqlite3.connect(index)
    with conn:  # rows that must never be served: every finding gone, every session moved
        conn.execute("DELETE FROM finding")
        conn.execute("UPDATE stage_session SET session_dir = 'wrong'")
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    conn.close()
    with pytest.warns(IndexRebuiltWarning, match="cannot be used because"):
        checked = validate_and_load(root, index=index)
    assert reported(checked) == cold(root)


REFRESH = textwrap.dedent(
    """
    import sys
    from session_files import update_index
    print("refreshing", flush=True)
    update_index(sys.argv[1], index=sys.argv[2])
    print("done", flush=True)
    """
)


def kill_mid_refresh(root: Path, index: Path, delay: float) -> bool:
    """Start a refresh in a child (its own process group: the extract workers too), SIGKILL
    the group after ``delay`` seconds; True when it was still refreshing."""
    child = subprocess.Popen(
        [sys.executable, "-c", REFRESH, str(root), str(index)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "refreshing\n"
    time.sleep(delay)
    running = child.poll() is None
    with contextlib.suppress(ProcessLookupError):  # the group is gone when it had finished
        os.killpg(child.pid, signal.SIGKILL)
    _, err = child.communicate(timeout=120)
    if not running:
        assert child.returncode == 0, err
    return running


def test_a_refresh_killed_at_random_moments_leaves_a_usable_index(tmp_path: Path) -> None:
    """A root large enough (3,000 sessions) that a refresh takes a second or so and uses
    worker processes. Each round changes a third of the sidecars (every other round starts
    from no index at all) and kills the refresh at a random moment; when a refresh ends
    before its kill, the next kills come sooner, until five have landed mid-refresh."""
    root = many_sessions(tmp_path / "root", 3000, bad_every=50)
    index = tmp_path / "index.sqlite"
    chance = random.Random(20240115)
    killed, rounds, latest = 0, 0, 2.0
    while killed < 5:
        rounds += 1
        assert rounds <= 40, f"only {killed} kills landed during a refresh"
        if rounds % 2:
            index.unlink(missing_ok=True)
        changes: dict[str, str | bytes | None] = {
            f"new/{rounds}/{i}/session.yaml": sidecar("M002", f"2025-01-{rounds:02d} 00:00:{i:02d}")
            for i in range(40)
        }
        old, new = ("n:", "m:") if rounds % 4 < 2 else ("m:", "n:")
        for path in sorted(root.glob("M00[12]/*/session.yaml"))[rounds % 3 :: 3]:
            changes[path.relative_to(root).as_posix()] = path.read_text().replace(old, new)
        write_root(root, changes)
        if kill_mid_refresh(root, index, chance.uniform(0.0, latest)):
            killed += 1
        else:
            latest *= 0.6  # this machine refreshes faster than that: kill sooner

        conn = sqlite3.connect(index)  # whatever the kill left is a sound SQLite file
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            conn.close()
        conn, _ = open_index(open_root(root), index)
        try:
            assert snapshot(conn) == cold(root)
        finally:
            conn.close()
