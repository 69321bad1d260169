"""``rename subject --move-dirs``: move the session directories a root's ``layout`` puts
under the subject's name, with the rename's rules (planned first, refused rather than
moved over an existing directory, finished by running the rename again)."""

from __future__ import annotations

import os
import posixpath
import sqlite3
from datetime import datetime
from pathlib import Path

from ..read.config import expected_session_dir
from ..read.scan import LocalRoot
from ..records import parse_session_datetime


def plan_moves(
    opened: LocalRoot,
    conn: sqlite3.Connection,
    renamed: list[str],
    old: str,
    new: str,
    refused: list[str],
) -> tuple[tuple[str, str], ...]:
    """(from, to) session directories (root-relative): each renamed sidecar's, and those a
    previous run renamed but did not move (still where the layout puts OLD)."""
    from ..index.sources import load_sources

    layout = load_sources(opened, None).config.layout
    if layout is None:
        refused.append("--move-dirs needs a 'layout' in the root config (session-files.yaml)")
        return ()
    if "{subject" not in layout:
        return ()  # the layout does not name directories after subjects: nothing moves
    when_of = dict(conn.execute("SELECT path, session_datetime FROM stage_session"))
    moves: dict[str, str] = {}
    candidates = [(path, True) for path in renamed]
    candidates += [
        (path, False)
        for (path,) in conn.execute("SELECT path FROM stage_session WHERE subject = ?", (new,))
    ]
    for path, renaming in candidates:
        when: datetime = parse_session_datetime(when_of[path])
        source = posixpath.dirname(path)
        target = expected_session_dir(layout, new, when)
        if source == target:
            continue
        if not renaming and source != expected_session_dir(layout, old, when):
            continue  # a session of NEW that is elsewhere for its own reasons: not ours to move
        if (opened.path / target).exists():
            refused.append(f"{source}: cannot move to {target}: it exists (never moved over)")
        elif target in moves.values():
            refused.append(f"{source}: cannot move to {target}: another session moves there")
        elif _nested(source, target):
            refused.append(f"{source}: cannot move to {target}: one is inside the other")
        else:
            moves[source] = target
    return tuple(sorted(moves.items()))


def _nested(a: str, b: str) -> bool:
    return not a or not b or a.startswith(b + "/") or b.startswith(a + "/")


def move(root: Path, source: str, target: str) -> None:
    """Move one session directory; FileExistsError when the target appeared meanwhile.
    Directories left empty above the source are removed (only empty ones, up to the root)."""
    destination = root / target
    if destination.exists():
        raise FileExistsError(f"{target} exists")
    destination.parent.mkdir(parents=True, exist_ok=True)
    os.rename(root / source, destination)
    parent = (root / source).parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent
