"""Minimal edits: ``update_sidecar`` changes only the lines whose values change.

A hand-annotated sidecar keeps every comment, blank line, quoting style and key order
through an update; the property test generates annotated sidecars and changes and checks
that the diff holds exactly the lines of the entries that changed, and that the file reads
back as the changed record.
"""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from session_files.read.sidecar import parse_sidecar
from session_files.records import Sidecar
from session_files.write.edit import edit_document, rename_key
from session_files.write.render import scalar
from session_files.write.update import edited_sidecar, update_sidecar
from session_files.write.writer import coerce_record
from tests.strategies import text

ANNOTATED = """\
# yaml-language-server: $schema=../../schemas/session.schema.json
subject: M001   # the mouse
session_datetime: 2024-01-15 10:30:00

experimenters: ['alice']       # who ran it
attributes:
  # the rig, as the lab names it
  rig: rig-1   # left rig
  temperature_c: 36.50
"""


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(True), after.splitlines(True)))
    return [line[2:] for line in diff if line[0] == "-"], [
        line[2:] for line in diff if line[0] == "+"
    ]


def test_an_annotated_sidecar_keeps_its_comments_through_update_sidecar(tmp_path: Path) -> None:
    (tmp_path / "session.yaml").write_text(ANNOTATED, encoding="utf-8")

    def add_trials(record: Sidecar) -> Sidecar:
        attributes = dict(record.attributes or {})
        attributes["trials"] = 120
        return record.model_copy(update={"attributes": attributes})

    update_sidecar(tmp_path, add_trials)
    after = (tmp_path / "session.yaml").read_text(encoding="utf-8")
    assert after == ANNOTATED + "  trials: 120\n"


def test_changed_values_keep_their_line_and_comment(tmp_path: Path) -> None:
    (tmp_path / "session.yaml").write_text(ANNOTATED, encoding="utf-8")

    def change(record: Sidecar) -> Sidecar:
        attributes = dict(record.attributes or {})
        attributes["rig"] = "rig-2"
        return record.model_copy(
            update={"attributes": attributes, "experimenters": ["bob"], "note": "fine"}
        )

    update_sidecar(tmp_path, change)
    after = (tmp_path / "session.yaml").read_text(encoding="utf-8")
    removed, added = _changed_lines(ANNOTATED, after)
    assert removed == [
        "experimenters: ['alice']       # who ran it\n",
        "  rig: rig-1   # left rig\n",
    ]
    # the quoting style of the list item and the new key's place (the format's key order) are kept
    assert added == [
        "experimenters: ['bob']       # who ran it\n",
        "note: fine\n",
        "  rig: rig-2   # left rig\n",
    ]


def test_a_removed_key_takes_only_its_own_line(tmp_path: Path) -> None:
    (tmp_path / "session.yaml").write_text(ANNOTATED, encoding="utf-8")
    update_sidecar(tmp_path, lambda r: r.model_copy(update={"experimenters": None}))
    after = (tmp_path / "session.yaml").read_text(encoding="utf-8")
    assert after == ANNOTATED.replace("experimenters: ['alice']       # who ran it\n", "")


def test_crlf_files_stay_crlf_and_a_bom_stays() -> None:
    data = ("\ufeff" + ANNOTATED.replace("\n", "\r\n")).encode("utf-8")
    old = parse_sidecar(data, "s.yaml").record
    assert old is not None
    new = coerce_record({**dict(old), "note": "a: b # not a comment"})
    out = edited_sidecar(data, old, new, "s.yaml")
    assert out.startswith("\ufeff".encode())
    assert b"\nnote: 'a: b # not a comment'\r\n" in out
    assert out.count(b"\r\n") == data.count(b"\r\n") + 1
    assert parse_sidecar(out, "s.yaml").record == new


def test_rename_key_changes_only_the_key() -> None:
    out = rename_key(ANNOTATED.encode(), ("attributes", "rig"), "rig_name")
    assert out.decode() == ANNOTATED.replace("  rig: rig-1", "  rig_name: rig-1")


