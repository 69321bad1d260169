"""Options shared by the ``index`` and ``ls`` commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _registry(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A local ``--registry DIR`` is relative to the current directory, so make it absolute."""
    if value is None or "://" in value:
        return value
    return str(Path(value).absolute())


def open_root_argument(func: F) -> F:
    """``[ROOT]``: a directory or fsspec URL; omitted, the nearest root from the current
    directory up (``resolve_root``)."""
    return click.argument("root", required=False)(func)


def registry_option(func: F) -> F:
    """``--registry DIR``: overrides the root config's registry location."""
    return click.option(
        "--registry",
        callback=_registry,
        metavar="DIR",
        help="Registry directory (overrides session-files.yaml).",
    )(func)


def index_option(func: F) -> F:
    """``--index PATH``: the index file."""
    return click.option(
        "--index",
        "index_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Index file (default: ROOT/.session-files/index.sqlite or the user cache).",
    )(func)
