"""``session-files export``: one table of the view, or the wide table, to a file."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from session_files.analysis.formats import FORMATS, Format, format_of
from session_files.cli._common import (
    CouldNotRun,
    cannot_write,
    load_view,
    report_left_out,
)
from session_files.cli.index_options import index_option, open_root_argument, registry_option


@click.command(name="export")
@open_root_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="File format (default: from the suffix of --out).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced atomically).",
)
@click.option("--wide", is_flag=True, help="One row per session, attributes as columns.")
@click.option("--table", metavar="NAME", help="Export this table of the view (e.g. session).")
@click.option("--strict", is_flag=True, help="Exit 1 when sidecars were left out of the view.")
@registry_option
@index_option
def export(
    root: str | None,
    fmt: str | None,
    out: Path,
    wide: bool,
    table: str | None,
    strict: bool,
    registry: str | None,
    index_path: Path | None,
) -> None:
    """Write the view of ROOT (default: the nearest root upward) to a file: one table
    (--table NAME) or one row per session (--wide); parquet, csv or jsonl.

    CSV is safe for spreadsheets: a text cell starting with = + - @, a tab or a carriage
    return gets a leading ' so that it is never run as a formula. Blobs are JSON text.
    """
    if wide == (table is not None):
        msg = "give either --table NAME or --wide"
        raise click.UsageError(msg)
    if fmt is None and format_of(out) is None:
        msg = f"cannot tell the format of {out.name!r} from its suffix; give --format"
        raise click.UsageError(msg)
    from session_files.analysis.export import export as export_catalog

    root, catalog = load_view(root, registry, index_path)
    with catalog:
        try:
            result = export_catalog(
                catalog, out, fmt=cast(Format | None, fmt), table=table, wide=wide
            )
        except KeyError as exc:  # the message names the tables
            raise click.BadParameter(str(exc.args[0]), param_hint="--table") from None
        except ImportError as exc:
            raise CouldNotRun(str(exc)) from None
        except OSError as exc:
            raise cannot_write(out, exc) from None
        missing, display = catalog.left_out, catalog.root
    rows = "row" if result.rows == 1 else "rows"
    click.echo(f"{result.path}: {result.rows} {rows}, {len(result.columns)} columns")
    click.get_current_context().exit(report_left_out(missing, display, strict=strict))
