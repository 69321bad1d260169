"""Helpers of the Catalog: filter values and time bounds as stored, and DataFrames."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from .columns import Column, encode_blob, to_sql

TimeBound = datetime | date | str | None


def quoted(name: str) -> str:
    """A quoted SQL identifier."""
    return f'"{name}"'


def bound(value: TimeBound, upper: bool) -> tuple[str, str] | None:
    """(operator, stored text) for ``since`` (inclusive) or ``until`` (inclusive; a date
    means the whole day)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            msg = f"{'until' if upper else 'since'}={text!r} is not a date or date and time"
            raise ValueError(msg) from None
    if isinstance(value, datetime):
        return ("<=" if upper else ">=", value.replace(tzinfo=None).isoformat(sep=" "))
    if upper and value == date.max:  # the last day there is: no next day to stop before
        return ("<=", datetime.combine(value, datetime.max.time()).isoformat(sep=" "))
    day = value + timedelta(days=1) if upper else value
    start = datetime.combine(day, datetime.min.time()).isoformat(sep=" ")
    return ("<", start) if upper else (">=", start)


def stored_values(column: Column, value: Any) -> list[Any]:
    items = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
    if column.kind == "datetime":
        items = [datetime.fromisoformat(v) if isinstance(v, str) else v for v in items]
    elif column.kind == "date":
        items = [date.fromisoformat(v) if isinstance(v, str) else v for v in items]
    return [to_sql(column.kind, item) for item in items]


def pandas_module() -> Any:
    try:
        import pandas
    except ImportError:
        msg = "to_pandas() needs pandas: pip install 'session-files[pandas]'"
        raise ImportError(msg) from None
    return pandas


def frame(
    columns: Sequence[Column], records: list[dict[str, Any]], *, lists: Sequence[str] = ()
) -> Any:
    """A DataFrame of ``records``: datetime64 for datetimes and dates, string for text,
    blobs as JSON text (so that it writes to parquet); the ``lists`` columns hold lists."""
    pd = pandas_module()
    data: dict[str, Any] = {}
    for column in columns:
        values = [record[column.name] for record in records]
        if column.kind in ("datetime", "date"):
            data[column.name] = pd.to_datetime(pd.Series(values, dtype="object"))
        elif column.name in lists:
            data[column.name] = pd.Series(values, dtype="object")
        elif column.kind == "blob":
            data[column.name] = pd.Series([encode_blob(v) for v in values], dtype="string")
        else:
            data[column.name] = pd.Series(values, dtype="string")
    return pd.DataFrame(data)
