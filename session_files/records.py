"""The records: every limit of the sidecar, the registries and the relational view, declared once.

The JSON Schemas (``schema_export``), the relational columns (``TABLES``) and the
DataJoint definitions are all derived from these models.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .layout import REGISTRY_SUFFIX

SCHEMA_VERSION = 1

# ---------------------------------------------------------------- column types
# Text columns never hold NUL: PostgreSQL and MySQL refuse it in varchar.
NO_NUL = "^[^\x00]*$"


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(min_length=min_length or None, max_length=max_length, pattern=NO_NUL)


def _composed(key: str) -> str:
    """Keys must be in Unicode NFC: ``Mé`` written with a combining accent (NFD, as macOS
    file names and some keyboards make it) would be a second subject in PostgreSQL, which
    compares bytes, while MySQL's collations may take the two for one (a duplicate key)."""
    if not key.isascii() and not unicodedata.is_normalized("NFC", key):
        composed = unicodedata.normalize("NFC", key)
        msg = (
            f"is not in Unicode normal form NFC (it uses combining characters); write it"
            f" composed, as {composed!r}, so that every database compares it the same way"
        )
        raise ValueError(msg)
    return key


_KEY = AfterValidator(_composed)
SubjectId = Annotated[str, _text(1, 8), _KEY]
ProjectId = Annotated[str, _text(1, 32), _KEY]
UserId = Annotated[str, _text(1, 32), _KEY]
AttributeName = Annotated[str, _text(1, 32), _KEY]
AttributeText = Annotated[str, _text(0, 2000)]
NoteText = Annotated[str, _text(0, 1024)]
SessionDir = Annotated[str, _text(1, 256)]
Nickname = Annotated[str, _text(0, 64)]
Description = Annotated[str, _text(0, 1024)]
Email = Annotated[str, _text(0, 128)]
Cellphone = Annotated[str, _text(0, 32)]
Fullname = Annotated[str, _text(0, 64)]
Sex = Literal["M", "F", "U"]

NAIVE_DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}$"
_NAIVE_RE = re.compile(NAIVE_DATETIME_PATTERN)
_DATE_ONLY_RE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$")
_FRACTION_RE = re.compile(r"[0-9]:[0-9]{2}\.[0-9]")
_OFFSET_RE = re.compile(r"([Zz]|[+-][0-9]{1,2}(:?[0-9]{2})?)$")
DATETIME_EXAMPLE = "2024-01-15 10:30:00"


def now() -> datetime:
    """The current local date and time, to the whole second: a valid ``session_datetime``."""
    return datetime.now().replace(microsecond=0)


