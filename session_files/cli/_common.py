"""What every command shares: how a run that could not happen ends (exit status 2), where
the root is when ROOT is omitted, and how left-out sidecars are reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class CouldNotRun(click.ClickException):
    """The command did not run (no such root, no DataJoint, a failure to read); exit status
    2, like a usage error. The reason goes to stderr as one message, never a traceback."""

    exit_code = 2


def resolve_root(root: str | None) -> str:
    """ROOT as given, or (when omitted) the nearest root from the current directory up."""
    if root is not None:
        return root
    from session_files.read.discovery import RootNotFoundError, find_root

    try:
        return str(find_root())
    except RootNotFoundError as exc:
        raise CouldNotRun(str(exc)) from None


def strict_option(func: F) -> F:
    """``--strict``: exit 1 when sidecars are left out of the view because of errors."""
    return click.option(
        "--strict",
        is_flag=True,
        help="Exit 1 when sidecars are left out because of errors.",
    )(func)


def report_left_out(count: int, root: str, *, strict: bool) -> int:
    """Say on stderr how many sidecars the view leaves out (if any); the exit status
    (1 with ``strict`` when some were left out, else 0)."""
    if not count:
        return 0
    from session_files.api import left_out_message

    click.echo(f"warning: {left_out_message(count, root)}", err=True)
    return 1 if strict else 0
