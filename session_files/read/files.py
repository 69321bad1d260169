"""The one safe way to read a file's bytes: a regular file only, and never more than asked."""

from __future__ import annotations

import errno
import hashlib
import os
import stat

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_NO_LINKS = getattr(os, "O_NOFOLLOW", 0)


def read_regular(path: str, limit: int, *, listed: bool = False) -> bytes:
    """At most ``limit`` bytes of a regular file; a FIFO or device is refused, never opened
    in a way that blocks (a pipe named ``session.yaml`` must not hang a scan).

    ``listed``: the path is one a scan just listed as a regular file, not a link; it is
    opened at once, refusing a symbolic link (``O_NOFOLLOW``), and only the open file is
    checked. Otherwise the path is looked at first, so a device is never opened at all.
    """
    if not listed and not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a regular file", path)
    fd = os.open(path, _FLAGS | (_NO_LINKS if listed else 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # replaced since the first look
            raise OSError(errno.EINVAL, "not a regular file", path)
        # ask for the size the file has plus one byte: a regular file's read is short only at
        # its end, so one call usually says all (asking for ``limit`` at once would allocate
        # a 1 MiB buffer for every small file)
        want = min(limit, info.st_size + 1)
        first = os.read(fd, want)
        if len(first) < want or want == limit:
            return first
        chunks = [first]  # it grew since fstat: read on, up to the limit
        left = limit - len(first)
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def digest(data: bytes) -> str:
    """The content digest the index compares files (and config and registries) by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
