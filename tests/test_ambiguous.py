"""yaml-ambiguous (SPEC 7): a plain scalar YAML 1.1 and YAML 1.2 read differently is an error.

The differential test generates plain scalars and reads each with this project's reader
(YAML 1.1), with ruamel.yaml (a real YAML 1.2 reader, set up as check-jsonschema sets it
up: timestamps stay text) and with yaml-rs (a strict YAML 1.2 reader in Rust). Whenever the
readings differ, the finding must be there.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import ruamel.yaml
import yaml_rs
from hypothesis import example, given
from hypothesis import strategies as st

from session_files.read.ambiguous import ambiguous_findings, core_reading
from session_files.read.config import parse_config
from session_files.read.registry import parse_registry
from session_files.read.sidecar import parse_sidecar
from session_files.read.yamlsafe import YamlProblem, compose, load


def _yaml12(pure: bool) -> ruamel.yaml.YAML:
    reader = ruamel.yaml.YAML(typ="safe", pure=pure)
    constructors = reader.constructor.yaml_constructors
    constructors["tag:yaml.org,2002:timestamp"] = constructors["tag:yaml.org,2002:str"]
    return reader


READERS_12 = (_yaml12(pure=True), _yaml12(pure=False))

# Characters numbers, booleans and nulls of either version are made of, and a few others.
_ALPHABET = "0123456789-+._:eEoxbOXBaAfFnNyYlLsStTuUrRiI~= _"
_WORDS = [
    *[
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "null",
        "Null",
        "NULL",
        "~",
        "=",
        ".inf",
        "-.inf",
        "+.inf",
        ".Inf",
        ".INF",
        ".nan",
        ".NaN",
        ".NAN",
    ],
    *[
        "0",
        "00",
        "017",
        "08",
        "0o17",
        "0x1F",
        "0x_1F",
        "-0x1F",
        "0b101",
        "1_000",
        "1:30",
        "1:30.5",
        "1e3",
        "1.0e3",
        "1.0e+3",
        ".5",
        "+.5",
    ],
]
plain_texts = st.one_of(
    st.sampled_from(_WORDS),
    st.text(_ALPHABET, min_size=1, max_size=10),
    st.builds(lambda a, b: a + b, st.sampled_from(_WORDS), st.text(_ALPHABET, max_size=4)),
)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _ours(document: str) -> tuple[Any, Any] | None:
    """(node, data) by this project's reader, or None when the text is not one plain scalar."""
    try:
        node, data = load(document.encode())
    except YamlProblem:
        return None
    return node, data


def _theirs(document: str) -> list[Any] | None:
    out = []
    for reader in READERS_12:
        try:
            out.append(reader.load(document))
        except Exception:  # not YAML to this reader: nothing to compare
            return None
    try:  # a strict YAML 1.2 reader in Rust, which skips '_' anywhere in a number
        out.append(yaml_rs.loads(document, parse_datetime=False))
    except Exception:  # not YAML to this reader
        return None
    return out


def _differential(document: str, pick: Any) -> None:
    ours = _ours(document)
    theirs = _theirs(document)
    if ours is None or theirs is None or not isinstance(ours[1], dict) or len(ours[1]) != 1:
        return
    node, data = ours
    key_node, value_node = node.value[0]
    scalar = pick((key_node, value_node))
    if scalar.style:  # the generated text did not stay a plain scalar
        return
    flagged = any(
        (f.line, f.column) == (scalar.start_mark.line + 1, scalar.start_mark.column + 1)
        for f in ambiguous_findings(node, "f.yaml")
    )
    mine = pick(next(iter(data.items())))
    for other in theirs:
        if not isinstance(other, dict) or len(other) != 1:
            return
        theirs_value = pick(next(iter(other.items())))
        if not _same(mine, theirs_value):
            assert flagged, f"{scalar.value!r}: 1.1 reads {mine!r}, 1.2 reads {theirs_value!r}"
    # and against the YAML 1.2 core schema of the spec itself
    if not _same(mine, core_reading(scalar.value)):
        assert flagged, (
            f"{scalar.value!r}: 1.1 reads {mine!r}, 1.2 core {core_reading(scalar.value)!r}"
        )


