"""Read and parse sidecars into plain rows for the staging tables, in parallel when it pays.

Workers return tuples of text and numbers (cheap to pickle), never pydantic objects.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, NamedTuple

from tqdm import tqdm

from session_files.findings import Finding
from session_files.layout import READ_LIMIT, SIDECAR_NAME
from session_files.read.files import digest, read_regular
from session_files.read.scan import LocalRoot, Root
from session_files.read.sidecar import parse_sidecar
from session_files.records import TABLES

from .columns import encode_blob
from .schema import (
    ATTRIBUTE_STAGE,
    EXPERIMENTER_STAGE,
    PART_STAGES,
    PROJECT_STAGE,
    SESSION_STAGE,
)

PARALLEL_THRESHOLD = 2000  # fewer files than this: one process is faster than starting a pool
REMOTE_BATCH = 500  # sidecars of a remote root fetched together (concurrently, where it can)
_DIR_LIMIT = TABLES["session_directory"].model_fields["session_dir"].metadata[0].max_length

FindingRow = tuple[int | None, int | None, str, str]  # line, column, code, message


StagedRow = tuple[Any, ...]  # a staging row without its path (and a part's session key)


class Extracted(NamedTuple):
    """What one sidecar contributes: its digest, its findings and its staged rows (as
    ``Stage.row`` lays them out: cheap to pickle)."""

    path: str
    digest: str | None  # None: the file could not be read (it is re-read every refresh)
    findings: list[FindingRow]
    session: StagedRow | None = None  # the stage_session row; None: nothing is staged
    parts: tuple[tuple[StagedRow, ...], ...] = ()  # the rows of each of PART_STAGES, in order


def session_dir(path: str) -> str:
    """The session directory of a sidecar path, relative to the root ('.' for the root)."""
    return path[: -len(SIDECAR_NAME) - 1] if "/" in path else "."


def _row(finding: Finding) -> FindingRow:
    return (finding.line, finding.column, finding.code, finding.message)


def _read_plain(base: str, path: str) -> bytes | None:
    """A regular, non-link sidecar's bytes by the shortest route; None for anything else
    (a link, a FIFO, an error), which then takes the root's careful ``read``."""
    try:
        return read_regular(os.path.join(base, path), READ_LIMIT, listed=True)
    except OSError:
        return None


def extract(root: Root, path: str) -> Extracted:
    """Read and parse one sidecar; every problem becomes a finding.

    The scan never enters a linked directory, so a local sidecar that is a regular file
    and not itself a link is read directly; everything else goes through ``root.read``.
    """
    data = _read_plain(root.display, path) if isinstance(root, LocalRoot) else None
    try:
        if data is None:
            data = root.read(path)
    except OSError as exc:
        return _unreadable(path, exc)
    return extract_bytes(path, data)


def _unreadable(path: str, exc: OSError) -> Extracted:
    message = f"cannot be read ({exc.strerror or exc}); check its permissions"
    return Extracted(path, None, [_row(Finding.make("unreadable", path, message))])


def extract_bytes(path: str, data: bytes) -> Extracted:
    """Parse a sidecar's bytes into staged rows."""
    parsed = parse_sidecar(data, path)
    record, refs = parsed.record, parsed.refs
    key = digest(data)
    if record is None or refs is None:
        return Extracted(path, key, [_row(f) for f in parsed.findings])
    directory = session_dir(path)
    if len(directory) > _DIR_LIMIT:
        message = (
            f"is in a directory whose path is {len(directory)} characters long; session_dir"
            f" may be at most {_DIR_LIMIT}: shorten or move the session directory"
        )
        return Extracted(path, key, [(None, None, "schema", message)])
    values = {
        "subject": record.subject,
        "session_datetime": record.session_datetime.isoformat(sep=" "),
        "session_dir": directory,
        "session_note": record.note,
    }
    at = {"subject": refs.subject, "session_datetime": refs.session_datetime}
    parts = {
        ATTRIBUTE_STAGE.name: tuple(
            ATTRIBUTE_STAGE.row(
                {
                    "attribute_name": name,
                    "attribute_value": attribute.value,
                    "attribute_blob": encode_blob(attribute.blob),
                },
                {},
            )
            for name, attribute in (record.attributes or {}).items()
        ),
        EXPERIMENTER_STAGE.name: tuple(
            EXPERIMENTER_STAGE.row({"user": user}, {"user": where})
            for user, where in zip(record.experimenters or (), refs.experimenters, strict=True)
        ),
        PROJECT_STAGE.name: tuple(
            PROJECT_STAGE.row({"project": project}, {"project": where})
            for project, where in zip(record.projects or (), refs.projects, strict=True)
        ),
    }
    session = SESSION_STAGE.row(values, at)
    return Extracted(path, key, [], session, tuple(parts[stage.name] for stage in PART_STAGES))


def _chunk(root: str, paths: Sequence[str]) -> list[Extracted]:
    local = LocalRoot(root)
    return [extract(local, path) for path in paths]


class _Bar(tqdm):  # type: ignore[type-arg]
    """A progress bar without tqdm's monitor thread (which would outlive the bar and then
    keep this process from forking workers safely)."""

    monitor_interval = 0


def _pool(workers: int) -> ProcessPoolExecutor | None:
    """A process pool, or None where one cannot be started safely.

    Workers are forked (Linux, while this process has a single thread): a spawned worker
    would re-import the caller's ``__main__``, which breaks scripts without a main guard.
    Elsewhere the work is done in this process.
    """
    if workers < 2 or sys.platform != "linux" or threading.active_count() != 1:
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def extract_all(
    root: Root, paths: Sequence[str], progress: bool | None = None
) -> Iterator[Extracted]:
    """Extract every path: across processes for a large local root, else in this process.

    A progress bar goes to stderr when it is a terminal (or when ``progress`` is True).
    """
    show = sys.stderr.isatty() if progress is None else progress
    workers = min(os.cpu_count() or 1, 8)
    local = root.path if isinstance(root, LocalRoot) else None
    pool = _pool(workers) if local is not None and len(paths) >= PARALLEL_THRESHOLD else None
    if pool is None:
        read_many = getattr(root, "read_many", None)
        with _Bar(total=len(paths), unit="file", file=sys.stderr, disable=not show) as bar:
            if read_many is None:
                for path in paths:
                    yield extract(root, path)
                    bar.update()
                return
            for start in range(0, len(paths), REMOTE_BATCH):
                batch = list(paths[start : start + REMOTE_BATCH])
                for path, data in zip(batch, read_many(batch), strict=True):
                    yield (
                        _unreadable(path, data)
                        if isinstance(data, OSError)
                        else extract_bytes(path, data)
                    )
                bar.update(len(batch))
        return
    size = max(100, min(1000, len(paths) // (workers * 8) + 1))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    try:
        # submitting forks the workers, so start the bar (and its thread) only afterwards;
        # a future is dropped once read, so finished chunks do not pile up in memory
        futures = deque(pool.submit(_chunk, str(local), chunk) for chunk in chunks)
        with _Bar(total=len(paths), unit="file", file=sys.stderr, disable=not show) as bar:
            while futures:
                results = futures.popleft().result()
                yield from results
                bar.update(len(results))
    finally:  # also when the caller stops early: pending chunks are never started
        pool.shutdown(wait=True, cancel_futures=True)
