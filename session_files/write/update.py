"""Changing a sidecar in place: read, change, write, with no update lost to a concurrent writer.

Two programs that each read a sidecar, add an attribute and write it back would silently
drop one another's change. ``update_sidecar`` holds an exclusive lock on a hidden file in
the session directory (``.session.yaml.lock``, never scanned; it is left in place, as
deleting a lock file races with the next writer) around the read-modify-write.

The lock is taken with the ``filelock`` library's ``lock_descriptor`` (the primitive of
its ``FileLock``): ``flock`` on Linux and macOS, ``LockFileEx`` on Windows. It is advisory
(it binds writers that use ``update_sidecar``, not other programs) and released by the
operating system when the holder exits or dies. What it protects on network shares is in docs/security.md.

The new record is written as a minimal edit of the file (``edit.py``): only the lines whose
values change differ, and the comments, blank lines and quoting of the rest are kept.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock

from ..findings import Finding
from ..layout import LOCK_NAME, READ_LIMIT, SIDECAR_NAME
from ..read.files import read_regular
from ..read.sidecar import SidecarError, parse_sidecar
from ..read.yamlsafe import YamlProblem
from ..records import Sidecar
from .dump import dump_sidecar, to_document
from .edit import RewriteWarning, edit_document, leading_comments
from .writer import coerce_record, write_checked


@contextmanager
def sidecar_lock(session_dir: str | os.PathLike[str], *, findings: bool = True) -> Iterator[Path]:
    """Hold the session directory's exclusive update lock (waits for the current holder).

    A lock that cannot be taken raises SidecarError (an ``unreadable`` finding), or the
    OSError itself without ``findings`` (for a write that should fail as writes do)."""
    path = Path(session_dir) / LOCK_NAME
    # Read-only is enough to lock: a lock file another user created still works. A link
    # planted at the lock's name is not followed.
    flags = os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if not findings:
            raise
        message = f"cannot be locked for update: {exc.strerror or exc}"
        raise SidecarError([Finding.make("unreadable", str(path), message)]) from exc
    try:
        try:  # flock on Linux and macOS, LockFileEx on Windows
            filelock.lock_descriptor(fd)
        except OSError as exc:  # a filesystem without locks: refuse rather than race
            if not findings:
                raise
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
    under the lock, so keep it short. Only the lines whose values change are rewritten:
    comments, blank lines, quoting and key order elsewhere stay byte for byte, and new keys
    are written in the file's indentation and line ends. The new record is checked as
    ``write_sidecar`` checks it (``root``, ``check``). Raises SidecarError when the sidecar
    cannot be read or the new record is invalid (the file is then left as it was). Returns
    the record written.
    """
    target = Path(session_dir) / SIDECAR_NAME
    with sidecar_lock(session_dir):
        data = _read(target)
        parsed = parse_sidecar(data, str(target))
        if parsed.record is None:
            raise SidecarError(parsed.findings)
        record = coerce_record(change(parsed.record))
        edited = edited_sidecar(data, parsed.record, record, str(target))
        write_checked(session_dir, record, edited, overwrite=True, root=root, check=check)
    return record


def replace_sidecar(
    session_dir: str | os.PathLike[str],
    record: Sidecar | Mapping[str, Any],
    *,
    root: str | os.PathLike[str] | None = None,
    check: bool = True,
) -> Path:
    """Write ``record`` over the sidecar of ``session_dir`` (``new --force``): a minimal
    edit of the file there when it reads as a sidecar, else a new file; under the lock."""
    sidecar = coerce_record(record)
    target = Path(session_dir) / SIDECAR_NAME
    Path(session_dir).mkdir(parents=True, exist_ok=True)
    with sidecar_lock(session_dir, findings=False):
        try:
            data = _read(target)
        except SidecarError:
            data = b""
        parsed = parse_sidecar(data, str(target)) if data else None
        if parsed is not None and parsed.record is not None:
            data = edited_sidecar(data, parsed.record, sidecar, str(target))
        else:
            data = dump_sidecar(sidecar)
        return write_checked(session_dir, sidecar, data, overwrite=True, root=root, check=check)


def attribute_text(loc: tuple[str | int, ...]) -> bool:
    """Where a sidecar's scalars are read as the text written: attribute values."""
    return loc[:1] == ("attributes",) and (len(loc) == 2 or loc[2:] == ("value",))


def edited_sidecar(data: bytes, old: Sidecar, new: Sidecar, path: str) -> bytes:
    """The sidecar ``data`` (reading as ``old``) changed to read as ``new``, changing only
    the lines whose values change. Where no minimal edit reads back as ``new`` (never for
    a file this package or a plain editor wrote), the file is written anew with its leading
    comments and a ``RewriteWarning`` says so."""
    try:
        edited = edit_document(data, to_document(old), to_document(new), as_text=attribute_text)
    except (ValueError, YamlProblem):
        edited = None
    if edited is not None and edited.minimal and parse_sidecar(edited.data, path).record == new:
        return edited.data
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    message = f"{path}: could not be edited in place; rewritten, keeping its leading comments"
    warnings.warn(RewriteWarning(message), stacklevel=3)
    return leading_comments(text).encode("utf-8") + dump_sidecar(new)


def _read(target: Path) -> bytes:
    try:
        return read_regular(str(target), READ_LIMIT)
    except OSError as exc:
        message = f"cannot be read: {exc.strerror or exc}"
        raise SidecarError([Finding.make("unreadable", str(target), message)]) from exc
