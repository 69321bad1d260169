"""Publish the relational view into DataJoint 2 (element-session `session_with_datetime`).

Importing this package does not import DataJoint; ``activate`` and ``publish`` do, and raise
``MissingExtraError`` (``pip install 'session-files[datajoint]'``) when it is not installed.

Like element-session, the tables of the last activation are module attributes::

    from session_files import datajoint as session
    session.activate("lab_session")
    session.Session & {"subject": "M001"}
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from session_files.records import TABLES

from . import _dj
from .collation import Collision, KeysCollide
from .definitions import TableDefinition, check_schema_name, class_name, definition
from .errors import ActivationError, MissingExtraError, PublishError, PublishRefused
from .pipeline import Pipeline, activate, current
from .plan import Conflict
from .publish import publish, publish_rows
from .pull import PullResult, pull
from .result import PublishResult

__all__ = [
    "ActivationError",
    "Collision",
    "Conflict",
    "KeysCollide",
    "MissingExtraError",
    "Pipeline",
    "PublishError",
    "PublishRefused",
    "PublishResult",
    "PullResult",
    "TableDefinition",
    "activate",
    "check_schema_name",
    "definition",
    "load_datajoint",
    "publish",
    "publish_rows",
    "pull",
]

_TABLE_NAMES = tuple(class_name(table) for table in TABLES if "__" not in table)


def load_datajoint() -> ModuleType:
    """The ``datajoint`` module (imported on first use), or MissingExtraError saying how to
    install it."""
    return _dj.load()


def __getattr__(name: str) -> Any:
    if name in (*_TABLE_NAMES, "schema"):
        pipeline = current()
        if pipeline is None:
            msg = f"{name} is declared by activate(schema_name); call it first"
            raise AttributeError(msg)
        return pipeline.schema if name == "schema" else getattr(pipeline, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
