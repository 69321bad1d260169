"""The README's lab-vocabulary section, run as written against examples/lab (in a copy):
its commands print what it shows, and write nothing."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files import validate
from session_files.cli import main

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
TITLE = "The lab vocabulary: attribute names and values checked"


def _section() -> str:
    match = re.search(rf"^## {re.escape(TITLE)}\n(.*?)(?=^## )", README, re.DOTALL | re.MULTILINE)
    assert match, f"README has no section {TITLE!r}"
    return match.group(1)


def test_the_section_commands_print_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    (block,) = re.findall(r"```console\n(.*?)```", _section(), re.DOTALL)
    runs = re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]
    assert len(runs) == 2
    for run in runs:
        command, *shown = run.rstrip("\n").split("\n")
        words = shlex.split(command)
        assert words[0] == "session-files"
        result = CliRunner().invoke(main, words[1:])
        assert result.exit_code == 1
        assert result.output.splitlines() == shown
    assert validate(tmp_path / "examples/lab").sessions == 12  # nothing was written


def test_the_section_shows_the_example_vocabulary() -> None:
    (shown,) = re.findall(r"```yaml\n(.*?)```", _section(), re.DOTALL)
    text = (REPO / "examples/lab/registry/attributes.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for line in shown.splitlines():
        assert line in lines, line