def parse_session_datetime(value: object) -> datetime:
    """Parse a naive, whole-second date and time, or say exactly why not."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            msg = "has a UTC offset; write naive local time (DataJoint datetime keeps no zone)"
            raise ValueError(msg)
        if value.microsecond:
            msg = "has fractional seconds; DataJoint datetime keeps whole seconds"
            raise ValueError(msg)
        return value
    if not isinstance(value, str):
        msg = f"expected a date and time like {DATETIME_EXAMPLE}"
        raise ValueError(msg)
    text = value.strip()
    if _NAIVE_RE.match(text):
        try:
            return datetime.fromisoformat(text[:10] + " " + text[11:])
        except ValueError as exc:
            msg = f"is not a valid date and time ({exc}); write it like {DATETIME_EXAMPLE}"
            raise ValueError(msg) from None
    if _DATE_ONLY_RE.match(text):
        msg = f"has a date but no time; write it like {DATETIME_EXAMPLE}"
    elif _OFFSET_RE.search(text) and ":" in text:
        msg = (
            f"has a UTC offset ({_OFFSET_RE.search(text).group(1)}); write naive local time"  # type: ignore[union-attr]
            f" like {DATETIME_EXAMPLE} (DataJoint datetime keeps no zone)"
        )
    elif _FRACTION_RE.search(text):
        msg = f"has fractional seconds; DataJoint datetime keeps whole seconds: {DATETIME_EXAMPLE}"
    else:
        msg = f"is not a date and time; write it like {DATETIME_EXAMPLE}"
    raise ValueError(msg)


NaiveDatetime = Annotated[
    datetime,
    BeforeValidator(parse_session_datetime),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": NAIVE_DATETIME_PATTERN,
            "description": "Naive local date and time, whole seconds: YYYY-MM-DD HH:MM:SS.",
            "examples": [DATETIME_EXAMPLE],
        }
    ),
]


def _date_from_text(value: object) -> object:
    if isinstance(value, str) and _DATE_ONLY_RE.match(value.strip()):
        year, month, day = (int(part) for part in value.strip().split("-"))
        try:
            return date(year, month, day)
        except ValueError as exc:
            msg = f"is not a valid date ({exc}); write it like 2023-10-01"
            raise ValueError(msg) from None
    if isinstance(value, datetime) or not isinstance(value, (date, str)):
        msg = "expected a date like 2023-10-01"
        raise ValueError(msg)
    return value


BirthDate = Annotated[
    date,
    BeforeValidator(_date_from_text),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$",
            "examples": ["2023-10-01"],
        }
    ),
]


def _no_repeats(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    seen: set[str] = set()
    for value in values:
        if value in seen:
            msg = f"lists {value!r} twice; name each entry once"
            raise ValueError(msg)
        seen.add(value)
    return values


# ---------------------------------------------------------------- the sidecar
_UNIQUE: dict[str, Any] = {"uniqueItems": True}


class Strict(BaseModel):
    """Base of every record: unknown keys are errors, strings are never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


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


# ---------------------------------------------------------------- registry entries
class SubjectEntry(Strict):
    """An entry of ``registry/subjects.yaml`` (element-animal ``subject.Subject``)."""

    subject_nickname: Nickname = ""
    sex: Sex
    subject_birth_date: BirthDate
    subject_description: Description = ""


class ProjectEntry(Strict):
    """An entry of ``registry/projects.yaml`` (element-lab ``lab.Project``)."""

    project_description: Description = ""


class ExperimenterEntry(Strict):
    """An entry of ``registry/experimenters.yaml`` (element-lab ``lab.User``)."""

    user_email: Email = ""
    user_cellphone: Cellphone = ""
    user_fullname: Fullname = ""


# ---------------------------------------------------------------- relational rows
class Row(Strict):
    """A row of one table of the relational view (docs/catalog.md)."""

    TABLE: ClassVar[str]
    PRIMARY_KEY: ClassVar[tuple[str, ...]]
    COMMENT: ClassVar[str] = ""  # the table comment; column comments: Field(description=...)


# A registry's row is its key column, then the fields of its entry (declared once, in the
# entry model): the key comes first because pydantic orders fields base class first.
class _SubjectKey(Row):
    subject: SubjectId


class SubjectRow(SubjectEntry, _SubjectKey):
    TABLE = "subject"
    PRIMARY_KEY = ("subject",)


class _ProjectKey(Row):
    project: ProjectId


class ProjectRow(ProjectEntry, _ProjectKey):
    TABLE = "project"
    PRIMARY_KEY = ("project",)


class _UserKey(Row):
    user: UserId


class ExperimenterRow(ExperimenterEntry, _UserKey):
    TABLE = "experimenter"
    PRIMARY_KEY = ("user",)


class SessionRow(Row):
    TABLE = "session"
    PRIMARY_KEY: ClassVar[tuple[str, ...]] = ("subject", "session_datetime")
    COMMENT = "Central Session table"
    subject: SubjectId
    session_datetime: NaiveDatetime = Field(description="date and time of the session")


