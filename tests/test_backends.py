"""The servers the DataJoint tests run on are the ones README and docs/datajoint.md claim:
PostgreSQL 15 and MariaDB 10.11 (with Debian's utf8mb4_general_ci)."""

from __future__ import annotations

import pytest

from tests.fixtures_database import DatabaseServer
from tests.test_publish_sync import query

pytestmark = pytest.mark.postgres


def test_the_servers_are_the_versions_the_docs_claim(database_server: DatabaseServer) -> None:
    if database_server.backend == "postgresql":
        (row,) = query("SELECT current_setting('server_version_num')")
        assert int(row[0]) // 10000 == 15
        return
    ((version, collation),) = query("SELECT @@version, @@collation_server")
    assert "MariaDB" in version and version.startswith("10.11."), version
    assert collation == "utf8mb4_general_ci"


@pytest.mark.backends("postgresql")
def test_a_test_can_name_its_backend(database_server: DatabaseServer) -> None:
    """@pytest.mark.backends keeps a test of one backend's own machinery off the others."""
    assert database_server.backend == "postgresql"
    assert query("SELECT 1 FROM pg_catalog.pg_class LIMIT 1") == [(1,)]
