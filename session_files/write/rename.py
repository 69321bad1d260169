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
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..layout import READ_LIMIT
from ..read.files import read_regular
from ..read.scan import LocalRoot
from ..read.sidecar import parse_sidecar
from ..records import Sidecar
from .changes import FileChange, LineChange, current_digest, digest, line_changes
from .dump import to_document
from .edit import edit_document, rename_key
from .registry_files import (
    KINDS,
    EditRefused,
    RegistryKind,
    check_key,
    local_root,
    plain_entries,
    read_file,
    registry_dir,
    top_keys,
)
from .update import attribute_text

_COLUMN = {
    "subject": ("stage_session", "subject"),
    "experimenter": ("stage_experimenter", "user"),
    "project": ("stage_project", "project"),
    "attribute": ("stage_attribute", "attribute_name"),
}


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


def _renamed(kind: str, record: Sidecar, old: str, new: str, merge: bool) -> Sidecar | str | None:
    """The record with OLD renamed to NEW; a reason when it cannot be; None: no reference."""
    if kind == "subject":
        return record.model_copy(update={"subject": new}) if record.subject == old else None
    if kind == "attribute":
        attributes = dict(record.attributes or {})
        if old not in attributes:
            return None
        if new in attributes:
            if not (merge and attributes[new] == attributes[old]):
                return f"has both attributes {old!r} and {new!r} (with --merge: only when equal)"
            del attributes[old]
        else:
            attributes = {new if name == old else name: value for name, value in attributes.items()}
        return record.model_copy(update={"attributes": attributes})
    key = KINDS[kind].sidecar_key
    items = list(getattr(record, key) or [])
    if old not in items:
        return None
    if new in items:
        if not merge:
            return f"lists both {old!r} and {new!r}; pass --merge to keep one"
        items.remove(old)
    else:
        items[items.index(old)] = new
    return record.model_copy(update={key: items})


def _sidecar_change(
    opened: LocalRoot, path: str, kind: str, old: str, new: str, merge: bool
) -> FileChange | str | None:
    full = opened.path / path
    try:
        data = read_regular(str(full), READ_LIMIT)
    except OSError as exc:
        return f"{path}: cannot be read: {exc.strerror or exc}"
    record = parse_sidecar(data, path).record
    if record is None:
        return None  # counted with the unchecked sidecars
    target = _renamed(kind, record, old, new, merge)
    if target is None:
        return None
    if isinstance(target, str):
        return f"{path}: {target}"
    if kind == "attribute" and new not in (record.attributes or {}):
        edited = rename_key(data, ("attributes", old), new)
    else:
        edited = edit_document(
            data, to_document(record), to_document(target), as_text=attribute_text
        ).data
    check = parse_sidecar(edited, path)
    if check.record != target:
        why = "; ".join(f.message for f in check.findings) or "would not read back as renamed"
        return f"{path}: cannot be renamed in place: {why}"
    return FileChange(path, full, digest(data), edited, line_changes(data, edited))


def _registry_change(
    opened: LocalRoot, kind: RegistryKind, old: str, new: str, merge: bool, refused: list[str]
) -> FileChange | None:
    directory = registry_dir(opened)
    full = directory / kind.file_name
    shown = os.path.relpath(full, opened.path).replace(os.sep, "/")
    data = read_file(full)
    keys = top_keys(data, shown)
    if data is None and kind.name == "attribute":
        return None  # no vocabulary: attributes are free-form
    if old not in keys and new not in keys:
        refused.append(
            f"{shown}: neither {old!r} nor {new!r} is registered; add {new!r} first"
            f" (session-files registry add {kind.name} {new} ...)"
        )
        return None
    if old not in keys:
        return None  # already renamed there (or OLD was never registered): sidecars only
    if new in keys:
        if not merge:
            refused.append(
                f"{shown}:{keys[new]}: {new!r} already exists; pass --merge to merge {old!r} into it"
            )
            return None
        entries = plain_entries(data)
        kept = {key: value for key, value in entries.items() if key != old}
        edited = edit_document(data or b"", entries, kept).data
    else:
        edited = rename_key(data or b"", (old,), new)
    return FileChange(shown, full, digest(data or b""), edited, line_changes(data or b"", edited))


def references(conn: sqlite3.Connection, kind: str, old: str) -> list[str]:
    table, column = _COLUMN[kind]
    sql = f'SELECT DISTINCT path FROM {table} WHERE "{column}" = ? ORDER BY path'
    return [path for (path,) in conn.execute(sql, (old,))]


def _collisions(conn: sqlite3.Connection, renamed: Iterable[str], new: str) -> list[str]:
    """Sidecars already declaring (NEW, session_datetime) of a sidecar being renamed."""
    paths = list(renamed)
    if not paths:
        return []
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS renamed (path TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM renamed")
    conn.executemany("INSERT INTO renamed VALUES (?)", [(p,) for p in paths])
    rows = conn.execute(
        "SELECT r.path, o.path, o.session_datetime FROM stage_session r JOIN renamed USING (path)"
        " JOIN stage_session o ON o.subject = ? AND o.session_datetime = r.session_datetime"
        " ORDER BY r.path",
        (new,),
    ).fetchall()
    return [
        f"{mine}: would be the session ({new!r}, {when}) that {other} already is (duplicate-session)"
        for mine, other, when in rows
    ]


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
        registry_change = _registry_change(opened, registry, old, new, merge, refused)
    except EditRefused as exc:
        refused += exc.reasons
        registry_change = None
    conn, _ = open_index(opened, default_index_path(opened, create=True))
    try:
        changes: list[FileChange] = []
        for path in references(conn, kind, old):
            change = _sidecar_change(opened, path, kind, old, new, merge)
            if isinstance(change, str):
                refused.append(change)
            elif change is not None:
                changes.append(change)
        if kind == "subject":
            refused += _collisions(conn, (c.path for c in changes), new)
        moves: tuple[tuple[str, str], ...] = ()
        if move_dirs and kind == "subject":
            from .move_dirs import plan_moves

            moves = plan_moves(opened, conn, [c.path for c in changes], old, new, refused)
        unread = conn.execute(
            "SELECT path FROM file WHERE path NOT IN (SELECT path FROM stage_session) ORDER BY path"
        ).fetchall()
    finally:
        conn.close()
    unchecked = tuple(p for (p,) in unread if _mentions(opened.path / p, old))
    if registry_change is not None:
        changes.append(registry_change)
    if not changes and not moves and not refused:
        refused.append(f"nothing refers to the {kind} {old!r}: no registry entry, no sidecar")
    return RenamePlan(opened.path, kind, old, new, tuple(changes), tuple(refused), unchecked, moves)


def _mentions(path: Path, text: str) -> bool:
    try:
        return text.encode("utf-8") in read_regular(str(path), READ_LIMIT)
    except OSError:
        return True


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
