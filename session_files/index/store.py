"""Opening the SQLite index: where it lives, whether it can be trusted, and rebuilding it.

Every refresh runs in one ``BEGIN IMMEDIATE`` transaction, so two processes refreshing the
same index take turns (the second waits, then finds little to do) and a reader never sees
half a refresh. An index written by another tool version or index schema, for another
root, or that is not an index at all, is rebuilt from scratch, with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from session_files.layout import INDEX_DIR, INDEX_FILE
from session_files.read.scan import LocalRoot, Root

from .schema import INDEX_SCHEMA, ddl

FORMAT = "session-files index"
BUSY_TIMEOUT_S = 600.0

try:
    TOOL_VERSION = version("session-files")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    TOOL_VERSION = "0+unknown"


class IndexError_(Exception):
    """The index file cannot be used (for reasons other than its contents)."""


def identity(root: Root) -> str:
    """What tells roots apart: the display form, plus the storage options of a remote root
    (``zip://`` alone does not say which archive)."""
    options = getattr(getattr(root, "path", None), "storage_options", None)
    if isinstance(root, LocalRoot) or not options:
        return root.display
    return f"{root.display} {sorted((str(k), str(v)) for k, v in options.items())}"


def cache_index_path(root: Root) -> Path:
    """The per-root index file in the user cache, for read-only or remote roots."""
    name = hashlib.sha256(identity(root).encode("utf-8")).hexdigest()[:24]
    return Path(user_cache_dir("session-files")) / f"{name}.sqlite"


def default_index_path(root: Root, *, create: bool) -> Path:
    """``<root>/.session-files/index.sqlite`` where the root is local and writable, else the
    per-root file in the user cache. With ``create`` the directory is made."""
    if isinstance(root, LocalRoot):
        inside = root.path / INDEX_DIR
        if inside.is_dir() and os.access(inside, os.W_OK):
            return inside / INDEX_FILE
        if not create and (inside / INDEX_FILE).exists():
            return inside / INDEX_FILE
        if create and os.access(root.path, os.W_OK):
            try:
                inside.mkdir(exist_ok=True)
                (inside / ".gitignore").write_text("# session-files index\n*\n", encoding="utf-8")
            except OSError:
                pass
            else:
                return inside / INDEX_FILE
    path = cache_index_path(root)
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def existing_index(root: Root) -> Path | None:
    """The default index file of a root, if one exists and this user may refresh it
    (write the file, and create its journal beside it)."""
    path = default_index_path(root, create=False)
    if not path.is_file():
        return None
    return path if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) else None


