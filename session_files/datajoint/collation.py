"""Keys that the files tell apart but the database does not: a case-insensitive collation.

A MySQL-family server compares ``varchar`` keys with the collation of the schema (of the
server's default, ``collation_server``, for a schema publish is about to create); the usual
ones (``utf8mb4_general_ci``, MySQL 8's ``utf8mb4_0900_ai_ci``) ignore case, and some also
accents or trailing spaces. Subjects ``M001`` and ``m001`` are two keys in a root and one in
such a schema: the second insert would fail with the database's duplicate-entry error.

Before publishing, the keys a table adds to its primary key (a subject, a project, a user,
an attribute name within its session) are grouped by the database itself (``GROUP BY`` under
the schema's collation), so what counts as equal is exactly what the server will refuse.
A root with such keys is refused (``KeysCollide``, exit status 1) naming each group.
PostgreSQL 15's database collations are deterministic (two strings are equal only when
they are the same), so nothing is asked there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from session_files.records import FOREIGN_KEYS, TABLES

from .errors import PublishRefused
from .plan import Rows, session_label
from .tables import database_errors

SHOWN = 20  # collisions listed in the message; the exception holds them all
_NAME = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class Collision:
    """Keys of ``table`` that differ in the files (or from a key already in the database) and
    are equal under the collation."""

    table: str
    column: str
    keys: tuple[str, ...]  # the spellings, sorted
    within: tuple[Any, ...] = ()  # the parent's key (a session's) when the column is a part's
    in_database: tuple[str, ...] = ()  # spellings that are in the database, not in the files

    def describe(self) -> str:
        """``subject 'M001' and 'm001'``, ``subject 'M001' (in the database) and 'm001'`` or
        ``session M001 2024-01-15 10:30:00: attribute_name 'Rig' and 'rig'``."""
        keys = " and ".join(
            repr(key) + (" (in the database)" if key in self.in_database else "")
            for key in self.keys
        )
        if not self.within:
            return f"{self.table} {keys}"
        parent = f"session {session_label((self.within[0], self.within[1]))}"
        return f"{parent}: {self.column} {keys}"


class KeysCollide(PublishRefused):
    """The root has keys that differ only in what the schema's collation ignores."""

    def __init__(self, collisions: tuple[Collision, ...], schema: str, collation: str, root: str):
        self.collisions = collisions
        self.collation = collation
        self.errors = len(collisions)
        self.root = root
        listed = "; ".join(c.describe() for c in collisions[:SHOWN])
        more = len(collisions) - SHOWN
        if more > 0:
            listed += f"; and {more} more"
        noun = "key differs" if len(collisions) == 1 else "keys differ"
        there = any(c.in_database for c in collisions)
        other = f"of the root or of {schema}" if there else "of the root"
        Exception.__init__(
            self,
            f"refused: {len(collisions)} {noun} only in case (or accents, or trailing spaces)"
            f" from another key {other}, and {schema}'s collation {collation} makes them"
            f" one key: {listed}. Rename one of each, then publish again; nothing was written.",
        )


def own_keys(table: str) -> tuple[str, ...]:
    """The primary-key columns ``table`` adds to those it takes from its parents."""
    inherited = {c for child, columns, _, _ in FOREIGN_KEYS if child == table for c in columns}
    return tuple(c for c in TABLES[table].PRIMARY_KEY if c not in inherited)


def check(
    connection: Any,
    schema: str,
    files: dict[str, Rows],
    root_id: str,
    database: dict[str, Rows] | None = None,
) -> None:
    """Raise ``KeysCollide`` when keys of ``files`` are one key under the schema's collation;
    given the ``database``'s rows (read after the first check), when a key of the files is one
    with a different key already there."""
    if connection.adapter.backend != "mysql":
        return
    if database is not None and not any(database.values()):
        return
    with database_errors():
        charset, collation = _collation(connection, schema)
        collisions = find(connection, charset, collation, files, database)
    if collisions:
        raise KeysCollide(collisions, schema, collation, root_id)


def find(
    connection: Any,
    charset: str,
    collation: str,
    files: dict[str, Rows],
    database: dict[str, Rows] | None = None,
) -> tuple[Collision, ...]:
    """Every group of keys equal under ``collation``, per table, within their parent's key;
    with ``database``, only the registry groups joining a key of the files to another one
    there."""
    sides = {"files": files, "database": database or {}}
    strings: dict[str, set[str]] = defaultdict(set)
    for tables in sides.values():
        for table, rows in tables.items():
            for column in own_keys(table):
                strings[column].update(r[column] for r in rows if isinstance(r[column], str))
    same = _equal_groups(connection, charset, collation, strings)
    found: list[Collision] = []
    for table in files:
        own = own_keys(table)
        if not any(column in same for column in own):
            continue
        parent = [c for c in TABLES[table].PRIMARY_KEY if c not in own]
        if database is not None and parent:
            # Registry rows are never deleted: a key of the files one with another in the
            # database is always a failed insert, and every session key is made of them. A
            # part row's key (an attribute renamed by case) is deleted before the insert.
            continue
        groups: dict[tuple[Any, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for side, tables in sides.items():
            for row in tables.get(table, []):
                collated = tuple(same.get(c, {}).get(row[c], row[c]) for c in own)
                # the own key is one column for every table of the view
                groups[tuple(row[c] for c in parent) + collated][str(row[own[0]])].add(side)
        for key, spellings in groups.items():
            there = tuple(sorted(k for k, sides_of in spellings.items() if "files" not in sides_of))
            if len(spellings) < 2 or len(there) == len(spellings):
                continue  # one spelling, or the database's own keys (distinct to it)
            if database is not None and not there:
                continue  # among the files only: the first check's
            within = tuple(key[: len(parent)])
            found.append(Collision(table, own[0], tuple(sorted(spellings)), within, there))
    return tuple(found)


def _collation(connection: Any, schema: str) -> tuple[str, str]:
    """The character set and collation new tables of ``schema`` get."""
    row = connection.query(
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME"
        " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
        args=(schema,),
    ).fetchone()
    if row is None:
        row = connection.query("SELECT @@character_set_server, @@collation_server").fetchone()
    charset, collation = str(row[0]), str(row[1])
    for name in (charset, collation):
        if not _NAME.fullmatch(name):
            msg = f"unexpected character set or collation name {name!r}"
            raise ValueError(msg)
    return charset, collation


def _equal_groups(
    connection: Any, charset: str, collation: str, strings: dict[str, set[str]]
) -> dict[str, dict[str, str]]:
    """column -> {spelling: the group's first spelling} for spellings the collation equates."""
    values: list[tuple[str, str]] = [(c, s) for c in sorted(strings) for s in sorted(strings[c])]
    if len(values) < 2:
        return {}
    columns = sorted(strings)
    selects = ["SELECT %s AS g, %s AS n, %s AS k", *["SELECT %s, %s, %s"] * (len(values) - 1)]
    args: list[Any] = []
    for number, (column, spelling) in enumerate(values):
        args += [columns.index(column), number, spelling]
    sql = (
        f"SELECT GROUP_CONCAT(n) FROM ({' UNION ALL '.join(selects)}) AS candidates"
        f" GROUP BY g, CONVERT(k USING {charset}) COLLATE {collation} HAVING COUNT(*) > 1"
    )
    same: dict[str, dict[str, str]] = defaultdict(dict)
    for (members,) in connection.query(sql, args=tuple(args)).fetchall():
        spellings = sorted(values[int(n)] for n in str(members).split(","))
        column, first = spellings[0]
        for _, spelling in spellings:
            same[column][spelling] = first
    return dict(same)
