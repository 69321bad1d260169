"""``session-files validate``: check a whole data root and report in a CI-readable format.

Exit status: 0 when no finding is an error, 1 when one is, 2 when the check could
not run (no such root, bad options, a failure to read the root or its index); the
reason for a 2 goes to stderr as one line, never as a traceback.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click

from session_files.cli._common import (
    check_config_registry,
    check_root,
    could_not_run,
    printable,
    refuse_subfolder,
    resolve_root,
)
from session_files.cli.index_options import index_option, open_root_argument, registry_option
from session_files.reporters import REPORTERS

if TYPE_CHECKING:
    from session_files.report import Report


def _use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _printable(text: str) -> str:
    """Text stdout can always encode: bytes of undecodable file names become U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _check_registry(registry: str | None) -> None:
    """An explicit local ``--registry DIR`` must exist (a missing one is a typo, not a lab)."""
    if registry is not None and "://" not in registry and not Path(registry).is_dir():
        msg = f"{registry}: no such directory"
        raise click.BadParameter(msg, param_hint="'--registry'")


def _run(root: str, registry: str | None, index: Path | None) -> Report:
    """The engine's report; engine warnings go to stderr, failures become exit status 2."""
    from session_files.api import IndexRebuiltWarning
    from session_files.api import validate as validate_root

    # in a terminal, say what is going on from the start: the scan of a large root takes
    # seconds before the reading's progress bar can count anything
    status = sys.stderr.isatty()
    if status:
        click.echo(f"scanning {printable(root)} ...", err=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IndexRebuiltWarning)
        with could_not_run(f"validate {root}"):
            report = validate_root(root, registry=registry, index=index)
    for warning in caught:
        click.echo(f"warning: {printable(str(warning.message))}", err=True)
    return report


@click.command()
@open_root_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(REPORTERS)),
    default="text",
    show_default=True,
    help="text for people; json, github, junit or sarif for CI (see docs/ci.md).",
)
@registry_option
@index_option
@click.pass_context
def validate(
    ctx: click.Context,
    root: str | None,
    output_format: str,
    registry: str | None,
    index_path: Path | None,
) -> None:
    """Check every sidecar and registry below ROOT (a directory or an fsspec URL; default:
    the nearest root from the current directory up).

    The report goes to stdout. Exit status: 0 no errors (warnings allowed),
    1 errors found, 2 could not run.
    """
    try:
        root = resolve_root(root)
        check_root(root)
        _check_registry(registry)
        refuse_subfolder(root, registry)
        report = _run(root, registry, index_path)
        check_config_registry(root, registry, report.findings)
    except click.ClickException as exc:  # exit 2; CI still gets a document that says why
        from session_files.report import Report

        failed = Report.could_not_run(root or ".", exc.format_message())
        output = REPORTERS[output_format](failed, color=False)
        if output:
            click.echo(_printable(output))
        raise
    color = _use_color()
    output = REPORTERS[output_format](report, color=color)
    if output:
        click.echo(_printable(output), color=color)
    ctx.exit(0 if report.ok else 1)
