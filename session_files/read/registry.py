"""The lab registries: ``subjects.yaml``, ``projects.yaml``, ``experimenters.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode

from ..findings import Finding
from ..records import REGISTRIES, Row, Strict
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


@dataclass(frozen=True)
class ParsedEntries:
    """The entries of one registry-like file (a mapping keyed by its primary key): each
    valid one as its entry model, the findings of the others."""

    entries: dict[str, Strict] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    unusable: Finding | None = None  # the finding that makes the whole file contribute nothing
    broken: dict[str, Finding] = field(default_factory=dict)  # left-out key -> its first finding


def parse_entries(
    data: bytes, path: str, key_name: str, key_type: Any, model: type[Strict]
) -> ParsedEntries:
    """Parse a registry-like file: every entry checked against ``model`` (its key against
    ``key_type``); an entry that breaks a rule is reported and left out, the others stand.
    A file that cannot be read or parsed contributes no entries."""

    def build(node: MappingNode) -> list[tuple[ScalarNode, Node, Any, Any]]:
        builder = Builder()
        entries = builder.entries(node, name=key_name, rule="each entry may appear once")
        return [(k_node, v_node, key, builder.build(v_node, 1)) for key, k_node, v_node in entries]

    expected = f"{path} maps each {key_name} to its attributes"
    loaded = load_mapping(data, path, build, expected=expected)
    node, items = loaded.node, loaded.data
    if node is None or items is None:
        unusable = loaded.findings[0] if loaded.findings else None
        return ParsedEntries(findings=loaded.findings, unusable=unusable)
    entries: dict[str, Strict] = {}
    findings: list[Finding] = []
    broken: dict[str, Finding] = {}
    adapter: TypeAdapter[str] = TypeAdapter(key_type, config=STRICT)
    for item in items:
        before = len(findings)
        entry = _entry(key_name, model, adapter, path, node, item, findings)
        if entry is not None:
            entries[item[2]] = entry
        elif len(findings) > before:
            broken.setdefault(str(item[0].value), findings[before])
    return ParsedEntries(entries, tuple(findings), broken=broken)


def parse_registry(kind: str, data: bytes | None, path: str) -> ParsedRegistry:
    """Parse one registry (``None`` data: the file is missing, an empty registry).

    An entry that breaks a rule is reported and left out; the other entries stand. A file
    that cannot be read or parsed contributes no entries.
    """
    registry = REGISTRIES[kind]
    if data is None:
        return ParsedRegistry(kind, path)
    parsed = parse_entries(data, path, registry.key, registry.key_type, registry.entry)
    rows: dict[str, Row] = {
        key: registry.row.model_validate({registry.key: key, **entry.model_dump()})
        for key, entry in parsed.entries.items()
    }
    return ParsedRegistry(kind, path, rows, parsed.findings, parsed.unusable, parsed.broken)


def _entry(
    key_column: str,
    model: type[Strict],
    key_type: TypeAdapter[str],
    path: str,
    node: MappingNode,
    item: tuple[ScalarNode, Node, Any, Any],
    findings: list[Finding],
) -> Strict | None:
    """One entry's model, or None with its findings appended (the entry is left out)."""
    key_node, value_node, key, value = item
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
        return model.model_validate(value or {})
    except ValidationError as exc:
        findings.extend(schema_findings(exc, node, path, model, prefix=(key_node.value,)))
        return None
