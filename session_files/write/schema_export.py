"""JSON Schemas (draft 2020-12) derived from the models, for non-Python writers and editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..records import REGISTRIES, Attribute, Sidecar, Strict

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "urn:session-files:schema:"


def _attribute_schema() -> dict[str, Any]:
    """The explicit attribute form; ``value`` takes any scalar, kept as its text."""
    schema = Attribute.model_json_schema()
    schema["properties"]["value"] = {
        "anyOf": [{"type": "string", "maxLength": 2000}, {"type": "number"}, {"type": "boolean"}],
        "default": "",
        "description": "The attribute's text, exactly as written (a number keeps its digits).",
    }
    schema["properties"]["blob"] = {"description": "Any YAML data, stored as attribute_blob."}
    return schema


_EXPLICIT_MARK = '{"x-explicit-attribute": true}'


def _model_schema(model: type[Strict]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    defs = schema.pop("$defs", {})
    if defs:
        schema["$defs"] = defs
    text = json.dumps(schema)
    if _EXPLICIT_MARK in text:
        schema = json.loads(text.replace(_EXPLICIT_MARK, '{"$ref": "#/$defs/Attribute"}'))
        schema.setdefault("$defs", {})["Attribute"] = _attribute_schema()
    return dict(schema)


def sidecar_schema() -> dict[str, Any]:
    """The schema of ``session.yaml``."""
    body = _model_schema(Sidecar)
    return {"$schema": DRAFT, "$id": ID_BASE + "session.schema.json", **body}


def registry_schema(kind: str) -> dict[str, Any]:
    """The schema of ``registry/<kind>.yaml``: a mapping of key to entry (or null)."""
    entry = REGISTRIES[kind].entry
    key = REGISTRIES[kind].key_type
    key_schema = _key_limits(key)
    entry_schema = _model_schema(entry)
    defs = entry_schema.pop("$defs", {})
    defs[entry.__name__] = entry_schema
    reference: dict[str, Any] = {"$ref": f"#/$defs/{entry.__name__}"}
    # An empty entry (`bob:`) means all defaults: only valid where nothing is required.
    if not entry_schema.get("required"):
        reference = {"anyOf": [reference, {"type": "null"}]}
    return {
        "$schema": DRAFT,
        "$id": ID_BASE + f"{kind}.schema.json",
        "title": f"registry/{kind}.yaml",
        "description": (
            f"The {kind} registry: each key is a primary key, each value its attributes"
            " (an empty file is an empty registry)."
        ),
        "type": ["object", "null"],
        "propertyNames": key_schema,
        "additionalProperties": reference,
        "$defs": defs,
    }


def _key_limits(annotation: Any) -> dict[str, Any]:
    from pydantic import TypeAdapter

    return dict(TypeAdapter(annotation).json_schema())


def all_schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema, for every file session-files publishes in ``schemas/``."""
    schemas = {"session.schema.json": sidecar_schema()}
    for kind in REGISTRIES:
        schemas[f"{kind}.schema.json"] = registry_schema(kind)
    return schemas


def render(schema: dict[str, Any]) -> str:
    """A schema's committed text: stable key order, two-space indent, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schemas().items():
        target = directory / name
        target.write_text(render(schema), encoding="utf-8")
        written.append(target)
    return written


def check_schemas(directory: Path) -> list[str]:
    """What differs between ``directory`` and what the models produce (empty: identical)."""
    problems = []
    expected = all_schemas()
    for name, schema in expected.items():
        target = directory / name
        if not target.is_file():
            problems.append(f"{target}: missing")
        elif target.read_text(encoding="utf-8") != render(schema):
            problems.append(f"{target}: differs from what the models produce")
    if directory.is_dir():
        for extra in sorted(directory.glob("*.schema.json")):
            if extra.name not in expected:
                problems.append(f"{extra}: not produced by the models")
    return problems
