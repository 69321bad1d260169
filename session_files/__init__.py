"""session-files: YAML session sidecars checked into a trustworthy relational catalog."""

from __future__ import annotations

from .findings import Finding
from .records import (
    Attribute,
    ExperimenterEntry,
    ProjectEntry,
    Sidecar,
    SubjectEntry,
)
from .report import Report
from .sidecar import SidecarError, parse_sidecar, read_sidecar
from .writer import write_sidecar

__all__ = [
    "Attribute",
    "ExperimenterEntry",
    "Finding",
    "ProjectEntry",
    "Report",
    "Sidecar",
    "SidecarError",
    "SubjectEntry",
    "parse_sidecar",
    "read_sidecar",
    "write_sidecar",
]
