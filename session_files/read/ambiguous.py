"""``yaml-ambiguous``: plain scalars that YAML 1.1 and YAML 1.2 readers read differently.

This project reads YAML 1.1 (PyYAML's resolver, with timestamps kept as text); most other
readers (JavaScript, Go, Rust, C#, ruamel.yaml and so check-jsonschema) read YAML 1.2's
core schema. A plain (unquoted) scalar is ambiguous when the two readings differ:

* booleans of YAML 1.1 only: ``y Y yes Yes YES n N no No NO on On ON off Off OFF``
  (PyYAML itself reads ``y`` and ``n`` as text, but the YAML 1.1 spec and other 1.1
  readers read them as booleans);
* numbers only YAML 1.1 has: ``0b101``, ``1_000``, ``1:30`` (base 60), ``017`` (octal in
  1.1, 17 in 1.2), ``-0x1F``, ``0x_1F``, ``1_0.5``, ``1:30.5``;
* numbers only YAML 1.2 has: ``0o17``, ``08``, ``1e3``, ``1.0e3``, ``+.5``;
* ``=`` (YAML 1.1's "value" type; text in 1.2);
* text a reader that skips '_' in numbers (yaml-rs) reads as one: ``_1``, ``1e_3``;
* number-like text some reader cannot read at all: ``0x_``, ``0b_``, ``._``, ``-_``,
  ``0o_`` (no digits: ruamel.yaml raises, PyYAML too under its int/float tag), and numbers
  past Python's 4,300-digit limit.

The rule is computed, not listed: the reading of this project's own reader is compared
with the reading the YAML 1.2 core schema gives (section 10.3.2 of the 1.2.2 spec), and
the 1.1 spec's ``y``/``n`` booleans are added. ``tests/test_ambiguous.py`` checks it against
ruamel.yaml, a real YAML 1.2 reader, on generated scalars.
"""

from __future__ import annotations

import math
import re
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from ..findings import Finding
from .yamlsafe import (
    BOOL,
    FLOAT,
    INT,
    NOWHERE,
    NULL,
    STR,
    TIMESTAMP,
    VALUE,
    Builder,
    YamlProblem,
    plain_tag,
    position,
)

# YAML 1.2.2, 10.3.2 "Tag Resolution" of the core schema (null as in 1.1, so left out).
_CORE_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_CORE_BOOL["FALSE"] = False
_CORE_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_CORE_INT8 = re.compile(r"0o[0-7]+\Z")
_CORE_INT16 = re.compile(r"0x[0-9a-fA-F]+\Z")
_CORE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_CORE_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_CORE_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
# The YAML 1.1 spec's booleans that PyYAML reads as text.
_SPEC_11_BOOL = frozenset({"y", "Y", "n", "N"})
_NUMBER_START = frozenset("-+.0123456789")
_RESOLVER = Resolver()


