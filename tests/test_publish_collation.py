"""Keys that differ only by case: one key under MariaDB's case-insensitive collation, two on
PostgreSQL. Publish names both keys before writing anything, instead of the database's
duplicate-entry error."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files.cli import main
from session_files.datajoint import KeysCollide, _dj, collation, publish
from tests.fixtures_database import DatabaseServer
from tests.test_publish import assert_same_tables, catalog_rows, database_rows, make_root
from tests.test_publish_sync import query

pytestmark = pytest.mark.postgres

COLLIDING = (
    "refused: 3 keys differ only in case (or accents, or trailing spaces) from another key of"
    " the root, and {schema}'s collation utf8mb4_general_ci makes them one key:"
    " subject 'M001' and 'm001'; project 'Vision' and 'vision';"
    " session M001 2024-01-15 10:30:00: attribute_name 'Rig' and 'rig'."
    " Rename one of each, then publish again; nothing was written."
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Subjects M001 and m001, projects vision and Vision, attributes rig and Rig."""
    root = tmp_path / "root"
    (root / "registry").mkdir(parents=True)
    (root / "registry" / "subjects.yaml").write_text(
        "M001: {sex: F, subject_birth_date: 2023-10-01}\n"
        "m001: {sex: M, subject_birth_date: 2023-10-02}\n",
        encoding="utf-8",
    )
    (root / "registry" / "projects.yaml").write_text("vision: {}\nVision: {}\n", encoding="utf-8")
    (root / "registry" / "experimenters.yaml").write_text("alice: {}\n", encoding="utf-8")
    sidecars = {
        "M001/a": "subject: M001\nsession_datetime: 2024-01-15 10:30:00\nprojects: [vision]\n"
        "attributes: {rig: rig-1, Rig: rig-2}\n",
        "m001/a": "subject: m001\nsession_datetime: 2024-01-15 10:30:00\nprojects: [Vision]\n"
        "attributes: {rig: rig-1}\n",
        "m001/b": "subject: m001\nsession_datetime: 2024-01-16 10:30:00\n"
        "attributes: {Rig: rig-1}\n",  # Rig here and rig in another session: no collision
    }
    for directory, text in sidecars.items():
        (root / directory).mkdir(parents=True)
        (root / directory / "session.yaml").write_text(text, encoding="utf-8")
    return root


def test_keys_differing_by_case_are_named_before_anything_is_written(
    root: Path, schema_name: str, database_server: DatabaseServer
) -> None:
    if database_server.backend == "postgresql":  # deterministic collation: two keys
        assert publish(root, schema_name).ok
        stored = database_rows(schema_name)
        assert sorted(row["subject"] for row in stored["subject"]) == ["M001", "m001"]
        assert_same_tables(catalog_rows(root), stored)
        return
    with pytest.raises(KeysCollide) as refused:
        publish(root, schema_name)
    assert str(refused.value) == COLLIDING.format(schema=schema_name)
    assert [c.keys for c in refused.value.collisions] == [
        ("M001", "m001"),
        ("Vision", "vision"),
        ("Rig", "rig"),
    ]
    assert schema_name not in _dj.load().list_schemas()  # refused before creating it


def test_cli_refuses_with_exit_1_and_the_keys_on_stderr(
    root: Path, schema_name: str, database_server: DatabaseServer
) -> None:
    for args in ([], ["--dry-run"]):
        result = CliRunner().invoke(main, ["publish", str(root), "--schema", schema_name, *args])
        if database_server.backend == "postgresql":
            assert result.exit_code == 0, result.output
            continue
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == COLLIDING.format(schema=schema_name) + "\n"


def test_a_case_sensitive_schema_takes_both_keys(
    root: Path, schema_name: str, database_server: DatabaseServer
) -> None:
    """The check asks the schema's own collation: a utf8mb4_bin database keeps M001 and m001
    apart, so nothing is refused there (PostgreSQL: its default collation)."""
    if database_server.backend == "mysql":
        query(f'CREATE DATABASE "{schema_name}" COLLATE utf8mb4_bin')
    else:
        query(f'CREATE SCHEMA "{schema_name}"')
    assert publish(root, schema_name).ok
    assert_same_tables(catalog_rows(root), database_rows(schema_name))
    assert publish(root, schema_name).changes == 0


