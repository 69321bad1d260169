"""``publish`` and ``session-files publish`` against real servers of each backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from session_files.api import validate_and_load
from session_files.datajoint import (
    ActivationError,
    PublishError,
    PublishRefused,
    _dj,
    activate,
    publish,
)
from session_files.records import TABLES
from tests.fixtures_database import DatabaseServer
from tests.test_datajoint_pipeline import lab_module

pytestmark = pytest.mark.postgres

LAB = Path(__file__).resolve().parents[1] / "examples" / "lab"

SUBJECTS = """\
M001:
  sex: F
  subject_birth_date: 2023-10-01
  subject_nickname: Mickey
M002:
  sex: M
  subject_birth_date: 2023-09-12
R017:
  sex: U
  subject_birth_date: 2023-06-02
  subject_description: "Long-Evans rat, 'quoted' and \\u00dcnicode"
"""
PROJECTS = """\
vision:
  project_description: Retinotopic mapping
memory: {}
"""
EXPERIMENTERS = """\
alice:
  user_email: alice@example.org
  user_cellphone: "555-0100"
  user_fullname: Alice Smith
bob:
"""
BLOBS = [
    "[1200, 1500, 1800]",
    "{gain: 2.5, channels: [1, 2, 3], enabled: true, label: null}",
    "[[1, 2], [3, 4]]",
    "{when: 2024-01-01, nan: .nan, big: 123456789012345678901234567890}",
    "'just text'",
]


def make_root(root: Path, sessions: int = 10) -> Path:
    """A valid root with registries and ``sessions`` sidecars using every feature."""
    (root / "registry").mkdir(parents=True)
    (root / "registry" / "subjects.yaml").write_text(SUBJECTS, encoding="utf-8")
    (root / "registry" / "projects.yaml").write_text(PROJECTS, encoding="utf-8")
    (root / "registry" / "experimenters.yaml").write_text(EXPERIMENTERS, encoding="utf-8")
    subjects = ["M001", "M002", "R017"]
    for number in range(sessions):
        subject = subjects[number % 3]
        when = f"2024-02-{1 + number // 24:02d} {number % 24:02d}:15:00"
        lines = [f"subject: {subject}", f"session_datetime: {when}"]
        if number % 2 == 0:
            lines.append(
                "experimenters: [alice, bob]" if number % 4 == 0 else "experimenters: [bob]"
            )
        if number % 3 != 2:
            lines.append("projects: [vision, memory]" if number % 5 == 0 else "projects: [vision]")
        if number % 3 == 0:
            lines.append(f"note: 'Session {number}: drift near the end, Ünterhaus protocol'")
        lines += [
            "attributes:",
            f"  rig: rig-{number % 4}",
            "  temperature_c: 36.50",
            "  probe:",
            "    value: three shanks",
            f"    blob: {BLOBS[number % len(BLOBS)]}",
        ]
        directory = root / subject / f"session {number:03d}"
        directory.mkdir(parents=True)
        (directory / "session.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def catalog_rows(root: Path) -> dict[str, list[dict[str, Any]]]:
    _, catalog = validate_and_load(root)
    with catalog:
        return {table: catalog[table].to_dicts() for table in TABLES}


def database_rows(schema_name: str, **activation: Any) -> dict[str, list[dict[str, Any]]]:
    pipeline = activate(schema_name, create_schema=False, create_tables=False, **activation)
    return {table: pipeline.tables[table].to_dicts() for table in TABLES}


def canonical(rows: list[dict[str, Any]]) -> list[str]:
    """Rows in a stable order, compared by repr: 1 is not 1.0 nor True, and NaN is NaN."""
    return sorted(repr(sorted(row.items())) for row in rows)


def assert_same_tables(ours: dict[str, list[dict[str, Any]]], theirs: dict[str, Any]) -> None:
    for table in TABLES:
        assert canonical(theirs[table]) == canonical(ours[table]), table


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_root(tmp_path / "root")


def test_example_lab_round_trips_through_datajoint(schema_name: str) -> None:
    result = publish(LAB, schema_name)
    assert result.ok
    assert len(result.sessions_inserted) == 12
    assert result.registry_inserted["subject"] == ("M001", "M002", "M003", "R017")
    expected = catalog_rows(LAB)
    assert_same_tables(expected, database_rows(schema_name))
    blobs = [row["attribute_blob"] for row in expected["session__attribute"]]
    assert [1200, 1500, 1800] in blobs


def test_generated_root_round_trips_with_blobs(root: Path, schema_name: str) -> None:
    result = publish(root, schema_name)
    assert result.rows_inserted["session"] == 10
    assert result.rows_inserted["session__attribute"] == 30
    stored = database_rows(schema_name)
    assert_same_tables(catalog_rows(root), stored)
    gains = [
        r["attribute_blob"] for r in stored["session__attribute"] if r["attribute_name"] == "probe"
    ]
    assert {"gain": 2.5, "channels": [1, 2, 3], "enabled": True, "label": None} in gains


def test_second_publish_inserts_nothing(root: Path, schema_name: str) -> None:
    publish(root, schema_name)
    again = publish(root, schema_name)
    assert again.ok
    assert again.changes == 0
    assert again.sessions_unchanged == 10
    assert again.registry_unchanged == 7
    assert again.rows_inserted == {}


def test_changed_session_is_a_conflict_until_replace(root: Path, schema_name: str) -> None:
    publish(root, schema_name)
    sidecar = root / "M001" / "session 000" / "session.yaml"
    text = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(
        text.replace("drift near the end", "no drift").replace(
            "blob: [1200, 1500, 1800]", "blob: [1200, 1500]"
        ),
        encoding="utf-8",
    )
    before = database_rows(schema_name)
    conflicted = publish(root, schema_name)
    assert not conflicted.ok
    (conflict,) = conflicted.conflicts
    assert conflict.describe() == (
        "session M001 2024-02-01 00:15:00 differs from the database:"
        " session__attribute 'probe': attribute_blob differs; session_note: session_note differs"
    )
    assert_same_tables(before, database_rows(schema_name))  # left alone

    replaced = publish(root, schema_name, replace=True)
    assert replaced.ok
    assert [str(key[1]) for key in replaced.sessions_replaced] == ["2024-02-01 00:15:00"]
    assert replaced.rows_inserted == {}  # updated in place, nothing deleted nor re-inserted
    assert replaced.rows_updated == {"session__attribute": 1, "session_note": 1}
    assert replaced.rows_deleted == {}
    assert_same_tables(catalog_rows(root), database_rows(schema_name))
    assert publish(root, schema_name).changes == 0


def test_session_removed_rows_are_a_conflict(root: Path, schema_name: str) -> None:
    publish(root, schema_name)
    sidecar = root / "M001" / "session 000" / "session.yaml"
    lines = sidecar.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("experimenters")]
    sidecar.write_text("\n".join(kept) + "\n")
    (conflict,) = publish(root, schema_name).conflicts
    assert conflict.differences == (
        "session_experimenter 'alice' only in the database",
        "session_experimenter 'bob' only in the database",
    )


def test_changed_registry_row_is_a_conflict_until_replace(root: Path, schema_name: str) -> None:
    publish(root, schema_name)
    subjects = root / "registry" / "subjects.yaml"
    subjects.write_text(SUBJECTS.replace("Mickey", "Minnie"), encoding="utf-8")
    conflicted = publish(root, schema_name)
    (conflict,) = conflicted.conflicts
    assert conflict.describe() == (
        "subject 'M001' differs from the database:"
        " subject_nickname is 'Mickey' there, 'Minnie' in the files"
    )
    replaced = publish(root, schema_name, replace=True)
    assert replaced.registry_updated == {"subject": ("M001",)}
    assert replaced.sessions_replaced == ()
    assert_same_tables(catalog_rows(root), database_rows(schema_name))


def test_root_with_errors_is_refused(root: Path, schema_name: str) -> None:
    broken = root / "M002" / "session 001" / "session.yaml"
    broken.write_text("subject: M002\nsession_datetime: 2024-02-01 01:15:00\nnote: [oops]\n")
    (root / "M009").mkdir()
    (root / "M009" / "session.yaml").write_text(
        "subject: M009\nsession_datetime: 2024-05-01 10:00:00\n"
    )
    with pytest.raises(PublishRefused, match="has 2 errors; run `session-files validate") as info:
        publish(root, schema_name)
    assert info.value.errors == 2
    assert schema_name not in _dj.load().list_schemas()


def test_allow_errors_publishes_only_the_valid_sessions(root: Path, schema_name: str) -> None:
    broken = root / "M002" / "session 001" / "session.yaml"
    broken.write_text("subject: M002\nsession_datetime: 2024-02-01 01:15:00\nnote: [oops]\n")
    result = publish(root, schema_name, allow_errors=True)
    assert result.errors_left_out == 1
    assert len(result.sessions_inserted) == 9
    stored = database_rows(schema_name)
    assert ("M002", "2024-02-01 01:15:00") not in {
        (row["subject"], str(row["session_datetime"])) for row in stored["session"]
    }
    assert_same_tables(catalog_rows(root), stored)


def test_dry_run_writes_nothing(root: Path, schema_name: str) -> None:
    plan = publish(root, schema_name, dry_run=True)
    assert plan.dry_run
    assert len(plan.sessions_inserted) == 10
    assert plan.registry_inserted == {
        "subject": ("M001", "M002", "R017"),
        "project": ("memory", "vision"),
        "experimenter": ("alice", "bob"),
    }
    assert schema_name not in _dj.load().list_schemas()

    publish(root, schema_name)
    (root / "registry" / "projects.yaml").write_text(PROJECTS + "extra: {}\n", encoding="utf-8")
    before = database_rows(schema_name)
    plan = publish(root, schema_name, dry_run=True, replace=True)
    assert plan.registry_inserted == {"project": ("extra",)}
    assert plan.sessions_unchanged == 10
    assert_same_tables(before, database_rows(schema_name))


def test_linking_module_receives_the_registries(root: Path, schema_name: str) -> None:
    lab = lab_module("lab_publish", f"{schema_name}_lab")
    result = publish(root, schema_name, linking_module=lab)
    assert result.ok and len(result.sessions_inserted) == 10
    users = {row["user"]: row for row in lab.User.to_dicts()}
    assert users["alice"] == {
        "user": "alice",
        "user_email": "alice@example.org",
        "user_fullname": "Alice Smith",
    }
    assert {row["species"] for row in lab.Subject.to_dicts()} == {"mouse"}
    expected = catalog_rows(root)
    stored = database_rows(schema_name, linking_module=lab)
    for table in ("session", "session__attribute", "session_note", "project_session"):
        assert canonical(stored[table]) == canonical(expected[table])
    assert publish(root, schema_name, linking_module=lab).changes == 0


def test_linking_module_dry_run_before_the_schema_exists(root: Path, schema_name: str) -> None:
    lab = lab_module("lab_dry", f"{schema_name}_lab")
    lab.Project.insert1({"project": "vision", "project_description": "something else"})
    plan = publish(root, schema_name, linking_module=lab, dry_run=True)
    assert plan.registry_inserted["project"] == ("memory",)
    (conflict,) = plan.conflicts
    assert conflict.table == "project"
    assert schema_name not in _dj.load().list_schemas()


def test_linked_table_needing_more_columns_is_refused_before_writing(
    root: Path, schema_name: str
) -> None:
    lab = lab_module("lab_budget", f"{schema_name}_lab", project_extra="budget: int32")
    with pytest.raises(ActivationError, match=r"project. requires budget, which the project"):
        publish(root, schema_name, linking_module=lab)
    assert lab.Subject.to_dicts() == []


def test_a_refused_insert_writes_nothing(
    root: Path, schema_name: str, database_server: DatabaseServer
) -> None:
    pipeline = activate(schema_name)
    pipeline.schema.connection.query(
        f"ALTER TABLE {database_server.table(schema_name, 'session_note')}"
        " ADD CONSTRAINT short_notes CHECK (length(session_note) < 20)"
    )
    with pytest.raises(
        PublishError, match=r"nothing was written: the database refused: .*short_notes"
    ):
        publish(root, schema_name)
    assert all(rows == [] for rows in database_rows(schema_name).values())


def test_text_with_tabs_newlines_and_backslashes_round_trips(root: Path, schema_name: str) -> None:
    """The bulk path (COPY's text format on PostgreSQL) escapes what it must."""
    sidecar = root / "M001" / "session 000" / "session.yaml"
    text = sidecar.read_text(encoding="utf-8").replace(
        "note: 'Session 0: drift near the end, Ünterhaus protocol'",
        'note: "tab\\there, back\\\\slash \\\\N, new\\nline, cr\\r, \\\\x00"',
    )
    sidecar.write_text(text, encoding="utf-8")
    assert publish(root, schema_name).ok
    (note,) = [r["session_note"] for r in database_rows(schema_name)["session_note"]
               if "tab" in r["session_note"]]  # fmt: skip
    assert note == "tab\there, back\\slash \\N, new\nline, cr\r, \\x00"
    assert_same_tables(catalog_rows(root), database_rows(schema_name))
