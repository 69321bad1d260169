"""session-files: YAML session sidecars checked into a trustworthy relational catalog."""

from __future__ import annotations

from .api import IndexRebuiltWarning, IndexUpdate, load_catalog, update_index, validate
from .datajoint import activate, publish  # DataJoint (an optional extra) loads on first call
from .findings import Finding
from .index.catalog import Catalog, SessionInfo, Sessions, Table
from .read.config import expected_session_dir
from .read.sidecar import SidecarError, parse_sidecar, read_sidecar
from .records import (
    Attribute,
    ExperimenterEntry,
    ProjectEntry,
    Sidecar,
    SubjectEntry,
)
from .report import Report
from .write.update import update_sidecar
from .write.writer import write_sidecar

__all__ = [
    "Attribute",
    "Catalog",
    "ExperimenterEntry",
    "Finding",
    "IndexRebuiltWarning",
    "IndexUpdate",
    "ProjectEntry",
    "Report",
    "SessionInfo",
    "Sessions",
    "Sidecar",
    "SidecarError",
    "SubjectEntry",
    "Table",
    "activate",
    "expected_session_dir",
    "load_catalog",
    "parse_sidecar",
    "publish",
    "read_sidecar",
    "update_index",
    "update_sidecar",
    "validate",
    "write_sidecar",
]
