"""The warm refresh's fast path: the fingerprint of the listing the file table holds.

A refresh that leaves the file table equal to its listing, with no row to read again, keeps
a fingerprint of that listing; the next refresh whose listing has the same fingerprint reads
and removes nothing without looking at the table. Each test arms the fast path (every file
indexed more than the racy window after it last changed), changes the root in a way the
fingerprint must see, and compares the refreshed index with a cold rebuild.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from session_files import update_index
from session_files.index import open_index
from session_files.index.refresh import RACY_NS, count_view, fingerprint
from session_files.read.scan import (
    NOTHING_IGNORED,
    Entry,
    Ignore,
    Listing,
    LocalRoot,
    Row,
    open_root,
)
from tests.fixtures_roots import cold, lab_files, sidecar, snapshot, write_root

A = "M001/2024-01-15_10-30-00/session.yaml"
B = "M001/2024-01-16_09-00-00/session.yaml"
C = "M002/2024-02-01_11-15-00/session.yaml"


def indexed(root: Path) -> tuple[object, object]:
    conn, _ = open_index(open_root(root), root / ".session-files/index.sqlite")
    try:
        return snapshot(conn)
    finally:
        conn.close()


def stored(root: Path) -> tuple[str, list[Row], int]:
    """The index's listing fingerprint, its file rows as a scan lists them, and how many
    rows are racy."""
    conn = sqlite3.connect(root / ".session-files/index.sqlite")
    try:
        (listing,) = conn.execute("SELECT value FROM meta WHERE key = 'listing'").fetchone()
        rows = conn.execute(
            "SELECT path, size, mtime_ns, ino, ctime_ns, tag FROM file ORDER BY path"
        ).fetchall()
        (racy,) = conn.execute("SELECT count(*) FROM file WHERE racy").fetchone()
    finally:
        conn.close()
    return listing, rows, racy


def scanned(root: Path) -> str:
    listing = open_root(root).scan(frozenset({"registry"}), NOTHING_IGNORED)
    assert listing.sidecars == [Entry(*row) for row in listing.rows]
    return fingerprint(listing.rows)


LABS = 12


@pytest.fixture(scope="module")
def labs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Iterator[Path]]:
    """Labs whose files last changed (mtime and ctime) more than the racy window ago: made
    together, so the module waits out the window once."""
    base = tmp_path_factory.mktemp("warm")
    made = [write_root(base / f"lab{number}", lab_files()) for number in range(LABS)]
    time.sleep(RACY_NS / 1e9 + 0.1)
    yield iter(made)


def armed(labs: Iterator[Path]) -> Path:
    """A lab indexed once: no file is racy, so the fingerprint is kept, and the next
    refresh takes the fast path."""
    root = next(labs)
    update_index(root)
    listing, rows, racy = stored(root)
    assert racy == 0
    assert listing == fingerprint(rows) == scanned(root)
    return root


def test_no_fingerprint_is_kept_while_a_file_is_racy(lab: Path) -> None:
    update_index(lab)  # files changed just now: racy, to be read again
    listing, _, racy = stored(lab)
    assert (listing, racy) == ("", 3)
    update_index(lab)
    assert stored(lab)[0] == ""


def test_a_kept_fingerprint_always_describes_the_file_table(labs: Iterator[Path]) -> None:
    lab = armed(labs)
    update_index(lab)  # the fast path: the fingerprint stays
    listing, rows, _ = stored(lab)
    assert listing == fingerprint(rows) == scanned(lab)
    (lab / B).unlink()
    update_index(lab)  # a removal, nothing read: the table is the listing
    listing, rows, _ = stored(lab)
    assert listing == fingerprint(rows) == scanned(lab)
    write_root(lab, {"M003/x/session.yaml": sidecar("M002", "2024-06-01 00:00:00")})
    update_index(lab)  # the new file is racy
    listing, rows, racy = stored(lab)
    assert (listing, racy) == ("", 1)
    assert indexed(lab) == cold(lab)


def _removed(lab: Path) -> None:
    (lab / B).unlink()


def _one_removed_one_added(lab: Path) -> None:  # as many sidecars as before
    (lab / B).unlink()
    write_root(lab, {"M002/new/session.yaml": sidecar("M002", "2024-06-01 00:00:00")})


def _renamed_directory(lab: Path) -> None:  # the same file (inode, ctime) at another path
    (lab / B).parent.rename(lab / "M001/renamed")


def _swapped(lab: Path) -> None:
    (lab / A).rename(lab / "swap.tmp")
    (lab / C).rename(lab / A)
    (lab / "swap.tmp").rename(lab / C)


CHANGES: dict[str, Callable[[Path], None]] = {
    "removed": _removed,
    "one removed, one added": _one_removed_one_added,
    "renamed directory": _renamed_directory,
    "two files swapped": _swapped,
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_after_the_fingerprint_is_seen(labs: Iterator[Path], change: str) -> None:
    lab = armed(labs)
    CHANGES[change](lab)
    update = update_index(lab)
    assert update.refresh.added or update.refresh.modified or update.refresh.removed
    assert indexed(lab) == cold(lab)
    again = update_index(lab)
    assert (again.refresh.added, again.refresh.modified, again.refresh.removed) == ([], [], [])
    assert indexed(lab) == cold(lab)


def test_a_rewrite_seen_only_by_its_ctime(labs: Iterator[Path]) -> None:
    """Same size, its old mtime given back, the same inode: only the ctime differs."""
    lab = armed(labs)
    target = lab / C
    before = target.stat()
    target.write_text(target.read_text(encoding="utf-8").replace("bob", "BOB"), encoding="utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    assert update_index(lab).refresh.modified == [C]
    assert indexed(lab) == cold(lab)


def test_a_copy_with_the_same_size_and_mtime_moved_over_a_file_is_seen(
    labs: Iterator[Path],
) -> None:
    lab = armed(labs)
    target = lab / C
    before = target.stat()
    copy = lab / "copy.tmp"
    copy.write_text(target.read_text(encoding="utf-8").replace("bob", "BOB"), encoding="utf-8")
    os.utime(copy, ns=(before.st_atime_ns, before.st_mtime_ns))
    copy.rename(target)
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert update_index(lab).refresh.modified == [C]
    assert indexed(lab) == cold(lab)


def test_a_new_ignore_glob_removes_what_it_ignores(labs: Iterator[Path]) -> None:
    lab = armed(labs)
    write_root(lab, {"session-files.yaml": "ignore:\n  - M002/\n"})
    update = update_index(lab)
    assert update.refresh.removed == [C]
    assert indexed(lab) == cold(lab)


def test_a_racy_file_is_read_again_until_it_is_not(labs: Iterator[Path]) -> None:
    """A file changed just before a refresh leaves no fingerprint: the next refresh reads it
    again and sees a rewrite that kept its size and mtime."""
    lab = armed(labs)
    target = lab / C
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert update_index(lab).refresh.modified == [C]
    assert stored(lab)[0] == ""
    stat = target.stat()
    target.write_text(target.read_text(encoding="utf-8").replace("bob", "BOB"), encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert update_index(lab).refresh.modified == [C]
    assert indexed(lab) == cold(lab)


def counts(root: Path) -> tuple[str, str]:
    """The view's counts as meta keeps them, and as counted now."""
    conn = sqlite3.connect(root / ".session-files/index.sqlite")
    try:
        (kept,) = conn.execute("SELECT value FROM meta WHERE key = 'counts'").fetchone()
        return kept, count_view(conn)
    finally:
        conn.close()


