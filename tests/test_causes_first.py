"""Causes first (SPEC 7): the root config's and the registries' findings come before the
sidecars', every unknown-* finding an unusable registry causes names that file's finding, and
the text format ends with a count per code."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from session_files import validate
from session_files.cli import main
from tests.fixtures_roots import REGISTRY, sidecar, write_root


def _root(tmp_path: Path, sessions: int) -> Path:
    files = {**REGISTRY, "registry/subjects.yaml": "M001: {sex: F, subject_birth_date: [\n"}
    for i in range(sessions):
        files[f"A{i:04d}/session.yaml"] = sidecar(
            "M001", f"2024-01-01 {i // 60:02d}:{i % 60:02d}:00"
        )
    return write_root(tmp_path / "root", files)


def test_a_broken_registry_comes_first_and_every_consequence_names_it(tmp_path: Path) -> None:
    """Was: 4,000 unknown-subject lines, the cause last of 4,001."""
    root = _root(tmp_path, 300)
    report = validate(root)
    first, *rest = report.findings
    assert (first.code, first.path) == ("yaml-syntax", "registry/subjects.yaml")
    assert len(rest) == 300 and {f.code for f in rest} == {"unknown-subject"}
    cause = f"registry/subjects.yaml:{first.line}:{first.column}: yaml-syntax"
    assert all(
        "registry/subjects.yaml is unusable" in f.message and cause in f.message for f in rest
    )


def test_text_ends_with_a_count_per_code_and_github_starts_with_the_cause(tmp_path: Path) -> None:
    root = _root(tmp_path, 12)
    write_root(root, {"session-files.yaml": "registry: [\n"})
    result = CliRunner().invoke(main, ["validate", str(root)])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("session-files.yaml:")
    assert lines[1].startswith("registry/subjects.yaml:")
    assert lines[-2:] == ["0 sessions, 14 errors, 0 warnings", "12 unknown-subject, 2 yaml-syntax"]
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "github"])
    first = result.stdout.splitlines()[:2]
    assert "file=session-files.yaml" in first[0] or "session-files.yaml" in first[0]
    assert "registry/subjects.yaml" in first[1]
