"""Bring the index up to date with the root: re-read only what changed, then re-derive.

A local file is unchanged when its size, mtime_ns, inode and ctime_ns are what the index
stored (what git compares: a rewrite given back its old mtime, a copy moved over it, a
restore or ``rsync -t``, a ``chmod`` all change the inode or the ctime), unless it was
"racy" when stored: modified so shortly before that refresh (within RACY_NS) that a rewrite
in the same timestamp tick, with the same size, would not show in its stat. Racy files are
re-read (and compared by digest) on the next refresh, as git does with its index.
A remote object is unchanged when its size and version tag (S3's ETag, from the listing)
are what the index stored, so a refresh of an unchanged bucket reads no object. Roots
without either (``memory://``) are compared by content digest.
"""

from __future__ import annotations

import gc
import hashlib
import json
import marshal
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from session_files.findings import Finding
from session_files.read.scan import NOTHING_IGNORED, Entry, LocalRoot, Root, Row, ignore_spec

from .sources import RegistryArg, Sources, load_sources

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from session_files.read.vocabulary import Vocabulary

    from .extract import Batch, Stream

# Reading and parsing sidecars, the registries' tables and the integrity checks need the
# pydantic models: their modules are imported where they are used, so a refresh that finds
# nothing changed never loads them.

RACY_NS = 2_000_000_000  # coarser than any filesystem timestamp tick we expect (FAT: 2 s)
Known = dict[str, tuple[Any, ...] | None]  # path -> its file row, None: it must be read again


@dataclass
class RefreshResult:
    """What a refresh did."""

    root: str
    index: Path | None
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    sources_changed: bool = False
    rechecked: int = 0  # unchanged sidecars checked again (the lab vocabulary changed)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def _insert_findings(conn: sqlite3.Connection, origin: str, findings: Iterable[Finding]) -> None:
    conn.executemany(
        "INSERT INTO finding (origin, path, line, col, code, message) VALUES (?, ?, ?, ?, ?, ?)",
        ((origin, f.path, f.line, f.column, f.code, f.message) for f in findings),
    )


def _forget(conn: sqlite3.Connection, paths: list[str]) -> None:
    if not paths:
        return
    from .schema import STAGES

    keys = [(path,) for path in paths]
    for stage in STAGES:
        conn.executemany(f"DELETE FROM {stage} WHERE path = ?", keys)
    conn.executemany("DELETE FROM finding WHERE origin = 'file' AND path = ?", keys)


def _load_registries(conn: sqlite3.Connection, sources: Sources) -> None:
    from .columns import COLUMNS, to_sql
    from .schema import REGISTRY_TABLES, insert_sql, q

    conn.execute("DELETE FROM finding WHERE origin IN ('config', 'registry')")
    _insert_findings(conn, "config", sources.config_findings)
    vocabulary = sources.registries.vocabulary
    if vocabulary is not None:
        _insert_findings(conn, "registry", vocabulary.all_findings)
    columns = json.dumps(vocabulary.columns() if vocabulary is not None else None)
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('vocabulary', ?)", (columns,))
    for kind, parsed in sources.registries.parsed.items():
        table = REGISTRY_TABLES[kind]
        conn.execute(f"DELETE FROM {q(table)}")
        _insert_findings(conn, "registry", parsed.findings)
        rows = [row.model_dump() for row in parsed.rows.values()]
        if rows:
            names = tuple(column.name for column in COLUMNS[table])
            kinds = [column.kind for column in COLUMNS[table]]
            conn.executemany(
                insert_sql(q(table), names),
                ([to_sql(k, row[n]) for k, n in zip(kinds, names, strict=True)] for row in rows),
            )


# path -> the row a scan's ``Entry`` must equal for the file to be unchanged (None when it
# was racy, and so must be read again)
_KNOWN = "SELECT path, size, mtime_ns, ino, ctime_ns, tag, racy FROM file"


