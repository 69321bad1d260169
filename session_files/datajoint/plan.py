"""The plan of a publish: what the files hold that the database lacks, has, or has otherwise.

Pure data in, data out: rows from the catalog and rows fetched from the database, compared
table by table. A session is compared as a whole (its rows in every session table, blobs
included); a registry row by its columns.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from session_files.records import SESSION_TABLES, TABLES

from .definitions import SESSION_KEY, UPSTREAM

Rows = list[dict[str, Any]]
SessionKey = tuple[str, datetime]


def same_value(a: object, b: object) -> bool:
    """Equal and of the same type, recursively (``1`` is not ``True``; NaN equals NaN)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def session_label(key: SessionKey) -> str:
    """``M001 2024-01-15 10:30:00``."""
    return f"{key[0]} {key[1]:%Y-%m-%d %H:%M:%S}"


@dataclass(frozen=True)
class Conflict:
    """A session or registry row whose content in the files differs from the database."""

    table: str
    key: tuple[Any, ...]
    differences: tuple[str, ...]

    def describe(self) -> str:
        """One line: what differs, where."""
        if self.table == "session":
            what = f"session {session_label((self.key[0], self.key[1]))}"
        else:
            what = f"{self.table} {self.key[0]!r}"
        return f"{what} differs from the database: {'; '.join(self.differences)}"


@dataclass
class Plan:
    """What a publish does: new rows to insert, unchanged ones, conflicts."""

    new_sessions: list[SessionKey] = field(default_factory=list)
    unchanged_sessions: list[SessionKey] = field(default_factory=list)
    session_conflicts: list[Conflict] = field(default_factory=list)
    new_registry: dict[str, Rows] = field(default_factory=dict)
    changed_registry: dict[str, Rows] = field(default_factory=dict)
    unchanged_registry: dict[str, int] = field(default_factory=dict)
    registry_conflicts: list[Conflict] = field(default_factory=list)
    session_rows: dict[SessionKey, dict[str, Rows]] = field(default_factory=dict)

    @property
    def conflicts(self) -> list[Conflict]:
        """Registry conflicts, then session conflicts."""
        return [*self.registry_conflicts, *self.session_conflicts]


def make_plan(
    files: dict[str, Rows], database: dict[str, Rows], columns: dict[str, list[str]]
) -> Plan:
    """Compare the files' rows with the database's, table by table.

    ``columns`` names the columns compared (and inserted) per table: every column of the row
    model, or those a linked upstream table also has.
    """
    plan = Plan()
    for table in UPSTREAM:
        _plan_registry(plan, table, files.get(table, []), database.get(table, []), columns[table])
    ours = _group(files)
    theirs = _group(database)
    plan.session_rows = ours
    for key in sorted(ours):
        if key not in theirs:
            plan.new_sessions.append(key)
            continue
        differences = [
            line
            for table in SESSION_TABLES
            for line in _diff(
                table, ours[key].get(table, []), theirs[key].get(table, []), columns[table]
            )
        ]
        if differences:
            plan.session_conflicts.append(Conflict("session", key, tuple(differences)))
        else:
            plan.unchanged_sessions.append(key)
    return plan


def _plan_registry(plan: Plan, table: str, ours: Rows, theirs: Rows, columns: list[str]) -> None:
    primary = TABLES[table].PRIMARY_KEY
    existing = {_key(row, primary): row for row in theirs}
    new: Rows = []
    changed: Rows = []
    unchanged = 0
    for row in ours:
        key = _key(row, primary)
        stored = existing.get(key)
        if stored is None:
            new.append(row)
            continue
        differing = [c for c in columns if c not in primary and not same_value(row[c], stored[c])]
        if differing:
            changed.append(row)
            described = tuple(
                f"{c} is {stored[c]!r} there, {row[c]!r} in the files" for c in differing
            )
            plan.registry_conflicts.append(Conflict(table, key, described))
        else:
            unchanged += 1
    plan.new_registry[table] = new
    plan.changed_registry[table] = changed
    plan.unchanged_registry[table] = unchanged


def _group(rows_by_table: dict[str, Rows]) -> dict[SessionKey, dict[str, Rows]]:
    grouped: dict[SessionKey, dict[str, Rows]] = defaultdict(dict)
    for table in SESSION_TABLES:
        for row in rows_by_table.get(table, []):
            key = (row["subject"], row["session_datetime"])
            grouped[key].setdefault(table, []).append(row)
    return dict(grouped)


def _diff(table: str, ours: Rows, theirs: Rows, columns: list[str]) -> list[str]:
    """What differs between the files' and the database's rows of one session in one table."""
    primary = TABLES[table].PRIMARY_KEY
    extra = [c for c in primary if c not in SESSION_KEY]
    mine = {_key(row, extra): row for row in ours}
    stored = {_key(row, extra): row for row in theirs}
    lines: list[str] = []
    for key in sorted(mine.keys() | stored.keys(), key=repr):
        label = table + ("" if not key else " " + ", ".join(map(repr, key)))
        if key not in stored:
            lines.append(f"{label} only in the files")
        elif key not in mine:
            lines.append(f"{label} only in the database")
        else:
            differing = [
                c
                for c in columns
                if c not in primary and not same_value(mine[key][c], stored[key][c])
            ]
            if differing:
                lines.append(
                    f"{label}: {', '.join(differing)} differ{'s' if len(differing) == 1 else ''}"
                )
    return lines


def _key(row: dict[str, Any], columns: tuple[str, ...] | list[str]) -> tuple[Any, ...]:
    return tuple(row[column] for column in columns)
