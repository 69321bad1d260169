"""YAML text for the values an edit writes: scalars in a given quoting style, new entries in
a file's own indentation and line ends, always in the portable profile (text YAML 1.1 and
1.2 would read differently is quoted, as ``dump.py`` quotes it)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node

from ..read.ambiguous import plain_is_ambiguous
from ..read.yamlsafe import NULL, STR, plain_tag
from .dump import ESCAPE, dump_yaml

# Characters JSON leaves raw that YAML reads as breaks or refuses: escaped as \uXXXX.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_ANALYZER = yaml.emitter.Emitter(io.StringIO())


@dataclass(frozen=True)
class FileStyle:
    """How a file writes what an edit adds: its line end and its indentation step."""

    newline: str = "\n"
    indent: int = 2


def detect_style(text: str, root: Node | None) -> FileStyle:
    """The line end (CRLF when the file uses it) and the indentation of nested mappings."""
    newline = "\r\n" if "\r\n" in text else "\n"
    indent = 2
    stack = [root] if isinstance(root, MappingNode) else []
    while stack:
        node = stack.pop()
        for key, value in node.value:
            if isinstance(value, MappingNode) and not value.flow_style and value.value:
                step = value.value[0][0].start_mark.column - key.start_mark.column
                if step > 0:
                    return FileStyle(newline, step)
                stack.append(value)
    return FileStyle(newline, indent)


def double_quoted(text: str) -> str:
    """``text`` as one double-quoted YAML scalar (breaks and control characters escaped)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _plain_ok(text: str, *, flow: bool, as_text: bool) -> bool:
    """Whether ``text`` can be written plain and read back as this same text."""
    if not text or ESCAPE.search(text) or "\n" in text or plain_is_ambiguous(text):
        return False
    analysis = _ANALYZER.analyze_scalar(text)
    if not (analysis.allow_flow_plain if flow else analysis.allow_block_plain):
        return False
    tag = plain_tag(text)
    # a value read as the text written (an attribute) may look like a number; others stay text
    return tag != NULL if as_text else tag == STR


def scalar(value: Any, *, style: str = "", flow: bool = False, as_text: bool = False) -> str:
    """One scalar's YAML text on one line.

    Text keeps the quoting ``style`` it had ('' plain, "'" or '"') where that still reads
    back as the same text, else is quoted; ``as_text`` marks a place read as the text
    written (an attribute value), where ``36.5`` may stay plain. Other values (numbers,
    booleans, dates) are written as the package's dumper writes them.
    """
    if not isinstance(value, str):
        return dump_yaml(value).split("\n", 1)[0]
    if ESCAPE.search(value) or "\n" in value or style == '"':
        return double_quoted(value)
    if style != "'" and _plain_ok(value, flow=flow, as_text=as_text):
        return value
    return _single_quoted(value)


def entry_lines(key: str, value: Any, column: int, style: FileStyle, *, as_text: bool) -> str:
    """``key: value`` as block lines at ``column`` (``key`` already YAML text), each ended
    by the file's line end: a scalar on the key's line, a mapping or list below it."""
    pad = " " * column
    if not isinstance(value, (dict, list)):  # text with line breaks: one double-quoted line
        return f"{pad}{key}: {scalar(value, as_text=as_text)}{style.newline}"
    rendered = dump_yaml({"k": value}, indent=style.indent)
    first, _, rest = rendered.partition("\n")
    lines = [f"{pad}{key}{first[1:]}"] + [pad + line if line else line for line in rest.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + style.newline for line in lines)


def key_text(key: str, style: str = "") -> str:
    """A mapping key as YAML text (keys are always read as text)."""
    return scalar(key, style=style)
