"""The persistent index: scan, read and parse, registries, integrity checks, relational view.

``open_index`` refreshes an index (a file, or an in-memory database) and returns the open
connection; ``read_findings`` and the ``Catalog`` read from it.
"""

from __future__ import annotations

from .opening import left_out, open_index, read_checked_files, read_findings, view_counts
from .refresh import RefreshResult
from .store import IndexDamagedError, default_index_path, existing_index

__all__ = [
    "IndexDamagedError",
    "RefreshResult",
    "default_index_path",
    "existing_index",
    "left_out",
    "open_index",
    "read_checked_files",
    "read_findings",
    "view_counts",
]
