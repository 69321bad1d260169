"""Attribute names in the catalog: the lab vocabulary's declarations as the index keeps
them (meta ``vocabulary``), and the check that makes a mistyped name in a filter an error
with "did you mean", never an empty result."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any


class UnknownAttributeError(ValueError):
    """An attribute name that no session sets and the vocabulary does not declare."""


def declared_attributes(conn: sqlite3.Connection) -> dict[str, dict[str, Any]] | None:
    """name -> its ``type``, ``unit`` and ``description``; None without a vocabulary."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'vocabulary'").fetchone()
    found: dict[str, dict[str, Any]] | None = json.loads(row[0]) if row else None
    return found


def attribute_names(conn: sqlite3.Connection) -> list[str]:
    """The attribute names the sessions of the view set, sorted."""
    sql = 'SELECT DISTINCT attribute_name FROM "session__attribute" ORDER BY 1'
    return [name for (name,) in conn.execute(sql)]


def _used(conn: sqlite3.Connection, name: str) -> bool:
    sql = 'SELECT 1 FROM "session__attribute" WHERE attribute_name = ? LIMIT 1'
    return conn.execute(sql, (name,)).fetchone() is not None


def check_attribute_names(conn: sqlite3.Connection, names: Iterable[str]) -> None:
    """UnknownAttributeError for the first name neither declared nor set by any session."""
    declared = declared_attributes(conn) or {}
    unknown = [name for name in names if name not in declared and not _used(conn, name)]
    if not unknown:
        return
    from session_files.read.attribute_rules import did_you_mean

    choices = list(declared) if declared else attribute_names(conn)
    name = unknown[0]
    where = "declared in the lab vocabulary" if declared else "set by any session"
    listed = ", ".join(map(repr, sorted(choices)[:20])) or "none"
    msg = (
        f"attribute {name!r} is not {where}{did_you_mean(name, choices)} (the attributes: {listed})"
    )
    raise UnknownAttributeError(msg)
