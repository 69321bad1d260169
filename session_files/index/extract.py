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
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from tqdm import tqdm

from session_files.findings import Finding
from session_files.layout import READ_LIMIT, SIDECAR_NAME
from session_files.read.files import digest, read_regular
from session_files.read.scan import Entry, LocalRoot, Root
from session_files.read.sidecar import parse_sidecar
from session_files.read.vocabulary import attribute_findings
from session_files.records import TABLES

from .columns import encode_blob
from .schema import PART_STAGES

if TYPE_CHECKING:
    from session_files.read.vocabulary import Vocabulary

PARALLEL_THRESHOLD = 2000  # fewer files than this: one process is faster than starting a pool
CHUNK_MIN, CHUNK_MAX = 50, 1000  # sidecars a worker reads per round trip
BATCH = 500  # sidecars read in this process per batch (a remote root fetches them together)
_DIR_LIMIT = TABLES["session_directory"].model_fields["session_dir"].metadata[0].max_length

# an Entry's fields as a plain tuple (what workers are sent: a NamedTuple costs a Python
# call per entry to unpickle): path, size, mtime_ns, ino, ctime_ns, tag
Stat = tuple[str, int | None, int | None, int | None, int | None, str | None]
FileRow = tuple[Any, ...]  # a ``file`` row: path, size, mtime_ns, digest, racy, tag, ino, ctime_ns
FindingRow = tuple[str, int | None, int | None, str, str]  # path, line, column, code, message
StagedRow = tuple[Any, ...]  # a staging row, as ``Stage.columns`` lays it out


class Batch(NamedTuple):
    """What a run of sidecars contributes to the index, as the flat rows its tables take
    (plain tuples, cheap to pickle, each table's rows inserted by one ``executemany``).

    ``files`` has one row per sidecar read, in the order they were given; a digest of None
    means the file could not be read (it is racy, so it is read again every refresh).
    """

    files: list[FileRow]
    findings: list[FindingRow]
    sessions: list[StagedRow]
    parts: tuple[list[StagedRow], ...]  # the rows of each of PART_STAGES, in order


def new_batch() -> Batch:
    """An empty batch."""
    return Batch([], [], [], tuple([] for _ in PART_STAGES))


def session_dir(path: str) -> str:
    """The session directory of a sidecar path, relative to the root ('.' for the root)."""
    return path[: -len(SIDECAR_NAME) - 1] if "/" in path else "."


def _read_plain(base: str, path: str) -> bytes | None:
    """A regular, non-link sidecar's bytes by the shortest route; None for anything else
    (a link, a FIFO, an error), which then takes the root's careful ``read``."""
    try:
        return read_regular(os.path.join(base, path), READ_LIMIT, listed=True)
    except OSError:
        return None


def extract(
    root: Root,
    entry: Stat,
    racy_after: int = 0,
    batch: Batch | None = None,
    vocabulary: Vocabulary | None = None,
) -> Batch:
    """Read and parse one sidecar into ``batch`` (a new one by default); every problem
    becomes a finding. ``racy_after``: a file changed at or after this time (ns) is racy;
    ``vocabulary``: the lab's (its attributes are checked against it).

    The scan never enters a linked directory, so a local sidecar that is a regular file
    and not itself a link is read directly; everything else goes through ``root.read``.
    """
    batch = new_batch() if batch is None else batch
    path = entry[0]
    data = _read_plain(root.display, path) if isinstance(root, LocalRoot) else None
    try:
        if data is None:
            data = root.read(path)
    except OSError as exc:
        _unreadable(batch, entry, exc)
    else:
        extract_bytes(batch, entry, data, racy_after, vocabulary)
    return batch


def _unreadable(batch: Batch, entry: Stat, exc: OSError) -> None:
    path = entry[0]
    message = f"cannot be read ({exc.strerror or exc}); check its permissions"
    batch.files.append(_file_row(entry, None, racy=True))
    finding = Finding.make("unreadable", path, message)
    batch.findings.append((path, finding.line, finding.column, finding.code, finding.message))


