"""Minimal edits of a YAML mapping file: change only the lines whose values change.

Sidecars and registries are hand-annotated files under git. An edit here takes the file's
bytes, the document as it was and as it should be (plain data, keys by path), and returns
new bytes in which only the text of the values that differ is replaced, new keys are added
in the file's own indentation and line ends, and removed keys lose their lines; every
comment, blank line, quoting style and key order elsewhere stays byte for byte. Positions
come from the project's own reader (``read/yamlsafe.compose``). Where a value cannot be
changed in place (a key sharing its line with another, a mapping emptied), the smallest
enclosing entry is written anew; as a last resort the whole document is (its leading
comments kept), and the result says so. Callers re-read and validate what they write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..read.yamlsafe import compose, decode
from .dump import dump_flow, dump_yaml
from .render import FileStyle, detect_style, entry_lines, key_text, scalar

Loc = tuple[str | int, ...]
_BOM = "\ufeff"


@dataclass(frozen=True)
class Edited:
    """New bytes, and whether they are a minimal edit (False: the document was rewritten)."""

    data: bytes
    minimal: bool = True


class RewriteWarning(UserWarning):
    """A file could not be edited in place and was written anew (its leading comments kept)."""


class _Coarser(Exception):
    """This node cannot be changed in place: the caller rewrites the entry that holds it."""


def _never(loc: Loc) -> bool:
    return False


@dataclass
class _Editor:
    text: str
    style: FileStyle
    as_text: Callable[[Loc], bool] = _never
    edits: list[tuple[int, int, int, str]] = field(default_factory=list)

    # -- positions --------------------------------------------------------------------
    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def line_end(self, index: int) -> int:
        """The end of the line holding ``index``, after its line break."""
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1

    def at_line_start(self, node: Node) -> bool:
        start = node.start_mark.index
        return not self.text[self.line_start(start) : start].strip()

    def content_end(self, node: Node) -> int:
        """Where a node's own text ends (a block scalar's trailing breaks left out)."""
        if isinstance(node, ScalarNode):
            end = int(node.end_mark.index)
            if node.style in ("|", ">"):
                while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
                    end -= 1
            return end
        if getattr(node, "flow_style", False) or not node.value:
            return int(node.end_mark.index)
        last = node.value[-1]
        return self.content_end(last[1] if isinstance(node, MappingNode) else last)

    def entry_end(self, key: Node, value: Node) -> int:
        if isinstance(value, ScalarNode) and _empty(value):
            return self.line_end(int(key.end_mark.index))
        end = max(int(key.end_mark.index), self.content_end(value))
        return self.line_end(max(end - 1, 0))

    # -- recording --------------------------------------------------------------------
    def replace(self, start: int, end: int, text: str) -> None:
        self.edits.append((start, end, len(self.edits), text))

    def result(self) -> str:
        out: list[str] = []
        pos = 0
        for start, end, _, text in sorted(self.edits):
            if start < pos:
                raise _Coarser  # overlapping edits: never made by the walk below
            out += [self.text[pos:start], text]
            pos = end
        out.append(self.text[pos:])
        return "".join(out)

    # -- the walk ---------------------------------------------------------------------
    def value(self, node: Node, old: Any, new: Any, loc: Loc, *, flow: bool = False) -> None:
        """Change ``node`` (holding ``old``) to hold ``new``; _Coarser where it cannot."""
        if _same(old, new):
            return
        if isinstance(node, ScalarNode) and _empty(node):
            raise _Coarser  # no text to replace (``key:``): see ``fill``
        in_flow = flow or bool(getattr(node, "flow_style", False))
        if isinstance(node, ScalarNode) and not isinstance(new, (dict, list)):
            text = scalar(new, style=node.style or "", flow=flow, as_text=self.as_text(loc))
            self.replace(node.start_mark.index, self.content_end(node), text)
            return
        same_keys = isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys()
        if (
            isinstance(node, MappingNode)
            and isinstance(new, dict)
            and isinstance(old, dict)
            and new
            and (not in_flow or same_keys)
        ):
            self.mapping(node, old, new, loc, flow=in_flow)
            return
        if (
            isinstance(node, SequenceNode)
            and isinstance(new, list)
            and isinstance(old, list)
            and new
            and len(new) == len(old)
        ):
            for i, (item, before, after) in enumerate(zip(node.value, old, new, strict=True)):
                self.value(item, before, after, (*loc, i), flow=in_flow)
            return
        if isinstance(new, (dict, list)) and in_flow:  # a flow collection, or in one
            self.replace(node.start_mark.index, self.content_end(node), self.flow(new, loc))
            return
        raise _Coarser

    def flow(self, value: Any, loc: Loc) -> str:
        if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
            items = [
                scalar(v, flow=True, as_text=self.as_text((*loc, i))) for i, v in enumerate(value)
            ]
            return "[" + ", ".join(items) + "]"
        return dump_flow(value)

    def mapping(
        self,
        node: MappingNode,
        old: Mapping[Any, Any],
        new: Mapping[Any, Any],
        loc: Loc,
        *,
        flow: bool = False,
    ) -> None:
        entries = {str(k.value): (k, v) for k, v in node.value if isinstance(k, ScalarNode)}
        order = [str(key) for key in new]
        for key in old:
            if key not in new and str(key) in entries:
                self.delete(node, *entries[str(key)])
        for key, after in new.items():
            name = str(key)
            if name not in entries:
                self.insert(node, entries, order, name, after, (*loc, key))
                continue
            before = old.get(key)
            if key in old and _same(before, after):
                continue
            k_node, v_node = entries[name]
            if isinstance(v_node, ScalarNode) and _empty(v_node) and self.fill(k_node, after, loc):
                continue
            mark = len(self.edits)
            try:
                self.value(v_node, before, after, (*loc, key), flow=flow)
            except _Coarser:
                del self.edits[mark:]
                self.rewrite_entry(node, k_node, v_node, after, (*loc, key))

    def fill(self, key: Node, value: Any, loc: Loc) -> bool:
        """Write a scalar after ``key:`` that has no value yet (its comment kept)."""
        colon = self.text.find(":", key.end_mark.index)
        line_end = self.line_end(key.end_mark.index)
        if isinstance(value, (dict, list)) or colon < 0 or colon >= line_end:
            return False
        self.replace(colon + 1, colon + 1, " " + scalar(value, as_text=self.as_text(loc)))
        return True

    def delete(self, node: MappingNode, key: Node, value: Node) -> None:
        if node.flow_style or not self.at_line_start(key):
            raise _Coarser
        self.replace(self.line_start(key.start_mark.index), self.entry_end(key, value), "")

    def insert(
        self,
        node: MappingNode,
        entries: Mapping[str, tuple[Node, Node]],
        order: list[str],
        name: str,
        value: Any,
        loc: Loc,
    ) -> None:
        if node.flow_style or not node.value or not self.at_line_start(node.value[0][0]):
            raise _Coarser
        column = node.value[0][0].start_mark.column
        position = order.index(name)
        before = [entries[k] for k in reversed(order[:position]) if k in entries]
        after = [entries[k] for k in order[position + 1 :] if k in entries]
        if before:
            at = self.entry_end(*before[0])
        elif after and self.at_line_start(after[0][0]):
            at = self.line_start(after[0][0].start_mark.index)
        else:
            at = self.entry_end(*node.value[-1])
        text = entry_lines(key_text(name), value, column, self.style, as_text=self.as_text(loc))
        if at == len(self.text) and self.text and not self.text.endswith("\n"):
            text = self.style.newline + text
        self.replace(at, at, text)

    def rewrite_entry(self, node: MappingNode, key: Node, value: Node, new: Any, loc: Loc) -> None:
        """Write one ``key: value`` entry anew (its key's text kept)."""
        if node.flow_style or not self.at_line_start(key):
            raise _Coarser
        start, end = self.line_start(key.start_mark.index), self.entry_end(key, value)
        source = self.text[key.start_mark.index : key.end_mark.index]
        text = entry_lines(
            source, new, key.start_mark.column, self.style, as_text=self.as_text(loc)
        )
        if not self.text[start:end].endswith("\n"):
            text = text.removesuffix(self.style.newline)
        self.replace(start, end, text)


def _empty(node: ScalarNode) -> bool:
    """A scalar with no text at all (``key:`` with nothing after it)."""
    return not node.style and node.start_mark.index == node.end_mark.index


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types (``1 == True`` in Python, not in a YAML file)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def leading_comments(text: str) -> str:
    """The comment lines (and blank lines) a file starts with, each ended by ``\\n``."""
    kept: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        kept.append(line.rstrip("\r\n") + "\n")
    while kept and not kept[-1].strip():
        kept.pop()
    return "".join(kept)


def _open(data: bytes) -> tuple[str, str, MappingNode | None]:
    """(BOM, text, root mapping); ValueError (a YamlProblem) for a file that is not YAML."""
    text = decode(data)
    bom = _BOM if data.startswith(_BOM.encode("utf-8")) else ""
    root = compose(text)
    if root is not None and not isinstance(root, MappingNode):
        msg = "the document is not a mapping"
        raise ValueError(msg)
    return bom, text, root


def edit_document(
    data: bytes,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    as_text: Callable[[Loc], bool] = _never,
) -> Edited:
    """The file ``data`` (which reads as ``old``) changed to read as ``new``.

    ``old`` and ``new`` are plain data keyed like the file; ``as_text`` names the places
    whose scalars are read as the text written (a plain ``36.50`` stays plain there).
    Raises ValueError (or the reader's YamlProblem) for a file that is not a YAML mapping.
    """
    bom, text, root = _open(data)
    editor = _Editor(text, detect_style(text, root), as_text)
    if root is not None:
        try:
            editor.mapping(root, old, new, ())
            return Edited((bom + editor.result()).encode("utf-8"))
        except _Coarser:
            pass
    rewritten = leading_comments(text) + dump_yaml(dict(new), indent=editor.style.indent)
    return Edited((bom + rewritten).encode("utf-8"), minimal=False)


def rename_key(data: bytes, loc: Sequence[str], new_key: str) -> bytes:
    """The file with the mapping key at ``loc`` (a path of keys) renamed to ``new_key``;
    only the key's own text changes. KeyError when there is no such key."""
    bom, text, root = _open(data)
    node: Node | None = root
    key_node: Node | None = None
    flow = False
    for step in loc:
        if not isinstance(node, MappingNode):
            raise KeyError(step)
        flow = flow or bool(node.flow_style)
        found = [(k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == step]
        if not found:
            raise KeyError(step)
        key_node, node = found[0]
    if not isinstance(key_node, ScalarNode):
        raise KeyError(tuple(loc))
    start, end = key_node.start_mark.index, key_node.end_mark.index
    replacement = scalar(new_key, style=key_node.style or "", flow=flow)
    return (bom + text[:start] + replacement + text[end:]).encode("utf-8")
