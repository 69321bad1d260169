"""Data roots for the engine tests: builders, a standard lab, and view snapshots."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from session_files.index import open_index, read_findings
from session_files.index.catalog import Catalog
from session_files.read.scan import open_root
from session_files.records import TABLES, Attribute, Sidecar
from session_files.write.update import update_sidecar

SUBJECTS = """\
M001:
  sex: F
  subject_birth_date: 2023-10-01
  subject_nickname: Mickey
M002:
  sex: M
  subject_birth_date: 2023-09-12
Søren:
  sex: U
  subject_birth_date: 2023-01-02
"""
PROJECTS = """\
vision:
  project_description: Retinotopic mapping
pilot:
"""
EXPERIMENTERS = """\
alice:
  user_email: alice@example.org
bob: {}
"""
REGISTRY = {
    "registry/subjects.yaml": SUBJECTS,
    "registry/projects.yaml": PROJECTS,
    "registry/experimenters.yaml": EXPERIMENTERS,
}


def sidecar(
    subject: str = "M001",
    when: str = "2024-01-15 10:30:00",
    experimenters: list[str] | None = None,
    projects: list[str] | None = None,
    note: str | None = None,
    attributes: str | None = None,
) -> str:
    """A sidecar's text, keys in SPEC order (``attributes`` is a YAML block, indented)."""
    lines = [f"subject: {subject}", f"session_datetime: {when}"]
    if experimenters is not None:
        lines.append(f"experimenters: [{', '.join(experimenters)}]")
    if projects is not None:
        lines.append(f"projects: [{', '.join(projects)}]")
    if note is not None:
        lines.append(f"note: {note}")
    if attributes is not None:
        lines.append("attributes:\n" + attributes.rstrip("\n"))
    return "\n".join(lines) + "\n"


def write_root(root: Path, files: Mapping[str, str | bytes | None]) -> Path:
    """Write (text or bytes) or delete (None) files below ``root``; returns ``root``."""
    for rel, content in files.items():
        target = root / rel
        if content is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def lab_files() -> dict[str, str]:
    """A small valid lab: three sessions of two subjects, registries included."""
    return {
        **REGISTRY,
        "M001/2024-01-15_10-30-00/session.yaml": sidecar(
            "M001",
            "2024-01-15 10:30:00",
            ["alice", "bob"],
            ["vision"],
            "Went well.",
            "  rig: rig-3\n  temperature_c: 36.50\n  depths:\n    value: three\n"
            "    blob: [1200, 1500]\n",
        ),
        "M001/2024-01-16_09-00-00/session.yaml": sidecar("M001", "'2024-01-16T09:00:00'"),
        "M002/2024-02-01_11-15-00/session.yaml": sidecar(
            "M002", "2024-02-01 11:15:00", ["bob"], ["pilot", "vision"]
        ),
    }


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep per-root cache indexes of the tests out of the user's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """A fresh copy of the small valid lab."""
    return write_root(tmp_path / "lab", lab_files())


def view_rows(conn: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    """Every table of the view as sorted plain dicts."""
    catalog = Catalog(conn, "")
    return {name: catalog[name].to_dicts() for name in TABLES}


def snapshot(conn: sqlite3.Connection) -> tuple[dict[str, list[dict[str, Any]]], list[Any]]:
    """The view and the findings an index holds."""
    return view_rows(conn), [f.to_dict() for f in read_findings(conn)]


def cold(root: Any, registry: Any = None) -> tuple[dict[str, list[dict[str, Any]]], list[Any]]:
    """The view and findings of a from-scratch, in-memory build of ``root``."""
    conn, _ = open_index(open_root(root), None, registry=registry)
    try:
        return snapshot(conn)
    finally:
        conn.close()


@pytest.fixture
def cold_build() -> Iterator[Any]:
    """``cold`` as a fixture, for tests that compare against a rebuild."""
    yield cold


def many_sessions(root: Path, count: int, *, bad_every: int = 0) -> Path:
    """A generated root of ``count`` sessions over the lab registry; with ``bad_every``, every
    n-th sidecar names an unknown subject (so it is reported and left out)."""
    write_root(root, REGISTRY)
    for i in range(count):
        subject = "M009" if bad_every and i % bad_every == 0 else ("M001", "M002")[i % 2]
        when = f"{datetime(2024, 1, 1) + timedelta(minutes=i):%Y-%m-%d %H:%M:%S}"
        target = root / f"{subject}/{i:06d}/session.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            sidecar(subject, when, ["alice"], ["pilot"], attributes=f"  count: {i}\n"),
            encoding="utf-8",
        )
    return root


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A directory ``nobody`` can reach (pytest's own tmp_path is private to its user)."""
    path = Path(tempfile.mkdtemp(prefix="session-files-hostile-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for directory, subdirectories, _ in os.walk(path):  # top-down: open each before entering
            for name in subdirectories:
                (Path(directory) / name).chmod(0o755)
        shutil.rmtree(path)


def set_attributes(
    session_dir: str | os.PathLike[str], attributes: Mapping[str, str | float | bool | Attribute]
) -> Sidecar:
    """Add or replace attributes through ``update_sidecar`` (a locked read-modify-write)."""

    def change(record: Sidecar) -> Sidecar:
        return record.model_copy(update={"attributes": {**(record.attributes or {}), **attributes}})

    return update_sidecar(session_dir, change)
