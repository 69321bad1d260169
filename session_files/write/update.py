"""Changing a sidecar in place: read, change, write, with no update lost to a concurrent writer.

Two programs that each read a sidecar, add an attribute and write it back would silently
drop one another's change. ``update_sidecar`` holds an exclusive lock on a hidden file in
the session directory (``.session.yaml.lock``, never scanned; it is left in place, as
deleting a lock file races with the next writer) around the read-modify-write.

The lock is taken with the ``filelock`` library's ``lock_descriptor`` (the primitive of
its ``FileLock``): ``flock`` on Linux and macOS, ``LockFileEx`` on Windows. It is advisory
(it binds writers that use ``update_sidecar``, not other programs) and released by the
operating system when the holder exits or dies. What it protects on network shares is in docs/security.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock

from ..findings import Finding
from ..layout import LOCK_NAME, READ_LIMIT, SIDECAR_NAME
from ..read.files import read_regular
from ..read.sidecar import SidecarError, read_sidecar
from ..records import Sidecar
from .writer import coerce_record, write_sidecar


@contextmanager
def sidecar_lock(session_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the session directory's exclusive update lock (waits for the current holder)."""
    path = Path(session_dir) / LOCK_NAME
    # Read-only is enough to lock: a lock file another user created still works. A link
    # planted at the lock's name is not followed.
    flags = os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        message = f"cannot be locked for update: {exc.strerror or exc}"
        raise SidecarError([Finding.make("unreadable", str(path), message)]) from exc
    try:
        try:  # flock on Linux and macOS, LockFileEx on Windows
            filelock.lock_descriptor(fd)
        except OSError as exc:  # a filesystem without locks: refuse rather than race
            message = f"cannot be locked for update: {exc.strerror or exc}"
            raise SidecarError([Finding.make("unreadable", str(path), message)]) from exc
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def update_sidecar(
    session_dir: str | os.PathLike[str],
    change: Callable[[Sidecar], Sidecar | Mapping[str, Any]],
    *,
    root: str | os.PathLike[str] | None = None,
    check: bool = True,
) -> Sidecar:
    """Apply ``change`` to the sidecar of ``session_dir`` and write the result atomically.

    ``change`` gets the current record and returns the new one, validated again before it
    is written, so plain Python values are fine. The documented way is ``model_copy``::

        def change(record):
            attributes = dict(record.attributes or {})
            attributes["laser_mw"] = 3.5          # add or change (numbers, booleans, text)
            attributes.pop("old_name", None)      # remove
            return record.model_copy(update={
                "attributes": attributes,
                "experimenters": [*(record.experimenters or []), "bob"],
                "projects": None,                 # remove them all
            })

    ``change`` may also return a mapping (``{**dict(record), "note": "..."}``). It runs
    under the lock, so keep it short. The new record is checked as ``write_sidecar``
    checks it (``root``, ``check``). Raises SidecarError when the sidecar cannot be read
    or the new record is invalid (the file is then left as it was). Returns the record
    written.
    """
    with sidecar_lock(session_dir):
        comments = leading_comments(Path(session_dir) / SIDECAR_NAME)
        record = coerce_record(change(read_sidecar(session_dir)))
        write_sidecar(
            session_dir, record, overwrite=True, root=root, check=check, comments=comments
        )
    return record


def leading_comments(path: Path) -> str:
    """The comment lines (and blank lines) a sidecar starts with: its
    ``# yaml-language-server`` modeline and the writer's notes survive an update. Comments
    further down belong to keys that the update may change or remove, and are not kept."""
    try:
        text = read_regular(str(path), READ_LIMIT).decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return ""  # read_sidecar reports it
    kept: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        kept.append(line.rstrip("\r\n") + "\n")
    while kept and not kept[-1].strip():
        kept.pop()
    return "".join(kept)
