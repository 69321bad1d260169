"""The examples of docs/catalog.md run, against a copy of examples/lab."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_the_catalog_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(
        REPO / "examples/lab", tmp_path / "examples/lab", ignore=shutil.ignore_patterns(".*")
    )
    monkeypatch.chdir(tmp_path)
    text = (REPO / "docs/catalog.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/catalog.md", "exec"), {})
    assert (tmp_path / "examples/lab/.session-files/index.sqlite").is_file()
