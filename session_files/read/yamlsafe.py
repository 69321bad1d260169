"""Safe YAML: bytes to a node tree to plain data, with positions, and never a Python object.

libyaml (PyYAML's C parser) builds the node tree; construction is ours, so that:

* only YAML's core tags (plus ``timestamp``) are accepted, never ``!!python/...``, and the
  text is in the portable profile (``portable``: written out, only ``!!str``);
* every node keeps its 1-based line and column, for findings;
* a repeated mapping key is an error, not a silent overwrite;
* alias expansion and nesting are bounded (no "billion laughs", no stack overflow);
* timestamps stay text: the models decide what a date means, as a non-Python reader would.
"""

from __future__ import annotations

import codecs
import re
import weakref
from collections.abc import Iterator
from typing import Any, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..layout import MAX_BYTES
from .portable import Unportable, long_key, unportable, unportable_character

try:  # libyaml is in every PyYAML wheel; the pure-Python parser is the fallback
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
_RESOLVED_MAX = 50_000  # distinct short scalars remembered (keys, rig names, small numbers)
_LONG_PLAIN = 4300  # MAX_NUMBER_CHARS: longer than any number, timestamp, bool or null
_NUMBER_START = "+-.0123456789"
_NUMBER_CHARS = "0123456789_:.+-eExXoObBabcdefABCDEF"


_RESOLVER = yaml.resolver.Resolver()


def _resolve_scalar(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag of an untagged scalar: what PyYAML's resolver says, remembered for short ones."""
    if implicit[0] and len(value) > _LONG_PLAIN:
        # no regex over a long plain scalar (PyYAML's are slow on 1 MiB of "1:0:0...");
        # only a number can be that long, and one that looks like it is refused as one
        looks_numeric = value[0] in _NUMBER_START and not value.strip(_NUMBER_CHARS)
        return _TAG + ("int" if looks_numeric else "str")
    if len(value) > 64:
        return str(_RESOLVER.resolve(ScalarNode, value, implicit))  # type: ignore[no-untyped-call]
    key = (value, implicit)
    tag = _RESOLVED.get(key)
    if tag is None:
        tag = str(_RESOLVER.resolve(ScalarNode, value, implicit))  # type: ignore[no-untyped-call]
        if len(_RESOLVED) < _RESOLVED_MAX:
            _RESOLVED[key] = tag
    return tag


_PLAIN = (True, False)


def plain_tag(text: str) -> str:
    """The tag a plain (unquoted, untagged) scalar of this text gets: the loader's own rule."""
    return _resolve_scalar(text, _PLAIN)


class _Loader(_BaseLoader):
    """The safe loader, with scalar resolution remembered across files.

    Resolving a plain scalar's tag is a pure function of its text and style (this loader
    has no path resolvers), and sidecars repeat the same keys and values in every file:
    a dictionary lookup replaces PyYAML's regex search for most scalars.
    """

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is not ScalarNode:
            return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
        return _resolve_scalar(value, (bool(implicit[0]), bool(implicit[1])))

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track while descending."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track while ascending."""


MAX_DEPTH = 100
MAX_VALUES = 100_000
# Each nesting level needs at least one of these characters; below this many, nesting
# cannot reach a depth where libyaml's recursive composer could exhaust the C stack.
_NESTING_CHARS = "[{-:?"
_SAFE_NESTING_CHARS = 1000

_TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_TAG + name for name in ("str", "int", "float", "bool", "null"))
TIMESTAMP, MAP, SEQ = _TAG + "timestamp", _TAG + "map", _TAG + "seq"
VALUE = _TAG + "value"  # YAML 1.1's plain '=': kept as text (and reported as yaml-ambiguous)
SCALAR_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, VALUE})

_scalar = yaml.constructor.SafeConstructor()
_PLAIN_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]+\Z")
# Python converts int <-> decimal text up to 4,300 digits, and PyYAML's base-60 conversion
# is quadratic: a number written with more characters is refused before it is converted,
# and an int too large to print as decimal text (hex and binary have no limit) after.
MAX_NUMBER_CHARS = 4300
_MAX_INT_BITS = 14_000  # 4,214 decimal digits
_WHAT = {INT: "an integer", FLOAT: "a number", BOOL: "a boolean"}


