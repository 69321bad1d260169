"""Writing sidecars for Python acquisition code: validated, stable layout, atomic."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import filelock
from pydantic import ValidationError

from ..findings import Finding
from ..layout import SIDECAR_NAME, TEMP_PREFIX
from ..read.problems import schema_findings
from ..read.sidecar import SidecarError, parse_sidecar
from ..records import Sidecar
from .dump import dump_sidecar, dump_yaml, to_document

__all__ = [
    "SidecarWarning",
    "atomic_write",
    "coerce_record",
    "dump_sidecar",
    "dump_yaml",
    "remove_stale_temps",
    "to_document",
    "write_checked",
    "write_sidecar",
]

_TEMP_NAME = re.compile(r"\.session\.yaml\.[0-9a-f]{12}\.tmp")
# A temporary file this old that no writer holds was left by a writer that was killed.
STALE_TEMP_SECONDS = 3600


def coerce_record(record: Sidecar | Mapping[str, Any]) -> Sidecar:
    """A ``Sidecar`` from a model or a mapping; an invalid record raises SidecarError.

    A model is validated again: ``model_copy(update=...)`` does not validate, so a record
    changed that way may hold plain values (an attribute given as ``3.5``) or invalid ones.
    """
    try:
        return Sidecar.model_validate(dict(record))
    except ValidationError as exc:
        raise SidecarError(schema_findings(exc, None, "<record>", Sidecar)) from None


def atomic_write(target: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Replace ``target`` with ``data`` so a reader sees the old file or the new one, whole.

    The bytes go to a hidden temporary file in the same directory, are flushed and fsynced,
    then renamed over the target; the directory is fsynced so the rename survives a crash.
    Without ``overwrite`` the temporary file is hard-linked to the target instead, which
    fails (FileExistsError) when a target appeared meanwhile; where hard links are not
    supported, the target is checked just before the rename.
    """
    directory = target.parent
    if not directory.is_dir():  # said of the user's path, not of the temporary file's
        raise FileNotFoundError(
            errno.ENOENT, f"no such directory: {directory} (create it first)", str(target)
        )
    prefix = TEMP_PREFIX if target.name == SIDECAR_NAME else f".{target.name}."
    temp = directory / f"{prefix}{secrets.token_hex(6)}.tmp"
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            # in use: remove_stale_temps leaves it alone (a filesystem without locks: age alone)
            with contextlib.suppress(OSError):
                filelock.lock_descriptor(fd, blocking=False)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temp, target)
        else:
            _create(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)
    remove_stale_temps(directory)


def _create(temp: Path, target: Path) -> None:
    """Move ``temp`` to ``target``, never replacing a file there (FileExistsError)."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise FileExistsError(
            errno.EEXIST, "exists; pass overwrite=True to replace it", str(target)
        ) from None
    except OSError:  # no hard links here (some network or FAT filesystems): check, then rename
        if target.exists():
            raise FileExistsError(
                errno.EEXIST, "exists; pass overwrite=True to replace it", str(target)
            ) from None
        os.replace(temp, target)
        return
    with contextlib.suppress(OSError):  # a leftover is hidden and removed as stale later
        temp.unlink()


def remove_stale_temps(directory: Path) -> list[Path]:
    """Delete the temporary files that killed writers left in ``directory``.

    Only files named exactly like ours, older than STALE_TEMP_SECONDS, and not locked by a
    live writer; any error leaves the file where it is (they are hidden, so harmless).
    """
    removed: list[Path] = []
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        with os.scandir(directory) as scan:
            entries = [entry for entry in scan if _TEMP_NAME.fullmatch(entry.name)]
    except OSError:
        return removed
    for entry in entries:
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime > cutoff:
                continue
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            try:
                if not filelock.lock_descriptor(fd, blocking=False):
                    continue  # a live writer holds it
                if os.name != "nt":  # POSIX: removed while locked, so no writer slips in
                    Path(entry.path).unlink()
            finally:
                os.close(fd)
            if os.name == "nt":  # Windows cannot remove an open file
                Path(entry.path).unlink()
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - filesystems that refuse fsync on a directory
        pass
    finally:
        os.close(fd)


class SidecarWarning(UserWarning):
    """A warning-severity finding of a sidecar just written (e.g. ``layout-mismatch``)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(f"{finding.path}: {finding.code}: {finding.message}")
        self.finding = finding


