"""Writing one table of the view, or the wide table, to parquet, CSV or JSON lines.

Every format gets the same values: datetimes as ``YYYY-MM-DD HH:MM:SS`` (parquet: a
timestamp), dates as ``YYYY-MM-DD`` (parquet: a date), ``experimenters``/``projects`` as
lists (CSV: JSON text), blobs as JSON text, typed attributes of the wide table as numbers
and booleans. CSV is safe to open in a spreadsheet: a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so that it is never
run as a formula. The file is written atomically (a temporary file renamed over PATH).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from session_files.index.catalog import Catalog
from session_files.index.columns import COLUMNS, encode_blob
from session_files.index.wide import WideColumn, WideKind

from .formats import FORMATS, Format, format_of

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Exported:
    """What ``export`` wrote: the file, its rows and columns."""

    path: Path
    rows: int
    columns: tuple[str, ...]


def table_data(
    catalog: Catalog, name: str | None, *, wide: bool = False
) -> tuple[tuple[WideColumn, ...], list[dict[str, Any]]]:
    """The columns and rows to export: table ``name``, or the wide table."""
    if wide:
        table = catalog.wide()
        return table.columns, table.to_dicts()
    if name is None:
        msg = "name a table, or ask for the wide table"
        raise ValueError(msg)
    rows = catalog.table(name).to_dicts()  # KeyError names the tables
    kinds: dict[str, WideKind] = {"text": "text", "datetime": "datetime", "date": "date"}
    columns = tuple(WideColumn(c.name, kinds.get(c.kind, "json")) for c in COLUMNS[name])
    for row in rows:
        for column in columns:
            if column.kind == "json":
                row[column.name] = encode_blob(row[column.name])
    return columns, rows


def safe_cell(text: str) -> str:
    """A CSV text cell a spreadsheet shows as text, never as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _plain(kind: WideKind, value: Any) -> Any:
    """A value as JSON lines and CSV write it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv(columns: Sequence[WideColumn], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(column.name) for column in columns])
    for row in rows:
        cells: list[str] = []
        for column in columns:
            value = _plain(column.kind, row[column.name])
            if value is None:
                cells.append("")
            elif column.kind == "list":
                cells.append(safe_cell(json.dumps(value, ensure_ascii=False)))
            elif column.kind == "bool":
                cells.append("true" if value else "false")
            elif column.kind in ("int", "float"):
                cells.append(repr(value) if isinstance(value, float) else str(value))
            else:
                cells.append(safe_cell(str(value)))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def _jsonl(columns: Sequence[WideColumn], rows: list[dict[str, Any]]) -> bytes:
    lines = [
        json.dumps({c.name: _plain(c.kind, row[c.name]) for c in columns}, ensure_ascii=False)
        for row in rows
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _metadata(column: WideColumn) -> dict[str, str]:
    found = {"unit": column.unit, "description": column.description}
    return {key: value for key, value in found.items() if value}


def _parquet(columns: Sequence[WideColumn], rows: list[dict[str, Any]]) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        msg = "parquet needs pyarrow: pip install 'session-files[parquet]'"
        raise ImportError(msg) from None
    types = {
        "text": pa.string(),
        "json": pa.string(),
        "datetime": pa.timestamp("s"),
        "date": pa.date32(),
        "list": pa.list_(pa.string()),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
    }
    arrays = [pa.array([row[c.name] for row in rows], type=types[c.kind]) for c in columns]
    fields = [  # a declared attribute's unit and description go in its field's metadata
        pa.field(c.name, types[c.kind], metadata=_metadata(c) or None) for c in columns
    ]
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def export(
    catalog: Catalog,
    out: str | Path,
    *,
    fmt: Format | None = None,
    table: str | None = None,
    wide: bool = False,
) -> Exported:
    """Write table ``table`` (or, with ``wide``, the wide table) of ``catalog`` to ``out``
    as ``fmt`` (default: from the suffix of ``out``)."""
    path = Path(out)
    chosen = fmt or format_of(path)
    if chosen not in FORMATS:
        msg = f"cannot tell the format of {path.name!r}; give one of {', '.join(FORMATS)}"
        raise ValueError(msg)
    columns, rows = table_data(catalog, table, wide=wide)
    write = {"parquet": _parquet, "csv": _csv, "jsonl": _jsonl}[chosen]
    from session_files.write.writer import atomic_write  # loads the models: only to write

    atomic_write(path, write(columns, rows))
    return Exported(path, len(rows), tuple(c.name for c in columns))
