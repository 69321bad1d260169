"""Two real processes refreshing one index at the same time never corrupt it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from session_files.index import open_index
from session_files.read.scan import open_root
from tests.fixtures_roots import cold, many_sessions, sidecar, snapshot, write_root

REPO = Path(__file__).resolve().parents[1]
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from session_files import load_catalog, update_index
    root, index, go, name = sys.argv[1:]
    while not Path(go).exists():
        time.sleep(0.005)
    for round in range(4):
        update = update_index(root, index=index)
        catalog = load_catalog(root, index=index, refresh=False)
        print(name, round, update.sessions, len(catalog["session"]), flush=True)
        catalog.close()
    """
)


def test_two_processes_refreshing_at_once(tmp_path: Path) -> None:
    root = many_sessions(tmp_path / "root", 2500, bad_every=50)
    index = tmp_path / "index.sqlite"
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(root), str(index), str(go), name],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    go.touch()
    # change files while they work: every refresh must still see a consistent root
    for i in range(5):
        write_root(root, {f"extra/{i}/session.yaml": sidecar("M002", f"2025-01-01 00:00:0{i}")})
        time.sleep(0.05)
    outputs = [child.communicate(timeout=600) for child in children]
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        lines = out.splitlines()
        assert len(lines) == 4
        for line in lines:
            _, _, refreshed, read = line.split()
            assert int(refreshed) >= 2450
            assert int(read) >= 2450
    conn = sqlite3.connect(index)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    conn, result = open_index(open_root(root), index)
    try:
        assert result.warnings == []
        assert snapshot(conn) == cold(root)
        assert conn.execute('SELECT count(*) FROM "session"').fetchone()[0] == 2455
    finally:
        conn.close()
