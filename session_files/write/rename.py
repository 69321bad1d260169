"""Renames across a root: a subject, experimenter, project or attribute, in its registry
entry and in every sidecar that refers to it, each file changed by a minimal edit.

``plan_rename`` reads everything and writes nothing: the files and lines that would change,
or the reasons it must not (NEW already registered without ``merge``, a session that would
collide, a sidecar that would list a key twice). ``apply_rename`` writes a plan: it first
checks that no planned file changed since the plan (else nothing is written), then
replaces each file atomically under its directory's lock (sidecars first, the registry
last), and refreshes the index, which re-reads only the files touched. A run that stops
part-way (interrupted, or a file changed at the last moment) says which files are done;
planning the same rename again finds only what is left, so running it again finishes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .changes import FileChange, LineChange, current_digest
from .registry_files import KINDS, EditRefused, check_key, local_root
from .rename_changes import collisions, mentions, references, registry_change, sidecar_change


@dataclass(frozen=True)
class RenamePlan:
    """What a rename would change; ``refused`` (when not empty) says why it must not run."""

    root: Path
    kind: str
    old: str
    new: str
    files: tuple[FileChange, ...] = ()
    refused: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()  # sidecars with errors that mention OLD: not renamed
    moves: tuple[tuple[str, str], ...] = ()  # session directories to move (--move-dirs)
    notes: tuple[str, ...] = ()  # what the rename leaves for the user (layout-mismatch)

    @property
    def ok(self) -> bool:
        return not self.refused

    @property
    def line_count(self) -> int:
        return sum(len(change.lines) for change in self.files)


@dataclass
class RenameResult:
    """What ``apply_rename`` wrote: the files done (in order) and those not done."""

    plan: RenamePlan
    done: list[str] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)  # files the index re-read after


class RenameIncomplete(Exception):
    """A rename stopped part-way; ``result`` says which files are done. Run it again."""

    def __init__(self, result: RenameResult, reason: str) -> None:
        done, left = len(result.done), len(result.not_done)
        super().__init__(
            f"{reason}; {done} files done, {left} not done; run the rename again to finish"
        )
        self.result = result
        self.reason = reason


def plan_rename(
    root: str | os.PathLike[str],
    kind: str,
    old: str,
    new: str,
    *,
    merge: bool = False,
    move_dirs: bool = False,
) -> RenamePlan:
    """What renaming ``kind`` OLD to NEW would change in ``root``; writes nothing but the
    index (refreshed first, so every sidecar that refers to OLD is found). With
    ``move_dirs`` (subjects, in a root whose config sets ``layout``), the session
    directories the layout names after the subject are moved too."""
    from ..index import default_index_path, open_index

    if kind not in KINDS:
        msg = f"cannot rename a {kind!r}; kinds: {', '.join(KINDS)}"
        raise ValueError(msg)
    opened = local_root(root)
    registry = KINDS[kind]
    refused: list[str] = []
    if old == new:
        refused.append(f"{old!r} and {new!r} are the same")
    if move_dirs and kind != "subject":
        refused.append("--move-dirs moves the directories of a subject rename only")
    bad = check_key(registry, new)
    if bad:
        refused.append(bad)
    try:
        in_registry = registry_change(opened, registry, old, new, merge, refused)
    except EditRefused as exc:
        refused += exc.reasons
        in_registry = None
    conn, _ = open_index(opened, default_index_path(opened, create=True))
    try:
        changes: list[FileChange] = []
        for path in references(conn, kind, old):
            change = sidecar_change(opened, path, kind, old, new, merge)
            if isinstance(change, str):
                refused.append(change)
            elif change is not None:
                changes.append(change)
        if kind == "subject":
            refused += collisions(conn, (c.path for c in changes), new)
        moves: tuple[tuple[str, str], ...] = ()
        notes: list[str] = []
        if kind == "subject":
            from .move_dirs import plan_moves

            found: list[str] = []
            planned = plan_moves(opened, conn, [c.path for c in changes], old, new, found)
            if move_dirs:
                moves = planned
                refused += found
            elif planned:
                notes.append(
                    f"{len(planned)} session directories are named after {old!r} by the root's"
                    " layout and would not match it after the rename (layout-mismatch);"
                    " --move-dirs moves them"
                )
        unread = conn.execute(
            "SELECT path FROM file WHERE path NOT IN (SELECT path FROM stage_session) ORDER BY path"
        ).fetchall()
    finally:
        conn.close()
    unchecked = tuple(p for (p,) in unread if mentions(opened.path / p, old))
    if in_registry is not None:
        changes.append(in_registry)
    if not changes and not moves and not refused:
        refused.append(f"nothing refers to the {kind} {old!r}: no registry entry, no sidecar")
    return RenamePlan(
        opened.path,
        kind,
        old,
        new,
        tuple(changes),
        tuple(refused),
        unchecked,
        moves,
        tuple(notes),
    )


def apply_rename(plan: RenamePlan) -> RenameResult:
    """Write ``plan``; EditRefused (nothing written) for a refused plan or a file changed
    since it; RenameIncomplete (which files are done) when it stops part-way."""
    from ..api import update_index
    from .update import sidecar_lock
    from .writer import atomic_write

    if plan.refused:
        raise EditRefused(list(plan.refused))
    changed = [c.path for c in plan.files if current_digest(c.full) != c.digest]
    if changed:
        shown = ", ".join(changed[:10]) + (
            f" and {len(changed) - 10} more" if len(changed) > 10 else ""
        )
        raise EditRefused(
            [f"changed since the plan (nothing written): {shown}; plan the rename again"]
        )
    result = RenameResult(plan)
    steps = [change.path for change in plan.files] + [f"{a} -> {b}" for a, b in plan.moves]
    for i, change in enumerate(plan.files):
        try:
            with sidecar_lock(change.full.parent, findings=False):
                if current_digest(change.full) != change.digest:
                    reason = f"{change.path} changed since the plan"
                    raise RenameIncomplete(_stopped(result, steps[i:]), reason)
                atomic_write(change.full, change.data)
        except OSError as exc:
            reason = f"{change.path}: {exc.strerror or exc}"
            raise RenameIncomplete(_stopped(result, steps[i:]), reason) from exc
        except KeyboardInterrupt as exc:
            raise RenameIncomplete(_stopped(result, steps[i:]), "interrupted") from exc
        result.done.append(change.path)
    if plan.moves:
        _move_all(plan, result, steps[len(plan.files) :])
    update = update_index(plan.root)
    result.refreshed = sorted({*update.refresh.added, *update.refresh.modified})
    return result


def _move_all(plan: RenamePlan, result: RenameResult, steps: list[str]) -> None:
    from .move_dirs import move

    for i, (source, target) in enumerate(plan.moves):
        try:
            move(plan.root, source, target)
        except OSError as exc:
            reason = f"could not move {source} to {target}: {exc.strerror or exc}"
            raise RenameIncomplete(_stopped(result, steps[i:]), reason) from exc
        except KeyboardInterrupt as exc:
            raise RenameIncomplete(_stopped(result, steps[i:]), "interrupted") from exc
        result.done.append(steps[i])


def _stopped(result: RenameResult, remaining: list[str]) -> RenameResult:
    result.not_done = list(remaining)
    return result


__all__ = [
    "FileChange",
    "LineChange",
    "RenameIncomplete",
    "RenamePlan",
    "RenameResult",
    "apply_rename",
    "plan_rename",
]
