"""The Catalog API: tables of typed rows, restrictions, sessions(), dicts and DataFrames."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from session_files import Catalog, load_catalog
from session_files.index.columns import decode_blob, encode_blob
from session_files.records import SessionAttributeRow, SessionRow, SubjectRow
from tests.fixtures_roots import write_root

T1 = datetime(2024, 1, 15, 10, 30)
T2 = datetime(2024, 1, 16, 9, 0)
T3 = datetime(2024, 2, 1, 11, 15)


@pytest.fixture
def catalog(lab: Path) -> Iterator[Catalog]:
    with load_catalog(lab) as opened:
        yield opened


def test_every_spec_table_is_there(catalog: Catalog) -> None:
    assert catalog.names == (
        "subject",
        "project",
        "experimenter",
        "session",
        "session__attribute",
        "session_directory",
        "session_experimenter",
        "session_note",
        "project_session",
    )
    assert [len(catalog[name]) for name in catalog] == [3, 2, 2, 3, 3, 3, 3, 1, 3]
    assert "session" in catalog
    assert catalog.table("session").name == "session"


def test_an_unknown_table_name_lists_the_names(catalog: Catalog) -> None:
    with pytest.raises(KeyError, match="no table 'sessions'; the tables are: subject, project"):
        catalog["sessions"]


def test_rows_are_the_typed_row_models(catalog: Catalog) -> None:
    sessions = list(catalog["session"])
    assert sessions == [
        SessionRow(subject="M001", session_datetime=T1),
        SessionRow(subject="M001", session_datetime=T2),
        SessionRow(subject="M002", session_datetime=T3),
    ]
    assert next(iter(catalog["subject"])) == SubjectRow(
        subject="M001", subject_nickname="Mickey", sex="F", subject_birth_date=date(2023, 10, 1)
    )
    attributes = list(catalog["session__attribute"])
    assert all(isinstance(row, SessionAttributeRow) for row in attributes)
    assert [(a.attribute_name, a.attribute_value, a.attribute_blob) for a in attributes] == [
        ("depths", "three", [1200, 1500]),
        ("rig", "rig-3", None),
        ("temperature_c", "36.50", None),
    ]


def test_restrict_by_value_list_and_datetime_range(catalog: Catalog) -> None:
    session = catalog["session"]
    assert len(session.restrict(subject="M001")) == 2
    assert len(session.restrict(subject=["M001", "M002"])) == 3
    assert len(session.restrict(subject=[])) == 0
    assert len(session.restrict(subject="M001").restrict(session_datetime=T2)) == 1
    assert len(session.restrict(session_datetime="2024-01-16 09:00:00")) == 1
    assert [r.session_datetime for r in session.restrict(since=T2)] == [T2, T3]  # type: ignore[attr-defined]
    assert [r.session_datetime for r in session.restrict(until="2024-01-16")] == [T1, T2]  # type: ignore[attr-defined]
    assert len(session.restrict(since=date(2024, 1, 16), until=T2)) == 1
    assert len(session.restrict(until=datetime(2024, 1, 16, 8, 59, 59))) == 1
    assert len(catalog["subject"].restrict(subject_birth_date=date(2023, 10, 1))) == 1
    assert len(catalog["project_session"].restrict(project="vision")) == 2


def test_unknown_filters_are_errors_not_empty_results(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="table session has no column 'subjct'; its columns:"):
        catalog["session"].restrict(subjct="M001")
    with pytest.raises(ValueError, match="table subject has no session_datetime"):
        catalog["subject"].restrict(since="2024-01-01")
    with pytest.raises(ValueError, match="since='yesterday' is not a date"):
        catalog["session"].restrict(since="yesterday")


def test_to_dicts_gives_python_values(catalog: Catalog) -> None:
    assert catalog["session_note"].to_dicts() == [
        {"subject": "M001", "session_datetime": T1, "session_note": "Went well."}
    ]
    assert catalog["subject"].restrict(subject="M002").to_dicts() == [
        {
            "subject": "M002",
            "subject_nickname": "",
            "sex": "M",
            "subject_birth_date": date(2023, 9, 12),
            "subject_description": "",
        }
    ]


def test_to_pandas_has_proper_dtypes(catalog: Catalog) -> None:
    frame = catalog["session__attribute"].to_pandas()
    assert list(frame.columns) == [
        "subject",
        "session_datetime",
        "attribute_name",
        "attribute_value",
        "attribute_blob",
    ]
    assert str(frame["session_datetime"].dtype).startswith("datetime64")
    assert str(frame["subject"].dtype) == "string"
    assert frame["attribute_blob"].tolist()[0] == "[1200,1500]"  # JSON text: parquet-safe
    subjects = catalog["subject"].to_pandas()
    assert str(subjects["subject_birth_date"].dtype).startswith("datetime64")
    empty = catalog["session"].restrict(subject="nobody").to_pandas()
    assert len(empty) == 0
    assert str(empty["session_datetime"].dtype).startswith("datetime64")


def test_sessions_join_directory_note_experimenters_and_projects(catalog: Catalog) -> None:
    assert catalog.sessions().to_dicts() == [
        {
            "subject": "M001",
            "session_datetime": T1,
            "session_dir": "M001/2024-01-15_10-30-00",
            "session_note": "Went well.",
            "experimenters": ["alice", "bob"],
            "projects": ["vision"],
        },
        {
            "subject": "M001",
            "session_datetime": T2,
            "session_dir": "M001/2024-01-16_09-00-00",
            "session_note": None,
            "experimenters": [],
            "projects": [],
        },
        {
            "subject": "M002",
            "session_datetime": T3,
            "session_dir": "M002/2024-02-01_11-15-00",
            "session_note": None,
            "experimenters": ["bob"],
            "projects": ["pilot", "vision"],
        },
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"subject": "M002"}, [T3]),
        ({"subject": ["M001", "M002"]}, [T1, T2, T3]),
        ({"project": "vision"}, [T1, T3]),
        ({"project": ["pilot"]}, [T3]),
        ({"experimenter": "alice"}, [T1]),
        ({"experimenter": ["alice", "bob"], "project": "pilot"}, [T3]),
        ({"since": "2024-01-16"}, [T2, T3]),
        ({"until": date(2024, 1, 16)}, [T1, T2]),
        ({"since": T1, "until": T1}, [T1]),
        ({"subject": "M009"}, []),
    ],
)
def test_sessions_filters(
    catalog: Catalog, filters: dict[str, Any], expected: list[datetime]
) -> None:
    assert [s.session_datetime for s in catalog.sessions(**filters)] == expected


def test_sessions_to_pandas(catalog: Catalog) -> None:
    frame = catalog.sessions(subject="M001").to_pandas()
    assert frame["experimenters"].tolist() == [["alice", "bob"], []]
    assert str(frame["session_datetime"].dtype).startswith("datetime64")
    assert len(catalog.sessions()) == 3
    assert catalog.sessions()[2].subject == "M002"


def test_blobs_keep_their_data_and_key_types(tmp_path: Path) -> None:
    blob = (
        "    blob:\n      1: one\n      false: false\n      null: nothing\n      1.5: [a, {b: .nan}]\n"
        "      text: {$map: [[1, 2]]}\n      '1': string key\n"
    )
    sidecar = "subject: M001\nsession_datetime: 2024-01-15 10:30:00\nattributes:\n  x:\n" + blob
    root = write_root(
        tmp_path,
        {
            "registry/subjects.yaml": "M001: {sex: F, subject_birth_date: 2023-01-01}\n",
            "a/session.yaml": sidecar,
        },
    )
    with load_catalog(root) as catalog:
        [row] = catalog["session__attribute"].to_dicts()
    data = row["attribute_blob"]
    assert list(data) == [1, False, None, 1.5, "text", "1"]
    assert data[1] == "one" and data["1"] == "string key"
    assert data[1.5][0] == "a" and math.isnan(data[1.5][1]["b"])
    assert data["text"] == {"$map": [[1, 2]]}


YAML_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.none() | st.booleans() | st.integers() | st.text() | st.just("$map"),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(YAML_DATA)
def test_any_yaml_data_round_trips_through_the_blob_column(data: Any) -> None:
    assert decode_blob(encode_blob(data)) == data
