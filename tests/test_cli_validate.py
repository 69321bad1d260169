"""``session-files validate`` end to end: exact output and exit status for every format."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result
from upath import UPath

from session_files.cli import main
from tests.fixtures_roots import REGISTRY, lab_files, sidecar, write_root
from tests.test_reporters import sarif_schema

VALID = [
    "M001/2024-01-15_10-30-00/session.yaml",
    "M001/2024-01-16_09-00-00/session.yaml",
    "M002/2024-02-01_11-15-00/session.yaml",
]
MISNAMED = "M002/2024-02-05_16-45-00/session.yml"
BROKEN = "M009/2024-03-01_10-00-00/session.yaml"
MISNAMED_MESSAGE = (
    "is named 'session.yml'; a sidecar must be named exactly 'session.yaml' to be indexed"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args])


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path (roots are given relative to it), outside any GitHub workspace."""
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def valid(in_tmp: Path) -> Path:
    """``lab/``: three valid sessions and the registries."""
    return write_root(in_tmp / "lab", lab_files())


@pytest.fixture
def broken(in_tmp: Path) -> Path:
    """``lab/``: the valid lab plus a sidecar with two errors and a misnamed sidecar."""
    extra = {
        BROKEN: sidecar("M009", "2024-03-01 10:00:00", ["alice", "carol"]),
        MISNAMED: sidecar("M002", "2024-02-05 16:45:00"),
    }
    return write_root(in_tmp / "lab", {**lab_files(), **extra})


# --- a valid root: exit 0 -----------------------------------------------------------------------


def test_valid_root_text(valid: Path) -> None:
    result = run("lab")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "3 sessions, 0 errors, 0 warnings\n",
        "",
    )


def test_valid_root_defaults_to_the_current_directory(
    valid: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(valid)
    result = run()
    assert (result.exit_code, result.stdout) == (0, "3 sessions, 0 errors, 0 warnings\n")


def test_valid_root_json(valid: Path) -> None:
    result = run("lab", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "root": str(valid),
        "ok": True,
        "counts": {"sessions": 3, "errors": 0, "warnings": 0},
        "findings": [],
    }


def test_valid_root_github_prints_nothing(valid: Path) -> None:
    result = run("lab", "--format", "github")
    assert (result.exit_code, result.stdout) == (0, "")


def test_valid_root_junit_has_a_passing_case_per_sidecar(valid: Path) -> None:
    result = run("lab", "--format", "junit")
    assert result.exit_code == 0
    cases = "".join(
        f'    <testcase name="{path}" classname="{path}" file="{path}" />\n' for path in VALID
    )
    assert result.stdout == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="session-files" tests="3" failures="0" errors="0" skipped="0">\n'
        '  <testsuite name="session-files" tests="3" failures="0" errors="0" skipped="0">\n'
        f"{cases}"
        "  </testsuite>\n"
        "</testsuites>\n"
    )


def test_valid_root_sarif_has_no_results(valid: Path) -> None:
    result = run("lab", "--format", "sarif")
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["runs"][0]["results"] == []


def test_warnings_alone_do_not_fail(valid: Path) -> None:
    write_root(valid, {MISNAMED: sidecar("M002", "2024-02-05 16:45:00")})
    result = run("lab")
    assert result.exit_code == 0
    assert result.stdout == (  # paths resolve from the current directory: lab/ first
        f"lab/{MISNAMED}: warning: misnamed-sidecar: {MISNAMED_MESSAGE}\n"
        "\n"
        "3 sessions, 0 errors, 1 warning\n"
        "1 misnamed-sidecar\n"
    )


# --- a root with errors: exit 1 -----------------------------------------------------------------


def test_broken_root_text(broken: Path) -> None:
    result = run("lab")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        f"lab/{MISNAMED}: warning: misnamed-sidecar: {MISNAMED_MESSAGE}\n"
        f"lab/{BROKEN}:1:10: error: unknown-subject: subject 'M009' is not in registry/subjects.yaml\n"
        f"lab/{BROKEN}:3:24: error: unknown-experimenter: "
        "experimenter 'carol' is not in registry/experimenters.yaml\n"
        "\n"
        "3 sessions, 2 errors, 1 warning\n"
        "1 misnamed-sidecar, 1 unknown-experimenter, 1 unknown-subject\n"
    )


