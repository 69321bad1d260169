"""docs/cli.md is the CLI's own --help, so the reference cannot drift.

Regenerate after changing an option: ``SESSION_FILES_WRITE_DOCS=1 pytest tests/test_cli_docs.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from session_files.cli import main

DOC = Path(__file__).parent.parent / "docs" / "cli.md"
HEADER = (
    "# Command-line reference\n\n"
    "Generated from `session-files --help` by `tests/test_cli_docs.py`; do not edit by hand.\n"
)


def help_text(*command: str) -> str:
    result = CliRunner().invoke(
        main, [*command, "--help"], prog_name="session-files", terminal_width=100
    )
    assert result.exit_code == 0, result.output
    return result.output


def reference() -> str:
    parts = [HEADER, "\n## session-files\n\n```\n", help_text(), "```\n"]
    for name in sorted(main.all_commands()):
        parts += [f"\n## session-files {name}\n\n```\n", help_text(name), "```\n"]
    return "".join(parts)


def test_cli_reference_is_current() -> None:
    expected = reference()
    if os.environ.get("SESSION_FILES_WRITE_DOCS"):
        DOC.write_text(expected, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: SESSION_FILES_WRITE_DOCS=1 pytest tests/test_cli_docs.py"
    )


def test_every_command_has_a_help_line() -> None:
    for name, command in main.all_commands().items():
        assert command.get_short_help_str(limit=200).strip(), f"{name} has no help text"
