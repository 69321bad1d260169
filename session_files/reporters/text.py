"""The human format: one line per finding, grouped by file, then a summary line.

Each finding is one line::

    PATH:LINE:COLUMN: SEVERITY: CODE: MESSAGE

``:COLUMN`` is left out when the column is unknown and ``:LINE:COLUMN`` when the
position is unknown, so a finding without a position reads
``PATH: SEVERITY: CODE: MESSAGE``. SEVERITY is ``error`` or ``warning``. The causes
come first: the root config's findings, then the registries'; then the other files in
sorted order, and within a file findings without a position come first, then by line and
column. Continuation lines of a multi-line message are indented by four spaces. After a
blank line, one line counts sessions, errors and warnings, for example
``41 sessions, 2 errors, 1 warning``; when there are findings, a last line counts them by
code, most frequent first: ``4000 unknown-subject, 1 yaml-syntax``.
"""

from __future__ import annotations

from collections import Counter

import click

from session_files.findings import Finding
from session_files.report import Report

from ._common import escape_controls, position, working_prefix

_SEVERITY_COLOR = {"error": "red", "warning": "yellow"}


def plural(count: int, noun: str) -> str:
    """``1 error``, ``2 errors``, ``0 errors``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary(report: Report) -> str:
    """``41 sessions, 2 errors, 1 warning``."""
    return ", ".join(
        (
            plural(report.sessions, "session"),
            plural(report.errors, "error"),
            plural(report.warnings, "warning"),
        )
    )


def finding_line(finding: Finding, *, color: bool = False, prefix: str = "") -> str:
    """One finding as ``PATH:LINE:COLUMN: SEVERITY: CODE: MESSAGE`` (``prefix`` before a
    root-relative PATH)."""
    where = position(finding, prefix)
    severity: str = finding.severity
    code = finding.code
    if color:
        where = click.style(where, bold=True)
        severity = click.style(severity, fg=_SEVERITY_COLOR.get(severity), bold=True)
        code = click.style(code, dim=True)
    message = finding.message.replace("\r\n", "\n")
    message = escape_controls(message, keep_newlines=True).replace("\n", "\n    ")
    return f"{where}: {severity}: {code}: {message}"


def render(report: Report, *, color: bool = False) -> str:
    """The findings, grouped by file, and the summary line (nothing when the check could
    not run: the reason goes to stderr)."""
    if report.failure is not None:
        return ""
    prefix = working_prefix(report.root)  # paths that resolve from the current directory
    lines = [
        finding_line(finding, color=color, prefix=prefix) for finding in sorted(report.findings)
    ]
    if lines:
        lines.append("")
    tally = summary(report)
    if color:
        fg = "red" if report.errors else "yellow" if report.warnings else "green"
        tally = click.style(tally, fg=fg, bold=True)
    lines.append(tally)
    if report.findings:
        lines.append(code_summary(report))
    return "\n".join(lines)


def code_summary(report: Report) -> str:
    """One count per code, most frequent first: ``4000 unknown-subject, 1 yaml-syntax``."""
    counts = Counter(finding.code for finding in report.findings)
    return ", ".join(
        f"{n} {code}" for code, n in sorted(counts.items(), key=lambda c: (-c[1], c[0]))
    )
