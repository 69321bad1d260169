"""A root's own ``session.schema.json``: the published sidecar schema with the lab
vocabulary's declarations (``registry/attributes.yaml``) in it, so editors and writers in
other languages check the lab's rules too.

Each declared name is a property of ``attributes`` (``additionalProperties: false``), with
its type, values, range and pattern; required names are ``required`` (for every session,
or through ``if``/``then`` in the sessions of the projects listed). What JSON Schema cannot
express is listed in ``INEXPRESSIBLE`` (and in the README).
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from ..findings import Finding
from ..read.attribute_rules import BOOLEAN_TEXTS, DATE_TEXT, INTEGER_TEXT, NUMBER_TEXT
from ..read.vocabulary import VOCABULARY_FILE, Vocabulary
from ..records import NAIVE_DATETIME_PATTERN, attribute_text
from ..records.vocabulary import AttributeDeclaration
from .schema_export import ID_BASE, sidecar_schema

INEXPRESSIBLE = (
    "the keys of a lookup registry (`registry: rigs`): the schema does not copy rigs.yaml",
    'the range and `values` of a number written in quotes (`"80"`): JSON Schema compares'
    " text only as text",
    "a `pattern` on a value written as a plain number or boolean (JSON Schema matches"
    " patterns against strings only)",
    "`values` compare the text as written: `1.50` is not `1.5` (JSON Schema sees the number"
    " 1.5 in both)",
)
_TEXT = {"type": "string", "maxLength": 2000}


def _numbers(declaration: AttributeDeclaration, kind: str) -> list[dict[str, Any]]:
    plain: dict[str, Any] = {"type": kind}
    if declaration.minimum is not None:
        plain["minimum"] = declaration.minimum
    if declaration.maximum is not None:
        plain["maximum"] = declaration.maximum
    if declaration.values is not None:
        plain["enum"] = list(declaration.values)
    text = INTEGER_TEXT if kind == "integer" else NUMBER_TEXT
    return [plain, {"type": "string", "pattern": text}]


def _scalars(declaration: AttributeDeclaration) -> list[dict[str, Any]]:
    """The schemas a scalar value (or the explicit form's ``value``) may match."""
    kind = declaration.type
    if kind in ("number", "integer"):
        return _numbers(declaration, kind)
    if kind == "boolean":
        return [{"type": "boolean"}, {"type": "string", "enum": list(BOOLEAN_TEXTS)}]
    if kind == "date":
        return [{"type": "string", "pattern": DATE_TEXT, "format": "date"}]
    if kind == "datetime":
        return [{"type": "string", "pattern": NAIVE_DATETIME_PATTERN}]
    string: dict[str, Any] = dict(_TEXT)
    if declaration.pattern is not None:
        string["pattern"] = declaration.pattern
    options: list[dict[str, Any]] = [string, {"type": "number"}, {"type": "boolean"}]
    if declaration.values is not None:  # the text as written, or the YAML value it reads as
        texts = [str(attribute_text(v)) for v in declaration.values]
        allowed: dict[str, Any] = {"enum": list(dict.fromkeys([*texts, *declaration.values]))}
        if declaration.pattern is not None:  # applies to the strings among them
            allowed["pattern"] = declaration.pattern
        options = [allowed]
    return options


def attribute_schema(declaration: AttributeDeclaration) -> dict[str, Any]:
    """The schema of one declared attribute: a scalar, or the explicit form."""
    explicit: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {"value": {"anyOf": _scalars(declaration)}, "blob": {}},
    }
    info: dict[str, Any] = {}
    if declaration.description:
        info["description"] = declaration.description
    if declaration.unit:
        info["x-unit"] = declaration.unit
    if declaration.type == "blob":
        return {
            **info,
            **explicit,
            "required": ["blob"],
            "properties": {"value": _TEXT, "blob": {}},
        }
    checked = declaration.type is not None or declaration.values or declaration.pattern
    if checked or declaration.registry:
        explicit["required"] = ["value"]
    return {**info, "anyOf": [*_scalars(declaration), explicit]}


def root_sidecar_schema(vocabulary: Vocabulary, root_id: str) -> dict[str, Any]:
    """``session.schema.json`` for a root with this vocabulary (``root_id`` names it)."""
    schema = sidecar_schema()
    schema["$id"] = f"{ID_BASE}root:{root_id}:session.schema.json"
    declarations = vocabulary.declarations
    always, by_project = vocabulary.required
    mapping: dict[str, Any] = {
        "type": "object",
        "properties": {name: attribute_schema(d) for name, d in sorted(declarations.items())},
        "additionalProperties": False,
    }
    if always:
        mapping["required"] = list(always)
    properties = schema["properties"]
    described = {k: v for k, v in properties["attributes"].items() if k in ("title", "description")}
    properties["attributes"] = (
        {**described, **mapping}
        if always
        else {**described, "anyOf": [mapping, {"type": "null"}], "default": None}
    )
    if always:
        schema["required"] = [*schema.get("required", []), "attributes"]
    conditions = [
        {
            "if": {
                "required": ["projects"],
                "properties": {"projects": {"type": "array", "contains": {"const": p}}},
            },
            "then": {
                "required": ["attributes"],
                "properties": {"attributes": {"type": "object", "required": list(names)}},
            },
        }
        for p, names in sorted(by_project.items())
    ]
    if conditions:
        schema["allOf"] = conditions
    schema["description"] = (
        f"{schema.get('description', '')} With the lab vocabulary of {vocabulary.path}"
        f" (not expressed here: {'; '.join(INEXPRESSIBLE)})."
    ).strip()
    return schema


class VocabularyError(ValueError):
    """The root's vocabulary has findings (or there is none): no schema is written from it."""

    def __init__(self, message: str, findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message)
        self.findings = findings


def write_root_schema(root: str | os.PathLike[str], directory: Path) -> Path:
    """Write ``directory/session.schema.json`` for the local root ``root``; VocabularyError
    when it has no ``attributes.yaml`` or its vocabulary files have findings."""
    from ..index.sources import load_sources
    from ..read.scan import open_root
    from .schema_export import render

    opened = open_root(root)
    sources = load_sources(opened, None)
    vocabulary = sources.registries.vocabulary
    if vocabulary is None:
        where = posixpath.join(sources.registries.display, VOCABULARY_FILE)
        msg = (
            f"{opened.display} has no {where}; without a vocabulary its sidecars follow the"
            " published schemas/session.schema.json (session-files schema --out DIR)"
        )
        raise VocabularyError(msg)
    if vocabulary.all_findings:
        msg = f"fix the vocabulary first ({vocabulary.path} and its lookup registries):"
        raise VocabularyError(msg, vocabulary.all_findings)
    root_id = sources.config.root_id or opened.display
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "session.schema.json"
    target.write_text(render(root_sidecar_schema(vocabulary, root_id)), encoding="utf-8")
    return target
