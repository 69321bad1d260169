"""``activate``: declare element-session's ``session_with_datetime`` tables in a DataJoint 2 schema.

The classes are built from ``definitions`` (themselves derived from the row models), so the
same code can activate any number of schemas in one process. The most recent activation is
also reachable as module attributes (``session_files.datajoint.Session``), the way
element-session users address ``session.Session``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from session_files.records import SESSION_TABLES, TABLES

from . import _dj
from .definitions import UPSTREAM, check_schema_name, class_name, definition
from .errors import ActivationError

UPSTREAM_CLASSES = tuple(class_name(table) for table in UPSTREAM)


@dataclass(frozen=True)
class Pipeline:
    """The DataJoint table classes of one activated schema (table name -> class)."""

    schema: Any
    tables: dict[str, Any]
    linked: bool

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "tables":  # copy/pickle probe before __init__
            raise AttributeError(name)
        for table, cls in self.tables.items():
            if "__" not in table and class_name(table) == name:
                return cls
        msg = f"{type(self).__name__} has no table {name!r}"
        raise AttributeError(msg)

    @property
    def schema_name(self) -> str:
        """The database schema (PostgreSQL schema, MySQL database) of the session tables."""
        return str(self.schema.database)


_current: Pipeline | None = None


def current() -> Pipeline | None:
    """The most recently activated pipeline, if any."""
    return _current


def activate(
    schema_name: str,
    create_schema: bool = True,
    create_tables: bool = True,
    linking_module: ModuleType | str | None = None,
) -> Pipeline:
    """Declare ``Session`` (with part ``Attribute``), ``SessionDirectory``,
    ``SessionExperimenter``, ``SessionNote`` and ``ProjectSession`` in ``schema_name``.

    ``Subject``, ``Project`` and ``Experimenter`` come from ``linking_module`` (a module, or
    the name of one to import) when given; otherwise session-files declares its own, with
    element-animal / element-lab columns, in the same schema. The connection is DataJoint's
    own (``dj.config`` / ``DJ_HOST``, ``DJ_USER``, ``DJ_PASS``, ``DJ_PORT``, ``DJ_BACKEND``).
    """
    global _current
    check_schema_name(schema_name)
    dj = _dj.load()
    upstream = linked_tables(linking_module) if linking_module is not None else None
    context: dict[str, Any] = dict(upstream or {})
    schema = dj.Schema(
        schema_name,
        context=context,
        create_schema=create_schema,
        create_tables=create_tables,
    )
    tables: dict[str, Any] = {}
    if upstream is None:
        for table in UPSTREAM:
            tables[table] = _declare(dj, schema, table, context)
    else:
        tables.update({table: upstream[class_name(table)] for table in UPSTREAM})
    for table in SESSION_TABLES:
        if "__" in table:
            continue  # a part: declared with its master
        tables[table] = _declare(dj, schema, table, context)
    tables["session__attribute"] = tables["session"].Attribute
    pipeline = Pipeline(schema=schema, tables=tables, linked=upstream is not None)
    _current = pipeline
    return pipeline


def _declare(dj: ModuleType, schema: Any, table: str, context: dict[str, Any]) -> Any:
    spec = definition(table)
    body: dict[str, Any] = {"definition": spec.definition, "__module__": __name__}
    for part in TABLES:
        part_spec = definition(part)
        if part_spec.master == table:
            body[part_spec.class_name] = type(
                part_spec.class_name,
                (dj.Part,),
                {"definition": part_spec.definition, "__module__": __name__},
            )
    cls = type(spec.class_name, (dj.Manual,), body)
    context[spec.class_name] = cls
    schema(cls, context=context)
    return cls


def linked_tables(linking_module: ModuleType | str) -> dict[str, Any]:
    """``Subject``, ``Project`` and ``Experimenter`` of a linking module (or its name),
    checked to have the primary keys the session tables refer to."""
    upstream = _resolve(linking_module)
    _check_keys(upstream)
    return upstream


def _resolve(linking_module: ModuleType | str) -> dict[str, Any]:
    module = linking_module
    if isinstance(module, str):
        try:
            module = importlib.import_module(module)
        except ImportError as exc:
            msg = (
                f"cannot import linking module {linking_module!r}: {exc}"
                " (is its directory on PYTHONPATH?)"
            )
            raise ActivationError(msg) from exc
    name = getattr(module, "__name__", repr(module))
    missing = [cls for cls in UPSTREAM_CLASSES if getattr(module, cls, None) is None]
    if missing:
        msg = (
            f"linking module {name} has no {', '.join(missing)}; it must expose Subject,"
            " Project and Experimenter (e.g. `Experimenter = lab.User`)"
        )
        raise ActivationError(msg)
    return {cls: getattr(module, cls) for cls in UPSTREAM_CLASSES}


def _check_keys(upstream: dict[str, Any]) -> None:
    """The linked tables must have the primary keys the sessions refer to."""
    for table in UPSTREAM:
        linked = upstream[class_name(table)]
        instance = linked() if isinstance(linked, type) else linked
        try:
            key = list(instance.primary_key)
        except Exception as exc:
            msg = f"linked {class_name(table)} is not a declared DataJoint table: {exc}"
            raise ActivationError(msg) from exc
        expected = list(TABLES[table].PRIMARY_KEY)
        if key != expected:
            msg = (
                f"linked {class_name(table)} has primary key {key}; session-files rows need"
                f" {expected} (element-animal/element-lab naming)"
            )
            raise ActivationError(msg)
