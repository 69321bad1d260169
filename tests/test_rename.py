"""Renames across a root: the registry line and one line in each sidecar that refers to the
key, every other byte left alone; refusals write nothing; an interrupted rename finishes
when it is run again."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files.api import validate
from session_files.cli import main
from session_files.write.registry_files import EditRefused
from session_files.write.rename import RenameIncomplete, apply_rename, plan_rename
from tests.fixtures_roots import write_root

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate import generate, sidecar


def _git(root: Path, *args: str) -> str:
    command = ["git", "-C", str(root), "-c", "user.email=t@example.org", "-c", "user.name=t"]
    return subprocess.run([*command, *args], check=True, capture_output=True, text=True).stdout


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*.yaml")
        if ".session-files" not in p.parts
    }


def test_renaming_a_subject_of_300_sessions_in_10000_changes_301_lines(tmp_path: Path) -> None:
    """The issue's case: a subject typed ``M01`` in 300 of 10,000 sessions, renamed."""
    import random
    from datetime import datetime, timedelta

    root = tmp_path / "root"
    generate(9_700, str(root))
    rng = random.Random(1)
    for i in range(300):
        when = datetime(2025, 6, 1, 8) + timedelta(hours=i)
        write_root(root, {f"M01/{when:%Y-%m-%d_%H-%M-%S}/session.yaml": sidecar("M01", when, rng)})
    with (root / "registry" / "subjects.yaml").open("a", encoding="utf-8") as registry:
        registry.write(
            "M01:   # typed for M201 in June\n  sex: F\n  subject_birth_date: 2024-11-02\n"
        )
    (root / ".gitignore").write_text(".session-files/\n.session.yaml.lock\n", encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "root")
    assert validate(root).ok

    dry = CliRunner().invoke(main, ["rename", "subject", "M01", "M201", str(root), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"in {root}: 301 files, 301 lines" in dry.output, dry.output[:2000]
    listed = set(re.findall(r"^  (\S+):(\d+): ", dry.output, re.M))
    assert _snapshot(root) == {p: (root / p).read_bytes() for p in _snapshot(root)}
    status = _git(root, "status", "--porcelain")
    assert status == "", status[:2000]  # the dry run wrote nothing

    result = CliRunner().invoke(main, ["rename", "subject", "M01", "M201", str(root), "--yes"])
    assert result.exit_code == 0, result.output
    assert "renamed: 301 files written" in result.output, result.output[-2000:]
    assert "index: 300 sidecars re-read" in result.output, result.output[-2000:]  # touched only
    stat = _git(root, "diff", "--stat").splitlines()[-1].strip()
    assert stat == "301 files changed, 301 insertions(+), 301 deletions(-)", stat
    diff = _git(root, "diff", "-U0")
    changed = set(re.findall(r"^\+\+\+ b/(\S+)\n@@ -\d+ \+(\d+) @@", diff, re.M))
    assert changed == listed, sorted(changed ^ listed)[:20]
    assert "+M201:   # typed for M201 in June" in diff
    assert diff.count("\n+subject: M201\n") == 300
    assert validate(root).ok


def _lab(tmp_path: Path) -> Path:
    from tests.fixtures_roots import lab_files

    return write_root(tmp_path / "lab", lab_files())


def test_a_rename_into_an_existing_key_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    before = _snapshot(root)
    plan = plan_rename(root, "subject", "M002", "M001")
    assert not plan.ok
    assert any("'M001' already exists; pass --merge" in reason for reason in plan.refused)
    with pytest.raises(EditRefused):
        apply_rename(plan)
    result = CliRunner().invoke(main, ["rename", "subject", "M002", "M001", str(root), "--yes"])
    assert result.exit_code == 1
    assert "refused (nothing written)" in result.output
    assert _snapshot(root) == before


def test_a_merge_moves_the_sessions_and_drops_the_old_entry(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    apply_rename(plan_rename(root, "subject", "M002", "M001", merge=True))
    assert "M002" not in (root / "registry/subjects.yaml").read_text(encoding="utf-8")
    assert "subject: M001\n" in (root / "M002/2024-02-01_11-15-00/session.yaml").read_text()
    assert validate(root).ok


def test_a_rename_that_makes_a_duplicate_session_is_refused(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    write_root(
        root,
        {
            "M002/2024-01-15_10-30-00/session.yaml": "subject: M002\nsession_datetime: 2024-01-15 10:30:00\n"
        },
    )
    before = _snapshot(root)
    plan = plan_rename(root, "subject", "M002", "M001", merge=True)
    assert plan.refused == (
        "M002/2024-01-15_10-30-00/session.yaml: would be the session ('M001', 2024-01-15 10:30:00)"
        " that M001/2024-01-15_10-30-00/session.yaml already is (duplicate-session)",
    )
    with pytest.raises(EditRefused):
        apply_rename(plan)
    assert _snapshot(root) == before


def test_a_file_changed_since_the_plan_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    plan = plan_rename(root, "experimenter", "bob", "robert")
    assert plan.ok, plan.refused
    changed = root / "M002/2024-02-01_11-15-00/session.yaml"
    changed.write_text(
        changed.read_text(encoding="utf-8") + "note: edited meanwhile\n", encoding="utf-8"
    )
    before = _snapshot(root)
    with pytest.raises(EditRefused, match="changed since the plan"):
        apply_rename(plan)
    assert _snapshot(root) == before


def test_an_interrupted_rename_says_what_is_done_and_finishes_when_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from session_files.write import writer

    root = _lab(tmp_path)
    real = writer.atomic_write
    calls: list[Path] = []

    def interrupted(target: Path, data: bytes, *, overwrite: bool = True) -> None:
        if len(calls) == 1:
            raise KeyboardInterrupt  # Ctrl-C after the first file
        calls.append(target)
        real(target, data, overwrite=overwrite)

    monkeypatch.setattr(writer, "atomic_write", interrupted)
    plan = plan_rename(root, "subject", "M001", "M010")
    assert len(plan.files) == 3  # two sidecars, then the registry
    with pytest.raises(RenameIncomplete) as stopped:
        apply_rename(plan)
    assert stopped.value.result.done == [plan.files[0].path]
    assert stopped.value.result.not_done == [c.path for c in plan.files[1:]]
    assert "1 files done, 2 not done; run the rename again" in str(stopped.value)
    monkeypatch.setattr(writer, "atomic_write", real)
    again = plan_rename(root, "subject", "M001", "M010")
    assert [c.path for c in again.files] == [c.path for c in plan.files[1:]]
    apply_rename(again)
    assert validate(root).ok
    assert not plan_rename(root, "subject", "M001", "M010").files  # nothing left


def test_renaming_an_experimenter_keeps_quoting_and_comments(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    path = root / "M001/2024-01-15_10-30-00/session.yaml"
    text = path.read_text(encoding="utf-8").replace("[alice, bob]", "['alice', bob]   # both")
    path.write_text(text, encoding="utf-8")
    apply_rename(plan_rename(root, "experimenter", "alice", "alicia"))
    assert path.read_text(encoding="utf-8") == text.replace("'alice'", "'alicia'")
    assert "alicia:\n" in (root / "registry/experimenters.yaml").read_text(encoding="utf-8")
    assert validate(root).ok


def test_an_experimenter_listed_twice_after_the_rename_needs_merge(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    plan = plan_rename(root, "experimenter", "alice", "bob", merge=True)
    assert plan.ok
    apply_rename(plan)
    assert "experimenters: [bob]\n" in (root / "M001/2024-01-15_10-30-00/session.yaml").read_text()
    assert validate(root).ok


def test_renaming_a_project_changes_its_list_entries(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    plan = plan_rename(root, "project", "vision", "vision-v1")
    assert sorted(c.path for c in plan.files) == [
        "M001/2024-01-15_10-30-00/session.yaml",
        "M002/2024-02-01_11-15-00/session.yaml",
        "registry/projects.yaml",
    ]
    apply_rename(plan)
    assert (
        "projects: [pilot, vision-v1]\n"
        in (root / "M002/2024-02-01_11-15-00/session.yaml").read_text()
    )
    assert validate(root).ok


def test_renaming_an_attribute_renames_its_vocabulary_entry_when_there_is_one(
    tmp_path: Path,
) -> None:
    root = _lab(tmp_path)
    path = root / "M001/2024-01-15_10-30-00/session.yaml"
    before = path.read_text(encoding="utf-8")
    plan = plan_rename(root, "attribute", "temperature_c", "temp_c")
    assert [c.path for c in plan.files] == [
        "M001/2024-01-15_10-30-00/session.yaml"
    ]  # no vocabulary
    apply_rename(plan)
    assert path.read_text(encoding="utf-8") == before.replace("temperature_c:", "temp_c:")
    vocabulary = root / "registry/attributes.yaml"
    vocabulary.write_text("rig:   # the rig\n  description: the recording rig\n", encoding="utf-8")
    plan = plan_rename(root, "attribute", "rig", "rig_name")
    assert [c.path for c in plan.files][-1] == "registry/attributes.yaml"
    apply_rename(plan)
    assert (
        vocabulary.read_text(encoding="utf-8")
        == "rig_name:   # the rig\n  description: the recording rig\n"
    )
    assert "  rig_name: rig-3\n" in path.read_text(encoding="utf-8")


def test_a_rename_with_no_terminal_is_a_dry_run(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    before = _snapshot(root)
    result = CliRunner().invoke(main, ["rename", "subject", "M001", "M010", str(root)])
    assert result.exit_code == 0
    assert result.output.endswith(
        "dry run: nothing written (no terminal to confirm on; pass --yes to apply)\n"
    )
    assert (
        "M001/2024-01-16_09-00-00/session.yaml:1: subject: M001  =>  subject: M010" in result.output
    )
    assert _snapshot(root) == before


def test_sidecars_with_errors_that_mention_old_are_named(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    write_root(root, {"bad/session.yaml": "subject: M001\nsession_datetime: not a time\n"})
    plan = plan_rename(root, "subject", "M001", "M010")
    assert plan.unchecked == ("bad/session.yaml",)
    result = CliRunner().invoke(main, ["rename", "subject", "M001", "M010", str(root), "--dry-run"])
    assert "1 sidecar with errors mentions 'M001', not renamed" in result.output


def _laid_out(tmp_path: Path) -> Path:
    from tests.fixtures_roots import lab_files

    files = lab_files()
    files["session-files.yaml"] = 'layout: "{subject}/{session_datetime:%Y-%m-%d_%H-%M-%S}"\n'
    return write_root(tmp_path / "lab", files)


def test_move_dirs_moves_the_sessions_the_layout_names_after_the_subject(tmp_path: Path) -> None:
    root = _laid_out(tmp_path)
    (root / "M001/2024-01-15_10-30-00/raw.bin").write_bytes(b"data")
    dry = CliRunner().invoke(
        main, ["rename", "subject", "M001", "M010", str(root), "--move-dirs", "--dry-run"]
    )
    assert "3 files, 3 lines, 2 directories to move" in dry.output
    assert "  move M001/2024-01-15_10-30-00/  =>  M010/2024-01-15_10-30-00/\n" in dry.output
    assert (root / "M001").is_dir()
    result = CliRunner().invoke(
        main, ["rename", "subject", "M001", "M010", str(root), "--move-dirs", "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert "moved: 2 directories" in result.output
    assert (root / "M010/2024-01-15_10-30-00/raw.bin").read_bytes() == b"data"
    assert not (root / "M001").exists()  # left empty, so removed
    report = validate(root)
    assert report.ok and not report.findings


def test_move_dirs_never_moves_over_an_existing_directory(tmp_path: Path) -> None:
    root = _laid_out(tmp_path)
    (root / "M010/2024-01-16_09-00-00").mkdir(parents=True)
    before = _snapshot(root)
    plan = plan_rename(root, "subject", "M001", "M010", move_dirs=True)
    assert plan.refused == (
        "M001/2024-01-16_09-00-00: cannot move to M010/2024-01-16_09-00-00: it exists (never moved over)",
    )
    with pytest.raises(EditRefused):
        apply_rename(plan)
    assert _snapshot(root) == before


def test_a_rename_stopped_before_its_moves_moves_them_when_run_again(tmp_path: Path) -> None:
    root = _laid_out(tmp_path)
    apply_rename(plan_rename(root, "subject", "M001", "M010"))  # without --move-dirs first
    plan = plan_rename(root, "subject", "M001", "M010", move_dirs=True)
    assert plan.ok and not plan.files
    assert [target for _, target in plan.moves] == [
        "M010/2024-01-15_10-30-00",
        "M010/2024-01-16_09-00-00",
    ]
    apply_rename(plan)
    assert not validate(root).findings


def test_a_typo_that_was_never_registered_is_renamed_to_the_registered_key(tmp_path: Path) -> None:
    root = _lab(tmp_path)
    typo = "subject: M01   # typo\nsession_datetime: 2024-03-01 09:00:00\n"
    write_root(root, {"M01/2024-03-01_09-00-00/session.yaml": typo})
    assert not validate(root).ok  # unknown-subject
    plan = plan_rename(root, "subject", "M01", "M001")
    assert [c.path for c in plan.files] == [
        "M01/2024-03-01_09-00-00/session.yaml"
    ]  # no registry line
    apply_rename(plan)
    assert (root / "M01/2024-03-01_09-00-00/session.yaml").read_text() == typo.replace(
        "M01 ", "M001 "
    )
    assert validate(root).ok


def test_the_confirmation_applies_and_a_file_changed_before_it_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    from session_files.cli import rename as command

    root = _lab(tmp_path)
    monkeypatch.setattr(command, "_terminal", lambda: True)
    target = root / "M002/2024-02-01_11-15-00/session.yaml"

    def someone_edits_then_yes(text: str, default: bool = False) -> bool:
        assert text == "apply?"
        target.write_text(
            target.read_text(encoding="utf-8") + "note: meanwhile\n", encoding="utf-8"
        )
        return True

    monkeypatch.setattr(click, "confirm", someone_edits_then_yes)
    before = _snapshot(root)
    result = CliRunner().invoke(main, ["rename", "project", "pilot", "pilot-1", str(root)])
    assert result.exit_code == 1
    assert (
        "changed since the plan (nothing written): M002/2024-02-01_11-15-00/session.yaml"
        in result.output
    )
    edited = target.relative_to(root).as_posix()
    assert _snapshot(root) == {**before, edited: before[edited] + b"note: meanwhile\n"}
    monkeypatch.setattr(click, "confirm", lambda text, default=False: True)
    result = CliRunner().invoke(main, ["rename", "project", "pilot", "pilot-1", str(root)])
    assert result.exit_code == 0, result.output
    assert "renamed: 2 files written" in result.output


def test_without_move_dirs_the_plan_says_what_the_layout_will_report(tmp_path: Path) -> None:
    root = _laid_out(tmp_path)
    result = CliRunner().invoke(main, ["rename", "subject", "M001", "M010", str(root), "--dry-run"])
    assert (
        "note: 2 session directories are named after 'M001' by the root's layout and would not"
        " match it after the rename (layout-mismatch); --move-dirs moves them\n"
    ) in result.output
