"""write_sidecar: refuses invalid records, writes a stable layout atomically, reads back equal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given

from session_files import Sidecar, SidecarError, read_sidecar, write_sidecar
from session_files.cli import main
from session_files.records import Attribute

from .strategies import sidecars

RECORD = Sidecar(
    subject="M001",
    session_datetime=datetime(2024, 1, 15, 10, 30),
    experimenters=["alice", "bob"],
    projects=["vision-mapping"],
    note="Recording went well.\nSlight drift near the end.",
    attributes={
        "rig": Attribute(value="rig-3"),
        "temperature_c": Attribute(value="36.50"),
        "probe_depths_um": Attribute(value="three shanks", blob=[1200, 1500, 1800]),
        "raw": Attribute(blob={"gain": 2.5}),
    },
)


def test_layout_is_stable_and_in_spec_key_order(tmp_path: Path) -> None:
    path = write_sidecar(tmp_path / "s1", RECORD)
    assert path == tmp_path / "s1" / "session.yaml"
    assert path.read_text(encoding="utf-8") == (
        "subject: M001\n"
        "session_datetime: 2024-01-15 10:30:00\n"
        "experimenters: [alice, bob]\n"
        "projects: [vision-mapping]\n"
        "note: |-\n"
        "  Recording went well.\n"
        "  Slight drift near the end.\n"
        "attributes:\n"
        "  rig: rig-3\n"
        "  temperature_c: '36.50'\n"
        "  probe_depths_um:\n"
        "    value: three shanks\n"
        "    blob: [1200, 1500, 1800]\n"
        "  raw:\n"
        "    blob:\n"
        "      gain: 2.5\n"
    )
    assert read_sidecar(path) == RECORD
    assert read_sidecar(path.parent) == RECORD


def test_a_mapping_is_accepted_and_validated(tmp_path: Path) -> None:
    record = {
        "subject": "M001",
        "session_datetime": "2024-01-15 10:30:00",
        "attributes": {"rig": "r"},
    }
    path = write_sidecar(tmp_path, record)
    assert read_sidecar(path).attributes == {"rig": Attribute(value="r")}


def test_invalid_record_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(SidecarError) as caught:
        write_sidecar(
            tmp_path, {"subject": "TOO-LONG-ID", "session_datetime": "2024-01-15T10:30:00Z"}
        )
    messages = sorted(f.message for f in caught.value.findings)
    assert messages[0].startswith("session_datetime has a UTC offset (Z)")
    assert messages[1] == "subject is 11 characters long; it must be at most 8 ('TOO-LONG-ID')"
    assert list(tmp_path.iterdir()) == []


def test_rewrite_replaces_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    write_sidecar(tmp_path, RECORD)
    smaller = RECORD.model_copy(update={"attributes": None, "note": None})
    write_sidecar(tmp_path, smaller, overwrite=True)
    assert read_sidecar(tmp_path) == smaller
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.yaml"]


def test_rewrite_keeps_the_file_mode(tmp_path: Path) -> None:
    path = write_sidecar(tmp_path, RECORD)
    path.chmod(0o640)
    write_sidecar(tmp_path, RECORD, overwrite=True)
    assert path.stat().st_mode & 0o777 == 0o640


@given(record=sidecars)
def test_any_valid_record_reads_back_equal(
    tmp_path_factory: pytest.TempPathFactory, record: Sidecar
) -> None:
    directory = tmp_path_factory.mktemp("roundtrip")
    path = write_sidecar(directory, record)
    assert read_sidecar(path) == record


def test_cli_new_writes_a_sidecar_that_reads_back(tmp_path: Path) -> None:
    target = tmp_path / "M001" / "2024-01-15_10-30-00"
    result = CliRunner().invoke(
        main,
        [
            "new",
            str(target),
            "--subject",
            "M001",
            "--datetime",
            "2024-01-15T10:30:00",
            "--experimenter",
            "alice",
            "--experimenter",
            "bob",
            "--project",
            "vision-mapping",
            "--note",
            "went well",
            "--attribute",
            "rig=rig-3",
            "--attribute",
            "temperature_c=36.50",
            "--no-check",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {target / 'session.yaml'}\n"
    assert read_sidecar(target) == Sidecar(
        subject="M001",
        session_datetime=datetime(2024, 1, 15, 10, 30),
        experimenters=["alice", "bob"],
        projects=["vision-mapping"],
        note="went well",
        attributes={"rig": Attribute(value="rig-3"), "temperature_c": Attribute(value="36.50")},
    )


def test_cli_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    args = ["new", str(tmp_path), "--subject", "M001", "--datetime", "2024-01-15 10:30:00"]
    args.append("--no-check")
    assert CliRunner().invoke(main, args).exit_code == 0
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1
    assert "exists; pass --force to replace it" in again.output
    assert CliRunner().invoke(main, [*args, "--force", "--note", "n"]).exit_code == 0
    assert read_sidecar(tmp_path).note == "n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--datetime", "2024-01-15 10:30:00.5"], "has fractional seconds"),
        (["--datetime", "2024-01-15"], "has a date but no time"),
        (["--datetime", "2024-01-15 10:30:00", "--attribute", "rig"], "write it as NAME=VALUE"),
    ],
)
def test_cli_new_bad_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["new", str(tmp_path), "--subject", "M001", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "session.yaml").exists()


def test_cli_new_invalid_session_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["new", str(tmp_path), "--subject", "M0000000001", "--datetime", "2024-01-15 10:30:00"],
    )
    assert result.exit_code == 1
    assert "subject is 11 characters long; it must be at most 8" in result.output


@pytest.mark.parametrize("text", ["0x_", "0b_", "0o_", "0x", "+0b", "1_0x"])
def test_text_no_reader_can_make_a_number_of_is_written_and_reads_back(
    tmp_path: Path, text: str
) -> None:
    # '0x_' has the form of a YAML 1.1 integer with no digits: deciding whether it needs
    # quotes once raised AttributeError, so the session could not be written at all
    record = Sidecar(
        subject="M001",
        session_datetime=datetime(2024, 1, 2, 3, 4, 5),
        note=text,
        attributes={"code": Attribute(value=text)},
    )
    write_sidecar(tmp_path, record)
    assert read_sidecar(tmp_path) == record
