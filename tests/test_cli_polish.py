"""A new user's rough edges of the command line (issue 22): each test is one thing a user
ran into, with the exact message or exit status they now get."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files.cli import main

from .fixtures_roots import REGISTRY, sidecar, write_root

REPO = Path(__file__).parent.parent


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ctrl_c_exits_130(tmp_path: Path) -> None:
    """A real SIGINT while validate runs: exit 130 (128 + SIGINT), not 1 ("errors found")."""
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    program = (
        "import os, signal, sys\n"
        # as in a terminal: a background job of a non-interactive shell starts with SIGINT
        # ignored, and Python keeps it ignored
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "import session_files.api as api\n"
        "from session_files.cli import main\n"
        "def interrupted(*args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    signal.pause()\n"
        "api.validate = interrupted\n"
        "main(['validate', sys.argv[1]])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, str(root)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 128 + signal.SIGINT == 130
    assert result.stderr == "Interrupted.\n"
    assert "Aborted" not in result.stderr


def _no_database_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    return {**env, "PYTHONPATH": str(REPO)}


def test_publish_and_pull_without_a_database_print_two_real_lines(tmp_path: Path) -> None:
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    for args in (["publish", str(root)], ["pull", str(tmp_path / "pulled")]):
        result = subprocess.run(
            [sys.executable, "-m", "session_files", *args, "--schema", "lab_x"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env=_no_database_env(),
        )
        assert result.returncode == 2, result.stderr
        first, second = result.stderr.splitlines()
        assert first.startswith("Error: cannot connect to the mysql server"), first
        assert second == (
            "Set DJ_HOST, DJ_PORT, DJ_USER, DJ_PASS and DJ_BACKEND (postgresql or mysql),"
            " or DataJoint's datajoint.json."
        )
        assert "\\n" not in result.stderr


def test_a_sidecar_over_1_mib_is_not_reported_with_a_made_up_size(tmp_path: Path) -> None:
    big = sidecar("M001") + "note: |\n" + "  x\n" * 524_000  # 2,096,0xx bytes
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": big})
    assert (root / "M001/a/session.yaml").stat().st_size > 2_000_000
    code, out, _ = run("validate", str(root))
    assert code == 1
    assert (
        "M001/a/session.yaml: error: unreadable: is larger than 1 MiB; a sidecar or registry"
        " file may be at most 1 MiB (1,048,576 bytes)\n"
    ) in out
    assert "1,048,577" not in out


def test_write_sidecar_errors_have_no_fake_position_and_suggest_now(tmp_path: Path) -> None:
    from datetime import datetime

    import pytest

    from session_files import SidecarError, write_sidecar

    started = datetime(2024, 5, 1, 10, 0, 0, 123456)
    with pytest.raises(SidecarError) as raised:
        write_sidecar(tmp_path / "s", {"subject": "M001", "session_datetime": started})
    assert str(raised.value) == (
        "<record>: schema: session_datetime has fractional seconds; DataJoint datetime keeps"
        " whole seconds (from Python: session_files.now(), or .replace(microsecond=0))"
    )


def test_an_output_in_a_missing_directory_names_the_users_path(tmp_path: Path) -> None:
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    missing = tmp_path / "missing-dir"
    for args, out in (
        (["export", str(root), "--wide"], missing / "x.csv"),
        (["report", str(root)], missing / "r.html"),
    ):
        code, _, err = run(*args, "--out", str(out))
        assert code == 2
        assert err == f"Error: cannot write {out}: no such directory: {missing} (create it first)\n"
    assert not missing.exists()


def test_a_truncated_index_is_one_clean_warning_line(tmp_path: Path) -> None:
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    assert run("index", str(root))[0] == 0
    index = root / ".session-files" / "index.sqlite"
    os.truncate(index, 8192 * 3)
    code, out, err = run("ls", str(root), "--format", "paths")
    assert (code, out) == (0, f"{root / 'M001/a'}\n")
    assert err == (
        f"warning: index {index} is unreadable (database disk image is malformed);"
        " rebuilt from scratch\n"
    )


def test_a_file_that_is_not_an_index_is_refused_as_the_docs_say(tmp_path: Path) -> None:
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    index = tmp_path / "notes.txt"
    index.write_text("hello")
    code, _, err = run("ls", str(root), "--index", str(index))
    assert code == 2
    assert "it is not a session-files index; it is left untouched" in err
    assert index.read_text() == "hello"
    docs = (REPO / "docs" / "catalog.md").read_text(encoding="utf-8")
    assert "is\nnever rebuilt over: it is left untouched" in docs


LAYOUT = 'layout: "{subject}/{session_datetime:%Y-%m-%d_%H-%M-%S}"'


def test_new_root_without_a_config_says_it_does_not_exist(tmp_path: Path) -> None:
    root = write_root(tmp_path / "gen", REGISTRY)
    code, _, err = run("new", "--root", str(root), "--subject", "M001", "--datetime", "now")
    assert code == 2
    assert err == (
        f"Error: {root / 'session-files.yaml'} does not exist, so there is no layout to take"
        f" the session directory from: create it with a line such as {LAYOUT}, or give"
        " SESSION_DIR\n"
    )
    (root / "session-files.yaml").write_text("ignore: []\n")
    code, _, err = run("new", "--root", str(root), "--subject", "M001", "--datetime", "now")
    assert code == 2
    assert err == (
        f"Error: {root / 'session-files.yaml'} sets no 'layout': add a line such as {LAYOUT},"
        " or give SESSION_DIR\n"
    )


def test_new_without_a_directory_finds_the_root_upward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_root(tmp_path / "lab", {**REGISTRY, "session-files.yaml": LAYOUT + "\n"})
    (root / "M001").mkdir()
    monkeypatch.chdir(root / "M001")
    code, out, err = run("new", "--subject", "M001", "--datetime", "2024-05-01 10:00:00")
    assert (code, err) == (0, "")
    written = root / "M001" / "2024-05-01_10-00-00" / "session.yaml"
    assert out == f"wrote {written}\n"
    assert written.is_file()


def test_a_session_folder_given_as_the_root_says_which_root_it_is_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    monkeypatch.chdir(tmp_path)
    for command in ("validate", "ls", "index"):
        code, out, err = run(command, "lab/M001")
        assert (code, out) == (2, "")
        assert err == (
            "Error: lab/M001 is not a data root (it holds no session-files.yaml or registry/),"
            " but it is inside the data root lab: did you mean lab? (with --registry DIR,"
            " lab/M001 is checked on its own)\n"
        )
    assert not (tmp_path / "lab" / "M001" / ".session-files").exists()
    code, _, _ = run("validate", "lab/M001", "--registry", "lab/registry")
    assert code == 0


def test_a_mistyped_command_gets_did_you_mean() -> None:
    code, _, err = run("valdate")
    assert code == 2
    assert err.endswith("Error: No such command 'valdate'. Did you mean 'validate'?\n")
    assert run("lst")[2].endswith("Did you mean 'ls'?\n")


def test_a_missing_registry_named_by_the_config_is_one_cause_line(tmp_path: Path) -> None:
    files = {f"S{i}/session.yaml": sidecar("M001", f"2024-01-{i + 10} 10:00:00") for i in range(5)}
    root = write_root(tmp_path / "lab", {**files, "session-files.yaml": "registry: regs\n"})
    expected = (
        f"Error: {root / 'session-files.yaml'}: registry 'regs': no such directory"
        f" ({root / 'regs'}); fix the registry: line, or pass --registry DIR\n"
    )
    for command in ("validate", "ls", "index", "report"):
        args = [
            command,
            str(root),
            *(["--out", str(tmp_path / "r.html")] if command == "report" else []),
        ]
        code, out, err = run(*args)
        assert (code, out, err) == (2, "", expected)
    code, out, _ = run("validate", str(root), "--format", "json")
    assert code == 2 and '"ok": false' in out
    write_root(root, REGISTRY)
    (root / "registry").rename(root / "regs")
    assert run("validate", str(root))[0] == 0


def _in_a_terminal(*args: str) -> str:
    """What a command prints in a (pseudo-)terminal, stdout and stderr together."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, its output on the terminal
        os.environ["PYTHONPATH"] = str(REPO)
        os.execv(sys.executable, [sys.executable, "-m", "session_files", *args])
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", "replace")


def test_validate_in_a_terminal_says_it_is_scanning_from_the_start(tmp_path: Path) -> None:
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    shown = _in_a_terminal("validate", str(root))
    assert shown.startswith(f"scanning {root} ...\r\n"), shown
    assert "1 session, 0 errors, 0 warnings" in shown
    code, out, err = run("validate", str(root))  # not a terminal: nothing but the report
    assert (code, err) == (0, "") and "scanning" not in out
