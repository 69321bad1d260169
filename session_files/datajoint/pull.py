"""``pull``: write a root (registries, one sidecar per session, root config) from a schema.

The reverse of ``publish``: the schema may have been declared by session-files or by
element-session's own definitions. Only the columns the record models know are read. The
directory of a session is its ``session_directory.session_dir``, else the root config's
``layout``. Every file is checked before any is written; a different existing file is
left alone (and nothing is written) unless ``force``. Files are written atomically
(``pullfiles``).
"""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from pydantic import ValidationError

from session_files.layout import CONFIG_NAME as CONFIG_FILE
from session_files.layout import SIDECAR_NAME
from session_files.read.config import RootConfig, expected_session_dir, parse_config
from session_files.read.registry import parse_registry
from session_files.read.sidecar import SidecarError, parse_sidecar
from session_files.records import REGISTRIES, SESSION_TABLES, TABLES
from session_files.write.writer import coerce_record, dump_sidecar, dump_yaml

from . import _dj, provenance
from .definitions import UPSTREAM, check_schema_name
from .errors import PublishError
from .pipeline import activate
from .plan import Rows, SessionKey, session_label
from .pullfiles import write_files
from .tables import connect, database_errors, fetch_owned, owned_columns

DEFAULT_LAYOUT = "{subject}/{session_datetime:%Y-%m-%d_%H-%M-%S}"
KIND_OF_TABLE = {registry.table: kind for kind, registry in REGISTRIES.items()}


@dataclass(frozen=True)
class PullResult:
    """What a pull wrote, found already there, would overwrite, and could not write."""

    schema: str
    root: str
    root_id: str | None
    written: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    differing: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    other_roots: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    refused: bool = False

    @property
    def ok(self) -> bool:
        """True when every file was written (or already equal) and nothing was left out."""
        return not self.refused and not self.problems


def pull(
    root: str | os.PathLike[str],
    schema_name: str,
    *,
    root_id: str | None = None,
    force: bool = False,
    linking_module: ModuleType | str | None = None,
) -> PullResult:
    """Write ``root``'s registries, sidecars and ``session-files.yaml`` from ``schema_name``.

    ``root_id`` picks the sessions of one root when several published into the schema;
    sessions with no recorded root are always pulled. Existing files that differ are left
    alone (``refused``; nothing is written) unless ``force``.
    """
    check_schema_name(schema_name)
    dj = _dj.load()
    connection = connect(dj)
    target = Path(root)
    with database_errors():
        if schema_name not in dj.list_schemas(connection):
            msg = f"schema {schema_name!r} does not exist on the server"
            raise PublishError(msg)
        pipeline = activate(
            schema_name, create_schema=False, create_tables=False, linking_module=linking_module
        )
        columns = {table: owned_columns(pipeline, table) for table in TABLES}
        rows = {table: fetch_owned(pipeline, table, columns[table]) for table in TABLES}
        owners = provenance.session_owners(connection, schema_name)
    config = _existing_config(target)
    chosen = _choose_root(schema_name, owners, rows["session"], root_id)
    problems: list[str] = []
    files: dict[str, bytes] = {}
    sessions = _sessions(rows)
    other: dict[str, int] = defaultdict(int)
    layout = config.layout or DEFAULT_LAYOUT
    used_layout = False
    for key in sorted(sessions):
        owner = owners.get(key)
        if owner is not None and owner != chosen:
            other[owner] += 1
            continue
        directory = sessions[key].get("session_directory")
        if directory:
            relative = str(directory[0]["session_dir"])
        else:
            relative = expected_session_dir(layout, key[0], key[1])
            used_layout = True
        problem = _unsafe(relative, config.registry)
        if problem:
            problems.append(f"session {session_label(key)}: session_dir {relative!r} {problem}")
            continue
        path = posixpath.join(relative, SIDECAR_NAME)
        try:
            data = _sidecar_bytes(key, sessions[key])
        except SidecarError as exc:
            reasons = "; ".join(finding.message for finding in exc.findings)
            problems.append(f"session {session_label(key)}: {reasons}")
            continue
        if path in files:
            problems.append(f"session {session_label(key)}: {path} is another session's too")
            continue
        files[path] = data
    registry_dir = posixpath.normpath(config.registry)
    if (
        posixpath.isabs(registry_dir)
        or registry_dir.split("/")[0] in ("..", "")
        or "://" in registry_dir
    ):
        msg = (
            f"the root config's registry {config.registry!r} is outside the root; pull writes"
            " the registries inside the root only"
        )
        raise PublishError(msg)
    for table in UPSTREAM:
        kind = KIND_OF_TABLE[table]
        data, entry_problems = _registry(kind, rows[table])
        problems += entry_problems
        files[posixpath.join(registry_dir, REGISTRIES[kind].file_name)] = data
    from .vocabulary import vocabulary_files  # the lab vocabulary's tables, when there are

    with database_errors():
        files.update(vocabulary_files(schema_name, registry_dir))
    config_bytes = _config_bytes(target, chosen, DEFAULT_LAYOUT if used_layout else None)
    if config_bytes:
        files[CONFIG_FILE] = config_bytes
    written, unchanged, differing = _compare(target, files)
    result = PullResult(
        schema=schema_name,
        root=str(target),
        root_id=chosen,
        unchanged=tuple(unchanged),
        differing=tuple(differing),
        problems=tuple(problems),
        other_roots=dict(other),
        sessions=sum(1 for path in files if path.endswith(SIDECAR_NAME)),
    )
    if differing and not force:
        return PullResult(**{**result.__dict__, "refused": True})
    write_files(target, {path: files[path] for path in [*written, *differing]})
    return PullResult(**{**result.__dict__, "written": tuple(sorted([*written, *differing]))})