def _file_row(entry: Stat, key: str | None, *, racy: bool) -> FileRow:
    path, size, mtime_ns, ino, ctime_ns, tag = entry
    return (path, size, mtime_ns, key, int(racy), tag, ino, ctime_ns)


def extract_bytes(
    batch: Batch, entry: Stat, data: bytes, racy_after: int, vocabulary: Vocabulary | None = None
) -> None:
    """Parse a sidecar's bytes into ``batch``: its ``file`` row, its findings, its rows
    (its attributes checked against ``vocabulary`` when the root has one).

    The rows are built straight into the tuples ``Stage.columns`` describes (a test checks
    them against ``Stage.row``): a cold build makes a few per sidecar, 100,000s in all.
    """
    path, _, mtime_ns, _, ctime_ns, tag = entry
    racy = tag is None and max(mtime_ns or 0, ctime_ns or 0) >= racy_after
    batch.files.append(_file_row(entry, digest(data), racy=racy))
    parsed = parse_sidecar(data, path)
    record, refs = parsed.record, parsed.refs
    if record is None or refs is None:
        batch.findings.extend((path, f.line, f.column, f.code, f.message) for f in parsed.findings)
        return
    directory = session_dir(path)
    if len(directory) > _DIR_LIMIT:
        message = (
            f"is in a directory whose path is {len(directory)} characters long; session_dir"
            f" may be at most {_DIR_LIMIT}: shorten or move the session directory"
        )
        batch.findings.append((path, None, None, "schema", message))
        return
    if vocabulary is not None:
        batch.findings.extend(
            (path, f.line, f.column, f.code, f.message)
            for f in attribute_findings(vocabulary, record, data, path)
        )
    subject = record.subject
    when = record.session_datetime.isoformat(sep=" ")
    batch.sessions.append(
        (path, subject, when, directory, record.note, *refs.subject, *refs.session_datetime)
    )
    attributes, experimenters, projects = batch.parts
    if record.attributes:
        attributes.extend(
            (
                path,
                subject,
                when,
                name,
                attribute.value,
                None if attribute.blob is None else encode_blob(attribute.blob),
            )
            for name, attribute in record.attributes.items()
        )
    if record.experimenters:
        experimenters.extend(
            (path, subject, when, user, *where)
            for user, where in zip(record.experimenters, refs.experimenters, strict=True)
        )
    if record.projects:
        projects.extend(
            (path, subject, when, project, *where)
            for project, where in zip(record.projects, refs.projects, strict=True)
        )


def _chunk(
    root: str, entries: Sequence[Stat], racy_after: int, vocabulary: Vocabulary | None = None
) -> Batch:
    local = LocalRoot(root)
    batch = new_batch()
    for entry in entries:
        extract(local, entry, racy_after, batch, vocabulary)
    return batch


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
    try:
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    except (ImportError, NotImplementedError, OSError):  # no semaphores (no /dev/shm, a sandbox)
        return None


def _workers() -> int:
    return min(os.cpu_count() or 1, 8)


def early_pool(root: Root) -> ProcessPoolExecutor | None:
    """Workers forked now, before the scan, for building an index from nothing: forked
    from a process that holds no listing yet, each worker starts smaller (at 100,000
    sessions, 30 MiB less each), and starting them overlaps the scan. None where
    ``extract_all`` would not use workers for any size of root (a remote root, no fork).
    """
    if not isinstance(root, LocalRoot):
        return None
    pool = _pool(_workers())
    if pool is not None:
        try:
            pool.submit(int)  # a fork pool forks all its workers at the first submit
        except OSError:  # no process can be forked now: the scan and the reads go on here
            pool.shutdown(wait=True, cancel_futures=True)
            return None
    return pool


def _plain(entries: Sequence[Entry]) -> list[Stat]:
    """Entries as plain tuples, the cheapest to send."""
    return cast("list[Stat]", list(map(tuple, entries)))


