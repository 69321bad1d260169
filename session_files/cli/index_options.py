"""Options shared by the ``index`` and ``ls`` commands."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    """``[ROOT]``: a directory or fsspec URL, default the current directory."""
    return click.argument("root", default=".", required=False)(func)


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


class CouldNotRun(click.ClickException):
    """The command did not run; exit status 2, one line on stderr, never a traceback."""

    exit_code = 2


@contextmanager
def could_not_run(what: str) -> Iterator[None]:
    """Turn a failure to open the root or the index into ``error: ...`` and exit status 2."""
    try:
        yield
    except click.ClickException:
        raise
    except (OSError, sqlite3.Error, ValueError, ImportError, OverflowError) as exc:
        raise CouldNotRun(f"could not {what}: {exc}") from None
    except Exception as exc:
        from session_files.index.store import IndexError_  # lazily: --help stays fast

        if isinstance(exc, IndexError_):
            raise CouldNotRun(f"could not {what}: {exc}") from None
        raise