def write_sidecar(
    session_dir: str | os.PathLike[str],
    record: Sidecar | Mapping[str, Any],
    *,
    overwrite: bool = False,
    root: str | os.PathLike[str] | None = None,
    check: bool = True,
    comments: str = "",
) -> Path:
    """Validate ``record`` and write it atomically as ``session_dir/session.yaml``.

    ``record`` is a ``Sidecar`` or a mapping of plain Python values: attribute values may
    be numbers and booleans, stored as their canonical text (``3.5`` -> ``"3.5"``,
    ``True`` -> ``"true"``); ``session_datetime`` a ``datetime`` in whole seconds
    (``session_files.now()``) or text like ``"2024-01-15 10:30:00"``.

    With ``check`` (the default), the record is first checked against the data root that
    holds ``session_dir`` (``root``, or the nearest directory upward with
    ``session-files.yaml`` or ``registry/``): its subject, experimenters and projects must
    be in the registries and its (subject, session_datetime) in no other sidecar of the
    root (as the root's index knows them). Error findings refuse the write (SidecarError,
    with the same codes and messages as ``validate``); warning findings (a
    ``layout-mismatch``) are issued as ``SidecarWarning``. A directory in no root is
    written unchecked; ``check=False`` skips the check.

    Refuses (SidecarError) a record that is invalid or would not read back equal, and
    (FileExistsError) to replace an existing sidecar unless ``overwrite``. The directory is
    created if needed. ``comments`` (whole ``#`` comment lines and blank lines, e.g. a
    ``# yaml-language-server: $schema=...`` modeline) go before the document. Returns the
    sidecar's path.
    """
    sidecar = coerce_record(record)
    if any(line.strip() and not line.lstrip().startswith("#") for line in comments.splitlines()):
        msg = "comments must be whole '#' comment lines (or blank lines)"
        raise ValueError(msg)
    if comments and not comments.endswith("\n"):
        comments += "\n"
    data = comments.encode("utf-8") + dump_sidecar(sidecar)
    return write_checked(session_dir, sidecar, data, overwrite=overwrite, root=root, check=check)


def write_checked(
    session_dir: str | os.PathLike[str],
    record: Sidecar,
    data: bytes,
    *,
    overwrite: bool = False,
    root: str | os.PathLike[str] | None = None,
    check: bool = True,
) -> Path:
    """Write ``data`` as the sidecar of ``session_dir`` once it reads back as ``record``
    and ``record`` passes the root's checks (``write_sidecar``'s rules); atomic."""
    target = Path(session_dir) / SIDECAR_NAME
    parsed = parse_sidecar(data, str(target))
    if parsed.record != record:
        findings = parsed.findings or (
            Finding.make("schema", str(target), "would not read back equal to the record"),
        )
        raise SidecarError(findings)
    if not overwrite and target.exists():
        raise FileExistsError(
            errno.EEXIST, "exists; pass overwrite=True to replace it", str(target)
        )
    if check:
        _check(session_dir, record, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, data, overwrite=overwrite)
    return target


def _check(
    session_dir: str | os.PathLike[str], record: Sidecar, root: str | os.PathLike[str] | None
) -> None:
    from ..read.root import find_root

    where = root if root is not None else find_root(session_dir)
    if where is None:
        return
    from .check import check_session  # SQLite and the index: only when there is a root

    findings = check_session(where, session_dir, record)
    errors = [finding for finding in findings if finding.severity == "error"]
    if errors:
        raise SidecarError(errors)
    for finding in findings:
        warnings.warn(SidecarWarning(finding), stacklevel=3)
