"""Shared test configuration; fixture modules register themselves in ``pytest_plugins``."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=100, deadline=None)
_LONG = {
    "max_examples": int(os.environ.get("FUZZ_EXAMPLES", "5000")),
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
}
# CI's gate: the same examples on every run, so a green run on a machine is CI's result
settings.register_profile("ci-fuzz", derandomize=True, **_LONG)
# a long run from a new random seed each time: looking for new counterexamples
settings.register_profile("explore", **_LONG)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

pytest_plugins: list[str] = [
    "tests.fixtures_database",
    "tests.fixtures_postgres",
    "tests.fixtures_mysql",
    "tests.fixtures_roots",
    "tests.fixtures_s3",
]
