"""Findings are data: every check appends them, every reporter only formats them."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning"]
SeveritySetting = Literal["error", "warning", "off"]

# The finding codes of docs/format.md, "Findings" (tests/test_format_docs.py keeps them equal).
CODES: dict[str, tuple[Severity, str]] = {
    "unreadable": ("error", "The file cannot be read as UTF-8 text, is over 1 MiB, or I/O fails."),
    "yaml-syntax": ("error", "Not parseable YAML, or more than one document."),
    "yaml-duplicate-key": ("error", "A mapping repeats a key."),
    "yaml-forbidden": (
        "error",
        "A tag other than YAML's core ones, nesting too deep, or alias expansion past a limit.",
    ),
    "schema": ("error", "The document breaks a rule of the sidecar or registry format."),
    "duplicate-session": (
        "error",
        "Two sidecars declare the same (subject, session_datetime).",
    ),
    "unknown-subject": ("error", "The subject is not in the subject registry."),
    "unknown-experimenter": ("error", "An experimenter is not in the experimenter registry."),
    "unknown-project": ("error", "A project is not in the project registry."),
    "misnamed-sidecar": ("warning", "A file named like a sidecar, but not exactly session.yaml."),
    "symlink-outside-root": (
        "warning",
        "A symbolic link points outside the data root; it is not followed.",
    ),
    "layout-mismatch": (
        "warning",
        "The root config sets a layout and the session directory is not what it gives.",
    ),
    "yaml-ambiguous": (
        "error",
        "A plain scalar that YAML 1.1 and YAML 1.2 readers read differently (quote it).",
    ),
    "unknown-attribute": (
        "error",
        "The root has a vocabulary (registry/attributes.yaml) and does not declare the name.",
    ),
    "attribute-type": ("error", "An attribute's value is not of the type its declaration gives."),
    "attribute-value": (
        "error",
        "An attribute's value is not one its declaration allows (values, registry, range, pattern).",
    ),
    "attribute-missing": ("error", "An attribute the vocabulary requires is not set."),
}


@functools.total_ordering
@dataclass(frozen=True)
class Finding:
    """One problem: where it is (root-relative POSIX path, 1-based line/column) and what to do.

    Findings sort by ``sort_key``: the order every report shows them in. ``rank`` puts
    causes first: 0 for the root config's findings, 1 for the registries', 2 for the rest
    (a broken registry is the cause of many unknown-* findings, so it is shown before them).
    """

    path: str
    line: int | None
    column: int | None
    code: str
    message: str
    severity: Severity = field(default="error", compare=False)
    rank: int = field(default=2, compare=False)

    @classmethod
    def make(
        cls,
        code: str,
        path: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
    ) -> Finding:
        """A finding with the code's default severity."""
        return cls(path, line, column, code, message, CODES[code][0])

    def sort_key(self) -> tuple[int, str, int, int, str, str]:
        """Causes first (``rank``), then path, then position (a finding without a line or
        column comes first: lines and columns are 1-based), then code and message."""
        return (self.rank, self.path, self.line or 0, self.column or 0, self.code, self.message)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of one finding (docs/ci.md)."""
        return {
            "severity": self.severity,
            "code": self.code,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class FindingCounts:
    """``errors`` and ``warnings``: the counts every result with ``findings`` reports."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        """The number of error-severity findings."""
        return sum(finding.severity == "error" for finding in self.findings)

    @property
    def warnings(self) -> int:
        """The number of warning-severity findings."""
        return sum(finding.severity == "warning" for finding in self.findings)


def cited(finding: Finding) -> str:
    """``path:line:col: code: message`` of a cause, for the messages of its consequences."""
    place = ":".join(str(part) for part in (finding.path, finding.line, finding.column) if part)
    return f"{place}: {finding.code}: {finding.message}"


def apply_severity(findings: list[Finding], overrides: dict[str, SeveritySetting]) -> list[Finding]:
    """Findings with the root config's severity overrides applied; ``off`` drops them."""
    if not overrides:
        return findings
    out: list[Finding] = []
    for finding in findings:
        setting = overrides.get(finding.code)
        if setting is None:
            out.append(finding)
        elif setting != "off":
            out.append(replace(finding, severity=setting))
    return out
