"""The example-file corpus: every good file reads clean, every bad one gets exactly its findings.

A bad file declares what it must produce in its header, one line per finding:
``# expect: CODE LINE:COLUMN`` (``-`` for no position). A registry file also lists the
keys that must survive: ``# rows: M001, M004``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from session_files.read.registry import parse_registry
from session_files.read.sidecar import parse_sidecar

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


VALID = b"subject: M001\nsession_datetime: 2024-01-15 10:30:00\nnote: caf\xc3\xa9\n"


@pytest.mark.parametrize(
    "data",
    [
        VALID,
        VALID.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + VALID,
        b"\xef\xbb\xbf" + VALID.replace(b"\n", b"\r\n"),
    ],
    ids=["lf", "crlf", "bom-lf", "bom-crlf"],
)
def test_utf8_with_optional_bom_and_lf_or_crlf(data: bytes) -> None:
    parsed = parse_sidecar(data, "session.yaml")
    assert parsed.findings == ()
    assert parsed.record is not None and parsed.record.note == "café"


def test_crlf_positions_are_lines_not_bytes() -> None:
    data = b"subject: M001\r\nsession_datetime: 2024-01-15T10:30:00Z\r\n"
    (finding,) = parse_sidecar(data, "session.yaml").findings
    assert (finding.code, finding.line, finding.column) == ("schema", 2, 19)


def test_invalid_utf8_is_unreadable_at_its_position() -> None:
    data = b"subject: M001\nnote: caf\xe9\n"
    (finding,) = parse_sidecar(data, "session.yaml").findings
    assert (finding.code, finding.line, finding.column) == ("unreadable", 2, 10)
    assert "not UTF-8" in finding.message


def test_over_one_mebibyte_is_unreadable() -> None:
    data = VALID + b"#" * (1024 * 1024)
    (finding,) = parse_sidecar(data, "session.yaml").findings
    assert finding.code == "unreadable"
    assert "at most 1 MiB" in finding.message


def test_a_missing_registry_file_is_an_empty_registry() -> None:
    parsed = parse_registry("subjects", None, "registry/subjects.yaml")
    assert (parsed.rows, parsed.findings) == ({}, ())


def test_scalar_attribute_keeps_its_text_exactly_as_written() -> None:
    data = (
        b"subject: M001\nsession_datetime: 2024-01-15 10:30:00\nattributes:\n"
        b"  a: 36.50\n  b: 0x1F\n  c: true\n  d: '1_000'\n  e: '007'\n  f: {value: 2.50}\n"
    )
    record = parse_sidecar(data, "session.yaml").record
    assert record is not None and record.attributes is not None
    texts = {name: attribute.value for name, attribute in record.attributes.items()}
    assert texts == {"a": "36.50", "b": "0x1F", "c": "true", "d": "1_000", "e": "007", "f": "2.50"}
