"""``index/table_layout.py`` (the view's tables as plain data, so that reading an index needs
no pydantic) says exactly what the row models of ``records`` say: the models stay the one
source of truth."""

from __future__ import annotations

from pathlib import Path

from session_files import load_catalog
from session_files.index.catalog import TABLE_NAMES
from session_files.index.columns import COLUMNS, PRIMARY_KEYS, columns
from session_files.index.table_layout import TABLE_LAYOUT
from session_files.records import TABLES


def test_the_plain_table_layout_is_what_the_row_models_give() -> None:
    expected = {
        name: (model.PRIMARY_KEY, tuple((c.name, c.kind, c.nullable) for c in columns(model)))
        for name, model in TABLES.items()
    }
    assert list(TABLE_LAYOUT) == list(expected), "tables or their order differ from the models"
    for name, entry in expected.items():
        assert TABLE_LAYOUT[name] == entry, f"write in table_layout.py: {name!r}: {entry!r},"
    assert {name: columns(model) for name, model in TABLES.items()} == COLUMNS
    assert {name: model.PRIMARY_KEY for name, model in TABLES.items()} == PRIMARY_KEYS
    assert tuple(TABLES) == TABLE_NAMES


def test_a_table_still_gives_typed_rows_of_its_row_model(lab: Path) -> None:
    with load_catalog(lab) as catalog:
        for name in catalog:
            table = catalog[name]
            assert table.model is TABLES[name]
            rows = list(table)
            assert rows and all(type(row) is TABLES[name] for row in rows)
            assert [row.model_dump() for row in rows] == table.to_dicts()
