"""Keys and references across files: duplicate sessions, unknown registry keys, and which
sidecars make it into the view.

A sidecar is in the view only when none of its findings is an error after the root
config's severity overrides, and never when its key cannot hold (a duplicate session or an
unknown subject), whatever their severity says. A downgraded unknown experimenter or
project keeps the session; the views leave out just the row that names the unknown key.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import datetime

from session_files.findings import CODES, SeveritySetting, cited
from session_files.read.config import expected_session_dir
from session_files.records import FOREIGN_KEYS

from .schema import REGISTRY_TABLES, STAGE_OF, q
from .sources import Registries

FindingRecord = tuple[str, int | None, int | None, str, str]  # path, line, col, code, message
KEY_CODES = frozenset({"duplicate-session", "unknown-subject"})  # the view's key cannot hold


def blocking_codes(severity: dict[str, SeveritySetting]) -> list[str]:
    """The codes that keep a sidecar out of the view under these overrides."""
    codes = {code for code, (default, _) in CODES.items() if severity.get(code, default) == "error"}
    return sorted(codes | KEY_CODES)


def _duplicates(conn: sqlite3.Connection) -> list[FindingRecord]:
    rows = conn.execute(
        "SELECT s.subject, s.session_datetime, s.path, s.datetime_line, s.datetime_col"
        " FROM stage_session s JOIN (SELECT subject, session_datetime FROM stage_session"
        " GROUP BY subject, session_datetime HAVING count(*) > 1) d"
        " ON d.subject = s.subject AND d.session_datetime = s.session_datetime"
        " ORDER BY s.subject, s.session_datetime, s.path"
    ).fetchall()
    groups: dict[tuple[str, str], list[tuple[str, int, int]]] = defaultdict(list)
    for subject, when, path, line, col in rows:
        groups[(subject, when)].append((path, line, col))
    out: list[FindingRecord] = []
    for (subject, when), files in groups.items():
        first, second = files[0][0], files[1][0]
        rest = len(files) - 2  # named: the first other copy; counted: the rest (linear output)
        for path, line, col in files:
            other = second if path == first else first
            message = duplicate_message(other, rest, subject, when)
            out.append((path, line, col, "duplicate-session", message))
    return out


def duplicate_message(other: str, rest: int, subject: str, when: str) -> str:
    """The ``duplicate-session`` message of a sidecar whose key ``other`` (and ``rest``
    more sidecars) also declare."""
    more = "" if rest == 0 else f" and {rest} other{'s' if rest > 1 else ''}"
    return (
        f"declares the same session as {other}{more} (subject {subject!r}, session_datetime"
        f" {when}); a (subject, session_datetime) pair may be declared by one sidecar"
        " only: fix the datetime or remove the copy"
    )


def unknown_message(registries: Registries, kind: str, what: str, key: str) -> str:
    """The ``unknown-{what}`` message of a reference missing from the ``kind`` registry.

    When the cause is a broken registry (the whole file, or the key's own entry), the
    message says so and names that file's finding: the cause is never buried.
    """
    file = registries.file(kind)
    parsed = registries.parsed.get(kind)
    if parsed is not None and parsed.unusable is not None:
        return (
            f"{what} {key!r} is unknown because {file} is unusable (no {what} can be"
            f" found in it); fix that first: {cited(parsed.unusable)}"
        )
    cause = parsed.broken.get(key) if parsed is not None else None
    if cause is not None:
        return (
            f"{what} {key!r} is in {file} but its entry was left out because of errors;"
            f" fix that first: {cited(cause)}"
        )
    missing = " (that file does not exist)" if kind in registries.missing else ""
    return f"{what} {key!r} is not in {file}{missing}"


def unknown_queries() -> list[tuple[str, str, str]]:
    """(registry kind, registry table, query) of each ``unknown-*`` check, one per foreign
    key of the view into a registry. A query gives (path, key, line, col) of each staged
    reference to a key the registry lacks."""
    kinds = {table: kind for kind, table in REGISTRY_TABLES.items()}
    queries = []
    for child, columns, parent, parent_columns in FOREIGN_KEYS:
        if parent not in kinds:
            continue
        (column,), (parent_column,) = columns, parent_columns
        stage = STAGE_OF[child]
        line, col = stage.position_of(column)
        sql = (
            f"SELECT path, {q(column)}, {line}, {col} FROM {stage.name} s WHERE NOT EXISTS"
            f" (SELECT 1 FROM {q(parent)} r WHERE r.{q(parent_column)} = s.{q(column)})"
        )
        queries.append((kinds[parent], parent, sql))
    return queries


UNKNOWN_QUERIES = unknown_queries()


def _unknown(conn: sqlite3.Connection, registries: Registries) -> list[FindingRecord]:
    out: list[FindingRecord] = []
    for kind, what, sql in UNKNOWN_QUERIES:
        code = f"unknown-{what}"
        out += [
            (path, line, col, code, unknown_message(registries, kind, what, key))
            for path, key, line, col in conn.execute(sql)
        ]
    return out


def _layout(conn: sqlite3.Connection, layout: str) -> list[FindingRecord]:
    """``layout-mismatch``: sidecars whose directory is not the one the layout gives."""
    out: list[FindingRecord] = []
    for path, subject, when, directory in conn.execute(
        "SELECT path, subject, session_datetime, session_dir FROM stage_session"
    ):
        message = layout_message(layout, directory, subject, datetime.fromisoformat(when))
        if message is not None:
            out.append((path, None, None, "layout-mismatch", message))
    return out


def layout_message(layout: str, directory: str, subject: str, when: datetime) -> str | None:
    """The ``layout-mismatch`` message of a session in ``directory``, or None when it is
    where the layout puts it."""
    expected = expected_session_dir(layout, subject, when)
    if directory == expected:
        return None
    return (
        f"is in {directory or '.'!r}, but the root config's layout {layout!r} puts"
        f" subject {subject!r} at {when:%Y-%m-%d %H:%M:%S} in {expected!r}; move the session"
        " directory there (or fix subject or session_datetime)"
    )


def check(
    conn: sqlite3.Connection, registries: Registries, layout: str | None = None
) -> list[FindingRecord]:
    """Every integrity finding over the staged sidecars and the registries."""
    findings = _duplicates(conn)
    if layout is not None:
        findings += _layout(conn, layout)
    findings += _unknown(conn, registries)
    return findings


def derive(
    conn: sqlite3.Connection,
    registries: Registries,
    severity: dict[str, SeveritySetting],
    layout: str | None = None,
) -> None:
    """Recompute the integrity findings and which staged sidecars are in the view."""
    conn.execute("DELETE FROM finding WHERE origin = 'integrity'")
    conn.executemany(
        "INSERT INTO finding (origin, path, line, col, code, message)"
        " VALUES ('integrity', ?, ?, ?, ?, ?)",
        check(conn, registries, layout),
    )
    codes = blocking_codes(severity)
    marks = ", ".join("?" * len(codes))
    visible = f"(path NOT IN (SELECT path FROM finding WHERE code IN ({marks})))"
    conn.execute(
        f"UPDATE stage_session SET in_view = {visible} WHERE in_view IS NOT {visible}",
        codes + codes,
    )
