"""``registry add`` and ``registry remove``: one entry, checked, the rest of the file kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from session_files.api import validate
from session_files.cli import main
from session_files.read.registry import parse_registry
from session_files.write.registry_edit import add_entry, remove_entry
from session_files.write.registry_files import EditRefused
from tests.fixtures_roots import lab_files, write_root

ANNOTATED_SUBJECTS = """\
# the lab's mice
M001:   # first cohort
  sex: F
  subject_birth_date: 2023-10-01
  subject_nickname: Mickey

M002:
  sex: M
  subject_birth_date: 2023-09-12
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    files = {**lab_files(), "registry/subjects.yaml": ANNOTATED_SUBJECTS}
    files.pop("M001/2024-01-16_09-00-00/session.yaml")
    return write_root(tmp_path / "lab", files)


def test_add_writes_the_entry_checked_and_keeps_the_file(root: Path) -> None:
    args = ["registry", "add", "subject", "M004", "--sex", "F", "--birth-date", "2024-01-01"]
    result = CliRunner().invoke(main, [*args, "--nickname", "a: b", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("added: registry/subjects.yaml\n")
    text = (root / "registry/subjects.yaml").read_text(encoding="utf-8")
    assert text == ANNOTATED_SUBJECTS + (
        "M004:\n  subject_nickname: 'a: b'\n  sex: F\n  subject_birth_date: 2024-01-01\n"
    )
    assert validate(root).ok


def test_add_refuses_an_invalid_entry_or_an_existing_key(root: Path) -> None:
    with pytest.raises(EditRefused, match="sex"):
        add_entry(root, "subject", "M004", {"sex": "X", "birth-date": "2024-01-01"})
    with pytest.raises(EditRefused, match="'M001' already exists"):
        add_entry(root, "subject", "M001", {"sex": "F", "birth-date": "2024-01-01"})
    with pytest.raises(EditRefused, match="not a valid key"):
        add_entry(root, "subject", "M0000000009", {"sex": "F", "birth-date": "2024-01-01"})
    with pytest.raises(EditRefused, match="no field '--colour'"):
        add_entry(root, "project", "p2", {"--colour": "red"})
    assert (root / "registry/subjects.yaml").read_text(encoding="utf-8") == ANNOTATED_SUBJECTS


def test_add_to_a_sorted_file_keeps_it_sorted(root: Path) -> None:
    add_entry(root, "experimenter", "ben", {"email": "ben@example.org"})
    text = (root / "registry/experimenters.yaml").read_text(encoding="utf-8")
    assert (
        text
        == "alice:\n  user_email: alice@example.org\nben:\n  user_email: ben@example.org\nbob: {}\n"
    )


def test_remove_refuses_while_sidecars_refer_to_the_key_and_lists_them(root: Path) -> None:
    result = CliRunner().invoke(
        main, ["registry", "remove", "subject", "M002", "--root", str(root)]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: refused (nothing written):\n"
        "  1 sidecar refers to the subject 'M002'; rename or change them first\n"
        "  M002/2024-02-01_11-15-00/session.yaml\n"
    )
    assert (root / "registry/subjects.yaml").read_text(encoding="utf-8") == ANNOTATED_SUBJECTS


def test_remove_takes_only_the_entry_lines(root: Path) -> None:
    (root / "M002/2024-02-01_11-15-00/session.yaml").unlink()
    edit = remove_entry(root, "subject", "M002", dry_run=True)
    assert not edit.written and [line.before for line in edit.lines] == [
        "M002:",
        "  sex: M",
        "  subject_birth_date: 2023-09-12",
    ]
    remove_entry(root, "subject", "M002")
    text = (root / "registry/subjects.yaml").read_text(encoding="utf-8")
    assert text == ANNOTATED_SUBJECTS.split("M002:")[0]
    assert validate(root).ok


# keys that are text when written plain (a leading letter; no y/n/on/off spellings possible)
KEYS = st.text("abcdefghM0123", min_size=1, max_size=8).filter(lambda k: k[0].isalpha())


@st.composite
def registries(draw: st.DrawFn) -> tuple[str, list[str]]:
    """An annotated experimenters.yaml: comments, blank lines, inline comments, empty entries."""
    keys = draw(st.lists(KEYS, min_size=1, max_size=5, unique=True))
    lines: list[str] = []
    for i, key in enumerate(keys):
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", f"# about {key}"])))
        comment = f"   # {i}" if draw(st.booleans()) else ""
        form = draw(st.sampled_from(["block", "empty", "flow"]))
        if form == "block":
            lines += [f"{key}:{comment}", f"  user_email: {key}@example.org"]
        elif form == "empty":
            lines.append(f"{key}:{comment}")
        else:
            lines.append(f"{key}: {{}}{comment}")
    return "\n".join(lines) + "\n", keys


@settings(max_examples=40)  # each example refreshes a root's index (remove looks for users)
@given(registries(), st.data())
def test_registry_edits_leave_every_other_line(
    tmp_path_factory: pytest.TempPathFactory, registry: tuple[str, list[str]], data: st.DataObject
) -> None:
    text, keys = registry
    root = tmp_path_factory.mktemp("root")
    write_root(root, {"registry/experimenters.yaml": text})
    key = data.draw(st.sampled_from(keys))
    new_key = data.draw(KEYS.filter(lambda k: k not in keys))
    removed = remove_entry(root, "experimenter", key)
    after = (root / "registry/experimenters.yaml").read_text(encoding="utf-8")
    gone = {line.before for line in removed.lines}
    assert all(not line.after for line in removed.lines)
    assert [line for line in text.splitlines() if line not in gone] == after.splitlines()
    assert not any(line.startswith(f"{key}:") for line in after.splitlines())
    add_entry(root, "experimenter", new_key, {"email": "x@example.org"})
    added = (root / "registry/experimenters.yaml").read_text(encoding="utf-8")
    assert after.splitlines() == [
        line
        for line in added.splitlines()
        if line not in (f"{new_key}:", "  user_email: x@example.org")
    ]
    parsed = parse_registry("experimenters", added.encode(), "experimenters.yaml")
    assert not parsed.findings and set(parsed.rows) == {*keys, new_key} - {key}


def test_add_attribute_declares_it_checked_in_the_vocabulary(root: Path) -> None:
    vocabulary = root / "registry/attributes.yaml"
    vocabulary.write_text("rig:   # the recording rig\n  type: text\n", encoding="utf-8")
    args = ["registry", "add", "attribute", "temperature_c", "--type", "number"]
    result = CliRunner().invoke(
        main, [*args, "--unit", "degC", "--minimum", "30", "--maximum", "42", "--root", str(root)]
    )
    assert result.exit_code == 0, result.output
    assert vocabulary.read_text(encoding="utf-8") == (
        "rig:   # the recording rig\n  type: text\n"
        "temperature_c:\n  type: number\n  unit: degC\n  minimum: 30\n  maximum: 42\n"
    )
    # a declaration the vocabulary's own model refuses is never written
    with pytest.raises(EditRefused, match="minimum 50 is above maximum 40"):
        add_entry(
            root, "attribute", "laser_mw", {"type": "number", "minimum": "50", "maximum": "40"}
        )
    with pytest.raises(EditRefused, match="not a valid key"):
        add_entry(root, "attribute", "x" * 33, {"type": "text"})
    assert "laser_mw" not in vocabulary.read_text(encoding="utf-8")
