"""The shipped pre-commit hook, run by the real ``pre-commit`` tool in a real git repository
whose data root is a subfolder with its registry moved by the root config.

pre-commit installs a ``language: python`` hook into a virtual environment of its own, which
needs the network; offline, the test runs the shipped hook's own definition (entry, args,
when it runs) as a ``repo: local`` hook with ``language: system``, over the session-files
installed in this environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.fixtures_roots import REGISTRY, sidecar, write_root

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if path is None:
        pytest.fail(f"{name} is not installed; pip install -e '.[test]'")
    return path


def _shipped_hook() -> dict[str, object]:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hook, dict)
    return hook


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
        "NO_COLOR": "1",
    }
    env.pop("GITHUB_WORKSPACE", None)
    return subprocess.run(
        [_tool("git"), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with code at the top and the data root in ``data/``, whose config
    puts the registry in ``data/meta/``; the hook installed by ``pre-commit install``."""
    repo = tmp_path / "repo"
    files = {f"data/meta/{path.removeprefix('registry/')}": text for path, text in REGISTRY.items()}
    files.update(
        {
            "README.md": "lab data\n",
            "data/session-files.yaml": "registry: meta\n",
            "data/M001/2024-01-15_10-30-00/session.yaml": sidecar("M001", "2024-01-15 10:30:00"),
            "data/M002/2024-02-01_11-15-00/session.yaml": sidecar("M002", "2024-02-01 11:15:00"),
        }
    )
    write_root(repo, files)
    hook = _shipped_hook()
    local = {
        key: value
        for key, value in hook.items()
        if key not in ("language", "description")  # offline: the installed session-files
    }
    local.update({"language": "system", "args": ["data"]})
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    subprocess.run(
        [_tool("pre-commit"), "install"],
        cwd=repo,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")},
        check=True,
        capture_output=True,
        timeout=300,
    )
    _git(repo, "add", "-A")
    first = _git(repo, "commit", "-q", "-m", "data", check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    return repo


def test_the_shipped_hook_runs_on_every_commit() -> None:
    hook = _shipped_hook()
    assert hook["id"] == "session-files-validate"
    assert hook["entry"] == "session-files validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    # a registry can be anywhere the root config says, and deleting one breaks the root
    # (pre-commit passes no deleted files): only running on every commit catches it all
    assert hook["always_run"] is True


def test_renaming_a_subject_in_a_relocated_registry_is_refused(repo: Path) -> None:
    """Was: the hook's file pattern knew only registry/, so this commit was not checked."""
    subjects = repo / "data/meta/subjects.yaml"
    subjects.write_text(subjects.read_text().replace("M001:", "M007:"), encoding="utf-8")
    _git(repo, "add", "data/meta/subjects.yaml")
    result = _git(repo, "commit", "-m", "rename M001", check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "session-files validate" in output and "Failed" in output
    # the paths printed resolve from where pre-commit runs (the repository), not the root
    lines = re.findall(r"^(\S+):(\d+):(\d+): error: unknown-subject: ", output, re.MULTILINE)
    assert lines == [("data/M001/2024-01-15_10-30-00/session.yaml", "1", "10")]
    assert (repo / lines[0][0]).is_file()
    assert "1 unknown-subject" in output


def test_deleting_a_registry_file_is_refused_and_other_commits_pass(repo: Path) -> None:
    (repo / "README.md").write_text("lab data, described\n", encoding="utf-8")
    _git(repo, "add", "README.md")
    ok = _git(repo, "commit", "-m", "docs", check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "session-files validate" in ok.stdout + ok.stderr  # it ran, and passed
    _git(repo, "rm", "-q", "data/meta/subjects.yaml")
    refused = _git(repo, "commit", "-m", "drop subjects", check=False)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "data/M002/2024-02-01_11-15-00/session.yaml:1:10: error: unknown-subject" in (
        refused.stdout + refused.stderr
    )
