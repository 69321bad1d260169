"""The result of validating a root: findings as data, for the reporters to format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .findings import Finding, FindingCounts


@dataclass
class Report(FindingCounts):
    """Every finding of one run over a root, how many sessions made it into the view, and
    which files were checked. Plain data: nothing to close (the view itself is handed out
    by ``load_catalog``, or with the report by ``api.validate_and_load``)."""

    root: str
    findings: list[Finding] = field(default_factory=list)
    sessions: int = 0
    files: list[str] = field(default_factory=list)
    """The checked files, root-relative and sorted: every sidecar in the view, and every
    file with a finding."""
    failure: str | None = None  # why the check could not run (exit status 2), if it could not

    @classmethod
    def could_not_run(cls, root: str, reason: str) -> Report:
        """The report of a check that could not run: no findings, and the reason."""
        return cls(root, failure=reason)

    @property
    def ok(self) -> bool:
        """True when no finding is an error (warnings do not fail a run)."""
        return self.errors == 0 and self.failure is None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``validate --format json`` (docs/ci.md), plus ``error`` (the
        reason) when the check could not run."""
        out: dict[str, Any] = {
            "root": self.root,
            "ok": self.ok,
            "counts": {"sessions": self.sessions, "errors": self.errors, "warnings": self.warnings},
            "findings": [finding.to_dict() for finding in self.findings],
        }
        if self.failure is not None:
            out["error"] = self.failure
        return out