def core_reading(text: str) -> Any:
    """What a YAML 1.2 core-schema reader makes of a plain scalar (text when not a
    bool, number or null)."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in _CORE_BOOL:
        return _CORE_BOOL[text]
    if not text or text[0] not in _NUMBER_START:
        return text
    if _CORE_INT10.match(text):
        return int(text)
    if _CORE_INT8.match(text):
        return int(text[2:], 8)
    if _CORE_INT16.match(text):
        return int(text[2:], 16)
    if _CORE_FLOAT.match(text):
        return float(text)
    if _CORE_INF.match(text):
        return -math.inf if text[0] == "-" else math.inf
    if _CORE_NAN.match(text):
        return math.nan
    return text


# YAML 1.2 readers that go past the core schema (ruamel.yaml, which check-jsonschema uses)
# also read signs before 0b/0o/0x and '_' between digits; such a text is ambiguous too.
# (yaml-rs also reads the prefixes in capitals: 0X1F, 0O17, 0B101)
_WIDE_INT = re.compile(r"[-+]?(0[bB][0-1_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|[0-9_]+)\Z")
_WIDE_FLOAT = re.compile(
    r"[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?\Z|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+\Z"
)


# What a reading is when the reader cannot make the number its rules say the text is.
UNREADABLE = object()


_WIDE_SPECIAL = re.compile(r"[-+]?\.inf\Z|\.nan\Z", re.IGNORECASE)  # yaml-rs: '.iNf', '.nAn'


def wide_reading(text: str) -> Any:
    """The number a lenient YAML 1.2 reader may make of a plain scalar, else None
    (``UNREADABLE`` where its rules say number but there are no digits: ruamel.yaml raises)."""
    digits = text.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    bare = digits.lstrip("+-")
    try:
        if _WIDE_INT.match(text):
            for prefix, base in (("0b", 2), ("0o", 8), ("0x", 16)):
                if bare.lower().startswith(prefix):
                    return sign * int(bare[2:], base)
            return sign * int(bare)
        if _WIDE_FLOAT.match(text):
            return float(digits)
        if _WIDE_SPECIAL.match(text):
            return float(text.lower().replace(".", ""))
    except ValueError:  # no digits at all ('0b_', '._', '-_'): ruamel.yaml raises
        return UNREADABLE
    return None


def underscored_reading(text: str) -> Any:
    """The number a reader that skips '_' anywhere in a number (yaml-rs: '_1', '1e_3',
    '0b_1') may make of a plain scalar, else None."""
    if "_" not in text:
        return None
    bare = text.replace("_", "")
    if not bare or bare[0] not in _NUMBER_START:
        return None
    value = core_reading(bare)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        value = wide_reading(bare)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return "text"


def _implicit_tag(text: str) -> str:
    """The tag YAML 1.1 gives ``text`` as a plain scalar."""
    return str(_RESOLVER.resolve(ScalarNode, text, (True, False)))  # type: ignore[no-untyped-call]


# The answer for a scalar is a pure function of its text and tag, and sidecars repeat the
# same keys and values in every file: short scalars' answers are remembered across files.
_NONE = ()
_READINGS: dict[tuple[str, str], tuple[Any, ...]] = {}
_READINGS_MAX = 50_000
_SHORT = 64


def readings(node: ScalarNode) -> tuple[Any, Any] | None:
    """(YAML 1.1 reading, YAML 1.2 reading) of a plain scalar when they differ, else None."""
    text = node.value
    if len(text) > _SHORT:
        return _uncached_readings(node)
    key = (text, node.tag)
    pair = _READINGS.get(key)
    if pair is None:
        found = _uncached_readings(node)
        pair = _NONE if found is None else found
        if len(_READINGS) < _READINGS_MAX:
            _READINGS[key] = pair
    return None if pair is _NONE else (pair[0], pair[1])


def plain_reads_the_same(text: str, tag: str) -> bool:
    """Whether a plain scalar of this text, given this tag by the loader, is read the same
    by YAML 1.1 and YAML 1.2 readers (``readings`` of such a node is None)."""
    pair = _READINGS.get((text, tag))
    if pair is None:
        return readings(ScalarNode(tag, text, NOWHERE)) is None
    return pair is _NONE


def _uncached_readings(node: ScalarNode) -> tuple[Any, Any] | None:
    try:
        pair = _readings(node)
    except ValueError:  # a number Python will not make (4,300+ digits): the builder says so
        return None
    if pair is None or plain_tag(node.value) != node.tag:
        return None  # the same, or an explicit tag ('!!str 0o17') says what it is
    return pair


def _readings(node: ScalarNode) -> tuple[Any, Any] | None:
    text = node.value
    tag = node.tag
    if tag in (STR, TIMESTAMP):
        # text in 1.1: ambiguous only where 1.2 reads a number (or the 1.1 spec a boolean)
        if text in _SPEC_11_BOOL:
            return text, text  # same in PyYAML and 1.2; a boolean to other 1.1 readers
        underscored = underscored_reading(text)
        if underscored is not None:
            return text, underscored
        if not text or text[0] not in _NUMBER_START:
            return None
        core = core_reading(text)
        if isinstance(core, str):
            core = wide_reading(text)
        return None if core is None else (text, core)
    if tag == VALUE:
        return text, text
    if tag not in (BOOL, INT, FLOAT, NULL):
        return None  # an explicit or unknown tag: the builder decides
    try:
        ours = Builder()._scalar(node)
    except YamlProblem:  # no number Python can make ('0x_', 5,000 digits): others read text
        return UNREADABLE, text
    core = core_reading(text)
    if not _same(ours, core):
        return ours, core
    wide = wide_reading(text) if text[:1] in _NUMBER_START else None
    return None if wide is None or _same(ours, wide) else (ours, wide)


def _message(node: ScalarNode, key: bool, ours: Any, core: Any) -> str:
    text = node.value
    shown = text if len(text) <= 60 else text[:57] + "..."
    what = "the key" if key else "the value"
    if text in _SPEC_11_BOOL:
        told = "is text to this reader and YAML 1.2 readers but a boolean to other YAML 1.1 readers"
    elif UNREADABLE in (ours, core):
        told = "looks like a number that some YAML readers cannot read (they refuse the file) and others read as text"
    elif node.tag == VALUE:
        told = "is a special '=' value to YAML 1.1 readers and text to YAML 1.2 readers"
    else:
        told = f"is {_describe(ours)} to YAML 1.1 readers (like this one) and {_describe(core)} to YAML 1.2 readers"
    return f"{what} '{shown}' {told}; quote it ('{shown}') so every YAML reader reads the same text"


def _candidates(root: Node) -> list[tuple[ScalarNode, Node | None]]:
    """Every plain scalar below ``root`` (aliased nodes once), with its mapping if it is a key,
    in document order; those already known to read the same everywhere are left out."""
    out: list[tuple[ScalarNode, Node | None]] = []
    seen: set[int] = set()
    stack: list[tuple[Node, Node | None]] = [(root, None)]
    known = _READINGS
    while stack:
        node, mapping = stack.pop()
        if isinstance(node, ScalarNode):
            # plain: None (PyYAML) or "" (libyaml); a scalar left out is left out wherever
            # an alias repeats it, so only the others need remembering
            if node.style or known.get((node.value, node.tag)) is _NONE or id(node) in seen:
                continue
            seen.add(id(node))
            out.append((node, mapping))
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((item, None) for item in reversed(node.value))
        elif isinstance(node, MappingNode):
            for k, v in reversed(node.value):
                stack.append((v, None))
                stack.append((k, node))
    return out


def ambiguous_findings(
    root: Node | None, path: str, places: set[tuple[int, int]] | None = None
) -> list[Finding]:
    """A ``yaml-ambiguous`` finding for every plain scalar below ``root`` read differently
    by YAML 1.1 and YAML 1.2, in document order. ``places`` (when given) collects their
    positions and those of the mappings holding an ambiguous key: other findings there
    are consequences of the misreading."""
    if root is None:
        return []
    findings: list[Finding] = []
    for node, mapping in _candidates(root):
        pair = readings(node)
        if pair is None:
            continue
        line, column = position(node)
        if places is not None:
            places.add((line, column))
            if mapping is not None:
                places.add(position(mapping))
        message = _message(node, mapping is not None, *pair)
        findings.append(Finding.make("yaml-ambiguous", path, message, line, column))
    return findings


def plain_is_ambiguous(text: str) -> bool:
    """Whether ``text`` written as a plain scalar would be read differently by YAML 1.1
    and YAML 1.2 (writers quote such text)."""
    return _readings(ScalarNode(_implicit_tag(text), text, NOWHERE)) is not None
