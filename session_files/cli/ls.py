"""``session-files ls``: list the sessions of the view, one row per session."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from session_files.cli._common import (
    load_view,
    report_left_out,
    strict_option,
)
from session_files.cli.index_options import index_option, open_root_argument, registry_option
from session_files.cli.ls_options import (
    attribute_conditions,
    check_keys,
    did_you_mean,
    sort_keys,
    sort_rows,
)
from session_files.reporters._common import escape_controls

TABLE_COLUMNS = ("subject", "session_datetime", "session_dir", "experimenters", "projects")
DEFAULT_COLUMNS = (*TABLE_COLUMNS[:3], "session_note", *TABLE_COLUMNS[3:])
SESSION_FIELDS = frozenset(DEFAULT_COLUMNS)


def _when(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        msg = f"{value!r} is not a date (2024-01-15) or date and time (2024-01-15 10:30:00)"
        raise click.BadParameter(msg) from None


def _columns(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str]:
    return [name.strip() for item in value for name in item.split(",") if name.strip()]


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _text(value: Any, *, lists: str = "comma") -> str:
    """A value as one cell of the table (lists comma-separated) or of CSV (``lists="json"``:
    lists as JSON text, as ``export`` writes them, so a name with a comma stays whole)."""
    value = _json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False) if lists == "json" else ",".join(value)
    return str(value)


def _width(text: str) -> int:
    """Terminal columns of ``text`` (East Asian wide characters take two)."""
    from wcwidth import wcswidth  # loaded for a table only

    width = wcswidth(text)
    return width if width >= 0 else len(text)


def _table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    # names come from the files: control characters escaped, so none forges a row or
    # reaches the terminal as an escape sequence
    cells = [columns, *([escape_controls(_text(row[name])) for name in columns] for row in rows)]
    widths = [max(_width(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join(
        "  ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(line, widths, strict=True)
        ).rstrip()
        for line in cells
    )


def _json(columns: list[str], rows: list[dict[str, Any]]) -> str:
    data = [{name: _json_value(row[name]) for name in columns} for row in rows]
    return json.dumps(data, indent=2, ensure_ascii=False)


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    from session_files.analysis.export import safe_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(name) for name in columns])
    writer.writerows(
        [safe_cell(_text(row[name], lists="json")) for name in columns] for row in rows
    )
    return out.getvalue().rstrip("\n")


def _from_here(root: str, given: str | None, session_dir: str) -> str:
    """A session directory as a path that resolves from the current directory (as
    ``validate`` prints paths): relative to it where the root is inside it or around it,
    else under the root as the user gave it (or the root's absolute path)."""
    from session_files.reporters._common import working_prefix

    prefix = working_prefix(root)
    if not prefix and "://" not in root and Path(root).resolve() != Path.cwd().resolve():
        return _absolute(given or root, session_dir)
    if session_dir == ".":
        return prefix.rstrip("/") or "."
    return prefix + session_dir


def _absolute(root: str, session_dir: str) -> str:
    if "://" in root:
        return root.rstrip("/") if session_dir == "." else f"{root.rstrip('/')}/{session_dir}"
    return str(Path(root) if session_dir == "." else Path(root, session_dir))


@click.command(name="ls")
@open_root_argument
@click.option("--subject", multiple=True, help="Only this subject; repeatable (any of them).")
@click.option("--project", multiple=True, help="Only sessions of this project; repeatable.")
@click.option("--experimenter", multiple=True, help="Only sessions with this user; repeatable.")
@click.option("--since", callback=_when, help="From this date or date and time (inclusive).")
@click.option("--until", callback=_when, help="Up to this date or date and time (inclusive).")
@click.option(
    "--attribute",
    "attributes",
    multiple=True,
    callback=attribute_conditions,
    metavar="NAME=VALUE",
    help="Only sessions whose attribute matches (also != < <= > >=, e.g. temperature_c>37);"
    " repeatable (all must hold; NAME=A NAME=B: either).",
)
@click.option(
    "--sort",
    multiple=True,
    callback=sort_keys,
    metavar="NAMES",
    help="Sort by these comma-separated columns (-NAME: descending); default subject, date.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "paths"]),
    default="table",
    show_default=True,
    help="paths: one session directory per line (resolving from the current directory),"
    " for shell pipelines.",
)
@click.option(
    "--columns",
    multiple=True,
    callback=_columns,
    metavar="NAMES",
    help="Comma-separated columns of catalog.wide() (e.g. subject,session_datetime,rig,sex).",
)
@click.option("--absolute", is_flag=True, help="session_dir as an absolute path (or URL).")
@click.option(
    "-0",
    "--null",
    "null",
    is_flag=True,
    help="With paths: end each path with NUL instead of a newline (for xargs -0).",
)
@registry_option
@index_option
@strict_option
def ls(
    root: str | None,
    subject: tuple[str, ...],
    project: tuple[str, ...],
    experimenter: tuple[str, ...],
    since: date | None,
    until: date | None,
    attributes: dict[str, Any],
    sort: list[str],
    fmt: str,
    columns: list[str],
    absolute: bool,
    null: bool,
    registry: str | None,
    index_path: Path | None,
    strict: bool,
) -> None:
    """List the sessions of ROOT's view (default: the nearest root from the current
    directory up). How many sidecars errors keep out of the view goes to stderr.

    Field names are those of the Python API (catalog.sessions() and catalog.wide());
    CSV cells that a spreadsheet would run as a formula get a leading '.
    """
    if null and fmt not in ("paths", "table"):
        msg = "-0/--null goes with --format paths"
        raise click.UsageError(msg)
    if null:
        fmt = "paths"

    given = root
    root, catalog = load_view(root, registry, index_path, verb="list")
    filters: dict[str, Any] = {
        "subject": subject or None,
        "project": project or None,
        "experimenter": experimenter or None,
        "since": since,
        "until": until,
        "attributes": attributes or None,
    }
    sorted_by = [key.removeprefix("-") for key in sort]
    with catalog:
        check_keys(catalog, {"subject": subject, "project": project, "experimenter": experimenter})
        try:  # a mistyped --attribute says "did you mean", never lists nothing
            catalog.check_attribute_names(attributes)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--attribute'") from None
        wanted = [*columns, *sorted_by]
        if wanted and not SESSION_FIELDS.issuperset(wanted):
            wide = catalog.wide(**filters)
            # a column of the root is valid whatever the filters leave (the filtered
            # sessions may have no value of it: empty cells)
            absent = [name for name in wanted if name not in wide.names]
            if absent:
                names = catalog.wide().names
                for option, chosen in (("--columns", columns), ("--sort", sorted_by)):
                    unknown = [name for name in chosen if name not in names]
                    if unknown:
                        hint = did_you_mean(unknown[0], names)
                        msg = (
                            f"no column {', '.join(map(repr, unknown))}{hint}; the columns"
                            f" are: {', '.join(names)}"
                        )
                        raise click.BadParameter(msg, param_hint=option)
            rows = wide.to_dicts()
            for row in rows:
                for name in absent:
                    row[name] = None
        else:
            rows = catalog.sessions(**filters).to_dicts()
        display = catalog.root
        left_out = catalog.left_out
    sort_rows(rows, sort)
    if absolute:
        for row in rows:
            row["session_dir"] = _absolute(display, row["session_dir"])
    if fmt == "paths":
        if not absolute:
            for row in rows:
                row["session_dir"] = _from_here(display, given, row["session_dir"])
        end = "\0" if null else "\n"
        shown = (lambda path: path) if null else escape_controls  # -0: the exact bytes
        click.echo("".join(shown(row["session_dir"]) + end for row in rows), nl=False)
        click.get_current_context().exit(report_left_out(left_out, display, strict=strict))
    chosen = columns or list(TABLE_COLUMNS if fmt == "table" else DEFAULT_COLUMNS)
    render = {"table": _table, "csv": _csv, "json": _json}[fmt]
    click.echo(render(chosen, rows))
    click.get_current_context().exit(report_left_out(left_out, display, strict=strict))
