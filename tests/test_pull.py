"""``pull`` and ``session-files pull`` against real servers of each backend: a schema back to a
root, and publish -> pull -> publish changes nothing."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_files import validate
from session_files.cli import main
from session_files.datajoint import KeysCollide, publish, pull
from session_files.records import Attribute, Sidecar
from session_files.write.writer import write_sidecar
from tests.fixtures_postgres import PostgresServer
from tests.pipelines import element_session_script, run
from tests.strategies import blobs, naive_datetimes, text
from tests.test_publish import LAB, catalog_rows, database_rows
from tests.test_publish_sync import query

pytestmark = pytest.mark.postgres


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["pull", *args])


def assert_nothing_changes(root: Path, schema_name: str) -> None:
    before = database_rows(schema_name)
    owners = query(f'SELECT * FROM "{schema_name}"."~session_files_session" ORDER BY 1, 2')
    again = publish(root, schema_name)
    assert again.ok, [c.describe() for c in again.conflicts]
    assert again.changes == 0
    assert again.sessions_adopted == ()
    assert database_rows(schema_name) == before
    assert query(f'SELECT * FROM "{schema_name}"."~session_files_session" ORDER BY 1, 2') == owners


def test_pull_writes_a_root_that_publishes_to_nothing(tmp_path: Path, schema_name: str) -> None:
    publish(LAB, schema_name)
    target = tmp_path / "pulled"
    result = invoke(str(target), "--schema", schema_name)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"pulled 12 sessions from {schema_name} into {target} (root_id {LAB.resolve()}):"
        " 18 files written, 0 already there"
    )
    assert (target / "M002" / "2024-02-01_11-15-00" / "session.yaml").is_file()
    assert (target / "session-files.yaml").read_text(encoding="utf-8") == (
        f"root_id: {LAB.resolve()}\n"
    )
    report = validate(target)
    assert report.findings == []
    assert catalog_rows(target) == catalog_rows(LAB)
    assert_nothing_changes(target, schema_name)
    again = invoke(str(target), "--schema", schema_name)
    assert again.exit_code == 0
    assert again.stdout.endswith("0 files written, 18 already there\n")


def test_pull_refuses_to_overwrite_a_different_sidecar_unless_force(
    tmp_path: Path, schema_name: str
) -> None:
    publish(LAB, schema_name)
    target = tmp_path / "pulled"
    pull(target, schema_name)
    sidecar = target / "M002" / "2024-02-01_11-15-00" / "session.yaml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("rig-2", "rig-9"))
    (target / "M001" / "2024-01-15_10-30-00" / "session.yaml").unlink()
    refused = invoke(str(target), "--schema", schema_name)
    assert refused.exit_code == 1
    assert refused.stdout.splitlines() == [
        "differs: M002/2024-02-01_11-15-00/session.yaml",
        "refused: 1 existing file in"
        f" {target} differ from the schema (listed above); pass --force to overwrite them."
        " Nothing was written.",
    ]
    assert not (target / "M001" / "2024-01-15_10-30-00" / "session.yaml").exists()
    assert "rig-9" in sidecar.read_text(encoding="utf-8")
    forced = invoke(str(target), "--schema", schema_name, "--force")
    assert forced.exit_code == 0, forced.output
    assert "rig-9" not in sidecar.read_text(encoding="utf-8")
    assert catalog_rows(target) == catalog_rows(LAB)


def test_pull_from_element_sessions_own_schema_uses_the_layout(
    tmp_path: Path, schema_name: str, postgres_server: PostgresServer
) -> None:
    run(postgres_server, element_session_script(), schema_name)
    publish(LAB, schema_name)
    query(f'DROP TABLE "{schema_name}"."~session_files_session"')
    query(f'DROP TABLE "{schema_name}"."~session_files_registry"')
    query(
        f'DELETE FROM "{schema_name}"."session_directory"'
        " WHERE subject = 'R017' AND session_datetime = '2024-04-04 15:00:00'"
    )
    target = tmp_path / "pulled"
    target.mkdir()
    (target / "session-files.yaml").write_text(
        "layout: '{subject}/{session_datetime:%Y%m%d-%H%M}'\n", encoding="utf-8"
    )
    result = pull(target, schema_name)
    assert result.ok, result.problems
    assert result.root_id is None
    assert (target / "R017" / "20240404-1500" / "session.yaml").is_file()
    report = validate(target)
    assert [f.code for f in report.findings] == ["layout-mismatch"] * 11  # the other 11 dirs
    published = publish(target, schema_name)
    assert len(published.sessions_adopted) == 11  # no recorded root, equal: adopted
    (conflict,) = published.conflicts  # no recorded root, and it differs
    assert conflict.differences == ("session_directory only in the files",)
    replaced = publish(target, schema_name, replace=True)
    assert replaced.ok
    assert replaced.rows_inserted == {"session_directory": 1}


def test_several_roots_need_root_id(tmp_path: Path, schema_name: str) -> None:
    publish(LAB, schema_name)
    other = tmp_path / "other"
    shutil.copytree(LAB, other)
    for sidecar in LAB.rglob("session.yaml"):
        (other / sidecar.relative_to(LAB)).unlink()
    extra = other / "M001" / "2025-01-01_10-00-00"
    write_sidecar(extra, {"subject": "M001", "session_datetime": "2025-01-01 10:00:00"})
    (other / "session-files.yaml").write_text("root_id: lab-b\n", encoding="utf-8")
    assert publish(other, schema_name).ok
    target = tmp_path / "pulled"
    refused = invoke(str(target), "--schema", schema_name)
    assert refused.exit_code == 2
    assert f"several roots published into {schema_name}: " in refused.stderr
    assert "pick one with --root-id" in refused.stderr
    result = invoke(str(target), "--schema", schema_name, "--root-id", "lab-b")
    assert result.exit_code == 0, result.output
    assert f"left out: 12 sessions of root {LAB.resolve()}" in result.stdout
    assert [p.parent.name for p in target.rglob("session.yaml")] == ["2025-01-01_10-00-00"]
    assert_nothing_changes(target, schema_name)


KEYS = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1)
SUBJECTS = st.lists(KEYS.map(lambda k: k[:8]), min_size=1, max_size=3, unique=True)


@st.composite
def roots(draw: st.DrawFn) -> dict[str, Any]:
    subjects = draw(SUBJECTS)
    users = draw(st.lists(KEYS.map(lambda k: k[:32]), max_size=3, unique=True))
    projects = draw(st.lists(KEYS.map(lambda k: k[:32]), max_size=2, unique=True))
    sessions = draw(
        st.lists(
            st.builds(
                Sidecar,
                subject=st.sampled_from(subjects),
                session_datetime=naive_datetimes,
                experimenters=st.none() | st.lists(st.sampled_from(users or ["x"]), unique=True),
                projects=st.none() | st.lists(st.sampled_from(projects or ["x"]), unique=True),
                note=st.none() | text(max_size=60),
                attributes=st.none()
                | st.dictionaries(
                    KEYS.map(lambda k: k[:32]),
                    st.builds(Attribute, value=text(max_size=30), blob=blobs),
                    max_size=3,
                ),
            ),
            min_size=1,
            max_size=4,
            unique_by=lambda s: (s.subject, s.session_datetime),
        )
    )
    return {"subjects": subjects, "users": users, "projects": projects, "sessions": sessions}


def write_root(root: Path, spec: dict[str, Any]) -> None:
    (root / "registry").mkdir(parents=True)
    subjects = "".join(
        f"'{s}':\n  sex: U\n  subject_birth_date: 2024-01-01\n" for s in spec["subjects"]
    )
    (root / "registry" / "subjects.yaml").write_text(subjects, encoding="utf-8")
    users = {*spec["users"], "x"}
    projects = {*spec["projects"], "x"}
    (root / "registry" / "experimenters.yaml").write_text(
        "".join(f"'{u}': {{}}\n" for u in sorted(users)), encoding="utf-8"
    )
    (root / "registry" / "projects.yaml").write_text(
        "".join(f"'{p}': {{project_description: 'p {p}'}}\n" for p in sorted(projects)),
        encoding="utf-8",
    )
    for number, sidecar in enumerate(spec["sessions"]):
        write_sidecar(root / sidecar.subject / f"s{number}", sidecar)


def differ_only_by_case(spec: dict[str, Any]) -> bool:
    """Keys of the root (ASCII here) that a case-insensitive collation makes one key."""

    def folded(keys: Iterable[str]) -> bool:
        keys = set(keys)
        return len({key.lower() for key in keys}) < len(keys)

    sessions: list[Sidecar] = spec["sessions"]
    return (
        folded(spec["subjects"])
        or folded([*spec["users"], "x"])
        or folded([*spec["projects"], "x"])
        or any(folded(sidecar.attributes or {}) for sidecar in sessions)
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=roots())
def test_publish_pull_publish_changes_nothing(
    spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> None:
    schema_name = f"sf_{uuid.uuid4().hex[:10]}"
    base = tmp_path_factory.mktemp("prop")
    source = base / "source"
    write_root(source, spec)
    if postgres_server.backend == "mysql" and differ_only_by_case(spec):
        with pytest.raises(KeysCollide):  # one key under MariaDB's utf8mb4_general_ci
            publish(source, schema_name)
        return
    first = publish(source, schema_name)
    assert first.ok
    target = base / "pulled"
    pulled = pull(target, schema_name)
    assert pulled.ok, pulled.problems
    assert validate(target).findings == []
    assert catalog_rows(target) == catalog_rows(source)
    assert_nothing_changes(target, schema_name)


def test_pull_never_writes_registries_outside_the_root(tmp_path: Path, schema_name: str) -> None:
    publish(LAB, schema_name)
    target = tmp_path / "pulled"
    target.mkdir()
    (target / "session-files.yaml").write_text("registry: ../lab-registry\n", encoding="utf-8")
    result = invoke(str(target), "--schema", schema_name)
    assert result.exit_code == 2
    assert "registry '../lab-registry' is outside the root" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pulled"]
    assert [p.name for p in target.iterdir()] == ["session-files.yaml"]
