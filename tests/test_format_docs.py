"""docs/format.md and the README list exactly the finding codes of ``findings.CODES``, each
with its default severity, and state the limits ``layout`` holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from session_files import layout
from session_files.findings import CODES
from session_files.read.yamlsafe import MAX_DEPTH, MAX_VALUES

REPO = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| (`[a-z-]+`(?: / `[a-z-]+`)*) \| (error|warning) \|", re.MULTILINE)


def code_table(text: str) -> dict[str, str]:
    """Code -> severity from the rows of a Markdown ``| code | severity | when |`` table
    (a row may name several codes: `` `a` / `b` ``)."""
    table: dict[str, str] = {}
    for codes, severity in ROW.findall(text):
        for code in re.findall(r"`([a-z-]+)`", codes):
            assert code not in table, f"{code} is listed twice"
            table[code] = severity
    return table


@pytest.mark.parametrize("document", ["docs/format.md", "README.md"])
def test_the_code_table_is_findings_codes(document: str) -> None:
    text = (REPO / document).read_text(encoding="utf-8")
    expected = {code: severity for code, (severity, _) in CODES.items()}
    assert code_table(text) == expected


def test_format_md_states_the_limits_the_code_enforces() -> None:
    text = " ".join((REPO / "docs" / "format.md").read_text(encoding="utf-8").split())
    assert layout.MAX_BYTES == 1024 * 1024
    assert "at most 1 MiB (1,048,576 bytes)" in text
    assert f"at most {MAX_DEPTH} levels deep" in text
    assert f"at most {MAX_VALUES:,} values" in text
    for name in (layout.SIDECAR_NAME, layout.CONFIG_NAME, layout.LOCK_NAME):
        assert f"`{name}`" in text
    assert f"{layout.INDEX_DIR}/{layout.INDEX_FILE}" in text
    assert f"{layout.REGISTRY_DIR}/" in text


def test_code_comments_cite_format_md_not_an_absent_spec() -> None:
    cited = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted((REPO / "session_files").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bSPEC\b", line)
    ]
    assert cited == [], (
        "cite docs/format.md (or docs/catalog.md, docs/ci.md): SPEC.md is not in the repository"
    )
