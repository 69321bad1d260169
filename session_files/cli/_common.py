"""What every command shares: how a run that could not happen ends (exit status 2)."""

from __future__ import annotations

import click


class CouldNotRun(click.ClickException):
    """The command did not run (no such root, no DataJoint, a failure to read); exit status
    2, like a usage error. The reason goes to stderr as one message, never a traceback."""

    exit_code = 2