def _known(conn: sqlite3.Connection) -> Known:
    return {row[0]: None if row[6] else row[:6] for row in conn.execute(_KNOWN)}


def fingerprint(rows: list[Row]) -> str:
    """A digest of a sorted listing (``Listing.rows``): every sidecar's path and stat (or
    tag). Two listings with the same fingerprint are the same listing; one made when the
    file table was written lets the next refresh know, without reading the table, that
    nothing changed. (marshal, format 2, writes these plain tuples of str, int and None the
    same way every time; in pieces of 512 rows, which stay in the CPU's caches: half the
    time of one piece.) Empty when a row holds what marshal does not write (a remote
    store's size or tag of some other type): then no refresh takes the fast path."""
    digest = hashlib.sha256()
    try:
        for start in range(0, len(rows), 512):
            digest.update(marshal.dumps(rows[start : start + 512], 2))
    except ValueError:
        return ""
    return digest.hexdigest()


# whether a row must be read again whatever its stat: racy, or described by neither stat
# nor tag (as on a ``memory://`` root)
_UNSETTLED = "racy OR size IS NULL OR (tag IS NULL AND mtime_ns IS NULL)"


def _settled(conn: sqlite3.Connection, count: int, reading: list[Entry]) -> bool:
    """Whether the file table now holds the listing (``count`` sidecars) and nothing else,
    with no row that must be read again: then the listing's fingerprint describes it.

    Without a file read, it does: an unread entry equals its row, a racy or undescribed one
    is always read, an added one too, and the rows of removed ones are deleted. Otherwise
    the table says (the rows of the files read were written by this refresh)."""
    if not reading:
        return True
    rows, unsettled = conn.execute(f"SELECT count(*), max({_UNSETTLED}) FROM file").fetchone()
    return bool(rows == count and not unsettled)


def count_view(conn: sqlite3.Connection) -> str:
    """How many sessions the view holds and how many sidecars their errors keep out of it,
    as kept in meta (``counts``): counted when the view may have changed, so that a
    refresh that changed nothing, and what reads its result, counts nothing."""
    (sessions,) = conn.execute('SELECT count(*) FROM "session"').fetchone()
    (left_out,) = conn.execute(
        "SELECT (SELECT count(*) FROM file)"
        " - (SELECT count(*) FROM stage_session WHERE in_view = 1)"
    ).fetchone()
    return f"{sessions} {max(left_out, 0)}"


def _to_read(entries: list[Entry], known: Known) -> list[Entry]:
    """The entries whose stat or tag is not what the index stored (or that were racy, or
    that nothing describes, as on a ``memory://`` root). An entry is compared as the tuple
    it is: no string is built per file."""
    return [
        entry
        for entry in entries
        if known.get(entry.path) != entry
        or entry.size is None
        or (entry.tag is None and entry.mtime_ns is None)
    ]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused: a refresh makes a tuple per file (none of
    them in a cycle), and every collection those allocations trigger walks every object of
    the process; in a long-lived process (a notebook, ``watch``) that doubled a warm refresh
    of 100,000 files. Memory is freed by reference counting as usual meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def refresh_index(
    conn: sqlite3.Connection,
    root: Root,
    registry: RegistryArg = None,
    *,
    progress: bool | None = None,
) -> RefreshResult:
    """Refresh the index inside the caller's transaction (see ``store.begin``)."""
    with _collector_paused(), _early_workers(conn, root) as pool:
        return _refresh(conn, root, registry, progress, pool)


@contextmanager
def _early_workers(conn: sqlite3.Connection, root: Root) -> Iterator[ProcessPoolExecutor | None]:
    """The extract workers, forked before the scan (see ``extract.early_pool``) when a
    persistent index is built from nothing; None otherwise (they are forked after the scan,
    when there is enough to read). Shut down on the way out, pending work cancelled."""
    pool = None
    if getattr(conn, "path", None) is not None and _empty(conn):
        from .extract import early_pool

        pool = early_pool(root)
    try:
        yield pool
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM file LIMIT 1").fetchone() is None


