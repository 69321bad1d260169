"""The published JSON Schemas: current, valid draft 2020-12, and in agreement with the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from session_files.cli import main
from session_files.read.registry import parse_registry
from session_files.read.sidecar import parse_sidecar
from session_files.write.schema_export import all_schemas
from session_files.write.writer import dump_yaml

REPO = Path(__file__).parent.parent
SCHEMAS = REPO / "schemas"
LAB = REPO / "examples" / "lab"


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / name).read_text(encoding="utf-8")))


def as_json_reader_sees(path: Path) -> Any:
    """What a non-Python YAML reader sees: timestamps and dates as strings."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
    )
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def test_committed_schemas_are_what_the_models_produce() -> None:
    result = CliRunner().invoke(main, ["schema", "--check", str(SCHEMAS)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in SCHEMAS.iterdir()) == sorted(all_schemas())


def test_schema_check_fails_on_drift(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["schema", "--out", str(tmp_path)]).exit_code == 0
    target = tmp_path / "session.schema.json"
    target.write_text(
        target.read_text(encoding="utf-8").replace('"maxLength": 8', '"maxLength": 9')
    )
    (tmp_path / "stale.schema.json").write_text("{}")
    result = CliRunner().invoke(main, ["schema", "--check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{target}: differs from what the models produce" in result.output
    assert "stale.schema.json: not produced by the models" in result.output


@pytest.mark.parametrize("name", sorted(all_schemas()))
def test_schemas_are_valid_draft_2020_12_with_ids(name: str) -> None:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(name)


def test_example_root_is_valid_under_the_schemas() -> None:
    sidecar = validator("session.schema.json")
    for path in sorted(LAB.rglob("session.yaml")):
        if "scratch" in path.parts:
            continue
        assert list(sidecar.iter_errors(as_json_reader_sees(path))) == [], path
    for kind in ("subjects", "projects", "experimenters"):
        document = as_json_reader_sees(LAB / "registry" / f"{kind}.yaml")
        assert list(validator(f"{kind}.schema.json").iter_errors(document)) == [], kind


# ---------------------------------------------------------------- agreement
# Text from a small alphabet: the agreement is about the rules, not about YAML escaping.
words = st.text("abcXYZ019-_ .:é", min_size=0, max_size=12)
keys = st.text("abcdefgh", min_size=1, max_size=10)
scalars = st.none() | st.booleans() | st.integers(-1000, 1000) | words
scalars = scalars | st.floats(-1e6, 1e6, allow_nan=False).filter(lambda f: f != int(f))
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=6,
)


def mostly(
    valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Valid values nine times in ten, so both outcomes are well explored."""
    return st.integers(0, 9).flatmap(lambda n: invalid if n == 0 else valid)


datetimes = mostly(
    st.sampled_from(["2024-01-15 10:30:00", "2024-01-15T10:30:00", "2024-01-15t10:30:00"]),
    st.sampled_from(
        [
            "2024-01-15T10:30:00Z",
            "2024-01-15 10:30:00+02:00",
            "2024-01-15 10:30:00.5",
            "2024-01-15",
            "10:30",
            "",
            20240115,
            None,
        ]
    ),
)
subjects = mostly(
    st.text("M0123", min_size=1, max_size=8),
    st.text("M0", max_size=10) | st.sampled_from([1, None, ["M1"]]),
)
users = mostly(
    st.text("abz-", min_size=1, max_size=32), st.text("abz-", max_size=34) | st.integers(0, 3)
)
user_lists = mostly(
    st.lists(users, max_size=3, unique=True), st.none() | st.lists(users, max_size=3) | users
)
notes = mostly(
    st.text("ab ", max_size=3) | st.just("n" * 1024),
    st.just("n" * 1025) | st.integers() | st.none(),
)
attr_names = mostly(st.text("ab_", min_size=1, max_size=32), st.text("ab_", max_size=34))
attr_texts = mostly(words | st.just("v" * 2000), st.just("v" * 2001))
attribute_values = mostly(
    attr_texts
    | st.integers(-10, 10)
    | st.booleans()
    | st.fixed_dictionaries({"value": attr_texts}, optional={"blob": data})
    | st.fixed_dictionaries({"blob": data}),
    st.none()
    | st.lists(scalars, max_size=2)
    | st.fixed_dictionaries({}, optional={"value": st.none() | st.lists(words), "units": words}),
)


@st.composite
def sidecar_documents(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if draw(st.booleans()):
        document["schema_version"] = draw(
            mostly(st.sampled_from([1, None]), st.sampled_from([2, "1", True]))
        )
    if draw(st.integers(0, 19)):
        document["subject"] = draw(subjects)
    if draw(st.integers(0, 19)):
        document["session_datetime"] = draw(datetimes)
    for key in ("experimenters", "projects"):
        if draw(st.booleans()):
            document[key] = draw(user_lists)
    if draw(st.booleans()):
        document["note"] = draw(notes)
    if draw(st.booleans()):
        document["attributes"] = draw(
            mostly(
                st.none() | st.dictionaries(attr_names, attribute_values, max_size=3),
                st.lists(words, max_size=2),
            )
        )
    if not draw(st.integers(0, 19)):
        document[draw(keys)] = draw(scalars)
    return document


@given(document=sidecar_documents())
def test_sidecar_schema_and_models_agree(document: dict[str, Any]) -> None:
    by_schema = validator("session.schema.json").is_valid(document)
    text = dump_yaml(document)  # the package's writer: YAML 1.1-ambiguous text is quoted
    parsed = parse_sidecar(text.encode("utf-8"), "session.yaml")
    assert parsed.ok == by_schema, (text, parsed.findings)


registry_entries = {
    "subjects": st.fixed_dictionaries(
        {},
        optional={
            "sex": st.sampled_from(["M", "F", "U", "X", "", None]),
            "subject_birth_date": st.sampled_from(
                ["2023-10-01", "2023-1-5", "yesterday", "", None]
            ),
            "subject_nickname": st.text("ab", max_size=66),
            "subject_description": words | st.integers(),
            "species": words,
        },
    ),
    "projects": st.fixed_dictionaries(
        {}, optional={"project_description": words | st.just("d" * 1025) | st.none(), "lead": words}
    ),
    "experimenters": st.fixed_dictionaries(
        {},
        optional={
            "user_email": st.text("a@b.", max_size=130),
            "user_cellphone": words | st.integers(0, 10**9),
            "user_fullname": words,
            "email": words,
        },
    ),
}


@pytest.mark.parametrize("kind", sorted(registry_entries))
@given(data=st.data())
def test_registry_schema_and_models_agree(kind: str, data: st.DataObject) -> None:
    key = data.draw(st.text("Mab1", min_size=0, max_size=34), label="key")
    entry = data.draw(st.none() | registry_entries[kind] | words, label="entry")
    document = {key: entry}
    by_schema = validator(f"{kind}.schema.json").is_valid(document)
    text = dump_yaml(document)
    parsed = parse_registry(kind, text.encode("utf-8"), f"{kind}.yaml")
    assert (key in parsed.rows and not parsed.findings) == by_schema, (text, parsed.findings)