@pytest.mark.fuzz
@given(plain_texts)
@example("0o17")
@example("+0o17")
@example("0b_")
@example("0x_")
@example("1" * 4301)
@example("-_0")
@example("_1")
@example("1e_3")
def test_every_value_read_differently_is_flagged(text: str) -> None:
    _differential(f"v: {text}\n", lambda pair: pair[1])


@pytest.mark.fuzz
@given(plain_texts)
@example("on")
@example("1_0")
def test_every_key_read_differently_is_flagged(text: str) -> None:
    _differential(f"{text}: v\n", lambda pair: pair[0])


@pytest.mark.parametrize(
    "text",
    [
        "yes", "no", "on", "off", "On", "OFF", "y", "n", "Y", "N",
        "1:30", "0o17", "017", "08", "0b101", "1_000", "-0x1F", "1e3", "1.0e3", "+.5", "=",
    ],
)  # fmt: skip
def test_spec_examples_are_flagged_with_quote_it(text: str) -> None:
    parsed = parse_sidecar(
        f"subject: M001\nsession_datetime: 2024-01-15 10:30:00\nattributes:\n  rig: {text}\n".encode(),
        "a/session.yaml",
    )
    assert parsed.record is None
    (finding,) = parsed.findings
    assert (finding.code, finding.line, finding.column) == ("yaml-ambiguous", 4, 8)
    assert f"quote it ('{text}')" in finding.message


@pytest.mark.parametrize(
    "text", ["M001", "true", "false", "null", "~", "12", "-3", "0x1F", "1.5", "0", ".5", "1.",
             "2024-01-15", "2024-01-15 10:30:00", "rig-3", "1.0e+3", ".inf", "-.inf", ".nan"]
)  # fmt: skip
def test_unambiguous_scalars_pass(text: str) -> None:
    node = compose(f"v: {text}\n")
    assert ambiguous_findings(node, "f.yaml") == []


def test_quoted_and_explicitly_tagged_scalars_pass() -> None:
    node = compose("a: 'on'\nb: \"0o17\"\nc: !!str yes\nd: |\n  on\n")
    assert ambiguous_findings(node, "f.yaml") == []


def test_subject_0o17_is_refused_and_on_says_quote_it() -> None:
    """Was: `subject: 0o17` passed; `subject: on` said it must be text (not why)."""
    for text, reading in (("0o17", "the number 15"), ("on", "the boolean true")):
        parsed = parse_sidecar(
            f"subject: {text}\nsession_datetime: 2024-01-15 10:30:00\n".encode(), "s.yaml"
        )
        (finding,) = parsed.findings
        assert finding.code == "yaml-ambiguous"
        assert (finding.line, finding.column) == (1, 10)
        assert reading in finding.message


def test_registry_entry_with_ambiguous_scalar_is_left_out_the_others_stand() -> None:
    data = b"M001:\n  sex: F\n  subject_birth_date: 2023-10-01\n  subject_nickname: on\nM002:\n  sex: M\n  subject_birth_date: 2023-10-01\n"
    parsed = parse_registry("subjects", data, "registry/subjects.yaml")
    assert list(parsed.rows) == ["M002"]
    (finding,) = parsed.findings
    assert (finding.code, finding.line, finding.column) == ("yaml-ambiguous", 4, 21)


def test_root_config_scalars_are_checked_too() -> None:
    loaded = parse_config(b"severity:\n  misnamed-sidecar: off\n")
    (finding,) = loaded.findings
    assert (finding.code, finding.path, finding.line) == ("yaml-ambiguous", "session-files.yaml", 2)
    assert loaded.config.severity == {"misnamed-sidecar": "off"}  # still applied as read
    assert parse_config(b'severity:\n  misnamed-sidecar: "off"\n').findings == ()


@pytest.mark.parametrize("key", ["1", "true", "null", "1.5"])
def test_a_key_that_is_not_text_is_named_and_quoted_at_its_position(key: str) -> None:
    """Was: `attributes: {1: x}` said "quote it ('x')": the value, not the key."""
    parsed = parse_sidecar(
        f"subject: M001\nsession_datetime: 2024-01-15 10:30:00\nattributes: {{{key}: x}}\n".encode(),
        "s.yaml",
    )
    (finding,) = parsed.findings
    assert (finding.code, finding.line, finding.column) == ("schema", 3, 14)
    assert f"the key '{key}' of attributes" in finding.message
    assert finding.message.endswith(f"quote the key ('{key}')")
