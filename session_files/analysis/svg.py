"""Small inline SVG charts: bars over months, a subject-by-month heat map, horizontal bars.

Plain SVG written here, no JavaScript and no library: the page stays one small file that
any browser draws offline, and every mark carries a ``<title>`` with its exact figure.
"""

from __future__ import annotations

import math
from html import escape

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
BAR = "#3b6ea8"
EMPTY = "#f1f3f6"


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {FONT}{extra}>{escape(text)}</text>'
    )


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}"'
        f' width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">'
        + "".join(body)
        + "</svg>"
    )


def _sessions(count: int) -> str:
    return "1 session" if count == 1 else f"{count} sessions"


def _shade(fraction: float) -> str:
    """From a pale to a deep blue as ``fraction`` goes from 0 to 1."""
    low, high = (222, 235, 247), (8, 48, 107)
    r, g, b = (round(lo + (hi - lo) * fraction) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _label_every(count: int, room: float) -> int:
    """Show every n-th month label so that labels (about 44 px each) do not overlap."""
    return max(1, math.ceil(44 / max(room, 1)))


def month_bars(months: list[str], counts: dict[str, int], *, label: str) -> str:
    """Vertical bars, one per month (gaps included)."""
    left, top, bottom, height = 44, 10, 36, 180
    step = max(3.0, min(48.0, 860 / max(len(months), 1)))
    width = left + step * len(months) + 10
    peak = max(counts.values(), default=0) or 1
    body: list[str] = []
    for tick in (0, peak / 2, peak):
        y = top + height - height * tick / peak
        body.append(
            f'<line x1="{left}" x2="{width - 10:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        body.append(_text(left - 4, y + 4, f"{tick:.0f}", "end"))
    every = _label_every(len(months), step)
    for i, month in enumerate(months):
        count = counts.get(month, 0)
        h = height * count / peak
        x = left + i * step
        body.append(
            f'<rect class="bar" x="{x + 0.5:.1f}" y="{top + height - h:.1f}"'
            f' width="{max(step - 1, 1):.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{escape(month)}: {_sessions(count)}</title></rect>"
        )
        if i % every == 0:
            body.append(_text(x + step / 2, top + height + 14, month, "middle"))
    return _svg(width, top + height + bottom, label, body)


def heat_map(
    rows: list[str],
    months: list[str],
    counts: dict[tuple[str, str], int],
    *,
    label: str,
    shares: dict[str, int] | None = None,
) -> str:
    """One row per subject, one column per month; darker is more sessions. A row in
    ``shares`` stands for that many subjects: it is shaded by its mean per subject."""
    left, top, cell_h = 90, 24, 16
    cell_w = max(3.0, min(48.0, 820 / max(len(months), 1)))
    width = left + cell_w * len(months) + 10
    height = top + cell_h * len(rows) + 6
    shares = shares or {}
    means = {key: n / shares.get(key[0], 1) for key, n in counts.items()}
    peak = max(means.values(), default=0) or 1
    body: list[str] = []
    every = _label_every(len(months), cell_w)
    for j, month in enumerate(months):
        if j % every == 0:
            body.append(_text(left + j * cell_w, top - 8, month))
    for i, row in enumerate(rows):
        y = top + i * cell_h
        body.append(_text(left - 6, y + cell_h - 3, row, "end"))
        for j, month in enumerate(months):
            count = counts.get((row, month), 0)
            fill = _shade(min(means.get((row, month), 0) / peak, 1.0)) if count else EMPTY
            body.append(
                f'<rect class="cell" x="{left + j * cell_w:.1f}" y="{y}"'
                f' width="{max(cell_w - 1, 1):.1f}" height="{cell_h - 1}" fill="{fill}">'
                f"<title>{escape(row)} {escape(month)}: {_sessions(count)}</title></rect>"
            )
    return _svg(width, height, label, body)


def horizontal_bars(items: list[tuple[str, int]], *, label: str) -> str:
    """One bar per item, its count at the end."""
    left, bar_h, width = 150, 18, 640
    peak = max((n for _, n in items), default=0) or 1
    room = width - left - 60
    body: list[str] = []
    for i, (name, count) in enumerate(items):
        y = 4 + i * (bar_h + 4)
        w = room * count / peak
        shown = name if len(name) <= 24 else name[:23] + "…"
        body.append(_text(left - 6, y + bar_h - 5, shown, "end"))
        body.append(
            f'<rect class="bar" x="{left}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}"'
            f' fill="{BAR}"><title>{escape(name)}: {count}</title></rect>'
        )
        body.append(_text(left + w + 6, y + bar_h - 5, str(count)))
    return _svg(width, 8 + len(items) * (bar_h + 4), label, body)