def _chunks(entries: Sequence[Entry], workers: int) -> Iterator[Sequence[Entry]]:
    """Runs of entries for the workers, shorter and shorter (each an eighth of what is
    left, per worker, within CHUNK_MIN..CHUNK_MAX): the first keep each round trip cheap,
    the last let the workers finish together."""
    start, count = 0, len(entries)
    while start < count:
        size = min(CHUNK_MAX, max(CHUNK_MIN, (count - start) // (workers * 4)))
        yield entries[start : start + size]
        start += size


class Stream:
    """A cold build's sidecars handed to the workers while the scan still walks
    (``LocalRoot.scan(found=stream.found)``), and their batches back, in the order sent.
    The scan of a large root takes one core for a while: the other keeps parsing."""

    def __init__(
        self,
        pool: ProcessPoolExecutor,
        root: LocalRoot,
        racy_after: int,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.pool, self.base, self.racy_after = pool, str(root.path), racy_after
        self.vocabulary = vocabulary
        self.sent: deque[tuple[list[Stat], Future[Batch]]] = deque()
        self.count = 0

    def found(self, rows: list[Stat]) -> None:
        """Send the sidecars the scan has just found to the workers."""
        future = self.pool.submit(_chunk, self.base, rows, self.racy_after, self.vocabulary)
        self.sent.append((rows, future))
        self.count += len(rows)

    def batches(self, progress: bool | None = None) -> Iterator[tuple[list[Stat], Batch]]:
        """Each run sent, with its batch, in order (a progress bar as ``extract_all``'s)."""
        show = sys.stderr.isatty() if progress is None else progress
        with _Bar(total=self.count, unit="file", file=sys.stderr, disable=not show) as bar:
            while self.sent:
                rows, future = self.sent.popleft()
                yield rows, future.result()
                bar.update(len(rows))


def extract_all(
    root: Root,
    entries: Sequence[Entry],
    racy_after: int,
    progress: bool | None = None,
    pool: ProcessPoolExecutor | None = None,
    vocabulary: Vocabulary | None = None,
) -> Iterator[Batch]:
    """Extract every entry, in order, in batches: across processes for a large local root
    (in ``pool`` when given: the caller shuts it down), else in this process. ``racy_after``
    and ``vocabulary`` as for ``extract``.

    A progress bar goes to stderr when it is a terminal (or when ``progress`` is True).
    """
    show = sys.stderr.isatty() if progress is None else progress
    workers = _workers()
    local = root.path if isinstance(root, LocalRoot) else None
    own = pool is None
    if own and local is not None and len(entries) >= PARALLEL_THRESHOLD:
        pool = _pool(workers)
    if pool is None or local is None:
        read_many = getattr(root, "read_many", None)
        with _Bar(total=len(entries), unit="file", file=sys.stderr, disable=not show) as bar:
            for start in range(0, len(entries), BATCH):
                run = entries[start : start + BATCH]
                batch = new_batch()
                if read_many is None:
                    for entry in run:
                        extract(root, entry, racy_after, batch, vocabulary)
                else:
                    for entry, data in zip(run, read_many([e.path for e in run]), strict=True):
                        if isinstance(data, OSError):
                            _unreadable(batch, entry, data)
                        else:
                            extract_bytes(batch, entry, data, racy_after, vocabulary)
                yield batch
                bar.update(len(run))
        return
    try:
        # submitting forks the workers, so start the bar (and its thread) only afterwards;
        # a future is dropped once read, so finished chunks do not pile up in memory
        futures = deque(
            pool.submit(_chunk, str(local), _plain(chunk), racy_after, vocabulary)
            for chunk in _chunks(entries, workers)
        )
        with _Bar(total=len(entries), unit="file", file=sys.stderr, disable=not show) as bar:
            while futures:
                batch = futures.popleft().result()
                yield batch
                bar.update(len(batch.files))
    finally:  # also when the caller stops early: pending chunks are never started
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
