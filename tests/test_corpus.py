"""The example-file corpus: every good file reads clean, every bad one gets exactly its findings.

A bad file declares what it must produce in its header, one line per finding:
``# expect: CODE LINE:COLUMN`` (``-`` for no position). A registry file also lists the
keys that must survive: ``# rows: M001, M004``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from session_files.registry import parse_registry
from session_files.sidecar import parse_sidecar

CORPUS = Path(__file__).parent / "corpus"
SIDECARS = sorted((CORPUS / "sidecars").glob("*/*.yaml"))
REGISTRIES = sorted((CORPUS / "registries").glob("*/*.yaml"))


def expected(data: bytes) -> list[tuple[str, int | None, int | None]]:
    out = []
    for code, where in re.findall(rb"^# expect: (\S+) (\S+)$", data, re.MULTILINE):
        if where == b"-":
            out.append((code.decode(), None, None))
        else:
            line, column = where.split(b":")
            out.append((code.decode(), int(line), int(column)))
    return sorted(out, key=str)


def found(findings: tuple) -> list[tuple[str, int | None, int | None]]:  # type: ignore[type-arg]
    return sorted(((f.code, f.line, f.column) for f in findings), key=str)


@pytest.mark.parametrize("path", SIDECARS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sidecar_corpus(path: Path) -> None:
    data = path.read_bytes()
    parsed = parse_sidecar(data, path.name)
    assert found(parsed.findings) == expected(data)
    assert parsed.ok is (path.parent.name == "valid")
    if path.parent.name == "invalid":
        assert expected(data), "an invalid corpus file must declare its findings"
        assert all(f.message and f.path == path.name for f in parsed.findings)


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_registry_corpus(path: Path) -> None:
    data = path.read_bytes()
    parsed = parse_registry(path.parent.name, data, path.name)
    assert found(parsed.findings) == expected(data)
    rows = re.search(rb"^# rows:(.*)$", data, re.MULTILINE)
    assert rows is not None, "a registry corpus file must list its surviving rows"
    keys = sorted(key.strip() for key in rows.group(1).decode().split(",") if key.strip())
    assert sorted(parsed.rows) == keys


def test_corpus_covers_every_file_level_code() -> None:
    codes = {code for path in SIDECARS + REGISTRIES for code, _, _ in expected(path.read_bytes())}
    assert {"yaml-syntax", "yaml-duplicate-key", "yaml-forbidden", "schema"} <= codes
