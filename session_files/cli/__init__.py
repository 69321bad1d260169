"""The ``session-files`` command line: thin commands over the library.

Each command's module is imported only when that command runs or its help is shown, and
the command modules import the library inside their functions, so ``--version`` and
``--help`` start at once.
"""

from __future__ import annotations

import importlib

import click

from session_files._version import __version__

INTERRUPTED = 130  # exit status after Ctrl-C: 128 + SIGINT

# command name -> "module:attribute" (modules relative to this package)
COMMANDS = {
    "export": ".export:export",
    "index": ".index:index",
    "ls": ".ls:ls",
    "new": ".new:new",
    "publish": ".publish:publish",
    "pull": ".pull:pull",
    "registry": ".registry:registry",
    "rename": ".rename:rename",
    "report": ".report:report",
    "schema": ".schema:schema",
    "validate": ".validate:validate",
    "vocabulary": ".vocabulary:vocabulary",
    "watch": ".watch:watch",
}


class LazyGroup(click.Group):
    """A group whose commands (listed in ``COMMANDS``) are imported when first used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, _, attribute = COMMANDS[cmd_name].partition(":")
            command = getattr(importlib.import_module(module, __name__), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """A mistyped command (``valdate``) gets "Did you mean" from every command, not
        only those imported so far."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            possibilities = self.list_commands(ctx)
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=possibilities, ctx=ctx
            ) from None

    def invoke(self, ctx: click.Context) -> object:
        """Ctrl-C ends a command with exit status 130 (128 + SIGINT), as shells expect; 1 is
        ``validate``'s "errors found" (click's own ``Aborted!`` exits 1)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(INTERRUPTED) from None

    def all_commands(self) -> dict[str, click.Command]:
        """Every command, imported (for documentation and tests)."""
        with click.Context(self) as ctx:
            names = self.list_commands(ctx)
            return {name: command for name in names if (command := self.get_command(ctx, name))}


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, package_name="session-files")
def main() -> None:
    """Keep experimental session metadata honest: check and catalog session.yaml sidecars."""
