"""The README's commands and examples, run as written, so they cannot rot."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .fixtures_postgres import PostgresServer

REPO = Path(__file__).parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.DOTALL | re.MULTILINE)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def quick_start() -> tuple[str, str, str]:
    """(main command, its output as shown, test command) from the Quick start section."""
    first, second = re.findall(r"```console\n(.*?)```", section("Quick start"), re.DOTALL)
    main_command, *shown = first.splitlines()
    return (
        main_command.removeprefix("$ "),
        "\n".join(shown) + "\n",
        second.strip().removeprefix("$ "),
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the repository's tracked files, as a new user would have them."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    target = tmp_path / "session-files"
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_ci_runs_the_readme_test_command() -> None:
    _, _, test_command = quick_start()
    assert test_command == "pip install -e '.[test]' && pytest"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci


def test_readme_main_command_installs_and_validates_the_example(
    checkout: Path, tmp_path: Path
) -> None:
    """`pip install .` into a fresh virtual environment, then the README's command, verbatim."""
    main_command, shown, _ = quick_start()
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    env = {**os.environ, "PATH": f"{environment / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        ["bash", "-c", main_command.replace("pip install", "pip install -q", 1)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.endswith(shown), result.stdout
    assert not (checkout / "examples" / "lab" / ".session-files").exists(), (
        "validate wrote an index"
    )


def test_readme_command_line_examples_run(checkout: Path, postgres_server: PostgresServer) -> None:
    console = blocks("console")[2].splitlines()
    assert console[0] == "$ cp -r examples/lab my-lab"  # the examples that write use a copy
    subprocess.run(shlex.split(console[0].removeprefix("$ ")), cwd=checkout, check=True)
    lines = [line.removeprefix("$ ") for line in console if line.startswith("$ session-files")]
    assert [shlex.split(line)[1] for line in lines] == [
        "validate",
        "index",
        "ls",
        "new",
        "schema",
        "publish",
    ]
    env = {**os.environ, **postgres_server.env(), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for line in lines:
        result = subprocess.run(
            shlex.split(line), cwd=checkout, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, (line, result.stdout, result.stderr)
        assert result.stdout.strip(), line
    listed = subprocess.run(
        ["session-files", "ls", "my-lab", "--subject", "M003", "--format", "csv"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "2024-03-13 08:00:00" in listed, "the session written by `new` is listed"
    _examples_lab_is_as_shipped(checkout)


def _examples_lab_is_as_shipped(checkout: Path) -> None:
    """The README's examples never break the others: examples/lab still holds its 12
    sessions, as docs/catalog.md's first example and the Python API example expect."""
    import session_files

    tracked = subprocess.run(
        ["git", "ls-files", "examples/lab"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split()
    sidecars = sorted(
        p.relative_to(checkout).as_posix()
        for p in (checkout / "examples" / "lab").rglob("session.yaml")
    )
    assert sidecars == sorted(name for name in tracked if name.endswith("/session.yaml"))
    assert session_files.validate(checkout / "examples" / "lab").sessions == 12


def test_readme_python_example_runs(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (example,) = [block for block in blocks("python") if "import session_files" in block]
    monkeypatch.chdir(checkout)
    exec(compile(example, "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "12 sessions"
    assert out[1:3] == [
        "2024-02-02 11:20:30 M002/2024-02-02_11-20-30 ['alice', 'chen']",
        "2024-02-05 16:45:00 M002/2024-02-05_16-45-00 ['chen']",
    ]
    assert out[3] == "2 sessions on rig-3: ['M001']"


def test_every_command_is_documented_in_the_readme() -> None:
    from session_files.cli import main

    cli_section = section("Command line")
    for name in main.all_commands():
        assert f"- `{name} " in cli_section, (
            f"`session-files {name}` is not described in the README"
        )


def test_readme_acquisition_examples_run(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "At the rig": the refused and the written ``new``, then the Python example."""
    text = section("At the rig: write the sidecar when the session starts")
    console, python = re.findall(r"```(?:console|python)\n(.*?)```", text, re.DOTALL)
    commands = re.split(r"^\$ ", console, flags=re.MULTILINE)[1:]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    assert "`my-lab`, the copy" in text
    subprocess.run(["cp", "-r", "examples/lab", "my-lab"], cwd=checkout, check=True)
    outputs = []
    for command in commands:
        line, _, shown = command.partition("\n")
        result = subprocess.run(
            shlex.split(line), cwd=checkout, env=env, capture_output=True, text=True, check=False
        )
        outputs.append((result.returncode, result.stdout + result.stderr, shown))
    (refused, said, shown), (written, wrote, _) = outputs
    assert (refused, said) == (1, shown)
    assert written == 0
    assert re.fullmatch(r"wrote my-lab/M003/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d/session.yaml\n", wrote)
    monkeypatch.chdir(checkout)
    exec(compile(python, "README.md", "exec"), {})
    assert capsys.readouterr().out == "3.5\n"
    _examples_lab_is_as_shipped(checkout)