def _refresh(
    conn: sqlite3.Connection,
    root: Root,
    registry: RegistryArg,
    progress: bool | None,
    pool: ProcessPoolExecutor | None,
) -> RefreshResult:
    started, clock = time.time_ns(), time.perf_counter()
    result = RefreshResult(root.display, None)
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    sources = load_sources(root, registry, meta.get("sources_snapshot"))
    inside = sources.registries.inside
    skip = frozenset({inside}) if inside else frozenset()
    patterns = sources.config.ignore
    ignore = ignore_spec(list(patterns)) if patterns else NOTHING_IGNORED
    # a new vocabulary (or lookup registry) is checked against every sidecar: all are read
    recheck = meta.get("vocabulary_state", "") != sources.vocabulary_state
    stream = _stream(pool, root, started - RACY_NS, sources)
    if stream is not None and isinstance(root, LocalRoot):
        listing = root.scan(skip, ignore, found=stream.found)
    else:
        listing = root.scan(skip, ignore)

    listed = fingerprint(listing.rows)  # no Entry is made unless something changed
    if listed and meta.get("listing") == listed and not recheck:
        known: Known = {}  # the listing the file table holds: nothing to read or remove
        reading: list[Entry] = []
    else:
        known = _known(conn)
        present = {entry.path for entry in listing.sidecars}
        result.removed = sorted(known.keys() - present)
        _forget(conn, result.removed)
        conn.executemany("DELETE FROM file WHERE path = ?", [(path,) for path in result.removed])
        reading = list(listing.sidecars) if recheck else _to_read(listing.sidecars, known)
    result.unchanged = len(listing.rows) - len(reading)
    digests: dict[str, str | None] = (
        dict(conn.execute("SELECT path, digest FROM file")) if reading else {}
    )
    if stream is not None and stream.count == len(reading):  # all of them are being read
        for rows, batch in stream.batches(progress):
            _store(conn, batch, rows, digests, known, result, recheck)
    else:
        done = 0
        vocabulary = sources.registries.vocabulary if reading else None  # parsed when needed
        extracted = _extract_all(root, reading, started - RACY_NS, progress, pool, vocabulary)
        for batch in extracted:
            entries = reading[done : done + len(batch.files)]
            done += len(entries)
            _store(conn, batch, entries, digests, known, result, recheck)
    conn.execute("DELETE FROM finding WHERE origin = 'scan'")
    _insert_findings(conn, "scan", listing.findings)
    result.sources_changed = meta.get("sources") != sources.state
    if result.sources_changed:
        _load_registries(conn, sources)
    view_changed = result.sources_changed or result.added or result.modified or result.removed
    if view_changed:
        from .integrity import derive

        derive(conn, sources.registries, sources.config.severity, sources.config.layout)
    counts = meta.get("counts") if not view_changed and meta.get("counts") else count_view(conn)
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [
            ("sources", sources.state),
            ("sources_snapshot", sources.snapshot),
            ("refreshed_ns", str(started)),
            ("severity", json.dumps(sources.config.severity, sort_keys=True)),
            ("listing", listed if _settled(conn, len(listing.rows), reading) else ""),
            ("counts", counts),
            ("vocabulary_state", sources.vocabulary_state),
        ],
    )
    result.added.sort()
    result.modified.sort()
    result.seconds = time.perf_counter() - clock
    return result


def _stream(
    pool: ProcessPoolExecutor | None, root: Root, racy_after: int, sources: Sources
) -> Stream | None:
    """For a build from nothing with early workers: sidecars read while the scan walks
    (``LocalRoot``'s own scan hands them out; a subclass's may not)."""
    if pool is None or not isinstance(root, LocalRoot) or type(root).scan is not LocalRoot.scan:
        return None
    from .extract import Stream

    return Stream(pool, root, racy_after, sources.registries.vocabulary)


