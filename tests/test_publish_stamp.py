"""A republish that changes nothing is known from the view stamp without fetching a row, and
only while nothing else wrote to the schema; anything else is compared row by row."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from session_files.datajoint import publish
from tests.test_publish import make_root
from tests.test_publish_sync import query

# PostgreSQL's own machinery (its catalog, locks, xmin, superuser hooks)
pytestmark = [pytest.mark.postgres, pytest.mark.backends("postgresql")]

# the module (the package's `publish` attribute is the function)
publishing = importlib.import_module("session_files.datajoint.publish")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_root(tmp_path / "root")
    (root / "session-files.yaml").write_text("root_id: lab-a\n", encoding="utf-8")
    return root


@pytest.fixture
def no_fetch(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every table whose rows publish fetches."""
    fetched: list[str] = []
    original = publishing.fetch_owned

    def fetch(pipeline: Any, table: str, columns: list[str]) -> Any:
        fetched.append(table)
        return original(pipeline, table, columns)

    monkeypatch.setattr(publishing, "fetch_owned", fetch)
    return fetched


def test_nothing_changed_is_known_without_fetching_rows(
    root: Path, schema_name: str, no_fetch: list[str]
) -> None:
    publish(root, schema_name)
    no_fetch.clear()
    again = publish(root, schema_name)
    assert again.ok and again.changes == 0
    assert (again.sessions_unchanged, again.registry_unchanged) == (10, 7)
    assert no_fetch == []
    assert publish(root, schema_name, replace=True, prune=True).changes == 0
    assert no_fetch == []


def test_a_row_changed_in_the_database_is_still_seen(
    root: Path, schema_name: str, no_fetch: list[str]
) -> None:
    publish(root, schema_name)
    query(f'UPDATE "{schema_name}"."session_note" SET session_note = \'edited by hand\'')
    conflicted = publish(root, schema_name)
    assert not conflicted.ok
    assert len(conflicted.conflicts) == 4  # the sessions with a note
    assert "session_note" in no_fetch
    assert publish(root, schema_name, replace=True).ok
    no_fetch.clear()
    assert publish(root, schema_name).changes == 0
    assert no_fetch == []  # in sync again: the stamp is back


def test_a_deleted_row_and_a_changed_file_are_seen(
    root: Path, schema_name: str, no_fetch: list[str]
) -> None:
    publish(root, schema_name)
    query(f'DELETE FROM "{schema_name}"."session_experimenter" WHERE "user" = \'alice\'')
    assert len(publish(root, schema_name).conflicts) == 3
    assert publish(root, schema_name, replace=True).ok
    sidecar = root / "M001" / "session 000" / "session.yaml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("rig-0", "rig-7"))
    (conflict,) = publish(root, schema_name).conflicts
    assert conflict.differences == ("session__attribute 'rig': attribute_value differs",)


def test_another_root_publishing_means_comparing_rows(
    root: Path, tmp_path: Path, schema_name: str, no_fetch: list[str]
) -> None:
    other = make_root(tmp_path / "other", sessions=3)
    for sidecar in other.rglob("session.yaml"):
        sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("2024-", "2025-"))
    (other / "session-files.yaml").write_text("root_id: lab-b\n", encoding="utf-8")
    publish(root, schema_name)
    assert publish(other, schema_name).ok
    no_fetch.clear()
    again = publish(root, schema_name)
    assert again.ok and again.changes == 0 and again.sessions_unchanged == 10
    assert no_fetch  # lab-b wrote since: compared row by row, and in sync, stamped again
    no_fetch.clear()
    assert publish(root, schema_name).changes == 0
    assert no_fetch == []
