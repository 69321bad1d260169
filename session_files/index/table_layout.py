"""The view's tables as plain data: name, primary key and columns (name, kind, nullable),
in the order of ``records.TABLES``.

Derived from the row models (the one source of truth) so that reading an index needs no
pydantic; tests/test_table_layout.py checks this equals what the models give (after a
row model changes, that test fails and prints the entry to write here).
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["text", "datetime", "date", "blob"]

TABLE_LAYOUT: dict[str, tuple[tuple[str, ...], tuple[tuple[str, Kind, bool], ...]]] = {
    "subject": (
        ("subject",),
        (
            ("subject", "text", False),
            ("subject_nickname", "text", False),
            ("sex", "text", False),
            ("subject_birth_date", "date", False),
            ("subject_description", "text", False),
        ),
    ),
    "project": (("project",), (("project", "text", False), ("project_description", "text", False))),
    "experimenter": (
        ("user",),
        (
            ("user", "text", False),
            ("user_email", "text", False),
            ("user_cellphone", "text", False),
            ("user_fullname", "text", False),
        ),
    ),
    "session": (
        ("subject", "session_datetime"),
        (("subject", "text", False), ("session_datetime", "datetime", False)),
    ),
    "session__attribute": (
        ("subject", "session_datetime", "attribute_name"),
        (
            ("subject", "text", False),
            ("session_datetime", "datetime", False),
            ("attribute_name", "text", False),
            ("attribute_value", "text", False),
            ("attribute_blob", "blob", True),
        ),
    ),
    "session_directory": (
        ("subject", "session_datetime"),
        (
            ("subject", "text", False),
            ("session_datetime", "datetime", False),
            ("session_dir", "text", False),
        ),
    ),
    "session_experimenter": (
        ("subject", "session_datetime", "user"),
        (
            ("subject", "text", False),
            ("session_datetime", "datetime", False),
            ("user", "text", False),
        ),
    ),
    "session_note": (
        ("subject", "session_datetime"),
        (
            ("subject", "text", False),
            ("session_datetime", "datetime", False),
            ("session_note", "text", False),
        ),
    ),
    "project_session": (
        ("project", "subject", "session_datetime"),
        (
            ("project", "text", False),
            ("subject", "text", False),
            ("session_datetime", "datetime", False),
        ),
    ),
}