def _extract_all(
    root: Root,
    entries: list[Entry],
    racy_after: int,
    progress: bool | None,
    pool: ProcessPoolExecutor | None,
    vocabulary: Vocabulary | None,
) -> Iterator[Batch]:
    """``extract.extract_all``, imported only when there is something to read."""
    if not entries:
        return iter(())
    from .extract import extract_all

    return extract_all(root, entries, racy_after, progress, pool, vocabulary)


_INSERT_FILE = (
    "INSERT OR REPLACE INTO file (path, size, mtime_ns, digest, racy, tag, ino, ctime_ns)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_FINDING = (
    "INSERT INTO finding (origin, path, line, col, code, message) VALUES ('file', ?, ?, ?, ?, ?)"
)


def _store(
    conn: sqlite3.Connection,
    batch: Batch,
    entries: Sequence[Entry] | Sequence[Row],
    digests: dict[str, str | None],
    known: Known,
    result: RefreshResult,
    recheck: bool = False,
) -> None:
    """Store a batch of sidecars read: their ``file`` rows, and the findings and staged rows
    of those whose content changed (replacing what the index had for them); with
    ``recheck`` (the vocabulary changed), those of the unchanged ones too.

    A cold build (nothing known) stores the batch's rows as they are, with no Python per row.
    """
    from .schema import PART_STAGES, SESSION_STAGE

    _insert(conn, _INSERT_FILE, batch.files)
    findings, sessions, parts = batch.findings, batch.sessions, batch.parts
    if not digests:
        result.added += [entry[0] for entry in entries]
    else:
        same = {
            row[0] for row in batch.files if row[3] is not None and digests.get(row[0]) == row[3]
        }
        result.unchanged += len(same)
        changed = [entry[0] for entry in entries if entry[0] not in same]
        result.added += [path for path in changed if path not in known]
        modified = [path for path in changed if path in known]
        result.modified += modified
        _forget(conn, modified)
        if same and recheck:
            result.rechecked += len(same)
            _forget(conn, sorted(same))
        elif same:
            findings = [row for row in findings if row[0] not in same]
            sessions = [row for row in sessions if row[0] not in same]
            parts = tuple([row for row in rows if row[0] not in same] for rows in parts)
    _insert(conn, _INSERT_FINDING, findings)
    _insert(conn, _shown(SESSION_STAGE.insert), sessions)
    for stage, rows in zip(PART_STAGES, parts, strict=True):
        _insert(conn, stage.insert, rows)


ROWS_PER_INSERT = 100


@cache
def _shown(insert: str) -> str:
    """The session stage's INSERT with ``in_view`` set to 1: ``derive``, which always runs
    after rows are staged (in the same transaction), then takes out the few sessions that
    are not in the view instead of rewriting every row of a cold build."""
    head, values = insert.split(" VALUES ")
    return f'{head[:-1]}, "in_view") VALUES {values[:-1]}, 1)'


def _insert(conn: sqlite3.Connection, insert: str, rows: list[tuple[Any, ...]]) -> None:
    """``executemany(insert, rows)``, but with one statement per ROWS_PER_INSERT rows (a
    VALUES list of that many rows, their values passed flat): storing a cold build's rows
    took a quarter less CPU than one statement per row."""
    whole = len(rows) - len(rows) % ROWS_PER_INSERT
    if whole:
        sql = _many_rows(insert)
        for start in range(0, whole, ROWS_PER_INSERT):
            conn.execute(sql, list(chain.from_iterable(rows[start : start + ROWS_PER_INSERT])))
    conn.executemany(insert, rows[whole:])


@cache
def _many_rows(insert: str) -> str:
    """``INSERT ... VALUES (...)`` with ROWS_PER_INSERT rows of values."""
    head, values = insert.split(" VALUES ")
    return f"{head} VALUES {', '.join([values] * ROWS_PER_INSERT)}"
