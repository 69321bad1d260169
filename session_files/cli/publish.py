"""``session-files publish``: insert a root's relational view into a DataJoint 2 schema.

Exit status: 0 published (or nothing to do); 1 refused (the root has errors) or conflicts
left alone; 2 could not run (bad options, no DataJoint, cannot connect, the database
refused). The reason for a 2 goes to stderr as one message, never as a traceback.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from session_files.datajoint import (
    ActivationError,
    MissingExtraError,
    PublishError,
    PublishRefused,
    PublishResult,
    _dj,
)
from session_files.datajoint import publish as publish_root
from session_files.datajoint.plan import session_label
from session_files.reporters.text import plural

from ._common import CouldNotRun

SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def render(result: PublishResult) -> list[str]:
    """The lines a person reads: what was (or would be) written, and every conflict."""
    lines: list[str] = []
    would = "would " if result.dry_run else ""
    if result.dry_run:
        lines.append(f"dry run: nothing was written to {result.schema}")
        lines += [f"would insert session {session_label(k)}" for k in result.sessions_inserted]
        lines += [f"would replace session {session_label(k)}" for k in result.sessions_replaced]
        for table, keys in result.registry_inserted.items():
            lines += [f"would insert {table} {key}" for key in keys]
        for table, keys in result.registry_updated.items():
            lines += [f"would update {table} {key}" for key in keys]
    lines += [f"conflict: {conflict.describe()}" for conflict in result.conflicts]
    registry = sum(len(keys) for keys in result.registry_inserted.values())
    updated = sum(len(keys) for keys in result.registry_updated.values())
    unchanged = (
        f"{plural(result.sessions_unchanged, 'session')} and"
        f" {plural(result.registry_unchanged, 'registry row')}"
    )
    if not result.changes:
        lines.append(f"nothing to insert: {unchanged} already in {result.schema}")
    else:
        inserted = len(result.sessions_inserted)
        lines.append(
            f"{would}insert{'' if would else 'ed'} {plural(inserted, 'session')} and"
            f" {plural(registry, 'registry row')} into {result.schema}"
        )
        if result.sessions_replaced:
            replaced = plural(len(result.sessions_replaced), "session")
            lines.append(f"{would}replace{'' if would else 'd'} {replaced}")
        if updated:
            lines.append(f"{would}update{'' if would else 'd'} {plural(updated, 'registry row')}")
        lines.append(f"unchanged: {unchanged}")
    if result.conflicts:
        lines.append(
            f"{plural(len(result.conflicts), 'conflict')} left alone; pass --replace to"
            " replace those sessions (with their parts and dependents) and update those"
            " registry rows"
        )
    if result.errors_left_out:
        errors = plural(result.errors_left_out, "error")
        lines.append(
            f"left out: sessions and registry entries with errors ({errors};"
            " run `session-files validate` to see them)"
        )
    return lines


@contextmanager
def _datajoint_logs_to_stderr() -> Iterator[None]:
    """DataJoint logs to stdout at INFO by default; keep stdout for our report.

    ``DJ_LOG_LEVEL`` and ``DJ_LOG_STREAM``, when set, are respected.
    """
    _dj.load()  # DataJoint sets up its logger on import
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


@click.command()
@click.argument("root", default=".")
@click.option("--schema", "schema_name", required=True, metavar="NAME", help="Database schema.")
@click.option("--registry", metavar="DIR", default=None, help="Directory of the registries.")
@click.option("--replace", is_flag=True, help="Delete and re-insert sessions that differ.")
@click.option(
    "--allow-errors", is_flag=True, help="Publish the valid sessions of a root with errors."
)
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option(
    "--linking-module",
    metavar="MODULE",
    default=None,
    help="Importable module with Subject, Project and Experimenter tables to link to.",
)
@click.pass_context
def publish(
    ctx: click.Context,
    root: str,
    schema_name: str,
    registry: str | None,
    replace: bool,
    allow_errors: bool,
    dry_run: bool,
    linking_module: str | None,
) -> None:
    """Insert ROOT's registries and sessions into a DataJoint 2 schema.

    The connection comes from DataJoint's settings: DJ_HOST, DJ_PORT, DJ_USER, DJ_PASS and
    DJ_BACKEND (postgresql or mysql), or datajoint.json. Sessions already there are left
    alone; one whose content differs is a conflict unless --replace.

    Exit status 0: published; 1: refused (errors in ROOT) or conflicts; 2: could not run.
    """
    if not SCHEMA_NAME.match(schema_name):
        msg = f"--schema {schema_name!r}: use letters, digits and underscores (at most 64)"
        raise click.BadParameter(msg)
    if "://" not in root and not Path(root).is_dir():
        msg = f"{root}: no such directory"
        raise CouldNotRun(msg)
    try:
        with _datajoint_logs_to_stderr():
            result = publish_root(
                root,
                schema_name,
                registry=registry,
                replace=replace,
                allow_errors=allow_errors,
                dry_run=dry_run,
                linking_module=linking_module,
            )
    except PublishRefused as exc:
        click.echo(str(exc), err=True)
        ctx.exit(1)
    except (MissingExtraError, PublishError, ActivationError, OSError, ValueError) as exc:
        raise CouldNotRun(str(exc)) from None
    except Exception as exc:  # never a traceback: say what happened and exit 2
        msg = f"unexpected {type(exc).__name__}: {exc} (please report this)"
        raise CouldNotRun(msg) from None
    for line in render(result):
        click.echo(line)
    ctx.exit(0 if result.ok else 1)
