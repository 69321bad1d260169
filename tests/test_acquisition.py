"""Acquisition: checked writes at session start, ``--datetime now``, Python values, ``--root``."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import session_files
from session_files import (
    Attribute,
    Sidecar,
    SidecarError,
    SidecarWarning,
    read_sidecar,
    update_sidecar,
    write_sidecar,
)
from session_files.cli import main

from .fixtures_roots import REGISTRY, sidecar, write_root
from .strategies import text

LAYOUT = "{subject}/{session_datetime:%Y-%m-%d_%H-%M-%S}"


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """A root with registries and one session, M001 at 2024-01-15 10:30:00."""
    return write_root(
        tmp_path / "lab",
        {**REGISTRY, "M001/2024-01-15_10-30-00/session.yaml": sidecar("M001")},
    )


def new(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["new", *args])
    return result.exit_code, result.stdout, result.stderr


def unchecked_findings(root: Path, session_dir: Path, record: dict[str, object]) -> list[tuple]:
    """What validate says about the record, written without a check."""
    write_sidecar(session_dir, record, check=False)
    rel = (session_dir / "session.yaml").relative_to(root).as_posix()
    return [
        (f.path, f.line, f.column, f.code, f.message)
        for f in session_files.validate(root).findings
        if f.path == rel
    ]


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (["--subject", "ZZZ"], "unknown-subject"),
        (
            ["--subject", "M001", "--experimenter", "alice", "--experimenter", "zed"],
            "unknown-experimenter",
        ),
        (["--subject", "M001", "--project", "nope"], "unknown-project"),
    ],
)
def test_cli_new_refuses_unknown_registry_keys_as_validate_reports_them(
    lab: Path, options: list[str], code: str
) -> None:
    target = lab / "ZZZ/x"
    status, out, err = new(str(target), "--datetime", "2024-05-01 10:00:00", *options)
    assert status == 1, out + err
    assert not target.exists()
    assert "not written" in err
    # the same finding, word for word, as validate gives once the file is there
    record = {"subject": options[1], "session_datetime": "2024-05-01 10:00:00"}
    record["experimenters"] = [v for k, v in pairwise(options) if k == "--experimenter"]
    record["projects"] = [v for k, v in pairwise(options) if k == "--project"]
    expected = unchecked_findings(lab, target, {k: v or None for k, v in record.items()})
    assert [finding[3] for finding in expected] == [code]
    path, line, column, _, message = expected[0]
    assert f"{path}:{line}:{column}: error: {code}: {message}" in err


def test_cli_new_refuses_a_session_the_root_already_has(lab: Path) -> None:
    status, _, err = new(
        str(lab / "elsewhere"), "--subject", "M001", "--datetime", "2024-01-15 10:30:00"
    )
    assert status == 1
    assert (
        "elsewhere/session.yaml:2:19: error: duplicate-session: declares the same session as"
        " M001/2024-01-15_10-30-00/session.yaml (subject 'M001', session_datetime"
        " 2024-01-15 10:30:00)"
    ) in err
    assert not (lab / "elsewhere").exists()


def test_no_check_writes_what_the_checks_refuse(lab: Path) -> None:
    status, out, _ = new(
        str(lab / "ZZZ/x"), "--subject", "ZZZ", "--datetime", "2024-05-01 10:00:00", "--no-check"
    )
    assert status == 0
    assert out == f"wrote {lab / 'ZZZ/x/session.yaml'}\n"
    with pytest.raises(SidecarError) as caught:
        write_sidecar(lab / "ZZZ/y", {"subject": "ZZZ", "session_datetime": "2024-05-02 10:00:00"})
    assert [f.code for f in caught.value.findings] == ["unknown-subject"]
    assert not (lab / "ZZZ/y").exists()
    write_sidecar(
        lab / "ZZZ/y", {"subject": "ZZZ", "session_datetime": "2024-05-02 10:00:00"}, check=False
    )


def test_write_sidecar_checks_against_the_root_it_is_in_or_is_given(lab: Path) -> None:
    same = {"subject": "M001", "session_datetime": datetime(2024, 1, 15, 10, 30)}
    with pytest.raises(SidecarError) as caught:
        write_sidecar(lab / "M001/copy", same)
    assert [(f.code, f.path) for f in caught.value.findings] == [
        ("duplicate-session", "M001/copy/session.yaml")
    ]
    # the root given, not looked for
    with pytest.raises(SidecarError):
        write_sidecar(lab / "M009/x", {**same, "subject": "ZZZ"}, root=lab)
    with pytest.raises(ValueError, match="is not inside the data root"):
        write_sidecar(lab.parent / "outside", same, root=lab)
    assert not (lab.parent / "outside").exists()


def test_a_duplicate_the_index_remembers_but_the_file_no_longer_declares_is_not_one(
    lab: Path,
) -> None:
    session_files.update_index(lab)  # the index knows M001 at 10:30
    write_root(
        lab, {"M001/2024-01-15_10-30-00/session.yaml": sidecar("M001", "2024-01-15 11:00:00")}
    )
    write_sidecar(lab / "M001/new", {"subject": "M001", "session_datetime": "2024-01-15 10:30:00"})


def test_a_severity_override_lets_a_warning_through_and_says_so(lab: Path) -> None:
    write_root(lab, {"session-files.yaml": "severity:\n  unknown-experimenter: warning\n"})
    with pytest.warns(SidecarWarning, match="unknown-experimenter: experimenter 'zed'"):
        write_sidecar(
            lab / "M002/a",
            {
                "subject": "M002",
                "session_datetime": "2024-05-01 10:00:00",
                "experimenters": ["zed"],
            },
        )
    status, _, err = new(
        str(lab / "M002/b"), "--subject", "M002", "--datetime", "2024-05-02 10:00:00",
        "--experimenter", "zed",
    )  # fmt: skip
    assert status == 0
    assert "M002/b/session.yaml:3:17: warning: unknown-experimenter: experimenter 'zed'" in err


def test_cli_new_outside_any_root_needs_no_check(tmp_path: Path) -> None:
    status, _, err = new(
        str(tmp_path / "s"), "--subject", "M001", "--datetime", "2024-05-01 10:00:00"
    )
    assert status == 2
    assert "is in no data root" in err
    assert "--no-check" in err
    assert not (tmp_path / "s").exists()


def test_write_sidecar_refuses_to_replace_a_sidecar_unless_told(tmp_path: Path) -> None:
    record = {"subject": "M001", "session_datetime": "2024-05-01 10:00:00"}
    write_sidecar(tmp_path, record)
    with pytest.raises(FileExistsError, match="pass overwrite=True"):
        write_sidecar(tmp_path, {**record, "note": "second"})
    assert read_sidecar(tmp_path).note is None
    write_sidecar(tmp_path, {**record, "note": "second"}, overwrite=True)
    assert read_sidecar(tmp_path).note == "second"


def test_datetime_now_is_local_time_to_the_second(lab: Path) -> None:
    before = datetime.now().replace(microsecond=0)
    status, out, err = new(str(lab / "M002/today"), "--subject", "M002", "--datetime", "now")
    after = datetime.now()
    assert status == 0, out + err
    written = read_sidecar(lab / "M002/today").session_datetime
    assert before <= written <= after
    assert written.microsecond == 0


def test_python_now_is_a_valid_session_datetime(tmp_path: Path) -> None:
    with pytest.raises(SidecarError, match="fractional seconds"):
        write_sidecar(
            tmp_path / "a",
            {"subject": "M001", "session_datetime": datetime.now().replace(microsecond=1)},
        )
    when = session_files.now()
    assert when.microsecond == 0
    write_sidecar(tmp_path / "b", {"subject": "M001", "session_datetime": when})
    assert read_sidecar(tmp_path / "b").session_datetime == when


def test_numbers_and_booleans_are_stored_as_their_canonical_text(tmp_path: Path) -> None:
    values = {"laser_mw": 3.5, "trials": 120, "shutter": True, "dark": False, "gain": 1e-07}
    write_sidecar(
        tmp_path,
        {
            "subject": "M001",
            "session_datetime": "2024-05-01 10:00:00",
            "attributes": {**values, "depth": {"value": 1200, "blob": [1, 2]}},
        },
    )
    attributes = read_sidecar(tmp_path).attributes or {}
    assert {name: a.value for name, a in attributes.items()} == {
        "laser_mw": "3.5",
        "trials": "120",
        "shutter": "true",
        "dark": "false",
        "gain": "1e-07",
        "depth": "1200",
    }
    assert attributes["depth"].blob == [1, 2]
    assert Attribute.model_validate(float("nan")).value == ".nan"


def test_update_sidecar_with_model_copy_adds_changes_and_removes(tmp_path: Path) -> None:
    write_sidecar(
        tmp_path,
        {
            "subject": "M001",
            "session_datetime": "2024-05-01 10:00:00",
            "experimenters": ["alice"],
            "projects": ["vision"],
            "attributes": {"rig": "rig-1", "old": "x"},
        },
    )

    def change(record: Sidecar) -> Sidecar:
        attributes = dict(record.attributes or {})
        attributes["laser_mw"] = 3.5  # type: ignore[assignment]
        attributes["rig"] = "rig-2"  # type: ignore[assignment]
        attributes.pop("old")
        return record.model_copy(
            update={
                "attributes": attributes,
                "experimenters": [*(record.experimenters or []), "bob"],
                "projects": None,
            }
        )

    written = update_sidecar(tmp_path, change)
    assert read_sidecar(tmp_path) == written
    assert written.experimenters == ["alice", "bob"]
    assert written.projects is None
    assert {k: v.value for k, v in (written.attributes or {}).items()} == {
        "rig": "rig-2",
        "laser_mw": "3.5",
    }


def test_update_sidecar_checks_the_new_record_against_the_root(lab: Path) -> None:
    session = lab / "M001/2024-01-15_10-30-00"
    with pytest.raises(SidecarError) as caught:
        update_sidecar(session, lambda r: r.model_copy(update={"experimenters": ["zed"]}))
    assert [f.code for f in caught.value.findings] == ["unknown-experimenter"]
    # its own file is not a duplicate of itself
    update_sidecar(session, lambda r: r.model_copy(update={"experimenters": ["bob"]}))
    assert read_sidecar(session).experimenters == ["bob"]


ATTRIBUTE_VALUES = (
    text(max_size=20)
    | st.integers()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
)
NAMES = st.sampled_from(["rig", "laser_mw", "shutter", "depth", "a"])
USERS = st.sampled_from(["alice", "bob", "chen"])


@settings(max_examples=30)  # each example writes (and fsyncs) twice
@given(
    set_attributes=st.dictionaries(NAMES, ATTRIBUTE_VALUES, max_size=4),
    remove=st.sets(NAMES, max_size=3),
    experimenters=st.lists(USERS, unique=True, max_size=3),
    projects=st.none() | st.lists(st.sampled_from(["vision", "pilot"]), unique=True, max_size=2),
)
def test_any_edit_through_update_sidecar_reads_back(
    tmp_path_factory: pytest.TempPathFactory,
    set_attributes: dict[str, object],
    remove: set[str],
    experimenters: list[str],
    projects: list[str] | None,
) -> None:
    directory = tmp_path_factory.mktemp("edit")
    write_sidecar(
        directory,
        {"subject": "M001", "session_datetime": "2024-05-01 10:00:00", "attributes": {"a": "1"}},
    )

    def change(record: Sidecar) -> Sidecar:
        attributes: dict[str, object] = {**(record.attributes or {}), **set_attributes}
        for name in remove:
            attributes.pop(name, None)
        return record.model_copy(
            update={
                "attributes": attributes or None,
                "experimenters": experimenters or None,
                "projects": projects,
            }
        )

    written = update_sidecar(directory, change)
    back = read_sidecar(directory)
    assert back == written
    expected = {
        "a": "1",
        **{k: Attribute.model_validate(v).value for k, v in set_attributes.items()},
    }
    for name in remove:
        expected.pop(name, None)
    assert {k: v.value for k, v in (back.attributes or {}).items()} == expected
    assert back.experimenters == (experimenters or None)
    assert back.projects == projects


def test_new_with_root_creates_the_directory_the_layout_gives(lab: Path) -> None:
    status, _, err = new(
        "--root", str(lab), "--subject", "M002", "--datetime", "2024-05-01 10:00:00"
    )
    assert status == 2
    assert "session-files.yaml does not exist, so there is no layout" in err
    write_root(lab, {"session-files.yaml": f'layout: "{LAYOUT}"\n'})
    status, out, err = new(
        "--root", str(lab), "--subject", "M002", "--datetime", "2024-05-01 10:00:00"
    )
    assert status == 0, err
    assert out == f"wrote {lab / 'M002/2024-05-01_10-00-00/session.yaml'}\n"
    assert session_files.validate(lab).findings == []
    status, _, err = new(str(lab), "--root", str(lab), "--subject", "M002", "--datetime", "now")
    assert status == 2
    assert "give SESSION_DIR or --root ROOT" in err


def test_a_session_written_outside_the_layout_is_written_with_a_warning(lab: Path) -> None:
    write_root(lab, {"session-files.yaml": f'layout: "{LAYOUT}"\n'})
    status, _, err = new(
        str(lab / "M001/x"), "--subject", "M002", "--datetime", "2024-05-01 10:00:00"
    )
    assert status == 0
    assert "M001/x/session.yaml: warning: layout-mismatch: is in 'M001/x'" in err
    assert "'M002/2024-05-01_10-00-00'" in err


@pytest.mark.parametrize(
    ("change", "code", "line", "column"),
    [
        ({"experimenters": ["alice", "zed"]}, "unknown-experimenter", 3, 24),
        ({"projects": ["nope"]}, "unknown-project", 3, 12),
    ],
)
def test_write_sidecar_refuses_unknown_experimenters_and_projects_where_validate_points(
    lab: Path, change: dict[str, list[str]], code: str, line: int, column: int
) -> None:
    record = {"subject": "M002", "session_datetime": "2024-05-01 10:00:00", **change}
    with pytest.raises(SidecarError) as caught:
        write_sidecar(lab / "M002/s", record)
    assert not (lab / "M002/s").exists()
    refused = [(f.path, f.line, f.column, f.code, f.message) for f in caught.value.findings]
    assert refused == unchecked_findings(lab, lab / "M002/s", record)
    assert [(f[1], f[2], f[3]) for f in refused] == [(line, column, code)]


def test_an_index_that_cannot_be_trusted_is_rebuilt_before_the_duplicate_check(lab: Path) -> None:
    """An index another version wrote is not read as it is (its duplicates could be wrong
    or missing): the check rebuilds it, and the duplicate is found."""
    session_files.update_index(lab)
    index = lab / ".session-files" / "index.sqlite"
    with sqlite3.connect(index) as conn:
        conn.execute("UPDATE meta SET value = 'another' WHERE key = 'tool_version'")
        conn.execute("DELETE FROM stage_session")
    conn.close()
    with pytest.raises(SidecarError) as caught:
        write_sidecar(lab / "copy", {"subject": "M001", "session_datetime": "2024-01-15 10:30:00"})
    assert [f.code for f in caught.value.findings] == ["duplicate-session"]
