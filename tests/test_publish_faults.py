"""A publish SIGKILLed at any point leaves a schema the next publish completes, with the rows
a publish that never died gives: real processes, real PostgreSQL, kill points chosen from
the server's own state (``tests/faults.py``). Every table of the schema is compared, the
provenance and DataJoint's ``~lineage`` included."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from session_files.datajoint import load_datajoint, publish
from session_files.datajoint.declaration import prepare
from tests import faults
from tests.fixtures_postgres import PostgresServer
from tests.test_publish import make_root

# PostgreSQL's own machinery (its catalog, locks, xmin, superuser hooks)
pytestmark = [pytest.mark.postgres, pytest.mark.backends("postgresql")]

EDITED = "M001/session 000/session.yaml"  # note changed, an attribute added
FEWER = "M002/session 004/session.yaml"  # experimenters removed: rows deleted by --replace
GONE = "R017/session 002/session.yaml"  # removed: pruned

INSERTS = [
    "subject",
    "project",
    "experimenter",
    "session",
    "session__attribute",
    "session_directory",
    "session_experimenter",
    "session_note",
    "project_session",
    "~session_files_session",
    "~session_files_registry",
    "~session_files_root",
]


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The root as first published, after edits (for --replace), after a removal (--prune);
    one root_id for all three."""
    base = tmp_path_factory.mktemp("faults")
    first = make_root(base / "first", sessions=8)
    (first / "session-files.yaml").write_text("root_id: faults\n", encoding="utf-8")
    edited = base / "edited"
    shutil.copytree(first, edited)
    sidecar = edited / EDITED
    text = sidecar.read_text(encoding="utf-8").replace("drift near the end", "no drift")
    sidecar.write_text(text + "  depth: '120'\n", encoding="utf-8")
    fewer = edited / FEWER
    lines = fewer.read_text(encoding="utf-8").splitlines()
    fewer.write_text("\n".join(x for x in lines if "experimenters" not in x) + "\n")
    pruned = base / "pruned"
    shutil.copytree(first, pruned)
    (pruned / GONE).unlink()
    return {"first": first, "edited": edited, "pruned": pruned}


@pytest.fixture(scope="module")
def admin(postgres_server: PostgresServer) -> Iterator[Any]:
    connection = faults.superuser(postgres_server)
    faults.execute(connection, faults.FUNCTIONS)
    yield connection
    connection.close()


def fresh() -> str:
    return f"sf_fault_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def clean(roots: dict[str, Path], admin: Any, postgres_server: PostgresServer) -> dict[str, Any]:
    """Every table after publishes that never died: first, then --replace, then --prune."""
    dumps: dict[str, Any] = {}
    for step, flags in (("first", {}), ("edited", {"replace": True}), ("pruned", {"prune": True})):
        schema = fresh()
        if step != "first":
            assert publish(roots["first"], schema).ok
        assert publish(roots[step], schema, **flags).ok
        dumps[step] = faults.dump(admin, schema)
    return dumps


def killed_then_again(
    server: PostgresServer, admin: Any, schema: str, root: Path, hook: str, *flags: str
) -> None:
    """Publish in a process of its own, SIGKILL it at the hook, then publish again."""
    faults.execute(admin, hook)
    try:
        with faults.held(admin):
            process = faults.cli(server, "publish", str(root), "--schema", schema, *flags)
            faults.kill_at_hook(admin, process)
    finally:
        faults.drop_hooks(admin, schema)


@pytest.mark.parametrize("tables", [1, 4, 9, 12])
def test_killed_while_declaring(
    tables: int, roots: dict[str, Path], admin: Any, clean: dict[str, Any],
    postgres_server: PostgresServer,
) -> None:  # fmt: skip
    schema = fresh()
    hook = faults.declaration_hook(schema, tables)
    killed_then_again(postgres_server, admin, schema, roots["first"], hook)
    # the declaration is one transaction: nothing of it is left
    assert schema not in load_datajoint().list_schemas()
    assert publish(roots["first"], schema).ok
    assert faults.dump(admin, schema) == clean["first"]


def declared() -> str:
    """A schema declared (as a publish's first step does) but holding no row yet."""
    schema = fresh()
    dj = load_datajoint()
    prepare(dj, dj.conn(), schema, None)
    return schema


@pytest.mark.parametrize("table", INSERTS)
def test_killed_during_the_first_insert_of_each_table(
    table: str, roots: dict[str, Path], admin: Any, clean: dict[str, Any],
    postgres_server: PostgresServer,
) -> None:  # fmt: skip
    schema = declared()
    hook = faults.table_hook(schema, table, "INSERT")
    killed_then_again(postgres_server, admin, schema, roots["first"], hook)
    again = publish(roots["first"], schema)
    assert again.ok and len(again.sessions_inserted) == 8  # nothing of the killed run stayed
    assert faults.dump(admin, schema) == clean["first"]


def test_killed_during_commit(
    roots: dict[str, Path], admin: Any, clean: dict[str, Any], postgres_server: PostgresServer
) -> None:
    schema = declared()
    hook = faults.table_hook(schema, "session", "INSERT", at_commit=True)
    killed_then_again(postgres_server, admin, schema, roots["first"], hook)
    assert publish(roots["first"], schema).ok
    assert faults.dump(admin, schema) == clean["first"]


REPLACE_POINTS = [
    ("session_note", "UPDATE", False),
    ("session_experimenter", "DELETE", False),
    ("session__attribute", "INSERT", False),
    ("~session_files_session", "INSERT", False),
    ("session_note", "UPDATE", True),
]
PRUNE_POINTS = [
    ("session_note", "DELETE", False),
    ("session", "DELETE", False),
    ("~session_files_session", "DELETE", False),
    ("session", "DELETE", True),
]


@pytest.mark.parametrize(("table", "event", "at_commit"), REPLACE_POINTS)
def test_killed_during_replace(
    table: str, event: str, at_commit: bool, roots: dict[str, Path], admin: Any,
    clean: dict[str, Any], postgres_server: PostgresServer,
) -> None:  # fmt: skip
    schema = fresh()
    assert publish(roots["first"], schema).ok
    hook = faults.table_hook(schema, table, event, at_commit=at_commit)
    killed_then_again(postgres_server, admin, schema, roots["edited"], hook, "--replace")
    assert publish(roots["edited"], schema, replace=True).ok
    assert faults.dump(admin, schema) == clean["edited"]


@pytest.mark.parametrize(("table", "event", "at_commit"), PRUNE_POINTS)
def test_killed_during_prune(
    table: str, event: str, at_commit: bool, roots: dict[str, Path], admin: Any,
    clean: dict[str, Any], postgres_server: PostgresServer,
) -> None:  # fmt: skip
    schema = fresh()
    assert publish(roots["first"], schema).ok
    hook = faults.table_hook(schema, table, event, at_commit=at_commit)
    killed_then_again(postgres_server, admin, schema, roots["pruned"], hook, "--prune")
    assert publish(roots["pruned"], schema, prune=True).ok
    assert faults.dump(admin, schema) == clean["pruned"]
