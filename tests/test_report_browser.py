"""``session-files report`` opened in a real headless Chromium (Debian's ``chromium``):
the plots render, the figures are the catalog's, nothing is fetched, the console is clean.

Playwright drives the system browser (``executable_path``); it never downloads one. A
missing browser skips these tests with the command that installs it (tests/system.py), and
fails them when CI is set (``.ci/run`` installs it).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, sync_playwright

from session_files import IncompleteCatalogWarning, load_catalog
from session_files.cli import main
from tests.fixtures_roots import REGISTRY, sidecar, write_root
from tests.system import require

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium = require("chromium")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=chromium, args=ARGS, headless=True
        )
        assert context.browser is not None
        yield context.browser
        context.close()


def _open(browser: Browser, page_file: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    return page, problems, requests


def test_report_renders_with_the_catalogs_figures(browser: Browser, lab: Path) -> None:
    write_root(
        lab,
        {
            "M002/2024-03-05_09-00-00/session.yaml": sidecar(
                "M002", "2024-03-05 09:00:00", ["alice"], attributes="  rig: rig-1\n"
            ),
            "bad/session.yaml": sidecar("M009", "2024-03-01 10:00:00"),
            "M001/x/session.yml": "subject: M001\n",
        },
    )
    out = lab.parent / "report.html"
    result = CliRunner().invoke(main, ["report", str(lab), "--out", str(out), "--attribute", "rig"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}: 4 sessions, 2 subjects, 1 error, 1 warning\n"
    assert "1 sidecar was left out of the view" in result.stderr

    page, problems, requests = _open(browser, out)
    assert problems == []
    assert requests == [out.as_uri()], "the page fetched something besides itself"

    # every chart is drawn: a visible SVG with marks in it
    charts = page.locator("svg")
    assert charts.count() == 6  # per month, heat map, experimenters, projects, rig, names
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 20
        assert charts.nth(i).locator("rect").count() > 0

    figure = {
        key: int(page.locator(f'[data-figure="{key}"]').inner_text())
        for key in ("sessions", "subjects", "left-out", "errors", "warnings", "months")
    }
    with pytest.warns(IncompleteCatalogWarning), load_catalog(lab) as catalog:
        sessions = catalog.sessions()
        assert figure == {
            "sessions": len(sessions),
            "subjects": len({s.subject for s in sessions}),
            "left-out": 1,
            "errors": 1,
            "warnings": 1,
            "months": 3,  # 2024-01 .. 2024-03
        }
        users = Counter(u for s in sessions for u in s.experimenters)
        rigs = Counter(
            a.attribute_value for a in catalog["session__attribute"].restrict(attribute_name="rig")
        )
    assert _breakdown(page, "experimenter") == {**users, "(none)": 1}
    assert _breakdown(page, "attribute:rig") == {**rigs, "(not set)": 2}
    bars = page.locator("#per-month rect.bar")
    assert [bars.nth(i).locator("title").text_content() for i in range(3)] == [
        "2024-01: 2 sessions",
        "2024-02: 1 session",
        "2024-03: 1 session",
    ]

    unknown = page.locator('details[data-code="unknown-subject"]')
    assert unknown.get_attribute("data-count") == "1"
    assert "bad/session.yaml:1:10" in unknown.inner_text()
    misnamed = page.locator('details[data-code="misnamed-sidecar"]')
    assert "M001/x/session.yml" in misnamed.inner_text()
    page.close()


def _breakdown(page: Any, key: str) -> dict[str, int]:
    cells = page.locator(f'section[data-breakdown="{key}"] td[data-name]')
    return {
        cells.nth(i).get_attribute("data-name"): int(cells.nth(i).text_content())
        for i in range(cells.count())
    }


def _many_subjects(root: Path, subjects: int) -> None:
    """``subjects`` subjects, 1 to 12 sessions each over six months; most sessions have no
    experimenter, so "(none)" is the largest experimenter bar."""
    registry = "".join(
        f"S{i:03d}: {{sex: F, subject_birth_date: 2023-01-01}}\n" for i in range(subjects)
    )
    files: dict[str, str] = {"registry/subjects.yaml": registry}
    for i in range(subjects):
        for k in range(1 + (i * 7) % 12):
            month = 1 + (i + k * (1 + i % 3)) % 6
            when = f"2024-{month:02d}-{1 + k:02d} {10 + i % 8:02d}:{i % 60:02d}:00"
            users = ["alice"] if k == 0 else None
            files[f"S{i:03d}/{k:02d}/session.yaml"] = sidecar(f"S{i:03d}", when, users)
    write_root(root, {**{k: v for k, v in REGISTRY.items() if "subjects" not in k}, **files})


def test_report_charts_scale_to_200_subjects(
    browser: Browser, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The heat map: the 60 subjects with most sessions and one row for the rest, shades of
    count ranges with a legend (not one colour for every cell); the month chart spans the
    page with whole, evenly spaced ticks; "(none)" sorted by its count like any value."""
    root = tmp_path / "lab"
    _many_subjects(root, 200)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page, problems, _ = _open(browser, out)
    assert problems == []
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    keep = os.environ.get("SESSION_FILES_SCREENSHOTS")
    if keep:  # for a person to look at (the note has one)
        shutil.copy(shot, Path(keep) / "report-200-subjects.png")

    heat = page.locator("#per-subject-month svg")
    rows = heat.locator("> text[text-anchor=end]").all_text_contents()
    assert len(rows) == 61 and rows[-1] == "140 others"
    with load_catalog(root) as catalog:
        top = Counter(s.subject for s in catalog.sessions()).most_common()
    assert rows[0] == top[0][0]
    fills = {
        heat.locator("rect.cell").nth(i).get_attribute("fill")
        for i in range(heat.locator("rect.cell").count())
    }
    assert len(fills) >= 5, fills  # the empty shade and at least 4 levels
    swatches = heat.locator("g.legend rect.swatch")
    legend_fills = [swatches.nth(i).get_attribute("fill") for i in range(swatches.count())]
    assert 3 <= len(legend_fills) <= 6 and fills == set(legend_fills)
    assert heat.locator("g.legend").bounding_box() is not None

    ticks = [int(t) for t in page.locator("#per-month text.tick").all_text_contents()]
    assert ticks[0] == 0 and len(ticks) >= 3
    assert len({b - a for a, b in itertools.pairwise(ticks)}) == 1  # evenly spaced
    peak = max(
        int(t.split(": ")[1].split()[0])
        for t in page.locator("#per-month rect.bar title").all_text_contents()
    )
    assert ticks[-2] < peak <= ticks[-1]
    chart = page.locator("#per-month svg").bounding_box()
    content = page.locator("h1").bounding_box()
    assert chart is not None and content is not None
    assert chart["width"] >= 0.7 * content["width"], (chart, content)

    experimenters = _breakdown(page, "experimenter")
    assert next(iter(experimenters)) == "(none)"
    assert experimenters["(none)"] > experimenters["alice"]
    page.close()


def test_month_ticks_are_whole_and_even_for_a_small_root(browser: Browser, lab: Path) -> None:
    out = lab.parent / "small.html"
    assert CliRunner().invoke(main, ["report", str(lab), "--out", str(out)]).exit_code == 0
    page, _, _ = _open(browser, out)
    ticks = page.locator("#per-month text.tick").all_text_contents()
    peak = max(
        int(t.split(": ")[1].split()[0])
        for t in page.locator("#per-month rect.bar title").all_text_contents()
    )
    assert ticks == [str(n) for n in range(peak + 1)]  # 0 1 2 (never 0 2 3)
    page.close()
