"""The report's page without a browser: empty roots, caps that say what they leave out,
and text from sidecars escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from session_files import IncompleteCatalogWarning, load_catalog
from session_files.analysis import html as report_html
from session_files.analysis.html import render_html
from session_files.analysis.overview import build_overview
from tests.fixtures_roots import REGISTRY, sidecar, write_root


def test_an_empty_root_has_a_page(tmp_path: Path) -> None:
    with load_catalog(write_root(tmp_path / "empty", REGISTRY)) as catalog:
        page = render_html(build_overview(catalog))
    assert '<dd data-figure="sessions">0</dd>' in page
    assert "No sessions." in page and "No findings." in page
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_caps_say_how_many_are_not_drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subjects = "".join(f"S{i:02d}: {{sex: F, subject_birth_date: 2023-01-01}}\n" for i in range(70))
    files = {**REGISTRY, "registry/subjects.yaml": subjects}
    for i in range(70):
        files[f"S{i:02d}/session.yaml"] = sidecar(f"S{i:02d}", "2024-01-01 10:00:00")
    files["bad1/session.yaml"] = sidecar("X1", "2024-01-01 10:00:00")
    files["bad2/session.yaml"] = sidecar("X2", "2024-01-01 10:00:00")
    monkeypatch.setattr(report_html, "FINDINGS_PER_CODE", 1)
    with (
        pytest.warns(IncompleteCatalogWarning),
        load_catalog(write_root(tmp_path / "many", files)) as catalog,
    ):
        view = build_overview(catalog)
    page = render_html(view)
    assert view.sessions == 70 and view.left_out == 2
    # the 60 subjects with most sessions have a row each, the other 10 share one
    assert "10 others 2024-01: 10 sessions" in page and "S59 2024-01" in page
    assert "…and 1 more; run <code>session-files validate</code>" in page


def test_text_from_sidecars_is_escaped(tmp_path: Path) -> None:
    files = {
        **REGISTRY,
        "a/session.yaml": sidecar("M001", "2024-01-01 10:00:00", attributes="  rig: <b>x</b>\n"),
    }
    with load_catalog(write_root(tmp_path / "esc", files)) as catalog:
        page = render_html(build_overview(catalog, attributes=["rig"]))
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
