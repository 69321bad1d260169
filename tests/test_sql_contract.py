"""The index file's public SQL interface: the nine tables of SPEC section 5, by name and
column, read by a tool users point at SQLite files (datasette), with everything else named
as internal in docs/catalog.md."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

from datasette.app import Datasette

from session_files import load_catalog
from session_files.index.columns import COLUMNS
from session_files.records import TABLES

DOC = Path(__file__).resolve().parents[1] / "docs" / "catalog.md"


def _index(lab: Path) -> Path:
    load_catalog(lab).close()
    path = lab / ".session-files" / "index.sqlite"
    assert path.is_file()
    return path


def test_public_names_and_columns_are_the_spec(lab: Path) -> None:
    with sqlite3.connect(_index(lab)) as conn:
        for name in TABLES:
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')]
            assert columns == [column.name for column in COLUMNS[name]], name


def test_every_other_object_is_documented_as_internal(lab: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## The index file from SQL") :]
    internal = re.search(r"Internal \(may change[^\n]*\n((?:- .*\n)+)", section)
    assert internal, "docs/catalog.md lists the internal objects"
    patterns = re.findall(r"^- `([^`]+)`", internal.group(1), re.MULTILINE)
    with sqlite3.connect(_index(lab)) as conn:
        objects = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE 'sqlite_%'"
            )
        ]
    public = [name for name in objects if name in TABLES]
    assert sorted(public) == sorted(TABLES)
    for name in objects:
        if name not in TABLES:
            assert any(re.fullmatch(p.replace("*", ".*"), name) for p in patterns), name
    for name in TABLES:
        assert f"`{name}`" in section


async def _ask(path: Path, sql: str) -> Any:
    datasette = Datasette([str(path)], immutables=[])
    await datasette.invoke_startup()
    response = await datasette.client.get("/index.json", params={"sql": sql, "_shape": "array"})
    assert response.status_code == 200, response.text
    return response.json()


def test_datasette_answers_questions_from_the_views(lab: Path) -> None:
    path = _index(lab)
    rows = asyncio.run(
        _ask(
            path,
            "SELECT s.subject, count(*) AS n FROM session s JOIN subject USING (subject)"
            " WHERE sex = 'F' GROUP BY s.subject",
        )
    )
    assert rows == [{"subject": "M001", "n": 2}]
    rig3 = asyncio.run(
        _ask(
            path,
            "SELECT d.session_dir FROM session__attribute a JOIN session_directory d"
            " USING (subject, session_datetime)"
            " WHERE a.attribute_name = 'rig' AND a.attribute_value = 'rig-3'",
        )
    )
    assert rig3 == [{"session_dir": "M001/2024-01-15_10-30-00"}]
