"""``Catalog.wide()``: one row per session, its subject and its attributes as columns.

Columns: the session key, ``session_dir``, ``session_note``, ``experimenters`` and
``projects`` (lists), the subject's registry columns, then one column per attribute name
(sorted). When the root has a lab vocabulary, a declared attribute's column has its
declared type (number: ``float``, integer: ``int``, boolean, date, datetime; text and
blob: the text) and its unit (``WideColumn.unit``); otherwise a column is typed when
every value of it is a YAML 1.2 number (``int``, or ``float`` when any has a fraction) or
boolean, else it holds the text as written. ``typed=False`` keeps the text everywhere
(and ``session__attribute`` always does).
An attribute with a blob anywhere also gets ``NAME__blob``, the blob as JSON text. An
attribute whose column name is taken by a session or subject column is prefixed
``attribute__``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from .conditions import as_boolean, as_number
from .query import pandas_module

WideKind = Literal["text", "datetime", "date", "list", "int", "float", "bool", "json"]


@dataclass(frozen=True)
class WideColumn:
    """A column of the wide table: its name and kind (and, for a declared attribute, its
    unit and description from the lab vocabulary)."""

    name: str
    kind: WideKind
    unit: str | None = None
    description: str | None = None


BASE_COLUMNS = (
    WideColumn("subject", "text"),
    WideColumn("session_datetime", "datetime"),
    WideColumn("session_dir", "text"),
    WideColumn("session_note", "text"),
    WideColumn("experimenters", "list"),
    WideColumn("projects", "list"),
    WideColumn("subject_nickname", "text"),
    WideColumn("sex", "text"),
    WideColumn("subject_birth_date", "date"),
    WideColumn("subject_description", "text"),
)
BLOB_SUFFIX = "__blob"
TAKEN_PREFIX = "attribute__"


class Wide(Sequence[dict[str, Any]]):
    """The wide table: a sequence of plain dicts, one per session."""

    def __init__(self, columns: tuple[WideColumn, ...], rows: list[dict[str, Any]]) -> None:
        self.columns = columns
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        return self._rows[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._rows)

    def __repr__(self) -> str:
        return f"<Wide: {len(self)} sessions, {len(self.columns)} columns>"

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(column.name for column in self.columns)

    def to_dicts(self) -> list[dict[str, Any]]:
        """One plain dict per session, every column present (None where missing)."""
        return [dict(row) for row in self._rows]

    def to_pandas(self) -> Any:
        """A DataFrame: datetime64 for dates, nullable Int64/Float64/boolean for typed
        attributes, string for text and JSON, lists for experimenters and projects; it
        writes to parquet as it is."""
        pd = pandas_module()
        dtypes = {"int": "Int64", "float": "Float64", "bool": "boolean"}
        data: dict[str, Any] = {}
        for column in self.columns:
            values = [row[column.name] for row in self._rows]
            if column.kind in ("datetime", "date"):
                data[column.name] = pd.to_datetime(pd.Series(values, dtype="object"))
            elif column.kind == "list":
                data[column.name] = pd.Series(values, dtype="object")
            else:
                data[column.name] = pd.Series(values, dtype=dtypes.get(column.kind, "string"))
        frame = pd.DataFrame(data)
        frame.attrs["units"] = {c.name: c.unit for c in self.columns if c.unit}
        return frame


def _typed_kind(texts: list[str]) -> WideKind:
    """The kind every (non-empty) text of an attribute fits: bool, int, float or text."""
    present = [text for text in texts if text != ""]
    if not present:
        return "text"
    if all(as_boolean(text) is not None for text in present):
        return "bool"
    numbers = [as_number(text) for text in present]
    if all(isinstance(number, int) for number in numbers):
        return "int"
    if all(number is not None for number in numbers):
        return "float"
    return "text"


# a declared type -> the kind of its column (blob: its value's text; the blob has its own)
DECLARED_KINDS: dict[str, WideKind] = {
    "text": "text",
    "blob": "text",
    "number": "float",
    "integer": "int",
    "boolean": "bool",
    "date": "date",
    "datetime": "datetime",
}


def _declared_kind(declared: str | None, texts: list[str]) -> WideKind | None:
    """The kind of a declared attribute's column: its type's, when every (non-empty) value
    is of that type (under a downgraded severity one may not be: then the column is typed
    as if undeclared, so no value is lost); None when it declares no type."""
    if declared is None:
        return None
    kind = DECLARED_KINDS[declared]
    if kind == "text":
        return kind
    from session_files.read.attribute_rules import typed_value

    if all(typed_value(declared, text) is not None for text in texts if text != ""):
        return kind
    return None


_TYPE_OF = {"date": "date", "datetime": "datetime", "int": "integer", "float": "number"}


def _convert(kind: WideKind, text: str) -> Any:
    if kind == "text":
        return text
    if text == "":
        return None
    if kind in _TYPE_OF:
        from session_files.read.attribute_rules import typed_value

        value = typed_value(_TYPE_OF[kind], text)
        if value is not None:
            return float(value) if kind == "float" else value  # type: ignore[arg-type]
    if kind == "bool":
        return as_boolean(text)
    number = as_number(text)
    return float(number) if kind == "float" and number is not None else number


def build(
    conn: sqlite3.Connection,
    where: str,
    params: Sequence[Any],
    *,
    typed: bool = True,
    declared: dict[str, dict[str, Any]] | None = None,
) -> Wide:
    """The wide table of the sessions of ``session_directory d`` that meet ``where``;
    ``declared``: the lab vocabulary's name -> type, unit and description."""
    clause = f" WHERE {where}" if where else ""
    subjects = {
        row[0]: row[1:]
        for row in conn.execute(
            "SELECT subject, subject_nickname, sex, subject_birth_date, subject_description"
            ' FROM "subject"'
        )
    }
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    sql = (
        "SELECT d.subject, d.session_datetime, d.session_dir, n.session_note,"
        " (SELECT json_group_array(user) FROM (SELECT user FROM session_experimenter e"
        "   WHERE e.subject = d.subject AND e.session_datetime = d.session_datetime"
        "   ORDER BY user)),"
        " (SELECT json_group_array(project) FROM (SELECT project FROM project_session p"
        "   WHERE p.subject = d.subject AND p.session_datetime = d.session_datetime"
        "   ORDER BY project))"
        " FROM session_directory d LEFT JOIN session_note n"
        " ON n.subject = d.subject AND n.session_datetime = d.session_datetime"
        f"{clause} ORDER BY d.subject, d.session_datetime"
    )
    for subject, when, directory, note, users, projects in conn.execute(sql, list(params)):
        nickname, sex, born, description = subjects.get(subject, (None,) * 4)
        rows[(subject, when)] = {
            "subject": subject,
            "session_datetime": datetime.fromisoformat(when),
            "session_dir": directory,
            "session_note": note,
            "experimenters": json.loads(users),
            "projects": json.loads(projects),
            "subject_nickname": nickname,
            "sex": sex,
            "subject_birth_date": date.fromisoformat(born) if born else None,
            "subject_description": description,
        }
    values: dict[str, dict[tuple[str, str], str]] = {}
    blobs: dict[str, dict[tuple[str, str], str]] = {}
    attribute_sql = (
        "SELECT a.subject, a.session_datetime, a.attribute_name, a.attribute_value,"
        ' a.attribute_blob FROM "session__attribute" a'
    )
    if where:
        attribute_sql += (
            " WHERE (a.subject, a.session_datetime) IN (SELECT d.subject, d.session_datetime"
            f" FROM session_directory d{clause})"
        )
    for subject, when, name, value, blob in conn.execute(attribute_sql, list(params)):
        key = (subject, when)
        if key not in rows:
            continue
        values.setdefault(name, {})[key] = value
        if blob is not None:
            blobs.setdefault(name, {})[key] = blob
    taken = {column.name for column in BASE_COLUMNS}
    columns = list(BASE_COLUMNS)
    for name in sorted(values):
        column_name = f"{TAKEN_PREFIX}{name}" if name in taken else name
        texts = list(values[name].values())
        info = (declared or {}).get(name) or {}
        kind = (_declared_kind(info.get("type"), texts) or _typed_kind(texts)) if typed else "text"
        columns.append(WideColumn(column_name, kind, info.get("unit"), info.get("description")))
        taken.add(column_name)
        by_key = values[name]
        for key, row in rows.items():
            text = by_key.get(key)
            row[column_name] = None if text is None else _convert(kind, text)
        if name in blobs:
            blob_name = column_name + BLOB_SUFFIX
            columns.append(WideColumn(blob_name, "json"))
            taken.add(blob_name)
            by_blob = blobs[name]
            for key, row in rows.items():
                row[blob_name] = by_blob.get(key)
    return Wide(tuple(columns), list(rows.values()))
