"""Findings as data: the order they sort in, whatever they know of their position."""

from __future__ import annotations

from session_files.findings import Finding


def test_findings_without_a_position_sort_with_the_rest() -> None:
    at_line = Finding.make("schema", "a/session.yaml", "bad", 3, 5)
    whole_file = Finding.make("unreadable", "a/session.yaml", "cannot be read")
    line_only = Finding.make("yaml-syntax", "a/session.yaml", "broken", 3)
    other_file = Finding.make("schema", "0/session.yaml", "bad", 9, 1)
    ordered = sorted([at_line, whole_file, line_only, other_file])
    assert ordered == [other_file, whole_file, line_only, at_line]
    assert ordered == sorted([at_line, whole_file, line_only, other_file], key=Finding.sort_key)
    assert min(at_line, whole_file) is whole_file


def test_severity_takes_no_part_in_equality_or_order() -> None:
    error = Finding.make("unknown-project", "s/session.yaml", "no such project", 4, 3)
    warning = Finding("s/session.yaml", 4, 3, "unknown-project", "no such project", "warning")
    assert error == warning
    assert not error < warning
    assert not warning < error
