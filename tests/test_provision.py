"""The README's test command on a fresh machine: a test that needs a system program the
machine lacks is skipped with the command that installs it, and fails when CI is set; the
one provisioning script (named by the README, run by .ci/run) installs what .ci/system-needs
lists, so the two cannot drift."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .system import NEEDS, needs, require

REPO = Path(__file__).parent.parent


def test_a_missing_program_skips_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require("chromium")
    assert str(skipped.value) == (
        "chromium is not installed; install it with `sudo .ci/provision` (installs every"
        " system part the tests need) or `sudo apt-get install chromium`"
    )


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_a_missing_program_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=r"node is not installed.*CI is set"):
        require("node")


def test_a_program_present_is_its_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    program = tmp_path / "npm"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert require("npm") == str(program)


def test_every_program_a_test_requires_is_listed() -> None:
    assert set(needs()) == {
        "/usr/lib/postgresql/15/bin/initdb",
        "/usr/sbin/mariadbd",
        "chromium",
        "node",
        "npm",
    }
    with pytest.raises(AssertionError, match=r"not listed in \.ci/system-needs"):
        require("firefox")


def test_provision_check_lists_what_is_missing(tmp_path: Path) -> None:
    """``.ci/provision --check`` reads the same list (bash only, nothing else on PATH)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "node").symlink_to(sys.executable)
    result = subprocess.run(
        ["/bin/bash", str(REPO / ".ci" / "provision"), "--check"],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    wanted = ["chromium", "npm"]
    if not os.access("/usr/sbin/mariadbd", os.X_OK):
        wanted.insert(0, "mariadb-server")
    if not os.access("/usr/lib/postgresql/15/bin/initdb", os.X_OK):
        wanted.insert(0, "postgresql-15")
    assert result.stdout == f"missing: {' '.join(wanted)}\n"


def test_ci_and_the_readme_use_the_one_provisioning_script() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ".ci/provision" in ci
    assert ci.index(".ci/provision") < ci.index("export CI=true")
    assert ci.index("export CI=true") < ci.index("pip install -e '.[test]' && pytest")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "`sudo\n.ci/provision`" in readme or "`sudo .ci/provision`" in readme
    assert NEEDS.name in readme
