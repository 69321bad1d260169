"""Columns of the relational view, derived from the row models, and their SQLite codecs.

Every table's columns, their order, nullability and Python types come from
``records.TABLES`` (through ``table_layout``, plain data checked against the models by a
test, so that reading an index imports no pydantic); nothing here re-types a column by hand. Values are stored as text:
datetimes as ``YYYY-MM-DD HH:MM:SS`` (sortable, so range filters are plain comparisons),
dates as ``YYYY-MM-DD`` and ``attribute_blob`` as JSON (see ``encode_blob``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .table_layout import TABLE_LAYOUT, Kind

if TYPE_CHECKING:
    from session_files.records import Row


_MAP_TAG = "$map"


@dataclass(frozen=True)
class Column:
    """One column of a view table: its name, kind and whether it may be NULL."""

    name: str
    kind: Kind
    nullable: bool

    def ddl(self) -> str:
        """The column's SQLite declaration."""
        return f'"{self.name}" TEXT' + ("" if self.nullable else " NOT NULL")


def _kind(annotation: Any) -> Kind:
    if annotation is datetime:
        return "datetime"
    if annotation is date:
        return "date"
    if annotation is Any:
        return "blob"
    return "text"


def columns(model: type[Row]) -> tuple[Column, ...]:
    """The columns of a row model, in declaration order."""
    out = []
    for name, info in model.model_fields.items():
        kind = _kind(info.annotation)
        nullable = kind == "blob" or (not info.is_required() and info.default is None)
        out.append(Column(name, kind, nullable))
    return tuple(out)


COLUMNS: dict[str, tuple[Column, ...]] = {
    name: tuple(Column(*column) for column in layout) for name, (_, layout) in TABLE_LAYOUT.items()
}
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {name: key for name, (key, _) in TABLE_LAYOUT.items()}


def _tagged(data: Any) -> Any:
    """JSON-ready data; a mapping with a non-text key (or the key ``$map``) becomes
    ``{"$map": [[key, value], ...]}`` so that its keys come back with their types."""
    if isinstance(data, dict):
        if all(isinstance(key, str) for key in data) and _MAP_TAG not in data:
            return {key: _tagged(value) for key, value in data.items()}
        return {_MAP_TAG: [[_tagged(key), _tagged(value)] for key, value in data.items()]}
    if isinstance(data, list):
        return [_tagged(item) for item in data]
    return data


def _untagged(data: Any) -> Any:
    if isinstance(data, dict):
        if len(data) == 1 and _MAP_TAG in data and isinstance(data[_MAP_TAG], list):
            return {_untagged(key): _untagged(value) for key, value in data[_MAP_TAG]}
        return {key: _untagged(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_untagged(item) for item in data]
    return data


def encode_blob(data: Any) -> str | None:
    """``attribute_blob`` as stored: JSON, ``None`` for no blob.

    Our YAML layer yields text, int, float, bool, null, lists and mappings. Mappings with
    only text keys are JSON objects; any other mapping is tagged (see ``_tagged``), so
    every blob, including ``{1: a}`` and NaN/infinity, reads back equal.
    """
    if data is None:
        return None
    return json.dumps(_tagged(data), ensure_ascii=False, separators=(",", ":"))


def decode_blob(text: str | None) -> Any:
    """The Python data of a stored ``attribute_blob``."""
    if text is None:
        return None
    return _untagged(json.loads(text))


def to_sql(kind: Kind, value: Any) -> Any:
    """A Python value of a column as SQLite stores it."""
    if value is None:
        return None
    if kind == "datetime":
        return value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == "blob":
        return encode_blob(value)
    return value


def from_sql(kind: Kind, value: Any) -> Any:
    """A stored value back as the row model's Python value."""
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "blob":
        return decode_blob(value)
    return value
