"""A republish that changes nothing, known without fetching a row.

Each publish that leaves the schema holding exactly its root's view records, per root, in
the hidden table ``~session_files_root``:

- the **view stamp**: a digest of what the root's view is made of, from its index (the
  registries' and config's state, and the path and content digest of every sidecar in
  the view, with the tool and index versions): equal stamps mean equal rows;
- the **transaction** that wrote the record, and the row count of every table the
  publish compares.

The next publish of the root, when its stamp is the recorded one, asks each table one
cheap question (PostgreSQL: its row count, and whether any row is younger than the
recorded transaction, from the rows' ``xmin``). When nothing was written since, the
schema still holds the view: nothing to change, no row fetched. Anything else (another
root or a person wrote since, another backend, a stamp that differs) takes the full
comparison, which records a new stamp when it ends in sync.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from session_files._version import __version__
from session_files.records import TABLES

from . import backend, provenance
from .definitions import UPSTREAM
from .pipeline import Pipeline
from .plan import Rows

# xids further back than this may have wrapped around: compare rows instead
MAX_AGE = 1_000_000_000
# every in-view sidecar as "path NUL digest", in path order, in one string (NULL: a digest
# is missing); count(digest) < count(*) tells a missing digest apart
VIEW_FILES = (
    "SELECT count(*), count(digest), group_concat(line, char(10)) FROM ("
    " SELECT s.path || char(0) || f.digest AS line, f.digest AS digest"
    " FROM stage_session s JOIN file f ON f.path = s.path WHERE s.in_view = 1"
    " ORDER BY s.path)"
)


def view_stamp(index: Path) -> str | None:
    """The stamp of the view the index holds, or None when some sidecar has no digest."""
    conn = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        digest = hashlib.sha256()
        head = [__version__, meta.get("index_schema"), meta.get("sources")]
        digest.update(json.dumps(head).encode())
        files, digests, lines = conn.execute(VIEW_FILES).fetchone()
        if digests < files:
            return None
        digest.update(str(lines or "").encode())
        return digest.hexdigest()
    finally:
        conn.close()


@dataclass(frozen=True)
class Record:
    """What the last publish in sync of a root recorded."""

    view: str
    xid: int
    counts: dict[str, int]  # full table name -> rows, and "sessions"/"registry" of the root


def recorded(connection: Any, name: str, root_id: str) -> Record | None:
    """The record of ``root_id`` in the table ``name`` (quoted full name), if any."""
    rows = connection.query(
        f"SELECT view_stamp, xid, counts FROM {name} WHERE root_id = %s", args=(root_id,)
    ).fetchall()
    if not rows:
        return None
    view, xid, counts = rows[0]
    return Record(str(view), int(xid), json.loads(counts))


def table_counts(connection: Any, tables: list[str], since: int | None) -> dict[str, int] | None:
    """Row counts of the tables (quoted full names); None when a row was written after the
    transaction ``since``, or the backend cannot tell."""
    if not backend.is_postgres(connection):
        return None
    age = 0
    if since is not None:
        (age,) = connection.query("SELECT age(%s::text::xid)", args=(since % 2**32,)).fetchone()
        if int(age) > MAX_AGE:
            return None
    counts: dict[str, int] = {}
    for table in tables:
        count, youngest = connection.query(
            f"SELECT count(*), coalesce(min(age(xmin)), 2147483647) FROM {table}"
        ).fetchone()
        if since is not None and int(youngest) < int(age):
            return None
        counts[table] = int(count)
    return counts


def in_sync(
    connection: Any, name: str, root_id: str, view: str, tables: list[str]
) -> Record | None:
    """The root's record when the schema provably still holds the view ``view``."""
    record = recorded(connection, name, root_id)
    if record is None or record.view != view:
        return None
    counts = table_counts(connection, tables, record.xid)
    if counts is None or any(record.counts.get(t) != n for t, n in counts.items()):
        return None
    return record


def record(
    connection: Any,
    name: str,
    root_id: str,
    view: str,
    tables: list[str],
    root_counts: dict[str, int],
) -> None:
    """Record the root's stamp, inside the caller's transaction (after its writes)."""
    counts = table_counts(connection, tables, None)
    if counts is None:
        return
    (xid,) = connection.query("SELECT txid_current()").fetchone()
    connection.query(f"DELETE FROM {name} WHERE root_id = %s", args=(root_id,))
    connection.query(
        f"INSERT INTO {name} (root_id, view_stamp, xid, counts) VALUES (%s, %s, %s, %s)",
        args=(root_id, view, int(xid), json.dumps({**counts, **root_counts}, sort_keys=True)),
    )


class Stamps:
    """The view stamp of one publish, and the tables whose state it vouches for: every
    table the publish compares, and the provenance of sessions and registry rows."""

    def __init__(
        self, connection: Any, pipeline: Pipeline | None, root_id: str, view: str | None
    ) -> None:
        self.connection = connection
        self.root_id = root_id
        declared = pipeline is not None and pipeline.schema is not None  # else: a dry run
        self.view = view if declared else None
        self.schema = pipeline.schema_name if pipeline is not None and declared else ""
        self.name = provenance.name(connection, self.schema, provenance.ROOT_TABLE)
        self.tables: list[str] = []
        if pipeline is not None and declared:
            self.tables = [pipeline.tables[table]().full_table_name for table in TABLES]
            self.tables += [
                provenance.name(connection, self.schema, table)
                for table in (provenance.SESSION_TABLE, provenance.REGISTRY_TABLE)
            ]

    def in_sync(self) -> Record | None:
        """The root's record when the schema provably holds this view, else None."""
        if self.view is None or not provenance.exists(self.connection, self.schema):
            return None
        return in_sync(self.connection, self.name, self.root_id, self.view, self.tables)

    def record(self, files: dict[str, Rows]) -> None:
        """Record this view as the one the schema holds (inside the caller's transaction)."""
        if self.view is None:
            return
        counts = {
            "sessions": len(files.get("session", [])),
            "registry": sum(len(files.get(table, [])) for table in UPSTREAM),
        }
        record(self.connection, self.name, self.root_id, self.view, self.tables, counts)
