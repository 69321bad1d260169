"""The portable profile's checks read from the composed node tree, not from a second pass
over libyaml's tokens.

The token walk (``portable``) costs about a microsecond and a half per token. Most documents
it would walk hold only scalars, block and flow collections and comments, and for those the
node tree libyaml has just composed carries every fact the walk uses: a scalar node has its
token's text, style and marks; the block collections around a node are its ancestors (an
indentless sequence opens no block: its '-' is at its mapping's column); a ':' outside every
scalar and comment inside a flow collection is a value indicator. ``from_nodes`` applies the
walk's rules to those facts and returns the problem at the earliest token, as the walk does.

Where a document holds what the tree does not keep (a tab; a '#' right after other text, a
tag, anchor, alias, explicit key, directive or '...' outside scalars and comments; a tag or
anchor, which moves its node's start mark), it raises ``NeedsTokens`` and the caller walks
the tokens. tests/test_portable_nodes.py checks that
both give the same answer.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence

from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode

from .portable_text import (
    LINE_BREAK,
    Unportable,
    continued,
    ends_before_indicator,
    flow_value,
    scalar_problem,
)

__all__ = ["NeedsTokens", "from_nodes"]

# Tokens the node tree does not keep: tag, anchor, alias, explicit key, directive, '...'.
_NOT_IN_TREE = ("!", "&", "*", "?", "%", "...")
_TOKEN_START = frozenset(" [{,\r\n")  # before '!', '&' or '*' that likely start a token


class NeedsTokens(Exception):
    """The document holds a construct only libyaml's tokens describe: walk them."""


def from_nodes(text: str, root: Node) -> Unportable | None:
    """The problem the token walk would find first in ``text``, composed as ``root``."""
    if _likely_tokens(text):
        raise NeedsTokens  # would be raised below, after a walk over the tree
    lines: list[str] | None = None
    found: list[tuple[int, Unportable]] = []  # (index of the token, problem)
    spans: list[tuple[int, int]] = []  # scalar tokens
    flows: list[tuple[Node, tuple[int, ...]]] = []  # outermost flow collections, blocks around
    # siblings, the columns of the blocks around them, whether they are in a flow collection
    pending: list[tuple[Sequence[Node], tuple[int, ...], bool]] = [((root,), (), False)]
    aliases, seen = "*" in text, set()
    while pending:
        nodes, blocks, in_flow = pending.pop()
        for node in nodes:
            if aliases:
                if id(node) in seen:  # an alias: not walked again (it may be an alias bomb)
                    raise NeedsTokens
                seen.add(id(node))
            if isinstance(node, ScalarNode):
                style, value = node.style, node.value
                if not (style or value):
                    continue  # the empty value libyaml supplies: no token
                first, last = node.start_mark, node.end_mark
                if text.startswith(("!", "&"), first.index):  # a tag or anchor starts the node
                    raise NeedsTokens
                spans.append((first.index, last.index))
                if (
                    style in ("|", ">")
                    or (not style and value[0] in "-?:")
                    or (last.line != first.line and not in_flow)
                    or (not style and in_flow and ends_before_indicator(text, last.index))
                ):  # what scalar_problem may refuse
                    lines = LINE_BREAK.split(text) if lines is None else lines
                    problem = scalar_problem(text, lines, blocks, node, in_flow)
                    if problem is not None:
                        found.append((first.index, problem))
                continue
            if not isinstance(node, CollectionNode):  # pragma: no cover - libyaml makes no other
                continue
            inner, in_inner = blocks, in_flow
            if node.flow_style:
                if not in_flow:
                    flows.append((node, blocks))
                in_inner = True
            elif node.start_mark.column > (blocks[-1] if blocks else -1):
                inner = (*blocks, node.start_mark.column)  # libyaml opens a block here
            if isinstance(node, MappingNode):
                pending.append(([child for pair in node.value for child in pair], inner, in_inner))
            else:
                pending.append((node.value, inner, in_inner))
    spans.sort()
    _not_in_tree(text, spans)
    for node, blocks in flows:
        first, last = node.start_mark, node.end_mark
        if last.line > first.line:
            lines = LINE_BREAK.split(text) if lines is None else lines
            problem = continued(lines, blocks, first.line, last.line, "a flow collection")
            if problem is not None:
                found.append((last.index - 1, problem))
        for index in _values(text, spans, first.index, last.index):
            problem = flow_value(text, index)
            if problem is not None:
                found.append((index, problem))
    return min(found, key=lambda item: item[0])[1] if found else None


def _likely_tokens(text: str) -> bool:
    """A tab, or a tag, anchor or alias where one may start (str.find: no regex scan)."""
    if "\t" in text:
        return True
    for char in "!&*":
        at = text.find(char)
        while at >= 0:
            if not at or text[at - 1] in _TOKEN_START:
                return True
            at = text.find(char, at + 1)
    return False


def _found(text: str, what: str) -> Iterator[int]:
    at = text.find(what)
    while at >= 0:
        yield at
        at = text.find(what, at + 1)


def _not_in_tree(text: str, spans: list[tuple[int, int]]) -> None:
    """Raise ``NeedsTokens`` for a token the tree does not keep, or a '#' that is not a
    comment, outside the scalars ``spans`` (sorted)."""
    starts: list[int] | None = None
    for what in ("#", *_NOT_IN_TREE):
        for index in _found(text, what):
            if what == "#" and (not index or text[index - 1] in " \t\r\n"):
                continue  # a comment, or in a scalar
            starts = [start for start, _ in spans] if starts is None else starts
            at = bisect.bisect_right(starts, index) - 1
            if at >= 0 and index < spans[at][1]:
                continue  # in a scalar
            if what == "#":
                raise NeedsTokens  # right after other text
            line = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
            if "#" not in text[max(line, spans[at][1] if at >= 0 else 0) : index]:
                raise NeedsTokens  # not in a comment (outside scalars, '#' starts one)


def _values(text: str, spans: list[tuple[int, int]], start: int, stop: int) -> list[int]:
    """Where the ':' value indicators are in ``text[start:stop]`` (a flow collection):
    outside its scalars and comments."""
    found: list[int] = []
    at = bisect.bisect_left(spans, (start, start))
    while at < len(spans) and spans[at][0] < stop:
        begin, end = spans[at]
        found += _colons(text, start, begin)
        start, at = max(start, end), at + 1
    return found + _colons(text, start, stop)


def _colons(text: str, start: int, stop: int) -> list[int]:
    """':' in ``text[start:stop]`` (no scalar in it), comments skipped."""
    found = []
    at = text.find(":", start, stop)
    while at >= 0:
        comment = text.find("#", start, at)
        if comment < 0:
            found.append(at)
            start = at + 1
        else:  # a comment: it runs to the end of its line
            ends = [end for end in (text.find(br, comment, stop) for br in "\r\n") if end >= 0]
            if not ends:
                break
            start = min(ends)
        at = text.find(":", start, stop)
    return found
