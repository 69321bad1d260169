"""The one safe way to read a file's bytes: a regular file only, and never more than asked."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def read_regular(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file; a FIFO or device is refused, never opened
    in a way that blocks (a pipe named ``session.yaml`` must not hang a scan)."""
    if not stat.S_ISREG(Path(path).stat().st_mode):
        raise OSError(errno.EINVAL, "not a regular file", path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the first look
            raise OSError(errno.EINVAL, "not a regular file", path)
        return handle.read(limit)