def _choose_root(
    schema: str, owners: dict[SessionKey, str], sessions: Rows, root_id: str | None
) -> str | None:
    if root_id is not None:
        return root_id
    present = {(row["subject"], row["session_datetime"]) for row in sessions}
    roots = sorted({owner for key, owner in owners.items() if key in present})
    if len(roots) > 1:
        msg = f"several roots published into {schema}: {', '.join(roots)}; pick one with --root-id"
        raise PublishError(msg)
    return roots[0] if roots else None


def _sessions(rows: dict[str, Rows]) -> dict[SessionKey, dict[str, Rows]]:
    grouped: dict[SessionKey, dict[str, Rows]] = defaultdict(lambda: defaultdict(list))
    for table in SESSION_TABLES:
        for row in rows[table]:
            grouped[(row["subject"], row["session_datetime"])][table].append(row)
    return grouped


def _sidecar_bytes(key: SessionKey, rows: dict[str, Rows]) -> bytes:
    """The sidecar of one session's rows, as written (SidecarError when the models refuse
    them, or they would not read back equal)."""
    document: dict[str, Any] = {"subject": key[0], "session_datetime": key[1]}
    experimenters = sorted(str(row["user"]) for row in rows.get("session_experimenter", []))
    projects = sorted(str(row["project"]) for row in rows.get("project_session", []))
    if experimenters:
        document["experimenters"] = experimenters
    if projects:
        document["projects"] = projects
    notes = rows.get("session_note", [])
    if notes:
        document["note"] = notes[0]["session_note"]
    attributes = {}
    for row in sorted(rows.get("session__attribute", []), key=lambda r: r["attribute_name"]):
        entry: dict[str, Any] = {"value": row.get("attribute_value", "")}
        blob = _plain(row.get("attribute_blob"))
        if blob is not None:
            entry["blob"] = blob
        attributes[row["attribute_name"]] = entry
    if attributes:
        document["attributes"] = attributes
    record = coerce_record(document)
    data = dump_sidecar(record)
    parsed = parse_sidecar(data, "<pulled>")
    # compared as written, not as records: a blob's NaN never equals itself
    if parsed.record is None or dump_sidecar(parsed.record) != data:
        raise SidecarError(parsed.findings)
    return data


def _plain(value: Any) -> Any:
    """NumPy arrays and scalars (DataJoint blobs written by MATLAB or NumPy) as YAML data."""
    if hasattr(value, "tolist") and callable(value.tolist):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _unsafe(relative: str, registry: str) -> str | None:
    """Why a session_dir cannot be written inside the root, or None."""
    parts = relative.split("/")
    if not relative or relative.startswith("/") or "\\" in relative or ":" in parts[0]:
        return "is not a relative POSIX path"
    if any(part in ("", ".", "..") for part in parts):
        return "has an empty, '.' or '..' component"
    if any(part.startswith(".") for part in parts):
        return "has a hidden component; a scan would never find its sidecar"
    if relative == registry or relative.startswith(registry.rstrip("/") + "/"):
        return "is inside the registry directory"
    return None


def _registry(kind: str, rows: Rows) -> tuple[bytes, list[str]]:
    """The registry file's bytes (entries with default values left out) and any problems."""
    entry_model = REGISTRIES[kind].entry
    primary = REGISTRIES[kind].key
    document: dict[str, Any] = {}
    problems: list[str] = []
    for row in sorted(rows, key=lambda r: str(r[primary])):
        key = str(row[primary])
        values = {name: row[name] for name in entry_model.model_fields if name in row}
        try:
            entry = entry_model.model_validate(values)
        except ValidationError as exc:
            problems.append(f"{kind} {key!r}: {exc.errors()[0]['msg']}")
            continue
        document[key] = {
            name: getattr(entry, name)
            for name, info in entry_model.model_fields.items()
            if info.is_required() or getattr(entry, name) != info.default
        } or None
    text = dump_yaml(document) if document else ""
    data = text.encode("utf-8")
    parsed = parse_registry(kind, data, REGISTRIES[kind].file_name)
    if parsed.findings:
        problems += [f"{kind}: {finding.message}" for finding in parsed.findings]
    return data, problems


def _existing_config(target: Path) -> RootConfig:
    path = target / CONFIG_FILE
    if not path.is_file():
        return RootConfig()
    loaded = parse_config(path.read_bytes(), CONFIG_FILE)
    if loaded.findings:
        msg = f"{path}: {loaded.findings[0].message}; fix it before pulling into this root"
        raise PublishError(msg)
    return loaded.config


def _config_bytes(target: Path, root_id: str | None, layout: str | None) -> bytes:
    """The root config with ``root_id`` (and ``layout`` when one was used) set."""
    path = target / CONFIG_FILE
    document: dict[str, Any] = {}
    if path.is_file():
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if root_id is not None:
        document["root_id"] = root_id
    if layout is not None:
        document.setdefault("layout", layout)
    if not document:
        return b""
    return dump_yaml(document).encode("utf-8")


def _compare(target: Path, files: dict[str, bytes]) -> tuple[list[str], list[str], list[str]]:
    """Split files into new, already equal, and different existing ones."""
    written: list[str] = []
    unchanged: list[str] = []
    differing: list[str] = []
    for path, data in sorted(files.items()):
        existing = target.joinpath(*path.split("/"))
        if not existing.exists():
            written.append(path)
        elif existing.read_bytes() == data or _same_sidecar(existing.read_bytes(), data, path):
            unchanged.append(path)
        else:
            differing.append(path)
    return written, unchanged, differing


def _same_sidecar(old: bytes, new: bytes, path: str) -> bool:
    if not path.endswith(SIDECAR_NAME):
        return False
    before = parse_sidecar(old, path)
    return before.record is not None and before.record == parse_sidecar(new, path).record
