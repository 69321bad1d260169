"""``registry add`` and ``registry remove``: one entry of a registry file, checked, as a
minimal edit (the rest of the file byte for byte), written atomically under the registry
directory's lock. Removing refuses while sidecars refer to the key, and names them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..read.problems import schema_findings
from ..read.registry import parse_entries
from ..records.types import Strict
from .changes import LineChange, line_changes
from .dump import dump_yaml
from .edit import edit_document
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


@dataclass(frozen=True)
class RegistryEdit:
    """The file an add or remove changed (or would change, with ``dry_run``) and its lines."""

    path: str
    lines: tuple[LineChange, ...]
    written: bool


def field_name(kind: RegistryKind, option: str) -> str:
    """An entry's field from a command-line name: ``birth-date`` or ``subject_birth_date``."""
    name = option.lstrip("-").replace("-", "_")
    fields = kind.entry.model_fields
    if name in fields:
        return name
    prefixed = [field for field in fields if field.endswith("_" + name)]
    if len(prefixed) == 1:
        return prefixed[0]
    msg = f"{kind.name} entries have no field {option!r}; fields: {', '.join(fields)}"
    raise EditRefused([msg])


def _entry(kind: RegistryKind, key: str, fields: dict[str, str]) -> dict[str, Any]:
    values = {field_name(kind, name): value for name, value in fields.items()}
    typed = {name: _as_yaml(value) for name, value in values.items()}
    entry: Strict | None = None
    error: ValidationError | None = None
    # as text first; then as YAML reads each value (a number, a boolean or a list)
    for attempt in (values, typed):
        try:
            entry = kind.entry.model_validate(attempt)
            break
        except ValidationError as exc:
            error = exc  # the last reading: the value as YAML reads it
    if entry is None:
        assert error is not None
        findings = schema_findings(error, None, "<entry>", kind.entry)
        raise EditRefused([f"{kind.name} {key!r}: {f.message}" for f in findings])
    dumped = entry.model_dump(exclude_unset=True)
    return {name: value for name, value in dumped.items() if value is not None}


def _as_yaml(text: str) -> Any:
    """A command-line value as YAML reads it (``30`` a number, ``[a, b]`` a list); the text
    itself when it is not one YAML value."""
    from ..read.yamlsafe import YamlProblem, load

    try:
        return load(text.encode("utf-8"))[1]
    except YamlProblem:
        return text


def _place(entries: dict[str, Any], key: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The entries with ``key`` added: in its sorted place when the file is sorted, else last."""
    keys = list(entries)
    if len(keys) > 1 and keys == sorted(keys):
        keys = sorted([*keys, key])
        return {k: entry if k == key else entries[k] for k in keys}
    return {**entries, key: entry}


def _write(
    full: Path, shown: str, kind: RegistryKind, new: bytes, dry_run: bool, old: bytes
) -> RegistryEdit:
    parsed = parse_entries(new, shown, kind.key_name, kind.key_type, kind.entry)
    before = parse_entries(old, shown, kind.key_name, kind.key_type, kind.entry) if old else None
    if len(parsed.findings) > len(before.findings if before else ()):
        raise EditRefused([f"{f.path}:{f.line}: {f.code}: {f.message}" for f in parsed.findings])
    if not dry_run:
        from .update import sidecar_lock
        from .writer import atomic_write

        full.parent.mkdir(parents=True, exist_ok=True)
        with sidecar_lock(full.parent, findings=False):
            if (read_file(full) or b"") != old:
                raise EditRefused([f"{shown} changed while it was being edited; run it again"])
            atomic_write(full, new)
    return RegistryEdit(shown, line_changes(old, new), not dry_run)


def _file(root: str | os.PathLike[str], kind_name: str) -> tuple[RegistryKind, Path, str, Any]:
    if kind_name not in KINDS:
        msg = f"no registry kind {kind_name!r}; kinds: {', '.join(KINDS)}"
        raise ValueError(msg)
    opened = local_root(root)
    kind = KINDS[kind_name]
    full = registry_dir(opened) / kind.file_name
    return kind, full, os.path.relpath(full, opened.path).replace(os.sep, "/"), opened


def add_entry(
    root: str | os.PathLike[str],
    kind_name: str,
    key: str,
    fields: dict[str, str],
    *,
    dry_run: bool = False,
) -> RegistryEdit:
    """Add ``key`` with ``fields`` (text, by field name) to its registry in ``root``."""
    kind, full, shown, _ = _file(root, kind_name)
    bad = check_key(kind, key)
    if bad:
        raise EditRefused([bad])
    data = read_file(full)
    keys = top_keys(data, shown)
    if key in keys:
        raise EditRefused([f"{shown}:{keys[key]}: {key!r} already exists"])
    entry = _entry(kind, key, fields)
    if data is None or not keys:
        new = (data or b"") + dump_yaml({key: entry}).encode("utf-8")
    else:
        entries = plain_entries(data)
        new = edit_document(data, entries, _place(entries, key, entry)).data
    return _write(full, shown, kind, new, dry_run, data or b"")


def remove_entry(
    root: str | os.PathLike[str], kind_name: str, key: str, *, dry_run: bool = False
) -> RegistryEdit:
    """Remove ``key`` from its registry in ``root``; refused while sidecars refer to it."""
    from ..index import default_index_path, open_index
    from .rename_changes import references

    kind, full, shown, opened = _file(root, kind_name)
    data = read_file(full)
    keys = top_keys(data, shown)
    if key not in keys:
        raise EditRefused([f"{shown}: has no {kind.name} {key!r}"])
    conn, _ = open_index(opened, default_index_path(opened, create=True))
    try:
        users = references(conn, kind.name, key)
    finally:
        conn.close()
    if users:
        count = len(users)
        who = "1 sidecar refers" if count == 1 else f"{count} sidecars refer"
        head = f"{who} to the {kind.name} {key!r}; rename or change them first"
        raise EditRefused([head, *users])
    assert data is not None
    entries = plain_entries(data)
    new = edit_document(data, entries, {k: v for k, v in entries.items() if k != key}).data
    return _write(full, shown, kind, new, dry_run, data)
