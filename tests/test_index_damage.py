"""An index damaged inside its pages, or one this user may not write, never breaks a run."""

from __future__ import annotations

import json
import os
import pwd
import random
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from session_files import IndexRebuiltWarning, update_index, validate
from session_files.api import validate_and_load
from session_files.index import IndexDamagedError
from session_files.records import TABLES
from tests.fixtures_roots import cold, many_sessions

REPO = Path(__file__).resolve().parents[1]


def damage_pages(index: Path, seed: int) -> None:
    """Overwrite 512 bytes somewhere after the first page, as a bad sector would."""
    data = bytearray(index.read_bytes())
    rng = random.Random(seed)
    page = int.from_bytes(data[16:18], "big")  # the page size, from the SQLite header
    start = rng.randrange(page, len(data) - 512)
    data[start : start + 512] = rng.randbytes(512)
    index.write_bytes(bytes(data))


@pytest.mark.parametrize("seed", range(8))
def test_an_index_with_damaged_pages_is_rebuilt_and_the_answer_is_right(
    tmp_path: Path, seed: int
) -> None:
    root = many_sessions(tmp_path / "root", 400, bad_every=25)
    index = tmp_path / "index.sqlite"
    update_index(root, index=index)
    # a registry edit makes the refresh re-derive the whole view, reading every staged row
    registry = root / "registry" / "experimenters.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "zoe:\n", encoding="utf-8")
    damage_pages(index, seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IndexRebuiltWarning)
        report, catalog = validate_and_load(root, index=index)
    try:
        tables = {name: catalog[name].to_dicts() for name in TABLES}
    except IndexDamagedError as exc:
        # damage in pages the refresh never read shows when the catalog reads them: a clear
        # error, the file removed, and the next run rebuilds it and answers right
        assert "is damaged" in str(exc) and "rebuilt at the next run" in str(exc)
        assert not index.exists()
        catalog.close()
        report, catalog = validate_and_load(root, index=index)
        tables = {name: catalog[name].to_dicts() for name in TABLES}
    finally:
        catalog.close()
    assert (tables, [f.to_dict() for f in report.findings]) == cold(root)
    # a rebuild says why; damage that SQLite never reads (free space) needs no rebuild at all
    assert all("rebuilt from scratch" in str(w.message) for w in caught)
    assert update_index(root, index=index).refresh.warnings == []


VALIDATE_AS = """
import json, os, sys
from session_files import validate
validate(sys.argv[4])  # every lazy import done before dropping privileges
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(int(sys.argv[3]))
    os.setuid(int(sys.argv[2]))
report = validate(sys.argv[1])
print(json.dumps(report.to_dict()))
"""


def test_validate_with_an_index_this_user_cannot_write_checks_in_memory(
    shared_tmp: Path,
) -> None:
    root = many_sessions(shared_tmp / "root", 50, bad_every=10)
    warm = many_sessions(shared_tmp / "warm", 3)
    update_index(root)  # <root>/.session-files/index.sqlite, owned by this user
    expected = validate(root)
    (root / "M001" / "000002" / "session.yaml").write_text("subject: [\n", encoding="utf-8")
    for directory, _, files in os.walk(shared_tmp):
        Path(directory).chmod(0o755)
        for name in files:
            (Path(directory) / name).chmod(0o644)
    index_dir = root / ".session-files"
    before = {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir()}
    if os.geteuid() == 0:
        user = pwd.getpwnam("nobody")
        ids = [str(user.pw_uid), str(user.pw_gid)]
    else:  # an unprivileged run: take write permission away from ourselves instead
        index_dir.chmod(0o555)
        (index_dir / "index.sqlite").chmod(0o444)
        ids = ["0", "0"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(shared_tmp / "cache")}
    proc = subprocess.run(
        [sys.executable, "-c", VALIDATE_AS, str(root), *ids, str(warm)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    index_dir.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    # the edit made after indexing is seen: the run checked the files, not the stale index
    assert report["counts"]["sessions"] == expected.sessions - 1
    assert ["yaml-syntax", "M001/000002/session.yaml"] in [
        [f["code"], f["path"]] for f in report["findings"]
    ]
    assert {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir()} == before
