"""Opening the SQLite index: where it lives, whether it can be trusted, and rebuilding it.

Every refresh runs in one ``BEGIN IMMEDIATE`` transaction, so two processes refreshing the
same index take turns (the second waits, then finds little to do) and a reader never sees
half a refresh. The index is in WAL mode: readers never block a refresh, and a refresh never
blocks readers (nor a process that still holds one of its own catalogs open).

Only a file that is positively a session-files index (SQLite's ``application_id`` in its
header is ours, or an older index's ``meta`` table says so) is ever rebuilt, replaced or
deleted. Anything else at the index path (a text file, another program's database, a
symbolic link, a device, a directory) is refused with ``IndexRefusedError`` and left
untouched. An index written by another tool version or index schema, or for another root,
is rebuilt from scratch, with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

from session_files._version import __version__
from session_files.layout import INDEX_DIR, INDEX_FILE
from session_files.read.scan import LocalRoot, Root

FORMAT = "session-files index"
# 2: staging tables WITHOUT ROWID; 3: file.tag (a remote ETag); 4: ino, ctime; 5: meta keeps
# the listing's fingerprint and the view's counts (an older version must not leave them stale)
INDEX_SCHEMA = 5
BUSY_TIMEOUT_S = 600.0
# 8 KiB pages: building 10,000 sessions took a quarter less CPU in inserts and a third
# less in its commit than with SQLite's default 4 KiB (an index file made before keeps its own)
PAGE_SIZE = 8192
APPLICATION_ID = 0x53467831  # "SFx1" in the SQLite header: this file is a session-files index
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDE_FILES = ("-journal", "-wal", "-shm")

TOOL_VERSION = __version__  # not importlib.metadata: that import alone costs a warm refresh ~15 ms


class IndexError_(OSError):
    """The index file cannot be used (for reasons other than its contents)."""


class IndexRefusedError(IndexError_):
    """The index path holds something that is not a session-files index: it is left untouched."""


def _refuse(path: Path, why: str) -> IndexRefusedError:
    return IndexRefusedError(
        f"refusing to use {path} as the index: {why}; it is left untouched"
        " (choose another --index, or remove it yourself)"
    )


def _older_index(path: Path) -> bool:
    """An index written before the application id was set: its meta table says so."""
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
    except (sqlite3.Error, ValueError):
        return False
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return row is not None and row[0] == FORMAT


def check_owned(path: Path) -> None:
    """Raise IndexRefusedError unless ``path`` is absent, empty, or a session-files index.

    A symbolic link (at the index or at its journal names), anything but a regular file,
    and a file with other hard links are refused whatever they hold: rebuilding the index
    would write through them into someone else's file.
    """
    for name in (path.name, *(path.name + suffix for suffix in _SIDE_FILES)):
        side = path.with_name(name)
        try:
            info = os.lstat(side)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _refuse(side, f"it cannot be examined ({exc.strerror or exc})") from None
        if stat.S_ISLNK(info.st_mode):
            raise _refuse(side, "it is a symbolic link (the index is never written through one)")
        if stat.S_ISDIR(info.st_mode):
            raise _refuse(side, "it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(side, "it is not a regular file")
        if info.st_nlink > 1:
            raise _refuse(side, "it has other hard links")
        if side != path or info.st_size == 0:
            continue
        try:
            fd = os.open(side, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as file:
                header = file.read(100)
        except OSError as exc:
            raise _refuse(side, f"it cannot be read ({exc.strerror or exc})") from None
        if len(header) == 100 and header.startswith(_SQLITE_MAGIC):
            application = int.from_bytes(header[68:72], "big")
            if application == APPLICATION_ID or (application == 0 and _older_index(path)):
                continue
            if application == 0:
                raise _refuse(path, "it is an SQLite database of another program")
        raise _refuse(path, "it is not a session-files index")


def _create_empty(path: Path) -> None:
    """Create the index file without following a link planted at its name."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        os.close(os.open(path, flags, 0o666))
    except FileExistsError:  # another process was first: check what it made
        check_owned(path)
        return
    # the application id goes into the header before WAL mode is set, so the main file
    # says what it is from its first page on (in WAL mode, new pages live in the -wal file)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before the first write fixes it
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


def identity(root: Root) -> str:
    """What tells roots apart: the display form, plus the storage options of a remote root
    (``zip://`` alone does not say which archive)."""
    options = getattr(getattr(root, "path", None), "storage_options", None)
    if isinstance(root, LocalRoot) or not options:
        return root.display
    return f"{root.display} {sorted((str(k), str(v)) for k, v in options.items())}"


def cache_index_path(root: Root) -> Path:
    """The per-root index file in the user cache, for read-only or remote roots."""
    from platformdirs import user_cache_dir

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
                _write_new(inside / ".gitignore", b"# session-files index\n*\n")
            except OSError:
                pass
            else:
                return inside / INDEX_FILE
    path = cache_index_path(root)
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``; never through a link, never over an existing file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with contextlib.suppress(FileExistsError), os.fdopen(os.open(path, flags, 0o666), "wb") as file:
        file.write(data)


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


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (a new index already is: the mode is only read then).

    SQLite can answer "database is locked" at once, without waiting out the busy timeout,
    while another process opens, recovers or checkpoints the same WAL file (two refreshes
    starting together): that answer is retried, for as long as the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.001
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


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
    if path is None:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # as a new index file has
    else:
        # WAL: readers (even this process's own open catalogs) never block a refresh
        _use_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    # 16 MiB of page cache: a cold build of 100,000 sessions was no faster with 128 MiB (the
    # OS caches the file too), and the main process peaked 100 MiB higher
    conn.execute("PRAGMA cache_size = -16384")
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
    from .schema import ddl  # the layout comes from the pydantic models: loaded when needed

    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
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
    """Remove a damaged index (checked to be ours when it was opened) and its journals."""
    for victim in (path, *(path.with_name(path.name + suffix) for suffix in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            victim.unlink()


def _application_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA application_id").fetchone()[0])


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
    if path is not None:
        check_owned(path)
        if not path.exists():
            _create_empty(path)
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
            _create_empty(path)
            continue
        if meta is not None and _application_id(conn) != APPLICATION_ID:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # an older index of ours
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
