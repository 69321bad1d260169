"""The sidecar, ``session.yaml``, and its attributes (docs/format.md, "The sidecar")."""

from __future__ import annotations

import math
import numbers
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .types import (
    AttributeName,
    AttributeText,
    NaiveDatetime,
    NoteText,
    ProjectId,
    Strict,
    SubjectId,
    UserId,
    _no_repeats,
)

_UNIQUE: dict[str, Any] = {"uniqueItems": True}


# The explicit form's schema is filled in by schema_export (pydantic cannot $ref it here).
_SCALAR_ATTRIBUTE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "maxLength": 2000},
        {"type": "number"},
        {"type": "boolean"},
        {"x-explicit-attribute": True},
    ]
}


def attribute_text(value: object) -> object:
    """A Python number or boolean as the canonical text an attribute stores; anything else
    as it is. ``True`` -> ``"true"``, ``3`` -> ``"3"``, ``3.5`` -> ``"3.5"`` (the shortest
    text that reads back as the same float), NaN and infinities as YAML writes them
    (``.nan``, ``.inf``, ``-.inf``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ".nan"
        if math.isinf(number):
            return ".inf" if number > 0 else "-.inf"
        return repr(number)
    return value


class Attribute(Strict):
    """One session attribute: ``value`` (text as written) and/or ``blob`` (any YAML data)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={"minProperties": 1},
    )

    value: AttributeText = ""
    blob: Any = None

    @model_validator(mode="before")
    @classmethod
    def _scalar_or_explicit(cls, data: object) -> object:
        data = attribute_text(data)
        if isinstance(data, str):
            return {"value": data}
        if isinstance(data, dict):
            if "value" in data:
                data = {**data, "value": attribute_text(data["value"])}
            other = sorted(str(key) for key in data if key not in ("value", "blob"))
            if other:
                msg = (
                    f"has keys {', '.join(map(repr, other))}; an attribute is a scalar or the"
                    " explicit form with only 'value' (text) and/or 'blob' (any data)"
                )
                raise ValueError(msg)
            if not data:
                msg = "is an empty mapping; give 'value' (text) and/or 'blob' (any data)"
                raise ValueError(msg)
            return data
        if isinstance(data, Attribute):
            return data
        kind = "a list" if isinstance(data, list) else "empty" if data is None else "not text"
        msg = (
            f"is {kind}; an attribute is a scalar (text, number, boolean) or the explicit form"
            " {value: <text>, blob: <any data>}, e.g. put a list under 'blob'"
        )
        raise ValueError(msg)


AttributeEntry = Annotated[Attribute, WithJsonSchema(_SCALAR_ATTRIBUTE_SCHEMA)]


class Sidecar(Strict):
    """The ``session.yaml`` document a session directory holds (docs/format.md, "The sidecar")."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="session.yaml",
        json_schema_extra={"description": "A session-files sidecar: one experimental session."},
    )

    schema_version: Literal[1] | None = None
    subject: SubjectId
    session_datetime: NaiveDatetime
    experimenters: list[UserId] | None = Field(default=None, json_schema_extra=_UNIQUE)
    projects: list[ProjectId] | None = Field(default=None, json_schema_extra=_UNIQUE)
    note: NoteText | None = None
    attributes: dict[AttributeName, AttributeEntry] | None = None

    @field_validator("schema_version", mode="before")
    @classmethod
    def _version_is_a_number(cls, value: object) -> object:
        if isinstance(value, bool):  # True == 1 in Python; `schema_version: yes` is a mistake
            msg = f"is {value!r}; it must be 1, the only version today"
            raise ValueError(msg)
        return value

    _check_experimenters = field_validator("experimenters")(_no_repeats)
    _check_projects = field_validator("projects")(_no_repeats)

    KEY_ORDER: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "subject",
        "session_datetime",
        "experimenters",
        "projects",
        "note",
        "attributes",
    )
