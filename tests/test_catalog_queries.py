"""Questions analysts ask: attribute and subject conditions, the wide table, parquet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from session_files import Catalog, load_catalog
from tests.fixtures_roots import REGISTRY, sidecar, write_root

SUBJECTS = """\
F01: {sex: F, subject_birth_date: 2023-10-01, subject_nickname: Fay}
F02: {sex: F, subject_birth_date: 2023-12-24}
M01: {sex: M, subject_birth_date: 2023-09-12}
"""


def _attrs(**values: str) -> str:
    return "".join(f"  {name}: {value}\n" for name, value in values.items())


@pytest.fixture
def rigs(tmp_path: Path) -> Iterator[Catalog]:
    """Five sessions on rigs 1-3, temperatures as people write them, a boolean, a blob."""
    files = {
        **REGISTRY,
        "registry/subjects.yaml": SUBJECTS,
        "a/session.yaml": sidecar(
            "F01", "2024-01-01 10:00:00", attributes=_attrs(rig="rig-3", temperature_c="37.50")
        ),
        "b/session.yaml": sidecar(
            "F01", "2024-01-02 10:00:00", attributes=_attrs(rig="rig-3", temperature_c="36.5")
        ),
        "c/session.yaml": sidecar(
            "F02",
            "2024-01-03 10:00:00",
            attributes=_attrs(rig="rig-3", temperature_c="38", aborted="true")
            + "  depths:\n    value: two\n    blob: [1, 2]\n",
        ),
        "d/session.yaml": sidecar(
            "M01", "2024-01-04 10:00:00", attributes=_attrs(rig="rig-3", temperature_c="39")
        ),
        "e/session.yaml": sidecar(
            "F02", "2024-01-05 10:00:00", attributes=_attrs(rig="rig-1", temperature_c="warm")
        ),
    }
    with load_catalog(write_root(tmp_path / "rigs", files)) as catalog:
        yield catalog


def _dirs(rows: object) -> list[str]:
    return [row.session_dir for row in rows]  # type: ignore[attr-defined]


def test_the_rig3_question_is_one_call(rigs: Catalog) -> None:
    """Female subjects, on rig-3, temperature above 37."""
    rows = rigs.sessions(sex="F", attributes={"rig": "rig-3", "temperature_c": (">", 37)})
    assert _dirs(rows) == ["a", "c"]


def test_numbers_compare_as_numbers_and_text_as_text(rigs: Catalog) -> None:
    assert _dirs(rigs.sessions(attributes={"temperature_c": 36.5})) == ["b"]
    assert _dirs(rigs.sessions(attributes={"temperature_c": 37.5})) == ["a"]  # "37.50"
    assert _dirs(rigs.sessions(attributes={"temperature_c": "37.50"})) == ["a"]  # as written
    assert _dirs(rigs.sessions(attributes={"temperature_c": "37.5"})) == []
    assert _dirs(rigs.sessions(attributes={"temperature_c": ("<=", 38)})) == ["a", "b", "c"]
    # "warm" is not a number: no numeric comparison ever matches it, != included
    assert _dirs(rigs.sessions(attributes={"temperature_c": ("!=", 39)})) == ["a", "b", "c"]
    assert _dirs(rigs.sessions(attributes={"temperature_c": "warm"})) == ["e"]


def test_lists_in_booleans_and_missing_attributes(rigs: Catalog) -> None:
    assert _dirs(rigs.sessions(attributes={"rig": ["rig-1", "rig-2"]})) == ["e"]
    assert _dirs(rigs.sessions(attributes={"temperature_c": ("in", [38, 39])})) == ["c", "d"]
    assert _dirs(rigs.sessions(attributes={"rig": ("not in", ["rig-3"])})) == ["e"]
    assert _dirs(rigs.sessions(attributes={"aborted": True})) == ["c"]
    assert _dirs(rigs.sessions(attributes={"aborted": False})) == []
    with pytest.raises(ValueError, match="attribute 'no_such_attribute' is not set by any session"):
        rigs.sessions(attributes={"no_such_attribute": "x"})  # never an empty result


def test_subject_registry_columns(rigs: Catalog) -> None:
    assert _dirs(rigs.sessions(sex="M")) == ["d"]
    assert _dirs(rigs.sessions(subject_birth_date=("<", date(2023, 11, 1)))) == ["a", "b", "d"]
    assert _dirs(rigs.sessions(subject_birth_date=(">=", "2023-12-01"))) == ["c", "e"]
    assert _dirs(rigs.sessions(subject_nickname="Fay", since="2024-01-02")) == ["b"]


def test_bad_conditions_say_how_to_write_them(rigs: Catalog) -> None:
    with pytest.raises(
        ValueError, match=r"\(operator, value\) with one of ==, !=, <, <=, >, >=, in"
    ):
        rigs.sessions(attributes={"temperature_c": ("above", 37)})
    with pytest.raises(ValueError, match="a boolean compares only with == or !="):
        rigs.sessions(attributes={"aborted": (">", True)})
    with pytest.raises(TypeError, match="give a mapping of name -> condition"):
        rigs.sessions(attributes=[("rig", "rig-3")])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unexpected keyword argument 'attribute'"):
        rigs.sessions(attribute={"rig": "rig-3"})  # type: ignore[call-arg]


def test_wide_has_one_row_per_session_with_typed_attributes(rigs: Catalog) -> None:
    wide = rigs.wide()
    assert len(wide) == 5
    assert wide.names == (
        "subject",
        "session_datetime",
        "session_dir",
        "session_note",
        "experimenters",
        "projects",
        "subject_nickname",
        "sex",
        "subject_birth_date",
        "subject_description",
        "aborted",
        "depths",
        "depths__blob",
        "rig",
        "temperature_c",
    )
    first, _, third, last, _ = wide.to_dicts()
    assert first["session_datetime"] == datetime(2024, 1, 1, 10)
    assert first["subject_nickname"] == "Fay" and first["sex"] == "F"
    assert first["subject_birth_date"] == date(2023, 10, 1)
    assert first["aborted"] is None
    assert third["aborted"] is True
    assert third["depths__blob"] == "[1,2]" and third["depths"] == "two"
    # "warm" keeps temperature_c text everywhere; the original text is kept as written
    assert [row["temperature_c"] for row in wide] == ["37.50", "36.5", "38", "warm", "39"]
    assert last["rig"] == "rig-1"
    numeric = rigs.wide(subject="F01")
    assert [row["temperature_c"] for row in numeric] == [37.5, 36.5]
    assert [row["temperature_c"] for row in rigs.wide(subject="F01", typed=False)] == [
        "37.50",
        "36.5",
    ]
    assert len(rigs.wide(sex="F", attributes={"temperature_c": (">", 37)})) == 2


def test_wide_to_pandas_writes_parquet(rigs: Catalog, tmp_path: Path) -> None:
    frame = rigs.wide(attributes={"rig": "rig-3"}).to_pandas()
    assert str(frame["temperature_c"].dtype) == "Float64"
    assert str(frame["aborted"].dtype) == "boolean"
    assert str(frame["subject_birth_date"].dtype).startswith("datetime64")
    frame.to_parquet(tmp_path / "wide.parquet")
    back = pd.read_parquet(tmp_path / "wide.parquet")
    assert back["temperature_c"].tolist() == [37.5, 36.5, 38.0, 39.0]
    assert back["depths__blob"].tolist()[2] == "[1,2]"
    assert back["depths__blob"].isna().sum() == 3


def test_attribute_table_with_blobs_writes_parquet(rigs: Catalog, tmp_path: Path) -> None:
    """It failed with ArrowInvalid: cannot mix list and non-list (blobs as Python data)."""
    rigs["session__attribute"].to_pandas().to_parquet(tmp_path / "attributes.parquet")
    back = pd.read_parquet(tmp_path / "attributes.parquet")
    assert sorted(back["attribute_blob"].dropna()) == ["[1,2]"]
