"""The published JSON Schemas agree with session-files, as a real non-Python-style validator
sees them: the ``check-jsonschema`` CLI (which reads YAML 1.2 with ruamel.yaml, timestamps
as text) over the whole corpus and generated files.

Every file session-files accepts, check-jsonschema accepts. Every file session-files refuses
only for rules JSON Schema can express (``schema`` findings other than the README's
exceptions), check-jsonschema refuses. Every file check-jsonschema accepts but session-files
refuses is explained by one of the README's "Rules JSON Schema cannot express", and each of
those (but the cross-file one, which a single file cannot show) explains at least one file:
the README's list stays exact.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from session_files.findings import Finding
from session_files.read.registry import parse_registry
from session_files.read.sidecar import parse_sidecar

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests/corpus"
SCHEMAS = REPO / "schemas"

GOOD = "subject: M001\nsession_datetime: 2024-01-15 10:30:00\n"
# Plain scalars of every family yaml-ambiguous knows, and some it must leave alone.
SCALARS = [
    *[
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "Yes",
        "OFF",
        "true",
        "false",
        "null",
        "~",
        "=",
        "0o17",
        "017",
        "08",
        "0b101",
        "0x1F",
        "-0x1F",
        "1_000",
    ],
    *[
        "1:30",
        "1:30.5",
        "1e3",
        "1.0e3",
        "1.0e+3",
        "+.5",
        ".5",
        "1.",
        "12",
        "-3",
        ".inf",
        ".nan",
        "2024-01-15",
        "M001",
        "rig-3",
    ],
]


def _readme_rules() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("Rules JSON Schema cannot express, which only session-files checks:\n")[1]
    return [line[2:] for line in block.split("\n\n")[0].splitlines() if line.startswith("- ")]


RULES = _readme_rules()
CALENDAR, NUMBER_TEXT, KEYS, YAML_LEVEL, ACROSS = RULES


def _generated(directory: Path) -> list[tuple[str, Path]]:
    """Sidecars and registries with each scalar in each place a type or rule depends on."""
    files: list[tuple[str, str]] = []
    for i, value in enumerate(SCALARS):
        files += [
            ("session", f"subject: {value}\nsession_datetime: 2024-01-15 10:30:00\n"),
            ("session", f"{GOOD}note: {value}\n"),
            ("session", f"{GOOD}experimenters: [{value}]\n"),
            ("session", f"{GOOD}attributes:\n  rig: {value}\n"),
            ("session", f"{GOOD}attributes:\n  {value}: x\n"),
            ("session", f"{GOOD}attributes:\n  probe: {{value: {value}}}\n"),
            ("session", f"{GOOD}schema_version: {value}\n"),
            ("subjects", f"M{i:03d}:\n  sex: F\n  subject_birth_date: {value}\n"),
            (
                "subjects",
                f"M{i:03d}:\n  sex: F\n  subject_birth_date: 2023-10-01\n  subject_nickname: {value}\n",
            ),
            ("projects", f"{value}:\n  project_description: x\n"),
            ("experimenters", f"alice:\n  user_cellphone: {value}\n"),
        ]
    files += [
        ("session", "subject: M001\nsession_datetime: 2024-02-30 10:30:00\n"),
        ("session", GOOD + "attributes:\n  big: " + "1" * 2001 + "\n"),
        ("session", GOOD + "attributes:\n  text: " + "x" * 2001 + "\n"),
        ("session", GOOD + "note: " + "x" * 1025 + "\n"),
    ]
    out = []
    for i, (kind, text) in enumerate(files):
        path = directory / kind / f"g{i:04d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.append((kind, path))
    return out


def _corpus() -> list[tuple[str, Path]]:
    out = [("session", path) for path in sorted((CORPUS / "sidecars").glob("*/*.yaml"))]
    for kind in ("subjects", "projects", "experimenters"):
        out += [(kind, path) for path in sorted((CORPUS / "registries" / kind).glob("*.yaml"))]
    return out


def _ours(kind: str, path: Path) -> tuple[Finding, ...]:
    data = path.read_bytes()
    if kind == "session":
        return parse_sidecar(data, path.name).findings
    return parse_registry(kind, data, path.name).findings


def _refused_by_check_jsonschema(kind: str, paths: Iterable[Path]) -> set[Path]:
    program = shutil.which(
        "check-jsonschema",
        path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    if program is None:
        pytest.fail("check-jsonschema is not installed; pip install -e '.[test]'")
    result = subprocess.run(
        [
            program,
            "--schemafile",
            str(SCHEMAS / f"{kind}.schema.json"),
            "-o",
            "json",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    failed = report.get("errors", []) + report.get("parse_errors", [])
    return {Path(entry["filename"]) for entry in failed}


def _beyond_json_schema(finding: Finding) -> str | None:
    """The README rule that explains a finding JSON Schema cannot make, or None."""
    message = finding.message
    if finding.code != "schema":
        return YAML_LEVEL
    if "session_datetime" in message and re.search(r"date|day|month", message):
        return CALENDAR
    if re.search(r"is \d+ characters long; it must be at most 2000 \('[0-9.eE+-]+", message):
        return NUMBER_TEXT
    if (
        "keys must be text" in message
        or "not a valid key: Input should be a valid string" in message
    ):
        return KEYS
    return None


def test_check_jsonschema_agrees_with_session_files(tmp_path: Path) -> None:
    files = _corpus() + _generated(tmp_path)
    refused: set[Path] = set()
    for kind in ("session", "subjects", "projects", "experimenters"):
        paths = [path for k, path in files if k == kind]
        refused |= _refused_by_check_jsonschema(kind, paths)
    used: set[str] = set()
    problems = []
    for kind, path in files:
        findings = _ours(kind, path)
        name = path.relative_to(tmp_path if path.is_relative_to(tmp_path) else REPO)
        if not findings:
            if path in refused:
                problems.append(f"{name}: session-files accepts, check-jsonschema refuses")
            continue
        if path in refused:
            continue
        known = {rule for rule in map(_beyond_json_schema, findings) if rule is not None}
        if not known:
            problems.append(
                f"{name}: refused for {[f.message for f in findings]}, which JSON Schema can"
                " express, but check-jsonschema accepts it"
            )
        used |= known
    assert problems == [], "\n".join(problems)
    assert used == {CALENDAR, NUMBER_TEXT, KEYS, YAML_LEVEL}, (
        f"README rules never needed: {set(RULES) - used - {ACROSS}}"
    )