class YamlProblem(Exception):
    """A file that is not acceptable YAML: the finding code, message and 1-based position."""

    def __init__(
        self, code: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


NOWHERE = yaml.error.Mark("", 0, 0, 0, "", 0)  # the mark of a node made here, not read


def position(node: Node) -> tuple[int, int]:
    """The 1-based (line, column) where a node starts."""
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def decode(data: bytes) -> str:
    """UTF-8 (an optional BOM) to text, or an ``unreadable`` problem."""
    if len(data) > MAX_BYTES:
        # data is read only up to one byte past the limit: its length is not the file's size
        msg = f"is larger than 1 MiB; a sidecar or registry file may be at most 1 MiB ({MAX_BYTES:,} bytes)"
        raise YamlProblem("unreadable", msg)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        msg = f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise YamlProblem("unreadable", msg, line, column) from None
    if text.startswith(codecs.BOM_UTF8.decode()):
        text = text[1:]
    return text


def _mark_problem(code: str, exc: yaml.MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    what = " ".join(part for part in (exc.context, exc.problem) if part)
    message = f"is not valid YAML: {what}" if what else "is not valid YAML"
    if mark is None:
        return YamlProblem(code, message)
    return YamlProblem(code, message, mark.line + 1, mark.column + 1)


_BREAKS = ("\r\n", "\r", "\x85", "\u2028", "\u2029")


def _syntax_problem(exc: yaml.YAMLError, text: str) -> YamlProblem:
    """A parser error as a ``yaml-syntax`` problem, with its position where libyaml knows it."""
    if isinstance(exc, yaml.MarkedYAMLError):
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit, past ours
            problem = _mark_problem("yaml-forbidden", exc)
            problem.message = f"nests collections more than {MAX_DEPTH} levels deep"
            return problem
        problem = _mark_problem("yaml-syntax", exc)
        mark = exc.problem_mark
        why = long_key(text, mark.line, mark.column) if mark is not None else None
        problem.message = why or problem.message
        return problem
    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml counts the offset in bytes of the UTF-8 text
        before = text.encode("utf-8")[: exc.position].decode("utf-8", errors="replace")
        for line_break in _BREAKS:
            before = before.replace(line_break, "\n")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        msg = f"contains the character U+{char:04X}, which YAML does not allow in text; remove it"
        return YamlProblem("yaml-syntax", msg, line, column)
    return YamlProblem("yaml-syntax", f"is not valid YAML: {exc}")


def _event_position(event: yaml.Event | None) -> tuple[int | None, int | None]:
    mark = event.start_mark if event is not None else None
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, or more than MAX_VALUES values, before composing.

    Reads events only (no recursion, no node objects): a 1 MiB file of ``[a,a,a,...]``
    would otherwise cost seconds and a hundred MiB of nodes before the builder refused it.
    """
    nesting = sum(text.count(char) for char in _NESTING_CHARS)
    if nesting < _SAFE_NESTING_CHARS and len(text) < MAX_VALUES:
        return
    depth = values = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            line, column = _event_position(event)
            if isinstance(event, yaml.NodeEvent):
                values += 1
                if values > MAX_VALUES:
                    msg = f"holds more than {MAX_VALUES:,} values; split it into smaller files"
                    raise YamlProblem("yaml-forbidden", msg, line, column)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    msg = f"nests collections more than {MAX_DEPTH} levels deep"
                    raise YamlProblem("yaml-forbidden", msg, line, column)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _syntax_problem(exc, text) from None
    finally:
        loader.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: Node) -> None:
    """Refuse a document whose aliases expand past MAX_VALUES, before building anything.

    Sizes are counted once per node (aliases share nodes), so this costs the size of the
    file, not of its expansion; the position is the first collection that expands too far.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_VALUES:
                line, column = position(node)
                msg = f"expands to more than {MAX_VALUES:,} values through aliases; remove the alias bomb"
                raise YamlProblem("yaml-forbidden", msg, line, column)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            line, column = position(node)
            msg = "has an alias that refers to itself; a YAML value cannot contain itself"
            raise YamlProblem("yaml-forbidden", msg, line, column)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _raise_unportable(found: Unportable | None) -> None:
    if found is not None:
        raise YamlProblem(found.code, found.message, found.line, found.column)


def compose(text: str) -> Node | None:
    """The single document's node tree (None for an empty document), in the portable
    profile (``portable``)."""
    _raise_unportable(unportable_character(text))
    _check_depth(text)
    loader = _Loader(text)
    try:
        node = loader.get_node() if loader.check_node() else None
        if loader.check_node():
            line, column = _event_position(loader.peek_event())
            msg = "holds more than one YAML document; keep one document per file (remove '---')"
            raise YamlProblem("yaml-syntax", msg, line, column)
    except yaml.YAMLError as exc:
        raise _syntax_problem(exc, text) from None
    finally:
        loader.dispose()
    _raise_unportable(unportable(text))
    if node is None:
        return None
    Builder().check_tag(node)  # the root's own tag: callers read its children, not it
    if "*" in text:
        _check_expansion(node)
    return node


class Builder:
    """Turns a node tree into plain Python data, counting what alias expansion costs."""

    def __init__(self) -> None:
        self.values = 0

    def scalar_text(self, node: Node) -> str:
        """A scalar's text exactly as written (quotes and escapes resolved)."""
        self._count(node, 0)
        if not isinstance(node, ScalarNode):
            msg = "expected a scalar here"
            raise TypeError(msg)
        self.check_tag(node)
        return str(node.value)

    def build(self, node: Node, depth: int = 0) -> Any:
        """Plain data for a node: str, int, float, bool, None, list, dict (timestamps as text)."""
        self._count(node, depth)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if isinstance(node, SequenceNode):
            self.check_tag(node)
            return [self.build(item, depth + 1) for item in node.value]
        if isinstance(node, MappingNode):
            self.check_tag(node)
            return dict(self.pairs(node, depth))
        msg = f"unexpected node {node!r}"
        raise TypeError(msg)  # pragma: no cover - libyaml only makes the three kinds

    def pairs(self, node: MappingNode, depth: int = 0) -> Iterator[tuple[Any, Any]]:
        """A mapping's (key, value) pairs; a repeated key is a ``yaml-duplicate-key`` problem."""
        for key, _, value_node in self.entries(node, depth):
            yield key, self.build(value_node, depth + 1)

    def entries(
        self,
        node: MappingNode,
        depth: int = 0,
        *,
        name: str = "key",
        rule: str = "each key may appear once in a mapping",
    ) -> Iterator[tuple[Any, ScalarNode, Node]]:
        """A mapping's (key, key node, value node) triples, the keys built and the values
        left to the caller. The one check for repeated keys: a repeat is a
        ``yaml-duplicate-key`` problem at the repeat, ``repeats the <name> <key>; <rule>``."""
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = self.key(key_node, depth + 1)
            if key in seen:
                line, column = position(key_node)
                msg = f"repeats the {name} {key!r}; {rule}"
                raise YamlProblem("yaml-duplicate-key", msg, line, column)
            seen.add(key)
            yield key, cast(ScalarNode, key_node), value_node  # ``key`` refuses any other node

    def key(self, node: Node, depth: int) -> Any:
        """A mapping key: a scalar (a list or mapping as a key is refused)."""
        if not isinstance(node, ScalarNode):
            line, column = position(node)
            msg = "uses a list or mapping as a mapping key; keys must be plain scalars"
            raise YamlProblem("schema", msg, line, column)
        return self.build(node, depth)

    def _count(self, node: Node, depth: int) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            line, column = position(node)
            msg = f"expands to more than {MAX_VALUES:,} values (aliases); remove the alias bomb"
            raise YamlProblem("yaml-forbidden", msg, line, column)
        if depth > MAX_DEPTH:
            line, column = position(node)
            msg = f"nests collections more than {MAX_DEPTH} levels deep (or an alias refers to itself)"
            raise YamlProblem("yaml-forbidden", msg, line, column)

    def check_tag(self, node: Node) -> None:
        allowed = SCALAR_TAGS if isinstance(node, ScalarNode) else {MAP, SEQ}
        if node.tag not in allowed:
            line, column = position(node)
            tag = node.tag.replace(_TAG, "!!")
            if node.tag == STR:  # the one tag the portable profile keeps, on a collection
                msg = "uses the tag '!!str' on a list or mapping; !!str is for text: remove it"
                raise YamlProblem("yaml-syntax", msg, line, column)
            msg = (
                f"uses the tag {tag!r}; only YAML's core types (text, numbers, booleans,"
                " null, timestamps, lists, mappings) are allowed"
            )
            if tag == "!!merge":
                msg = "uses a merge key '<<'; write the keys out in full"
            raise YamlProblem("yaml-forbidden", msg, line, column)

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag in (STR, TIMESTAMP, VALUE):  # the common case first: text is kept as written
            return node.value
        if tag == NULL:
            return None
        if tag not in _WHAT:
            self.check_tag(node)  # raises: not a core tag
        text = node.value
        if len(text) > MAX_NUMBER_CHARS and tag != BOOL:
            line, column = position(node)
            msg = (
                f"has a number of {len(text):,} characters; a number may have at most"
                f" {MAX_NUMBER_CHARS:,} (quote it to keep it as text)"
            )
            raise YamlProblem("yaml-forbidden", msg, line, column)
        try:
            value = self._convert(tag, text, node)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError):
            line, column = position(node)
            shown = text if len(text) <= 40 else text[:40] + "..."
            msg = (
                f"has {shown!r}, which cannot be read as {_WHAT[tag]} (its tag or its form"
                " says it is one); quote it to keep it as text, or fix the value"
            )
            raise YamlProblem("yaml-syntax", msg, line, column) from None
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            line, column = position(node)
            msg = (
                f"has an integer of {value.bit_length():,} bits; an integer may have at most"
                f" {_MAX_INT_BITS:,} bits (about 4,200 decimal digits; quote it to keep it as text)"
            )
            raise YamlProblem("yaml-forbidden", msg, line, column)
        return value

    @staticmethod
    def _convert(tag: str, text: str, node: ScalarNode) -> Any:
        if tag == INT:
            # plain decimal digits are the usual int; PyYAML's constructor handles the rest
            # (YAML 1.1 octal '0…', hex, binary, '_' separators, sexagesimal, signs)
            if text.isdigit() and text.isascii() and (text[0] != "0" or text == "0"):
                return int(text)
            return _scalar.construct_yaml_int(node)
        if tag == FLOAT:
            return float(text) if _PLAIN_FLOAT.match(text) else _scalar.construct_yaml_float(node)
        return _scalar.construct_yaml_bool(node)


def load(data: bytes) -> tuple[Node | None, Any]:
    """Bytes to (node tree, plain data); raises YamlProblem for anything unacceptable."""
    node = compose(decode(data))
    if node is None:
        return None, None
    return node, Builder().build(node)


_KEY_INDEX: weakref.WeakKeyDictionary[MappingNode, dict[str, tuple[Node, Node]]] = (
    weakref.WeakKeyDictionary()
)


def _entry(mapping: MappingNode, key: object) -> tuple[Node, Node] | None:
    """The first (key node, value node) whose key text is ``str(key)``.

    Indexed once per mapping: a file with thousands of bad keys must cost thousands of
    lookups, not thousands of scans of the mapping.
    """
    index = _KEY_INDEX.get(mapping)
    if index is None:
        index = {}
        for key_node, value_node in mapping.value:
            if isinstance(key_node, ScalarNode):
                index.setdefault(str(key_node.value), (key_node, value_node))
        _KEY_INDEX[mapping] = index
    return index.get(str(key))


def node_at(node: Node | None, loc: tuple[Any, ...]) -> tuple[Node | None, bool]:
    """The node at ``loc`` (keys and list indices) below ``node``, and whether it was found.

    Where the path stops existing (a missing key) it is the deepest node that does exist.
    """
    current = node
    for step in loc:
        if isinstance(current, MappingNode):
            entry = _entry(current, step)
            if entry is None:
                return current, False
            current = entry[1]
        elif isinstance(current, SequenceNode) and isinstance(step, int):
            if step >= len(current.value):
                return current, False
            current = current.value[step]
        else:
            return current, False
    return current, True


def locate(node: Node | None, loc: tuple[Any, ...]) -> tuple[int | None, int | None]:
    """The 1-based position of the value at ``loc`` (or of its deepest existing parent)."""
    found, _ = node_at(node, loc)
    return position(found) if found is not None else (None, None)


def locate_key(node: Node | None, loc: tuple[Any, ...]) -> tuple[int | None, int | None]:
    """The position of the key node at the end of ``loc`` (for errors about a key)."""
    if node is None or not loc:
        return locate(node, loc)
    parent_loc, key = loc[:-1], loc[-1]
    parent: Node | None = node
    for step in parent_loc:
        if not isinstance(parent, MappingNode):
            return locate(node, loc)
        entry = _entry(parent, step)
        parent = entry[1] if entry is not None else None
    if isinstance(parent, MappingNode):
        entry = _entry(parent, key)
        if entry is not None:
            return position(entry[0])
    return locate(node, loc)
