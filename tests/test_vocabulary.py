"""The lab vocabulary (docs/format.md, "The lab vocabulary"): attribute names and values
checked in validate, the index, check_session, new and write_sidecar/update_sidecar, with
positions, "did you mean", and causes first; a root without attributes.yaml is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files import validate, write_sidecar
from session_files.api import update_index
from session_files.cli import main
from session_files.read.sidecar import SidecarError
from session_files.write.check import check_session
from tests.fixtures_roots import REGISTRY, set_attributes, sidecar, write_root

VOCABULARY = """\
rig:
  registry: rigs
  description: the recording rig
temperature_c:
  type: number
  unit: degC
  minimum: 30
  maximum: 42
arena:
  values: [open, maze]
  required: [vision]
"""
RIGS = "rig-1:\nrig-3: {description: two-photon}\n"


def _root(tmp_path: Path, sessions: dict[str, str], vocabulary: str | None = VOCABULARY) -> Path:
    files: dict[str, str | None] = {**REGISTRY, "registry/rigs.yaml": RIGS}
    if vocabulary is not None:
        files["registry/attributes.yaml"] = vocabulary
    files.update({f"{name}/session.yaml": text for name, text in sessions.items()})
    return write_root(tmp_path / "root", files)


def _session(attributes: str, when: str = "2024-01-15 10:30:00", projects: str = "pilot") -> str:
    return sidecar("M001", when, projects=[projects], attributes=attributes)


def _codes(root: Path) -> list[tuple[str, str, int | None, int | None, str]]:
    return [(f.path, f.code, f.line, f.column, f.message) for f in validate(root).findings]


def test_the_typo_root_says_did_you_mean_and_exits_1(tmp_path: Path) -> None:
    root = _root(tmp_path, {"s": _session("  rgi: rig-1\n  temprature_c: 36.5\n")})
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert result.exit_code == 1
    assert (
        "s/session.yaml:5:3: error: unknown-attribute: attribute 'rgi' is not declared in"
        " registry/attributes.yaml; did you mean 'rig'?"
    ) in result.stdout
    assert "s/session.yaml:6:3: error: unknown-attribute: attribute 'temprature_c'" in result.stdout
    assert "did you mean 'temperature_c'?" in result.stdout


def test_without_a_vocabulary_the_same_root_is_free_form(tmp_path: Path) -> None:
    root = _root(tmp_path, {"s": _session("  rgi: rig-1\n  temprature_c: warm\n")}, None)
    report = validate(root)
    assert report.ok and report.findings == [] and report.sessions == 1


@pytest.mark.parametrize(
    ("value", "code", "says"),
    [
        ("warm", "attribute-type", "'warm', not a number"),
        ('"warm"', "attribute-type", "'warm', not a number"),
        ("80", "attribute-value", "'80', above the maximum 42 degC"),
        ("29.9", "attribute-value", "'29.9', below the minimum 30 degC"),
        ("36.5", None, ""),
        ('"36.5"', None, ""),  # the text as written is what is checked: quotes are no data
    ],
)
def test_a_declared_number_refuses_text_and_values_out_of_range(
    tmp_path: Path, value: str, code: str | None, says: str
) -> None:
    root = _root(tmp_path, {"s": _session(f"  rig: rig-1\n  temperature_c: {value}\n")})
    found = _codes(root)
    if code is None:
        assert found == []
        return
    [(path, got, line, column, message)] = found
    assert (path, got, line, column) == ("s/session.yaml", code, 6, 18)
    assert says in message


def test_values_and_lookup_registry_say_did_you_mean(tmp_path: Path) -> None:
    root = _root(tmp_path, {"s": _session("  rig: rig3\n  arena: maz\n", projects="vision")})
    found = [(code, line, message) for _, code, line, _, message in _codes(root)]
    assert found == [
        (
            "attribute-value",
            5,
            "attribute 'rig' is 'rig3', which is not in registry/rigs.yaml; did you mean 'rig-3'?",
        ),
        (
            "attribute-value",
            6,
            "attribute 'arena' is 'maz', not one of the values registry/attributes.yaml allows"
            " for it: 'open', 'maze'; did you mean 'maze'?",
        ),
    ]


def test_required_for_a_project_is_missing_only_in_its_sessions(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        {
            "a": _session("  rig: rig-1\n", projects="vision"),
            "b": _session("  rig: rig-1\n", "2024-01-16 10:30:00", projects="pilot"),
            "c": sidecar("M001", "2024-01-17 10:30:00", projects=["vision"]),
        },
    )
    found = [(path, code, line, column) for path, code, line, column, _ in _codes(root)]
    # the attributes mapping's key, or the sidecar's first key where there is none
    assert found == [
        ("a/session.yaml", "attribute-missing", 4, 1),
        ("c/session.yaml", "attribute-missing", 1, 1),
    ]
    message = validate(root).findings[0].message
    assert message == (
        "attribute 'arena' is missing; registry/attributes.yaml requires it in the sessions of"
        " project 'vision': add 'arena: <value>' under attributes"
    )


def test_findings_leave_the_session_out_and_severity_applies(tmp_path: Path) -> None:
    root = _root(tmp_path, {"s": _session("  rig: rig-1\n  temperature_c: 80\n")})
    assert validate(root).sessions == 0
    write_root(root, {"session-files.yaml": "severity:\n  attribute-value: warning\n"})
    report = validate(root)
    assert report.ok and report.sessions == 1
    assert [(f.code, f.severity) for f in report.findings] == [("attribute-value", "warning")]
    write_root(root, {"session-files.yaml": "severity:\n  attribute-value: 'off'\n"})
    assert validate(root).findings == []


def test_a_broken_vocabulary_is_the_named_cause_of_every_finding(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        {"a": _session("  rig: rig-1\n"), "b": _session("  rig: rig-1\n", "2024-01-16 10:30:00")},
        "rig: [\n",
    )
    first, *rest = validate(root).findings
    assert (first.path, first.code, first.line) == ("registry/attributes.yaml", "yaml-syntax", 2)
    assert [(f.path, f.code) for f in rest] == [
        ("a/session.yaml", "unknown-attribute"),
        ("b/session.yaml", "unknown-attribute"),
    ]
    cause = f"registry/attributes.yaml:{first.line}:{first.column}: yaml-syntax"
    assert all("registry/attributes.yaml is unusable" in f.message for f in rest)
    assert all(cause in f.message for f in rest)


def test_a_broken_declaration_is_reported_and_named_by_its_uses(tmp_path: Path) -> None:
    vocabulary = VOCABULARY + "depth_um:\n  type: integer\n  minimum: 10\n  maximum: 5\n"
    root = _root(tmp_path, {"s": _session("  rig: rig-1\n  depth_um: 7\n")}, vocabulary)
    first, second = validate(root).findings
    assert (first.path, first.code, first.line) == ("registry/attributes.yaml", "schema", 13)
    assert "minimum 10 is above maximum 5" in first.message
    assert (second.code, second.line, second.column) == ("unknown-attribute", 6, 3)
    assert "is in registry/attributes.yaml but its declaration was left out" in second.message
    assert "registry/attributes.yaml:13:" in second.message


@pytest.mark.parametrize(
    ("rigs", "says"),
    [
        (None, "which is not in registry/rigs.yaml (that file does not exist)"),
        ("rig-1: [\n", "registry/rigs.yaml is unusable (no key can be read from it); fix that"),
    ],
)
def test_a_missing_or_broken_lookup_registry_is_named(
    tmp_path: Path, rigs: str | None, says: str
) -> None:
    root = _root(tmp_path, {"s": _session("  rig: rig-1\n")})
    write_root(root, {"registry/rigs.yaml": rigs})
    findings = validate(root).findings
    assert findings[-1].code == "attribute-value" and says in findings[-1].message
    if rigs is not None:
        assert findings[0].path == "registry/rigs.yaml"


def test_a_pattern_that_needs_backtracking_is_refused_at_its_position(tmp_path: Path) -> None:
    vocabulary = 'code:\n  pattern: "^(a+)\\\\1$"\nname:\n  pattern: "^[a-z]+$"\n'
    root = _root(tmp_path, {"s": _session("  name: Rig\n")}, vocabulary)
    first, second = validate(root).findings
    assert (first.code, first.line, first.column) == ("schema", 2, 12)
    assert "matches in linear time" in first.message
    assert second.code == "attribute-value" and "does not match the pattern" in second.message


def test_types_dates_booleans_integers_and_blobs(tmp_path: Path) -> None:
    vocabulary = (
        "day: {type: date}\nat: {type: datetime}\nflag: {type: boolean}\ncount: {type: integer}\n"
        "raw: {type: blob}\nlabel: {type: text}\n"
    )
    good = "  day: 2024-01-15\n  at: 2024-01-15 10:30:00\n  flag: true\n  count: 12\n  raw: {blob: [1]}\n"
    bad = (
        "  day: 2024-02-30\n  at: '2024-01-15'\n  flag: 'maybe'\n  count: 1.5\n  raw: x\n"
        "  label: {blob: [1]}\n"
    )
    root = _root(
        tmp_path, {"a": _session(good), "b": _session(bad, "2024-01-16 10:30:00")}, vocabulary
    )
    found = [(path, code, line) for path, code, line, _, _ in _codes(root)]
    assert found == [("b/session.yaml", "attribute-type", line) for line in range(5, 11)]


def test_an_index_checks_every_sidecar_again_when_the_vocabulary_changes(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        {"s": _session("  rig: rig-1\n"), "t": _session("  rig: rig-9\n", "2024-01-16 10:30:00")},
    )
    first = update_index(root)
    assert [f.code for f in first.findings] == ["attribute-value"]
    write_root(root, {"registry/rigs.yaml": RIGS + "rig-9:\n"})
    second = update_index(root)
    assert second.findings == [] and second.sessions == 2
    assert (second.refresh.modified, second.refresh.rechecked) == ([], 2)
    write_root(root, {"registry/attributes.yaml": "rig: {values: [rig-1]}\n"})
    third = update_index(root)
    assert [f.path for f in third.findings] == ["t/session.yaml"]
    write_root(root, {"registry/attributes.yaml": None})
    fourth = update_index(root)
    assert fourth.findings == [] and fourth.sessions == 2
    assert update_index(root).refresh.rechecked == 0  # nothing changed: nothing read


def test_new_and_write_sidecar_refuse_before_writing(tmp_path: Path) -> None:
    root = _root(tmp_path, {})
    runner = CliRunner()
    for value, code in (("warm", "attribute-type"), ("80", "attribute-value")):
        result = runner.invoke(
            main,
            [
                "new",
                str(root / "n"),
                "--subject",
                "M001",
                "--datetime",
                "2024-01-17 10:00:00",
                "--attribute",
                "rig=rig-1",
                "--attribute",
                f"temperature_c={value}",
            ],
        )
        assert result.exit_code == 1 and code in result.output
        assert not (root / "n").exists()
    record = {"subject": "M001", "session_datetime": "2024-01-18 10:00:00"}
    with pytest.raises(SidecarError) as refused:
        write_sidecar(root / "w", {**record, "attributes": {"rig": "rig-1", "temperature_c": 80}})
    assert [f.code for f in refused.value.findings] == ["attribute-value"]
    assert not (root / "w").exists()
    written = write_sidecar(
        root / "w", {**record, "attributes": {"rig": "rig-1", "tempe": 1}}, check=False
    )
    assert written.exists()
    with pytest.raises(SidecarError) as refused:
        set_attributes(root / "w", {"temperature_c": 36.5})
    assert [f.code for f in refused.value.findings] == ["unknown-attribute"]
    assert "tempe" in (root / "w/session.yaml").read_text()  # left as it was
    findings = check_session(root, root / "x", _record(rig="rig-1", temperature_c="36.5"))
    assert findings == []


def _record(**attributes: str) -> object:
    from session_files.records import Sidecar

    return Sidecar.model_validate(
        {"subject": "M001", "session_datetime": "2024-01-19 10:00:00", "attributes": attributes}
    )


def test_validate_json_carries_the_new_codes(tmp_path: Path) -> None:
    root = _root(tmp_path, {"s": _session("  rgi: rig-1\n")})
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])
    document = json.loads(result.stdout)
    assert [f["code"] for f in document["findings"]] == ["unknown-attribute"]


def test_watch_reports_vocabulary_findings_as_the_vocabulary_changes(tmp_path: Path) -> None:
    import threading

    import session_files

    root = _root(tmp_path, {"s": _session("  rig: rig-1\n  temperature_c: 37\n")})
    stop = threading.Event()
    events = session_files.watch(root, stop_event=stop)
    try:
        first = next(events)
        assert (first.sessions, first.errors) == (1, 0)
        write_root(
            root, {"registry/attributes.yaml": VOCABULARY.replace("maximum: 42", "maximum: 36")}
        )
        second = next(events)
        assert [(f.code, f.path) for f in second.appeared] == [
            ("attribute-value", "s/session.yaml")
        ]
        write_root(root, {"s/session.yaml": _session("  rig: rig-1\n  temperature_c: 35\n")})
        third = next(events)
        assert [f.code for f in third.cleared] == ["attribute-value"] and third.sessions == 1
    finally:
        stop.set()
    assert next(events, None) is None
