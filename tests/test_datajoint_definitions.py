"""The DataJoint definitions are derived from the row models and match element-session."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from session_files.datajoint import definition
from session_files.datajoint.definitions import column_type
from session_files.records import ROW_MODELS, TABLES

# The subprocesses import this working tree's package.
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}

# element-session 0.2 `session_with_datetime` and the element-animal / element-lab upstream
# tables, as their DataJoint definitions read (with DataJoint 2's <blob> codec for longblob),
# with element-session's table and attribute comments (from its definitions and docstrings),
# and without its `Session.session_id` (a column session-files does not own).
ELEMENT_SESSION = {
    "subject": """
        subject: varchar(8)
        ---
        subject_nickname='': varchar(64)
        sex: enum('M','F','U')
        subject_birth_date: date
        subject_description='': varchar(1024)
    """,
    "project": """
        project: varchar(32)
        ---
        project_description='': varchar(1024)
    """,
    "experimenter": """
        user: varchar(32)
        ---
        user_email='': varchar(128)
        user_cellphone='': varchar(32)
        user_fullname='': varchar(64)
    """,
    "session": """
        # Central Session table
        -> Subject
        session_datetime: datetime  # date and time of the session
    """,
    "session__attribute": """
        # Additional feature of interest for a session
        -> master
        attribute_name: varchar(32)  # Name shared across instances of attribute
        ---
        attribute_value='': varchar(2000)  # Attribute value
        attribute_blob=null: <blob>  # Optional data store field
    """,
    "session_directory": """
        # Relative path information for files related to a given session
        -> Session
        ---
        session_dir: varchar(256)  # Path to the data directory for a session
    """,
    "session_experimenter": """
        # Individual(s) conducting the session
        -> Session
        -> Experimenter
    """,
    "session_note": """
        # Additional notes related to a given session
        -> Session
        ---
        session_note: varchar(1024)  # Additional notes
    """,
    "project_session": """
        # Table linking upstream Projects with Session
        -> Project
        -> Session
    """,
}
CLASS_NAMES = {
    "subject": "Subject",
    "project": "Project",
    "experimenter": "Experimenter",
    "session": "Session",
    "session__attribute": "Attribute",
    "session_directory": "SessionDirectory",
    "session_experimenter": "SessionExperimenter",
    "session_note": "SessionNote",
    "project_session": "ProjectSession",
}


@pytest.mark.parametrize("table", list(ELEMENT_SESSION))
def test_definition_is_element_sessions(table: str) -> None:
    derived = definition(table)
    assert derived.definition == textwrap.dedent(ELEMENT_SESSION[table]).lstrip()
    assert derived.class_name == CLASS_NAMES[table]
    assert derived.master == ("session" if table == "session__attribute" else None)


def test_every_table_of_the_view_is_defined() -> None:
    assert set(ELEMENT_SESSION) == set(TABLES)


def test_varchar_lengths_follow_the_model_constraints() -> None:
    for model in ROW_MODELS:
        for name, field in model.model_fields.items():
            if field.annotation is not str:
                continue
            (constraint,) = [m for m in field.metadata if hasattr(m, "max_length")]
            assert column_type(field) == f"varchar({constraint.max_length})", (model, name)


def test_a_text_column_without_a_limit_has_no_datajoint_type() -> None:
    from pydantic.fields import FieldInfo

    with pytest.raises(TypeError, match="max_length"):
        column_type(FieldInfo(annotation=str))


def test_import_works_without_datajoint_and_activate_says_what_to_install() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["datajoint"] = None  # as if DataJoint were not installed
        import session_files
        import session_files.datajoint as bridge
        from session_files.cli import main
        try:
            bridge.activate("lab_session")
        except ImportError as exc:
            print(type(exc).__name__, exc)
        try:
            bridge.publish("no/such/root", "lab_session")
        except ImportError as exc:
            print(type(exc).__name__, exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=ENV
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("MissingExtraError publishing to DataJoint needs DataJoint 2:")
        assert "pip install 'session-files[datajoint]'" in line


def test_cli_without_datajoint_exits_2_naming_the_extra() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["datajoint"] = None
        from click.testing import CliRunner
        from session_files.cli import main
        result = CliRunner().invoke(main, ["publish", ".", "--schema", "lab"])
        print(result.exit_code)
        print(result.stderr)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=ENV
    )
    code, message = done.stdout.split("\n", 1)
    assert code == "2"
    assert "pip install 'session-files[datajoint]'" in message
    assert "Traceback" not in message


@pytest.mark.parametrize("table", list(ELEMENT_SESSION))
def test_docs_show_the_derived_definitions(table: str) -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "datajoint.md").read_text("utf-8")
    assert definition(table).definition in docs


@pytest.mark.parametrize("name", ["lab-session", "1lab", "lab session", "x" * 65, "lab;drop"])
def test_a_schema_name_is_checked_by_the_library_before_anything_is_read(
    name: str, tmp_path: Path
) -> None:
    """The rule lives in the library: activate, publish and pull refuse a name the CLI
    refuses, before they connect or read the root (a root that does not exist here)."""
    import session_files
    from session_files.datajoint import check_schema_name

    with pytest.raises(ValueError, match="use letters, digits and underscores"):
        check_schema_name(name)
    with pytest.raises(ValueError, match="use letters, digits and underscores"):
        session_files.activate(name)
    with pytest.raises(ValueError, match="use letters, digits and underscores"):
        session_files.publish(tmp_path / "no-such-root", name)
    with pytest.raises(ValueError, match="use letters, digits and underscores"):
        session_files.datajoint.pull(tmp_path / "pulled", name)
    assert not (tmp_path / "pulled").exists()


def test_the_cli_says_which_option_holds_a_bad_schema_name(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from session_files.cli import main

    for command in ("publish", "pull"):
        result = CliRunner().invoke(main, [command, str(tmp_path), "--schema", "lab-session"])
        assert result.exit_code == 2
        assert "--schema 'lab-session': use letters, digits and underscores (at most 64)" in (
            result.output
        )
