"""``session-files export``: parquet, CSV safe for spreadsheets, JSON lines, left-out counts."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from session_files.cli import main
from tests.fixtures_roots import sidecar, write_root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_wide_parquet_has_typed_columns_and_blobs_as_json(lab: Path, tmp_path: Path) -> None:
    out = tmp_path / "sessions.parquet"
    code, stdout, stderr = run("export", str(lab), "--wide", "--out", str(out))
    assert (code, stdout, stderr) == (0, f"{out}: 3 rows, 14 columns\n", "")
    table = pq.read_table(out)
    assert str(table.schema.field("session_datetime").type).startswith("timestamp")
    assert str(table.schema.field("subject_birth_date").type) == "date32[day]"
    assert str(table.schema.field("temperature_c").type) == "double"
    assert str(table.schema.field("experimenters").type) == "list<element: string>"
    rows = table.to_pylist()
    assert rows[0]["session_datetime"] == datetime(2024, 1, 15, 10, 30)
    assert rows[0]["subject_birth_date"] == date(2023, 10, 1)
    assert rows[0]["temperature_c"] == 36.5
    assert rows[0]["depths__blob"] == "[1200,1500]"
    assert rows[2]["experimenters"] == ["bob"]


def test_one_table_to_parquet_with_blobs(lab: Path, tmp_path: Path) -> None:
    out = tmp_path / "attributes.data"
    code, stdout, _ = run(
        "export",
        str(lab),
        "--table",
        "session__attribute",
        "--format",
        "parquet",
        "--out",
        str(out),
    )
    assert (code, stdout) == (0, f"{out}: 3 rows, 5 columns\n")
    blobs = [row["attribute_blob"] for row in pq.read_table(out).to_pylist()]
    assert blobs == ["[1200,1500]", None, None]


def test_csv_is_safe_for_spreadsheets(tmp_path: Path, lab: Path) -> None:
    """A note starting with = was a formula in the spreadsheet that opened ls's CSV."""
    write_root(
        lab,
        {
            "M002/2024-02-01_11-15-00/session.yaml": sidecar(
                "M002",
                "2024-02-01 11:15:00",
                note='"=HYPERLINK(\\"http://x\\",\\"click\\")"',
                attributes="  offset: -4\n  label: '+1 dB'\n  who: '@bob'\n",
            )
        },
    )
    out = tmp_path / "wide.csv"
    assert run("export", str(lab), "--wide", "--out", str(out))[0] == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[2]["session_note"] == '\'=HYPERLINK("http://x","click")'
    assert rows[2]["label"] == "'+1 dB"
    assert rows[2]["who"] == "'@bob"
    assert rows[2]["offset"] == "-4"  # a number column stays a number
    assert rows[0]["experimenters"] == '["alice", "bob"]'
    assert rows[0]["temperature_c"] == "36.5"
    assert rows[0]["session_datetime"] == "2024-01-15 10:30:00"


def test_jsonl_one_object_per_line(lab: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes.jsonl"
    assert run("export", str(lab), "--table", "session_note", "--out", str(out))[0] == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"subject": "M001", "session_datetime": "2024-01-15 10:30:00", "session_note": "Went well."}
    ]


def test_left_out_sidecars_are_counted_on_stderr(lab: Path, tmp_path: Path) -> None:
    write_root(lab, {"bad/session.yaml": sidecar("M009", "2024-03-01 10:00:00")})
    out = tmp_path / "s.csv"
    code, _, stderr = run("export", str(lab), "--table", "session", "--out", str(out))
    assert code == 0
    assert stderr == (
        f"warning: 1 sidecar was left out of the view of {lab} because of errors;"
        f" to see them, run: session-files validate {lab}\n"
    )
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    assert run("export", str(lab), "--table", "session", "--out", str(out), "--strict")[0] == 1


def test_bad_requests_exit_2(lab: Path, tmp_path: Path) -> None:
    code, _, stderr = run("export", str(lab), "--out", str(tmp_path / "x.csv"))
    assert code == 2 and "give either --table NAME or --wide" in stderr
    code, _, stderr = run("export", str(lab), "--wide", "--out", str(tmp_path / "x.xlsx"))
    assert code == 2 and "cannot tell the format of 'x.xlsx'" in stderr
    code, _, stderr = run(
        "export", str(lab), "--table", "sessions", "--out", str(tmp_path / "x.csv")
    )
    assert code == 2 and "no table 'sessions'; the tables are: subject" in stderr
    assert not (tmp_path / "x.csv").exists()
