"""Roots that are not local directories: a memory:// filesystem and a zip:// archive."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

from upath import UPath

from session_files import load_catalog, update_index, validate
from session_files.api import validate_and_load
from tests.fixtures_roots import REGISTRY, cold, lab_files, sidecar


def memory_root(files: dict[str, str]) -> UPath:
    root = UPath(f"memory://lab-{uuid.uuid4().hex}/")
    for rel, text in files.items():
        target = root.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def test_a_memory_root_validates_like_a_local_one(tmp_path: Path) -> None:
    files = {**lab_files(), "z/session.yaml": sidecar("M009"), "a/Session.yaml": "x: 1\n"}
    root = memory_root(files)
    report = validate(root)
    assert [(f.code, f.path, f.line, f.column) for f in report.findings] == [
        ("misnamed-sidecar", "a/Session.yaml", None, None),
        ("unknown-subject", "z/session.yaml", 1, 10),
    ]
    assert report.sessions == 3
    local = tmp_path / "lab"
    for rel, text in files.items():
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_text(text, encoding="utf-8")
    assert cold(root) == cold(local)


def test_a_memory_root_is_refreshed_by_content(tmp_path: Path) -> None:
    root = memory_root(lab_files())
    index = tmp_path / "index.sqlite"
    first = update_index(root, index=index)
    assert len(first.refresh.added) == 3
    # same size, same (absent) mtime: only the content digest can tell
    target = root / "M002/2024-02-01_11-15-00/session.yaml"
    target.write_text(target.read_text().replace("M002", "M001"), encoding="utf-8")
    second = update_index(root, index=index)
    assert second.refresh.modified == ["M002/2024-02-01_11-15-00/session.yaml"]
    assert second.refresh.unchanged == 2
    catalog = load_catalog(root, index=index, refresh=False)
    assert [row.subject for row in catalog["session"]] == ["M001", "M001", "M001"]
    catalog.close()


def test_a_remote_root_indexes_into_the_user_cache() -> None:
    root = memory_root({**REGISTRY, "a/session.yaml": sidecar()})
    update = update_index(root)
    assert update.refresh.index is not None
    assert "session-files" in update.refresh.index.parts
    assert update.sessions == 1


def test_a_zip_archive_of_a_root(tmp_path: Path) -> None:
    archive = tmp_path / "lab.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for rel, text in {**lab_files(), "b/session.yaml": "subject: [\n"}.items():
            bundle.writestr(rel, text)
    root = UPath("zip://", fo=str(archive))
    report, catalog = validate_and_load(root)
    assert [(f.code, f.path) for f in report.findings] == [("yaml-syntax", "b/session.yaml")]
    assert report.sessions == 3
    with catalog:
        assert [s.session_dir for s in catalog.sessions(subject="M002")] == [
            "M002/2024-02-01_11-15-00"
        ]
    # two archives never share a cache index
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as bundle:
        bundle.writestr("registry/subjects.yaml", REGISTRY["registry/subjects.yaml"])
    assert update_index(UPath("zip://", fo=str(other))).sessions == 0
    assert update_index(root).sessions == 3
