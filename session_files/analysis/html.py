"""The overview as one self-contained HTML page: inline CSS and SVG, no script, no link.

Each figure is in an element with ``data-figure`` (and the breakdown tables hold every
count), so tests and scripts can read the numbers the page shows.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from .overview import Overview
from .svg import heat_map, horizontal_bars, month_bars

HEAT_ROWS = 60  # subjects drawn one per row; the rest share one row
BARS = 25  # values drawn per breakdown; the rest share one bar
FINDINGS_PER_CODE = 10_000  # listed per code; the page says how many more there are

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
color:#1d2330}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #e3e6eb;padding-bottom:.2rem}
.root{color:#5a6270;margin-top:0}
.totals{display:flex;flex-wrap:wrap;gap:.8rem;padding:0;margin:1rem 0}
.totals div{background:#f5f7fa;border-radius:6px;padding:.6rem 1rem;min-width:7rem}
.totals dt{color:#5a6270;font-size:.8rem}.totals dd{margin:0;font-size:1.4rem;font-weight:600}
.totals .bad dd{color:#b42318}
.chart{overflow-x:auto}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.15rem .7rem;text-align:left;
border-bottom:1px solid #eef0f3}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}
.error{color:#b42318}.warning{color:#9a6700}
ul.findings{list-style:none;padding-left:1rem;font-size:.9rem}
ul.findings code{background:#f5f7fa;padding:0 .2rem}
.note{color:#5a6270;font-size:.9rem}
"""


def _top(items: list[tuple[str, int]], limit: int = BARS) -> list[tuple[str, int]]:
    if len(items) <= limit:
        return items
    rest = items[limit - 1 :]
    return [*items[: limit - 1], (f"{len(rest)} others", sum(n for _, n in rest))]


def _table(items: list[tuple[str, int]], what: str) -> str:
    rows = "".join(
        f'<tr><td>{escape(name)}</td><td class="n" data-name="{escape(name)}">{n}</td></tr>'
        for name, n in items
    )
    return f'<table><tr><th>{what}</th><th class="n">sessions</th></tr>{rows}</table>'


def _breakdown(title: str, items: list[tuple[str, int]], what: str, key: str) -> str:
    """A section with a bar chart of ``items`` and the table of every count."""
    head = f'<section data-breakdown="{escape(key)}"><h2>{escape(title)}</h2>'
    if not items:
        return f"{head}<p class=note>None.</p></section>"
    chart = horizontal_bars(_top(items), label=title)
    return (
        f'{head}<div class="chart">{chart}</div>'
        f"<details><summary>Every {escape(what)} ({len(items)})</summary>"
        f"{_table(items, what)}</details></section>"
    )


def _totals(view: Overview) -> str:
    cells = [
        ("sessions", "sessions in the view", view.sessions, False),
        ("subjects", "subjects with sessions", view.subjects, False),
        ("left-out", "sidecars left out", view.left_out, view.left_out > 0),
        ("errors", "errors", view.errors, view.errors > 0),
        ("warnings", "warnings", view.warnings, False),
        ("months", "months", len(view.months), False),
    ]
    return (
        '<dl class="totals">'
        + "".join(
            f"<div{' class=bad' if bad else ''}><dt>{label}</dt>"
            f'<dd data-figure="{key}">{value}</dd></div>'
            for key, label, value, bad in cells
        )
        + "</dl>"
    )


def _over_time(view: Overview) -> str:
    if not view.months:
        return "<h2>Sessions over time</h2><p class=note>No sessions.</p>"
    subjects = [s.subject for s in view.per_subject]
    counts = dict(view.per_subject_month)
    rows = subjects[:HEAT_ROWS]
    shares: dict[str, int] = {}  # the "others" row stands for many subjects
    if len(subjects) > HEAT_ROWS:  # the HEAT_ROWS subjects with most sessions, then the rest
        other = f"{len(subjects) - HEAT_ROWS} others"
        shares[other] = len(subjects) - HEAT_ROWS
        rows = [*subjects[:HEAT_ROWS], other]
        shown = set(rows)
        for (subject, month), n in view.per_subject_month.items():
            if subject not in shown:
                counts[(other, month)] = counts.get((other, month), 0) + n
    heat_label = "Sessions per subject per month (the others row: mean per subject)"
    per_subject = "".join(
        f'<tr><td>{escape(s.subject)}</td><td class="n" data-subject="{escape(s.subject)}">'
        f"{s.sessions}</td><td>{escape(s.first)}</td><td>{escape(s.last)}</td></tr>"
        for s in view.per_subject
    )
    return (
        "<h2>Sessions per month</h2>"
        f'<div class="chart" id="per-month">{month_bars(view.months, view.per_month, label="Sessions per month")}</div>'
        "<h2>Sessions per subject per month</h2>"
        f'<div class="chart" id="per-subject-month">'
        f"{heat_map(rows, view.months, counts, label=heat_label, shares=shares)}</div>"
        f"<details><summary>Every subject ({len(view.per_subject)})</summary><table>"
        '<tr><th>subject</th><th class="n">sessions</th><th>first</th><th>last</th></tr>'
        f"{per_subject}</table></details>"
    )


def _findings(view: Overview) -> str:
    groups = view.findings_by_code()
    if not groups:
        return '<h2 id="findings">Findings</h2><p class=note data-figure="codes">No findings.</p>'
    parts = ['<h2 id="findings">Findings by code</h2>']
    for code, findings in groups.items():
        severity = "error" if any(f.severity == "error" for f in findings) else "warning"
        items = []
        for finding in findings[:FINDINGS_PER_CODE]:
            where = finding.path
            if finding.line is not None:
                where += f":{finding.line}"
                if finding.column is not None:
                    where += f":{finding.column}"
            items.append(f"<li><code>{escape(where)}</code> {escape(finding.message)}</li>")
        more = len(findings) - FINDINGS_PER_CODE
        if more > 0:
            items.append(
                f"<li class=note>…and {more} more; run <code>session-files validate</code>"
                " for the full list</li>"
            )
        parts.append(
            f'<details open data-code="{escape(code)}" data-count="{len(findings)}">'
            f'<summary><span class="{severity}">{escape(code)}</span> ({severity}):'
            f" {len(findings)}</summary>"
            f'<ul class="findings">{"".join(items)}</ul></details>'
        )
    return "".join(parts)


def render_html(view: Overview, *, generated: datetime | None = None) -> str:
    """The page of ``view``."""
    when = (generated or datetime.now()).replace(microsecond=0).isoformat(sep=" ")
    attributes = "".join(
        _breakdown(f"Attribute {name}{_unit(view, name)}", values, "value", f"attribute:{name}")
        for name, values in view.attributes.items()
    )
    body = [
        "<h1>Sessions report</h1>",
        f'<p class="root">{escape(view.root)} · generated {when} by session-files</p>',
        _totals(view),
        _over_time(view),
        _breakdown("Sessions by experimenter", view.experimenters, "experimenter", "experimenter"),
        _breakdown("Sessions by project", view.projects, "project", "project"),
        attributes,
        _breakdown("Attributes recorded", view.attribute_names, "attribute", "attributes"),
        _findings(view),
    ]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Sessions report: {escape(view.root)}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _unit(view: Overview, name: str) -> str:
    """`` (degC)`` for an attribute the lab vocabulary gives a unit, else ''."""
    unit = view.units.get(name)
    return f" ({unit})" if unit else ""
