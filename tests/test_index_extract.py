"""The rows ``extract`` builds for the index, checked against their one description
(``schema.Stage``): the fast, hand-laid tuples must be what ``Stage.row`` lays out."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from session_files.index import open_index
from session_files.index.columns import encode_blob
from session_files.index.extract import early_pool, extract_bytes, new_batch, session_dir
from session_files.index.refresh import ROWS_PER_INSERT, _insert
from session_files.index.schema import (
    ATTRIBUTE_STAGE,
    EXPERIMENTER_STAGE,
    PART_STAGES,
    PROJECT_STAGE,
    SESSION_STAGE,
)
from session_files.index.store import APPLICATION_ID, PAGE_SIZE
from session_files.read.files import digest
from session_files.read.scan import HAND_OUT, Entry, open_root
from session_files.read.sidecar import parse_sidecar
from tests.fixtures_roots import REGISTRY, cold, many_sessions, sidecar, snapshot, write_root

ATTRIBUTES = """\
  weight: 21.5
  rig: {value: B2, blob: {lens: [1, 2], 3: x}}
  plain: {blob: [a, {b: null}]}
  flag: true
"""


def _described(path: str, data: bytes) -> tuple[tuple[object, ...], list[list[tuple[object, ...]]]]:
    """The staging rows of a sidecar as ``Stage.row`` lays them out, from named values."""
    parsed = parse_sidecar(data, path)
    record, refs = parsed.record, parsed.refs
    assert record is not None and refs is not None
    when = record.session_datetime.isoformat(sep=" ")
    key = (path, record.subject, when)
    values = {
        "subject": record.subject,
        "session_datetime": when,
        "session_dir": session_dir(path),
        "session_note": record.note,
    }
    at = {"subject": refs.subject, "session_datetime": refs.session_datetime}
    session = (path, *SESSION_STAGE.row(values, at))
    parts = {
        ATTRIBUTE_STAGE.name: [
            (
                *key,
                *ATTRIBUTE_STAGE.row(
                    {
                        "attribute_name": name,
                        "attribute_value": attribute.value,
                        "attribute_blob": encode_blob(attribute.blob),
                    },
                    {},
                ),
            )
            for name, attribute in (record.attributes or {}).items()
        ],
        EXPERIMENTER_STAGE.name: [
            (*key, *EXPERIMENTER_STAGE.row({"user": user}, {"user": where}))
            for user, where in zip(record.experimenters or (), refs.experimenters, strict=True)
        ],
        PROJECT_STAGE.name: [
            (*key, *PROJECT_STAGE.row({"project": project}, {"project": where}))
            for project, where in zip(record.projects or (), refs.projects, strict=True)
        ],
    }
    return session, [parts[stage.name] for stage in PART_STAGES]


def test_the_rows_built_are_the_rows_the_stages_describe() -> None:
    cases = [
        sidecar("M001", "2024-01-15 10:30:00", ["alice", "bob"], ["vision"], "a note", ATTRIBUTES),
        sidecar("M002", "2024-01-16 09:00:00"),
        sidecar("M002", "2024-01-16 09:00:01", [], [], None, "  only: 1\n"),
    ]
    for number, text in enumerate(cases):
        path = f"sub/{number}/session.yaml"
        data = text.encode()
        entry = Entry(path, len(data), 1_000, 7, 2_000, None)
        batch = new_batch()
        extract_bytes(batch, entry, data, racy_after=1_500)
        session, parts = _described(path, data)
        assert batch.sessions == [session]
        assert [list(rows) for rows in batch.parts] == parts
        assert batch.findings == []
        # racy: its ctime (2,000) is not before the refresh's racy limit (1,500)
        assert batch.files == [(path, len(data), 1_000, digest(data), 1, None, 7, 2_000)]
        if number == 0:  # every part, and a blob, is there to compare
            assert all(parts) and any(row[5] is not None for row in parts[0])


def test_file_rows_say_racy_only_for_recent_local_files() -> None:
    data = sidecar().encode()
    rows = []
    for entry in (
        Entry("a/session.yaml", len(data), 1_000, 7, 1_000, None),  # old: trusted by its stat
        Entry("b/session.yaml", len(data), 3_000, 8, 1_000, None),  # modified recently
        Entry("c/session.yaml", len(data), None, None, None, '"etag"'),  # remote: its tag
    ):
        batch = new_batch()
        extract_bytes(batch, entry, data, racy_after=2_000)
        rows.append(batch.files[0][4])
    assert rows == [0, 1, 0]


def test_findings_are_rows_with_their_path_first() -> None:
    data = b"subject: M001\nsession_datetime: 2024-01-15 10:30:00\nextra: 1\n"
    batch = new_batch()
    extract_bytes(batch, Entry("x/session.yaml", len(data), 0, 1, 0, None), data, 10)
    assert batch.sessions == [] and all(rows == [] for rows in batch.parts)
    assert [(row[0], row[3]) for row in batch.findings] == [("x/session.yaml", "schema")]
    assert batch.files[0][3] == digest(data)


def test_a_new_persistent_index_is_read_by_workers_forked_before_the_scan(tmp_path: Path) -> None:
    """Building an index from nothing forks the workers first (whatever the root's size);
    what they store is what one process builds in memory."""
    root = write_root(
        tmp_path / "root",
        {
            **REGISTRY,
            "M001/a/session.yaml": sidecar("M001", "2024-01-15 10:30:00", ["alice"], ["pilot"]),
            "M002/b/session.yaml": sidecar("M002", "2024-01-16 10:30:00", ["carol"]),
            "M009/c/session.yaml": sidecar("M009", "2024-01-17 10:30:00"),
            "bad/session.yaml": "subject: [\n",
        },
    )
    assert early_pool(open_root("memory://nowhere")) is None  # never for a remote root
    script = (
        "import sys; from session_files.index.extract import early_pool;"
        " from session_files.read.scan import open_root;"
        " pool = early_pool(open_root(sys.argv[1])); print(pool is not None);"
        " pool and pool.shutdown()"
    )
    forked = subprocess.run(
        [sys.executable, "-c", script, str(root)], capture_output=True, text=True, check=True
    )
    assert forked.stdout.split() == [str(sys.platform == "linux")]
    expected = cold(root)
    conn, result = open_index(open_root(root), tmp_path / "index.sqlite")
    try:
        assert snapshot(conn) == expected
    finally:
        conn.close()
    assert len(result.added) == 4


STREAMED = """
import sys
import session_files.index.extract as extract
from session_files import update_index
runs = []
found = extract.Stream.found
def spy(stream, rows):
    runs.append(len(rows))
    found(stream, rows)
extract.Stream.found = spy
update = update_index(sys.argv[1], index=sys.argv[2], progress=False)
print(len(runs), sum(runs), len(update.refresh.added))
"""


def test_a_new_index_is_read_while_the_scan_walks_and_is_what_one_process_builds(
    tmp_path: Path,
) -> None:
    """The workers get the sidecars in runs while the scan goes on (in the scan's order,
    not sorted: the sidecar of 'x' comes before 'x/y''s); the index is the same."""
    root = many_sessions(tmp_path / "root", 1000, bad_every=50)
    write_root(
        root,
        {
            "x/session.yaml": sidecar("M001", "2023-01-01 00:00:00"),
            "x/y/session.yaml": sidecar("M002", "2023-01-02 00:00:00"),
            "x/z/session.yaml": sidecar("M002", "2023-01-02 00:00:00"),  # a duplicate
            "x/z/w/session.yaml": "subject: [\n",
        },
    )
    index = tmp_path / "index.sqlite"
    out = subprocess.run(
        [sys.executable, "-c", STREAMED, str(root), str(index)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    runs, sent, added = map(int, out)
    assert sent == added == 1004
    assert runs >= 1004 // HAND_OUT
    conn, result = open_index(open_root(root), index)  # nothing changed since
    try:
        assert result.added == result.modified == result.removed == []
        assert snapshot(conn) == cold(root)
    finally:
        conn.close()


def test_a_new_index_has_8_kib_pages_and_an_older_one_keeps_its_own(tmp_path: Path) -> None:
    root = write_root(tmp_path / "root", {**REGISTRY, "a/session.yaml": sidecar()})
    older = tmp_path / "older.sqlite"
    with sqlite3.connect(older) as made:  # an index file made with SQLite's default pages
        made.execute("PRAGMA page_size = 4096")
        made.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        made.execute("VACUUM")
    for index, size in ((tmp_path / "new.sqlite", PAGE_SIZE), (None, PAGE_SIZE), (older, 4096)):
        conn, _ = open_index(open_root(root), index)
        try:
            assert conn.execute("PRAGMA page_size").fetchone()[0] == size
            assert snapshot(conn) == cold(root)
        finally:
            conn.close()


def test_rows_are_inserted_many_per_statement_in_order_and_all() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (n INTEGER, s TEXT, z)")
    insert = "INSERT INTO t (n, s, z) VALUES (?, ?, ?)"
    for count in (0, 1, ROWS_PER_INSERT - 1, ROWS_PER_INSERT, 2 * ROWS_PER_INSERT + 7):
        rows = [(i, f"row {i}", None if i % 3 else i / 2) for i in range(count)]
        conn.execute("DELETE FROM t")
        _insert(conn, insert, rows)
        assert conn.execute("SELECT n, s, z FROM t ORDER BY rowid").fetchall() == rows
