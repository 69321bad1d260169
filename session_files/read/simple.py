"""The common sidecar, read line by line: a fast path that declines everything else.

Almost every sidecar a lab writes is a few ``key: value`` lines: block mappings nested by
indentation, plain or one-line quoted scalars, lists written ``[a, b]`` or as ``- a``
lines, comment lines. ``read_simple`` reads exactly that shape and returns None for
anything else (anchors, aliases, tags, escapes, multi-line or block scalars, flow
mappings, tabs, carriage returns, control characters, ``---``, a repeated key, a key that
is not plain ASCII text or longer than libyaml's 1,024 characters), which then takes the full
reader (``yamlsafe``, ``portable`` and ``ambiguous``, with their findings). None of what it
accepts is outside the portable profile (docs/security.md, "The line reader for simple
sidecars", says why).

It decides nothing the full reader decides differently: every scalar's tag comes from
the loader's own resolver (``yamlsafe.plain_tag``), its value from the full reader's
``Builder``, and a scalar that YAML 1.1 and 1.2 read differently is declined (the full
reader reports it). tests/test_simple.py checks the two readers agree on every document
this one accepts: generated sidecars and fuzzed near-YAML.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple, TypeAlias

from yaml.nodes import ScalarNode

from .ambiguous import plain_reads_the_same
from .portable import MAX_IMPLICIT_KEY
from .yamlsafe import (
    BOOL,
    FLOAT,
    INT,
    NOWHERE,
    NULL,
    STR,
    TIMESTAMP,
    Builder,
    YamlProblem,
    plain_tag,
)

MAX_SIMPLE_BYTES = 64 * 1024  # larger files take the full reader (and its limits)
MAX_SIMPLE_DEPTH = 16

# Anything but newlines and the characters YAML calls printable, less the ones YAML 1.1
# reads as line breaks (U+0085, U+2028, U+2029) and a byte order mark: tabs, CR, controls.
_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A significant line: its indent, then a key (with its value, if any, on the same line) or
# a list item; a comment line has '#' as its first character after the indent.
# (Greedy to the end, trailing spaces cut after: no pattern here backtracks over a line.)
_KEY = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_.-]*):(?: +(.*))?\Z")
_ITEM = re.compile(r"( *)- +(.*)\Z")
# A plain scalar: a first character that is no YAML indicator (a '-' only before a digit
# or '.'), then no '#' (a comment), no flow indicator, and no ': ' (a mapping inside).
_BLOCK_PLAIN = re.compile(r"(?:[^-?:,\[\]{}#&*!|>'\"%@` ]|-[0-9.])[^#\[\]{}]*\Z")
_FLOW_PLAIN = re.compile(r"(?:[^-?:,\[\]{}#&*!|>'\"%@` ]|-[0-9.])[^#\[\]{},:?'\"]*\Z")


# YAML 1.1's '=' (value) and '<<' (merge) take the full reader, which reports them
_SIMPLE_TAGS = frozenset({STR, TIMESTAMP, NULL, INT, FLOAT, BOOL})


class Scalar(NamedTuple):
    """A scalar: its text, the tag the loader gives it, its 1-based position, and its
    quotes ('' for a plain scalar)."""

    text: str
    tag: str
    line: int
    column: int
    style: str = ""


Value: TypeAlias = "Scalar | list[Scalar] | dict[str, Value]"


class NotSimple(Exception):
    """Not the simple shape (or a value the full reader would refuse): it takes the file."""


def read_simple(data: bytes) -> dict[str, Value] | None:
    """The document's top-level mapping, or None when the file is not the simple shape."""
    if len(data) > MAX_SIMPLE_BYTES:
        return None
    try:
        text = data.decode("ascii" if data.isascii() else "utf-8")
    except UnicodeDecodeError:
        return None
    if _UNSAFE.search(text):
        return None
    lines: list[tuple[int, int, re.Match[str], bool]] = []  # number, indent, match, is a key
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        match = _KEY.match(line)
        if match is not None:
            lines.append((number, len(match[1]), match, True))
            continue
        match = _ITEM.match(line)
        if match is None:
            return None
        lines.append((number, len(match[1]), match, False))
    if not lines or lines[0][1] != 0:
        return None
    try:
        document, end = _mapping(lines, 0, 0, 0)
    except NotSimple:
        return None
    return document if end == len(lines) else None


def _mapping(
    lines: list[tuple[int, int, re.Match[str], bool]], start: int, indent: int, depth: int
) -> tuple[dict[str, Value], int]:
    """The block mapping whose keys start at ``indent``, from line ``start``; where it ends."""
    if depth > MAX_SIMPLE_DEPTH:
        raise NotSimple
    mapping: dict[str, Value] = {}
    at = start
    while at < len(lines):
        number, line_indent, match, is_key = lines[at]
        if line_indent < indent:
            break
        if line_indent > indent or not is_key:
            raise NotSimple
        key = match[2]
        if (
            len(key) > MAX_IMPLICIT_KEY
            or key in mapping
            or _scalar(key, number, 1, None).tag != STR
        ):
            raise NotSimple
        rest = match[3] and match[3].rstrip(" ")
        at += 1
        if rest:
            mapping[key] = _value(rest, number, match.start(3) + 1)
            continue
        if at == len(lines) or lines[at][1] <= indent:
            raise NotSimple  # an empty value (null): the full reader
        child_indent = lines[at][1]
        if lines[at][3]:
            mapping[key], at = _mapping(lines, at, child_indent, depth + 1)
        else:
            mapping[key], at = _items(lines, at, child_indent)
    return mapping, at


