"""``session-files new``: write a valid sidecar from the command line, checked against its root."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._common import CouldNotRun

if TYPE_CHECKING:
    from ..read.sidecar import SidecarError


def _attribute(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        msg = f"--attribute {text!r}: write it as NAME=VALUE"
        raise click.BadParameter(msg)
    return name, value


def _layout_dir(root: Path, subject: str, when: object) -> Path:
    """The session directory the root config's ``layout`` gives."""
    from ..index.sources import load_config
    from ..layout import CONFIG_NAME
    from ..read.config import expected_session_dir
    from ..read.scan import open_root

    example = 'layout: "{subject}/{session_datetime:%Y-%m-%d_%H-%M-%S}"'
    if not (root / CONFIG_NAME).is_file():
        msg = (
            f"{root / CONFIG_NAME} does not exist, so there is no layout to take the session"
            f" directory from: create it with a line such as {example}, or give SESSION_DIR"
        )
        raise CouldNotRun(msg)
    config, findings, *_ = load_config(open_root(root))
    if findings:
        details = "; ".join(f"{f.path}: {f.code}: {f.message}" for f in findings)
        msg = f"{root / CONFIG_NAME} cannot be used: {details}"
        raise CouldNotRun(msg)
    layout = config.layout
    if layout is None:
        msg = (
            f"{root / CONFIG_NAME} sets no 'layout': add a line such as {example},"
            " or give SESSION_DIR"
        )
        raise CouldNotRun(msg)
    return root / expected_session_dir(layout, subject, when)  # type: ignore[arg-type]


@click.command()
@click.argument("session_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Data root whose layout (session-files.yaml) gives the directory; instead of SESSION_DIR.",
)
@click.option("--subject", required=True, help="Subject key (registry/subjects.yaml).")
@click.option(
    "--datetime",
    "when",
    required=True,
    help="Naive local time: 2024-01-15 10:30:00, or 'now' (to the whole second).",
)
@click.option("--experimenter", "experimenters", multiple=True, help="User key; repeatable.")
@click.option("--project", "projects", multiple=True, help="Project key; repeatable.")
@click.option("--note", default=None, help="Free-text session note (<= 1024 characters).")
@click.option("--attribute", "attributes", multiple=True, help="NAME=VALUE; repeatable.")
@click.option("--force", is_flag=True, help="Replace an existing session.yaml.")
@click.option(
    "--no-check",
    is_flag=True,
    help="Skip the checks against the root's registries and sessions.",
)
def new(
    session_dir: Path | None,
    root: Path | None,
    subject: str,
    when: str,
    experimenters: tuple[str, ...],
    projects: tuple[str, ...],
    note: str | None,
    attributes: tuple[str, ...],
    force: bool,
    no_check: bool,
) -> None:
    """Write SESSION_DIR/session.yaml, validated, checked and atomically.

        Before writing, the subject, experimenters and projects are checked against the
        registries of the data root that holds SESSION_DIR (the nearest directory upward with
        session-files.yaml or registry/), and the session against the root's sessions in its
        index (--no-check skips that). With --root ROOT instead of SESSION_DIR, the directory is
        the one the root config's layout gives; with neither, the root is the nearest one from the
    current directory up. Exit status: 0 written, 1 not written (invalid,
        a check failed, or the sidecar exists without --force), 2 bad options or no root.
    """
    import sqlite3
    import warnings

    from ..layout import SIDECAR_NAME
    from ..read.root import find_root
    from ..read.sidecar import SidecarError
    from ..records import now, parse_session_datetime
    from ..write.writer import SidecarWarning, coerce_record, write_sidecar

    if session_dir is not None and root is not None:
        msg = "give SESSION_DIR or --root ROOT, not both"
        raise click.UsageError(msg)
    if session_dir is None and root is None:  # the nearest root upward, as every command
        from ._common import resolve_root

        root = Path(resolve_root(None))
    try:
        session_datetime = now() if when.strip() == "now" else parse_session_datetime(when)
    except ValueError as exc:
        msg = f"--datetime {when!r} {exc}"
        raise click.BadParameter(msg) from None
    pairs = [_attribute(text) for text in attributes]
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        msg = f"--attribute {', '.join(repeated)} given more than once"
        raise click.BadParameter(msg)
    if root is not None:
        session_dir = _layout_dir(root, subject, session_datetime)
    assert session_dir is not None
    record = {
        "subject": subject,
        "session_datetime": session_datetime,
        "experimenters": list(experimenters) or None,
        "projects": list(projects) or None,
        "note": note,
        "attributes": dict(pairs) or None,
    }
    try:
        coerce_record(record)  # an invalid record is refused before any root is looked for
    except SidecarError as exc:
        raise _not_written(exc) from None
    target = session_dir / SIDECAR_NAME
    if target.exists() and not force:
        msg = f"{target} exists; pass --force to replace it"
        raise click.ClickException(msg)
    if not no_check and root is None:
        root = find_root(session_dir)
        if root is None:
            msg = (
                f"{session_dir} is in no data root (no directory upward holds session-files.yaml"
                " or registry/), so there is nothing to check it against; pass --no-check"
                " to write it unchecked"
            )
            raise CouldNotRun(msg)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SidecarWarning)
        try:
            if force and target.exists():  # a minimal edit: the file's comments are kept
                from ..write.update import replace_sidecar

                written = replace_sidecar(session_dir, record, root=root, check=not no_check)
            else:
                written = write_sidecar(
                    session_dir, record, overwrite=force, root=root, check=not no_check
                )
        except FileExistsError:  # written by someone else since the look above
            msg = f"{target} exists; pass --force to replace it"
            raise click.ClickException(msg) from None
        except SidecarError as exc:
            raise _not_written(exc) from None
        except OSError as exc:  # a full disk, a directory this user may not write...
            msg = f"could not write {target}: {exc.strerror or exc}"
            raise CouldNotRun(msg) from None
        except sqlite3.Error as exc:  # the root's index could not be read for the check
            msg = f"could not check {target} against the root's index: {exc}"
            raise CouldNotRun(msg) from None
    for warning in caught:
        if isinstance(warning.message, SidecarWarning):
            from ..reporters.text import finding_line

            click.echo(finding_line(warning.message.finding), err=True)
    click.echo(f"wrote {written}")


def _not_written(exc: SidecarError) -> click.ClickException:
    from ..reporters.text import finding_line

    details = "\n".join(f"  {finding_line(f)}" for f in exc.findings)
    return click.ClickException(f"not written: the session is not valid\n{details}")
