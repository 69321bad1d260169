"""What can go wrong between the files and a DataJoint 2 database, as exception classes."""

from __future__ import annotations

INSTALL_HINT = "pip install 'session-files[datajoint]'"


class MissingExtraError(ImportError):
    """DataJoint 2 is not installed: the ``datajoint`` extra is needed."""


class ActivationError(Exception):
    """The schema cannot be activated (a linking module lacks a table, keys do not match)."""


class PublishError(Exception):
    """Publishing could not run: no connection, or the database refused a statement."""


class SchemaMismatch(PublishError):
    """The schema's tables differ from what session-files declares; nothing was written."""


class PublishRefused(Exception):
    """The root has error findings and ``allow_errors`` was not given."""

    def __init__(self, errors: int, root: str) -> None:
        self.errors = errors
        self.root = root
        noun = "error" if errors == 1 else "errors"
        super().__init__(
            f"refused: {root} has {errors} {noun}; run `session-files validate {root}` to see"
            " them, fix them, or pass --allow-errors to publish only the valid sessions"
        )
