"""Publish as a sync (SPEC section 10) against real servers of each backend, with downstream
tables declared and populated by a separate Python process, as a lab pipeline would be."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from session_files.cli import main
from session_files.datajoint import activate, load_datajoint, publish
from tests.fixtures_database import in_quoting_of
from tests.fixtures_postgres import PostgresServer
from tests.pipelines import ANALYSIS, element_session_script, run
from tests.test_publish import LAB

pytestmark = pytest.mark.postgres

EDITED = "M002/2024-02-01_11-15-00/session.yaml"


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """The example lab, copied, with a root_id."""
    root = tmp_path / "lab"
    shutil.copytree(LAB, root)
    config = root / "session-files.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "root_id: lab-a\n", encoding="utf-8")
    return root


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["publish", *args])


def query(sql: str) -> list[tuple[Any, ...]]:
    """Run SQL written with "double-quoted" identifiers on the backend of this test."""
    connection = load_datajoint().conn()
    cursor = connection.query(in_quoting_of(connection.adapter.backend, sql))
    return list(cursor.fetchall()) if cursor.description else []


def analysis_rows(schema: str, table: str = "__analysis") -> int:
    return int(query(f'SELECT count(*) FROM "{schema}_analysis"."{table}"')[0][0])


def edit(root: Path, path: str, old: str, new: str) -> None:
    sidecar = root / path
    text = sidecar.read_text(encoding="utf-8")
    assert old in text
    sidecar.write_text(text.replace(old, new), encoding="utf-8")


def test_replace_updates_in_place_and_keeps_downstream_rows(
    lab: Path, schema_name: str, postgres_server: PostgresServer
) -> None:
    assert invoke(str(lab), "--schema", schema_name).exit_code == 0
    assert run(postgres_server, ANALYSIS, schema_name, f"{schema_name}_analysis") == "12"
    edit(lab, EDITED, "laser power calibrated", "laser power re-calibrated")

    dry = invoke(str(lab), "--schema", schema_name, "--replace", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines()[1] == (
        "would update session M002 2024-02-01 11:15:00: session_note: session_note differs"
    )
    assert "delete" not in dry.stdout

    real = invoke(str(lab), "--schema", schema_name, "--replace")
    assert real.exit_code == 0, real.output
    assert "updated 1 session in place" in real.stdout.splitlines()
    assert analysis_rows(schema_name) == 12
    (note,) = query(
        f'SELECT session_note FROM "{schema_name}"."session_note"'
        " WHERE subject = 'M002' AND session_datetime = '2024-02-01 11:15:00'"
    )
    assert "re-calibrated" in note[0]


def test_replace_counts_what_a_row_delete_reaches_and_refuses_downstream_rows(
    lab: Path, schema_name: str, postgres_server: PostgresServer
) -> None:
    publish(lab, schema_name)
    # a downstream table of the experimenter association, in another schema
    script = ANALYSIS.replace("-> session.Session", "-> session.SessionExperimenter")
    assert run(postgres_server, script, schema_name, f"{schema_name}_analysis") == "16"
    edit(lab, EDITED, "experimenters: [chen]", "experimenters: [alice]")
    edit(lab, EDITED, "laser power calibrated", "laser power re-calibrated")

    dry = invoke(str(lab), "--schema", schema_name, "--replace", "--dry-run")
    assert dry.exit_code == 1, dry.output  # what the real run would do: refuse
    lines = dry.stdout.splitlines()
    start = lines.index("would delete, following the database's foreign keys:")
    assert lines[start + 1 : start + 4] == [
        f"  {schema_name}.session_experimenter: 1 row",
        f"  {schema_name}_analysis.__analysis: 1 row  (not declared by session-files)",
        f"  {schema_name}_analysis.__analysis__unit: 2 rows  (not declared by session-files)",
    ]
    before = query(f'SELECT * FROM "{schema_name}"."session_note" ORDER BY 1, 2')

    refused = invoke(str(lab), "--schema", schema_name, "--replace")
    assert refused.exit_code == 1
    assert refused.stdout.splitlines()[-1] == (
        "refused: the deletes would reach 3 rows of tables session-files does not declare"
        " (marked above); pass --cascade to delete them too. Nothing was written."
    )
    assert analysis_rows(schema_name) == 16
    assert query(f'SELECT * FROM "{schema_name}"."session_note" ORDER BY 1, 2') == before

    done = invoke(str(lab), "--schema", schema_name, "--replace", "--cascade")
    assert done.exit_code == 0, done.output
    assert analysis_rows(schema_name) == 15
    users = query(
        f'SELECT "user" FROM "{schema_name}"."session_experimenter"'
        " WHERE subject = 'M002' AND session_datetime = '2024-02-01 11:15:00'"
    )
    assert users == [("alice",)]


def test_missing_on_disk_is_reported_and_pruned_only_with_prune(
    lab: Path, schema_name: str, postgres_server: PostgresServer
) -> None:
    publish(lab, schema_name)
    assert run(postgres_server, ANALYSIS, schema_name, f"{schema_name}_analysis") == "12"
    (lab / EDITED).unlink()

    reported = invoke(str(lab), "--schema", schema_name)
    assert reported.exit_code == 1
    assert reported.stdout.splitlines() == [
        "missing on disk: session M002 2024-02-01 11:15:00",
        "missing on disk: 1 session of root lab-a (in the database, no sidecar);"
        " pass --prune to delete them",
        f"nothing to change: 11 sessions and 11 registry rows already in {schema_name}",
    ]
    dry = invoke(str(lab), "--schema", schema_name, "--prune", "--dry-run")
    assert "would prune session M002 2024-02-01 11:15:00" in dry.stdout.splitlines()
    assert f"  {schema_name}.session: 1 row" in dry.stdout.splitlines()
    assert f"  {schema_name}.session__attribute: 3 rows" in dry.stdout.splitlines()
    refused = invoke(str(lab), "--schema", schema_name, "--prune")
    assert refused.exit_code == 1
    assert "refused: the deletes would reach 3 rows" in refused.stdout
    assert len(query(f'SELECT * FROM "{schema_name}"."session"')) == 12

    pruned = invoke(str(lab), "--schema", schema_name, "--prune", "--cascade")
    assert pruned.exit_code == 0, pruned.output
    assert "pruned 1 session missing on disk" in pruned.stdout.splitlines()
    assert len(query(f'SELECT * FROM "{schema_name}"."session"')) == 11
    assert analysis_rows(schema_name) == 11
    assert analysis_rows(schema_name, "__analysis__unit") == 22  # two levels down, children first
    again = invoke(str(lab), "--schema", schema_name)
    assert again.exit_code == 0
    assert "missing on disk" not in again.stdout


def test_a_session_of_another_root_is_a_conflict_naming_it(
    lab: Path, tmp_path: Path, schema_name: str
) -> None:
    other = tmp_path / "lab-b"
    shutil.copytree(lab, other)
    edit(other, "session-files.yaml", "root_id: lab-a", "root_id: lab-b")
    edit(other, "registry/subjects.yaml", "PV-Cre x Ai32", "other")
    moved = other / "moved"
    (other / "M002" / "2024-02-01_11-15-00").rename(moved)
    publish(lab, schema_name)
    before = {
        table: query(f'SELECT * FROM "{schema_name}"."{table}" ORDER BY 1, 2')
        for table in ("subject", "session_directory")
    }

    fight = publish(other, schema_name, replace=True)
    assert not fight.ok
    described = [conflict.describe() for conflict in fight.conflicts]
    assert described[0].startswith("subject 'M002' belongs to root 'lab-a', which published it")
    assert (
        "session M002 2024-02-01 11:15:00 belongs to root 'lab-a', which published it;"
        " it differs from the database: session_directory: session_dir differs"
    ) in described
    assert len(described) == 13  # the subject and all 12 sessions
    for table, rows in before.items():
        assert query(f'SELECT * FROM "{schema_name}"."{table}" ORDER BY 1, 2') == rows
    assert publish(lab, schema_name).ok  # the first root is still at peace


def test_sessions_with_no_recorded_root_are_adopted_when_equal(lab: Path, schema_name: str) -> None:
    publish(lab, schema_name)
    query(f'DELETE FROM "{schema_name}"."~session_files_session"')
    edit(lab, EDITED, "laser power calibrated", "laser power re-calibrated")
    result = publish(lab, schema_name)
    assert len(result.sessions_adopted) == 11
    (conflict,) = result.conflicts
    assert conflict.owner is None
    owners = query(
        f'SELECT root_id, count(*) FROM "{schema_name}"."~session_files_session" GROUP BY 1'
    )
    assert owners == [("lab-a", 11)]
    assert publish(lab, schema_name, replace=True).ok
    owners = query(
        f'SELECT root_id, count(*) FROM "{schema_name}"."~session_files_session" GROUP BY 1'
    )
    assert owners == [("lab-a", 12)]


def test_columns_the_bridge_does_not_own_survive_insert_replace_and_prune(
    lab: Path, schema_name: str, postgres_server: PostgresServer
) -> None:
    run(postgres_server, element_session_script(), schema_name)
    first = invoke(str(lab), "--schema", schema_name)
    assert first.exit_code == 0, first.output
    query(
        f'UPDATE "{schema_name}"."session" SET session_id = 5'
        " WHERE subject = 'M002' AND session_datetime = '2024-02-01 11:15:00'"
    )
    query(
        f'UPDATE "{schema_name}"."session" SET session_id = 6'
        " WHERE subject = 'M001' AND session_datetime = '2024-01-15 10:30:00'"
    )
    edit(lab, EDITED, "laser power calibrated", "laser power re-calibrated")
    edit(lab, EDITED, "rig: rig-2", "rig: rig-3")
    (lab / "M003" / "2024-03-10_08-00-00" / "session.yaml").unlink()
    done = invoke(str(lab), "--schema", schema_name, "--replace", "--prune")
    assert done.exit_code == 0, done.output
    ids = query(
        f'SELECT session_id, count(*) FROM "{schema_name}"."session"'
        " GROUP BY session_id ORDER BY session_id IS NULL, session_id"  # NULL last on both
    )
    assert ids == [(5, 1), (6, 1), (None, 9)]


def test_declared_tables_carry_element_sessions_comments(schema_name: str) -> None:
    pipeline = activate(schema_name)
    experimenter = pipeline.tables["session_experimenter"]()
    assert experimenter.heading.table_status["comment"] == "Individual(s) conducting the session"
    directory = pipeline.tables["session_directory"]()
    assert directory.heading.attributes["session_dir"].comment == (
        "Path to the data directory for a session"
    )
    attribute = pipeline.tables["session__attribute"]()
    assert attribute.heading.attributes["attribute_blob"].comment == "Optional data store field"
