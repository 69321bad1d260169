"""``session-files ls``: list the sessions of the view, one row per session."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from session_files.api import load_catalog
from session_files.cli.index_options import index_option, open_root_argument, registry_option
from session_files.index.catalog import SessionInfo

_HEADER = ("subject", "session_datetime", "session_dir", "experimenters", "projects", "note")


def _when(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        msg = f"{value!r} is not a date (2024-01-15) or date and time (2024-01-15 10:30:00)"
        raise click.BadParameter(msg) from None


def _cells(row: SessionInfo) -> tuple[str, ...]:
    return (
        row.subject,
        row.session_datetime.isoformat(sep=" "),
        row.session_dir,
        ",".join(row.experimenters),
        ",".join(row.projects),
        row.session_note or "",
    )


def _table(rows: list[SessionInfo]) -> str:
    cells = [_HEADER[:5], *(_cells(row)[:5] for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )


def _json(rows: list[SessionInfo]) -> str:
    data: list[dict[str, Any]] = [
        {
            "subject": row.subject,
            "session_datetime": row.session_datetime.isoformat(sep=" "),
            "session_dir": row.session_dir,
            "experimenters": row.experimenters,
            "projects": row.projects,
            "note": row.session_note,
        }
        for row in rows
    ]
    return json.dumps(data, indent=2, ensure_ascii=False)


def _csv(rows: list[SessionInfo]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_HEADER)
    writer.writerows(_cells(row) for row in rows)
    return out.getvalue().rstrip("\n")


@click.command(name="ls")
@open_root_argument
@click.option("--subject", multiple=True, help="Only this subject; repeatable (any of them).")
@click.option("--project", multiple=True, help="Only sessions of this project; repeatable.")
@click.option("--experimenter", multiple=True, help="Only sessions with this user; repeatable.")
@click.option("--since", callback=_when, help="From this date or date and time (inclusive).")
@click.option("--until", callback=_when, help="Up to this date or date and time (inclusive).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@registry_option
@index_option
def ls(
    root: str,
    subject: tuple[str, ...],
    project: tuple[str, ...],
    experimenter: tuple[str, ...],
    since: date | None,
    until: date | None,
    fmt: str,
    registry: str | None,
    index_path: Path | None,
) -> None:
    """List the sessions of ROOT's view (default: the current directory)."""
    try:
        catalog = load_catalog(root, registry=registry, index=index_path)
    except (FileNotFoundError, NotADirectoryError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="ROOT") from None
    with catalog:
        rows = list(
            catalog.sessions(
                subject=subject or None,
                project=project or None,
                experimenter=experimenter or None,
                since=since,
                until=until,
            )
        )
    render = {"table": _table, "csv": _csv, "json": _json}[fmt]
    click.echo(render(rows))
