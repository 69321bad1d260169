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
from typing import Any, Literal

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
    """A session or registry row the files cannot change: it differs, or another root owns it.

    ``owner`` is the root that published it when that is not this root.
    """

    table: str
    key: tuple[Any, ...]
    differences: tuple[str, ...]
    owner: str | None = None

    def what(self) -> str:
        """``session M001 2024-01-15 10:30:00`` or ``subject 'M001'``."""
        if self.table == "session":
            return f"session {session_label((self.key[0], self.key[1]))}"
        return f"{self.table} {self.key[0]!r}"

    def describe(self) -> str:
        """One line: what differs, where, and whose it is."""
        if self.owner is None:
            return f"{self.what()} differs from the database: {'; '.join(self.differences)}"
        text = f"{self.what()} belongs to root {self.owner!r}, which published it"
        if self.differences:
            text += f"; it differs from the database: {'; '.join(self.differences)}"
        return text


@dataclass(frozen=True)
class Op:
    """One row-level change: insert a row, update its secondary columns, or delete it."""

    kind: Literal["insert", "update", "delete"]
    table: str
    row: dict[str, Any]


@dataclass
class Plan:
    """What a publish does, table by table and session by session."""

    new_sessions: list[SessionKey] = field(default_factory=list)
    unchanged_sessions: list[SessionKey] = field(default_factory=list)
    adopted_sessions: list[SessionKey] = field(default_factory=list)
    changed_sessions: dict[SessionKey, list[Op]] = field(default_factory=dict)
    session_conflicts: list[Conflict] = field(default_factory=list)
    foreign_sessions: list[Conflict] = field(default_factory=list)
    missing_sessions: list[SessionKey] = field(default_factory=list)
    new_registry: dict[str, Rows] = field(default_factory=dict)
    changed_registry: dict[str, Rows] = field(default_factory=dict)
    unchanged_registry: dict[str, int] = field(default_factory=dict)
    adopted_registry: list[tuple[str, str]] = field(default_factory=list)
    registry_conflicts: list[Conflict] = field(default_factory=list)
    foreign_registry: list[Conflict] = field(default_factory=list)
    session_rows: dict[SessionKey, dict[str, Rows]] = field(default_factory=dict)

    @property
    def conflicts(self) -> list[Conflict]:
        """Registry conflicts, then session conflicts (those --replace resolves)."""
        return [*self.registry_conflicts, *self.session_conflicts]

    @property
    def foreign(self) -> list[Conflict]:
        """Rows another root owns: conflicts --replace never resolves."""
        return [*self.foreign_registry, *self.foreign_sessions]


@dataclass(frozen=True)
class Owners:
    """This root's id and the recorded owners of sessions and registry entries."""

    root_id: str
    sessions: dict[SessionKey, str] = field(default_factory=dict)
    registry: dict[tuple[str, str], str] = field(default_factory=dict)


def make_plan(
    files: dict[str, Rows],
    database: dict[str, Rows],
    columns: dict[str, list[str]],
    owners: Owners | None = None,
) -> Plan:
    """Compare the files' rows with the database's, table by table.

    ``columns`` names the columns compared (and written) per table: the model's columns that
    the table has; columns of the table the models do not know are never read nor written.
    """
    owners = owners or Owners(root_id="")
    plan = Plan()
    for table in UPSTREAM:
        _plan_registry(
            plan, table, files.get(table, []), database.get(table, []), columns[table], owners
        )
    ours = _group(files)
    theirs = _group(database)
    plan.session_rows = ours
    for key in sorted(ours):
        if key not in theirs:
            plan.new_sessions.append(key)
            continue
        ops: list[Op] = []
        differences: list[str] = []
        for table in SESSION_TABLES:
            lines, table_ops = _diff(
                table, ours[key].get(table, []), theirs[key].get(table, []), columns[table]
            )
            differences += lines
            ops += table_ops
        owner = owners.sessions.get(key)
        if owner is not None and owner != owners.root_id:
            plan.foreign_sessions.append(Conflict("session", key, tuple(differences), owner))
        elif differences:
            plan.session_conflicts.append(Conflict("session", key, tuple(differences)))
            plan.changed_sessions[key] = ops
        elif owner is None:
            plan.adopted_sessions.append(key)
        else:
            plan.unchanged_sessions.append(key)
    plan.missing_sessions = sorted(
        key
        for key in theirs
        if key not in ours and owners.sessions.get(key) == owners.root_id and owners.root_id
    )
    return plan


def _plan_registry(
    plan: Plan, table: str, ours: Rows, theirs: Rows, columns: list[str], owners: Owners
) -> None:
    primary = TABLES[table].PRIMARY_KEY
    existing = {_key(row, primary): row for row in theirs}
    new: Rows = []
    changed: Rows = []
    unchanged = 0
    for row in ours:
        key = _key(row, primary)
        stored = existing.get(key)
        entry = (table, str(key[0]))
        if stored is None:
            new.append(row)
            continue
        owner = owners.registry.get(entry)
        differing = [c for c in columns if c not in primary and not same_value(row[c], stored[c])]
        foreign = owner is not None and owner != owners.root_id
        files = f"in the files of root {owners.root_id!r}" if foreign else "in the files"
        described = tuple(f"{c} is {stored[c]!r} there, {row[c]!r} {files}" for c in differing)
        if differing and foreign:
            plan.foreign_registry.append(Conflict(table, key, described, owner))
        elif differing:
            changed.append(row)
            plan.registry_conflicts.append(Conflict(table, key, described))
        else:
            unchanged += 1
            if owner is None:
                plan.adopted_registry.append(entry)
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


def _diff(table: str, ours: Rows, theirs: Rows, columns: list[str]) -> tuple[list[str], list[Op]]:
    """What differs between the files' and the database's rows of one session in one table,
    and the row operations that make the database's equal to the files'."""
    primary = TABLES[table].PRIMARY_KEY
    extra = [c for c in primary if c not in SESSION_KEY]
    mine = {_key(row, extra): row for row in ours}
    stored = {_key(row, extra): row for row in theirs}
    lines: list[str] = []
    ops: list[Op] = []
    for key in sorted(mine.keys() | stored.keys(), key=repr):
        label = table + ("" if not key else " " + ", ".join(map(repr, key)))
        if key not in stored:
            lines.append(f"{label} only in the files")
            ops.append(Op("insert", table, {c: mine[key][c] for c in columns}))
        elif key not in mine:
            lines.append(f"{label} only in the database")
            ops.append(Op("delete", table, {c: stored[key][c] for c in primary}))
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
                row = {c: mine[key][c] for c in (*primary, *differing)}
                ops.append(Op("update", table, row))
    return lines, ops


def _key(row: dict[str, Any], columns: tuple[str, ...] | list[str]) -> tuple[Any, ...]:
    return tuple(row[column] for column in columns)
