"""Turn a Pydantic ValidationError into ``schema`` findings a person can act on."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode

from ..findings import Finding
from ..records import NO_NUL
from .yamlsafe import Builder, YamlProblem, locate, locate_key, node_at, position

_TYPE_NAMES = {
    str: "text",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
    list: "a list",
    dict: "a mapping",
}


def describe(loc: tuple[Any, ...]) -> str:
    """``('attributes', 'rig', 'value')`` -> ``attributes.rig.value``; list indices in brackets."""
    text = ""
    for step in loc:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += ("." if text else "") + _clip(str(step))
    return text or "the document"


def _clip(text: str, limit: int = 60) -> str:
    """Text for a message: a hostile 100,000-character key must not make a 100 KB message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_type(value: object) -> str:
    """'text', 'a number', 'a list'... for messages."""
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(
    err: Mapping[str, Any],
    loc: tuple[Any, ...],
    allowed: tuple[str, ...],
    text: str | None,
    is_key: bool = False,
) -> str:
    kind = err["type"]
    where = describe(loc)
    value = err.get("input")
    if kind == "missing":
        return f"{describe(loc[:-1])} is missing the required key {loc[-1]!r}"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        # a close match is only worth looking for among key-sized names
        close = difflib.get_close_matches(key, allowed, n=1) if len(key) <= 64 else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        key = _clip(key)
        listed = f" (allowed: {', '.join(allowed)})" if allowed and len(loc) == 1 else ""
        owner = f"{describe(loc[:-1])} has an " if len(loc) > 1 else ""
        return f"{owner}unknown key {key!r}{hint}{listed}"
    if kind == "string_type" and is_key:
        got = describe_type(value)
        written = text if text is not None else str(value)
        return (
            f"the key {_clip(written)!r} of {describe(loc[:-1])} is {got} to YAML, but keys"
            f" must be text; quote the key ('{_clip(written)}')"
        )
    if kind == "string_type":
        got = describe_type(value)
        quote = (
            f"; quote it ('{text if text is not None else value}') so YAML reads it as text"
            if isinstance(value, (int, float, bool))
            else ""
        )
        return f"{where} must be text, not {got}{quote}"
    if kind in ("string_too_long", "string_too_short"):
        limit = err.get("ctx", {})
        bound = limit.get("max_length", limit.get("min_length"))
        which = "at most" if kind == "string_too_long" else "at least"
        length = len(value) if isinstance(value, str) else "?"
        return f"{where} is {length} characters long; it must be {which} {bound} ({_shown(value)})"
    if kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == NO_NUL:
        return f"{where} contains a NUL character (\\0), which databases refuse; remove it"
    if kind == "literal_error":
        return f"{where} is {_shown(value)}; {err['msg'].replace('Input should be', 'it must be')}"
    if kind in ("list_type", "dict_type"):
        want = "a list" if kind == "list_type" else "a mapping"
        got = describe_type(value)
        return f"{where} must be {want}, not {got} ({_shown(value)})"
    if kind == "value_error":
        return f"{where} {err['ctx']['error']}" if "ctx" in err else f"{where}: {err['msg']}"
    return f"{where}: {err['msg']} ({_shown(value)})"


def schema_findings(
    exc: ValidationError,
    node: Node | None,
    path: str,
    model: type[BaseModel],
    prefix: tuple[Any, ...] = (),
) -> list[Finding]:
    """One ``schema`` finding per error, at the offending value (a missing key: its parent)."""
    findings: list[Finding] = []
    allowed = tuple(model.model_fields)
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        key_node = None
        if loc and loc[-1] == "[key]":
            loc = loc[:-1]
            line, column = locate_key(node, prefix + loc)
            key_node = _key_node(node, prefix + loc)
            if key_node is not None:
                line, column = position(key_node)
        elif err["type"] == "extra_forbidden":
            line, column = locate_key(node, prefix + loc)
        elif err["type"] == "missing":
            line, column = locate(node, prefix + loc[:-1])
        else:
            line, column = locate(node, prefix + loc)
        if key_node is not None:  # the message is about the key, so is its text
            text: str | None = key_node.value
        else:
            found, exact = node_at(node, prefix + loc)
            text = found.value if exact and isinstance(found, ScalarNode) else None
        is_key = key_node is not None or err["loc"][-1:] == ("[key]",)
        message = _message(err, prefix + loc, allowed, text, is_key)
        findings.append(Finding.make("schema", path, message, line, column))
    return findings


def _key_node(node: Node | None, loc: tuple[Any, ...]) -> ScalarNode | None:
    """The key node of the mapping entry at ``loc`` whose key reads as ``loc[-1]`` (a key
    that is not text: 1, true, null)."""
    parent, exact = node_at(node, loc[:-1])
    if not exact or not isinstance(parent, MappingNode):
        return None
    want = loc[-1]
    for key_node, _ in parent.value:
        if not isinstance(key_node, ScalarNode):
            continue
        try:
            got = Builder().key(key_node, 0)
        except YamlProblem:
            continue
        # pydantic's loc turns keys into int or str (true -> 1, null -> 'None')
        if not isinstance(got, str) and (got == want or str(got) == want):
            return key_node
    return None
