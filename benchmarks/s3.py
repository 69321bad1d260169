"""The S3 figures: a root of sidecars in a bucket of a local S3 endpoint (moto's server on
127.0.0.1, started here as a subprocess), indexed cold and warm, against the floor of
listing the bucket and reading the same objects with s3fs directly (``find`` + ``cat``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

KEY, SECRET = "bench", "bench-secret"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def endpoint() -> Iterator[str]:
    """moto's S3 server on a free port of 127.0.0.1, until the block ends."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def options(url: str) -> dict[str, Any]:
    return {"endpoint_url": url, "key": KEY, "secret": SECRET}


def upload(url: str, root: Path, bucket: str) -> int:
    """Copy the sidecars and registries of a local root into a new bucket."""
    import s3fs

    fs = s3fs.S3FileSystem(skip_instance_cache=True, **options(url))
    fs.mkdir(bucket)
    files: dict[str, bytes] = {}
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.endswith(".yaml"):
                full = Path(directory) / name
                files[f"{bucket}/{full.relative_to(root).as_posix()}"] = full.read_bytes()
    items = list(files.items())
    for start in range(0, len(items), 1000):
        fs.pipe(dict(items[start : start + 1000]))
    return sum(key.endswith("/session.yaml") for key in files)


def floor_cold(url: str, bucket: str) -> None:
    """List the bucket and read every sidecar, with s3fs alone (fresh filesystem)."""
    import s3fs

    fs = s3fs.S3FileSystem(skip_instance_cache=True, **options(url))
    found = [p for p in fs.find(bucket) if p.endswith("/session.yaml")]
    fs.cat(found)


def floor_warm(url: str, bucket: str) -> None:
    """List the bucket with its sizes and ETags (what an unchanged refresh needs)."""
    import s3fs

    fs = s3fs.S3FileSystem(skip_instance_cache=True, **options(url))
    fs.find(bucket, detail=True)
