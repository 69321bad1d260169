"""Changing a sidecar in place: read, change, write, with no update lost to a concurrent writer.

Two programs that each read a sidecar, add an attribute and write it back would silently
drop one another's change. ``update_sidecar`` holds an exclusive lock on a hidden file in
the session directory (``.session.yaml.lock``, never scanned; it is left in place, as
deleting a lock file races with the next writer) around the read-modify-write.

The lock is ``fcntl.flock``: advisory (it binds writers that use ``update_sidecar``, not
other programs), released by the kernel when the holder exits or dies, and shared across
hosts on NFS (Linux emulates it with NFS byte-range locks). Where ``fcntl`` does not exist
(Windows) no lock is taken: updates are still atomic, but concurrent updaters may lose
changes there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..findings import Finding
from ..layout import LOCK_NAME
from ..read.problems import schema_findings
from ..read.sidecar import SidecarError, read_sidecar
from ..records import Attribute, Sidecar
from .writer import coerce_record, write_sidecar

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, see the module docstring
    fcntl = None  # type: ignore[assignment]


@contextmanager
def sidecar_lock(session_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the session directory's exclusive update lock (waits for the current holder)."""
    path = Path(session_dir) / LOCK_NAME
    try:  # read-only is enough for flock: a lock file another user created still works
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError as exc:
        message = f"cannot be locked for update: {exc.strerror or exc}"
        raise SidecarError([Finding.make("unreadable", str(path), message)]) from exc
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
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
        record = coerce_record(change(read_sidecar(session_dir)))
        write_sidecar(session_dir, record, overwrite=True, root=root, check=check)
    return record


def set_attributes(
    session_dir: str | os.PathLike[str],
    attributes: Mapping[str, str | float | bool | Attribute],
) -> Sidecar:
    """Add or replace attributes of a sidecar (text, numbers, booleans, or ``Attribute``
    for a blob)."""
    try:
        new = {name: Attribute.model_validate(value) for name, value in attributes.items()}
    except ValidationError as exc:
        raise SidecarError(schema_findings(exc, None, "<attributes>", Attribute)) from None

    def change(record: Sidecar) -> Sidecar:
        return record.model_copy(update={"attributes": {**(record.attributes or {}), **new}})

    return update_sidecar(session_dir, change)