def test_broken_root_json(broken: Path) -> None:
    result = run("lab", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "root": str(broken),
        "ok": False,
        "counts": {"sessions": 3, "errors": 2, "warnings": 1},
        "findings": [
            {
                "severity": "warning",
                "code": "misnamed-sidecar",
                "path": MISNAMED,
                "line": None,
                "column": None,
                "message": MISNAMED_MESSAGE,
            },
            {
                "severity": "error",
                "code": "unknown-subject",
                "path": BROKEN,
                "line": 1,
                "column": 10,
                "message": "subject 'M009' is not in registry/subjects.yaml",
            },
            {
                "severity": "error",
                "code": "unknown-experimenter",
                "path": BROKEN,
                "line": 3,
                "column": 24,
                "message": "experimenter 'carol' is not in registry/experimenters.yaml",
            },
        ],
    }


def test_broken_root_github_paths_are_relative_to_the_current_directory(broken: Path) -> None:
    result = run("lab", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        f"::warning file=lab/{MISNAMED},title=misnamed-sidecar::{MISNAMED_MESSAGE}\n"
        f"::error file=lab/{BROKEN},line=1,col=10,title=unknown-subject::"
        "subject 'M009' is not in registry/subjects.yaml\n"
        f"::error file=lab/{BROKEN},line=3,col=24,title=unknown-experimenter::"
        "experimenter 'carol' is not in registry/experimenters.yaml\n"
    )


def test_junit_names_a_sidecar_at_the_top_of_the_root_as_the_finding_paths_do(
    in_tmp: Path,
) -> None:
    """The root's own session.yaml is ``session.yaml`` in every format (was ``./session.yaml``)."""
    write_root(in_tmp / "lab", {**REGISTRY, "session.yaml": sidecar()})
    result = run("lab", "--format", "junit")
    assert result.exit_code == 0, result.output
    (case,) = ET.fromstring(result.stdout.encode()).findall("testsuite/testcase")
    assert (case.get("name"), case.get("file")) == ("session.yaml", "session.yaml")


def test_broken_root_junit(broken: Path) -> None:
    result = run("lab", "--format", "junit")
    assert result.exit_code == 1
    suite = ET.fromstring(result.stdout.encode()).find("testsuite")
    assert suite is not None
    cases = {case.get("name", ""): case for case in suite.findall("testcase")}
    assert sorted(cases) == sorted([*VALID, MISNAMED, BROKEN])
    assert (suite.get("tests"), suite.get("failures")) == ("5", "1")
    failure = cases[BROKEN].find("failure")
    assert failure is not None
    assert failure.get("message") == "2 errors"
    assert failure.text == (
        f"{BROKEN}:1:10: error: unknown-subject: subject 'M009' is not in registry/subjects.yaml\n"
        f"{BROKEN}:3:24: error: unknown-experimenter: "
        "experimenter 'carol' is not in registry/experimenters.yaml"
    )
    assert cases[MISNAMED].find("failure") is None
    assert cases[MISNAMED].findtext("system-out") == (
        f"{MISNAMED}: warning: misnamed-sidecar: {MISNAMED_MESSAGE}"
    )
    assert all(len(cases[path]) == 0 for path in VALID)


def test_broken_root_sarif(broken: Path) -> None:
    result = run("lab", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    found = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"].get("region"),
        )
        for r in log["runs"][0]["results"]
    ]
    assert found == [
        ("misnamed-sidecar", "warning", f"lab/{MISNAMED}", None),
        ("unknown-subject", "error", f"lab/{BROKEN}", {"startLine": 1, "startColumn": 10}),
        ("unknown-experimenter", "error", f"lab/{BROKEN}", {"startLine": 3, "startColumn": 24}),
    ]


def test_a_memory_url_root(in_tmp: Path) -> None:
    root = UPath(f"memory://lab-{uuid.uuid4().hex}/")
    for rel, content in {**REGISTRY, BROKEN: sidecar("M009", "2024-03-01 10:00:00")}.items():
        target = root.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    result = run(str(root))
    assert result.exit_code == 1
    assert result.stdout == (
        f"{BROKEN}:1:10: error: unknown-subject: subject 'M009' is not in registry/subjects.yaml\n"
        "\n"
        "0 sessions, 1 error, 0 warnings\n"
        "1 unknown-subject\n"
    )


