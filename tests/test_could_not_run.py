"""Exit status 2 still prints a valid document in json, junit and sarif (SPEC 8), so a CI
upload step never chokes on an empty file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from session_files.cli import main
from tests.test_reporters import sarif_schema


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def junit_structure(document: ET.Element) -> None:
    """The JUnit XML structure CI systems read: counts that match the test cases."""
    assert document.tag == "testsuites"
    suites = document.findall("testsuite")
    assert suites and all(child.tag == "testsuite" for child in document)
    for element in (document, *suites):
        cases = element.iter("testcase")
        cases = list(cases)
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(sum(c.find("failure") is not None for c in cases))
        assert element.get("errors") == str(sum(c.find("error") is not None for c in cases))
        assert element.get("skipped") == "0"
    for case in document.iter("testcase"):
        assert case.get("name") and case.get("classname")
        for outcome in ("failure", "error"):
            assert len(case.findall(outcome)) <= 1
            found = case.find(outcome)
            assert found is None or found.get("message")


@pytest.fixture
def missing(tmp_path: Path) -> str:
    return str(tmp_path / "nonexistent")


def test_json_says_why_it_could_not_run(missing: str) -> None:
    code, out, err = run("validate", missing, "--format", "json")
    assert code == 2
    assert json.loads(out) == {
        "root": missing,
        "ok": False,
        "counts": {"sessions": 0, "errors": 0, "warnings": 0},
        "findings": [],
        "error": f"{missing}: no such directory",
    }
    assert f"{missing}: no such directory" in err


def test_sarif_is_valid_and_says_execution_failed(missing: str) -> None:
    """Was: 0 bytes on stdout, so the SARIF upload step failed on invalid JSON."""
    code, out, _ = run("validate", missing, "--format", "sarif")
    assert code == 2
    log = json.loads(out)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    (run_,) = log["runs"]
    (invocation,) = run_["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 2
    notification = invocation["toolExecutionNotifications"][0]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == f"{missing}: no such directory"
    assert run_["results"] == []


def test_sarif_of_a_run_that_ran_says_so(lab: Path) -> None:
    code, out, _ = run("validate", str(lab), "--format", "sarif")
    assert code == 0
    log = json.loads(out)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_junit_is_valid_with_one_test_case_in_error(missing: str) -> None:
    code, out, _ = run("validate", missing, "--format", "junit")
    assert code == 2
    document = ET.fromstring(out.encode())
    junit_structure(document)
    (case,) = document.iter("testcase")
    error = case.find("error")
    assert error is not None
    assert error.get("message") == f"{missing}: no such directory"


def test_junit_of_normal_runs_keeps_its_structure(lab: Path) -> None:
    (lab / "M002/2024-02-01_11-15-00/session.yaml").write_text("subject: [\n")
    code, out, _ = run("validate", str(lab), "--format", "junit")
    assert code == 1
    junit_structure(ET.fromstring(out.encode()))


def test_github_annotates_the_reason(missing: str) -> None:
    code, out, _ = run("validate", missing, "--format", "github")
    assert code == 2
    assert out == f"::error title=session-files::{missing}: no such directory\n"


@pytest.mark.parametrize("fmt", ["json", "junit", "sarif"])
def test_a_bad_registry_option_and_no_root_found_also_print_a_document(
    lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    code, out, _ = run("validate", str(lab), "--registry", str(tmp_path / "nope"), "--format", fmt)
    assert code == 2 and out.strip()
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    code, out, _ = run("validate", "--format", fmt)
    assert code == 2
    if fmt == "junit":
        junit_structure(ET.fromstring(out.encode()))
    else:
        document = json.loads(out)
        if fmt == "sarif":
            jsonschema.Draft4Validator(sarif_schema()).validate(document)
            assert "no data root found" in json.dumps(document)
        else:
            assert document["ok"] is False and "no data root found" in document["error"]
