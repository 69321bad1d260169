"""The lab registries: ``subjects.yaml``, ``projects.yaml``, ``experimenters.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode

from ..findings import Finding
from ..records import REGISTRIES, Registry, Row
from .ambiguous import ambiguous_findings
from .mapping import load_mapping
from .problems import describe_type, schema_findings
from .yamlsafe import Builder, locate, locate_key, position

REGISTRY_FILES = {kind: registry.file_name for kind, registry in REGISTRIES.items()}
STRICT = ConfigDict(strict=True)


@dataclass(frozen=True)
class ParsedRegistry:
    """One registry file: the valid entries as rows (by key) and the findings of the others."""

    kind: str
    path: str
    rows: dict[str, Row] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    unusable: Finding | None = None  # the finding that makes the whole file contribute nothing
    broken: dict[str, Finding] = field(default_factory=dict)  # left-out key -> its first finding


def parse_registry(kind: str, data: bytes | None, path: str) -> ParsedRegistry:
    """Parse one registry (``None`` data: the file is missing, an empty registry).

    An entry that breaks a rule is reported and left out; the other entries stand. A file
    that cannot be read or parsed contributes no entries.
    """
    registry = REGISTRIES[kind]
    key_column = registry.key
    if data is None:
        return ParsedRegistry(kind, path)

    def build(node: MappingNode) -> list[tuple[ScalarNode, Node, Any, Any]]:
        builder = Builder()
        entries = builder.entries(node, name=key_column, rule="each entry may appear once")
        return [(k_node, v_node, key, builder.build(v_node, 1)) for key, k_node, v_node in entries]

    expected = f"{path} maps each {key_column} to its attributes"
    loaded = load_mapping(data, path, build, expected=expected)
    node, entries = loaded.node, loaded.data
    if node is None or entries is None:
        unusable = loaded.findings[0] if loaded.findings else None
        return ParsedRegistry(kind, path, findings=loaded.findings, unusable=unusable)

    rows: dict[str, Row] = {}
    findings: list[Finding] = []
    broken: dict[str, Finding] = {}
    key_type: TypeAdapter[str] = TypeAdapter(registry.key_type, config=STRICT)
    for key_node, value_node, key, value in entries:
        before = len(findings)
        row = _entry(registry, key_type, path, node, (key_node, value_node, key, value), findings)
        if row is not None:
            rows[key] = row
        elif len(findings) > before:
            broken.setdefault(str(key_node.value), findings[before])
    return ParsedRegistry(kind, path, rows, tuple(findings), broken=broken)


def _entry(
    registry: Registry,
    key_type: TypeAdapter[str],
    path: str,
    node: MappingNode,
    item: tuple[ScalarNode, Node, Any, Any],
    findings: list[Finding],
) -> Row | None:
    """One entry's row, or None with its findings appended (the entry is left out)."""
    key_node, value_node, key, value = item
    key_column = registry.key
    line, column = position(key_node)
    ambiguous = ambiguous_findings(key_node, path) + ambiguous_findings(value_node, path)
    if ambiguous:  # the entry means something else to YAML 1.2 readers: left out
        findings.extend(ambiguous)
        return None
    try:
        key_type.validate_python(key)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        quote = f"; quote it ('{key_node.value}')" if not isinstance(key, str) else ""
        msg = f"the {key_column} {key!r} is not a valid key: {err['msg']}{quote}"
        findings.append(Finding.make("schema", path, msg, line, column))
        return None
    if not isinstance(value, dict) and value is not None:
        where = locate(node, (key_node.value,))
        msg = f"entry {key!r} must be a mapping of its attributes (or empty), not {describe_type(value)}"
        findings.append(Finding.make("schema", path, msg, *where))
        return None
    if value and key_column in value:
        where = locate_key(node, (key_node.value, key_column))
        msg = f"entry {key!r} repeats the key column {key_column!r}; the entry's name is its {key_column}"
        findings.append(Finding.make("schema", path, msg, *where))
        return None
    try:
        entry = registry.entry.model_validate(value or {})
    except ValidationError as exc:
        findings.extend(schema_findings(exc, node, path, registry.entry, prefix=(key_node.value,)))
        return None
    row: Row = registry.row.model_validate({key_column: key, **entry.model_dump()})
    return row