def test_a_file_that_cannot_be_edited_in_place_is_rewritten_and_says_so() -> None:
    data = b"{subject: M001, session_datetime: 2024-01-15 10:30:00}\n"
    out = edit_document(data, {"subject": "M001"}, {"subject": "M002"})
    assert out.data == b"{subject: M002, session_datetime: 2024-01-15 10:30:00}\n"  # in the flow
    nested = b"# kept\nattributes: {rig: r1}\n"
    out = edit_document(nested, {"attributes": {"rig": "r1"}}, {"attributes": {}})
    assert out.minimal and out.data == b"# kept\nattributes: {}\n"


# -- the property ------------------------------------------------------------------------

STYLES = st.sampled_from(["", "'", '"'])
COMMENT = st.booleans()
NAMES = st.text("abcdefgh_", min_size=1, max_size=6)
SUBJECTS = st.text("MR0123456789x", min_size=1, max_size=8)
USERS = st.lists(st.text("abcxyz", min_size=1, max_size=5), min_size=1, max_size=3, unique=True)


@st.composite
def annotated(draw: st.DrawFn) -> tuple[str, dict[str, int], dict[str, Any]]:
    """A sidecar's text with comments, blank lines and mixed quoting; the line of each
    entry (top-level key, or ``attributes.NAME``); and its document."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines: list[str] = []
    where: dict[str, int] = {}
    counter = iter(range(10_000))

    def filler() -> None:
        for _ in range(draw(st.integers(0, 2))):
            lines.append(draw(st.sampled_from(["", f"# note {next(counter)}"])))

    def entry(name: str, text_: str, indent: str = "") -> None:
        filler()
        comment = f"   # about {name} {next(counter)}" if draw(COMMENT) else ""
        where[name] = len(lines)
        lines.append(f"{indent}{text_}{comment}")

    document: dict[str, Any] = {
        "subject": draw(SUBJECTS),
        "session_datetime": "2024-01-15 10:30:00",
    }
    if draw(st.booleans()):
        document["experimenters"] = draw(USERS)
    if draw(st.booleans()):
        document["note"] = draw(text(1, 30))
    attributes = {"rig": draw(text(1, 12))}
    attributes.update(draw(st.dictionaries(NAMES, text(1, 12), max_size=3)))
    document["attributes"] = attributes
    entry("subject", f"subject: {scalar(document['subject'], style=draw(STYLES))}")
    entry("session_datetime", "session_datetime: 2024-01-15 10:30:00")
    if "experimenters" in document:
        items = ", ".join(
            scalar(u, style=draw(STYLES), flow=True) for u in document["experimenters"]
        )
        entry("experimenters", f"experimenters: [{items}]")
    if "note" in document:
        entry("note", f"note: {scalar(document['note'], style=draw(STYLES))}")
    entry("attributes", "attributes:")
    for name, value in attributes.items():
        shown = scalar(value, style=draw(STYLES), as_text=True)
        entry(f"attributes.{name}", f"{name}: {shown}", "  ")
    filler()
    return newline.join(lines) + newline, where, document


@given(annotated(), st.data())
def test_the_diff_holds_exactly_the_changed_lines(
    file: tuple[str, dict[str, int], dict[str, Any]], data: st.DataObject
) -> None:
    source, where, document = file
    old = parse_sidecar(source.encode(), "s.yaml").record
    assert old is not None, source
    new_doc: dict[str, Any] = {**document, "attributes": dict(document["attributes"])}
    if data.draw(st.booleans()):
        new_doc["subject"] = data.draw(SUBJECTS)
    if data.draw(st.booleans()):
        new_doc["experimenters"] = data.draw(USERS | st.none())
    if data.draw(st.booleans()):
        new_doc["note"] = data.draw(text(1, 30) | st.none())
    attributes = new_doc["attributes"]
    for name in list(attributes):
        action = data.draw(st.sampled_from(["keep", "change", "remove"]))
        if action == "change" or (action == "remove" and name == "rig"):
            attributes[name] = data.draw(text(1, 12))
        elif action == "remove":
            del attributes[name]
    attributes.update(data.draw(st.dictionaries(NAMES, text(1, 12), max_size=2)))
    new = coerce_record(new_doc)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback to a rewrite
        out = edited_sidecar(source.encode(), old, new, "s.yaml")
    assert parse_sidecar(out, "s.yaml").record == new

    def values(doc: dict[str, Any]) -> dict[str, Any]:
        flat = {k: v for k, v in doc.items() if k != "attributes" and v is not None}
        flat.update({f"attributes.{k}": v for k, v in (doc.get("attributes") or {}).items()})
        return flat

    before, after = values(document), values({**dict(old), **new_doc})
    before_lines = source.splitlines(True)
    removed = {where[k] for k in before if k not in after or after[k] != before[k]}
    added = sum(1 for k in after if k not in before or after[k] != before[k])
    # every other line is kept, in order, byte for byte; exactly ``added`` lines are new
    kept = [line for i, line in enumerate(before_lines) if i not in removed]
    out_lines = out.decode().splitlines(True)
    assert len(out_lines) == len(kept) + added
    remaining = iter(out_lines)
    assert all(any(line == other for other in remaining) for line in kept)


def test_new_force_over_an_annotated_sidecar_changes_only_what_differs(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from session_files.cli import main

    session = tmp_path / "s"
    session.mkdir()
    (session / "session.yaml").write_text(ANNOTATED, encoding="utf-8")
    args = ["new", str(session), "--subject", "M002", "--datetime", "2024-01-15 10:30:00"]
    args += [
        "--experimenter",
        "alice",
        "--attribute",
        "rig=rig-1",
        "--attribute",
        "temperature_c=36.50",
    ]
    result = CliRunner().invoke(main, [*args, "--force", "--no-check"])
    assert result.exit_code == 0, result.output
    after = (session / "session.yaml").read_text(encoding="utf-8")
    assert after == ANNOTATED.replace("subject: M001", "subject: M002")


HEAD = "subject: M001\nsession_datetime: 2024-01-15 10:30:00\n"


@pytest.mark.parametrize(
    ("before", "change", "after"),
    [
        pytest.param(
            "note:   # later\n# c\n",
            {"note": "hello"},
            "note: hello   # later\n# c\n",
            id="empty value",
        ),
        pytest.param(
            "attributes:\n  probe: {value: x, blob: [1, 2]}  # c\n",
            {"attributes": {"probe": {"value": "x", "blob": [1, 2, 3]}}},
            "attributes:\n  probe: {value: x, blob: [1, 2, 3]}  # c\n",
            id="flow mapping",
        ),
        pytest.param(
            "experimenters:\n  # who\n  - alice\n  - bob  # b\n",
            {"experimenters": ["alice", "carol"]},
            "experimenters:\n  # who\n  - alice\n  - carol  # b\n",
            id="block list item",
        ),
        pytest.param(
            "note: |\n  a\n  b\n\nattributes:\n  rig: r1\n",
            {"note": "x\ny\n"},
            'note: "x\\ny\\n"\n\nattributes:\n  rig: r1\n',
            id="block scalar",
        ),
        pytest.param(
            "attributes:\n    rig: r1\n",
            {"attributes": {"rig": "r1", "x": "2"}, "projects": ["pilot"]},
            "projects: [pilot]\nattributes:\n    rig: r1\n    x: 2\n",
            id="four-space indent, key order",
        ),
        pytest.param(
            "attributes:\n  rig: r1\nnote: x   # kept\n",
            {"attributes": None},
            "note: x   # kept\n",
            id="remove a whole mapping",
        ),
    ],
)
def test_edge_cases_edit_in_place(before: str, change: dict[str, Any], after: str) -> None:
    data = (HEAD + before).encode()
    old = parse_sidecar(data, "s.yaml").record
    assert old is not None
    new = coerce_record({**dict(old), **change})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = edited_sidecar(data, old, new, "s.yaml")
    assert out.decode() == HEAD + after
    assert parse_sidecar(out, "s.yaml").record == new
