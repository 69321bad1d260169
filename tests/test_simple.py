"""The fast path for simple sidecars (read/simple.py) reads what it accepts as the full reader does.

Whatever ``read_simple`` accepts, the full reader (libyaml's composer, ``yamlsafe.Builder``,
``ambiguous``) must compose into the same tree: the same keys in the same order, the same
scalar texts, tags and positions, the same plain data, no yaml-ambiguous finding; and
``parse_sidecar`` must give the same record, findings and reference positions either way.
Checked on generated sidecars (which must all take the fast path: it is what makes a cold
index fast), the corpus and examples, sidecars this project's writer wrote, and fuzzed
near-YAML (``-m fuzz`` with the ci-fuzz profile runs it long).
"""

from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from session_files.read.ambiguous import ambiguous_findings
from session_files.read.sidecar import (
    ParsedSidecar,
    _parse_simple,
    parse_sidecar,
    parse_sidecar_fully,
)
from session_files.read.simple import NotSimple, Scalar, Value, read_simple, typed
from session_files.read.yamlsafe import Builder, YamlProblem, compose, decode, position
from session_files.records import Attribute, Sidecar
from session_files.write.writer import dump_sidecar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402


def _strict(value: Any) -> Any:
    """Plain data with every scalar's type made part of it (1, 1.0 and True differ)."""
    if isinstance(value, dict):
        return [(_strict(key), _strict(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_strict(item) for item in value]
    return (type(value).__name__, repr(value))


def _same_tree(tree: Value, node: Node) -> None:
    """The simple reader's tree and libyaml's node tree are the same document."""
    if isinstance(tree, Scalar):
        assert isinstance(node, ScalarNode)
        assert (tree.text, tree.tag, (tree.line, tree.column), tree.style) == (
            node.value,
            node.tag,
            position(node),
            node.style or "",
        )
    elif isinstance(tree, list):
        assert isinstance(node, SequenceNode)
        assert len(tree) == len(node.value)
        for item, child in zip(tree, node.value, strict=True):
            _same_tree(item, child)
    else:
        assert isinstance(node, MappingNode)
        assert list(tree) == [key.value for key, _ in node.value]
        for (key, item), (key_node, child) in zip(tree.items(), node.value, strict=True):
            assert isinstance(key_node, ScalarNode) and key_node.tag.endswith(":str")
            assert not key_node.style and key_node.value == key
            _same_tree(item, child)


def _built(read: Any) -> Any:
    try:
        return _strict(read())
    except (NotSimple, YamlProblem):
        return "refused"


def _same_parse(a: ParsedSidecar, b: ParsedSidecar) -> None:
    assert a == b
    assert a.refs == b.refs


def check_agrees(data: bytes, path: str = "x/session.yaml") -> bool:
    """Assert the two readers agree on ``data``; True when the fast path accepted it."""
    tree = read_simple(data)
    full = parse_sidecar_fully(data, path)
    _same_parse(parse_sidecar(data, path), full)
    if tree is None:
        return False
    node = compose(decode(data))
    assert isinstance(node, MappingNode)
    _same_tree(tree, node)
    assert ambiguous_findings(node, path) == []
    assert _built(lambda: typed(tree)) == _built(lambda: Builder().build(node))
    fast = _parse_simple(data, path)
    if fast is not None:
        _same_parse(fast, full)
        assert full.ok
    return True


def test_generated_sidecars_all_take_the_fast_path_and_read_the_same(tmp_path: Path) -> None:
    generate(400, str(tmp_path))
    paths = sorted(tmp_path.rglob("session.yaml"))
    assert len(paths) == 400
    for path in paths:
        data = path.read_bytes()
        assert _parse_simple(data, str(path)) is not None, path
        assert check_agrees(data, str(path))


def test_the_corpus_examples_and_written_sidecars_read_the_same() -> None:
    paths = [*(REPO / "tests" / "corpus").rglob("*.yaml"), *(REPO / "examples").rglob("*.yaml")]
    accepted = sum(check_agrees(path.read_bytes(), str(path)) for path in paths)
    assert accepted >= 5  # the examples' plain sidecars
    written = 0
    for number, value in enumerate(["rig-1", "3", "35.5", "yes", "0o17", "a: b", "", "x #y"]):
        record = Sidecar(
            subject="M001",
            session_datetime=datetime(2024, 1, 2, 3, 4, number),
            experimenters=["alice", "bob"],
            projects=["pilot"],
            note=f"note {value}",
            attributes={"rig": Attribute(value=value), "depths": Attribute(blob=[1, 2.5, None])},
        )
        data = dump_sidecar(record)
        written += check_agrees(data)
        assert parse_sidecar(data, "w/session.yaml").record == record
    assert written == 8


SIMPLE = b"""# written by the rig
schema_version: 1
subject: M001
session_datetime: 2024-01-29 17:49:00
experimenters: [chen, fatima]
projects:
  - pilot
  - sleep-ca1
note: Habituation only, no recording.
attributes:
  rig: rig-1
  temperature_c: 35.54
  probe_depths_um:
    value: three shanks
    blob: [1400, 1350.5, -7, true]
"""


def test_a_simple_sidecar_takes_the_fast_path_with_its_positions() -> None:
    assert check_agrees(SIMPLE)
    parsed = _parse_simple(SIMPLE, "s/session.yaml")
    assert parsed is not None and parsed.refs is not None
    assert parsed.refs.subject == (3, 10)
    assert parsed.refs.experimenters == ((5, 17), (5, 23))
    assert parsed.refs.projects == ((7, 5), (8, 5))


def test_quoted_text_takes_the_fast_path_as_text() -> None:
    data = SIMPLE.replace(b"rig: rig-1", b"rig: '3'\n  cage: \"a: b # c\"\n  name: 'it''s'")
    assert check_agrees(data)
    parsed = _parse_simple(data, "s/session.yaml")
    assert parsed is not None and parsed.record is not None and parsed.record.attributes
    assert [parsed.record.attributes[name].value for name in ("rig", "cage", "name")] == [
        "3",
        "a: b # c",
        "it's",
    ]


@pytest.mark.parametrize(
    "change",
    [
        (b"subject: M001", b'subject: "M\\u0030001"'),  # an escape
        (b"subject: M001", b"subject: 'M001' # a comment"),
        (b"subject: M001", b"subject: &a M001"),  # anchor
        (b"rig: rig-1", b"rig: !!str rig-1"),  # tag
        (b"rig: rig-1", b"rig: yes"),  # ambiguous
        (b"rig: rig-1", b"rig: 0o17"),  # ambiguous
        (b"rig: rig-1", b"rig: rig-1 # a comment"),
        (b"rig: rig-1", b"rig: |\n    rig-1"),  # block scalar
        (b"rig: rig-1", b"rig: rig-1\n    continued"),  # multi-line plain scalar
        (b"rig: rig-1", b"rig: {a: 1}"),
        (b"rig: rig-1", b"rig:"),  # null
        (b"rig: rig-1", b"rig: r\xe9"),  # not UTF-8
        (b"rig: rig-1", b"rig: r\xe2\x80\xa8"),  # U+2028, a line break to YAML 1.1
        (b"rig: rig-1", b"rig:\trig-1"),
        (b"note: Habituation", b"note: Habituation: only"),
        (b"note: Habituation", b"note: Habituation\r"),
        (b"subject: M001", b"subject: M001\nsubject: M002"),  # repeated key
        (b"subject: M001", b"on: M001"),  # a key YAML 1.1 reads as a boolean
        (b"# written by the rig", b"---"),
        (b"  - pilot", b"- pilot"),
        (b"  rig: rig-1", b"   rig: rig-1"),  # indentation that is an error
        (b"experimenters: [chen, fatima]", b"experimenters: [chen, [fatima]]"),
        (b"experimenters: [chen, fatima]", b"experimenters: [chen, fatima,]"),
        (b"experimenters: [chen, fatima]", b"experimenters: [chen,\n  fatima]"),
        # a key longer than libyaml's 1,024 characters (was: taken by the fast path)
        (b"    value: three shanks", b"    " + b"k" * 1025 + b": three shanks"),
        (b"  rig: rig-1", b"  " + b"r" * 1025 + b": rig-1"),
    ],
)
def test_anything_else_takes_the_full_reader(change: tuple[bytes, bytes]) -> None:
    data = SIMPLE.replace(*change, 1)
    assert data != SIMPLE
    assert read_simple(data) is None or _parse_simple(data, "s/session.yaml") is None
    check_agrees(data)


# Fuzzing: near-YAML documents built from lines a sidecar could have, then bent at random.
_KEYS = ["subject", "session_datetime", "experimenters", "projects", "note", "attributes"]
_KEYS += ["schema_version", "value", "blob", "rig", "a", "y", "on", "null", "No", "k-1", "x.y"]
_TRICKY = ["M001", "2024-01-29 17:49:00", "2024-01-29", "1", "-7", "35.5", "1e3", "0x1F", "017"]
_TRICKY += ["1_000", "1:30", ".inf", "-.5", "+5", "=", "<<", "~", "null", "yes", "y", "true"]
_TRICKY += ["a b", "a:b", "a: b", "a #b", "a#b", "'q'", '"q"', "&a x", "*a", "!!str x", "|", ">"]
_TRICKY += ["[a]", "{a: 1}", "- x", "? x", "%x", "@x", "`x", "x ", " x", "x,y", "rig-1", "3 shanks"]
_TRICKY += ["'a: b'", "'it''s'", "'it's'", '"a # b"', "'x", "'a' b", '"\\n"', "''", '"', "'0o17'"]
_CHARS = "abcM019 -?:,[]{}#&*!|>'\"%@`._+=~<\t\r\\/()é\u2028"
_SAFE = "abcM019 -._:µé"  # mostly simple text, with numbers, times and ': ' among it


@st.composite
def _mapping_lines(draw: st.DrawFn, safe: bool, indent: int = 0, depth: int = 0) -> list[str]:
    alphabet = _SAFE if safe else _CHARS
    scalars = st.one_of(
        st.sampled_from(_TRICKY), st.text(alphabet=alphabet, min_size=1, max_size=8)
    )
    if safe:
        words = st.from_regex(
            r"[a-zA-Z][a-z0-9 ._-]{0,8}[a-z0-9]|-?[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True
        )
        scalars = st.one_of(scalars, words, words)
    if safe:  # distinct keys that are plain text
        names = draw(st.lists(st.sampled_from(_KEYS[:11]), min_size=1, max_size=5, unique=True))
    else:
        keys = st.one_of(st.sampled_from(_KEYS), st.text(alphabet=_CHARS, min_size=1, max_size=4))
        names = draw(st.lists(keys, min_size=1, max_size=5))
    lines: list[str] = []
    pad = " " * indent
    for key in names:
        kind = draw(st.sampled_from(["scalar", "flow", "block", "map", "comment", "empty"]))
        if kind == "scalar":
            lines.append(f"{pad}{key}:{' ' * draw(st.integers(1, 2))}{draw(scalars)}")
        elif kind == "flow":
            items = draw(st.lists(scalars, max_size=3))
            sep = draw(st.sampled_from([", ", ",", " , "]))
            lines.append(f"{pad}{key}: [{sep.join(items)}]")
        elif kind == "block":
            step = draw(st.integers(1 if safe else 0, 3))
            lines.append(f"{pad}{key}:")
            lines += [f"{pad}{' ' * step}- {item}" for item in draw(st.lists(scalars, max_size=3))]
        elif kind == "map" and depth < 3:
            lines.append(f"{pad}{key}:")
            lines += draw(_mapping_lines(safe, indent + draw(st.integers(1, 3)), depth + 1))
        elif kind == "comment":
            lines.append(f"{' ' * draw(st.integers(0, 4))}# {draw(scalars)}")
        elif not safe:
            lines.append(f"{pad}{key}:")
    return lines


@st.composite
def _documents(draw: st.DrawFn) -> bytes:
    safe = draw(st.booleans())
    text = "\n".join(draw(_mapping_lines(safe))) + draw(st.sampled_from(["", "\n", "\n\n"]))
    for _ in range(draw(st.integers(0, 1 if safe else 2))):  # bend it
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        char = draw(st.sampled_from(_CHARS + "\n"))
        text = draw(st.sampled_from([text[:at] + char + text[at:], text[:at] + text[at + 1 :]]))
    return text.encode("utf-8")


@pytest.mark.fuzz
@given(_documents())
@example(SIMPLE)
@example(b"a:\n  " + b"k" * 1024 + b": 1\n")
@example(b"a:\n  " + b"k" * 1025 + b": 1\n")
@example("experimenters: [é, x, 'µ', y]\nnote: Ünterhaus µm, v2\n".encode())
def test_fuzzed_documents_read_the_same_by_both_readers(data: bytes) -> None:
    check_agrees(data)


@pytest.mark.fuzz
@given(st.randoms(use_true_random=False))
def test_fuzzed_sidecars_near_the_simple_shape_read_the_same(rng: random.Random) -> None:
    """Valid sidecars with one value swapped for a tricky one: the cases that matter most."""
    lines = SIMPLE.decode().splitlines()
    at = rng.randrange(len(lines))
    head, colon, _ = lines[at].partition(": ")
    if colon:
        lines[at] = f"{head}: {rng.choice(_TRICKY)}"
    check_agrees("\n".join(lines).encode())
