"""The relational view as Python objects, read lazily from the SQLite index.

``catalog["session"]`` (or ``catalog.table("session")``) is a ``Table`` of typed rows (the
row models of ``records``); ``catalog.sessions(...)`` gives one row per session with its
directory, note, experimenters and projects. Nothing is read until it is asked for.
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from .attribute_names import (
    attribute_names,
    check_attribute_names,
    declared_attributes,
)
from .columns import COLUMNS, PRIMARY_KEYS, Column, from_sql
from .conditions import register, sessions_where
from .query import TimeBound, bound, frame, quoted, stored_values
from .store import guard_rows
from .wide import Wide
from .wide import build as build_wide

if TYPE_CHECKING:
    from ..records import Row

# the table names in the order of records.TABLES (plain data: listing the view's tables or
# reading plain rows imports no pydantic; only typed rows load the row models)
TABLE_NAMES: tuple[str, ...] = tuple(COLUMNS)


class Table:
    """One table of the view, optionally restricted; rows are read when iterated."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        name: str,
        where: tuple[tuple[str, tuple[Any, ...]], ...] = (),
    ) -> None:
        self.name = name
        self.columns: tuple[Column, ...] = COLUMNS[name]
        self._conn = conn
        self._where = where

    def __repr__(self) -> str:
        return f"<Table {self.name}: {len(self)} rows>"

    @property
    def model(self) -> type[Row]:
        """The table's row model (``records.TABLES``), loaded on first use."""
        from ..records import TABLES

        return TABLES[self.name]

    def restrict(self, *, since: TimeBound = None, until: TimeBound = None, **equal: Any) -> Table:
        """Rows whose columns equal the values given (a list: any of them), and whose
        ``session_datetime`` is within ``since``..``until`` (both inclusive)."""
        by_name = {column.name: column for column in self.columns}
        where = list(self._where)
        for name, value in equal.items():
            if name not in by_name:
                msg = f"table {self.name} has no column {name!r}; its columns: {', '.join(by_name)}"
                raise ValueError(msg)
            values = stored_values(by_name[name], value)
            where.append((f"{quoted(name)} IN ({', '.join('?' * len(values))})", tuple(values)))
        for value, upper in ((since, False), (until, True)):
            limit = bound(value, upper)
            if limit is None:
                continue
            if "session_datetime" not in by_name:
                msg = f"table {self.name} has no session_datetime; since/until do not apply"
                raise ValueError(msg)
            where.append((f'"session_datetime" {limit[0]} ?', (limit[1],)))
        return Table(self._conn, self.name, tuple(where))

    def _sql(self, select: str, order: bool) -> tuple[str, list[Any]]:
        sql = f"SELECT {select} FROM {quoted(self.name)}"
        params: list[Any] = []
        if self._where:
            sql += " WHERE " + " AND ".join(clause for clause, _ in self._where)
            params = [value for _, values in self._where for value in values]
        if order:
            sql += " ORDER BY " + ", ".join(map(quoted, PRIMARY_KEYS[self.name]))
        return sql, params

    def __len__(self) -> int:
        sql, params = self._sql("count(*)", order=False)
        return int(self._conn.execute(sql, params).fetchone()[0])

    def _tuples(self) -> Iterator[dict[str, Any]]:
        sql, params = self._sql(", ".join(quoted(c.name) for c in self.columns), order=True)
        columns = self.columns
        for row in self._conn.execute(sql, params):
            yield {c.name: from_sql(c.kind, v) for c, v in zip(columns, row, strict=True)}

    def __iter__(self) -> Iterator[Row]:
        construct = self.model.model_construct
        for values in self._tuples():
            yield construct(**values)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as plain dicts of Python values (datetime, date, str, blob data)."""
        return list(self._tuples())

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame: datetime64 for datetimes and dates, string for
        text, blobs as JSON text (as stored; ``to_dicts`` gives them as data)."""
        return frame(self.columns, self.to_dicts())


@dataclass(frozen=True)
class SessionInfo:
    """One session with its directory, note, experimenters and projects."""

    subject: str
    session_datetime: datetime
    session_dir: str
    session_note: str | None
    experimenters: list[str]
    projects: list[str]


SESSION_COLUMNS = (
    Column("subject", "text", False),
    Column("session_datetime", "datetime", False),
    Column("session_dir", "text", False),
    Column("session_note", "text", True),
    Column("experimenters", "blob", False),
    Column("projects", "blob", False),
)


