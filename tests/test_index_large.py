"""A generated root of a few thousand sessions: read in parallel, valid ones still count."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from session_files import IncompleteCatalogWarning, load_catalog, update_index, validate
from session_files.index import open_index
from session_files.index.extract import PARALLEL_THRESHOLD, _pool
from session_files.read.scan import open_root
from tests.fixtures_roots import cold, many_sessions, snapshot, write_root


def test_large_local_roots_are_read_by_worker_processes_on_linux() -> None:
    """Workers are forked on Linux; elsewhere (spawn would re-import the caller's script)
    a large root is read in this process. Asked in a fresh interpreter: no pool is forked
    while another thread runs (as one may here, left by another test's server)."""
    script = (
        "from session_files.index.extract import _pool; pool = _pool(2);"
        " print(pool is not None); pool and pool.shutdown()"
    )
    asked = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert asked.stdout.split() == [str(sys.platform == "linux")]
    with ThreadPoolExecutor(1) as other:  # a second thread: forking now would be unsafe
        other.submit(time.sleep, 0.5)
        assert _pool(2) is None


def test_a_few_thousand_sessions_with_some_bad_ones(tmp_path: Path) -> None:
    count = PARALLEL_THRESHOLD + 1000
    root = many_sessions(tmp_path / "root", count, bad_every=97)
    bad = len(range(0, count, 97))
    write_root(root, {"M002/000001/session.yaml": "subject: [\n"})
    report = validate(root)
    assert report.sessions == count - bad - 1
    assert [f.code for f in report.findings].count("unknown-subject") == bad
    assert [f.code for f in report.findings].count("yaml-syntax") == 1
    assert len(report.findings) == bad + 1
    # the persistent index (filled by worker processes) equals the in-memory build
    update = update_index(root)
    assert len(update.refresh.added) == count
    with (
        pytest.warns(IncompleteCatalogWarning, match=f"^{bad + 1} sidecars were left out"),
        load_catalog(root, refresh=False) as catalog,
    ):
        assert catalog.left_out == bad + 1
        assert len(catalog["session"]) == count - bad - 1
        assert len(catalog.sessions(subject="M002")) == count // 2 - 1 - len(
            [i for i in range(1, count, 2) if i % 97 == 0]
        )
    conn, _ = open_index(open_root(root), root / ".session-files/index.sqlite")
    try:
        assert snapshot(conn) == cold(root)
    finally:
        conn.close()