# The tables keyed by the session: the session's key columns first, then their own.
class SessionAttributeRow(SessionRow):
    TABLE = "session__attribute"
    PRIMARY_KEY = ("subject", "session_datetime", "attribute_name")
    COMMENT = "Additional feature of interest for a session"
    attribute_name: AttributeName = Field(description="Name shared across instances of attribute")
    attribute_value: AttributeText = Field(default="", description="Attribute value")
    attribute_blob: Any = Field(
        default=None, description="Optional data store field", json_schema_extra={"nullable": True}
    )


class SessionDirectoryRow(SessionRow):
    TABLE = "session_directory"
    COMMENT = "Relative path information for files related to a given session"
    session_dir: SessionDir = Field(description="Path to the data directory for a session")


class SessionExperimenterRow(SessionRow):
    TABLE = "session_experimenter"
    PRIMARY_KEY = ("subject", "session_datetime", "user")
    COMMENT = "Individual(s) conducting the session"
    user: UserId


class SessionNoteRow(SessionRow):
    TABLE = "session_note"
    COMMENT = "Additional notes related to a given session"
    session_note: NoteText = Field(description="Additional notes")


class ProjectSessionRow(Row):
    TABLE = "project_session"
    PRIMARY_KEY = ("project", "subject", "session_datetime")
    COMMENT = "Table linking upstream Projects with Session"
    project: ProjectId
    subject: SubjectId
    session_datetime: NaiveDatetime


ROW_MODELS: tuple[type[Row], ...] = (
    SubjectRow,
    ProjectRow,
    ExperimenterRow,
    SessionRow,
    SessionAttributeRow,
    SessionDirectoryRow,
    SessionExperimenterRow,
    SessionNoteRow,
    ProjectSessionRow,
)
TABLES: dict[str, type[Row]] = {model.TABLE: model for model in ROW_MODELS}

# Foreign keys of the view: (table, columns) -> (referenced table, columns).
FOREIGN_KEYS: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...] = (
    ("session", ("subject",), "subject", ("subject",)),
    ("session_experimenter", ("user",), "experimenter", ("user",)),
    ("project_session", ("project",), "project", ("project",)),
    *(
        (table, ("subject", "session_datetime"), "session", ("subject", "session_datetime"))
        for table in (
            "session__attribute",
            "session_directory",
            "session_experimenter",
            "session_note",
            "project_session",
        )
    ),
)

# The session and the tables keyed by it (element-session's tables), in declaration order.
SESSION_TABLES: tuple[str, ...] = (
    "session",
    *(table for table, _, referenced, _ in FOREIGN_KEYS if referenced == "session"),
)


@dataclass(frozen=True)
class Registry:
    """One lab registry, described once: its file, the model of its YAML entries, the row
    model (and so the table) it fills, and the type of its key."""

    kind: str  # the file is registry/<kind>.yaml
    entry: type[Strict]
    row: type[Row]
    key_type: Any

    @property
    def table(self) -> str:
        """The table of the view it fills (``subject``, ``project``, ``experimenter``)."""
        return self.row.TABLE

    @property
    def key(self) -> str:
        """The key column (``subject``, ``project``, ``user``)."""
        return self.row.PRIMARY_KEY[0]

    @property
    def file_name(self) -> str:
        """``subjects.yaml``, ``projects.yaml``, ``experimenters.yaml``."""
        return self.kind + REGISTRY_SUFFIX


REGISTRIES: dict[str, Registry] = {
    registry.kind: registry
    for registry in (
        Registry("subjects", SubjectEntry, SubjectRow, SubjectId),
        Registry("projects", ProjectEntry, ProjectRow, ProjectId),
        Registry("experimenters", ExperimenterEntry, ExperimenterRow, UserId),
    )
}
# Views of REGISTRIES by kind, for the callers that need one facet.
REGISTRY_ROWS: dict[str, type[Row]] = {kind: r.row for kind, r in REGISTRIES.items()}
REGISTRY_ENTRIES: dict[str, type[Strict]] = {kind: r.entry for kind, r in REGISTRIES.items()}
REGISTRY_KEYS: dict[str, Any] = {kind: r.key_type for kind, r in REGISTRIES.items()}
