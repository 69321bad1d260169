"""The SQLite layout of the index, generated from the row models.

* ``meta``: what wrote the index, for which root, and the state of its config/registries.
* ``file``: every sidecar seen, with size, mtime_ns, content digest and a "racy" mark.
* ``finding``: every finding, by origin (``scan``, ``file``, ``config``, ``registry``,
  ``integrity``), with its default severity; overrides apply when it is read.
* ``subject``, ``project``, ``experimenter``: the registries, real tables.
* ``stage_*``: the rows each parsed sidecar would contribute, keyed by its path; each is
  described once, by a ``Stage``.
* the six session-keyed tables of the view are SQL views over the staging tables: a row is
  visible only when its sidecar is ``in_view`` and every registry key it names exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from session_files.records import FOREIGN_KEYS, REGISTRIES, TABLES

from .columns import COLUMNS, Column

REGISTRY_TABLES = {kind: registry.table for kind, registry in REGISTRIES.items()}


@dataclass(frozen=True)
class Stage:
    """One staging table, described once: the DDL, the INSERT and the integrity queries are
    generated from it; ``extract`` lays its rows out by hand, for speed, and a test checks
    them against ``row``.

    A row is ``(path, *session key (parts only), *values, *positions)``: the sidecar's path,
    for a part the session's key, the view columns in ``values`` order, then for each
    column in ``positions`` its line and column in the sidecar.
    """

    name: str
    tables: tuple[str, ...]  # the view tables staged here
    values: tuple[str, ...]  # the view columns a row carries (the session key: parts add it)
    positions: tuple[tuple[str, str, str], ...] = ()  # (value column, line column, col column)
    key: tuple[str, ...] = ("path",)

    @property
    def part(self) -> bool:
        """A part of a session: its rows repeat the session's key."""
        return self.name != "stage_session"

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of a row, in order."""
        head = ("path", *SESSION_KEY) if self.part else ("path",)
        return (*head, *self.values, *(c for _, line, col in self.positions for c in (line, col)))

    def row(self, values: dict[str, Any], at: dict[str, tuple[int, int]]) -> tuple[Any, ...]:
        """The ``values`` and positions of a row (without path and session key)."""
        return (
            *(values[name] for name in self.values),
            *(n for c, _, _ in self.positions for n in at[c]),
        )

    @property
    def insert(self) -> str:
        """``INSERT INTO stage (columns...) VALUES (?...)``."""
        return insert_sql(self.name, self.columns)

    def position_of(self, column: str) -> tuple[str, str]:
        """The (line, column) columns that locate ``column`` in the sidecar."""
        for name, line, col in self.positions:
            if name == column:
                return line, col
        msg = f"{self.name} keeps no position for {column}"
        raise KeyError(msg)


SESSION_KEY = ("subject", "session_datetime")
SESSION_STAGE = Stage(
    "stage_session",
    ("session", "session_directory", "session_note"),
    ("subject", "session_datetime", "session_dir", "session_note"),
    (
        ("subject", "subject_line", "subject_col"),
        ("session_datetime", "datetime_line", "datetime_col"),
    ),
)
ATTRIBUTE_STAGE = Stage(
    "stage_attribute",
    ("session__attribute",),
    ("attribute_name", "attribute_value", "attribute_blob"),
    key=("path", "attribute_name"),
)
EXPERIMENTER_STAGE = Stage(
    "stage_experimenter",
    ("session_experimenter",),
    ("user",),
    (("user", "line", "col"),),
    key=("path", "user"),
)
PROJECT_STAGE = Stage(
    "stage_project",
    ("project_session",),
    ("project",),
    (("project", "line", "col"),),
    key=("path", "project"),
)
STAGES: dict[str, Stage] = {
    stage.name: stage
    for stage in (SESSION_STAGE, ATTRIBUTE_STAGE, EXPERIMENTER_STAGE, PROJECT_STAGE)
}
PART_STAGES = tuple(stage for stage in STAGES.values() if stage.part)
# Where each session-keyed table's rows are staged.
STAGE_OF = {table: stage for stage in STAGES.values() for table in stage.tables}


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return f'"{name}"'


def stage_columns(stage: Stage) -> tuple[Column, ...]:
    """The view columns a staging table holds (union over the tables staged in it)."""
    seen: dict[str, Column] = {}
    for table in stage.tables:
        for column in COLUMNS[table]:
            if column.name not in seen:
                # session_note is optional per sidecar: NULL in staging means "no note"
                nullable = column.nullable or table == "session_note"
                seen[column.name] = Column(column.name, column.kind, nullable)
    return tuple(seen.values())


def _registry_table(table: str) -> str:
    body = [column.ddl() for column in COLUMNS[table]]
    key = ", ".join(q(name) for name in TABLES[table].PRIMARY_KEY)
    return f"CREATE TABLE {q(table)} ({', '.join(body)}, PRIMARY KEY ({key})) WITHOUT ROWID"


def _stage_table(stage: Stage) -> str:
    positions = [f"{c} INTEGER" for _, line, col in stage.positions for c in (line, col)]
    view = "in_view INTEGER NOT NULL DEFAULT 0"
    body = [
        '"path" TEXT NOT NULL',
        *(c.ddl() for c in stage_columns(stage)),
        *positions,
        *([] if stage.part else [view]),
    ]
    key = ", ".join(q(name) for name in stage.key)
    return f"CREATE TABLE {stage.name} ({', '.join(body)}, PRIMARY KEY ({key})) WITHOUT ROWID"


def _view(table: str) -> str:
    stage = STAGE_OF[table].name
    select = ", ".join(f"t.{q(column.name)}" for column in COLUMNS[table])
    if stage == SESSION_STAGE.name:
        source, where = f"{stage} t", ["t.in_view = 1"]
        if table == "session_note":
            where.append('t."session_note" IS NOT NULL')
    else:
        source = f"{stage} t JOIN stage_session s ON s.path = t.path"
        where = ["s.in_view = 1"]
    for child, cols, parent, parent_cols in FOREIGN_KEYS:
        if child == table and parent in REGISTRY_TABLES.values():
            match = " AND ".join(
                f"r.{q(pc)} = t.{q(cc)}" for cc, pc in zip(cols, parent_cols, strict=True)
            )
            where.append(f"EXISTS (SELECT 1 FROM {q(parent)} r WHERE {match})")
    return f"CREATE VIEW {q(table)} AS SELECT {select} FROM {source} WHERE {' AND '.join(where)}"


def ddl() -> list[str]:
    """Every statement that creates an empty index."""
    statements = [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE file (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
        " digest TEXT, racy INTEGER NOT NULL DEFAULT 0, tag TEXT, ino INTEGER,"
        " ctime_ns INTEGER) WITHOUT ROWID",
        "CREATE TABLE finding (origin TEXT NOT NULL, path TEXT NOT NULL, line INTEGER,"
        " col INTEGER, code TEXT NOT NULL, message TEXT NOT NULL)",
        "CREATE INDEX finding_origin ON finding (origin, path)",
        "CREATE INDEX finding_path ON finding (path, code)",
    ]
    statements += [_registry_table(table) for table in REGISTRY_TABLES.values()]
    statements += [_stage_table(stage) for stage in STAGES.values()]
    statements += [
        "CREATE INDEX stage_session_key ON stage_session (subject, session_datetime)",
        "CREATE INDEX stage_session_time ON stage_session (session_datetime)",
        "CREATE INDEX stage_attribute_key ON stage_attribute (subject, session_datetime)",
        "CREATE INDEX stage_experimenter_key ON stage_experimenter (subject, session_datetime)",
        "CREATE INDEX stage_experimenter_user ON stage_experimenter (user)",
        "CREATE INDEX stage_project_key ON stage_project (subject, session_datetime)",
        "CREATE INDEX stage_project_project ON stage_project (project)",
    ]
    statements += [_view(table) for table in STAGE_OF]
    return statements


def insert_sql(stage: str, names: tuple[str, ...]) -> str:
    """``INSERT INTO stage (names...) VALUES (?...)``."""
    cols = ", ".join(q(name) for name in names)
    return f"INSERT INTO {stage} ({cols}) VALUES ({', '.join('?' * len(names))})"
