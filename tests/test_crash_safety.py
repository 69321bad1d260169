"""Crash-safe writes: a writer killed at any moment leaves the old sidecar or the new one.

A real child process rewrites one sidecar in a loop, alternating two different records
large enough that a write takes real time, and is SIGKILLed at random moments. After
every kill the sidecar parses and equals one of the two records; what a killed write
leaves behind is a hidden temporary file that the scanner never lists, and that a later
write removes once it is stale.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from datetime import datetime
from pathlib import Path

from session_files import read_sidecar, write_sidecar
from session_files.layout import TEMP_PREFIX
from session_files.read.scan import ignore_spec, open_root
from session_files.records import Attribute, Sidecar
from session_files.write.writer import (
    STALE_TEMP_SECONDS,
    atomic_write,
    dump_sidecar,
    remove_stale_temps,
)

KILLS = 100
ATTRIBUTES = 300  # x 1,900 characters: ~580 KB of YAML, cheap to dump but slow to write


def big_record(tag: str) -> Sidecar:
    return Sidecar(
        subject="M001",
        session_datetime=datetime(2024, 1, 15, 10, 30),
        note=f"version {tag}",
        attributes={
            f"a{number:03d}": Attribute(value=f"{tag}{number:03d}" * 300)
            for number in range(ATTRIBUTES)
        },
    )


OLD, NEW = big_record("old"), big_record("new")


def rewrite_forever(
    target: Path, versions: tuple[bytes, bytes], ready: multiprocessing.synchronize.Event
) -> None:
    """The child: replace the sidecar with NEW and OLD in turn until killed."""
    ready.set()
    while True:
        for data in versions:
            atomic_write(target, data)


def temp_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(TEMP_PREFIX + "*.tmp"))


def test_sigkill_at_any_moment_leaves_a_whole_sidecar(tmp_path: Path) -> None:
    """``write_sidecar`` validates and dumps in memory, then hands the bytes to
    ``atomic_write``: only that last step touches the disk. The child runs it on the very
    bytes ``write_sidecar`` writes, without re-dumping them each time (dumping ~0.5 MB of
    YAML takes ~0.6 s, the write itself milliseconds: a random kill would almost never land
    inside a write). About a third of the kills land mid-write (they leave a temp file)."""
    session = tmp_path / "M001" / "2024-01-15_10-30-00"
    target = write_sidecar(session, OLD)
    versions = (dump_sidecar(NEW), dump_sidecar(OLD))
    context = multiprocessing.get_context("fork")  # starts in milliseconds: many kills
    chance = random.Random(20240115)
    seen = {"old": 0, "new": 0}
    for _ in range(KILLS):
        ready = context.Event()
        child = context.Process(target=rewrite_forever, args=(target, versions, ready))
        child.start()
        assert ready.wait(timeout=60)
        time.sleep(chance.uniform(0.0, 0.05))
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=60)
        assert child.exitcode == -signal.SIGKILL

        record = read_sidecar(session)  # raises if the file is partial or invalid
        assert record in (OLD, NEW)
        seen[record.note.split()[-1] if record.note else "?"] += 1

        listing = open_root(tmp_path).scan(frozenset(), ignore_spec([]))
        assert [entry.path for entry in listing.sidecars] == [
            "M001/2024-01-15_10-30-00/session.yaml"
        ]
        assert listing.findings == []
    assert seen["old"] and seen["new"], seen  # the kills did land mid-loop, both ways


def test_a_later_write_removes_stale_temporary_files_only(tmp_path: Path) -> None:
    write_sidecar(tmp_path, OLD)
    hour_ago = time.time() - STALE_TEMP_SECONDS - 60

    stale = tmp_path / f"{TEMP_PREFIX}0123456789ab.tmp"  # what a killed writer leaves
    stale.write_bytes(b"subject: M0")
    fresh = tmp_path / f"{TEMP_PREFIX}ba9876543210.tmp"  # a write in progress, just begun
    fresh.write_bytes(b"subject: M0")
    others = [tmp_path / ".session.yaml.lock", tmp_path / f"{TEMP_PREFIX}backup.tmp"]
    for path in others:
        path.write_bytes(b"not a temporary file of the writer")
    for path in (stale, *others):
        os.utime(path, (hour_ago, hour_ago))

    write_sidecar(tmp_path, NEW, overwrite=True)
    assert not stale.exists()
    assert fresh.exists()
    assert all(path.exists() for path in others)
    assert read_sidecar(tmp_path) == NEW


def hold_lock(
    path: str, locked: multiprocessing.synchronize.Event, release: multiprocessing.synchronize.Event
) -> None:
    import fcntl

    fd = os.open(path, os.O_WRONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    locked.set()
    release.wait(timeout=120)
    os.close(fd)


def test_an_old_temporary_file_a_live_writer_holds_is_left_alone(tmp_path: Path) -> None:
    """A writer stalled for over an hour (a suspended laptop, a hung network drive) still
    holds its temporary file's lock: the cleanup must not pull it from under it."""
    write_sidecar(tmp_path, OLD)
    held = tmp_path / f"{TEMP_PREFIX}00000000beef.tmp"
    held.write_bytes(b"subject: M0")
    hour_ago = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(held, (hour_ago, hour_ago))
    context = multiprocessing.get_context("fork")
    locked, release = context.Event(), context.Event()
    holder = context.Process(target=hold_lock, args=(str(held), locked, release))
    holder.start()
    try:
        assert locked.wait(timeout=60)
        assert remove_stale_temps(tmp_path) == []
        write_sidecar(tmp_path, NEW, overwrite=True)
        assert held.exists()
    finally:
        release.set()
        holder.join(timeout=60)
    assert remove_stale_temps(tmp_path) == [held]
    assert temp_files(tmp_path) == []
