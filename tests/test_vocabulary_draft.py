"""``session-files vocabulary ROOT`` drafts an attributes.yaml from the sidecars a root has:
every name, its inferred type, its values when few; the draft passes on that root as it is."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from session_files import validate
from session_files.cli import main
from session_files.read.vocabulary import parse_vocabulary
from session_files.records.vocabulary import AttributeDeclaration
from tests.fixtures_roots import REGISTRY, sidecar, write_root

REPO = Path(__file__).resolve().parents[1]


def test_a_draft_of_the_example_lab_passes_on_it(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    shutil.copytree(REPO / "examples/lab", lab)
    (lab / "registry/attributes.yaml").unlink()
    result = CliRunner().invoke(main, ["vocabulary", str(lab)])
    assert result.exit_code == 0, result.output
    parsed = parse_vocabulary(result.stdout.encode(), "attributes.yaml")
    assert parsed.findings == ()
    names = set(parsed.entries)
    assert {"rig", "temperature_c", "probe_depths_um", "sorted", "opto_sham"} <= names
    rig = parsed.entries["rig"]
    assert isinstance(rig, AttributeDeclaration)
    assert rig.values == ["ephys-1", "rig-1", "rig-2", "rig-3"]
    kinds = {name: getattr(d, "type", None) for name, d in parsed.entries.items()}
    assert (kinds["temperature_c"], kinds["probe_depths_um"], kinds["opto_sham"]) == (
        "number",
        "blob",
        "boolean",
    )
    (lab / "registry/attributes.yaml").write_text(result.stdout, encoding="utf-8")
    report = validate(lab)
    assert report.findings == [] and report.sessions == 12


def test_a_name_every_session_sets_is_drafted_as_required(tmp_path: Path) -> None:
    root = write_root(
        tmp_path / "root",
        {
            **REGISTRY,
            "a/session.yaml": sidecar(attributes="  rig: rig-1\n  day: 2024-01-15\n"),
            "b/session.yaml": sidecar(when="2024-01-16 10:00:00", attributes="  rig: rig-2\n"),
        },
    )
    result = CliRunner().invoke(main, ["vocabulary", str(root)])
    assert "rig:  # in 2 of 2 sessions\n  type: text\n  required: true\n" in result.stdout
    assert "day:  # in 1 of 2 sessions\n  type: date\n" in result.stdout
