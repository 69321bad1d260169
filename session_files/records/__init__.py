"""The records: every limit of the sidecar, the registries and the relational view, declared once.

The JSON Schemas (``write.schema_export``), the relational columns (``TABLES``) and the
DataJoint definitions are all derived from these models: ``types`` (column types and
shared rules), ``sidecar``, ``entries`` (the registries' entries), ``rows`` (one model per
table of the view, and its keys) and ``registries`` (each registry described once).
"""

from __future__ import annotations

from .entries import (
    ExperimenterEntry,
    ProjectEntry,
    SubjectEntry,
)
from .registries import (
    REGISTRIES,
    REGISTRY_ENTRIES,
    REGISTRY_KEYS,
    REGISTRY_ROWS,
    Registry,
)
from .rows import (
    FOREIGN_KEYS,
    ROW_MODELS,
    SESSION_TABLES,
    TABLES,
    ExperimenterRow,
    ProjectRow,
    ProjectSessionRow,
    Row,
    SessionAttributeRow,
    SessionDirectoryRow,
    SessionExperimenterRow,
    SessionNoteRow,
    SessionRow,
    SubjectRow,
)
from .sidecar import (
    Attribute,
    AttributeEntry,
    Sidecar,
    attribute_text,
)
from .types import (
    DATETIME_EXAMPLE,
    NAIVE_DATETIME_PATTERN,
    NO_NUL,
    SCHEMA_VERSION,
    AttributeName,
    AttributeText,
    BirthDate,
    Cellphone,
    Description,
    Email,
    Fullname,
    NaiveDatetime,
    Nickname,
    NoteText,
    ProjectId,
    SessionDir,
    Sex,
    Strict,
    SubjectId,
    UserId,
    now,
    parse_session_datetime,
)

__all__ = [
    "DATETIME_EXAMPLE",
    "FOREIGN_KEYS",
    "NAIVE_DATETIME_PATTERN",
    "NO_NUL",
    "REGISTRIES",
    "REGISTRY_ENTRIES",
    "REGISTRY_KEYS",
    "REGISTRY_ROWS",
    "ROW_MODELS",
    "SCHEMA_VERSION",
    "SESSION_TABLES",
    "TABLES",
    "Attribute",
    "AttributeEntry",
    "AttributeName",
    "AttributeText",
    "BirthDate",
    "Cellphone",
    "Description",
    "Email",
    "ExperimenterEntry",
    "ExperimenterRow",
    "Fullname",
    "NaiveDatetime",
    "Nickname",
    "NoteText",
    "ProjectEntry",
    "ProjectId",
    "ProjectRow",
    "ProjectSessionRow",
    "Registry",
    "Row",
    "SessionAttributeRow",
    "SessionDir",
    "SessionDirectoryRow",
    "SessionExperimenterRow",
    "SessionNoteRow",
    "SessionRow",
    "Sex",
    "Sidecar",
    "Strict",
    "SubjectEntry",
    "SubjectId",
    "SubjectRow",
    "UserId",
    "attribute_text",
    "now",
    "parse_session_datetime",
]
