"""What a rename changes in each file: a sidecar's reference, the registry's entry, and
the sessions a subject rename would collide with (all found through the index)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from ..layout import READ_LIMIT
from ..read.files import read_regular
from ..read.scan import LocalRoot
from ..read.sidecar import parse_sidecar
from ..records import Sidecar
from .changes import FileChange, digest, line_changes
from .dump import to_document
from .edit import edit_document, rename_key
from .registry_files import KINDS, RegistryKind, plain_entries, read_file, registry_dir, top_keys
from .update import attribute_text

_COLUMN = {
    "subject": ("stage_session", "subject"),
    "experimenter": ("stage_experimenter", "user"),
    "project": ("stage_project", "project"),
    "attribute": ("stage_attribute", "attribute_name"),
}


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


def sidecar_change(
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


def registry_change(
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


def collisions(conn: sqlite3.Connection, renamed: Iterable[str], new: str) -> list[str]:
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


def mentions(path: Path, text: str) -> bool:
    try:
        return text.encode("utf-8") in read_regular(str(path), READ_LIMIT)
    except OSError:
        return True
