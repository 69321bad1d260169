"""The persistent index: incremental refresh, racy files, rebuilds, and where it lives."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest

from session_files import IndexRebuiltWarning, load_catalog, update_index, validate
from session_files.index import open_index
from session_files.index.store import IndexRefusedError
from session_files.read.scan import open_root
from tests.fixtures_roots import REGISTRY, cold, sidecar, snapshot, write_root

A = "M001/2024-01-15_10-30-00/session.yaml"
B = "M001/2024-01-16_09-00-00/session.yaml"
C = "M002/2024-02-01_11-15-00/session.yaml"
LONG_AGO = 1_500_000_000_000_000_000  # 2017, far outside the racy window


def indexed(root: Path) -> tuple[object, object]:
    conn, _ = open_index(open_root(root), root / ".session-files/index.sqlite")
    try:
        return snapshot(conn)
    finally:
        conn.close()


def age(root: Path, *rels: str) -> None:
    for rel in rels:
        os.utime(root / rel, ns=(LONG_AGO, LONG_AGO))


def test_the_first_refresh_adds_and_the_next_finds_nothing_to_do(lab: Path) -> None:
    first = update_index(lab)
    assert (first.refresh.added, first.refresh.modified, first.refresh.removed) == (
        [A, B, C],
        [],
        [],
    )
    assert first.refresh.index == lab / ".session-files/index.sqlite"
    assert (lab / ".session-files/.gitignore").read_text(encoding="utf-8").endswith("*\n")
    second = update_index(lab)
    assert (second.refresh.added, second.refresh.modified, second.refresh.removed) == ([], [], [])
    assert second.refresh.unchanged == 3
    assert not second.refresh.sources_changed
    assert second.sessions == 3


def test_added_modified_removed_are_reported_and_the_index_equals_a_rebuild(lab: Path) -> None:
    update_index(lab)
    write_root(
        lab,
        {
            B: None,
            C: sidecar("M002", "2024-02-01 11:15:00", ["carol"]),
            "new/session.yaml": sidecar("M002", "2024-03-01 00:00:00"),
        },
    )
    update = update_index(lab)
    assert update.refresh.added == ["new/session.yaml"]
    assert update.refresh.modified == [C]
    assert update.refresh.removed == [B]
    assert [f.code for f in update.findings] == ["unknown-experimenter"]
    assert indexed(lab) == cold(lab)


def test_a_touched_file_with_the_same_content_is_unchanged(lab: Path) -> None:
    update_index(lab)
    age(lab, A)
    update = update_index(lab)
    assert update.refresh.modified == []
    assert update.refresh.unchanged == 3


def test_a_racy_rewrite_with_the_same_size_and_mtime_is_still_seen(lab: Path) -> None:
    """A rewrite inside one timestamp tick leaves size and mtime as they were; the file was
    stored as racy (modified just before the refresh), so it is compared by content."""
    update_index(lab)
    target = lab / C
    stat = target.stat()
    target.write_text(target.read_text(encoding="utf-8").replace("bob", "BOB"), encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert target.stat().st_size == stat.st_size
    update = update_index(lab)
    assert update.refresh.modified == [C]
    assert [f.code for f in update.findings] == ["unknown-experimenter"]


def test_a_rewrite_given_back_its_old_mtime_is_seen_by_its_ctime(lab: Path) -> None:
    age(lab, A, B, C)
    update_index(lab)
    update_index(lab)  # now no file is racy: every one is known by its stat alone
    target = lab / C
    stat = target.stat()
    target.write_text(target.read_text(encoding="utf-8").replace("bob", "BOB"), encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    # same size and its old mtime given back: the ctime still tells (as git compares it)
    assert update_index(lab).refresh.modified == [C]
    assert indexed(lab) == cold(lab)
    assert update_index(lab).refresh.unchanged == 3


def test_a_registry_change_rechecks_every_reference(lab: Path) -> None:
    write_root(lab, {"x/session.yaml": sidecar("M003", "2024-05-01 00:00:00")})
    assert update_index(lab).sessions == 3
    subjects = (
        REGISTRY["registry/subjects.yaml"] + "M003:\n  sex: F\n  subject_birth_date: 2024-01-01\n"
    )
    write_root(lab, {"registry/subjects.yaml": subjects})
    update = update_index(lab)
    assert update.refresh.sources_changed
    assert update.refresh.added == update.refresh.modified == []
    assert update.findings == []
    assert update.sessions == 4
    write_root(lab, {"registry/projects.yaml": None})
    update = update_index(lab)
    assert [f.code for f in update.findings] == [
        "unknown-project",
        "unknown-project",
        "unknown-project",
    ]
    assert indexed(lab) == cold(lab)


def test_a_config_change_reapplies_ignore_globs_and_severity(lab: Path) -> None:
    write_root(lab, {"x/session.yaml": sidecar("M001", "2024-01-01 00:00:00", ["carol"])})
    assert update_index(lab).sessions == 3
    write_root(lab, {"session-files.yaml": "severity: {unknown-experimenter: warning}\n"})
    update = update_index(lab)
    assert [(f.severity, f.code) for f in update.findings] == [("warning", "unknown-experimenter")]
    assert update.sessions == 4
    write_root(lab, {"session-files.yaml": "ignore: ['x/']\n"})
    update = update_index(lab)
    assert update.refresh.removed == ["x/session.yaml"]
    assert update.findings == []
    assert update.sessions == 3
    assert indexed(lab) == cold(lab)


def test_validate_uses_and_refreshes_an_existing_index(lab: Path) -> None:
    update_index(lab)
    write_root(lab, {"y/session.yaml": sidecar("M002", "2024-06-01 00:00:00")})
    assert validate(lab).sessions == 4
    assert update_index(lab).refresh.added == []


def test_an_explicit_index_path(lab: Path, tmp_path: Path) -> None:
    index = tmp_path / "elsewhere" / "my.sqlite"
    catalog = load_catalog(lab, index=index)
    assert len(catalog["session"]) == 3
    catalog.close()
    assert index.is_file()
    assert not (lab / ".session-files").exists()


def _set_meta(index: Path, key: str, value: str) -> None:
    conn = sqlite3.connect(index)
    with conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    conn.close()


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("tool_version", "0.0.1", "it was written by session-files 0.0.1"),
        ("index_schema", "99", "it has index schema 99"),
        ("root", "/some/other/root", "it indexes another root (/some/other/root)"),
        ("format", "something else", "it is not a session-files index"),
    ],
)
def test_an_untrustworthy_index_is_rebuilt_with_a_warning(
    lab: Path, tmp_path: Path, key: str, value: str, why: str
) -> None:
    index = tmp_path / "kept-elsewhere.sqlite"
    update_index(lab, index=index)
    conn = sqlite3.connect(index)
    with conn:  # wrong rows that must never be returned
        conn.execute("UPDATE stage_session SET subject = 'M002'")
    conn.close()
    _set_meta(index, key, value)
    with pytest.warns(IndexRebuiltWarning, match=re.escape(why)):
        catalog = load_catalog(lab, index=index)
    assert [row.subject for row in catalog["session"]] == ["M001", "M001", "M002"]
    catalog.close()
    assert update_index(lab, index=index).refresh.warnings == []


@pytest.mark.parametrize(
    "garbage",
    [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\x07" * 500],
)
def test_garbage_at_the_default_index_is_refused_and_left_alone(lab: Path, garbage: bytes) -> None:
    index = lab / ".session-files/index.sqlite"
    index.parent.mkdir()
    index.write_bytes(garbage)
    with pytest.raises(IndexRefusedError, match="not a session-files index"):
        update_index(lab)
    assert index.read_bytes() == garbage


def test_an_empty_file_at_the_index_path_becomes_the_index(lab: Path) -> None:
    index = lab / ".session-files/index.sqlite"
    index.parent.mkdir()
    index.write_bytes(b"")
    update = update_index(lab)
    assert (update.sessions, update.refresh.warnings) == (3, [])
    assert indexed(lab) == cold(lab)


def test_an_sqlite_file_of_another_program_is_refused_and_left_alone(lab: Path) -> None:
    index = lab / ".session-files/index.sqlite"
    index.parent.mkdir()
    conn = sqlite3.connect(index)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    before = index.read_bytes()
    with pytest.raises(IndexRefusedError, match="an SQLite database of another program"):
        validate(lab)
    assert index.read_bytes() == before


def test_refresh_false_reads_the_index_as_it_is(lab: Path) -> None:
    update_index(lab)
    write_root(lab, {"y/session.yaml": sidecar("M002", "2024-06-01 00:00:00")})
    catalog = load_catalog(lab, refresh=False)
    assert len(catalog["session"]) == 3
    catalog.close()
    catalog = load_catalog(lab)
    assert len(catalog["session"]) == 4
    catalog.close()


def test_a_moved_root_keeps_its_index_but_a_foreign_index_is_rebuilt(
    lab: Path, tmp_path: Path
) -> None:
    update_index(lab)
    moved = tmp_path / "moved"
    lab.rename(moved)
    update = update_index(moved)
    assert update.refresh.warnings == []
    assert update.refresh.unchanged == 3
    foreign = tmp_path / "other"
    write_root(foreign, {"a/session.yaml": sidecar()})
    update = update_index(foreign, index=moved / ".session-files/index.sqlite")
    assert update.refresh.warnings == [
        f"index {moved}/.session-files/index.sqlite cannot be used because it indexes another"
        f" root ({moved}); rebuilt from scratch"
    ]
    assert update.refresh.added == ["a/session.yaml"]


def test_an_index_that_cannot_be_opened_is_an_error_and_is_left_alone(
    lab: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "a-directory.sqlite"
    folder.mkdir()
    with pytest.raises(IndexRefusedError, match="it is a directory"):
        update_index(lab, index=folder)
    assert folder.is_dir()


def test_a_progress_bar_goes_to_stderr_only_when_asked_or_on_a_terminal(
    lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    update_index(lab, progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "3/3" in err
    write_root(lab, {"new/session.yaml": sidecar("M002", "2024-07-01 00:00:00")})
    update_index(lab)  # stderr is not a terminal here
    assert capsys.readouterr() == ("", "")
