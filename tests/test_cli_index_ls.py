"""``session-files index`` and ``session-files ls``: exact output and exit status."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files.cli import main
from session_files.index.store import TOOL_VERSION
from tests.fixtures_roots import sidecar, write_root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def summary(out: str) -> list[str]:
    lines = out.splitlines()
    assert re.fullmatch(r"seconds: \d+\.\d\d", lines[-1])
    return lines[:-1]


def test_index_builds_then_reports_what_changed(lab: Path) -> None:
    code, out, err = run("index", str(lab))
    assert (code, err) == (0, "")
    assert summary(out) == [
        f"index: {lab}/.session-files/index.sqlite",
        "added: 3",
        "modified: 0",
        "removed: 0",
        "unchanged: 0",
        "sessions: 3",
        "findings: 0 errors, 0 warnings",
    ]
    write_root(
        lab,
        {
            "M001/2024-01-16_09-00-00/session.yaml": None,
            "M002/2024-02-01_11-15-00/session.yaml": sidecar(
                "M002", "2024-02-01 11:15:00", ["eve"]
            ),
            "a/session.yml": "x\n",
        },
    )
    code, out, err = run("index", str(lab))
    assert code == 0
    assert err == (
        f"warning: 1 sidecar was left out of the view of {lab} because of errors;"
        f" to see them, run: session-files validate {lab}\n"
    )
    assert summary(out)[1:] == [
        "added: 0",
        "modified: 1",
        "removed: 1",
        "unchanged: 1",
        "sessions: 1",
        "findings: 1 error, 1 warning",
    ]


def test_index_defaults_to_the_current_directory_and_takes_an_index_path(
    lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(lab)
    index = tmp_path / "i.sqlite"
    code, out, _ = run("index", "--index", str(index))
    assert code == 0
    assert summary(out)[:2] == [f"index: {index}", "added: 3"]
    assert not (lab / ".session-files").exists()


def test_index_warns_on_stderr_when_it_rebuilds(lab: Path) -> None:
    run("index", str(lab))
    conn = sqlite3.connect(lab / ".session-files/index.sqlite")
    with conn:
        conn.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'tool_version'")
    conn.close()
    code, out, err = run("index", str(lab))
    assert code == 0
    assert err == (
        f"warning: index {lab}/.session-files/index.sqlite cannot be used because it was written"
        f" by session-files 0.0.1 (this is {TOOL_VERSION}); rebuilt from scratch\n"
    )
    assert summary(out)[1] == "added: 3"


def test_index_registry_option_is_relative_to_the_current_directory(
    lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (lab / "registry").rename(lab / "reg")
    monkeypatch.chdir(lab / "reg")
    code, out, _ = run("index", str(lab), "--registry", ".")
    assert code == 0
    assert summary(out)[-2:] == ["sessions: 3", "findings: 0 errors, 0 warnings"]


@pytest.mark.parametrize(
    "args",
    [
        ["index", "/no/such/root"],
        ["ls", "/no/such/root"],
        ["ls", "--format", "xml"],
        ["ls", "--since", "last week"],
        ["index", "--bogus"],
    ],
)
def test_bad_roots_and_options_exit_2(
    args: list[str], lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(lab)
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert "Error" in err


TABLE = """\
subject  session_datetime     session_dir               experimenters  projects
M001     2024-01-15 10:30:00  M001/2024-01-15_10-30-00  alice,bob      vision
M001     2024-01-16 09:00:00  M001/2024-01-16_09-00-00
M002     2024-02-01 11:15:00  M002/2024-02-01_11-15-00  bob            pilot,vision
"""


def test_ls_prints_a_table(lab: Path) -> None:
    assert run("ls", str(lab)) == (0, TABLE, "")


def test_ls_csv(lab: Path) -> None:
    code, out, _ = run("ls", str(lab), "--format", "csv", "--subject", "M001")
    assert code == 0
    assert out == (
        "subject,session_datetime,session_dir,session_note,experimenters,projects\n"
        'M001,2024-01-15 10:30:00,M001/2024-01-15_10-30-00,Went well.,"[""alice"", ""bob""]","[""vision""]"\n'
        "M001,2024-01-16 09:00:00,M001/2024-01-16_09-00-00,,[],[]\n"
    )


def test_ls_json_with_filters(lab: Path) -> None:
    code, out, _ = run(
        "ls",
        str(lab),
        "--format",
        "json",
        "--project",
        "vision",
        "--experimenter",
        "bob",
        "--since",
        "2024-01-15 10:30:00",
        "--until",
        "2024-02-01",
    )
    assert code == 0
    assert json.loads(out) == [
        {
            "subject": "M001",
            "session_datetime": "2024-01-15 10:30:00",
            "session_dir": "M001/2024-01-15_10-30-00",
            "experimenters": ["alice", "bob"],
            "projects": ["vision"],
            "session_note": "Went well.",
        },
        {
            "subject": "M002",
            "session_datetime": "2024-02-01 11:15:00",
            "session_dir": "M002/2024-02-01_11-15-00",
            "experimenters": ["bob"],
            "projects": ["pilot", "vision"],
            "session_note": None,
        },
    ]


def test_ls_with_no_sessions(tmp_path: Path) -> None:
    assert run("ls", str(tmp_path), "--format", "json") == (0, "[]\n", "")
    assert run("ls", str(tmp_path), "--format", "csv") == (
        0,
        "subject,session_datetime,session_dir,session_note,experimenters,projects\n",
        "",
    )
