"""``session-files new``: write a valid sidecar from the command line."""

from __future__ import annotations

from pathlib import Path

import click


def _attribute(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        msg = f"--attribute {text!r}: write it as NAME=VALUE"
        raise click.BadParameter(msg)
    return name, value


@click.command()
@click.argument("session_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--subject", required=True, help="Subject key (registry/subjects.yaml).")
@click.option("--datetime", "when", required=True, help="Naive local time: 2024-01-15 10:30:00.")
@click.option("--experimenter", "experimenters", multiple=True, help="User key; repeatable.")
@click.option("--project", "projects", multiple=True, help="Project key; repeatable.")
@click.option("--note", default=None, help="Free-text session note (<= 1024 characters).")
@click.option("--attribute", "attributes", multiple=True, help="NAME=VALUE; repeatable.")
@click.option("--force", is_flag=True, help="Replace an existing session.yaml.")
def new(
    session_dir: Path,
    subject: str,
    when: str,
    experimenters: tuple[str, ...],
    projects: tuple[str, ...],
    note: str | None,
    attributes: tuple[str, ...],
    force: bool,
) -> None:
    """Write SESSION_DIR/session.yaml, validated and atomically."""
    from ..read.sidecar import SidecarError
    from ..records import parse_session_datetime
    from ..write.writer import write_sidecar

    target = session_dir / "session.yaml"
    if target.exists() and not force:
        msg = f"{target} exists; pass --force to replace it"
        raise click.ClickException(msg)
    try:
        session_datetime = parse_session_datetime(when)
    except ValueError as exc:
        msg = f"--datetime {when!r} {exc}"
        raise click.BadParameter(msg) from None
    pairs = [_attribute(text) for text in attributes]
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        msg = f"--attribute {', '.join(repeated)} given more than once"
        raise click.BadParameter(msg)
    record = {
        "subject": subject,
        "session_datetime": session_datetime,
        "experimenters": list(experimenters) or None,
        "projects": list(projects) or None,
        "note": note,
        "attributes": dict(pairs) or None,
    }
    try:
        written = write_sidecar(session_dir, record)
    except SidecarError as exc:
        details = "\n".join(f"  {f.message}" for f in exc.findings)
        msg = f"not written: the session is not valid\n{details}"
        raise click.ClickException(msg) from None
    except OSError as exc:  # a full disk, a directory this user may not write...
        from .index_options import CouldNotRun

        msg = f"could not write {target}: {exc.strerror or exc}"
        raise CouldNotRun(msg) from None
    click.echo(f"wrote {written}")
