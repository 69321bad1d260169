"""The lab vocabulary read from its files: ``attributes.yaml`` and the lookup registries it
names, parsed like every registry (``registry.parse_entries``), and a sidecar's attributes
checked against it (``attribute_findings``; the rules themselves are in ``attribute_rules``).

Without ``attributes.yaml`` there is no vocabulary (None) and attributes stay free-form.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from ..findings import Finding
from ..layout import REGISTRY_SUFFIX, VOCABULARY_KIND
from ..records import Sidecar
from ..records.types import AttributeName
from ..records.vocabulary import AttributeDeclaration, LookupEntry, LookupKey
from .attribute_rules import problems
from .registry import ParsedEntries, parse_entries
from .yamlsafe import YamlProblem, compose, decode, locate, locate_key, position

VOCABULARY_FILE = VOCABULARY_KIND + REGISTRY_SUFFIX
_PASSED: dict[str, set[tuple[str, str, bool]]] = {}  # Vocabulary.key -> what passed


@dataclass(frozen=True)
class Lookup:
    """A lookup registry: its path (as findings show it), its keys, and why keys are missing
    (the whole file unusable, an entry left out, or the file absent)."""

    name: str
    path: str
    keys: frozenset[str] = frozenset()
    findings: tuple[Finding, ...] = ()
    unusable: Finding | None = None
    broken: dict[str, Finding] = field(default_factory=dict)
    missing: bool = False
    descriptions: dict[str, str] = field(default_factory=dict)  # key -> its description


@dataclass(frozen=True)
class Vocabulary:
    """The declarations of ``attributes.yaml`` (by name) and the lookup registries they
    name; plain, picklable data (the index's workers are sent it)."""

    path: str
    declarations: dict[str, AttributeDeclaration] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    unusable: Finding | None = None
    broken: dict[str, Finding] = field(default_factory=dict)
    lookups: dict[str, Lookup] = field(default_factory=dict)
    key: str = ""  # a digest of the files it was read from

    @property
    def all_findings(self) -> tuple[Finding, ...]:
        """The findings of ``attributes.yaml`` and of every lookup registry it names."""
        found = list(self.findings)
        for lookup in self.lookups.values():
            found += lookup.findings
        return tuple(found)

    def __getstate__(self) -> dict[str, object]:
        """Pickled without what ``cached_property`` keeps (the workers remake it)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("passed", "required")}

    @cached_property
    def passed(self) -> set[tuple[str, str, bool]]:
        """(name, value text, has no blob) of the attributes already checked and found to
        pass (labs repeat the same rigs and values in every sidecar); shared in a process
        by every copy of the same vocabulary (a worker is sent one with each chunk)."""
        if len(_PASSED) > 8:
            _PASSED.clear()
        return _PASSED.setdefault(self.key, set()) if self.key else set()

    @cached_property
    def required(self) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
        """The names every session needs, and project -> the names its sessions need."""
        always = tuple(name for name, d in self.declarations.items() if d.required is True)
        by_project: dict[str, list[str]] = {}
        for name, d in self.declarations.items():
            if isinstance(d.required, list):
                for project in d.required:
                    by_project.setdefault(project, []).append(name)
        return always, {project: tuple(names) for project, names in by_project.items()}

    def columns(self) -> dict[str, dict[str, str | None]]:
        """name -> its type, unit and description: what the catalog types columns by."""
        return {
            name: {"type": d.type, "unit": d.unit, "description": d.description or None}
            for name, d in self.declarations.items()
        }


def parse_vocabulary(data: bytes, path: str) -> ParsedEntries:
    """``attributes.yaml``: attribute name -> ``AttributeDeclaration``."""
    return parse_entries(data, path, "attribute name", AttributeName, AttributeDeclaration)


def parse_lookup(data: bytes, path: str) -> ParsedEntries:
    """A lookup registry ``NAME.yaml``: key -> ``LookupEntry``."""
    return parse_entries(data, path, "key", LookupKey, LookupEntry)


def lookup_names(parsed: ParsedEntries) -> list[str]:
    """The lookup registries the valid declarations name, sorted."""
    names = {
        entry.registry
        for entry in parsed.entries.values()
        if isinstance(entry, AttributeDeclaration) and entry.registry
    }
    return sorted(names)


ReadResult = bytes | OSError | None
Unreadable = Callable[[str, OSError], Finding]


def build_vocabulary(
    directory: str,
    data: ReadResult,
    lookups: dict[str, ReadResult],
    unreadable: Unreadable,
) -> Vocabulary | None:
    """The vocabulary from the bytes read (None when ``attributes.yaml`` does not exist).

    ``directory``: the registry directory as findings show it; ``unreadable`` makes the
    finding of a file that could not be read."""
    path = posixpath.join(directory, VOCABULARY_FILE) if directory else VOCABULARY_FILE
    if data is None:
        return None
    if isinstance(data, OSError):
        finding = unreadable(path, data)
        return Vocabulary(path, findings=(finding,), unusable=finding)
    parsed = parse_vocabulary(data, path)
    declarations = {
        name: entry
        for name, entry in parsed.entries.items()
        if isinstance(entry, AttributeDeclaration)
    }
    tables = {
        name: _lookup(directory, name, lookups.get(name), unreadable)
        for name in lookup_names(parsed)
    }
    key = hashlib.sha256(data).hexdigest()
    for name, lookup in sorted(lookups.items()):
        key += f" {name}:" + (
            hashlib.sha256(lookup).hexdigest() if isinstance(lookup, bytes) else "-"
        )
    return Vocabulary(
        path, declarations, parsed.findings, parsed.unusable, parsed.broken, tables, key
    )


def _lookup(directory: str, name: str, data: ReadResult, unreadable: Unreadable) -> Lookup:
    file = name + REGISTRY_SUFFIX
    path = posixpath.join(directory, file) if directory else file
    if data is None:
        return Lookup(name, path, missing=True)
    if isinstance(data, OSError):
        finding = unreadable(path, data)
        return Lookup(name, path, findings=(finding,), unusable=finding)
    parsed = parse_lookup(data, path)
    described = {
        key: entry.description
        for key, entry in parsed.entries.items()
        if isinstance(entry, LookupEntry) and entry.description
    }
    return Lookup(
        name,
        path,
        frozenset(parsed.entries),
        parsed.findings,
        parsed.unusable,
        parsed.broken,
        descriptions=described,
    )


def attribute_findings(
    vocabulary: Vocabulary, record: Sidecar, data: bytes, path: str
) -> list[Finding]:
    """The vocabulary's findings on one valid sidecar (its record, read from ``data``),
    each at its place in the file: the name, the value, or the ``attributes`` mapping."""
    found = problems(vocabulary, record)
    if not found:
        return []
    try:
        node = compose(decode(data))
    except YamlProblem:  # pragma: no cover - the bytes gave a valid record
        node = None
    findings = []
    for code, name, place, message in found:
        if place == "key":
            line, column = locate_key(node, ("attributes", name))
        elif place == "value":
            explicit = record.attributes is not None and _explicit(node, name)
            line, column = locate(
                node, ("attributes", name, "value") if explicit else ("attributes", name)
            )
        elif record.attributes:
            line, column = locate_key(node, ("attributes",))
        else:
            line, column = position(node) if node is not None else (None, None)
        findings.append(Finding.make(code, path, message, line, column))
    return findings


def _explicit(node: object, name: str) -> bool:
    from yaml.nodes import MappingNode

    from .yamlsafe import node_at

    found, exact = node_at(node if isinstance(node, MappingNode) else None, ("attributes", name))
    return exact and isinstance(found, MappingNode)
