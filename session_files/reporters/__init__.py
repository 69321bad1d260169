"""Output formats: each module turns a :class:`~session_files.report.Report` into text.

A reporter only formats; it never decides what is wrong. Adding a format is one
module with a ``render(report, *, color=False) -> str`` function and one line in
:data:`REPORTERS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Protocol

from session_files.report import Report


class Render(Protocol):
    """The signature every reporter's ``render`` has."""

    def __call__(self, report: Report, *, color: bool = False) -> str: ...


class _Reporters(Mapping[str, Render]):
    """Format name -> ``render``; each reporter's module is imported when first used, so the
    command line lists the formats without loading them."""

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules = modules

    def __getitem__(self, name: str) -> Render:
        module = importlib.import_module(f"{__name__}.{self._modules[name]}")
        render: Render = module.render
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


# The order is the order ``--format`` lists them in; ``text`` is the default.
REPORTERS: Mapping[str, Render] = _Reporters(
    {"text": "text", "json": "json", "github": "github", "junit": "junit", "sarif": "sarif"}
)

__all__ = ["REPORTERS", "Render"]
