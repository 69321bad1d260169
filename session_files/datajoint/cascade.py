"""Cascade accounting: every row a delete would reach, in every schema of the database.

The foreign keys come from the database's own catalog (PostgreSQL's ``pg_constraint``;
MySQL's ``information_schema``), so tables of schemas nobody loaded in this process count
too. A delete is a table and a list of primary-key tuples; the rows it reaches are found by
following each foreign key that refers to an affected table, as nested ``IN (SELECT ...)``
conditions, and counted per table. ``delete`` removes them children first, inside the
caller's transaction.
"""

from __future__ import annotations

import graphlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# PostgreSQL: every foreign key of the current database, columns in key order.
PG_FOREIGN_KEYS = """
SELECT cn.nspname, cc.relname, pn.nspname, pc.relname, con.conname,
       array_agg(ca.attname::text ORDER BY k.ord), array_agg(pa.attname::text ORDER BY k.ord)
FROM pg_constraint con
JOIN pg_class cc ON cc.oid = con.conrelid
JOIN pg_namespace cn ON cn.oid = cc.relnamespace
JOIN pg_class pc ON pc.oid = con.confrelid
JOIN pg_namespace pn ON pn.oid = pc.relnamespace
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(child_att, parent_att, ord)
JOIN pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attnum = k.child_att
JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.parent_att
WHERE con.contype = 'f'
GROUP BY cn.nspname, cc.relname, pn.nspname, pc.relname, con.conname
"""

# MySQL-family servers: the same from information_schema (MySQL 8's documented catalog;
# tested on MariaDB 10.11, which has the same tables; MySQL 8 itself is not tested here).
MYSQL_FOREIGN_KEYS = """
SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
       k.CONSTRAINT_NAME,
       GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR '\\n'),
       GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR '\\n')
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
 AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.REFERENCED_TABLE_NAME IS NOT NULL
GROUP BY k.TABLE_SCHEMA, k.TABLE_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
         k.CONSTRAINT_NAME
"""

Table = tuple[str, str]  # (schema, table)


@dataclass(frozen=True)
class ForeignKey:
    """``child(child_columns)`` refers to ``parent(parent_columns)``."""

    child: Table
    parent: Table
    child_columns: tuple[str, ...]
    parent_columns: tuple[str, ...]


@dataclass(frozen=True)
class Delete:
    """Rows of one table to delete, by the values of ``columns`` (usually its primary key)."""

    table: Table
    columns: tuple[str, ...]
    keys: tuple[tuple[Any, ...], ...]


@dataclass
class Cascade:
    """The rows a set of deletes reaches: a condition and a count per table."""

    conditions: dict[Table, list[tuple[str, list[Any]]]] = field(default_factory=dict)
    counts: dict[Table, int] = field(default_factory=dict)
    edges: set[tuple[Table, Table]] = field(default_factory=set)  # (parent, child)

    def beyond(self, declared: set[Table]) -> dict[Table, int]:
        """Counts of tables outside ``declared`` that would lose rows."""
        return {t: n for t, n in self.counts.items() if t not in declared and n}


def foreign_keys(connection: Any) -> list[ForeignKey]:
    """Every foreign key of the database, from its catalog."""
    postgres = connection.adapter.backend == "postgresql"
    rows = connection.query(PG_FOREIGN_KEYS if postgres else MYSQL_FOREIGN_KEYS).fetchall()

    def split(columns: Any) -> list[str]:
        return [str(c) for c in columns] if postgres else str(columns).split("\n")

    return [
        ForeignKey(
            child=(str(row[0]), str(row[1])),
            parent=(str(row[2]), str(row[3])),
            child_columns=tuple(split(row[5])),
            parent_columns=tuple(split(row[6])),
        )
        for row in rows
    ]


class Accountant:
    """Finds, counts and deletes the rows reached by deletes, with SQL the backend speaks."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.quote = connection.adapter.quote_identifier
        self.referrers: dict[Table, list[ForeignKey]] = defaultdict(list)
        for key in foreign_keys(connection):
            self.referrers[key.parent].append(key)

    def name(self, table: Table) -> str:
        """The quoted full name of a table."""
        return f"{self.quote(table[0])}.{self.quote(table[1])}"

    def cascade(self, deletes: Sequence[Delete]) -> Cascade:
        """Every table the deletes reach (themselves included) with its condition and count."""
        found = Cascade()
        for delete in deletes:
            if not delete.keys:
                continue
            width = len(delete.columns)
            row = "(" + ", ".join(["%s"] * width) + ")"
            columns = ", ".join(self.quote(c) for c in delete.columns)
            condition = f"({columns}) IN ({', '.join([row] * len(delete.keys))})"
            args = [value for key in delete.keys for value in key]
            self._reach(found, delete.table, condition, args, depth=0)
        for table, conditions in found.conditions.items():
            where, args = _either(conditions)
            sql = f"SELECT count(*) FROM {self.name(table)} WHERE {where}"
            found.counts[table] = int(self.connection.query(sql, args=args).fetchone()[0])
        return found

    def _reach(
        self, found: Cascade, table: Table, condition: str, args: list[Any], depth: int
    ) -> None:
        if depth > 32:  # a cycle of foreign keys; DataJoint never declares one
            msg = f"foreign keys from {self.name(table)} nest deeper than 32 tables"
            raise RuntimeError(msg)
        found.conditions.setdefault(table, []).append((condition, args))
        for key in self.referrers.get(table, []):
            parent = ", ".join(self.quote(c) for c in key.parent_columns)
            child = ", ".join(self.quote(c) for c in key.child_columns)
            sub = f"({child}) IN (SELECT {parent} FROM {self.name(table)} WHERE {condition})"
            found.edges.add((table, key.child))
            self._reach(found, key.child, sub, args, depth + 1)

    def delete(self, found: Cascade) -> dict[Table, int]:
        """Delete every row of the cascade, children before their parents; rows per table."""
        order = graphlib.TopologicalSorter[Table]()
        for table in found.conditions:
            order.add(table)
        for parent, child in found.edges:
            order.add(parent, child)  # the child goes first
        deleted: dict[Table, int] = {}
        for table in order.static_order():
            where, args = _either(found.conditions[table])
            sql = f"DELETE FROM {self.name(table)} WHERE {where}"
            deleted[table] = int(self.connection.query(sql, args=args).rowcount)
        return deleted


def full_name(table: Table) -> str:
    """``schema.table``, as reports show it."""
    return f"{table[0]}.{table[1]}"


def _either(conditions: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    where = " OR ".join(f"({sql})" for sql, _ in conditions)
    args = [value for _, values in conditions for value in values]
    return where, args
