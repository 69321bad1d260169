"""Keep a root's index fresh as files change, and say which findings appear and clear.

``watch`` refreshes the persistent index once, then again after every batch of file
changes the ``watchfiles`` library reports (inotify, FSEvents, ReadDirectoryChangesW; or
polling, for network shares where the operating system sees no remote changes). Each
refresh is compared with the last: the findings that appeared, those that cleared, and
the counts.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding
from ..layout import INDEX_DIR


@dataclass(frozen=True)
class WatchEvent:
    """What one refresh changed: findings that appeared and cleared, and the new counts."""

    appeared: list[Finding] = field(default_factory=list)
    cleared: list[Finding] = field(default_factory=list)
    sessions: int = 0
    errors: int = 0
    warnings: int = 0
    refresh_warnings: list[str] = field(default_factory=list)


def _ignored(root: Path, path: str) -> bool:
    """Hidden entries (the index in ``.session-files/``, writers' temporary and lock files)
    never hold sidecars: their changes cause no refresh."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return False
    return any(part.startswith(".") for part in parts) or parts[:1] == (INDEX_DIR,)


def watch(
    root: str | os.PathLike[str],
    *,
    registry: str | os.PathLike[str] | None = None,
    poll: bool = False,
    debounce_ms: int = 400,
    stop_event: threading.Event | None = None,
) -> Iterator[WatchEvent]:
    """Refresh the index of the local ``root`` now and after every change below it.

    Yields a ``WatchEvent`` for the first refresh (every current finding "appeared"), then
    one for each refresh that changed the findings or the session count. Stops when
    ``stop_event`` is set or on Ctrl-C (SIGINT), without raising.
    """
    import watchfiles

    from ..api import update_index

    path = Path(os.path.abspath(root))
    if not path.is_dir():
        msg = f"{root} is not a directory"
        raise FileNotFoundError(msg)
    registry_dir = None if registry is None else Path(os.path.abspath(registry))
    previous: set[Finding] = set()
    last_sessions = -1
    batches = watchfiles.watch(
        path,
        *([registry_dir] if registry_dir is not None and registry_dir.is_dir() else []),
        watch_filter=lambda _change, changed: not _ignored(path, changed),
        debounce=debounce_ms,
        stop_event=stop_event,
        raise_interrupt=False,
        force_polling=poll or None,
        rust_timeout=1000,
        yield_on_timeout=True,  # an empty batch after each quiet second
    )
    # Start the watcher before the first refresh, so a change made while it runs is seen.
    if next(batches, None) is None:
        return
    first = True
    while True:
        update = update_index(path, registry=registry)
        current = set(update.findings)
        if first or current != previous or update.sessions != last_sessions:
            yield WatchEvent(
                appeared=sorted(current - previous, key=Finding.sort_key),
                cleared=sorted(previous - current, key=Finding.sort_key),
                sessions=update.sessions,
                errors=update.errors,
                warnings=update.warnings,
                refresh_warnings=list(update.refresh.warnings),
            )
        first = False
        previous, last_sessions = current, update.sessions
        for batch in batches:
            if batch:  # changes (an empty batch: a second without any)
                break
        else:  # stopped (stop_event or Ctrl-C)
            return
