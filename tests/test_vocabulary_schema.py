"""A root's own JSON Schema (``session-files schema --root ROOT --out DIR``) checks the lab
vocabulary as session-files does, as the real ``check-jsonschema`` CLI sees it: every
sidecar session-files accepts, check-jsonschema accepts; every one it refuses,
check-jsonschema refuses too, except where the README's list of vocabulary rules JSON
Schema cannot express says why (and each of those explains at least one case)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files import validate
from session_files.cli import main
from session_files.write.vocabulary_schema import INEXPRESSIBLE
from tests.fixtures_roots import REGISTRY, write_root
from tests.test_writers import node_writer  # noqa: F401 - the fixture, installed once

REPO = Path(__file__).resolve().parents[1]
VOCABULARY = """\
rig: {registry: rigs}
temperature_c: {type: number, unit: degC, minimum: 30, maximum: 42}
count: {type: integer, minimum: 0}
flag: {type: boolean}
day: {type: date}
at: {type: datetime}
raw: {type: blob}
arena: {values: [open, maze]}
code: {pattern: "^[A-Z]{2}[0-9]+$"}
level: {type: integer, values: [1, 2, 3]}
operator: {required: [vision]}
grade: {values: [1.5, A]}
"""
LOOKUP, QUOTED, PATTERN, AS_WRITTEN = INEXPRESSIBLE
# (attributes block or None, projects, session-files accepts, check-jsonschema accepts, why)
CASES: list[tuple[str | None, str, bool, bool, str | None]] = [
    ("rig: rig-1", "pilot", True, True, None),
    ("rig: rig-9", "pilot", False, True, LOOKUP),
    ("temperature_c: 36.5", "pilot", True, True, None),
    ("temperature_c: '36.5'", "pilot", True, True, None),
    ("temperature_c: warm", "pilot", False, False, None),
    ("temperature_c: 80", "pilot", False, False, None),
    ("temperature_c: '80'", "pilot", False, True, QUOTED),
    ("temperature_c: {value: 36.5, blob: [1]}", "pilot", True, True, None),
    ("count: 12", "pilot", True, True, None),
    ("count: '12'", "pilot", True, True, None),
    ("count: 1.5", "pilot", False, False, None),
    ("count: -1", "pilot", False, False, None),
    ("flag: true", "pilot", True, True, None),
    ("flag: 'true'", "pilot", True, True, None),
    ("flag: maybe", "pilot", False, False, None),
    ("day: 2024-01-15", "pilot", True, True, None),
    ("day: '2024-1-5'", "pilot", False, False, None),
    ("at: 2024-01-15 10:30:00", "pilot", True, True, None),
    ("at: '2024-01-15'", "pilot", False, False, None),
    ("raw: {blob: [1, 2]}", "pilot", True, True, None),
    ("raw: x", "pilot", False, False, None),
    ("arena: open", "pilot", True, True, None),
    ("arena: maz", "pilot", False, False, None),
    ("code: AB12", "pilot", True, True, None),
    ("code: ab12", "pilot", False, False, None),
    ("code: 12", "pilot", False, True, PATTERN),
    ("level: 2", "pilot", True, True, None),
    ("level: 4", "pilot", False, False, None),
    ("level: '4'", "pilot", False, True, QUOTED),
    ("rgi: rig-1", "pilot", False, False, None),
    ("grade: 1.5", "pilot", True, True, None),
    ("grade: A", "pilot", True, True, None),
    ("grade: B", "pilot", False, False, None),
    ("grade: 1.50", "pilot", False, True, AS_WRITTEN),
    (None, "vision", False, False, None),
    ("rig: rig-1", "vision", False, False, None),
    ("operator: alice", "vision", True, True, None),
]


def _check_jsonschema(schema: Path, paths: list[Path]) -> set[Path]:
    program = shutil.which(
        "check-jsonschema",
        path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    if program is None:
        pytest.fail("check-jsonschema is not installed; pip install -e '.[test]'")
    result = subprocess.run(
        [program, "--schemafile", str(schema), "-o", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    return {Path(e["filename"]) for e in report.get("errors", []) + report.get("parse_errors", [])}


def test_the_root_schema_refuses_what_session_files_refuses(tmp_path: Path) -> None:
    files: dict[str, str | None] = {
        **REGISTRY,
        "registry/attributes.yaml": VOCABULARY,
        "registry/rigs.yaml": "rig-1:\n",
    }
    paths = []
    for i, (attributes, project, _, _, _) in enumerate(CASES):
        text = f"subject: M001\nsession_datetime: 2024-01-01 10:{i:02d}:00\nprojects: [{project}]\n"
        if attributes is not None:
            text += f"attributes:\n  {attributes}\n"
        files[f"c{i:02d}/session.yaml"] = text
        paths.append(tmp_path / "root" / f"c{i:02d}/session.yaml")
    root = write_root(tmp_path / "root", files)
    result = CliRunner().invoke(main, ["schema", "--root", str(root), "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    refused_by_us = {root / f.path for f in validate(root).findings if f.severity == "error"}
    refused_by_them = _check_jsonschema(tmp_path / "s/session.schema.json", paths)
    explained: set[str] = set()
    for path, (attributes, project, ours, theirs, why) in zip(paths, CASES, strict=True):
        case = (attributes, project)
        assert (path not in refused_by_us) == ours, case
        assert (path not in refused_by_them) == theirs, case
        if ours != theirs:
            assert why is not None, case
            explained.add(why)
    assert explained == set(INEXPRESSIBLE)


def test_the_readme_lists_what_the_root_schema_cannot_express() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("Vocabulary rules the root's schema cannot express:\n")[1]
    listed = [line[2:] for line in block.split("\n\n")[0].splitlines() if line.startswith("- ")]
    assert [item.rstrip(";.") for item in listed] == list(INEXPRESSIBLE)


def test_no_vocabulary_or_a_broken_one_writes_no_schema(tmp_path: Path) -> None:
    root = write_root(tmp_path / "root", dict(REGISTRY))
    out = tmp_path / "s"
    result = CliRunner().invoke(main, ["schema", "--root", str(root), "--out", str(out)])
    assert result.exit_code == 1 and "has no registry/attributes.yaml" in result.output
    write_root(root, {"registry/attributes.yaml": "x: {type: decimal}\n"})
    result = CliRunner().invoke(main, ["schema", "--root", str(root), "--out", str(out)])
    assert result.exit_code == 1
    assert "registry/attributes.yaml:1:" in result.output and "schema" in result.output
    assert not out.exists()


def test_the_node_writer_checks_the_lab_rules_with_the_root_schema(
    node_writer: Path,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    """The Node writer's ajv, given the root's schema, refuses what the vocabulary refuses,
    before anything is written; what it writes, session-files accepts."""
    lab = tmp_path / "lab"
    shutil.copytree(REPO / "examples/lab", lab)
    out = tmp_path / "schema"
    result = CliRunner().invoke(main, ["schema", "--root", str(lab), "--out", str(out)])
    assert result.exit_code == 0, result.output
    schema = out / "session.schema.json"

    def write(session: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                "node",
                str(node_writer),
                "--schema",
                str(schema),
                "--dir",
                str(lab / session),
                "--subject",
                "M002",
                "--datetime",
                "2024-05-02 10:00:00",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    for args in (
        ["--number", "temperature_c=80"],
        ["--attribute", "temperature_c=warm"],
        ["--attribute", "rgi=rig-1"],
        ["--project", "optogenetics-pv"],
    ):
        refused = write("M002/x", *args)
        assert refused.returncode == 1 and "not written" in refused.stderr, args
        assert not (lab / "M002/x").exists()
    written = write(
        "M002/2024-05-02_10-00-00",
        "--project",
        "optogenetics-pv",
        "--attribute",
        "rig=rig-2",
        "--number",
        "temperature_c=36.5",
    )
    assert written.returncode == 0, written.stderr
    report = validate(lab)
    assert report.findings == [] and report.sessions == 13
