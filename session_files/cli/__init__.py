"""The ``session-files`` command line: thin commands over the library."""

from __future__ import annotations

import click

from .export import export
from .index import index
from .ls import ls
from .new import new
from .publish import publish
from .schema import schema
from .validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="session-files")
def main() -> None:
    """Keep experimental session metadata honest: check and catalog session.yaml sidecars."""


main.add_command(export)
main.add_command(index)
main.add_command(ls)
main.add_command(new)
main.add_command(schema)
main.add_command(publish)
main.add_command(validate)
