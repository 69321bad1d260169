"""The machine format: the JSON object of docs/ci.md, as :meth:`Report.to_dict` gives it."""

from __future__ import annotations

import json

from session_files.report import Report


def render(report: Report, *, color: bool = False) -> str:
    """One JSON object (indented for people; every JSON reader takes it as is)."""
    del color  # JSON is never coloured: it is read by programs
    return json.dumps(report.to_dict(), indent=2)
