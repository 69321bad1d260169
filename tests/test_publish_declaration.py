"""A schema left half-declared is finished by the next publish; a schema whose tables differ
from what session-files declares is refused, in one message, before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from session_files.cli import main
from session_files.datajoint import PublishError, activate, load_datajoint, publish
from session_files.records import TABLES
from tests.test_publish import assert_same_tables, catalog_rows, database_rows, make_root

# PostgreSQL's own machinery (its catalog, locks, xmin, superuser hooks)
pytestmark = [pytest.mark.postgres, pytest.mark.backends("postgresql")]


def query(sql: str) -> list[tuple[Any, ...]]:
    cursor = load_datajoint().conn().query(sql)
    return list(cursor.fetchall()) if cursor.description else []


def strip_comments(schema: str) -> None:
    """What a declaration killed between CREATE TABLE and its COMMENT ON statements (each
    committed on its own, as DataJoint declares) leaves: tables without DataJoint's type
    markers, and without the foreign-key support index."""
    columns = query(
        "SELECT table_name, column_name FROM information_schema.columns"
        f" WHERE table_schema = '{schema}' AND left(table_name, 1) <> '~'"
    )
    for table, column in columns:
        query(f'COMMENT ON COLUMN "{schema}"."{table}"."{column}" IS NULL')
    for table in {table for table, _ in columns}:
        query(f'COMMENT ON TABLE "{schema}"."{table}" IS NULL')
    query(f'DROP INDEX "{schema}"."idx_session_experimenter_user"')


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_root(tmp_path / "root")


def test_a_half_declared_schema_is_finished_with_blobs_as_blobs(
    root: Path, schema_name: str
) -> None:
    activate(schema_name)
    strip_comments(schema_name)
    blob = activate(schema_name, create_tables=False).tables["session__attribute"]()
    assert blob.heading.attributes["attribute_blob"].codec is None  # as the issue met it

    result = publish(root, schema_name)
    assert result.ok and len(result.sessions_inserted) == 10
    assert_same_tables(catalog_rows(root), database_rows(schema_name))
    indexes = query(f"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema_name}'")
    assert ("idx_session_experimenter_user",) in indexes
    assert publish(root, schema_name).changes == 0


def test_a_mismatched_schema_is_refused_naming_table_and_column(
    root: Path, schema_name: str
) -> None:
    activate(schema_name)
    table = f'"{schema_name}"."session__attribute"'
    query(f"ALTER TABLE {table} DROP COLUMN attribute_blob")
    query(f"ALTER TABLE {table} ADD COLUMN attribute_blob bytea")
    query(f'ALTER TABLE "{schema_name}"."session_note" DROP COLUMN session_note')
    result = CliRunner().invoke(main, ["publish", str(root), "--schema", schema_name])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: the tables of schema {schema_name} do not match what session-files declares:"
        f' "{schema_name}"."session__attribute".attribute_blob is bytea, not <blob>'
        " (DataJoint's blob codec) that session-files declares;"
        f' "{schema_name}"."session_note" has no column session_note (session-files declares'
        " varchar(1024)). Nothing was written. Publish into another schema (--schema), or"
        " make these tables match (drop them when they hold nothing you need, and publish"
        " again).\n"
    )
    with pytest.raises(PublishError, match="do not match"):
        publish(root, schema_name, dry_run=True)
    counts = [query(f'SELECT count(*) FROM "{schema_name}"."{t}"')[0][0] for t in TABLES]
    assert counts == [0] * len(TABLES)
    tables = query(
        f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema_name}'"
    )
    assert ("~session_files_session",) not in tables  # not even the provenance was declared


def test_a_table_with_another_primary_key_is_refused(root: Path, schema_name: str) -> None:
    activate(schema_name)
    query(f'ALTER TABLE "{schema_name}"."project" DROP CONSTRAINT project_pkey CASCADE')
    query(f'ALTER TABLE "{schema_name}"."project" ADD PRIMARY KEY (project, project_description)')
    with pytest.raises(PublishError) as info:
        publish(root, schema_name)
    assert (
        f'"{schema_name}"."project".project_description is in the primary key;'
        " session-files declares the key (project)"
    ) in str(info.value)
