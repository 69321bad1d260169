"""DataJoint 2 table definitions, derived from the row models of ``records``.

Nothing here is written twice: column names, ``varchar`` lengths (the pydantic
``max_length``), ``enum`` members (the ``Literal``), ``date``/``datetime``,
defaults, primary keys and foreign keys all come from ``records.ROW_MODELS``
and ``records.FOREIGN_KEYS``. This module needs no database and no DataJoint.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import StringConstraints
from pydantic.fields import FieldInfo

from session_files.records import FOREIGN_KEYS, REGISTRIES, TABLES, Row, SessionRow

# The registry tables (subject, project, experimenter), from the one registry description.
UPSTREAM = tuple(registry.table for registry in REGISTRIES.values())
# A schema name PostgreSQL and MySQL both take as it is: no quoting, no case folding surprises.
SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def check_schema_name(name: str) -> str:
    """``name`` when it is a valid schema name, else ValueError saying what to use."""
    if not isinstance(name, str) or not SCHEMA_NAME.match(name):
        msg = f"{name!r}: use letters, digits and underscores (at most 64)"
        raise ValueError(msg)
    return name


SESSION_KEY = SessionRow.PRIMARY_KEY


def class_name(table: str) -> str:
    """The DataJoint class name of a table: ``session_note`` -> ``SessionNote``.

    A part table (``master__part``) is named by its part: ``session__attribute`` -> ``Attribute``.
    """
    last = table.split("__")[-1]
    return "".join(word.capitalize() for word in last.split("_"))


def master_of(table: str) -> str | None:
    """The master table of a part table (``session__attribute`` -> ``session``), else None."""
    master, sep, _ = table.partition("__")
    return master if sep else None


def column_type(field: FieldInfo) -> str:
    """The DataJoint 2 type of one model field."""
    annotation = field.annotation
    if typing.get_origin(annotation) is typing.Literal:
        members = ",".join(_quote(str(member)) for member in typing.get_args(annotation))
        return f"enum({members})"
    if annotation is str:
        lengths = [m.max_length for m in field.metadata if isinstance(m, StringConstraints)]
        if not lengths or lengths[0] is None:
            msg = "a text column needs a max_length to become a varchar"
            raise TypeError(msg)
        return f"varchar({lengths[0]})"
    if annotation is datetime:
        return "datetime"
    if annotation is date:
        return "date"
    if annotation is Any:
        return "<blob>"
    msg = f"no DataJoint type for {annotation!r}"
    raise TypeError(msg)


def column_default(field: FieldInfo) -> str | None:
    """The DataJoint default of a field (``''``, ``null``), or None when it is required."""
    if field.is_required():
        return None
    if field.default is None:
        return "null"
    if isinstance(field.default, str):
        return _quote(field.default)
    msg = f"no DataJoint default for {field.default!r}"
    raise TypeError(msg)


def attribute_line(name: str, field: FieldInfo) -> str:
    """One attribute line of a definition: ``name=default: type``."""
    default = column_default(field)
    head = name if default is None else f"{name}={default}"
    comment = f"  # {_comment(field.description)}" if field.description else ""
    return f"{head}: {column_type(field)}{comment}"


def foreign_keys(table: str) -> list[tuple[tuple[str, ...], str]]:
    """The foreign keys of ``table``: (its columns, the referenced table)."""
    return [(columns, ref) for source, columns, ref, _ in FOREIGN_KEYS if source == table]


@dataclass(frozen=True)
class TableDefinition:
    """One table of the pipeline: its class name, master (for parts) and definition."""

    table: str
    class_name: str
    master: str | None
    definition: str
    references: tuple[str, ...]


def definition(table: str) -> TableDefinition:
    """The DataJoint 2 definition of one table of the view, from its row model."""
    model: type[Row] = TABLES[table]
    fields = model.model_fields
    master = master_of(table)
    keys = foreign_keys(table)
    covered: set[str] = set()
    references: list[str] = []
    lines: list[str] = [f"# {_comment(model.COMMENT)}"] if model.COMMENT else []

    def emit(columns: list[str]) -> None:
        for column in columns:
            if column in covered:
                continue
            owner = next(((cols, ref) for cols, ref in keys if column in cols), None)
            if owner is None:
                lines.append(attribute_line(column, fields[column]))
                covered.add(column)
                continue
            cols, ref = owner
            lines.append("-> master" if ref == master else f"-> {class_name(ref)}")
            references.append(ref)
            covered.update(cols)

    primary = list(model.PRIMARY_KEY)
    emit(primary)
    secondary = [name for name in fields if name not in model.PRIMARY_KEY]
    if secondary:
        lines.append("---")
        emit(secondary)
    return TableDefinition(
        table=table,
        class_name=class_name(table),
        master=master,
        definition="\n".join(lines) + "\n",
        references=tuple(references),
    )


def _comment(text: str) -> str:
    if "#" in text or "\n" in text:
        msg = f"cannot use {text!r} as a DataJoint comment"
        raise ValueError(msg)
    return text


def _quote(text: str) -> str:
    if "'" in text or "\\" in text:
        msg = f"cannot quote {text!r} in a DataJoint definition"
        raise ValueError(msg)
    return f"'{text}'"
