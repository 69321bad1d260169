"""``ls`` as a new user expects it (issue 22): columns of the root whatever the filters
leave, attribute filters and sorting, paths that resolve from the current directory, CSV
lists as export writes them, "did you mean" for a mistyped key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files.cli import main

from .fixtures_roots import REGISTRY, sidecar, write_root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_root(
        tmp_path / "lab",
        {
            **REGISTRY,
            "M001/a/session.yaml": sidecar(
                "M001", "2024-01-15 10:00:00", ["alice", "bob"], attributes="  rig: rig-3\n"
            ),
            "M001/b/session.yaml": sidecar(
                "M001", "2024-01-16 10:00:00", attributes="  rig: rig-1\n  temp: 37.5\n"
            ),
            "M002/c/session.yaml": sidecar(
                "M002",
                "2024-01-17 10:00:00",
                attributes="  rig: rig-3\n  temp: 36.5\n  aborted: true\n",
            ),
        },
    )


def test_a_column_of_the_root_is_valid_whatever_the_filters_leave(root: Path) -> None:
    code, out, err = run("ls", str(root), "--columns", "subject,rig,aborted", "--subject", "M001")
    assert (code, err) == (0, "")
    assert out == "subject  rig    aborted\nM001     rig-3\nM001     rig-1\n"


def test_attribute_filters_and_comparisons(root: Path) -> None:
    def dirs(*args: str) -> list[str]:
        code, out, err = run("ls", str(root), "--format", "json", *args)
        assert code == 0, err
        return [row["session_dir"] for row in json.loads(out)]

    assert dirs("--attribute", "rig=rig-3") == ["M001/a", "M002/c"]
    assert dirs("--attribute", "rig=rig-3", "--attribute", "rig=rig-1") == [
        "M001/a",
        "M001/b",
        "M002/c",
    ]
    assert dirs("--attribute", "temp>37") == ["M001/b"]  # as a number: "36.5" < 37
    assert dirs("--attribute", "temp<=37", "--attribute", "rig!=rig-1") == ["M002/c"]
    assert dirs("--attribute", "aborted=true") == ["M002/c"]
    code, _, err = run("ls", str(root), "--attribute", "rig")
    assert code == 2 and "'rig': write NAME=VALUE" in err
    code, out, err = run("ls", str(root), "--attribute", "rgi=rig-3")  # a typo: no empty list
    assert (code, out) == (2, "")
    assert (
        "Invalid value for '--attribute': attribute 'rgi'" in err and "did you mean 'rig'?" in err
    )


def test_sort_by_any_column_missing_values_last(root: Path) -> None:
    code, out, _ = run("ls", str(root), "--columns", "session_dir,temp", "--sort", "-temp")
    assert code == 0
    assert out.splitlines() == [
        "session_dir  temp",
        "M001/b       37.5",
        "M002/c       36.5",
        "M001/a",
    ]
    code, out, _ = run("ls", str(root), "--format", "paths", "--sort", "rig,-session_datetime")
    assert out.splitlines() == [f"{root}/M001/b", f"{root}/M002/c", f"{root}/M001/a"]
    code, _, err = run("ls", str(root), "--sort", "rgi")
    assert code == 2 and "no column 'rgi' (did you mean 'rig'?)" in err


def test_paths_resolve_from_the_current_directory(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root.parent)
    code, out, _ = run("ls", "lab", "--format", "paths", "--subject", "M001")
    assert (code, out) == (0, "lab/M001/a\nlab/M001/b\n")
    monkeypatch.chdir(root / "M001")
    code, out, _ = run("ls", "--format", "paths", "--subject", "M002")  # the root found upward
    assert (code, out) == (0, "../M002/c\n")
    assert (root / "M001" / out.strip()).is_dir()
    monkeypatch.chdir(root)
    code, out, _ = run("ls", "--format", "paths", "--subject", "M002")
    assert (code, out) == (0, "M002/c\n")


def test_csv_writes_lists_as_json_like_export(root: Path, tmp_path: Path) -> None:
    code, out, _ = run("ls", str(root), "--format", "csv", "--columns", "session_dir,experimenters")
    assert code == 0
    assert out.splitlines()[1] == 'M001/a,"[""alice"", ""bob""]"'
    exported = tmp_path / "wide.csv"
    assert run("export", str(root), "--wide", "--out", str(exported))[0] == 0
    assert '"[""alice"", ""bob""]"' in exported.read_text()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--experimenter",
            "alicia",
            "'alicia' is not in the experimenter registry (experimenters.yaml) (did you mean 'alice'?)",
        ),
        ("--subject", "M01", "'M01' is not in the subject registry (subjects.yaml) (did you mean"),
        ("--project", "zzz", "'zzz' is not in the project registry (projects.yaml)\n"),
    ],
)
def test_an_unknown_key_is_an_error_with_did_you_mean(
    root: Path, option: str, value: str, message: str
) -> None:
    code, out, err = run("ls", str(root), option, value)
    assert (code, out) == (2, "")
    assert message in err
