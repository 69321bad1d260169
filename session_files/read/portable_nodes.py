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
import re

from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode

from .portable_text import LINE_BREAK, Unportable, continued, flow_value, scalar_problem

__all__ = ["NeedsTokens", "from_nodes"]

_TIGHT_HASH = re.compile(r"(?<=[^ \t\r\n])#")
_COMMENT = re.compile(r"#[^\r\n]*")
# Tokens the node tree does not keep: tag, anchor, alias, explicit key, directive, '...'.
_NOT_IN_TREE = re.compile(r"[!&*?%]|\.\.\.")


class NeedsTokens(Exception):
    """The document holds a construct only libyaml's tokens describe: walk them."""


def from_nodes(text: str, root: Node) -> Unportable | None:
    """The problem the token walk would find first in ``text``, composed as ``root``."""
    if "\t" in text:
        raise NeedsTokens
    lines = LINE_BREAK.split(text)
    found: list[tuple[int, Unportable]] = []  # (index of the token, problem)
    spans: list[tuple[int, int]] = []  # scalar tokens, in text order
    flows: list[tuple[Node, tuple[int, ...]]] = []  # outermost flow collections, blocks around
    stack: list[tuple[Node, tuple[int, ...], bool]] = [(root, (), False)]
    seen: set[int] = set()
    while stack:
        node, blocks, in_flow = stack.pop()
        if id(node) in seen:  # an alias: not walked again (the tree may be an alias bomb)
            raise NeedsTokens
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            start = node.start_mark.index
            if text.startswith(("!", "&"), start):  # a tag or anchor: the node starts there
                raise NeedsTokens
            if node.style or node.value:  # not the empty value libyaml supplies
                spans.append((start, node.end_mark.index))
                problem = scalar_problem(text, lines, blocks, node, in_flow)
                if problem is not None:
                    found.append((start, problem))
            continue
        if not isinstance(node, CollectionNode):  # pragma: no cover - libyaml makes no other
            continue
        if node.flow_style:
            if not in_flow:
                flows.append((node, blocks))
            in_flow = True
        else:
            column = node.start_mark.column
            if column > (blocks[-1] if blocks else -1):  # libyaml opens a block here
                blocks = (*blocks, column)
        if isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = list(node.value)
        stack.extend((child, blocks, in_flow) for child in reversed(children))
    _not_in_tree(text, spans)
    for node, blocks in flows:
        first, last = node.start_mark.line, node.end_mark.line
        problem = continued(lines, blocks, first, last, "a flow collection")
        if problem is not None:
            found.append((node.end_mark.index - 1, problem))
        for index in _values(text, spans, node.start_mark.index, node.end_mark.index):
            problem = flow_value(text, index)
            if problem is not None:
                found.append((index, problem))
    return min(found, key=lambda item: item[0])[1] if found else None


def _not_in_tree(text: str, spans: list[tuple[int, int]]) -> None:
    """Raise ``NeedsTokens`` for a token the tree does not keep, or a '#' that is not a
    comment, outside the scalars ``spans``."""
    starts = [start for start, _ in spans]
    for match in _TIGHT_HASH.finditer(text):
        at = bisect.bisect_right(starts, match.start()) - 1
        if at < 0 or spans[at][1] <= match.start():
            raise NeedsTokens
    pieces, end = [], 0
    for start, stop in spans:
        pieces.append(text[end:start])
        end = max(end, stop)
    pieces.append(text[end:])
    if _NOT_IN_TREE.search(_COMMENT.sub("", "\0".join(pieces))):
        raise NeedsTokens


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
