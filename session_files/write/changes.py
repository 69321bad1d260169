"""What an edit changes in one file: the lines before and after, and the digest of the
bytes it was planned from (so a file changed since is never overwritten)."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..layout import READ_LIMIT
from ..read.files import read_regular


@dataclass(frozen=True)
class LineChange:
    """One changed line: its 1-based number (in the new file; in the old one for a line
    removed) and its text before and after (an empty side: a line removed or added)."""

    line: int
    before: str
    after: str


@dataclass(frozen=True)
class FileChange:
    """One file a plan changes: where, the digest of the bytes planned from, the new bytes."""

    path: str  # relative to the root, POSIX
    full: Path
    digest: str
    data: bytes
    lines: tuple[LineChange, ...]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def line_changes(before: bytes, after: bytes) -> tuple[LineChange, ...]:
    a = before.decode("utf-8").splitlines()
    b = after.decode("utf-8").splitlines()
    changes: list[LineChange] = []
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for i in range(max(a1 - a0, b1 - b0)):
            was = a[a0 + i] if a0 + i < a1 else ""
            will = b[b0 + i] if b0 + i < b1 else ""
            number = b0 + i if b0 + i < b1 else a0 + i  # added/changed: as it will be
            changes.append(LineChange(number + 1, was, will))
    return tuple(changes)


def current_digest(path: Path) -> str:
    """The digest of the file as it is now ('' when it cannot be read)."""
    try:
        return digest(read_regular(str(path), READ_LIMIT))
    except OSError:
        return ""
