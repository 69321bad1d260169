"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding.

A line reads ``::error file=PATH,line=L,col=C,title=CODE::MESSAGE``; ``line`` and
``col`` are left out when unknown. GitHub places an annotation only when PATH is
relative to the repository, so root-relative paths get the root's location inside
``$GITHUB_WORKSPACE`` (or the current directory) as a prefix; see
:func:`~session_files.reporters._common.repository_prefix`.
"""

from __future__ import annotations

from session_files.findings import Finding
from session_files.report import Report

from ._common import prefixed, repository_prefix


def escape_data(value: str) -> str:
    """Escape a command's message the way the Actions runner unescapes it."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a command property's value (``:`` and ``,`` delimit properties)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, prefix: str = "") -> str:
    """One workflow command for one finding."""
    properties = [("file", prefixed(prefix, finding.path))]
    if finding.line is not None:
        properties.append(("line", str(finding.line)))
        if finding.column is not None:
            properties.append(("col", str(finding.column)))
    properties.append(("title", finding.code))
    joined = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{finding.severity} {joined}::{escape_data(finding.message)}"


def render(report: Report, *, color: bool = False) -> str:
    """One annotation line per finding (empty when there is none)."""
    del color  # the runner reads these lines; colour would break them
    if report.failure is not None:
        return f"::error title=session-files::{escape_data(report.failure)}"
    prefix = repository_prefix(report.root)
    return "\n".join(annotation(finding, prefix) for finding in sorted(report.findings))
