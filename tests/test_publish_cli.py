"""``session-files publish``: output, exit statuses, and DataJoint's own connection settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from session_files.cli import main
from session_files.datajoint import _dj
from tests.fixtures_postgres import PostgresServer
from tests.test_datajoint_pipeline import lab_module
from tests.test_publish import LAB, make_root

pytestmark = pytest.mark.postgres


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_root(tmp_path / "root")


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["publish", *args])


def test_cli_publishes_then_says_nothing_to_insert(root: Path, schema_name: str) -> None:
    first = invoke(str(root), "--schema", schema_name)
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        f"inserted 10 sessions and 7 registry rows into {schema_name}\n"
        "unchanged: 0 sessions and 0 registry rows\n"
    )
    assert first.stderr == ""  # no progress bar off a terminal, DataJoint's INFO logs kept away
    second = invoke(str(root), "--schema", schema_name)
    assert second.exit_code == 0
    assert second.stdout == (
        f"nothing to change: 10 sessions and 7 registry rows already in {schema_name}\n"
    )


def test_cli_conflict_exits_1_and_replace_fixes_it(root: Path, schema_name: str) -> None:
    invoke(str(root), "--schema", schema_name)
    sidecar = root / "R017" / "session 002" / "session.yaml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("rig-2", "rig-9"))
    conflicted = invoke(str(root), "--schema", schema_name)
    assert conflicted.exit_code == 1
    assert conflicted.stdout.splitlines()[0] == (
        "conflict: session R017 2024-02-01 02:15:00 differs from the database:"
        " session__attribute 'rig': attribute_value differs"
    )
    assert "1 conflict left alone; pass --replace" in conflicted.stdout
    replaced = invoke(str(root), "--schema", schema_name, "--replace")
    assert replaced.exit_code == 0
    assert replaced.stdout.splitlines()[1] == "updated 1 session in place"


def test_cli_registry_elsewhere(root: Path, tmp_path: Path, schema_name: str) -> None:
    registry = (root / "registry").rename(tmp_path / "lab-registry")
    assert invoke(str(root), "--schema", schema_name).exit_code == 1  # unknown subjects
    result = invoke(str(root), "--schema", schema_name, "--registry", str(registry))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"inserted 10 sessions and 7 registry rows into {schema_name}")


def test_cli_linking_module_by_name(
    root: Path, schema_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = lab_module("lab_cli", f"{schema_name}_lab")
    monkeypatch.setitem(sys.modules, "lab_cli", lab)
    result = invoke(str(root), "--schema", schema_name, "--linking-module", "lab_cli")
    assert result.exit_code == 0, result.output
    assert sorted(row["project"] for row in lab.Project.to_dicts()) == ["memory", "vision"]
    missing = invoke(str(root), "--schema", schema_name, "--linking-module", "no_such_lab")
    assert missing.exit_code == 2
    assert "cannot import linking module 'no_such_lab'" in missing.stderr
    assert "PYTHONPATH" in missing.stderr


def test_cli_refuses_a_root_with_errors(root: Path, schema_name: str) -> None:
    (root / "M001" / "session 000" / "session.yaml").write_text("subject: [\n")
    refused = invoke(str(root), "--schema", schema_name)
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert "has 1 error; run `session-files validate" in refused.stderr
    allowed = invoke(str(root), "--schema", schema_name, "--allow-errors")
    assert allowed.exit_code == 0
    assert allowed.stdout.startswith(f"inserted 9 sessions and 7 registry rows into {schema_name}")
    assert "left out: sessions and registry entries with errors (1 error;" in allowed.stdout


def test_cli_dry_run_prints_the_plan(root: Path, schema_name: str) -> None:
    result = invoke(str(root), "--schema", schema_name, "--dry-run")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"dry run: nothing was written to {schema_name}"
    assert "would insert session M001 2024-02-01 00:15:00" in lines
    assert "would insert experimenter bob" in lines
    assert lines[-2] == f"would insert 10 sessions and 7 registry rows into {schema_name}"
    assert schema_name not in _dj.load().list_schemas()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--schema", "bad-name!"], "--schema 'bad-name!'"),
        (["/no/such/root", "--schema", "fine"], "/no/such/root: no such directory"),
        ([], "Missing option '--schema'"),
    ],
)
def test_cli_bad_options_exit_2(
    args: list[str], message: str, postgres_server: PostgresServer
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def _console(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script on this working tree's package."""
    script = Path(sys.executable).parent / "session-files"
    env = {**env, "PYTHONPATH": str(LAB.parents[1])}
    return subprocess.run(
        [str(script), "publish", *args], capture_output=True, text=True, env=env, check=False
    )


def test_console_script_connects_from_dj_variables(
    postgres_server: PostgresServer, schema_name: str
) -> None:
    env = {**os.environ, **postgres_server.env()}
    done = _console(env, str(LAB), "--schema", schema_name)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"inserted 12 sessions and 11 registry rows into {schema_name}")
    assert done.stderr == ""  # on MariaDB too: DataJoint's warning is explained in the docs


@pytest.mark.backends("postgresql")  # the test MariaDB may offer TLS
def test_a_local_server_without_tls_is_reached_without_a_warning(
    postgres_server: PostgresServer, schema_name: str
) -> None:
    env = {**os.environ, **postgres_server.env()}
    del env["DJ_USE_TLS"]  # DataJoint's default: try TLS, warn, fall back
    for host in ("127.0.0.1", "localhost"):
        done = _console({**env, "DJ_HOST": host}, str(LAB), "--schema", schema_name)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""  # no "SSL connection failed ... Falling back to non-SSL"
    required = _console({**env, "DJ_USE_TLS": "true"}, str(LAB), "--schema", schema_name)
    assert required.returncode == 2  # asked for TLS, which this server does not offer
    assert "cannot connect to the postgresql server" in required.stderr


def test_console_script_cannot_connect_exits_2(postgres_server: PostgresServer) -> None:
    env = {**os.environ, **postgres_server.env(), "DJ_PORT": "1", "DJ_USE_TLS": "false"}
    done = _console(env, str(LAB), "--schema", "unreachable")
    assert done.returncode == 2
    backend = postgres_server.backend
    assert f"cannot connect to the {backend} server session_files@127.0.0.1:1" in done.stderr
    assert "DJ_HOST, DJ_PORT, DJ_USER, DJ_PASS and DJ_BACKEND" in done.stderr
    assert "Traceback" not in done.stderr
