"""The lab vocabulary: ``registry/attributes.yaml`` and its lookup registries (docs/format.md, "The lab vocabulary").

``AttributeDeclaration`` is one entry of ``attributes.yaml`` (an attribute name -> what its
values may be); ``LookupEntry`` one entry of a lookup registry ``registry/NAME.yaml`` that a
declaration names with ``registry: NAME`` (a key -> an optional description).
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, StringConstraints, model_validator

from ..layout import VOCABULARY_KIND
from .registries import REGISTRIES
from .types import NO_NUL, Description, ProjectId, Strict

AttributeType = Literal["text", "number", "integer", "boolean", "date", "datetime", "blob"]
ATTRIBUTE_TYPES: tuple[str, ...] = AttributeType.__args__  # type: ignore[attr-defined]
NUMERIC_TYPES = frozenset({"number", "integer"})
MAX_PATTERN_CHARS = 1024
LOOKUP_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_LOOKUP_NAME = re.compile(LOOKUP_NAME_PATTERN)
Scalar = str | int | float | bool


@cache
def compile_pattern(pattern: str) -> Any:
    """``pattern`` compiled by RE2 (linear-time matching); ValueError for one RE2 cannot
    compile (backreferences, lookaround: they need backtracking)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        msg = (
            f"is not a regular expression that matches in linear time ({reason}); RE2 syntax,"
            " without backreferences or lookaround"
        )
        raise ValueError(msg) from None


def _pattern(pattern: str) -> str:
    if len(pattern) > MAX_PATTERN_CHARS:
        msg = f"is {len(pattern):,} characters long; a pattern may be at most {MAX_PATTERN_CHARS:,}"
        raise ValueError(msg)
    compile_pattern(pattern)
    return pattern


def _lookup_name(name: str) -> str:
    if not _LOOKUP_NAME.match(name):
        msg = (
            "must name a lookup registry file registry/NAME.yaml: lower-case letters, digits,"
            " '-' and '_' (e.g. 'rigs')"
        )
        raise ValueError(msg)
    if name == VOCABULARY_KIND or name in REGISTRIES:
        msg = (
            f"names {name}.yaml, which is not a lookup registry; a lookup registry is a file"
            " of its own (e.g. registry: rigs for registry/rigs.yaml)"
        )
        raise ValueError(msg)
    return name


LookupName = Annotated[str, AfterValidator(_lookup_name)]
Pattern = Annotated[str, AfterValidator(_pattern)]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=NO_NUL)]
# at most 255 characters: a primary key column of the database (DataJoint: attribute_lookup)
LookupKey = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NO_NUL)]


def _finite(value: float | None, name: str) -> None:
    if value is not None and not math.isfinite(value):
        msg = f"{name} must be a finite number"
        raise ValueError(msg)


class AttributeDeclaration(Strict):
    """An entry of ``registry/attributes.yaml``: what one attribute's values may be.

    Every field is optional: an empty entry (``stimulus:``) declares the name only.
    """

    type: AttributeType | None = None
    unit: Unit | None = None
    description: Description = ""
    required: bool | list[ProjectId] = False
    values: list[Scalar] | None = None
    registry: LookupName | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    pattern: Pattern | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AttributeDeclaration:
        kind = self.type
        ranged = self.minimum is not None or self.maximum is not None
        _finite(self.minimum, "minimum")
        _finite(self.maximum, "maximum")
        if ranged and kind not in NUMERIC_TYPES:
            msg = "minimum and maximum need 'type: number' or 'type: integer'"
            raise ValueError(msg)
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            msg = f"minimum {self.minimum} is above maximum {self.maximum}"
            raise ValueError(msg)
        if self.values is not None and self.registry is not None:
            msg = "give 'values' or 'registry', not both"
            raise ValueError(msg)
        if kind == "blob" and (self.values or self.registry or self.pattern or ranged):
            msg = "a blob has no value to check: drop values, registry, pattern, minimum, maximum"
            raise ValueError(msg)
        if self.values is not None and not self.values:
            msg = "values is empty; list the allowed values (or leave it out)"
            raise ValueError(msg)
        if self.values and kind in NUMERIC_TYPES:
            for value in self.values:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    msg = f"values must be numbers for 'type: {kind}', not {value!r}"
                    raise ValueError(msg)
        if isinstance(self.required, list) and not self.required:
            msg = "required is an empty list; give true, or the projects whose sessions need it"
            raise ValueError(msg)
        return self

    def required_in(self, projects: list[str] | None) -> bool:
        """Whether a session of these projects must set this attribute."""
        if self.required is True:
            return True
        if not self.required:
            return False
        return bool(projects) and any(project in self.required for project in projects or ())


class LookupEntry(Strict):
    """An entry of a lookup registry ``registry/NAME.yaml`` (e.g. ``rigs.yaml``)."""

    description: Description = ""
