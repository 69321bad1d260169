"""The Python API over the index: ``validate``, ``load_catalog`` and ``update_index``.

``registry`` (when given) overrides the root config's; a relative path is relative to the
root. ``index`` names the index file; by default it is ``<root>/.session-files/index.sqlite``,
or a per-root file in the user cache where the root is read-only or remote.
"""

from __future__ import annotations

import os
import sqlite3
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from .findings import Finding, FindingCounts
from .index import (
    RefreshResult,
    default_index_path,
    existing_index,
    left_out,
    open_index,
    read_checked_files,
    read_findings,
    view_counts,
)
from .index.sources import RegistryArg
from .read.scan import open_root
from .report import Report

if TYPE_CHECKING:
    from pathlib_abc import ReadablePath

    from .index.catalog import Catalog

RootArg: TypeAlias = "str | os.PathLike[str] | ReadablePath"
IndexArg: TypeAlias = str | os.PathLike[str] | None


class IncompleteCatalogWarning(UserWarning):
    """Sidecars were left out of the catalog because of errors; ``catalog.findings`` says
    which (``session-files validate ROOT`` prints them)."""


def left_out_message(count: int, root: str) -> str:
    """``3 sidecars were left out ... because of errors; run `session-files validate ROOT```."""
    files = "1 sidecar was" if count == 1 else f"{count} sidecars were"
    return (
        f"{files} left out of the view of {root} because of errors;"
        f" to see them, run: session-files validate {root}"
    )


class IndexRebuiltWarning(UserWarning):
    """The index could not be trusted (another version, another root, or damaged) and was
    rebuilt from scratch."""


@dataclass
class IndexUpdate(FindingCounts):
    """What ``update_index`` did, and what the index now says."""

    refresh: RefreshResult
    findings: list[Finding] = field(default_factory=list)
    sessions: int = 0
    left_out: int = 0  # sidecars kept out of the view by their errors


def _sessions(conn: sqlite3.Connection) -> int:
    return view_counts(conn)[0]


def _warn(messages: list[str]) -> None:
    for message in messages:
        warnings.warn(message, IndexRebuiltWarning, stacklevel=3)


def update_index(
    root: RootArg,
    *,
    registry: RegistryArg = None,
    index: IndexArg = None,
    progress: bool | None = None,
) -> IndexUpdate:
    """Build or refresh the persistent index of ``root``; rebuild warnings are in
    ``.refresh.warnings`` (not raised as Python warnings)."""
    opened = open_root(root)
    path = Path(index) if index is not None else default_index_path(opened, create=True)
    conn, result = open_index(opened, path, registry=registry, progress=progress)
    try:
        sessions, left = view_counts(conn)
        return IndexUpdate(result, read_findings(conn), sessions, left)
    finally:
        conn.close()


def validate(root: RootArg, *, registry: RegistryArg = None, index: IndexArg = None) -> Report:
    """Every finding of ``root``, the number of sessions in its view, and the checked files.

    Uses (and refreshes) the persistent index when one exists (and this user may write
    it) or ``index`` is given; otherwise builds the view in memory and writes nothing.
    """
    report, catalog = validate_and_load(root, registry=registry, index=index)
    catalog.close()
    return report


def validate_and_load(
    root: RootArg, *, registry: RegistryArg = None, index: IndexArg = None
) -> tuple[Report, Catalog]:
    """``validate``'s report, and the view it checked the root into (from the same pass,
    so the two agree); the caller closes the catalog."""
    opened = open_root(root)
    path = Path(index) if index is not None else existing_index(opened)
    conn, result = open_index(opened, path, registry=registry)
    try:
        _warn(result.warnings)
        findings = read_findings(conn)
        files = read_checked_files(conn, findings)
        report = Report(opened.display, findings, _sessions(conn), files)
    except BaseException:
        conn.close()
        raise
    from .index.catalog import Catalog  # the view's models: loaded when a view is asked for

    return report, Catalog(conn, opened.display, owned=True)


def load_catalog(
    root: RootArg,
    *,
    registry: RegistryArg = None,
    index: IndexArg = None,
    refresh: bool = True,
) -> Catalog:
    """The relational view of ``root`` from its persistent index (built if missing).

    With ``refresh`` (the default) the index is first brought up to date with the files;
    ``refresh=False`` reads the index as it is (for speed, when you know it is fresh).

    ``catalog.findings`` holds the root's findings and ``catalog.left_out`` how many
    sidecars their errors keep out of the view; when that is not 0, an
    ``IncompleteCatalogWarning`` says so.
    """
    opened = open_root(root)
    path = Path(index) if index is not None else default_index_path(opened, create=True)
    conn, result = open_index(opened, path, registry=registry, refresh_now=refresh)
    _warn(result.warnings)
    from .index.catalog import Catalog

    catalog = Catalog(conn, opened.display, owned=True)
    catalog.findings = read_findings(conn)
    catalog.left_out = left_out(conn)
    if catalog.left_out:
        message = left_out_message(catalog.left_out, opened.display)
        message = message.replace("; to see them", " (see catalog.findings); to see them")
        warnings.warn(message, IncompleteCatalogWarning, stacklevel=2)
    return catalog
