"""The lab vocabulary in DataJoint 2 (a real PostgreSQL 15 server): publish writes
``attribute_vocabulary`` and ``attribute_lookup`` into the session schema, pull writes
``attributes.yaml`` and the lookup registries back, and other rules in the database are a
conflict until --replace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from session_files.datajoint import PublishError, publish, pull
from session_files.read.vocabulary import parse_lookup, parse_vocabulary
from tests.test_publish import LAB
from tests.test_publish_sync import query

pytestmark = pytest.mark.postgres


def test_publish_and_pull_carry_the_vocabulary(tmp_path: Path, schema_name: str) -> None:
    result = publish(LAB, schema_name)
    assert result.ok and result.vocabulary_rows == {"inserted": 22, "deleted": 0}
    rows = query(
        f"SELECT attribute_name, attribute_type, unit, minimum, maximum, lookup, required"
        f' FROM "{schema_name}"."attribute_vocabulary" WHERE attribute_name IN'
        " ('rig', 'temperature_c') ORDER BY 1"
    )
    assert [tuple(row) for row in rows] == [
        ("rig", None, None, None, None, "rigs", '["vision-mapping", "optogenetics-pv"]'),
        ("temperature_c", "number", "degC", 30.0, 42.0, None, "false"),
    ]
    keys = query(f'SELECT lookup, lookup_key FROM "{schema_name}"."attribute_lookup" ORDER BY 2')
    assert [tuple(row) for row in keys] == [
        ("rigs", "ephys-1"),
        ("rigs", "rig-1"),
        ("rigs", "rig-2"),
        ("rigs", "rig-3"),
    ]
    assert publish(LAB, schema_name).vocabulary_rows == {"inserted": 0, "deleted": 0}

    target = tmp_path / "pulled"
    pulled = pull(target, schema_name)
    assert pulled.ok, pulled.problems
    original = parse_vocabulary((LAB / "registry/attributes.yaml").read_bytes(), "a")
    back = parse_vocabulary((target / "registry/attributes.yaml").read_bytes(), "a")
    assert back.findings == () and back.entries == original.entries
    rigs = parse_lookup((target / "registry/rigs.yaml").read_bytes(), "r")
    assert rigs.entries == parse_lookup((LAB / "registry/rigs.yaml").read_bytes(), "r").entries
    assert publish(target, schema_name).vocabulary_rows == {"inserted": 0, "deleted": 0}


def test_other_rules_in_the_database_need_replace(tmp_path: Path, schema_name: str) -> None:
    publish(LAB, schema_name)
    lab = tmp_path / "lab"
    shutil.copytree(LAB, lab)
    vocabulary = lab / "registry/attributes.yaml"
    vocabulary.write_text(
        vocabulary.read_text(encoding="utf-8").replace("maximum: 42", "maximum: 40"),
        encoding="utf-8",
    )
    with pytest.raises(
        PublishError, match=r"attribute_vocabulary holds rows that differ .*temperature_c"
    ):
        publish(lab, schema_name)
    result = publish(lab, schema_name, replace=True)
    assert result.vocabulary_rows == {"inserted": 1, "deleted": 1}
    (row,) = query(
        f'SELECT maximum FROM "{schema_name}"."attribute_vocabulary"'
        " WHERE attribute_name = 'temperature_c'"
    )
    assert tuple(row) == (40.0,)


def test_the_docs_show_the_vocabulary_tables() -> None:
    from session_files.datajoint.vocabulary import LOOKUP_DEFINITION, VOCABULARY_DEFINITION

    docs = (Path(__file__).resolve().parents[1] / "docs/datajoint.md").read_text("utf-8")
    assert VOCABULARY_DEFINITION.rstrip() in docs and LOOKUP_DEFINITION.rstrip() in docs


def test_a_refused_vocabulary_writes_nothing_and_dry_run_counts(
    tmp_path: Path, schema_name: str
) -> None:
    publish(LAB, schema_name)
    lab = tmp_path / "lab"
    shutil.copytree(LAB, lab)
    (lab / "registry/rigs.yaml").write_text("rig-1:\nrig-2:\nrig-3:\nephys-1:\nrig-4:\n")
    shutil.rmtree(lab / "M003/2024-03-12_08-10-00")
    before = query(f'SELECT count(*) FROM "{schema_name}"."session"')
    with pytest.raises(PublishError, match="attribute_lookup holds rows that differ"):
        publish(lab, schema_name, prune=True)
    assert query(f'SELECT count(*) FROM "{schema_name}"."session"') == before
    dry = publish(lab, schema_name, dry_run=True, replace=True)
    assert dry.vocabulary_rows == {"inserted": 5, "deleted": 4}
