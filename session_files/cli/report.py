"""``session-files report``: one self-contained HTML page of a root's figures and findings."""

from __future__ import annotations

from pathlib import Path

import click

from session_files.cli._common import (
    cannot_write,
    load_view,
    report_left_out,
)
from session_files.cli.index_options import index_option, open_root_argument, registry_option


@click.command(name="report")
@open_root_argument
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (replaced atomically).",
)
@click.option(
    "--attribute",
    "attributes",
    multiple=True,
    metavar="NAME",
    help="Break sessions down by the values of this attribute; repeatable.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when sidecars were left out of the view.")
@registry_option
@index_option
def report(
    root: str | None,
    out: Path,
    attributes: tuple[str, ...],
    strict: bool,
    registry: str | None,
    index_path: Path | None,
) -> None:
    """Write one self-contained HTML page (works offline, no scripts) with the figures of
    ROOT (default: the nearest root upward): totals, sessions per month and per subject,
    breakdowns by experimenter, project and --attribute, and every finding by code."""
    from session_files.analysis.html import render_html
    from session_files.analysis.overview import build_overview
    from session_files.reporters.text import plural
    from session_files.write.writer import atomic_write

    root, catalog = load_view(root, registry, index_path)
    with catalog:
        try:  # a mistyped --attribute says "did you mean", never charts "(not set)"
            catalog.check_attribute_names(attributes)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--attribute") from None
        view = build_overview(catalog, attributes=attributes)
        display = catalog.root
    try:
        atomic_write(out, render_html(view).encode("utf-8"))
    except OSError as exc:
        raise cannot_write(out, exc) from None
    counts = [
        plural(view.sessions, "session"),
        plural(view.subjects, "subject"),
        plural(view.errors, "error"),
        plural(view.warnings, "warning"),
    ]
    click.echo(f"{out}: {', '.join(counts)}")
    click.get_current_context().exit(report_left_out(view.left_out, display, strict=strict))
