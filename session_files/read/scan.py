"""Finding sidecars below a data root: a local directory (fast path) or any ReadablePath."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ..findings import Finding
from ..layout import READ_LIMIT, SIDECAR_NAME
from .files import read_regular

if TYPE_CHECKING:
    import pathspec
    from pathlib_abc import ReadablePath

_PATH = itemgetter(0)  # a row's path: the sort key of a listing
_MISNAMED = re.compile(r"\s*session\.ya?ml.*", re.IGNORECASE)


class Entry(NamedTuple):
    """A sidecar found by the scan: root-relative POSIX path, and its stat (or a remote
    store's version tag) where known. A tuple, cheap to make by the hundred thousand; its
    fields are in the order of the index's ``file`` columns it is compared with."""

    path: str
    size: int | None = None
    mtime_ns: int | None = None
    ino: int | None = None  # inode and ctime: what git compares too (local files)
    ctime_ns: int | None = None
    tag: str | None = None  # a remote store's version tag (S3: the ETag)


_as_entry = partial(tuple.__new__, Entry)  # a row as an Entry, with no Python call


# an Entry as a plain tuple, its fields in the same order (what a scan lists)
Row = tuple[str, int | None, int | None, int | None, int | None, str | None]


def _row(rel: str, stat: os.stat_result) -> Row:
    return (rel, stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns, None)


def _remote_row(rel: str, size: int | None = None, tag: str | None = None) -> Row:
    return (rel, size, None, None, None, tag)


HAND_OUT = 400  # sidecars a scan hands out at a time, when asked to while it walks


@dataclass
class Listing:
    """What a scan found: the sidecars, sorted by path, and findings about names, links and
    directories.

    The scan lists each sidecar as a plain tuple (``rows``); ``sidecars`` makes them
    ``Entry`` tuples on first use. A warm refresh that finds nothing changed needs only the
    rows (their fingerprint, their count), so it never makes an ``Entry`` at all.
    """

    rows: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @cached_property
    def sidecars(self) -> list[Entry]:
        """The rows as ``Entry`` tuples (made once; the rows are not to change after)."""
        return list(map(_as_entry, self.rows))


def is_misnamed(name: str) -> bool:
    """A file named like a sidecar but not exactly ``session.yaml``."""
    return name != SIDECAR_NAME and _MISNAMED.fullmatch(name) is not None


class Root(Protocol):
    """A data root the scanner and index read from."""

    display: str

    def scan(self, skip_dirs: frozenset[str], ignore: Ignore) -> Listing:
        """List every sidecar (skipping hidden entries, ``skip_dirs`` and ignored paths)."""
        ...

    def read(self, path: str) -> bytes:
        """A root-relative file's bytes (at most READ_LIMIT); raises OSError."""
        ...

    def read_optional(self, path: str) -> bytes | None:
        """A root-relative file's bytes, or None when it does not exist; raises OSError."""
        try:
            return self.read(path)
        except FileNotFoundError:
            return None


class Ignore(Protocol):
    """The ignore globs a scan skips paths by (``ignore_spec``, or ``NOTHING_IGNORED``)."""

    def match_file(self, file: str) -> bool:
        """Whether ``file`` (root-relative; a directory ends in ``/``) is ignored."""
        ...

    def __len__(self) -> int:
        """How many patterns: a scan does not ask an empty spec."""
        ...


class _NothingIgnored:
    """The globs of a config without ``ignore``: nothing matches, and pathspec (with its
    regular-expression engines, a tenth of a warm CLI refresh) is never imported."""

    def match_file(self, file: str) -> bool:
        return False

    def __len__(self) -> int:
        return 0


NOTHING_IGNORED: Ignore = _NothingIgnored()


def ignore_spec(patterns: list[str]) -> pathspec.GitIgnoreSpec:
    """The gitignore-style globs of the root config, matched by RE2: in time linear in the
    path (Python's own regex backtracks exponentially on ``*a*a*a*a*b``)."""
    import pathspec  # only a config with patterns needs it

    return pathspec.GitIgnoreSpec.from_lines(patterns, backend="re2")


class LocalRoot(Root):
    """A directory on a local or mounted filesystem, walked with ``os.scandir``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        # normalized once (``x/../root`` is ``root``): every path shown or stored is relative
        # to this one spelling, so an index agrees with a cold rebuild however it was named
        self.path = Path(os.path.normpath(Path(path).absolute()))
        self.real = os.path.realpath(self.path)
        self.display = str(self.path)

    def scan(
        self,
        skip_dirs: frozenset[str],
        ignore: Ignore,
        found: Callable[[list[Row]], object] | None = None,
    ) -> Listing:
        """``Root.scan``; ``found`` (when given) is handed the sidecars found so far, in runs
        of about HAND_OUT, while the walk goes on (a cold build reads them meanwhile)."""
        # The walk of every refresh, next to which the rest of a warm refresh is small. What
        # is per entry is inline, and the two common cases (a regular sidecar, a directory)
        # are told apart by d_type alone: no call, no stat but the sidecar's own.
        listing = Listing()
        rows, findings = listing.rows, listing.findings
        matching = len(ignore) > 0  # an empty spec matches nothing: it is not asked
        stack: list[tuple[str, str]] = [("", str(self.path))]  # (prefix, directory)
        add, scandir = rows.append, os.scandir
        push, pop = stack.append, stack.pop
        handed = 0
        while stack:
            if found is not None and len(rows) - handed >= HAND_OUT:
                found(rows[handed:])
                handed = len(rows)
            prefix, directory = pop()
            try:
                # listed whole (sorted once, at the end); the iterator closes itself at its
                # end or on an error, so no ``with`` is needed
                children = list(scandir(directory))
            except OSError as exc:
                message = f"directory cannot be listed ({exc.strerror or exc}); its sessions are not indexed"
                findings.append(Finding.make("unreadable", prefix.rstrip("/") or ".", message))
                continue
            deeper = len(stack)
            for entry in children:
                name = entry.name
                rel = prefix + name
                if name == SIDECAR_NAME:
                    try:
                        if entry.is_file(follow_symlinks=False):  # regular: d_type says so
                            if not (matching and ignore.match_file(rel)):
                                s = entry.stat(follow_symlinks=False)
                                add((rel, s.st_size, s.st_mtime_ns, s.st_ino, s.st_ctime_ns, None))
                            continue
                    except OSError as exc:
                        findings.append(_unreadable(rel, exc))
                        continue
                elif name[0] == ".":
                    continue
                elif not name.isascii() and not _is_text(name):  # never a session_dir
                    if entry.is_dir(follow_symlinks=False):
                        findings.append(_not_text(rel))
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):  # a directory, not a link to one
                        if rel not in skip_dirs and not (matching and ignore.match_file(rel + "/")):
                            push((rel + "/", entry.path))
                    else:
                        self._visit(entry, rel, skip_dirs, ignore, listing, stack)
                except OSError as exc:
                    findings.append(_unreadable(rel, exc))
            if len(stack) > deeper + 1:
                # subdirectories visited in the order of their paths: the listing comes out
                # (nearly) sorted, and the sort below is one pass over a run
                stack[deeper:] = sorted(stack[deeper:], reverse=True)
        if found is not None and len(rows) > handed:
            found(rows[handed:])
        rows.sort(key=_PATH)
        return listing

    def _visit(
        self,
        entry: os.DirEntry[str],
        rel: str,
        skip_dirs: frozenset[str],
        ignore: Ignore,
        listing: Listing,
        subdirs: list[tuple[str, str]],
    ) -> None:
        if entry.is_symlink():
            self._symlink(entry, rel, ignore, listing)
        elif entry.is_dir(follow_symlinks=False):
            if rel not in skip_dirs and not ignore.match_file(rel + "/"):
                subdirs.append((rel + "/", entry.path))
        elif ignore.match_file(rel):
            return
        elif entry.name == SIDECAR_NAME:
            listing.rows.append(_row(rel, entry.stat(follow_symlinks=False)))
        elif is_misnamed(entry.name):
            listing.findings.append(_misnamed(rel, entry.name))

    def _symlink(self, entry: os.DirEntry[str], rel: str, ignore: Ignore, listing: Listing) -> None:
        """Links are never followed out of the root; a directory link is never followed at all
        (inside the root its target is scanned where it really is)."""
        if ignore.match_file(rel) or ignore.match_file(rel + "/"):
            return
        target = os.path.realpath(entry.path)
        inside = target == self.real or target.startswith(self.real + os.sep)
        if not inside:
            shown = _shown(target)
            message = f"is a symbolic link to {shown}, outside the data root; it is not followed"
            listing.findings.append(Finding.make("symlink-outside-root", rel, message))
        elif entry.name == SIDECAR_NAME and os.path.isfile(target):
            listing.rows.append(_row(rel, os.stat(entry.path)))

    def _file(self, path: str) -> str:
        full = os.path.realpath(os.path.join(self.path, path))
        if full != self.real and not full.startswith(self.real + os.sep):
            message = f"{path} resolves outside the data root"
            raise PermissionError(message)
        return full

    def read(self, path: str) -> bytes:
        return read_regular(self._file(path), READ_LIMIT)


def _is_text(name: str) -> bool:
    """False for a file name whose bytes are not UTF-8 (Python keeps them as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(path: str) -> str:
    """A path for messages: bytes that are not UTF-8 written as ``\\xff`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _unreadable(rel: str, exc: OSError) -> Finding:
    return Finding.make("unreadable", rel, f"cannot be read ({exc.strerror or exc})")


def _not_text(rel: str) -> Finding:
    message = "has a name that is not UTF-8; rename it so the sessions below it are indexed"
    return Finding.make("unreadable", _shown(rel), message)


def _misnamed(rel: str, name: str) -> Finding:
    message = f"is named {name!r}; a sidecar must be named exactly 'session.yaml' to be indexed"
    return Finding.make("misnamed-sidecar", rel, message)


class PathRoot(Root):
    """Any ``pathlib_abc.ReadablePath``: a universal-pathlib ``UPath`` (memory://, zip://, s3://).

    A path backed by an fsspec filesystem is listed in one pass (``find``: on S3 one
    paginated listing of the prefix, not one request per directory) and read in batches
    (``cat_ranges``: concurrent requests where the filesystem is asynchronous). fsspec's
    listing cache is dropped first, so every scan sees what is there now.
    """

    def __init__(self, path: ReadablePath) -> None:
        self.path = path
        self.display = str(path)
        fs, base = getattr(path, "fs", None), getattr(path, "path", None)
        self.fs: Any = fs if isinstance(base, str) and hasattr(fs, "find") else None
        self.base = base.rstrip("/") if isinstance(base, str) else ""

    def _walk(self, directory: ReadablePath, prefix: str) -> Iterator[tuple[ReadablePath, str]]:
        for child in sorted(directory.iterdir(), key=lambda item: item.name):
            # an empty name (an archive entry "/abs/...") is the directory itself: never
            # descend into it again, or the walk never ends
            if child.name and not child.name.startswith(".") and "/" not in child.name:
                yield child, prefix + child.name

    def scan(self, skip_dirs: frozenset[str], ignore: Ignore) -> Listing:
        if self.fs is not None:
            return self._scan_fs(skip_dirs, ignore)
        listing = Listing()
        stack: list[tuple[ReadablePath, str]] = [(self.path, "")]
        while stack:
            directory, prefix = stack.pop()
            try:
                children = list(self._walk(directory, prefix))
            except OSError as exc:
                listing.findings.append(_unlisted(prefix, exc))
                continue
            subdirs: list[tuple[ReadablePath, str]] = []
            for child, rel in children:
                info = child.info
                if info.is_dir():
                    if rel not in skip_dirs and not ignore.match_file(rel + "/"):
                        subdirs.append((child, rel + "/"))
                elif ignore.match_file(rel):
                    continue
                elif child.name == SIDECAR_NAME:
                    listing.rows.append(_remote_row(rel))
                elif is_misnamed(child.name):
                    listing.findings.append(_misnamed(rel, child.name))
            stack.extend(reversed(subdirs))
        listing.rows.sort(key=_PATH)
        return listing

    def _scan_fs(self, skip_dirs: frozenset[str], ignore: Ignore) -> Listing:
        """The same rules as the walk above, over one recursive listing."""
        listing = Listing()
        fs, base = self.fs, self.base
        try:
            fs.invalidate_cache(base or None)
            found: dict[str, dict[str, Any]] = fs.find(base, withdirs=True, detail=True)
            if not found and not fs.isdir(base):
                raise FileNotFoundError(base or "/")
        except OSError as exc:
            listing.findings.append(_unlisted("", exc))
            return listing
        cut = len(base) + 1 if base else 0
        entries = sorted(
            (name[cut:] if base else name.lstrip("/"), info)
            for name, info in found.items()
            if name.rstrip("/") != base
        )
        kept: dict[str, bool] = {"": True}  # directory ("a/b/") -> whether its entries count

        def keep(directory: str) -> bool:
            if directory not in kept:
                parent, _, name = directory[:-1].rpartition("/")
                parent = parent + "/" if parent else ""
                kept[directory] = (
                    keep(parent)
                    and not name.startswith(".")
                    and directory[:-1] not in skip_dirs
                    and not ignore.match_file(directory)
                )
            return kept[directory]

        for rel, info in entries:
            rel = rel.rstrip("/")
            parent, _, name = rel.rpartition("/")
            if not rel or name.startswith(".") or not keep(parent + "/" if parent else ""):
                continue
            if info.get("type") == "directory" or ignore.match_file(rel):
                continue
            if name == SIDECAR_NAME:
                listing.rows.append(_remote_row(rel, info.get("size"), _tag(info)))
            elif is_misnamed(name):
                listing.findings.append(_misnamed(rel, name))
        listing.rows.sort(key=_PATH)
        return listing

    def _full(self, path: str) -> str:
        return f"{self.base}/{path}" if self.base else path

    def read(self, path: str) -> bytes:
        if self.fs is not None:
            result = self.read_many([path])[0]
            if isinstance(result, BaseException):
                raise result
            return result
        return read_bounded(self.path.joinpath(*path.split("/")))

    def read_many(self, paths: list[str]) -> list[bytes | OSError]:
        """Each path's bytes (at most READ_LIMIT) or the OSError that reading it raised,
        fetched concurrently where the filesystem can."""
        if self.fs is None:
            return [_try_read(self, path) for path in paths]
        full = [self._full(path) for path in paths]
        got = self.fs.cat_ranges(full, [0] * len(full), [READ_LIMIT] * len(full), on_error="return")
        results: list[bytes | OSError] = []
        for path, item in zip(paths, got, strict=True):
            if isinstance(item, bytes):
                results.append(item[:READ_LIMIT])
            elif isinstance(item, OSError):
                results.append(item)
            else:  # another failure of the transport: reported like an I/O error
                results.append(OSError(f"{path}: {item}"))
        return results


def read_bounded(target: ReadablePath) -> bytes:
    """At most READ_LIMIT bytes, read through the file object: never the whole object first
    (a 1 GiB archive entry or remote object costs 1 MiB, not 1 GiB)."""
    with target.open("rb") as file:
        data: bytes = file.read(READ_LIMIT)
    return data


def _try_read(root: PathRoot, path: str) -> bytes | OSError:
    try:
        return root.read(path)
    except OSError as exc:
        return exc


def _tag(info: dict[str, Any]) -> str | None:
    """What identifies an object's version on a remote store (S3: the ETag), if it says."""
    for key in ("ETag", "etag", "md5Hash"):
        value = info.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _unlisted(prefix: str, exc: OSError) -> Finding:
    message = f"directory cannot be listed ({exc}); its sessions are not indexed"
    return Finding.make("unreadable", prefix.rstrip("/") or ".", message)


def open_root(root: str | os.PathLike[str] | ReadablePath) -> Root:
    """A Root for a local path, a ReadablePath, or an fsspec URL (``memory://``, ``zip://``...)."""
    if not isinstance(root, (str, os.PathLike)):
        from pathlib_abc import ReadablePath  # a local root never needs it

        if isinstance(root, ReadablePath):
            return PathRoot(root)
    if isinstance(root, str) and "://" in root and not root.startswith("file://"):
        try:
            from upath import UPath
        except ImportError:
            message = (
                f"{root} is a URL; install the remote extra: pip install 'session-files[remote]'"
            )
            raise ValueError(message) from None
        return PathRoot(UPath(root))
    if isinstance(root, str) and root.startswith("file://"):
        root = root[len("file://") :]
    local = Path(os.fspath(root))
    if not local.is_dir():
        message = f"{local} is not a directory"
        raise FileNotFoundError(message)
    return LocalRoot(local)
