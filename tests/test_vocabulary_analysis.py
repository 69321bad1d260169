"""Analysis with a lab vocabulary: wide() and export --wide type each declared attribute
from its declaration (no guessing) with its unit in the column's metadata (pandas attrs,
parquet field metadata); an unknown attribute name in sessions(attributes=), wide(...) and
report --attribute raises or exits with "did you mean", with or without a vocabulary."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files import UnknownAttributeError, load_catalog
from session_files.cli import main
from tests.fixtures_roots import REGISTRY, sidecar, write_root

VOCABULARY = """\
serial: {type: text}
temperature_c: {type: number, unit: degC, description: body temperature}
count: {type: integer}
day: {type: date}
at: {type: datetime}
flag: {type: boolean}
"""


def _root(tmp_path: Path, vocabulary: str | None) -> Path:
    files: dict[str, str | None] = {
        **REGISTRY,
        "a/session.yaml": sidecar(
            attributes='  serial: "19011112345"\n  temperature_c: 37\n  count: 3\n'
            "  day: 2024-01-15\n  at: 2024-01-15 10:30:00\n  flag: true\n"
        ),
        "b/session.yaml": sidecar(
            when="2024-01-16 10:00:00",
            attributes='  serial: "00042"\n  temperature_c: "36.5"\n  count: 4.0\n',
        ),
    }
    if vocabulary is not None:
        files["registry/attributes.yaml"] = vocabulary
    return write_root(tmp_path / "root", files)


def test_wide_types_follow_the_declarations(tmp_path: Path) -> None:
    with load_catalog(_root(tmp_path, VOCABULARY)) as catalog:
        wide = catalog.wide()
        kinds = {c.name: (c.kind, c.unit) for c in wide.columns}
        a, b = wide
        frame = wide.to_pandas()
    assert kinds["serial"] == ("text", None) and kinds["temperature_c"] == ("float", "degC")
    assert (kinds["count"], kinds["day"], kinds["at"], kinds["flag"]) == (
        ("int", None),
        ("date", None),
        ("datetime", None),
        ("bool", None),
    )
    assert (a["serial"], b["serial"]) == ("19011112345", "00042")  # never a number
    assert (a["temperature_c"], b["temperature_c"]) == (37.0, 36.5)
    assert (a["count"], b["count"], a["day"], a["at"], a["flag"], b["flag"]) == (
        3,
        4,
        date(2024, 1, 15),
        datetime(2024, 1, 15, 10, 30),
        True,
        None,
    )
    assert {name: str(frame[name].dtype) for name in ("serial", "temperature_c", "count")} == {
        "serial": "string",
        "temperature_c": "Float64",
        "count": "Int64",
    }
    assert frame.attrs["units"] == {"temperature_c": "degC"}


def test_without_a_vocabulary_wide_guesses_as_before(tmp_path: Path) -> None:
    with load_catalog(_root(tmp_path, None)) as catalog:
        kinds = {c.name: c.kind for c in catalog.wide().columns}
    assert (kinds["serial"], kinds["temperature_c"], kinds["day"]) == ("int", "float", "text")


def test_parquet_keeps_the_unit_in_the_field_metadata(tmp_path: Path) -> None:
    import pyarrow.parquet as pq  # the parquet extra is part of [test]

    root = _root(tmp_path, VOCABULARY)
    out = tmp_path / "wide.parquet"
    result = CliRunner().invoke(main, ["export", str(root), "--wide", "--out", str(out)])
    assert result.exit_code == 0, result.output
    schema = pq.read_schema(out)
    field = schema.field("temperature_c")
    assert str(field.type) == "double"
    assert field.metadata == {b"unit": b"degC", b"description": b"body temperature"}
    assert str(schema.field("serial").type) == "string" and schema.field("serial").metadata is None


@pytest.mark.parametrize("vocabulary", [VOCABULARY, None])
def test_an_unknown_attribute_name_says_did_you_mean(
    tmp_path: Path, vocabulary: str | None
) -> None:
    root = _root(tmp_path, vocabulary)
    with load_catalog(root) as catalog:
        with pytest.raises(UnknownAttributeError, match="did you mean 'temperature_c'"):
            catalog.sessions(attributes={"temprature_c": (">", 36)})
        with pytest.raises(ValueError, match=r"attribute 'seriall' is not .*did you mean 'serial'"):
            catalog.wide(attributes={"seriall": "x"})
        assert len(catalog.sessions(attributes={"serial": "00042"})) == 1
    result = CliRunner().invoke(
        main, ["report", str(root), "--out", str(tmp_path / "r.html"), "--attribute", "fla"]
    )
    assert result.exit_code == 2 and "did you mean 'flag'?" in result.output
    assert not (tmp_path / "r.html").exists()


def test_a_declared_name_no_session_sets_is_no_error(tmp_path: Path) -> None:
    root = _root(tmp_path, VOCABULARY + "rig: {}\n")
    with load_catalog(root) as catalog:
        assert len(catalog.sessions(attributes={"rig": "rig-1"})) == 0


def test_the_report_names_a_declared_unit(tmp_path: Path) -> None:
    root = _root(tmp_path, VOCABULARY)
    out = tmp_path / "r.html"
    args = ["report", str(root), "--out", str(out), "--attribute", "temperature_c"]
    result = CliRunner().invoke(main, [*args, "--attribute", "serial"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<h2>Attribute temperature_c (degC)</h2>" in page
    assert "<h2>Attribute serial</h2>" in page
