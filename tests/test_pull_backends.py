"""The backends store the same thing: a root published to PostgreSQL 15 and to MariaDB 10.11
pulls back into byte-identical files (DataJoint's `datetime` is `timestamp` on PostgreSQL and
`datetime` on MariaDB, `<blob>` is `bytea` and `longblob`; the records keep whole seconds)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from session_files.datajoint import pull
from tests.fixtures_database import DatabaseServer, datajoint_settings
from tests.test_publish import LAB, catalog_rows, make_root
from tests.test_publish_sync import query

pytestmark = pytest.mark.postgres


def files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def published_and_pulled(server: DatabaseServer, source: Path, target: Path) -> dict[str, bytes]:
    from session_files.datajoint import publish

    schema = f"sf_{uuid.uuid4().hex[:10]}"
    with datajoint_settings(server):
        assert publish(source, schema).ok
        kinds = {
            str(name): str(kind)
            for name, kind in query(
                "SELECT column_name, data_type FROM information_schema.columns"
                f" WHERE table_schema = '{schema}'"
                " AND column_name IN ('session_datetime', 'attribute_blob')"
            )
        }
        assert pull(target, schema).ok
    expected = {"postgresql": {"session_datetime": "timestamp without time zone",
                               "attribute_blob": "bytea"},
                "mysql": {"session_datetime": "datetime", "attribute_blob": "longblob"}}  # fmt: skip
    assert kinds == expected[server.backend]
    return files(target)


@pytest.mark.parametrize("example", ["lab", "generated"])
def test_both_backends_pull_the_same_bytes(
    example: str,
    tmp_path: Path,
    postgres_process: DatabaseServer,
    mariadb_process: DatabaseServer,
) -> None:
    source = LAB if example == "lab" else make_root(tmp_path / "source", sessions=24)
    if example == "generated":  # blobs holding NaN (never equal to itself) pull too
        assert any(".nan" in p.read_text(encoding="utf-8") for p in source.rglob("session.yaml"))
    postgres = published_and_pulled(postgres_process, source, tmp_path / "postgres")
    mariadb = published_and_pulled(mariadb_process, source, tmp_path / "mariadb")
    assert len(postgres) > 10
    assert mariadb == postgres
    assert catalog_rows(tmp_path / "mariadb") == catalog_rows(source)
