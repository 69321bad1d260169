"""The lab vocabulary in the database: ``registry/attributes.yaml`` and its lookup
registries as two tables of the session schema, so the database holds the same rules.

- ``attribute_vocabulary``: one row per declared attribute name (its type, unit,
  description, required, values, lookup registry, minimum, maximum, pattern);
- ``attribute_lookup``: one row per key of each lookup registry (``lookup``, ``lookup_key``
  -> ``description``).

``publish`` writes them from a root that has a vocabulary (a root without one leaves them
as they are); rows that differ from the root's are a conflict until ``--replace``.
``pull`` writes ``attributes.yaml`` and the lookup registries back from them.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import Any

from ..layout import REGISTRY_SUFFIX, VOCABULARY_KIND
from ..read.vocabulary import Vocabulary
from ..write.writer import dump_yaml
from .errors import PublishError

VOCABULARY_DEFINITION = """
# the lab vocabulary: registry/attributes.yaml (session-files)
attribute_name: varchar(32)
---
attribute_type = null: varchar(16)
unit = null: varchar(32)
description = "": varchar(1024)
required = "false": varchar(4000)    # JSON: true, false or a list of projects
allowed_values = null: varchar(8000) # JSON list of the allowed values
lookup = null: varchar(64)           # the lookup registry its values are keys of
minimum = null: float64
maximum = null: float64
pattern = null: varchar(1024)
"""
LOOKUP_DEFINITION = """
# the lab's lookup registries: registry/NAME.yaml (session-files)
lookup: varchar(64)
lookup_key: varchar(255)
---
description = "": varchar(1024)
"""
# AttributeDeclaration's field -> its column
COLUMNS = {
    "type": "attribute_type",
    "unit": "unit",
    "description": "description",
    "required": "required",
    "values": "allowed_values",
    "registry": "lookup",
    "minimum": "minimum",
    "maximum": "maximum",
    "pattern": "pattern",
}
JSON_FIELDS = ("required", "values")


@dataclass(frozen=True)
class VocabularyRows:
    """The two tables' rows, as plain dicts."""

    attributes: list[dict[str, Any]] = field(default_factory=list)
    lookups: list[dict[str, Any]] = field(default_factory=list)


def rows_of(vocabulary: Vocabulary) -> VocabularyRows:
    """The rows a root's vocabulary gives."""
    attributes = []
    for name, declaration in sorted(vocabulary.declarations.items()):
        data = declaration.model_dump()
        row: dict[str, Any] = {"attribute_name": name}
        for key, column in COLUMNS.items():
            value = data[key]
            row[column] = json.dumps(value) if key in JSON_FIELDS and value is not None else value
        row["description"] = row["description"] or ""
        attributes.append(row)
    lookups = [
        {"lookup": name, "lookup_key": key, "description": lookup.descriptions.get(key, "")}
        for name, lookup in sorted(vocabulary.lookups.items())
        for key in sorted(lookup.keys)
    ]
    return VocabularyRows(attributes, lookups)


def _tables(schema_name: str, *, create: bool) -> tuple[Any, Any] | None:
    from . import _dj
    from .tables import connect

    dj = _dj.load()
    connect(dj)  # a server that cannot be reached is said as publish says it
    if not create and schema_name not in dj.list_schemas():
        return None
    schema = dj.Schema(schema_name, create_schema=create, create_tables=create)
    names = set(schema.list_tables())
    if not create and not {"attribute_vocabulary", "attribute_lookup"} <= names:
        return None
    vocabulary = type(
        "AttributeVocabulary",
        (dj.Manual,),
        {"definition": VOCABULARY_DEFINITION, "__module__": __name__},
    )
    lookup = type(
        "AttributeLookup", (dj.Manual,), {"definition": LOOKUP_DEFINITION, "__module__": __name__}
    )
    return schema(vocabulary), schema(lookup)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
        for k, v in row.items()
    }


def publish_vocabulary(
    schema_name: str, vocabulary: Vocabulary, *, replace: bool, dry_run: bool
) -> dict[str, int]:
    """Make the schema's vocabulary tables hold ``vocabulary``: counts of rows inserted and
    deleted; PublishError (nothing written) when they hold other rows and not ``replace``."""
    wanted = rows_of(vocabulary)
    tables = _tables(schema_name, create=not dry_run)
    counts = {"inserted": 0, "deleted": 0}
    if tables is None:
        counts["inserted"] = len(wanted.attributes) + len(wanted.lookups)
        return counts
    for table, rows, key in (
        (tables[0], wanted.attributes, ("attribute_name",)),
        (tables[1], wanted.lookups, ("lookup", "lookup_key")),
    ):
        have = {tuple(r[k] for k in key): _plain(r) for r in table.to_dicts()}
        want = {tuple(r[k] for k in key): _plain(r) for r in rows}
        stale = [k for k, r in have.items() if want.get(k) != r]
        if stale and not replace:
            shown = ", ".join("/".join(map(str, k)) for k in stale[:10])
            msg = (
                f"{table.table_name} holds rows that differ from this root's vocabulary ({shown});"
                " publish with --replace to make the database hold this root's rules"
            )
            raise PublishError(msg)
        new = [want[k] for k in want if have.get(k) != want[k]]
        counts["deleted"] += len(stale)
        counts["inserted"] += len(new)
        if dry_run:
            continue
        for k in stale:
            (table & dict(zip(key, k, strict=True))).delete_quick()
        if new:
            table.insert(new)
    return counts


def vocabulary_files(schema_name: str, registry_dir: str) -> dict[str, bytes]:
    """``attributes.yaml`` and the lookup registries, from the schema's tables (none when
    the schema has no vocabulary tables)."""
    tables = _tables(schema_name, create=False)
    if tables is None:
        return {}
    declarations: dict[str, Any] = {}
    for row in sorted(tables[0].to_dicts(), key=lambda r: r["attribute_name"]):
        entry: dict[str, Any] = {}
        for key, column in COLUMNS.items():
            value = row.get(column)
            if key in JSON_FIELDS and value is not None:
                value = json.loads(value)
            if value is None or value == "" or (key == "required" and value is False):
                continue
            if key in ("minimum", "maximum") and float(value).is_integer():
                value = int(value)
            entry[key] = value
        declarations[row["attribute_name"]] = entry or None
    if not declarations:
        return {}
    files = {
        posixpath.join(registry_dir, VOCABULARY_KIND + REGISTRY_SUFFIX): dump_yaml(declarations)
    }
    lookups: dict[str, dict[str, Any]] = {}
    for row in tables[1].to_dicts():
        described = {"description": row["description"]} if row["description"] else None
        lookups.setdefault(row["lookup"], {})[row["lookup_key"]] = described
    for name, entries in sorted(lookups.items()):
        files[posixpath.join(registry_dir, name + REGISTRY_SUFFIX)] = dump_yaml(
            dict(sorted(entries.items()))
        )
    return {path: text.encode("utf-8") for path, text in files.items()}


def publish_root_vocabulary(
    root: Any, registry: Any, schema_name: str, replace: bool, dry_run: bool
) -> dict[str, int]:
    """``publish_vocabulary`` for the root's vocabulary (nothing without one)."""
    from ..index.sources import load_sources
    from ..read.scan import open_root
    from .tables import database_errors

    vocabulary = load_sources(open_root(root), registry).registries.vocabulary
    if vocabulary is None:
        return {}
    with database_errors("the vocabulary was not written: "):
        return publish_vocabulary(schema_name, vocabulary, replace=replace, dry_run=dry_run)
