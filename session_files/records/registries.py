"""The lab registries, each described once: file, entry model, row model, key type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..layout import REGISTRY_SUFFIX
from .entries import ExperimenterEntry, ProjectEntry, SubjectEntry
from .rows import ExperimenterRow, ProjectRow, Row, SubjectRow
from .types import ProjectId, Strict, SubjectId, UserId


@dataclass(frozen=True)
class Registry:
    """One lab registry, described once: its file, the model of its YAML entries, the row
    model (and so the table) it fills, and the type of its key."""

    kind: str  # the file is registry/<kind>.yaml
    entry: type[Strict]
    row: type[Row]
    key_type: Any

    @property
    def table(self) -> str:
        """The table of the view it fills (``subject``, ``project``, ``experimenter``)."""
        return self.row.TABLE

    @property
    def key(self) -> str:
        """The key column (``subject``, ``project``, ``user``)."""
        return self.row.PRIMARY_KEY[0]

    @property
    def file_name(self) -> str:
        """``subjects.yaml``, ``projects.yaml``, ``experimenters.yaml``."""
        return self.kind + REGISTRY_SUFFIX


REGISTRIES: dict[str, Registry] = {
    registry.kind: registry
    for registry in (
        Registry("subjects", SubjectEntry, SubjectRow, SubjectId),
        Registry("projects", ProjectEntry, ProjectRow, ProjectId),
        Registry("experimenters", ExperimenterEntry, ExperimenterRow, UserId),
    )
}
# Views of REGISTRIES by kind, for the callers that need one facet.
REGISTRY_ROWS: dict[str, type[Row]] = {kind: r.row for kind, r in REGISTRIES.items()}
REGISTRY_ENTRIES: dict[str, type[Strict]] = {kind: r.entry for kind, r in REGISTRIES.items()}
REGISTRY_KEYS: dict[str, Any] = {kind: r.key_type for kind, r in REGISTRIES.items()}
