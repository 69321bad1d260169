"""The line-level rules of the portable profile (``portable``): positions in the text,
characters YAML 1.1 and 1.2 break lines at differently, continuation lines and block
scalars' layout, which libyaml's tokens carry only as positions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from yaml import tokens as tk
from yaml.nodes import ScalarNode

# A scalar as libyaml's scanner gives it, or as its composer keeps it (the same text, style
# and marks): the token walk (``portable``) and the node-tree check (``portable_nodes``)
# apply the same rules to either.
Scalar = tk.ScalarToken | ScalarNode


class Unportable(NamedTuple):
    """A construct outside the profile: its finding code, message and 1-based position."""

    code: str
    message: str
    line: int
    column: int


# The longest implicit key, in characters from its start to its ':' (YAML 1.2, 7.4.2, and
# libyaml, which refuses a longer one); the line reader declines longer keys.
MAX_IMPLICIT_KEY = 1024
# YAML 1.1 reads these as line breaks, YAML 1.2 as ordinary characters (or refuses them).
_ESCAPES = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
LINE_BREAK = re.compile("\r\n|\r|\n")
_BLOCK_HEADER = re.compile(r"[|>]([1-9][-+]?|[-+][1-9]?)?( +(#.*)?)?\Z")


def position(text: str, index: int) -> tuple[int, int]:
    """The 1-based (line, column) of ``text[index]``, lines broken as libyaml breaks them."""
    before = text[:index]
    breaks = list(LINE_BREAK.finditer(before))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, index - start + 1


def unportable_character(text: str) -> Unportable | None:
    """U+0085, U+2028 or U+2029 written raw: a line break to YAML 1.1 readers, text to 1.2."""
    at = [index for index in map(text.find, _ESCAPES) if index >= 0]  # str.find: no regex scan
    if not at:
        return None
    index = min(at)
    char = f"U+{ord(text[index]):04X}"
    escape = _ESCAPES[text[index]]
    msg = (
        f"contains the character {char}, a line break to YAML 1.1 readers and text to YAML 1.2"
        f" readers; write it as the escape {escape} inside double quotes, or remove it"
    )
    return Unportable("yaml-syntax", msg, *position(text, index))


def long_key(text: str, line: int, column: int) -> str | None:
    """Why libyaml refused the text at (0-based) ``line``, ``column`` if it is a key longer
    than ``MAX_IMPLICIT_KEY`` (its own message only says a ':' is not allowed there)."""
    lines = LINE_BREAK.split(text)
    if line >= len(lines):
        return None
    key = lines[line][:column].lstrip(" ").rstrip(" ")
    if len(key) <= MAX_IMPLICIT_KEY or ": " in key:
        return None
    return (
        f"has a key of {len(key):,} characters; YAML allows at most {MAX_IMPLICIT_KEY:,} in"
        " a key written 'key: value': shorten it, or write it as an explicit key ('? key')"
    )


def continued(
    lines: list[str], blocks: Sequence[int], first: int, last: int, what: str, deeper: int = 0
) -> Unportable | None:
    """Lines ``first + 1 .. last`` continue one node: each must be indented more than the
    block collection it is in (YAML 1.2's rule; libyaml does not check it), ``deeper``
    spaces more."""
    if last <= first:
        return None
    indent = (blocks[-1] + deeper) if blocks else -1
    for number in range(first + 1, last + 1):
        line = lines[number]
        content = line.lstrip(" ")
        if content.strip(" \t") and len(line) - len(content) <= indent:
            msg = (
                f"continues {what} from line {first + 1} at too little indentation; indent"
                f" this line by more than {indent} spaces (more than the block it is in)"
            )
            return Unportable("yaml-syntax", msg, number + 1, len(line) - len(content) + 1)
    return None


_PLAIN_START = frozenset("-?:")
_NOT_SAFE_AFTER = frozenset(" \t")
_NOT_SAFE_IN_FLOW = frozenset(" \t,[]{}")
AFTER_NAME = frozenset(" \t\r\n,]}")  # what may follow an anchor or alias name, or ':' in flow


def scalar_problem(
    text: str, lines: list[str], blocks: Sequence[int], token: Scalar, in_flow: bool
) -> Unportable | None:
    """A scalar's own rules: block scalar layout, unquoted text that is only an indicator,
    text continued at too little indentation (``blocks``: columns of the open block
    collections, innermost last)."""
    style, value = token.style, token.value
    start = token.start_mark
    if style in ("|", ">"):
        return block_scalar(text, lines, blocks, token)
    after = _NOT_SAFE_IN_FLOW if in_flow else _NOT_SAFE_AFTER
    if not style and value[0] in _PLAIN_START and value[1:2] in ("", *after):
        shown = value if len(value) <= 20 else value[:17] + "..."
        msg = (
            f"has the unquoted text {shown!r}, which starts with an indicator YAML readers"
            f" read differently; quote it ('{shown}')"
        )
        return Unportable("yaml-syntax", msg, *position(text, start.index))
    if not style and in_flow and ends_before_indicator(text, token.end_mark.index):
        shown = value if len(value) <= 20 else "..." + value[-17:]
        msg = (
            f"has the unquoted text {shown!r}, whose last word '-' stands right before"
            f" {text[token.end_mark.index]!r} (a YAML 1.2 reader refuses it); quote it"
            f" ('{shown}') or put a space before {text[token.end_mark.index]!r}"
        )
        return Unportable("yaml-syntax", msg, *position(text, start.index))
    if token.end_mark.line > start.line and not in_flow:
        # yaml-rs wants quoted text continued two spaces past the block it is in
        deeper = 1 if style else 0
        return continued(lines, blocks, start.line, token.end_mark.line, "text", deeper)
    return None


def ends_before_indicator(text: str, end: int) -> bool:
    """A plain scalar in a flow ending at ``end`` in a lone '-' (after a space or a line
    break) right before ',', '[', ']', '{' or '}': libyaml and ruamel.yaml read 'a -' where
    yaml-rs refuses ('[a -]', '{e: f -}')."""
    return (
        end >= 2
        and end < len(text)
        and text[end - 1] == "-"
        and text[end - 2] in " \t\r\n"
        and text[end] in ",[]{}"
    )


def flow_value(text: str, index: int) -> Unportable | None:
    """A ':' at ``index`` in a flow collection: followed by a space or a line break (readers
    disagree on '"a":b' in a flow list; ruamel.yaml refuses '["k":, v]' and reads the key of
    '{a:, b}' as 'a:')."""
    if index + 1 >= len(text) or text[index + 1] in " \t\r\n":
        return None
    if text[index + 1] in ",]}":
        msg = (
            "has ':' followed directly by the end of an entry in a flow collection; write the"
            " value, or a space after ':' ('k: ,' or 'k: null')"
        )
    else:
        msg = "has ':' followed directly by text in a flow collection; put a space after ':'"
    return Unportable("yaml-syntax", msg, *position(text, index))


def block_scalar(
    text: str, lines: list[str], blocks: Sequence[int], token: Scalar
) -> Unportable | None:
    """A block scalar's header and layout (docs/format.md, "Portable YAML")."""
    start = token.start_mark
    header = lines[start.line][start.column :]
    if not _BLOCK_HEADER.match(header):
        msg = (
            "has a block scalar header YAML 1.2 readers refuse; write '|' or '>' (with"
            " an optional indentation and chomping indicator, like |2-), then a space"
            " before any comment"
        )
        return Unportable("yaml-syntax", msg, *position(text, start.index))
    rest = text[token.end_mark.index :]
    if not text.endswith(("\n", "\r")) and not rest.strip(" \r\n"):
        msg = "ends the file inside a block scalar; end the file with a line break"
        return Unportable("yaml-syntax", msg, *position(text, len(text)))
    first, spaced = None, []  # the first content line (number, indent); blank lines
    for number in range(start.line + 1, len(lines)):
        line = lines[number]
        if line.strip(" "):
            first = number, len(line) - len(line.lstrip(" "))
            break
        if line:
            spaced.append((number, len(line)))
    digits = [int(char) for char in header[1:3] if char.isdigit()]
    parent = blocks[-1] if blocks else 0
    least = parent + (digits[0] if digits else 1)
    if blocks and start.column <= parent and not lines[start.line][: start.column].strip():
        msg = "starts a block scalar on a line of its own at its key's indentation; indent the '|' or '>' more, or put it after the key"
        return Unportable("yaml-syntax", msg, *position(text, start.index))
    if first is None or first[1] < least:
        msg = (
            "has a block scalar with no lines of its own (empty, or not indented past the"
            " block it is in), which YAML readers read differently; write '' for empty"
            " text, or indent its lines"
        )
        return Unportable("yaml-syntax", msg, *position(text, start.index))
    if digits:
        return None  # an explicit indentation indicator: blank lines are content
    wrong = [number for number, width in spaced if width != first[1]]
    if wrong:
        msg = (
            "starts a block scalar with a blank line holding spaces that YAML readers"
            " count differently; leave the blank lines before its first line empty (or give"
            " an indentation indicator, like |2)"
        )
        return Unportable("yaml-syntax", msg, wrong[0] + 1, 1)
    return None
