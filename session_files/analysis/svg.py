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
PLOT_WIDTH = 860  # px of the month chart's and the heat map's plotting area
LEVELS = 5  # shades of the heat map at most (each a range of counts, in its legend)


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


def nice_ticks(peak: int) -> list[int]:
    """Whole-number axis ticks from 0 to at least ``peak``, evenly spaced by 1, 2 or 5
    times a power of ten, at most 6 of them (``3`` gives 0 1 2 3; ``7`` gives 0 2 4 6 8)."""
    peak = max(peak, 1)
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * power
            if math.ceil(peak / step) <= 5:
                return list(range(0, step * math.ceil(peak / step) + 1, step))
        power *= 10


def shade_levels(values: list[float]) -> list[tuple[float, float]]:
    """The heat map's scale: up to LEVELS ranges (low, high) of the non-zero ``values``,
    each holding about as many distinct values (quantiles of the distinct values), so a
    few large counts do not leave every other cell the same pale colour."""
    distinct = sorted(set(values))
    if not distinct:
        return []
    if len(distinct) <= LEVELS:
        return [(v, v) for v in distinct]
    bounds = [distinct[round(i * (len(distinct) - 1) / LEVELS)] for i in range(LEVELS + 1)]
    levels = [(bounds[0], bounds[1])]
    for i in range(1, LEVELS):
        low = min(v for v in distinct if v > bounds[i])
        levels.append((low, bounds[i + 1]))
    return levels


def _level(value: float, levels: list[tuple[float, float]]) -> int:
    for i, (_, high) in enumerate(levels):
        if value <= high:
            return i
    return len(levels) - 1


def _level_shade(index: int, count: int) -> str:
    return _shade(0.55 if count == 1 else 0.15 + 0.85 * index / (count - 1))


def _figure(value: float) -> str:
    """A count or a mean per subject, to one decimal where it has one (``2``, ``1.3``)."""
    return f"{value:.1f}".removesuffix(".0")


def _label_every(count: int, room: float) -> int:
    """Show every n-th month label so that labels (about 44 px each) do not overlap."""
    return max(1, math.ceil(44 / max(room, 1)))


def month_bars(months: list[str], counts: dict[str, int], *, label: str) -> str:
    """Vertical bars, one per month (gaps included), across the plotting width; the axis
    has whole-number ticks (``nice_ticks``)."""
    left, top, bottom, height = 44, 10, 36, 180
    step = max(3.0, PLOT_WIDTH / max(len(months), 1))
    width = left + step * len(months) + 10
    ticks = nice_ticks(max(counts.values(), default=0))
    scale = ticks[-1]
    body: list[str] = []
    for tick in ticks:
        y = top + height - height * tick / scale
        body.append(
            f'<line x1="{left}" x2="{width - 10:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        body.append(_text(left - 4, y + 4, str(tick), "end", ' class="tick"'))
    every = _label_every(len(months), step)
    gap = max(1.0, step * 0.15)
    for i, month in enumerate(months):
        count = counts.get(month, 0)
        h = height * count / scale
        x = left + i * step
        body.append(
            f'<rect class="bar" x="{x + gap / 2:.1f}" y="{top + height - h:.1f}"'
            f' width="{max(step - gap, 1):.1f}" height="{h:.1f}" fill="{BAR}">'
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
    """One row per subject, one column per month across the plotting width; darker is
    more sessions, in up to LEVELS shades of count ranges (``shade_levels``) shown in a
    legend below. A row in ``shares`` stands for that many subjects: it is shaded by its
    mean per subject."""
    left, top, cell_h = 90, 24, 16
    cell_w = max(3.0, PLOT_WIDTH / max(len(months), 1))
    width = max(left + cell_w * len(months) + 10, 520)
    grid_bottom = top + cell_h * len(rows)
    height = grid_bottom + 44
    shares = shares or {}
    means = {key: n / shares.get(key[0], 1) for key, n in counts.items()}
    levels = shade_levels([m for m in means.values() if m > 0])
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
            fill = (
                _level_shade(_level(means[(row, month)], levels), len(levels)) if count else EMPTY
            )
            body.append(
                f'<rect class="cell" x="{left + j * cell_w:.1f}" y="{y}"'
                f' width="{max(cell_w - 1, 1):.1f}" height="{cell_h - 1}" fill="{fill}">'
                f"<title>{escape(row)} {escape(month)}: {_sessions(count)}</title></rect>"
            )
    body.append(_legend(left, grid_bottom + 14, levels, bool(shares)))
    return _svg(width, height, label, body)


def _legend(x: float, y: float, levels: list[tuple[float, float]], means: bool) -> str:
    """The heat map's key: the empty shade, then each level's shade with its range."""
    parts = ['<g class="legend">', _text(x - 6, y + 11, "sessions", "end")]
    swatches = [(EMPTY, "0")] + [
        (
            _level_shade(i, len(levels)),
            _figure(low)
            if _figure(low) == _figure(high)
            else f"{_figure(low)}\N{EN DASH}{_figure(high)}",
        )
        for i, (low, high) in enumerate(levels)
    ]
    for i, (fill, text) in enumerate(swatches):
        sx = x + i * 72
        parts.append(
            f'<rect class="swatch" x="{sx:.1f}" y="{y}" width="14" height="14" fill="{fill}"'
            f' stroke="#ccc" data-range="{escape(text)}"><title>{escape(text)}</title></rect>'
        )
        parts.append(_text(sx + 18, y + 11, text))
    if means:
        parts.append(_text(x, y + 28, "(the others row: its mean per subject)"))
    parts.append("</g>")
    return "".join(parts)


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
