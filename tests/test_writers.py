"""Writers in other languages (examples/writers/): the Node writer runs with its own
toolchain (node, npm ci, ajv against schemas/), and the LabVIEW template is filled as its
steps say; each sidecar validates."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import session_files
from session_files import Attribute, read_sidecar

from .fixtures_roots import REGISTRY, sidecar, write_root
from .system import require

REPO = Path(__file__).parent.parent
WRITERS = REPO / "examples" / "writers"
SCHEMA = REPO / "schemas" / "session.schema.json"


@pytest.fixture(scope="module")
def node_writer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/writers/node installed as a new user would: ``npm ci`` from its lock file.
    No node or npm skips with the command that installs them; with CI set it fails."""
    require("node")
    npm = require("npm")
    target = tmp_path_factory.mktemp("node") / "node"
    shutil.copytree(WRITERS / "node", target, ignore=shutil.ignore_patterns("node_modules"))
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=target, check=True, capture_output=True
    )
    return target / "write_session.mjs"


def node(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(script), "--schema", str(SCHEMA), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_node_writer_writes_a_sidecar_that_validates(node_writer: Path, tmp_path: Path) -> None:
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    session = root / "M002" / "2024-05-01_10-00-00"
    result = node(
        node_writer,
        *("--dir", str(session), "--subject", "M002", "--datetime", "2024-05-01 10:00:00"),
        *("--experimenter", "alice", "--project", "vision", "--note", 'a "quoted" note: yes'),
        *("--attribute", "rig=no", "--number", "laser_mw=3.5", "--number", "big=1e21"),
        *("--boolean", "opto=true"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {session / 'session.yaml'}\n"
    report = session_files.validate(root)
    assert (report.sessions, report.findings) == (2, [])
    record = read_sidecar(session)
    assert record.note == 'a "quoted" note: yes'
    assert record.attributes == {
        "rig": Attribute(value="no"),
        "laser_mw": Attribute(value="3.5"),
        "big": Attribute(value="1e+21"),
        "opto": Attribute(value="true"),
    }
    again = node(node_writer, "--dir", str(session), "--subject", "M002", "--datetime", "now")
    assert again.returncode == 1
    assert "exists" in again.stderr
    assert read_sidecar(session) == record


def test_the_node_writer_checks_the_schema_before_writing(
    node_writer: Path, tmp_path: Path
) -> None:
    result = node(
        node_writer,
        *("--dir", str(tmp_path / "s"), "--subject", "TOO-LONG-ID"),
        *("--datetime", "2024-05-01T10:00:00Z"),
    )
    assert result.returncode == 1
    assert "/subject must NOT have more than 8 characters" in result.stderr
    assert "/session_datetime must match pattern" in result.stderr
    assert not (tmp_path / "s").exists()


def test_the_labview_template_filled_as_documented_validates(tmp_path: Path) -> None:
    values = {
        "SUBJECT": "M001",
        "SESSION_DATETIME": "2024-05-01 10:00:00",
        "EXPERIMENTER": "bob",
        "NOTE": 'drift: "small"\nsecond line',
        "RIG": "yes",
        "LASER_MW": 3.5,
    }
    text = (WRITERS / "labview" / "session.yaml.template").read_text(encoding="utf-8")
    for name, value in values.items():  # LabVIEW's Flatten To JSON, then Search and Replace
        text = text.replace("{{" + name + "}}", json.dumps(value))
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/x/session.yaml": text})
    report = session_files.validate(root)
    assert (report.sessions, report.findings) == (1, [])
    record = read_sidecar(root / "M001" / "x")
    assert record.note == values["NOTE"]
    assert record.attributes == {"rig": Attribute(value="yes"), "laser_mw": Attribute(value="3.5")}
