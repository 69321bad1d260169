"""The system parts some tests need (a browser, node, PostgreSQL's server binaries), as
listed in ``.ci/system-needs``.

``require(program)`` gives the program's path. When it is missing, the test is skipped with
the command that installs it, unless ``CI`` is set: in CI (``.ci/run``, which provisions
everything first) a missing part is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

NEEDS = Path(__file__).parent.parent / ".ci" / "system-needs"


def needs() -> dict[str, list[str]]:
    """program -> the Debian packages that provide it, from ``.ci/system-needs``."""
    table: dict[str, list[str]] = {}
    for line in NEEDS.read_text(encoding="utf-8").splitlines():
        words = line.partition("#")[0].split()
        if words:
            table[words[0]] = words[1:]
    return table


def in_ci() -> bool:
    """CI=true (or any non-empty value but 0/false) is set: missing parts fail."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(program: str) -> str:
    """What to tell a user about a missing ``program``: how to install it."""
    packages = needs()[program]
    return (
        f"{program} is not installed; install it with `sudo .ci/provision` (installs every"
        f" system part the tests need) or `sudo apt-get install {' '.join(packages)}`"
    )


def locate(program: str) -> str | None:
    """The path of ``program`` (a name on PATH or an absolute path), or None."""
    if program.startswith("/"):
        return program if os.access(program, os.X_OK) else None
    return shutil.which(program)


def require(program: str) -> str:
    """The path of ``program``; skip the test when it is missing (fail when CI is set)."""
    assert program in needs(), f"{program} is not listed in .ci/system-needs"
    path = locate(program)
    if path is None:
        if in_ci():
            pytest.fail(f"{missing(program)} (CI is set: .ci/run provisions it)", pytrace=False)
        pytest.skip(missing(program))
    return path