def test_the_kept_counts_are_the_views_after_every_refresh(labs: Iterator[Path]) -> None:
    lab = armed(labs)
    steps: list[Callable[[], object]] = [
        lambda: None,  # nothing changed: the counts are kept, not counted
        lambda: write_root(lab, {"M009/x/session.yaml": sidecar("M009", "2024-06-01 00:00:00")}),
        lambda: write_root(lab, {"registry/subjects.yaml": "M001:\n  sex: F\n"}),  # all out
        lambda: (lab / B).unlink(),
        lambda: write_root(lab, {"M002/y/session.yaml": "subject: [\n"}),
        lambda: None,
    ]
    seen = []
    for step in steps:
        step()
        update = update_index(lab)
        kept, counted = counts(lab)
        assert kept == counted == f"{update.sessions} {update.left_out}"
        seen.append(kept)
    assert seen == ["3 0", "3 1", "0 4", "0 3", "0 4", "0 4"]
    assert indexed(lab) == cold(lab)


class _Tag(str):
    """A version tag of a type marshal does not write (a str subclass)."""


class _OddTags(LocalRoot):
    """A local root whose listing carries tags of another type, as some remote store might."""

    def scan(self, skip_dirs: frozenset[str], ignore: Ignore) -> Listing:
        listing = super().scan(skip_dirs, ignore)
        listing.rows[:] = [(*row[:5], _Tag("v1")) for row in listing.rows]
        return listing


def test_a_listing_without_a_fingerprint_never_takes_the_fast_path(labs: Iterator[Path]) -> None:
    lab = next(labs)
    assert fingerprint([("a/session.yaml", 1, 2, 3, 4, _Tag("v1"))]) == ""
    index = lab / ".session-files/index.sqlite"
    conn, _ = open_index(_OddTags(lab), index)
    conn.close()
    assert stored(lab)[0] == ""  # nothing to compare a listing with
    target = lab / C
    target.write_text(target.read_text(encoding="utf-8").replace("bob", "BOB"), encoding="utf-8")
    conn, result = open_index(_OddTags(lab), index)
    conn.close()
    assert result.modified == [C]
