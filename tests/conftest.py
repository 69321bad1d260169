"""Shared test configuration; fixture modules register themselves in ``pytest_plugins``."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile(
    "ci-fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

pytest_plugins: list[str] = [
    "tests.fixtures_database",
    "tests.fixtures_postgres",
    "tests.fixtures_mysql",
    "tests.fixtures_roots",
    "tests.fixtures_s3",
]
