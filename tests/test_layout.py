"""The ``layout`` convention of the root config: the template, and ``layout-mismatch``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import session_files
from session_files import expected_session_dir

from .fixtures_roots import REGISTRY, sidecar, write_root

LAYOUT = "{subject}/{session_datetime:%Y-%m-%d_%H-%M-%S}"
CONFIG = f'layout: "{LAYOUT}"\n'


def test_the_template_gives_the_session_directory() -> None:
    when = datetime(2024, 5, 1, 10, 0, 7)
    assert expected_session_dir(LAYOUT, "M001", when) == "M001/2024-05-01_10-00-07"
    assert expected_session_dir("rigs/{subject}/{session_datetime:%Y%m%d}/", "R1", when) == (
        "rigs/R1/20240501"
    )


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("{rig}/{subject}", "uses {rig}; the fields are {subject} and {session_datetime:FORMAT}"),
        ("{subject", "is not a valid template"),
        ("../{subject}", "must give a path inside the root"),
        ("/data/{subject}", "must give a path inside the root"),
    ],
)
def test_a_bad_layout_is_a_finding_of_the_config(tmp_path: Path, layout: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"the fields are|not a valid|inside the root"):
        expected_session_dir(layout, "M001", datetime(2024, 1, 1))
    write_root(tmp_path, {**REGISTRY, "session-files.yaml": f'layout: "{layout}"\n'})
    findings = session_files.validate(tmp_path).findings
    assert [(f.path, f.code) for f in findings] == [("session-files.yaml", "schema")]
    assert message in findings[0].message


def test_a_sidecar_outside_its_layout_directory_is_a_warning_naming_the_expected_path(
    tmp_path: Path,
) -> None:
    write_root(
        tmp_path,
        {
            **REGISTRY,
            "session-files.yaml": CONFIG,
            "M001/2024-01-15_10-30-00/session.yaml": sidecar("M001", "2024-01-15 10:30:00"),
            # a copy left in another subject's folder, edited to the right subject
            "M002/2024-01-15_10-30-00/session.yaml": sidecar("M001", "2024-01-16 10:30:00"),
        },
    )
    report = session_files.validate(tmp_path)
    assert report.ok
    assert report.sessions == 2
    assert [(f.severity, f.code, f.path, f.line) for f in report.findings] == [
        ("warning", "layout-mismatch", "M002/2024-01-15_10-30-00/session.yaml", None)
    ]
    assert report.findings[0].message == (
        "is in 'M002/2024-01-15_10-30-00', but the root config's layout"
        f" {LAYOUT!r} puts subject 'M001' at 2024-01-16 10:30:00 in"
        " 'M001/2024-01-16_10-30-00'; move the session directory there"
        " (or fix subject or session_datetime)"
    )


def test_changing_the_layout_rechecks_every_sidecar(tmp_path: Path) -> None:
    write_root(
        tmp_path,
        {**REGISTRY, "M001/2024-01-15/session.yaml": sidecar("M001", "2024-01-15 10:30:00")},
    )
    session_files.update_index(tmp_path)
    assert session_files.validate(tmp_path).findings == []
    write_root(tmp_path, {"session-files.yaml": CONFIG})
    assert [f.code for f in session_files.validate(tmp_path).findings] == ["layout-mismatch"]
    write_root(
        tmp_path, {"session-files.yaml": 'layout: "{subject}/{session_datetime:%Y-%m-%d}"\n'}
    )
    assert session_files.validate(tmp_path).findings == []


def test_the_example_lab_follows_its_layout() -> None:
    root = Path(__file__).parent.parent / "examples/lab"
    assert "layout:" in (root / "session-files.yaml").read_text(encoding="utf-8")
    report = session_files.validate(root)
    assert (report.sessions, report.findings) == (12, [])
