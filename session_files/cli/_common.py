"""What every command shares: how a run that could not happen ends (exit status 2, one
line on stderr, never a traceback), which root it runs on (given, or the nearest one up;
it must exist), and how warnings and left-out sidecars are reported."""

from __future__ import annotations

import sqlite3
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from session_files.findings import Finding
    from session_files.index.catalog import Catalog

F = TypeVar("F", bound=Callable[..., Any])


class CouldNotRun(click.ClickException):
    """The command did not run (no such root, no DataJoint, a failure to read); exit status
    2, like a usage error. The reason goes to stderr as one message, never a traceback."""

    exit_code = 2


# What the library raises when a run cannot go on (a file, the index, an option's value);
# anything else is a bug, still reported in one line.
EXPECTED: tuple[type[Exception], ...] = (
    OSError,
    sqlite3.Error,
    ValueError,
    ImportError,
    OverflowError,
)


@contextmanager
def could_not_run(
    what: str | None = None, *, expected: tuple[type[Exception], ...] = ()
) -> Iterator[None]:
    """Turn a failure inside the block into ``Error: could not <what>: <reason>`` on stderr
    and exit status 2 (without ``what``: the reason alone). An error of a kind the library
    does not raise on purpose is named with its type, as a bug to report."""
    prefix = f"could not {what}: " if what else ""
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except expected as exc:  # the caller's own messages: their line breaks are meant
        lines = f"{prefix}{exc}".split("\n")
        raise CouldNotRun("\n".join(map(printable, lines))) from None
    except EXPECTED as exc:
        raise CouldNotRun(printable(f"{prefix}{exc}")) from None
    except Exception as exc:
        msg = f"{prefix}{type(exc).__name__}: {exc} (a bug; please report it)"
        raise CouldNotRun(printable(msg)) from None


def printable(text: str) -> str:
    """A message for the terminal: control characters from file names escaped."""
    from session_files.reporters._common import escape_controls

    return escape_controls(text)


def cannot_write(out: Path, exc: OSError) -> CouldNotRun:
    """Exit status 2 for an output file that could not be written, naming the user's path
    (``cannot write OUT: no such directory: DIR (create it first)``)."""
    return CouldNotRun(printable(f"cannot write {out}: {exc.strerror or exc}"))


def echo_warnings(warnings: list[str]) -> None:
    """Index warnings on stderr, one line each."""
    for warning in warnings:
        click.echo(f"warning: {printable(warning)}", err=True)


def resolve_root(root: str | None) -> str:
    """ROOT as given, or (when omitted) the nearest root from the current directory up."""
    if root is not None:
        return root
    from session_files.read.root import RootNotFoundError, require_root

    try:
        return str(require_root())
    except RootNotFoundError as exc:
        raise CouldNotRun(str(exc)) from None


def check_root(root: str) -> None:
    """ROOT must be an existing directory: a local one, or one an fsspec URL names."""
    if "://" in root and not root.startswith("file://"):
        try:
            from upath import UPath

            missing = not UPath(root).exists()
        except Exception:  # no remote extra, or the filesystem cannot tell: the engine reports
            return
        if missing:
            msg = f"{root}: no such directory"
            raise CouldNotRun(msg)
        return
    path = Path(root.removeprefix("file://"))
    if not path.exists():
        msg = f"{root}: no such directory"
        raise CouldNotRun(msg)
    if not path.is_dir():
        msg = f"{root}: not a directory"
        raise CouldNotRun(msg)


def refuse_subfolder(root: str, registry: str | None) -> None:
    """A local ROOT that is no root itself (no session-files.yaml, no registry/) inside one
    that is: a session folder given as the root, whose every subject would be unknown. Exit
    status 2 with the root it is inside (``did you mean``); ``--registry`` says the user
    means it."""
    if registry is not None or "://" in root:
        return
    import os

    from session_files.read.root import find_root, is_root

    path = Path(root)
    if not path.is_dir() or is_root(path):
        return
    parent = find_root(path.absolute().parent)
    if parent is None:
        return
    shown = os.path.relpath(parent) if not path.is_absolute() else str(parent)
    msg = (
        f"{root} is not a data root (it holds no session-files.yaml or registry/), but it is"
        f" inside the data root {shown}: did you mean {shown}? (with --registry DIR, {root}"
        " is checked on its own)"
    )
    raise CouldNotRun(printable(msg))


def check_config_registry(
    root: str, registry: str | None, findings: Iterable[Finding] | None = None
) -> None:
    """The registry directory a local root's session-files.yaml names must exist: a typo
    there (``registry: regs``) is one line and exit status 2, as ``--registry`` to a missing
    directory is, not an unknown-* error on every sidecar. (No ``registry:`` line: the
    default ``registry/`` may be absent, an empty registry.) With the run's ``findings``,
    the config is read only when some sidecar refers to a registry key that is missing."""
    if registry is not None or "://" in root:
        return
    if findings is not None and not any(f.code.startswith("unknown-") for f in findings):
        return
    from session_files.layout import CONFIG_NAME, READ_LIMIT, REGISTRY_DIR
    from session_files.read.files import read_regular

    path = Path(root)
    try:  # a regular file only (a FIFO must not hang); most name no registry: no YAML parse
        if b"registry" not in read_regular(str(path / CONFIG_NAME), READ_LIMIT):
            return
    except OSError:  # no config (or the engine reports why it cannot be read)
        return
    from session_files.index.sources import load_config
    from session_files.read.scan import open_root

    try:
        settings = load_config(open_root(path))[0]
    except (OSError, ValueError):  # the engine reports the config's own problems
        return
    if settings.registry == REGISTRY_DIR:
        return
    directory = path / settings.registry
    if not directory.is_dir():
        msg = (
            f"{path / CONFIG_NAME}: registry {settings.registry!r}: no such directory"
            f" ({directory}); fix the registry: line, or pass --registry DIR"
        )
        raise CouldNotRun(printable(msg))


def load_view(
    root: str | None, registry: str | None, index: Path | None, *, verb: str | None = None
) -> tuple[str, Catalog]:
    """The root (resolved and checked) and its catalog, for the commands that read the view;
    a failure is exit status 2 (``could not <verb> <root>: ...`` with ``verb``). Left-out
    sidecars are not warned about here: the command says so on stderr (``report_left_out``)."""
    from session_files.api import IncompleteCatalogWarning, IndexRebuiltWarning, load_catalog

    root = resolve_root(root)
    check_root(root)
    refuse_subfolder(root, registry)
    with (
        could_not_run(f"{verb} {root}" if verb else None),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("ignore", IncompleteCatalogWarning)
        warnings.simplefilter("always", IndexRebuiltWarning)
        catalog = load_catalog(root, registry=registry, index=index)
    # one clean line each (a Python warning would print its source line too)
    echo_warnings([str(warning.message) for warning in caught])
    try:
        check_config_registry(root, registry, catalog.findings)
    except CouldNotRun:
        catalog.close()
        raise
    return root, catalog


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
