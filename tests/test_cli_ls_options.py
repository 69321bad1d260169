"""``ls`` for analysts and shells: columns, absolute paths, paths-only output, wide
characters, spreadsheet-safe CSV and JSON names equal to the Python API's."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner
from wcwidth import wcswidth

from session_files import load_catalog
from session_files.cli import main
from tests.fixtures_roots import sidecar, write_root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_field_names_are_the_python_apis(lab: Path) -> None:
    code, out, _ = run("ls", str(lab), "--format", "json")
    assert code == 0
    with load_catalog(lab) as catalog:
        api = catalog.sessions().to_dicts()
    assert [list(row) for row in json.loads(out)] == [list(row) for row in api]


def test_columns_choose_any_wide_column(lab: Path) -> None:
    code, out, _ = run(
        "ls", str(lab), "--format", "csv", "--columns", "subject,sex", "--columns", "rig"
    )
    assert (code, out) == (0, "subject,sex,rig\nM001,F,rig-3\nM001,F,\nM002,M,\n")
    code, out, _ = run("ls", str(lab), "--format", "json", "--columns", "temperature_c")
    assert json.loads(out) == [
        {"temperature_c": 36.5},
        {"temperature_c": None},
        {"temperature_c": None},
    ]
    code, _, err = run("ls", str(lab), "--columns", "subject,rigg")
    assert code == 2 and "no column 'rigg' (did you mean 'rig'?); the columns are: subject," in err


def test_absolute_paths_and_paths_only_output(lab: Path) -> None:
    code, out, _ = run("ls", str(lab), "--format", "paths", "--subject", "M001")
    assert (code, out) == (0, f"{lab}/M001/2024-01-15_10-30-00\n{lab}/M001/2024-01-16_09-00-00\n")
    code, out, _ = run("ls", str(lab), "--format", "paths", "--absolute", "--subject", "M002")
    assert (code, out) == (0, f"{lab}/M002/2024-02-01_11-15-00\n")
    code, out, _ = run("ls", str(lab), "-0", "--absolute")
    paths = out.split("\0")
    assert paths[-1] == "" and len(paths) == 4
    assert all(Path(path).is_dir() for path in paths[:-1])
    code, out, _ = run("ls", str(lab), "--absolute", "--format", "json", "--columns", "session_dir")
    assert json.loads(out)[0] == {"session_dir": f"{lab}/M001/2024-01-15_10-30-00"}


def test_paths_feed_xargs_0_even_with_spaces(lab: Path) -> None:
    write_root(lab, {"M002/late evening/session.yaml": sidecar("M002", "2024-02-02 20:00:00")})
    out = subprocess.run(
        ["session-files", "ls", str(lab), "-0", "--absolute", "--subject", "M002"],
        capture_output=True,
        check=True,
    ).stdout
    listed = subprocess.run(["xargs", "-0", "ls", "-d"], input=out, capture_output=True, check=True)
    assert listed.stdout.decode().splitlines() == [
        f"{lab}/M002/2024-02-01_11-15-00",
        f"{lab}/M002/late evening",
    ]


def test_table_aligns_wide_characters(lab: Path) -> None:
    write_root(lab, {"M002/実験 二日目/session.yaml": sidecar("M002", "2024-02-02 10:00:00")})
    code, out, _ = run("ls", str(lab), "--columns", "session_dir,subject")
    assert code == 0
    lines = out.splitlines()
    starts = {wcswidth(line[: line.index("M00", 3)]) for line in lines[1:]}
    assert starts == {wcswidth(lines[0][: lines[0].index("subject")])}
    assert lines[-1] == "M002/実験 二日目" + " " * 10 + "M002"  # 16 columns wide, not 10


def test_csv_is_safe_for_spreadsheets(lab: Path) -> None:
    write_root(
        lab,
        {
            "M002/2024-02-01_11-15-00/session.yaml": sidecar(
                "M002", "2024-02-01 11:15:00", note="'=1+2'"
            ),
            "M001/2024-01-16_09-00-00/session.yaml": sidecar(
                "M001", "2024-01-16 09:00:00", note="'@SUM(A1)'"
            ),
        },
    )
    code, out, _ = run("ls", str(lab), "--format", "csv", "--columns", "subject,session_note")
    assert (code, out) == (0, "subject,session_note\nM001,Went well.\nM001,'@SUM(A1)\nM002,'=1+2\n")