def _items(
    lines: list[tuple[int, int, re.Match[str], bool]], start: int, indent: int
) -> tuple[list[Scalar], int]:
    """The block list of plain scalars whose ``-`` start at ``indent``; where it ends."""
    items: list[Scalar] = []
    at = start
    while at < len(lines):
        number, line_indent, match, is_key = lines[at]
        if line_indent < indent:
            break
        if line_indent > indent or is_key:
            raise NotSimple
        items.append(_scalar(match[2].rstrip(" "), number, match.start(2) + 1, _BLOCK_PLAIN))
        at += 1
    return items, at


def _value(text: str, number: int, column: int) -> Scalar | list[Scalar]:
    """A value written on its key's line: ``[a, b]`` or a plain scalar."""
    if text[0] != "[":
        return _scalar(text, number, column, _BLOCK_PLAIN)
    if text[-1] != "]":
        raise NotSimple
    inner = text[1:-1]
    if not inner.strip(" "):
        return []
    items = []
    offset = column + 1
    for part in inner.split(","):
        if part.endswith(" -"):  # 'a -' right before ',' or ']': the full reader refuses it
            raise NotSimple
        item = part.strip(" ")
        lead = len(part) - len(part.lstrip(" "))
        items.append(_scalar(item, number, offset + lead, _FLOW_PLAIN))
        offset += len(part) + 1
    return items


# (text, form) -> its tag, or "" when it is not a simple plain scalar; remembered for short
# texts, as sidecars repeat the same keys and values in every file
_TAGS: dict[tuple[str, re.Pattern[str] | None], str] = {}
_TAGS_MAX = 50_000


# One line in quotes: '' stands for ' in single quotes; no escapes in double quotes.
_SINGLE = re.compile(r"'((?:[^']|'')*)'\Z")
_DOUBLE = re.compile(r'"([^"\\]*)"\Z')


def _scalar(text: str, number: int, column: int, form: re.Pattern[str] | None) -> Scalar:
    """A scalar written in ``form`` (None: a key the line's pattern has matched), or in
    quotes (text, whatever it looks like; YAML 1.1 and 1.2 agree)."""
    if text[:1] in ("'", '"') and form is not None:
        quoted = (_SINGLE if text[0] == "'" else _DOUBLE).match(text)
        if quoted is None:
            raise NotSimple
        inner = quoted[1].replace("''", "'") if text[0] == "'" else quoted[1]
        return Scalar(inner, STR, number, column, text[0])
    tag = _TAGS.get((text, form))
    if tag is None:
        tag = _tag(text, form)
        if len(text) <= 64 and len(_TAGS) < _TAGS_MAX:
            _TAGS[text, form] = tag
    if not tag:
        raise NotSimple
    return Scalar(text, tag, number, column)


def _tag(text: str, form: re.Pattern[str] | None) -> str:
    if form is not None and (not form.match(text) or ": " in text or text[-1] == ":"):
        return ""
    tag = plain_tag(text)
    return tag if tag in _SIMPLE_TAGS and plain_reads_the_same(text, tag) else ""


def typed(value: Value) -> Any:
    """Plain data for a value, as the full reader's ``Builder.build`` makes it."""
    if isinstance(value, Scalar):
        return scalar_value(value)
    if isinstance(value, list):
        return [scalar_value(item) for item in value]
    return {key: typed(item) for key, item in value.items()}


def scalar_value(scalar: Scalar) -> Any:
    """A scalar's value: text stays text (timestamps too), null is None, numbers and
    booleans are converted by the full reader's rules; ``NotSimple`` where it refuses one."""
    tag = scalar.tag
    if tag in (STR, TIMESTAMP):
        return scalar.text
    if tag == NULL:
        return None
    key = (scalar.text, tag)
    value = _VALUES.get(key, _VALUES)
    if value is _VALUES:
        try:
            value = Builder()._scalar(ScalarNode(tag, scalar.text, NOWHERE))
        except YamlProblem:
            value = _VALUES  # refused: remembered as such
        if len(scalar.text) <= 64 and len(_VALUES) < _TAGS_MAX:
            _VALUES[key] = value
    if value is _VALUES:
        raise NotSimple
    return value


# (text, tag) -> the number or boolean it is (the dictionary itself: refused); short ones
_VALUES: dict[tuple[str, str], Any] = {}


def text_or_null(scalar: Scalar) -> str | None:
    """A scalar kept as the text written (an attribute), null as None."""
    return None if scalar.tag == NULL else scalar.text
