"""An ``s3://`` root on a real S3 endpoint (moto's server on 127.0.0.1, see fixtures_s3).

validate, index, refresh and load_catalog run against it as a user would run them; the
server's own request log shows what a refresh asked of the endpoint.
"""

from __future__ import annotations

from pathlib import Path

from upath import UPath

from session_files import load_catalog, update_index, validate
from tests.fixtures_roots import cold, lab_files, sidecar, write_root
from tests.fixtures_s3 import S3Server

M002 = "M002/2024-02-01_11-15-00/session.yaml"


def s3_root(server: S3Server, files: dict[str, str]) -> UPath:
    return UPath(server.bucket(files), **server.options())


def test_an_s3_root_validates_like_a_local_one(s3_server: S3Server, tmp_path: Path) -> None:
    files = {
        **lab_files(),
        "z/session.yaml": sidecar("M009"),
        "a/Session.yaml": "x: 1\n",
        "b/session.yaml": "subject: [\n",
        ".hidden/session.yaml": "x: 1\n",
    }
    root = s3_root(s3_server, files)
    report = validate(root)
    assert [(f.code, f.path, f.line) for f in report.findings] == [
        ("misnamed-sidecar", "a/Session.yaml", None),
        ("yaml-syntax", "b/session.yaml", 2),
        ("unknown-subject", "z/session.yaml", 1),
    ]
    assert report.sessions == 3
    assert cold(root) == cold(write_root(tmp_path / "lab", files))


def test_an_s3_root_is_indexed_and_refreshed_by_etag(s3_server: S3Server, tmp_path: Path) -> None:
    root = s3_root(s3_server, {**lab_files(), "a/session.yaml": sidecar("M002")})
    index = tmp_path / "index.sqlite"
    first = update_index(root, index=index, progress=False)
    assert len(first.refresh.added) == 4
    assert first.sessions == 4

    # the same size, written by another client: only the ETag can tell
    fs = s3_server.filesystem()
    bucket = root.path.rstrip("/")
    text = fs.cat(f"{bucket}/{M002}").decode()
    fs.pipe(f"{bucket}/{M002}", text.replace("M002", "M001").encode())
    fs.rm(f"{bucket}/a/session.yaml")
    fs.pipe(f"{bucket}/c/session.yaml", sidecar("M001", "2024-03-01 08:00:00").encode())
    second = update_index(root, index=index, progress=False)
    assert second.refresh.modified == [M002]
    assert second.refresh.removed == ["a/session.yaml"]
    assert second.refresh.added == ["c/session.yaml"]
    assert second.refresh.unchanged == 2
    with load_catalog(root, index=index, refresh=False) as catalog:
        assert [row.subject for row in catalog["session"]] == ["M001"] * 4


def test_a_warm_refresh_of_an_unchanged_s3_root_lists_once_and_reads_nothing(
    s3_server: S3Server, tmp_path: Path
) -> None:
    files = lab_files()
    for i in range(30):
        files[f"M001/2024-05-01_00-00-{i:02d}/session.yaml"] = sidecar(
            "M001", f"2024-05-01 00:00:{i:02d}"
        )
    root = s3_root(s3_server, files)
    index = tmp_path / "index.sqlite"
    update_index(root, index=index, progress=False)
    before = len(s3_server.requests())
    warm = update_index(root, index=index, progress=False)
    assert warm.refresh.unchanged == 33
    assert not (warm.refresh.added or warm.refresh.modified or warm.refresh.removed)
    sent = [line.split()[:2] for line in s3_server.requests()[before:]]
    bucket = "/" + root.path.rstrip("/")
    # the config, the three registry files and the lab vocabulary (absent here) are read
    # every time (they are small and decide what every reference means); then one listing
    # pass, and no sidecar is read
    assert sorted(sent) == [
        ["GET", f"{bucket}/registry/attributes.yaml"],
        ["GET", f"{bucket}/registry/experimenters.yaml"],
        ["GET", f"{bucket}/registry/projects.yaml"],
        ["GET", f"{bucket}/registry/subjects.yaml"],
        ["GET", f"{bucket}/session-files.yaml"],
        ["GET", f"{bucket}?list-type=2&prefix=&delimiter=&encoding-type=url"],
    ]


def test_load_catalog_of_an_s3_root(s3_server: S3Server) -> None:
    root = s3_root(s3_server, lab_files())
    with load_catalog(root) as catalog:
        assert [s.session_dir for s in catalog.sessions(subject="M002")] == [
            "M002/2024-02-01_11-15-00"
        ]
        assert len(catalog["session"]) == 3
