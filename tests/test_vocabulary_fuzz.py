"""No attributes.yaml or lookup registry crashes the reader or the checks: whatever the
bytes, the result is declarations and findings (Hypothesis, near-YAML fragments)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from session_files.findings import Finding
from session_files.read.attribute_rules import problems
from session_files.read.vocabulary import build_vocabulary
from session_files.records import Sidecar

KEYS = ["rig", "temperature_c", "x", "1", "yes", "a b", "é", ""]
FIELDS = [
    "type",
    "unit",
    "description",
    "required",
    "values",
    "registry",
    "minimum",
    "maximum",
    "pattern",
    "other",
]
VALUES = [
    "number",
    "integer",
    "text",
    "blob",
    "date",
    "datetime",
    "boolean",
    "decimal",
    "true",
    "[vision]",
    "[]",
    "[1, 2]",
    "[open, maze]",
    "rigs",
    "subjects",
    "attributes",
    "30",
    "-1",
    "1e400",
    ".nan",
    "'^[a-z]+$'",
    "'(a)\\\\1'",
    "'['",
    "{}",
    "null",
    "~",
    "'x'",
    "[a, [b]]",
]


@st.composite
def vocabularies(draw: st.DrawFn) -> bytes:
    lines = []
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=4)):
        lines.append(f"{key}:")
        for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4)):
            lines.append(f"  {name}: {draw(st.sampled_from(VALUES))}")
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n:\n", "\n- x\n", "\t"]))
    return text.encode("utf-8")


RECORD = Sidecar.model_validate(
    {
        "subject": "M001",
        "session_datetime": "2024-01-15 10:30:00",
        "projects": ["vision"],
        "attributes": {"rig": "rig-1", "temperature_c": "36.5", "x": {"blob": [1]}},
    }
)


def _unreadable(path: str, exc: OSError) -> Finding:  # pragma: no cover - bytes are given
    return Finding.make("unreadable", path, str(exc))


@settings(max_examples=300, deadline=None)
@given(vocabularies(), st.sampled_from([None, b"rig-1:\n", b"rig-1: [\n", b"- x\n"]))
def test_no_vocabulary_crashes_the_reader_or_the_checks(data: bytes, rigs: bytes | None) -> None:
    vocabulary = build_vocabulary("registry", data, {"rigs": rigs}, _unreadable)
    assert vocabulary is not None
    for finding in vocabulary.all_findings:
        assert finding.path.startswith("registry/") and finding.message
    for code, name, place, message in problems(vocabulary, RECORD):
        assert code.startswith(("unknown-attribute", "attribute-")) and name and message
        assert place in ("key", "value", "attributes")
