"""``activate`` declares element-session's tables in a real schema, on each backend."""

from __future__ import annotations

import sys
from datetime import date, datetime
from types import ModuleType
from typing import Any

import pytest

import session_files.datajoint as bridge
from session_files.datajoint import ActivationError, _dj, activate
from tests.fixtures_database import DatabaseServer

pytestmark = pytest.mark.postgres

SESSION_TABLES = [
    "session",
    "session__attribute",
    "session_directory",
    "session_experimenter",
    "session_note",
    "project_session",
]


def lab_module(
    name: str, schema_name: str, *, subject_key: str = "subject", project_extra: str = ""
) -> ModuleType:
    """A lab pipeline of its own: Subject, Project and User (linked as Experimenter).

    Its Subject has a column session-files does not know (with a default) and its User
    lacks user_cellphone, as real lab pipelines do.
    """
    dj = _dj.load()
    schema = dj.Schema(schema_name)
    context: dict[str, Any] = {}

    class Subject(dj.Manual):  # type: ignore[misc, name-defined]
        definition = f"""
        {subject_key}: varchar(8)
        ---
        subject_nickname='': varchar(64)
        sex: enum('M','F','U')
        subject_birth_date: date
        subject_description='': varchar(1024)
        species='mouse': varchar(32)
        """

    class Project(dj.Manual):  # type: ignore[misc, name-defined]
        definition = f"""
        project: varchar(32)
        ---
        project_description='': varchar(1024)
        {project_extra}
        """

    class User(dj.Manual):  # type: ignore[misc, name-defined]
        definition = """
        user: varchar(32)
        ---
        user_email='': varchar(128)
        user_fullname='': varchar(64)
        """

    for cls in (Subject, Project, User):
        context[cls.__name__] = cls
        schema(cls, context=context)
    module = ModuleType(name)
    module.Subject = Subject  # type: ignore[attr-defined]
    module.Project = Project  # type: ignore[attr-defined]
    module.User = User  # type: ignore[attr-defined]
    module.Experimenter = User  # type: ignore[attr-defined]
    return module


def test_activate_declares_the_session_tables_and_own_upstream(
    schema_name: str, database_server: DatabaseServer
) -> None:
    name = database_server.table
    pipeline = activate(schema_name)
    tables = pipeline.schema.list_tables()
    assert set(tables) == {"subject", "project", "experimenter", *SESSION_TABLES}
    for table in SESSION_TABLES:
        assert pipeline.tables[table].full_table_name == name(schema_name, table)
    assert pipeline.Session.Attribute is pipeline.tables["session__attribute"]
    heading = pipeline.Session.Attribute.heading
    assert heading.primary_key == ["subject", "session_datetime", "attribute_name"]
    assert heading.attributes["attribute_blob"].codec.name == "blob"
    assert heading.attributes["attribute_blob"].nullable
    assert pipeline.SessionExperimenter.primary_key == ["subject", "session_datetime", "user"]
    assert pipeline.ProjectSession.primary_key == ["project", "subject", "session_datetime"]
    assert pipeline.SessionNote.heading.secondary_attributes == ["session_note"]
    parents = set(pipeline.SessionExperimenter.parents())
    assert parents == {name(schema_name, "session"), name(schema_name, "experimenter")}


def test_declared_types_round_trip_through_the_database(schema_name: str) -> None:
    pipeline = activate(schema_name)
    when = datetime(2024, 1, 15, 10, 30)
    pipeline.Subject.insert1(
        {"subject": "M001", "sex": "F", "subject_birth_date": date(2023, 10, 1)}
    )
    pipeline.Session.insert1({"subject": "M001", "session_datetime": when})
    blob = {"depths": [1200, 1500.5], "ok": True, "when": date(2024, 1, 1), "none": None}
    pipeline.Session.Attribute.insert1(
        {
            "subject": "M001",
            "session_datetime": when,
            "attribute_name": "probe",
            "attribute_blob": blob,
        }
    )
    (row,) = pipeline.Session.Attribute.to_dicts()
    assert row == {
        "subject": "M001",
        "session_datetime": when,
        "attribute_name": "probe",
        "attribute_value": "",
        "attribute_blob": blob,
    }
    (subject,) = pipeline.Subject.to_dicts()
    assert subject["subject_nickname"] == "" and subject["subject_birth_date"] == date(2023, 10, 1)


def test_module_attributes_follow_the_last_activation(schema_name: str) -> None:
    pipeline = activate(schema_name)
    assert bridge.Session is pipeline.Session
    assert bridge.SessionNote is pipeline.SessionNote
    assert bridge.schema is pipeline.schema


def test_activate_twice_reuses_the_declared_tables(schema_name: str) -> None:
    first = activate(schema_name)
    first.Project.insert1({"project": "vision"})
    again = activate(schema_name, create_schema=False, create_tables=False)
    assert again.Project.to_dicts() == [{"project": "vision", "project_description": ""}]


def test_activate_without_create_schema_refuses_a_missing_schema(schema_name: str) -> None:
    with pytest.raises(Exception, match="create_schema"):
        activate(schema_name, create_schema=False)


def test_linking_module_supplies_upstream_tables(
    schema_name: str, database_server: DatabaseServer
) -> None:
    name = database_server.table
    lab = lab_module("lab_link", f"{schema_name}_lab")
    pipeline = activate(schema_name, linking_module=lab)
    assert pipeline.linked
    assert pipeline.Subject is lab.Subject
    assert pipeline.Experimenter is lab.User
    assert set(pipeline.schema.list_tables()) == set(SESSION_TABLES)
    assert set(pipeline.Session.parents()) == {name(f"{schema_name}_lab", "subject")}
    assert name(f"{schema_name}_lab", "user") in set(pipeline.SessionExperimenter.parents())


def test_linking_module_by_name(
    schema_name: str, monkeypatch: pytest.MonkeyPatch, database_server: DatabaseServer
) -> None:
    lab = lab_module("lab_by_name", f"{schema_name}_lab")
    monkeypatch.setitem(sys.modules, "lab_by_name", lab)
    pipeline = activate(schema_name, linking_module="lab_by_name")
    assert pipeline.ProjectSession.parents()[0] == database_server.table(
        f"{schema_name}_lab", "project"
    )


def test_linking_module_missing_a_table_is_refused(schema_name: str) -> None:
    lab = lab_module("lab_partial", f"{schema_name}_lab")
    del lab.Experimenter  # type: ignore[attr-defined]
    with pytest.raises(ActivationError, match=r"has no Experimenter.*Experimenter = lab.User"):
        activate(schema_name, linking_module=lab)


def test_linking_module_with_other_keys_is_refused(schema_name: str) -> None:
    lab = lab_module("lab_keys", f"{schema_name}_lab", subject_key="subject_id")
    with pytest.raises(ActivationError, match=r"primary key \['subject_id'\]"):
        activate(schema_name, linking_module=lab)


def test_linking_module_that_cannot_be_imported(schema_name: str) -> None:
    with pytest.raises(ActivationError, match="cannot import linking module"):
        activate(schema_name, linking_module="no_such_lab_pipeline")
