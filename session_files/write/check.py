"""Checks before a sidecar is written: the registries, the root's sessions and the layout.

A rig that writes its sidecar when a session starts should hear then, not hours later in
CI, that the subject is not registered or the session already exists. ``check_session``
gives the findings ``validate`` would give the new file, with the same codes and messages,
and the root config's severity overrides applied.

The registries and the root config are read afresh (they are small). The root's sessions
come from its persistent index, queried, not refreshed (a refresh of a 100,000-session root
stats every file): a session written since the index was last refreshed (by ``index``,
``validate``, ``load_catalog`` or ``watch``) is not seen. Each duplicate the index names is
read again, so a session since moved or changed is not reported. A root without an index
gets one built.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..findings import Finding, apply_severity
from ..index import default_index_path, existing_index, open_index
from ..index.columns import to_sql
from ..index.integrity import duplicate_message, layout_message, unknown_message
from ..index.sources import Sources, load_sources
from ..index.store import connect, identity, mismatch, read_meta
from ..layout import READ_LIMIT, SIDECAR_NAME
from ..read.files import read_regular
from ..read.root import find_root
from ..read.scan import LocalRoot, open_root
from ..read.sidecar import ParsedSidecar, parse_sidecar
from ..records import Sidecar
from .dump import dump_sidecar

__all__ = ["check_session", "find_root", "relative_sidecar"]


def relative_sidecar(root: Path, session_dir: str | os.PathLike[str]) -> str:
    """The sidecar's path relative to ``root`` (POSIX); ValueError when it is outside."""
    target = Path(os.path.abspath(session_dir)) / SIDECAR_NAME
    try:
        return target.relative_to(Path(os.path.abspath(root))).as_posix()
    except ValueError:
        msg = f"{session_dir} is not inside the data root {root}"
        raise ValueError(msg) from None


def check_session(
    root: str | os.PathLike[str], session_dir: str | os.PathLike[str], record: Sidecar
) -> list[Finding]:
    """The findings ``validate`` would report for ``record`` written into ``session_dir``
    (inside the local data root ``root``), with the root config's severity overrides."""
    opened = open_root(root)
    if not isinstance(opened, LocalRoot):  # pragma: no cover - open_root of a local path
        msg = f"{root} is not a local directory"
        raise ValueError(msg)
    path = relative_sidecar(opened.path, session_dir)
    data = dump_sidecar(record)  # the writer's bytes: positions
    parsed = parse_sidecar(data, path)
    sources = load_sources(opened, None)
    findings = _references(parsed, record, sources)
    findings += vocabulary_findings(sources, record, data, path)
    findings += _duplicates(opened, parsed, record)
    layout = sources.config.layout
    if layout is not None:
        directory = path.rpartition("/")[0]
        message = layout_message(layout, directory, record.subject, record.session_datetime)
        if message is not None:
            findings.append(Finding.make("layout-mismatch", path, message))
    return apply_severity(findings, sources.config.severity)


def vocabulary_findings(sources: Sources, record: Sidecar, data: bytes, path: str) -> list[Finding]:
    """The lab vocabulary's findings on ``record`` (written as ``data``), as ``validate``
    gives them: none when the root has no ``attributes.yaml``."""
    vocabulary = sources.registries.vocabulary
    if vocabulary is None:
        return []
    from ..read.vocabulary import attribute_findings

    return attribute_findings(vocabulary, record, data, path)


def _references(parsed: ParsedSidecar, record: Sidecar, sources: Sources) -> list[Finding]:
    registries = sources.registries
    refs = parsed.refs
    path = parsed.path
    findings: list[Finding] = []
    if record.subject not in registries.parsed["subjects"].rows:
        line, col = refs.subject if refs else (None, None)
        message = unknown_message(registries, "subjects", "subject", record.subject)
        findings.append(Finding.make("unknown-subject", path, message, line, col))
    for kind, what, keys, positions in (
        ("experimenters", "experimenter", record.experimenters, refs.experimenters if refs else ()),
        ("projects", "project", record.projects, refs.projects if refs else ()),
    ):
        known = registries.parsed[kind].rows
        for i, key in enumerate(keys or ()):
            if key not in known:
                line, col = positions[i] if i < len(positions) else (None, None)
                message = unknown_message(registries, kind, what, key)
                findings.append(Finding.make(f"unknown-{what}", path, message, line, col))
    return findings


def _index(opened: LocalRoot) -> sqlite3.Connection:
    """A connection to the root's index as it is, when it can be trusted (this tool
    version and index schema, refreshed at least once); otherwise the index is built, or
    rebuilt, first (in memory where no index file can be created)."""
    index = existing_index(opened)
    if index is not None:
        conn = connect(index)
        try:
            meta = read_meta(conn)
        except sqlite3.DatabaseError:
            meta = None
        root = identity(opened)  # an index inside a moved root travels with it
        if (
            meta is not None
            and meta.get("refreshed_ns", "0") != "0"
            and mismatch({**meta, "root": root}, root) is None
        ):
            return conn
        conn.close()
    else:
        try:
            index = default_index_path(opened, create=True)
        except OSError:
            index = None
    conn, _ = open_index(opened, index)
    return conn


def _duplicates(opened: LocalRoot, parsed: ParsedSidecar, record: Sidecar) -> list[Finding]:
    """Other sidecars that declare the same session, as the index knows them, confirmed."""
    path = parsed.path
    when = to_sql("datetime", record.session_datetime)
    conn = _index(opened)
    try:
        candidates = [
            other
            for (other,) in conn.execute(
                "SELECT path FROM stage_session WHERE subject = ? AND session_datetime = ?"
                " AND path != ? ORDER BY path",
                (record.subject, when, path),
            )
        ]
    finally:
        conn.close()
    others = [other for other in candidates if _declares(opened, other, record)]
    if not others:
        return []
    line, col = parsed.refs.session_datetime if parsed.refs else (None, None)
    message = duplicate_message(others[0], len(others) - 1, record.subject, when)
    return [Finding.make("duplicate-session", path, message, line, col)]


def _declares(opened: LocalRoot, other: str, record: Sidecar) -> bool:
    """Whether the sidecar at ``other`` still declares ``record``'s session."""
    try:
        data = read_regular(str(opened.path / other), READ_LIMIT)
    except OSError:
        return False
    found = parse_sidecar(data, other).record
    return (
        found is not None
        and found.subject == record.subject
        and found.session_datetime == record.session_datetime
    )
