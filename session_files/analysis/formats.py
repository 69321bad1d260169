"""The export formats and how a file name names one (no heavy imports: the CLI reads it)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

Format = Literal["parquet", "csv", "jsonl"]
FORMATS: tuple[Format, ...] = ("parquet", "csv", "jsonl")
_SUFFIXES: dict[str, Format] = {
    "parquet": "parquet",
    "pq": "parquet",
    "csv": "csv",
    "jsonl": "jsonl",
    "ndjson": "jsonl",
}


def format_of(path: str | Path) -> Format | None:
    """The format a file name's suffix names (``.parquet``, ``.csv``, ``.jsonl``), or None."""
    return _SUFFIXES.get(Path(path).suffix.lower().lstrip("."))
