"""Whole-root validation: exact findings and the rows that make it into the view."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from session_files import validate
from session_files.api import validate_and_load
from tests.fixtures_roots import EXPERIMENTERS, PROJECTS, REGISTRY, lab_files, sidecar, write_root


def found(root: Path, **options: Any) -> list[tuple[str, str, str, int | None, int | None]]:
    report = validate(root, **options)
    return [(f.severity, f.code, f.path, f.line, f.column) for f in report.findings]


def messages(root: Path, **options: Any) -> list[str]:
    return [f.message for f in validate(root, **options).findings]


def test_a_valid_root_has_no_findings_and_every_session(lab: Path) -> None:
    report, catalog = validate_and_load(lab)
    assert report.ok
    assert report.findings == []
    assert report.sessions == 3
    assert report.to_dict()["counts"] == {"sessions": 3, "errors": 0, "warnings": 0}
    assert len(catalog["session_experimenter"]) == 3


def test_validate_without_an_index_writes_nothing_into_the_root(lab: Path) -> None:
    before = sorted(p.relative_to(lab) for p in lab.rglob("*"))
    validate(lab)
    assert sorted(p.relative_to(lab) for p in lab.rglob("*")) == before


UNKNOWN = sidecar("M009", "2024-03-01 10:00:00", ["alice", "carol"], ["vision", "nope"])


def test_unknown_references_point_at_the_value_or_entry(tmp_path: Path) -> None:
    root = write_root(tmp_path, {**REGISTRY, "x/session.yaml": UNKNOWN})
    assert found(root) == [
        ("error", "unknown-subject", "x/session.yaml", 1, 10),
        ("error", "unknown-experimenter", "x/session.yaml", 3, 24),
        ("error", "unknown-project", "x/session.yaml", 4, 20),
    ]
    assert messages(root) == [
        "subject 'M009' is not in registry/subjects.yaml",
        "experimenter 'carol' is not in registry/experimenters.yaml",
        "project 'nope' is not in registry/projects.yaml",
    ]
    assert validate(root).sessions == 0


def test_a_missing_registry_file_says_so(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {"registry/subjects.yaml": REGISTRY["registry/subjects.yaml"], "x/session.yaml": UNKNOWN},
    )
    assert messages(root)[1:] == [
        "experimenter 'alice' is not in registry/experimenters.yaml (that file does not exist)",
        "experimenter 'carol' is not in registry/experimenters.yaml (that file does not exist)",
        "project 'vision' is not in registry/projects.yaml (that file does not exist)",
        "project 'nope' is not in registry/projects.yaml (that file does not exist)",
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("2024-01-15 10:30:00", "'2024-01-15T10:30:00'"),
        ("2024-01-15T10:30:00", '"2024-01-15 10:30:00"'),
        ("2024-01-15 10:30:00", "2024-01-15t10:30:00"),
    ],
)
def test_duplicate_sessions_match_whatever_way_the_datetime_is_written(
    tmp_path: Path, first: str, second: str
) -> None:
    root = write_root(
        tmp_path,
        {
            **REGISTRY,
            "a/session.yaml": sidecar("M001", first),
            "b/session.yaml": sidecar("M001", second),
            "c/session.yaml": sidecar("M002", first),
        },
    )
    report, catalog = validate_and_load(root)
    assert [(f.code, f.path, f.line, f.column) for f in report.findings] == [
        ("duplicate-session", "a/session.yaml", 2, 19),
        ("duplicate-session", "b/session.yaml", 2, 19),
    ]
    assert report.findings[0].message.startswith(
        "declares the same session as b/session.yaml (subject 'M001', session_datetime"
        " 2024-01-15 10:30:00)"
    )
    assert report.findings[1].message.startswith("declares the same session as a/session.yaml")
    assert report.sessions == 1
    assert [row.subject for row in catalog["session"]] == ["M002"]


def test_three_copies_each_name_one_other_and_count_the_rest(tmp_path: Path) -> None:
    files = {f"{d}/session.yaml": sidecar() for d in "abc"}
    report = validate(write_root(tmp_path, {**REGISTRY, **files}))
    assert [f.message.split(" (")[0] for f in report.findings] == [
        "declares the same session as b/session.yaml and 1 other",
        "declares the same session as a/session.yaml and 1 other",
        "declares the same session as a/session.yaml and 1 other",
    ]


def test_thousands_of_copies_make_findings_linear_in_their_number(tmp_path: Path) -> None:
    """An unset rig clock: 3,000 sidecars declare one session. Each message names one
    other copy and counts the rest; before, each listed all 2,999 (6,000 copies made a
    1 GB index and 1 GB of output)."""
    files = {f"{i:05d}/session.yaml": sidecar() for i in range(3000)}
    report = validate(write_root(tmp_path, {**REGISTRY, **files}))
    assert len(report.findings) == 3000
    assert max(len(f.message) for f in report.findings) < 300
    assert report.findings[0].message.startswith(
        "declares the same session as 00001/session.yaml and 2998 others (subject 'M001'"
    )


def test_a_broken_registry_entry_is_reported_and_the_others_stand(tmp_path: Path) -> None:
    subjects = "M001:\n  sex: F\n  subject_birth_date: 2023-10-01\nM002:\n  sex: X\n"
    root = write_root(
        tmp_path,
        {
            **REGISTRY,
            "registry/subjects.yaml": subjects,
            "a/session.yaml": sidecar("M001"),
            "b/session.yaml": sidecar("M002"),
        },
    )
    report, catalog = validate_and_load(root)
    assert [(f.code, f.path, f.line, f.column) for f in report.findings] == [
        ("schema", "registry/subjects.yaml", 5, 3),
        ("schema", "registry/subjects.yaml", 5, 8),
        ("unknown-subject", "b/session.yaml", 1, 10),
    ]
    assert report.findings[2].message.startswith(
        "subject 'M002' is in registry/subjects.yaml but its entry was left out because of"
        " errors; fix that first: registry/subjects.yaml:5:8: schema: "
    )
    assert [row.subject for row in catalog["subject"]] == ["M001"]
    assert report.sessions == 1


def test_an_unparseable_registry_contributes_nothing(tmp_path: Path) -> None:
    root = write_root(
        tmp_path, {**REGISTRY, "registry/projects.yaml": "a: [\n", "a/session.yaml": sidecar()}
    )
    report, catalog = validate_and_load(root)
    assert [(f.code, f.path) for f in report.findings] == [
        ("yaml-syntax", "registry/projects.yaml")
    ]
    assert len(catalog["project"]) == 0
    assert report.sessions == 1


def test_a_broken_sidecar_contributes_no_rows(tmp_path: Path) -> None:
    broken = "subject: M001\nsession_datetime: 2024-01-15 10:30:00\nnote: [1]\nrig: 3\n"
    report, catalog = validate_and_load(
        write_root(tmp_path, {**REGISTRY, "a/session.yaml": broken})
    )
    assert [(f.code, f.line, f.column) for f in report.findings] == [
        ("schema", 3, 7),
        ("schema", 4, 1),
    ]
    assert report.sessions == 0
    assert all(len(catalog[name]) == 0 for name in catalog.names[3:])


def test_ignore_globs_and_the_registry_directory_are_never_scanned(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            **{k.replace("registry/", "meta/reg/"): v for k, v in REGISTRY.items()},
            "session-files.yaml": "registry: meta/reg\nignore: ['scratch/**', '*.tmp/']\n",
            "meta/reg/session.yaml": "not: a sidecar\n",
            "scratch/x/session.yaml": "broken: [\n",
            "old.tmp/session.yaml": "broken: [\n",
            "a/session.yaml": sidecar(),
        },
    )
    report = validate(root)
    assert report.findings == []
    assert report.sessions == 1


def test_severity_overrides_change_drop_and_keep_sessions_honest(tmp_path: Path) -> None:
    files = {
        **REGISTRY,
        "a/session.yml": sidecar("M001", "2024-01-01 00:00:00"),
        "b/session.yaml": sidecar("M001", "2024-01-02 00:00:00", ["alice", "carol"], ["nope"]),
        "c/session.yaml": sidecar("M009", "2024-01-03 00:00:00"),
        "d/session.yaml": sidecar("M002", "2024-01-04 00:00:00"),
        "e/session.yaml": sidecar("M002", "2024-01-04 00:00:00"),
    }
    root = write_root(tmp_path, files)
    assert found(root) == [
        ("warning", "misnamed-sidecar", "a/session.yml", None, None),
        ("error", "unknown-experimenter", "b/session.yaml", 3, 24),
        ("error", "unknown-project", "b/session.yaml", 4, 12),
        ("error", "unknown-subject", "c/session.yaml", 1, 10),
        ("error", "duplicate-session", "d/session.yaml", 2, 19),
        ("error", "duplicate-session", "e/session.yaml", 2, 19),
    ]
    assert validate(root).sessions == 0
    config = (
        'severity:\n  misnamed-sidecar: "off"\n  unknown-experimenter: warning\n'
        '  unknown-project: warning\n  unknown-subject: warning\n  duplicate-session: "off"\n'
    )
    write_root(root, {"session-files.yaml": config})
    report, catalog = validate_and_load(root)
    assert [(f.severity, f.code, f.path) for f in report.findings] == [
        ("warning", "unknown-experimenter", "b/session.yaml"),
        ("warning", "unknown-project", "b/session.yaml"),
        ("warning", "unknown-subject", "c/session.yaml"),
    ]
    assert report.ok
    # b is kept without its unknown keys; c (unknown subject) and d, e (duplicates) cannot be.
    assert report.sessions == 1
    assert catalog["session_experimenter"].to_dicts() == [
        {
            "subject": "M001",
            "session_datetime": catalog["session"].to_dicts()[0]["session_datetime"],
            "user": "alice",
        }
    ]
    assert len(catalog["project_session"]) == 0


def test_non_ascii_and_spaced_directory_names(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {**REGISTRY, "Søren/2024 01 15 morning/session.yaml": sidecar("Søren", note="Ça va")},
    )
    report, catalog = validate_and_load(root)
    assert report.findings == []
    assert catalog.sessions().to_dicts() == [
        {
            "subject": "Søren",
            "session_datetime": catalog["session"].to_dicts()[0]["session_datetime"],
            "session_dir": "Søren/2024 01 15 morning",
            "session_note": "Ça va",
            "experimenters": [],
            "projects": [],
        }
    ]


def test_a_sidecar_at_the_root_is_the_session_directory_dot(tmp_path: Path) -> None:
    report, catalog = validate_and_load(
        write_root(tmp_path, {**REGISTRY, "session.yaml": sidecar()})
    )
    assert report.files == ["session.yaml"]
    assert [r.session_dir for r in catalog["session_directory"]] == ["."]  # type: ignore[attr-defined]


def test_a_session_directory_path_over_256_characters_is_a_schema_error(tmp_path: Path) -> None:
    deep = "/".join(["d" * 60] * 5)
    report = validate(write_root(tmp_path, {**REGISTRY, f"{deep}/session.yaml": sidecar()}))
    assert [(f.code, f.line) for f in report.findings] == [("schema", None)]
    assert "304 characters long" in report.findings[0].message
    assert report.sessions == 0


def test_a_broken_config_is_reported_and_its_defaults_apply(tmp_path: Path) -> None:
    root = write_root(
        tmp_path, {**REGISTRY, "session-files.yaml": "registri: x\n", "a/session.yaml": sidecar()}
    )
    report = validate(root)
    assert [(f.code, f.path, f.line, f.column) for f in report.findings] == [
        ("schema", "session-files.yaml", 1, 1)
    ]
    assert report.sessions == 1


def test_a_registry_outside_the_root_is_named_by_its_absolute_path(tmp_path: Path) -> None:
    outside = write_root(
        tmp_path / "elsewhere",
        {
            "subjects.yaml": "M001: {sex: Q, subject_birth_date: 2023-01-01}\n",
            "projects.yaml": PROJECTS,
            "experimenters.yaml": EXPERIMENTERS,
        },
    )
    root = write_root(tmp_path / "root", {"a/session.yaml": sidecar()})
    report = validate(root, registry=outside)
    posix = outside.as_posix()
    assert [(f.code, f.path) for f in report.findings] == [
        ("schema", f"{posix}/subjects.yaml"),
        ("unknown-subject", "a/session.yaml"),
    ]
    assert report.findings[1].message.startswith(
        f"subject 'M001' is in {posix}/subjects.yaml but its entry was left out because of"
        f" errors; fix that first: {posix}/subjects.yaml:1:13: schema: "
    )
    # the registry= argument overrides the root config
    write_root(root, {"session-files.yaml": "registry: nowhere\n"})
    assert [f.code for f in validate(root, registry=str(outside)).findings] == [
        "schema",
        "unknown-subject",
    ]


def test_unreadable_sidecars_are_findings(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            **REGISTRY,
            "a/session.yaml": b"subject: M001\nnote: caf\xe9\n",
            "b/session.yaml": b"#" * (1024 * 1024 + 10),
        },
    )
    assert found(root) == [
        ("error", "unreadable", "a/session.yaml", 2, 10),
        ("error", "unreadable", "b/session.yaml", None, None),
    ]


def test_findings_are_sorted_by_path_line_column_code(tmp_path: Path) -> None:
    files = {**lab_files(), "z/session.yaml": UNKNOWN, "a/session.yaml": "subject: [\n"}
    report = validate(write_root(tmp_path, files))
    keys = [(f.path, f.line or 0, f.column or 0, f.code) for f in report.findings]
    assert keys == sorted(keys)
    assert [f.path for f in report.findings] == ["a/session.yaml"] + ["z/session.yaml"] * 3


def test_a_fifo_as_an_outside_registry_file_is_unreadable_not_a_hang(tmp_path: Path) -> None:
    outside = write_root(tmp_path / "reg", {"projects.yaml": PROJECTS, "experimenters.yaml": ""})
    os.mkfifo(outside / "subjects.yaml")
    root = write_root(tmp_path / "root", {"a/session.yaml": sidecar()})
    report = validate(root, registry=outside)
    assert [(f.code, f.path) for f in report.findings] == [
        ("unreadable", f"{outside.as_posix()}/subjects.yaml"),
        ("unknown-subject", "a/session.yaml"),
    ]
