"""Opening an index: create or rebuild it as needed, refresh it, read its findings."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from session_files.findings import CODES, Finding, apply_severity
from session_files.layout import INDEX_DIR, INDEX_FILE
from session_files.read.scan import LocalRoot, Root

from .refresh import RefreshResult, count_view, refresh_index
from .sources import RegistryArg
from .store import (
    IndexDamagedError,
    begin,
    identity,
    replace_garbage,
)


def open_index(
    root: Root,
    path: Path | None,
    *,
    registry: RegistryArg = None,
    refresh_now: bool = True,
    progress: bool | None = None,
) -> tuple[sqlite3.Connection, RefreshResult]:
    """Open (creating or rebuilding as needed) the index at ``path`` (None: in memory) and,
    with ``refresh_now`` or when it was just created, refresh it from the root.

    An index whose pages turn out to be damaged while it is refreshed (SQLite's plain
    ``DatabaseError``: "database disk image is malformed") is deleted and rebuilt once,
    with a warning; errors of access or locking (``OperationalError``) are raised as they are.
    """
    try:
        return _open_index(root, path, registry, refresh_now, progress)
    except sqlite3.DatabaseError as exc:
        if path is None or type(exc) not in (sqlite3.DatabaseError, IndexDamagedError):
            raise
        replace_garbage(path)
        conn, result = _open_index(root, path, registry, refresh_now, progress)
        reason = getattr(exc, "reason", exc)
        result.warnings.insert(0, f"index {path} is damaged ({reason}); rebuilt from scratch")
        return conn, result


def _open_index(
    root: Root,
    path: Path | None,
    registry: RegistryArg,
    refresh_now: bool,
    progress: bool | None,
) -> tuple[sqlite3.Connection, RefreshResult]:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    travels = isinstance(root, LocalRoot) and path == root.path / INDEX_DIR / INDEX_FILE
    conn, warnings = begin(path, identity(root), travels=travels)
    try:
        stamp = conn.execute("SELECT value FROM meta WHERE key = 'refreshed_ns'").fetchone()
        fresh = stamp[0] == "0"
        if refresh_now or fresh or warnings:
            result = refresh_index(conn, root, registry, progress=progress)
        else:
            result = RefreshResult(root.display, path)
        conn.execute("COMMIT")
    except BaseException:
        conn.rollback()
        conn.close()
        raise
    result.index = path
    result.warnings[:0] = warnings
    return conn, result


def read_checked_files(conn: sqlite3.Connection, findings: list[Finding]) -> list[str]:
    """The checked files, sorted: every sidecar in the view, and every file with a finding."""
    in_view = {path for (path,) in conn.execute("SELECT path FROM stage_session WHERE in_view")}
    return sorted(in_view | {finding.path for finding in findings})


def view_counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """How many sessions the view holds, and how many sidecars of the root are not in it
    (their errors keep them out): as the last refresh counted them."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'counts'").fetchone()
    sessions, left = (row[0] if row and row[0] else count_view(conn)).split()
    return int(sessions), int(left)


def left_out(conn: sqlite3.Connection) -> int:
    """How many sidecars of the root are not in the view (their errors keep them out)."""
    return view_counts(conn)[1]


def read_findings(conn: sqlite3.Connection) -> list[Finding]:
    """Every finding of the index, with the root config's severity overrides, sorted."""
    rank = {"config": 0, "registry": 1}  # causes first
    findings = [
        Finding(path, line, col, code, message, CODES[code][0], rank.get(origin, 2))
        for origin, path, line, col, code, message in conn.execute(
            "SELECT origin, path, line, col, code, message FROM finding"
        )
    ]
    row = conn.execute("SELECT value FROM meta WHERE key = 'severity'").fetchone()
    severity = json.loads(row[0]) if row else {}
    return sorted(apply_severity(findings, severity), key=Finding.sort_key)
