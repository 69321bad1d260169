"""What the DataJoint commands (``publish``, ``pull``) share: their ``--schema`` and
``--linking-module`` options, the schema-name check, and DataJoint's logs kept off stdout."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def schema_option(func: F) -> F:
    """``--schema NAME``: the database schema (required)."""
    return click.option(
        "--schema", "schema_name", required=True, metavar="NAME", help="Database schema."
    )(func)


def linking_module_option(help_text: str) -> Callable[[F], F]:
    """``--linking-module MODULE``: the module with the upstream tables to link to."""

    def decorate(func: F) -> F:
        return click.option("--linking-module", metavar="MODULE", default=None, help=help_text)(
            func
        )

    return decorate


def check_schema(schema_name: str) -> None:
    """The library's schema-name rule, as a usage error naming ``--schema`` (exit 2)."""
    from session_files.datajoint import check_schema_name

    try:
        check_schema_name(schema_name)
    except ValueError as exc:
        raise click.BadParameter(f"--schema {exc}") from None


@contextmanager
def datajoint_logs_to_stderr() -> Iterator[None]:
    """DataJoint logs to stdout at INFO by default; keep stdout for our report.

    ``DJ_LOG_LEVEL`` and ``DJ_LOG_STREAM``, when set, are respected.
    """
    from session_files.datajoint import load_datajoint

    load_datajoint()  # DataJoint sets up its logger on import
    logger = logging.getLogger("datajoint")
    level = logger.level
    handlers = [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
    streams = [h.stream for h in handlers]
    if "DJ_LOG_LEVEL" not in os.environ:
        logger.setLevel(logging.WARNING)
    if "DJ_LOG_STREAM" not in os.environ:
        for handler in handlers:
            handler.setStream(sys.stderr)
    try:
        yield
    finally:
        logger.setLevel(level)
        for handler, stream in zip(handlers, streams, strict=True):
            handler.setStream(stream)
