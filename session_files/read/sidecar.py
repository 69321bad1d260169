"""One ``session.yaml``: bytes to a validated ``Sidecar`` and where its references stand."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..findings import Finding
from ..layout import READ_LIMIT, SIDECAR_NAME
from ..records import Sidecar
from .ambiguous import ambiguous_findings
from .files import read_regular
from .mapping import load_mapping
from .problems import schema_findings
from .simple import NotSimple, Scalar, Value, read_simple, text_or_null, typed
from .yamlsafe import NULL, Builder, position

Position = tuple[int, int]


@dataclass(frozen=True)
class Refs:
    """Positions of the values the integrity checks point at."""

    subject: Position
    session_datetime: Position
    experimenters: tuple[Position, ...] = ()
    projects: tuple[Position, ...] = ()


@dataclass(frozen=True)
class ParsedSidecar:
    """A sidecar read from ``path`` (root-relative): the record, or the findings that stop it."""

    path: str
    record: Sidecar | None
    findings: tuple[Finding, ...] = ()
    refs: Refs | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        """True when the file produced a record (it has no file-level error)."""
        return self.record is not None


class SidecarError(ValueError):
    """A sidecar that cannot be read or written; ``findings`` says why."""

    def __init__(self, findings: list[Finding] | tuple[Finding, ...]) -> None:
        self.findings = tuple(findings)
        # a position only where there is one (a record given in Python has none)
        lines = [
            f"{f.path}{f':{f.line}:{f.column}' if f.line else ''}: {f.code}: {f.message}"
            for f in findings
        ]
        super().__init__("\n".join(lines))


def _attribute_data(builder: Builder, node: Node) -> Any:
    """An attribute value: a scalar keeps its text exactly as written, ``blob`` is plain data."""
    if isinstance(node, ScalarNode):
        return None if node.tag == NULL else builder.scalar_text(node)
    if isinstance(node, MappingNode):
        builder.check_tag(node)
        data: dict[Any, Any] = {}
        for key, _, value_node in list(builder.entries(node)):
            if key == "value" and isinstance(value_node, ScalarNode) and value_node.tag != NULL:
                data[key] = builder.scalar_text(value_node)
            else:
                data[key] = builder.build(value_node, 2)
        return data
    return builder.build(node, 1)


def _document(node: MappingNode) -> dict[Any, Any]:
    # every key of a mapping is checked (a repeat found) before any of its values is built
    builder = Builder()
    document: dict[Any, Any] = {}
    for key, _, value_node in list(builder.entries(node)):
        if key == "attributes" and isinstance(value_node, MappingNode):
            builder.check_tag(value_node)
            document[key] = {
                name: _attribute_data(builder, item)
                for name, _, item in list(builder.entries(value_node))
            }
        else:
            document[key] = builder.build(value_node, 1)
    return document


def _refs(node: MappingNode) -> Refs:
    values = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}

    def items(key: str) -> tuple[Position, ...]:
        value = values.get(key)
        if isinstance(value, SequenceNode):
            return tuple(position(item) for item in value.value)
        return ()

    return Refs(
        subject=position(values["subject"]),
        session_datetime=position(values["session_datetime"]),
        experimenters=items("experimenters"),
        projects=items("projects"),
    )


def _simple_attribute(value: Value) -> Any:
    """``_attribute_data`` for a value of the simple reader."""
    if isinstance(value, Scalar):
        return text_or_null(value)
    if isinstance(value, dict):
        return {
            key: text_or_null(item)
            if key == "value" and isinstance(item, Scalar) and item.tag != NULL
            else typed(item)
            for key, item in value.items()
        }
    return typed(value)


def _simple_refs(document: dict[str, Value]) -> Refs:
    """``_refs`` for a document of the simple reader."""

    def at(key: str) -> Position:
        value = document[key]
        if not isinstance(value, Scalar):
            raise NotSimple  # the model refuses it; the full reader says where
        return value.line, value.column

    def items(key: str) -> tuple[Position, ...]:
        value = document.get(key)
        return tuple((item.line, item.column) for item in value) if isinstance(value, list) else ()

    return Refs(at("subject"), at("session_datetime"), items("experimenters"), items("projects"))


def _parse_simple(data: bytes, path: str) -> ParsedSidecar | None:
    """The fast path: a sidecar of the simple shape (``simple.py``) that the model accepts
    as it is; None for anything else, which the full reader then reports on."""
    tree = read_simple(data)
    if tree is None:
        return None
    try:
        document = {
            key: {name: _simple_attribute(item) for name, item in value.items()}
            if key == "attributes" and isinstance(value, dict)
            else typed(value)
            for key, value in tree.items()
        }
        record = Sidecar.model_validate(document)
        refs = _simple_refs(tree)
    except (NotSimple, ValidationError):
        return None
    return ParsedSidecar(path, record, (), refs)


def parse_sidecar(data: bytes, path: str) -> ParsedSidecar:
    """Parse and validate a sidecar's bytes; every problem becomes a finding, never an exception."""
    return _parse_simple(data, path) or parse_sidecar_fully(data, path)


def parse_sidecar_fully(data: bytes, path: str) -> ParsedSidecar:
    """``parse_sidecar`` by the full reader only (no fast path)."""
    places: set[tuple[int, int]] = set()

    def build(node: MappingNode) -> tuple[list[Finding], dict[Any, Any]]:
        return ambiguous_findings(node, path, places), _document(node)

    expected = "a sidecar is a mapping with at least 'subject' and 'session_datetime'"
    loaded = load_mapping(data, path, build, expected=expected, required=True)
    if loaded.node is None or loaded.data is None:
        return ParsedSidecar(path, None, loaded.findings)
    node, (ambiguous, document) = loaded.node, loaded.data
    try:
        record = Sidecar.model_validate(document)
    except ValidationError as exc:
        # a value read differently by YAML 1.2 is reported as that, not also as a schema error
        others = [
            f for f in schema_findings(exc, node, path, Sidecar) if (f.line, f.column) not in places
        ]
        return ParsedSidecar(path, None, (*ambiguous, *others))
    if ambiguous:
        return ParsedSidecar(path, None, tuple(ambiguous))
    return ParsedSidecar(path, record, (), _refs(node))


def read_sidecar(path: str | os.PathLike[str]) -> Sidecar:
    """Read one ``session.yaml`` (or the directory holding it); raise SidecarError if invalid."""
    target = os.fspath(path)
    if os.path.isdir(target):
        target = os.path.join(target, SIDECAR_NAME)
    try:
        data = read_regular(target, READ_LIMIT)
    except OSError as exc:
        message = f"cannot be read: {exc.strerror or exc}"
        raise SidecarError([Finding.make("unreadable", target, message)]) from exc
    parsed = parse_sidecar(data, target)
    if parsed.record is None:
        raise SidecarError(parsed.findings)
    return parsed.record