def test_registry_option_points_elsewhere(in_tmp: Path) -> None:
    write_root(
        in_tmp / "shared", {path.removeprefix("registry/"): t for path, t in REGISTRY.items()}
    )
    write_root(in_tmp / "lab", {VALID[0]: sidecar("M001", "2024-01-15 10:30:00", ["alice"])})
    assert run("lab").exit_code == 1
    result = run("lab", "--registry", "shared")
    assert (result.exit_code, result.stdout) == (0, "1 session, 0 errors, 0 warnings\n")


def test_an_index_path_holding_something_else_is_refused_and_left_alone(valid: Path) -> None:
    (valid.parent / "index.sqlite").write_text("not a database", encoding="utf-8")
    result = run("lab", "--index", "index.sqlite")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: could not validate lab: refusing to use index.sqlite as the index: it is not a"
        " session-files index; it is left untouched (choose another --index, or remove it"
        " yourself)\n"
    )
    assert (valid.parent / "index.sqlite").read_text(encoding="utf-8") == "not a database"


# --- could not run: exit 2, one line on stderr, no traceback ------------------------------------


def test_no_such_root(in_tmp: Path) -> None:
    result = run("nope")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "Error: nope: no such directory\n",
    )


def test_no_such_url_root(in_tmp: Path) -> None:
    result = run(f"memory://nothing-{uuid.uuid4().hex}")
    assert result.exit_code == 2
    assert result.stderr.endswith(": no such directory\n")


def test_root_is_a_file(valid: Path) -> None:
    result = run("lab/registry/subjects.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: lab/registry/subjects.yaml: not a directory\n",
    )


def test_bad_format(valid: Path) -> None:
    result = run("lab", "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--format': 'xml' is not one of 'text', 'json', 'github', " in (
        result.stderr
    )


def test_no_such_registry(valid: Path) -> None:
    result = run("lab", "--registry", "nowhere")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"Error: Invalid value for '--registry': {valid.parent / 'nowhere'}: no such directory\n"
    )


def test_an_index_that_cannot_be_written(valid: Path) -> None:
    (valid.parent / "afile").write_text("", encoding="utf-8")
    result = run("lab", "--index", "afile/index.sqlite")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Error: could not validate lab: ")
    assert "Traceback" not in result.stderr


# --- colour: only on a terminal, and never with NO_COLOR ----------------------------------------


def _on_a_terminal(root: Path, env: dict[str, str]) -> bytes:
    """Run the real command with its stdout on a pseudo-terminal; what the terminal got."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "session_files", "validate", str(root)],
            stdout=follower,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
            timeout=120,
        )
        assert process.returncode == 1, process.stderr
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal has nothing more
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)


def test_colour_on_a_terminal_unless_no_color(broken: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    coloured = _on_a_terminal(broken, env)
    assert b"\x1b[31m\x1b[1merror\x1b[0m" in coloured
    assert b"\x1b[31m\x1b[1m3 sessions, 2 errors, 1 warning\x1b[0m" in coloured
    plain = _on_a_terminal(broken, {**env, "NO_COLOR": "1"})
    assert b"\x1b[" not in plain
    assert plain.endswith(
        b"3 sessions, 2 errors, 1 warning\r\n"
        b"1 misnamed-sidecar, 1 unknown-experimenter, 1 unknown-subject\r\n"
    )


# --- the pre-commit hook ------------------------------------------------------------------------


def test_pre_commit_hook_runs_the_validate_command_on_every_commit() -> None:
    """The hook itself is run by the real pre-commit tool in tests/test_pre_commit.py."""
    hooks_file = Path(__file__).parent.parent / ".pre-commit-hooks.yaml"
    (hook,) = yaml.safe_load(hooks_file.read_text(encoding="utf-8"))
    assert hook["id"] == "session-files-validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["always_run"] is True and "files" not in hook
    program, command = hook["entry"].split()
    assert program == "session-files"
    assert command in main.all_commands()
