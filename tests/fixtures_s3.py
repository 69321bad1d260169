"""A real S3 endpoint for the remote-root tests: moto's standalone server on 127.0.0.1.

The server runs as a subprocess (``python -m moto.server``) started once per test session;
its request log (one line per HTTP request, written by the server itself) lets a test count
what a refresh asked of the endpoint. Credentials are given explicitly, so botocore never
looks for others (no instance-metadata lookups). A missing ``moto[server]`` is an error,
never a skip.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

KEY = "session-files-test"
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # the server colours its log lines
SECRET = "session-files-secret"


@dataclass(frozen=True)
class S3Server:
    """Where the test endpoint listens, and its request log."""

    endpoint: str
    log: Path

    def options(self) -> dict[str, Any]:
        """fsspec/s3fs storage options for this endpoint."""
        return {"endpoint_url": self.endpoint, "key": KEY, "secret": SECRET}

    def filesystem(self) -> Any:
        """A fresh s3fs filesystem (not fsspec's cached instance) for setting up buckets."""
        import s3fs

        return s3fs.S3FileSystem(skip_instance_cache=True, **self.options())

    def bucket(self, files: Mapping[str, str | bytes]) -> str:
        """A new bucket holding ``files``; returns its ``s3://`` URL (with a trailing /)."""
        name = f"lab-{uuid.uuid4().hex[:12]}"
        fs = self.filesystem()
        fs.mkdir(name)
        fs.pipe(
            {
                f"{name}/{rel}": text.encode("utf-8") if isinstance(text, str) else text
                for rel, text in files.items()
            }
        )
        return f"s3://{name}/"

    def requests(self) -> list[str]:
        """Every request line the server has logged so far (``GET /bucket?... HTTP/1.1``).

        The server logs a request after answering it, so a marker request is sent and
        awaited first: every request sent before it is then in the log.
        """
        marker = f"/?marker={uuid.uuid4().hex}"
        with urllib.request.urlopen(self.endpoint + marker, timeout=30):
            pass
        deadline = time.monotonic() + 30
        while True:
            text = _COLOUR.sub("", self.log.read_text(encoding="utf-8", errors="replace"))
            if marker in text or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        lines = [
            line.split('"')[1] for line in text.splitlines() if '"' in line and "HTTP/" in line
        ]
        return [line for line in lines if "?marker=" not in line]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server on a free port of 127.0.0.1, for the whole test session."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "requests.log"
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("w", encoding="utf-8") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"moto's S3 server did not start (is moto[server] installed?):\n"
                    f"{log.read_text(encoding='utf-8', errors='replace')}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(endpoint + "/", timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail("moto's S3 server did not answer within 60 s", pytrace=False)
                time.sleep(0.1)
        yield S3Server(endpoint, log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
