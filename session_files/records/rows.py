"""The rows of the relational view, one model per table, and its keys (docs/catalog.md)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import (
    Field,
)

from .entries import ExperimenterEntry, ProjectEntry, SubjectEntry
from .types import (
    AttributeName,
    AttributeText,
    NaiveDatetime,
    NoteText,
    ProjectId,
    SessionDir,
    Strict,
    SubjectId,
    UserId,
)


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
