"""Concurrent writers: ``update_sidecar`` loses no update, across real processes.

Several spawned processes each add their own attributes to one sidecar, one update at a
time, all at once. Without the lock, two of them read the same version and the second
write drops the first one's attribute; with it, every attribute is there at the end.
"""

from __future__ import annotations

import multiprocessing
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

import session_files
from session_files import SidecarError, read_sidecar, update_sidecar, write_sidecar
from session_files.layout import LOCK_NAME
from session_files.read.scan import ignore_spec, open_root
from session_files.records import Attribute, Sidecar
from tests.fixtures_roots import set_attributes

WORKERS = 4
UPDATES = 30
RECORD = Sidecar(subject="M001", session_datetime=datetime(2024, 1, 15, 10, 30))


def add_attributes(session_dir: str, worker: int, updates: int) -> None:
    """One writer process: ``updates`` separate read-modify-writes, one attribute each."""
    for number in range(updates):
        set_attributes(session_dir, {f"w{worker}_{number}": f"{worker}.{number}"})


def test_concurrent_updates_lose_nothing(tmp_path: Path) -> None:
    write_sidecar(tmp_path, RECORD)
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=add_attributes, args=(str(tmp_path), worker, UPDATES))
        for worker in range(WORKERS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=600)
    assert [writer.exitcode for writer in writers] == [0] * WORKERS

    record = read_sidecar(tmp_path)
    expected = {
        f"w{worker}_{number}": Attribute(value=f"{worker}.{number}")
        for worker in range(WORKERS)
        for number in range(UPDATES)
    }
    assert record.attributes == expected
    assert (record.subject, record.session_datetime) == (RECORD.subject, RECORD.session_datetime)
    # what is left besides the sidecar is hidden: the scanner sees one sidecar and nothing else
    listing = open_root(tmp_path).scan(frozenset(), ignore_spec([]))
    assert [entry.path for entry in listing.sidecars] == ["session.yaml"]
    assert listing.findings == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_NAME, "session.yaml"]


def test_update_applies_the_change_to_the_current_record(tmp_path: Path) -> None:
    write_sidecar(tmp_path, RECORD)
    seen: list[Sidecar] = []

    def change(record: Sidecar) -> Sidecar:
        seen.append(record)
        return record.model_copy(update={"note": "drift near the end", "projects": ["vision"]})

    written = update_sidecar(tmp_path, change)
    assert seen == [RECORD]
    assert read_sidecar(tmp_path) == written
    assert (written.note, written.projects) == ("drift near the end", ["vision"])


def test_an_update_keeps_the_other_attributes_and_takes_blobs(tmp_path: Path) -> None:
    write_sidecar(tmp_path, RECORD.model_copy(update={"attributes": {"rig": Attribute(value="3")}}))
    set_attributes(tmp_path, {"depths": Attribute(blob=[1200, 1500]), "rig": "4"})
    assert read_sidecar(tmp_path).attributes == {
        "rig": Attribute(value="4"),
        "depths": Attribute(blob=[1200, 1500]),
    }


def test_an_invalid_change_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = write_sidecar(tmp_path, RECORD)
    before = path.read_bytes()
    with pytest.raises(SidecarError) as caught:
        set_attributes(tmp_path, {"x" * 40: "too long a name"})
    assert [f.code for f in caught.value.findings] == ["schema"]
    with pytest.raises(SidecarError) as caught:
        set_attributes(tmp_path, {"rig": "x" * 2001})
    assert [f.code for f in caught.value.findings] == ["schema"]
    assert path.read_bytes() == before


UPDATE_AS_ANOTHER_USER = """
import os, sys
from session_files import update_sidecar
if os.geteuid() == 0:  # the lock file is root's: become someone else
    os.setgroups([])
    os.setgid(int(sys.argv[3]))
    os.setuid(int(sys.argv[2]))
update_sidecar(sys.argv[1], lambda r: r.model_copy(update={"attributes": {**(r.attributes or {}), "rig": "3"}}))
"""


def test_a_lock_file_another_user_created_still_locks(tmp_path: Path) -> None:
    """flock needs only read access: the lock file, created by whoever updated first and
    readable by all, must not stop another user who may write the sidecar."""
    shared = Path(tempfile.mkdtemp(prefix="session-files-lock-"))
    try:
        shared.chmod(0o777)
        write_sidecar(shared, RECORD)
        (shared / "session.yaml").chmod(0o666)
        lock = shared / LOCK_NAME
        lock.touch()
        lock.chmod(0o444)
        nobody = pwd.getpwnam("nobody")
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                UPDATE_AS_ANOTHER_USER,
                str(shared),
                str(nobody.pw_uid),
                str(nobody.pw_gid),
            ],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(Path(session_files.__file__).parent.parent)},
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
        assert read_sidecar(shared).attributes == {"rig": Attribute(value="3")}
    finally:
        shutil.rmtree(shared)


def test_updating_a_missing_sidecar_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    with pytest.raises(SidecarError) as caught:
        set_attributes(tmp_path, {"rig": "3"})
    assert [f.code for f in caught.value.findings] == ["unreadable"]
    assert not (tmp_path / "session.yaml").exists()
    with pytest.raises(SidecarError):
        set_attributes(tmp_path / "no-such-directory", {"rig": "3"})


def test_a_sidecar_that_does_not_validate_is_never_overwritten(tmp_path: Path) -> None:
    """A file some other program wrote badly is the user's data: an update refuses it."""
    path = tmp_path / "session.yaml"
    path.write_bytes(b"subject: M001\nsession_datetime: 2024-01-15 10:30:00\nrig: 3\n")
    with pytest.raises(SidecarError) as caught:
        set_attributes(tmp_path, {"rig": "3"})
    assert [f.code for f in caught.value.findings] == ["schema"]
    assert path.read_bytes() == b"subject: M001\nsession_datetime: 2024-01-15 10:30:00\nrig: 3\n"


HIDE_FCNTL = """
import sys
sys.modules["fcntl"] = None  # as on Windows: no fcntl module
from session_files import SidecarError
from session_files import update_sidecar
try:
    update_sidecar(sys.argv[1], lambda r: r.model_copy(update={"attributes": {**(r.attributes or {}), "late": "x"}}))
except SidecarError as exc:
    print(exc)
    sys.exit(3)
"""


def test_an_update_never_runs_unlocked_where_fcntl_is_missing(tmp_path: Path) -> None:
    """The lock is the filelock library's, not a hand-written fcntl call: where fcntl does
    not exist, the update still waits for the lock holder (Windows: LockFileEx) or, where
    no lock primitive exists at all, refuses; it never proceeds unlocked."""
    write_sidecar(tmp_path, RECORD)
    from session_files.write.update import sidecar_lock

    with sidecar_lock(tmp_path):
        proc = subprocess.run(
            [sys.executable, "-c", HIDE_FCNTL, str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert read_sidecar(tmp_path).attributes is None  # nothing written under our lock
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "cannot be locked for update" in proc.stdout
