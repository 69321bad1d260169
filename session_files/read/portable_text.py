"""The line-level rules of the portable profile (``portable``): positions in the text,
characters YAML 1.1 and 1.2 break lines at differently, continuation lines and block
scalars' layout, which libyaml's tokens carry only as positions."""

from __future__ import annotations

import re
from typing import NamedTuple

from yaml import tokens as tk


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
_BREAKS_11 = re.compile("[\x85\u2028\u2029]")
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
    found = _BREAKS_11.search(text)
    if found is None:
        return None
    char = f"U+{ord(found.group()):04X}"
    escape = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}[found.group()]
    msg = (
        f"contains the character {char}, a line break to YAML 1.1 readers and text to YAML 1.2"
        f" readers; write it as the escape {escape} inside double quotes, or remove it"
    )
    return Unportable("yaml-syntax", msg, *position(text, found.start()))


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
    lines: list[str], blocks: list[int], first: int, last: int, what: str, deeper: int = 0
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


def block_scalar(
    text: str, lines: list[str], blocks: list[int], token: tk.ScalarToken
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
