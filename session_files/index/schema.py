"""The SQLite layout of the index, generated from the row models.

* ``meta``: what wrote the index, for which root, and the state of its config/registries.
* ``file``: every sidecar seen, with size, mtime_ns, content digest and a "racy" mark.
* ``finding``: every finding, by origin (``scan``, ``file``, ``config``, ``registry``,
  ``integrity``), with its default severity; overrides apply when it is read.
* ``subject``, ``project``, ``experimenter``: the registries, real tables.
* ``stage_*``: the rows each parsed sidecar would contribute, keyed by its path.
* the six session-keyed tables of the view are SQL views over the staging tables: a row is
  visible only when its sidecar is ``in_view`` and every registry key it names exists.
"""

from __future__ import annotations

from session_files.records import FOREIGN_KEYS, REGISTRY_ROWS, TABLES

from .columns import COLUMNS, Column

INDEX_SCHEMA = 4  # 2: staging tables WITHOUT ROWID; 3: file.tag (a remote ETag); 4: ino, ctime
REGISTRY_TABLES = {kind: model.TABLE for kind, model in REGISTRY_ROWS.items()}

# Where each session-keyed table's rows are staged; stage_session holds three tables.
STAGE_OF = {
    "session": "stage_session",
    "session_directory": "stage_session",
    "session_note": "stage_session",
    "session__attribute": "stage_attribute",
    "session_experimenter": "stage_experimenter",
    "project_session": "stage_project",
}
# Columns a staging table keeps besides the view's: the sidecar path and value positions.
_STAGE_EXTRA = {
    "stage_session": (
        "subject_line INTEGER",
        "subject_col INTEGER",
        "datetime_line INTEGER",
        "datetime_col INTEGER",
        "in_view INTEGER NOT NULL DEFAULT 0",
    ),
    "stage_attribute": (),
    "stage_experimenter": ("line INTEGER", "col INTEGER"),
    "stage_project": ("line INTEGER", "col INTEGER"),
}
_STAGE_KEY = {
    "stage_session": ("path",),
    "stage_attribute": ("path", "attribute_name"),
    "stage_experimenter": ("path", "user"),
    "stage_project": ("path", "project"),
}


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return f'"{name}"'


def stage_columns(stage: str) -> tuple[Column, ...]:
    """The view columns a staging table holds (union over the tables staged in it)."""
    seen: dict[str, Column] = {}
    for table, where in STAGE_OF.items():
        if where == stage:
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


def _stage_table(stage: str) -> str:
    body = ['"path" TEXT NOT NULL', *(c.ddl() for c in stage_columns(stage)), *_STAGE_EXTRA[stage]]
    key = ", ".join(q(name) for name in _STAGE_KEY[stage])
    return f"CREATE TABLE {stage} ({', '.join(body)}, PRIMARY KEY ({key})) WITHOUT ROWID"


def _view(table: str) -> str:
    stage = STAGE_OF[table]
    select = ", ".join(f"t.{q(column.name)}" for column in COLUMNS[table])
    if stage == "stage_session":
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
    statements += [_stage_table(stage) for stage in _STAGE_EXTRA]
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