def test_accents_and_trailing_spaces_are_what_the_server_says(
    schema_name: str, database_server: DatabaseServer
) -> None:
    """The groups come from the server's own comparison, not from a guess in Python; on
    PostgreSQL (deterministic collations) nothing is asked and nothing refused."""
    files = {
        "subject": [{"subject": s} for s in ("müller", "muller", "Muller", "mueller", "x ", "x")],
        "project": [{"project": "müller"}],  # another table: compared with its own keys only
    }
    connection = _dj.load().conn()
    if database_server.backend == "postgresql":
        collation.check(connection, schema_name, files, "root")
        return
    found = collation.find(connection, "utf8mb4", "utf8mb4_general_ci", files)
    assert [c.describe() for c in found] == [
        "subject 'Muller' and 'muller' and 'müller'",
        "subject 'x' and 'x '",
    ]
    binary = collation.find(connection, "utf8mb4", "utf8mb4_bin", files)
    assert [c.describe() for c in binary] == ["subject 'x' and 'x '"]  # MariaDB's PAD SPACE
    with pytest.raises(KeysCollide, match=r"sf_\w+'s collation utf8mb4_general_ci makes them"):
        collation.check(connection, schema_name, files, "root")


def test_the_documented_refusal_is_the_real_one(
    tmp_path: Path, schema_name: str, database_server: DatabaseServer
) -> None:
    """docs/datajoint.md shows the message for subjects M001 and m001 (MariaDB)."""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "datajoint.md").read_text("utf-8")
    (shown,) = [line for line in docs.splitlines() if line.startswith("refused: 1 key differs")]
    lab = tmp_path / "lab"
    (lab / "registry").mkdir(parents=True)
    (lab / "registry" / "subjects.yaml").write_text(
        "M001: {sex: F, subject_birth_date: 2023-10-01}\n"
        "m001: {sex: M, subject_birth_date: 2023-10-02}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["publish", str(lab), "--schema", schema_name])
    if database_server.backend == "postgresql":
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert result.stderr.replace(schema_name, "lab_session") == shown + "\n"


def test_a_key_renamed_by_case_is_refused_against_the_database(
    tmp_path: Path, schema_name: str, database_server: DatabaseServer
) -> None:
    """Subject M001 published, then renamed m001 in the files: the registry row M001 stays
    in the database (publish never deletes one), so m001 cannot be inserted there."""
    root = make_root(tmp_path / "generated", sessions=3)  # subjects M001, M002, R017
    assert publish(root, schema_name).ok
    for path in [root / "registry" / "subjects.yaml", *root.rglob("session.yaml")]:
        path.write_text(path.read_text(encoding="utf-8").replace("M001", "m001"))
    if database_server.backend == "postgresql":
        renamed = publish(root, schema_name)  # a new subject; the old session is missing
        assert len(renamed.sessions_inserted) == len(renamed.sessions_missing) == 1
        return
    with pytest.raises(KeysCollide) as refused:
        publish(root, schema_name, dry_run=True)
    assert str(refused.value) == (
        "refused: 1 key differs only in case (or accents, or trailing spaces) from another key"
        f" of the root or of {schema_name}, and {schema_name}'s collation utf8mb4_general_ci"
        " makes them one key: subject 'M001' (in the database) and 'm001'."
        " Rename one of each, then publish again; nothing was written."
    )


def test_an_attribute_renamed_by_case_is_replaced_in_place(
    tmp_path: Path, schema_name: str, database_server: DatabaseServer
) -> None:
    """A part row renamed by case is deleted before its new spelling is inserted: not a
    collision, on either backend."""
    root = make_root(tmp_path / "generated", sessions=2)
    publish(root, schema_name)
    for sidecar in root.rglob("session.yaml"):
        sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("rig:", "Rig:"))
    replaced = publish(root, schema_name, replace=True)
    assert replaced.ok
    assert replaced.rows_deleted == replaced.rows_inserted == {"session__attribute": 2}
    assert_same_tables(catalog_rows(root), database_rows(schema_name))
