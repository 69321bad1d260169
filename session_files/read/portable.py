"""The portable profile: YAML that every reader reads to the same values.

libyaml (the parser ``yamlsafe`` composes with) accepts some text that YAML 1.2 readers
refuse (``[a, b]#x``, ``"v"# x``, ``[-]``, ``>#x``, a flow list continued at the wrong
indentation) and reads some valid YAML otherwise than they do (``[?x]``, ``&a:b``, ``! 12``,
U+2028 as a line break). After libyaml has composed a document, ``unportable`` walks its
tokens once and names the first construct outside the profile, with its position and how to
write it portably. docs/format.md, "Portable YAML", is the profile in prose;
tests/test_yaml_suite.py checks it against the official YAML test suite, ruamel.yaml and a
strict YAML 1.2 reader (yaml-rs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml import tokens as tk

from .portable_text import (
    LINE_BREAK,
    MAX_IMPLICIT_KEY,
    Unportable,
    block_scalar,
    continued,
    long_key,
    position,
    unportable_character,
)

__all__ = ["MAX_IMPLICIT_KEY", "Unportable", "long_key", "unportable", "unportable_character"]

try:  # the same parser yamlsafe composes with
    from yaml import CSafeLoader as _Scanner
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Scanner  # type: ignore[assignment]


# A '#' right after a character that is not whitespace (libyaml takes it as a comment).
_TIGHT_HASH = re.compile(r"(?<=[^ \t\r\n])#")
_AFTER_NAME = frozenset(" \t\r\n,]}")  # what may follow an anchor or alias name
_AFTER_INDICATOR = frozenset(" \t\r\n")  # what must follow '?' or a tag
_PLAIN_START = frozenset("-?:")
_NOT_SAFE_AFTER = frozenset(" \t")
_NOT_SAFE_IN_FLOW = frozenset(" \t,[]{}")
# Core tags other than !!str: YAML 1.1 and 1.2 readers apply them differently
# (!!int '017' is 15 to one and 17 to the other, !!bool 1 true or an error).
_CORE_TAGS = frozenset({"int", "float", "bool", "null", "timestamp", "value", "map", "seq"})


# Text without any of these cannot hold a construct outside the profile, so it is not
# walked: each rule below needs one (a tab, a tight '#', a tag, anchor, alias, explicit key,
# directive or '...'; a flow collection or quoted text for continuation lines and ':' in
# flow; '|' or '>' for block scalars; '-:' or '::' for unquoted text that is only '-' or ':'
# in block context, where '-', '?' and ':' before a space are indicators). libyaml itself
# keeps unquoted text continued in block context indented past its block.
_MAY_BE_UNPORTABLE = re.compile(r"""[\t!&*?%|>\[{"']|\.\.\.|[-:]:|(?<=[^ \t\r\n])#""")


def unportable(text: str) -> Unportable | None:
    """The first construct of ``text`` (a document libyaml has composed) outside the profile."""
    if not _MAY_BE_UNPORTABLE.search(text):
        return None
    scanner = _Scanner(text)
    try:
        return _Walk(text).run(scanner)
    except yaml.YAMLError:  # pragma: no cover - libyaml composed this very text
        return None
    finally:
        scanner.dispose()


class _Walk:
    """One pass over the tokens: gaps between them (whitespace and comments), and each token."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks: list[int] = []  # columns of the open block collections
        self.flow_depth = 0
        self.flow_start = 0  # line (0-based) where the outermost open flow collection starts
        self._lines: list[str] | None = None
        self.ended: int | None = None  # where '...' ended the document
        marks = [(m.start(), "#") for m in _TIGHT_HASH.finditer(text) if m.start()]
        marks += [(m.start(), "\t") for m in re.finditer("\t", text)] if "\t" in text else []
        self.marks = sorted(marks, reverse=True)  # popped from the end, in text order

    def problem(self, code: str, index: int, message: str) -> Unportable:
        return Unportable(code, message, *position(self.text, index))

    def run(self, scanner: yaml.CSafeLoader) -> Unportable | None:
        end = 0
        marks, handlers = self.marks, _HANDLERS
        while scanner.check_token():
            token = scanner.get_token()
            if token is None:  # pragma: no cover - check_token said there is one
                break
            start = token.start_mark.index
            if self.ended is not None and not isinstance(token, tk.StreamEndToken):
                msg = "has more after the document's end ('...'); remove it, or the '...'"
                return self.problem("yaml-syntax", start, msg)
            stop = token.end_mark.index
            if marks and marks[-1][0] < stop:
                found = self.marked(end, start, token)
                if found is not None:
                    return found
            handler = handlers.get(type(token))
            found = None if handler is None else handler(self, token)
            if found is not None:
                return found
            end = max(end, stop)
        return None

    # ----------------------------------------------------------- tabs and tight '#'
    def marked(self, gap: int, start: int, token: tk.Token) -> Unportable | None:
        """Tabs and tight '#' in the gap before ``token`` and inside it."""
        marks = self.marks
        stop = token.end_mark.index
        while marks and marks[-1][0] < stop:
            index, char = marks.pop()
            if index < start:
                found = self._in_gap(gap, index, char)
            else:
                found = self._in_token(token, index, char)
            if found is not None:
                return found
        return None

    def _in_gap(self, gap: int, index: int, char: str) -> Unportable | None:
        before = self.text[gap:index]
        line = before[max(before.rfind("\n"), before.rfind("\r")) + 1 :]
        if char == "#" and "#" not in line:
            msg = (
                "has a comment that does not follow a space (libyaml reads it, YAML 1.2"
                " readers refuse it); put a space before '#'"
            )
            return self.problem("yaml-syntax", index, msg)
        if char == "\t" and "#" not in line:  # a tab inside a comment is part of the comment
            msg = "has a tab where YAML readers disagree on tabs; use spaces for spacing and indentation"
            return self.problem("yaml-syntax", index, msg)
        return None

    def _in_token(self, token: tk.Token, index: int, char: str) -> Unportable | None:
        if char == "#":
            return None  # inside a scalar's text, or a token refused below
        style = getattr(token, "style", None) if isinstance(token, tk.ScalarToken) else "x"
        text = self.text
        line_start = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
        if style in ("'", '"'):
            if line_start <= token.start_mark.index or text[line_start:index].strip(" \t"):
                return None  # a tab in the quoted text
            msg = "has a tab in the indentation of quoted text; indent with spaces"
        elif style in ("|", ">"):
            if line_start > token.start_mark.index:
                return None  # a tab in a block scalar's content
            msg = "has a tab in a block scalar's header; use spaces"
        elif not style:
            msg = "has a tab in unquoted text, which YAML readers read differently; quote the text"
        else:
            msg = "has a tab where YAML readers disagree on tabs; use spaces"
        return self.problem("yaml-syntax", index, msg)

    # ----------------------------------------------------------------- tokens
    def open_block(self, token: tk.Token) -> None:
        self.blocks.append(token.start_mark.column)

    def close_block(self, token: tk.Token) -> None:
        if self.blocks:
            self.blocks.pop()

    def open_flow(self, token: tk.Token) -> None:
        if not self.flow_depth:
            self.flow_start = token.start_mark.line
        self.flow_depth += 1

    def close_flow(self, token: tk.Token) -> Unportable | None:
        self.flow_depth -= 1
        if self.flow_depth:
            return None
        line = token.end_mark.line
        return continued(self.lines, self.blocks, self.flow_start, line, "a flow collection")

    def end_document(self, token: tk.Token) -> None:
        self.ended = token.start_mark.index

    def _next(self, token: tk.Token) -> str:
        index = token.end_mark.index
        return self.text[index] if index < len(self.text) else " "

    def key(self, token: tk.KeyToken) -> Unportable | None:
        start, end = token.start_mark.index, token.end_mark.index
        if end > start and (end == len(self.text) or self._next(token) not in _AFTER_INDICATOR):
            msg = (
                "has '?' followed directly by text: libyaml reads an explicit key, YAML 1.2"
                " readers the text; quote the text (or put a space after '?')"
            )
            return self.problem("yaml-syntax", start, msg)
        return None

    def value(self, token: tk.ValueToken) -> Unportable | None:
        """A ':' in a flow collection: followed by a space, a line break or the end of an
        entry (readers disagree on '"a":b' in a flow list)."""
        if not self.flow_depth or self._next(token) in _AFTER_NAME:
            return None
        msg = "has ':' followed directly by text in a flow collection; put a space after ':'"
        return self.problem("yaml-syntax", token.start_mark.index, msg)

    def name(self, token: tk.AnchorToken | tk.AliasToken) -> Unportable | None:
        if self._next(token) in _AFTER_NAME:
            return None
        what = "an anchor" if isinstance(token, tk.AnchorToken) else "an alias"
        msg = (
            f"has {what} name {token.value!r} followed by {self._next(token)!r}, which YAML 1.2"
            " readers take as part of the name; end the name with a space (names are letters,"
            " digits, '-' and '_')"
        )
        return self.problem("yaml-syntax", token.start_mark.index, msg)

    def tag(self, token: tk.TagToken) -> Unportable | None:
        handle, suffix = token.value
        start = token.start_mark.index
        written = self.text[start : token.end_mark.index]
        if handle == "!!" and suffix == "str":
            if self._next(token) in _AFTER_INDICATOR:
                return None
            msg = "has the tag '!!str' followed directly by other text; put a space after it"
            return self.problem("yaml-syntax", start, msg)
        if handle is None and suffix == "!":
            msg = (
                "uses the non-specific tag '!', which YAML readers resolve differently (! 12 is"
                " text to some, a number to others); remove it, and quote the value for text"
            )
            return self.problem("yaml-syntax", start, msg)
        if handle == "!!" and suffix in _CORE_TAGS:
            msg = (
                f"uses the tag {written!r}, which YAML 1.1 and 1.2 readers apply differently"
                " (!!int '017' is 15 to one and 17 to the other); remove the tag: write a number"
                " plainly (12), text in quotes ('12'); only !!str is kept"
            )
            return self.problem("yaml-syntax", start, msg)
        if handle is None and suffix == "tag:yaml.org,2002:str":
            msg = f"writes the tag {written!r} in full; write it as !!str"
            return self.problem("yaml-syntax", start, msg)
        msg = (
            f"uses the tag {written!r}; only YAML's core types (text, numbers, booleans,"
            " null, timestamps, lists, mappings) are allowed"
        )
        return self.problem("yaml-forbidden", start, msg)

    def directive(self, token: tk.DirectiveToken) -> Unportable | None:
        start = token.start_mark.index
        if token.name == "YAML" and token.value in ((1, 1), (1, 2)):
            return None
        if token.name == "TAG":
            msg = "declares a tag handle (%TAG); remove the directive (only the tag !!str is kept)"
            return self.problem("yaml-forbidden", start, msg)
        msg = "has a directive YAML readers treat differently; remove it (or write %YAML 1.2)"
        return self.problem("yaml-syntax", start, msg)

    def scalar(self, token: tk.ScalarToken) -> Unportable | None:
        style, value = token.style, token.value
        start = token.start_mark
        if style in ("|", ">"):
            return block_scalar(self.text, self.lines, self.blocks, token)
        after = _NOT_SAFE_IN_FLOW if self.flow_depth else _NOT_SAFE_AFTER
        if not style and value[0] in _PLAIN_START and value[1:2] in ("", *after):
            shown = value if len(value) <= 20 else value[:17] + "..."
            msg = (
                f"has the unquoted text {shown!r}, which starts with an indicator YAML readers"
                f" read differently; quote it ('{shown}')"
            )
            return self.problem("yaml-syntax", start.index, msg)
        if token.end_mark.line > start.line and not self.flow_depth:
            # yaml-rs wants quoted text continued two spaces past the block it is in
            deeper = 1 if style else 0
            return continued(
                self.lines, self.blocks, start.line, token.end_mark.line, "text", deeper
            )
        return None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = LINE_BREAK.split(self.text)
        return self._lines


_Handler = Callable[[_Walk, Any], "Unportable | None"]
_HANDLERS: dict[type[tk.Token], _Handler] = {
    tk.ScalarToken: _Walk.scalar,
    tk.KeyToken: _Walk.key,
    tk.ValueToken: _Walk.value,
    tk.BlockMappingStartToken: _Walk.open_block,
    tk.BlockSequenceStartToken: _Walk.open_block,
    tk.BlockEndToken: _Walk.close_block,
    tk.FlowSequenceStartToken: _Walk.open_flow,
    tk.FlowMappingStartToken: _Walk.open_flow,
    tk.FlowSequenceEndToken: _Walk.close_flow,
    tk.FlowMappingEndToken: _Walk.close_flow,
    tk.TagToken: _Walk.tag,
    tk.AnchorToken: _Walk.name,
    tk.AliasToken: _Walk.name,
    tk.DirectiveToken: _Walk.directive,
    tk.DocumentEndToken: _Walk.end_document,
}
