"""Output formats: each module turns a :class:`~session_files.report.Report` into text.

A reporter only formats; it never decides what is wrong. Adding a format is one
module with a ``render(report, *, color=False) -> str`` function and one line in
:data:`REPORTERS`.
"""

from __future__ import annotations

from typing import Protocol

from session_files.report import Report

from . import github, junit, sarif, text
from . import json as json_


class Render(Protocol):
    """The signature every reporter's ``render`` has."""

    def __call__(self, report: Report, *, color: bool = False) -> str: ...


# The order is the order ``--format`` lists them in; ``text`` is the default.
REPORTERS: dict[str, Render] = {
    "text": text.render,
    "json": json_.render,
    "github": github.render,
    "junit": junit.render,
    "sarif": sarif.render,
}

__all__ = ["REPORTERS", "Render"]