class IndexDamagedError(sqlite3.DatabaseError):
    """The index file is damaged; it has been removed, and the next run rebuilds it."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # SQLite's own words


def _damaged(exc: sqlite3.DatabaseError, path: Path | None) -> sqlite3.DatabaseError:
    """SQLite's plain DatabaseError ("database disk image is malformed") means damaged pages:
    remove the file so that no later run reads it, and say so. Other errors (access,
    locking, constraints: subclasses) are returned as they are."""
    if path is None or type(exc) is not sqlite3.DatabaseError:
        return exc
    replace_garbage(path)
    msg = f"the index {path} is damaged ({exc}); it was removed and is rebuilt at the next run"
    return IndexDamagedError(msg, str(exc))


class _Cursor(sqlite3.Cursor):
    """A cursor that reports damaged pages met while rows are fetched."""

    path: Path | None = None

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.DatabaseError as exc:
            raise _damaged(exc, self.path) from exc

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as exc:
            raise _damaged(exc, self.path) from exc

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as exc:
            raise _damaged(exc, self.path) from exc


class _Connection(sqlite3.Connection):
    """A connection whose statements report damaged pages as IndexDamagedError.

    Rows fetched by a refresh need no such care (a refresh that meets damage is retried
    from scratch by ``open_index``), so only a catalog's reads, after ``guard_rows``, pay
    for checking every fetched row.
    """

    path: Path | None = None
    guarded: bool = False

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        cursor = self.cursor(_Cursor) if self.guarded else self.cursor()
        if isinstance(cursor, _Cursor):
            cursor.path = self.path
        try:
            return cursor.execute(sql, parameters)
        except sqlite3.DatabaseError as exc:
            raise _damaged(exc, self.path) from exc

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.DatabaseError as exc:
            raise _damaged(exc, self.path) from exc


def guard_rows(conn: sqlite3.Connection) -> None:
    """From now on, damaged pages met while fetching rows raise IndexDamagedError (and
    remove the file), as they do when a statement starts."""
    if isinstance(conn, _Connection):
        conn.guarded = True


def connect(path: Path | None) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit); None: in memory."""
    target = ":memory:" if path is None else str(path)
    # check_same_thread=False: a catalog that is dropped unclosed may be collected (and its
    # connection closed) on another thread, such as fsspec's I/O thread on an s3:// root
    conn = sqlite3.connect(
        target,
        timeout=BUSY_TIMEOUT_S,
        isolation_level=None,
        factory=_Connection,
        check_same_thread=False,
    )
    conn.path = path
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -131072")  # up to 128 MiB: a cold build stays in memory
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def read_meta(conn: sqlite3.Connection) -> dict[str, str] | None:
    """The index's meta table; None for an empty database. Raises sqlite3.DatabaseError for
    a file that is not a database or not one of ours."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        return None
    if "meta" not in tables:
        msg = "not a session-files index"
        raise sqlite3.DatabaseError(msg)
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def mismatch(meta: dict[str, str], root: str) -> str | None:
    """Why an index cannot be trusted for ``root``, or None."""
    if meta.get("format") != FORMAT:
        return "it is not a session-files index"
    if meta.get("index_schema") != str(INDEX_SCHEMA):
        return f"it has index schema {meta.get('index_schema')} (this version uses {INDEX_SCHEMA})"
    if meta.get("tool_version") != TOOL_VERSION:
        written = meta.get("tool_version")
        return f"it was written by session-files {written} (this is {TOOL_VERSION})"
    if meta.get("root") != root:
        return f"it indexes another root ({meta.get('root')})"
    return None


def create(conn: sqlite3.Connection, root: str) -> None:
    """Create an empty index (inside the caller's transaction)."""
    for statement in ddl():
        conn.execute(statement)
    meta = {"format": FORMAT, "index_schema": str(INDEX_SCHEMA), "tool_version": TOOL_VERSION}
    meta |= {"root": root, "sources": "", "refreshed_ns": "0"}
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())


def wipe(conn: sqlite3.Connection) -> None:
    """Drop every object of the database (inside the caller's transaction)."""
    objects = conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view')"
        " AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name in objects:
        quoted = name.replace('"', '""')
        conn.execute(f'DROP {kind.upper()} IF EXISTS "{quoted}"')


def replace_garbage(path: Path) -> None:
    """Remove a file that is not a usable database (and its stale journal)."""
    for victim in (path, path.with_name(path.name + "-journal")):
        with contextlib.suppress(FileNotFoundError):
            victim.unlink()


def begin(
    path: Path | None, root: str, *, travels: bool = False
) -> tuple[sqlite3.Connection, list[str]]:
    """Open the index and start its refresh transaction, rebuilding it if it cannot be trusted.

    ``travels``: the index lives inside the root, so a root that was moved or copied
    keeps its index (its paths are relative) instead of rebuilding it.
    Returns the connection (inside ``BEGIN IMMEDIATE``) and warnings to show the user.
    """
    warnings: list[str] = []
    where = "the in-memory index" if path is None else str(path)
    for attempt in range(2):
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(path)
            conn.execute("BEGIN IMMEDIATE")
            meta = read_meta(conn)
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            # cannot open, read-only, locked...: not the contents' fault, never delete the file
            if path is None or attempt or isinstance(exc, sqlite3.OperationalError):
                raise
            reason = getattr(exc, "reason", exc)
            warnings.append(f"index {where} is unreadable ({reason}); rebuilt from scratch")
            replace_garbage(path)
            continue
        if meta is None:
            create(conn, root)
        elif travels and mismatch({**meta, "root": root}, root) is None:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'root'", (root,))
        elif (why := mismatch(meta, root)) is not None:
            warnings.append(f"index {where} cannot be used because {why}; rebuilt from scratch")
            wipe(conn)
            create(conn, root)
        return conn, warnings
    msg = f"cannot open the index {where}"  # pragma: no cover - the loop returns or raises
    raise IndexError_(msg)