class Sessions(Sequence[SessionInfo]):
    """The result of ``Catalog.sessions``: a sequence of ``SessionInfo``."""

    def __init__(self, rows: list[SessionInfo]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        return self._rows[index]

    def __repr__(self) -> str:
        return f"<Sessions: {len(self)}>"

    def to_dicts(self) -> list[dict[str, Any]]:
        """One plain dict per session (experimenters and projects as lists)."""
        return [asdict(row) for row in self._rows]

    def to_pandas(self) -> Any:
        """A DataFrame, one row per session (experimenters and projects as lists)."""
        return frame(SESSION_COLUMNS, self.to_dicts(), lists=("experimenters", "projects"))


_SESSIONS_SQL = """
SELECT d.subject, d.session_datetime, d.session_dir, n.session_note,
  (SELECT json_group_array(e.user) FROM (SELECT e.user FROM session_experimenter e
     WHERE e.subject = d.subject AND e.session_datetime = d.session_datetime
     ORDER BY e.user) e),
  (SELECT json_group_array(p.project) FROM (SELECT p.project FROM project_session p
     WHERE p.subject = d.subject AND p.session_datetime = d.session_datetime
     ORDER BY p.project) p)
FROM session_directory d
LEFT JOIN session_note n ON n.subject = d.subject AND n.session_datetime = d.session_datetime
"""


class Catalog:
    """The relational view of one data root (docs/catalog.md), read from its index."""

    def __init__(self, conn: sqlite3.Connection, root: str, *, owned: bool = False) -> None:
        """A catalog over an open index connection; ``owned``: close it with the catalog."""
        self.root = root
        self._conn = conn
        self.findings: list[Finding] = []  # the root's findings (load_catalog fills them in)
        self.left_out = 0  # sidecars kept out of this view by their errors
        guard_rows(conn)  # a damaged index met while reading is removed, with a clear error
        register(conn)  # the SQL functions of attribute conditions
        if owned:
            weakref.finalize(self, conn.close)

    def __repr__(self) -> str:
        return f"<Catalog {self.root}>"

    @property
    def names(self) -> tuple[str, ...]:
        """The table names, as in docs/catalog.md."""
        return TABLE_NAMES

    def __contains__(self, name: object) -> bool:
        return name in COLUMNS

    def __iter__(self) -> Iterator[str]:
        return iter(TABLE_NAMES)

    def __getitem__(self, name: str) -> Table:
        return self.table(name)

    def table(self, name: str) -> Table:
        """The table ``name``; an unknown name raises KeyError listing the names."""
        if name not in COLUMNS:
            msg = f"no table {name!r}; the tables are: {', '.join(TABLE_NAMES)}"
            raise KeyError(msg)
        return Table(self._conn, name)

    def sessions(
        self,
        *,
        subject: str | Sequence[str] | None = None,
        project: str | Sequence[str] | None = None,
        experimenter: str | Sequence[str] | None = None,
        since: TimeBound = None,
        until: TimeBound = None,
        sex: Any = None,
        subject_birth_date: Any = None,
        subject_nickname: Any = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> Sessions:
        """One row per session, with directory, note, experimenters and projects.

        ``subject``, ``project``, ``experimenter`` take one key or a list (any of them);
        ``since``/``until`` bound ``session_datetime`` (inclusive; a date ``until``
        includes that whole day). ``sex``, ``subject_birth_date``, ``subject_nickname``
        (the subject registry) and each value of ``attributes`` (name -> condition) take
        a condition: a value, a list (any of them) or ``(operator, value)`` with one of
        ``== != < <= > >= in``, e.g. ``attributes={"rig": "rig-3", "temperature_c":
        (">", 37)}``. A number compares the values that are numbers, a boolean the
        booleans, text the text as written. All filters must hold.
        """
        where, params = sessions_where(
            subject,
            project,
            experimenter,
            since,
            until,
            {
                "sex": sex,
                "subject_birth_date": subject_birth_date,
                "subject_nickname": subject_nickname,
            },
            attributes,
        )
        self.check_attribute_names(attributes or {})
        sql = _SESSIONS_SQL + (" WHERE " + where if where else "")
        sql += " ORDER BY d.subject, d.session_datetime"
        rows = [
            SessionInfo(s, datetime.fromisoformat(t), d, n, json.loads(e), json.loads(p))
            for s, t, d, n, e, p in self._conn.execute(sql, params)
        ]
        return Sessions(rows)

    def wide(
        self,
        *,
        subject: str | Sequence[str] | None = None,
        project: str | Sequence[str] | None = None,
        experimenter: str | Sequence[str] | None = None,
        since: TimeBound = None,
        until: TimeBound = None,
        sex: Any = None,
        subject_birth_date: Any = None,
        subject_nickname: Any = None,
        attributes: Mapping[str, Any] | None = None,
        typed: bool = True,
    ) -> Wide:
        """One row per session: note, experimenters, projects, the subject's columns and
        one column per attribute (typed as numbers or booleans where every value is one,
        unless ``typed=False``; blobs as JSON text in ``NAME__blob``). Filters as in
        ``sessions``."""
        where, params = sessions_where(
            subject,
            project,
            experimenter,
            since,
            until,
            {
                "sex": sex,
                "subject_birth_date": subject_birth_date,
                "subject_nickname": subject_nickname,
            },
            attributes,
        )
        self.check_attribute_names(attributes or {})
        return build_wide(self._conn, where, params, typed=typed, declared=self.vocabulary)

    @property
    def vocabulary(self) -> dict[str, dict[str, Any]] | None:
        """The lab vocabulary's declarations (name -> ``type``, ``unit``, ``description``),
        or None when the root has no ``registry/attributes.yaml``."""
        return declared_attributes(self._conn)

    def check_attribute_names(self, names: Iterable[str]) -> None:
        """Raise UnknownAttributeError (a ValueError) for a name that is neither declared
        in the vocabulary nor set by any session of the view, with "did you mean" from
        the declared names (without a vocabulary: from the names sessions set), so a
        typo in a filter is never an empty result."""
        check_attribute_names(self._conn, names)

    def attribute_names(self) -> list[str]:
        """The attribute names the sessions of the view set, sorted."""
        return attribute_names(self._conn)

    def draft_vocabulary(self) -> str:
        """A draft ``registry/attributes.yaml`` from the root's sidecars (``session-files
        vocabulary``): every name used, its inferred type, its values when few."""
        from .draft import draft_vocabulary

        return draft_vocabulary(self._conn)

    def close(self) -> None:
        """Close the connection to the index."""
        self._conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
