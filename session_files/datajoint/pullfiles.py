"""Write the files of a pull: each atomically (a hidden temporary file renamed over the
target, so a reader sees a file whole or not at all), all made durable together at the end.

``write_sidecar``'s writer fsyncs every file and its directory before the next; for the
thousands of files of a pull that is most of its time (10,000 files: ~14 s of fsyncs on a
quiet disk, minutes on a busy one). Here the renames happen first and one ``os.sync()``
flushes them all before ``pull`` returns. A machine that crashes during a pull may leave
some of the new files empty; the next pull lists them as differing (``--force`` rewrites).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from session_files.layout import TEMP_PREFIX


def write_files(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (POSIX path under ``target`` -> bytes), then flush them to disk."""
    made: set[Path] = set()
    for path, data in files.items():
        destination = target.joinpath(*path.split("/"))
        directory = destination.parent
        if directory not in made:
            directory.mkdir(parents=True, exist_ok=True)
            made.add(directory)
        temp = directory / f"{TEMP_PREFIX}{secrets.token_hex(6)}.tmp"
        mode = destination.stat().st_mode & 0o7777 if destination.exists() else 0o666
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(temp, flags, mode)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, destination)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    if files:
        os.sync()
