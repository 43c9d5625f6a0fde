"""Server-rendered SVG charts. Each has a title and a text alternative; shapes, not only
colours, tell the states apart."""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

CELL, GAP, COLUMNS = 16, 4, 14  # up to 14 weeks in a quarter

# status -> SVG for a cell at (x, y); the legend uses the same shapes.
_SHAPES = {
    "logged": '<rect x="{x}" y="{y}" width="16" height="16" rx="3" class="hm-logged"><title>{t}</title></rect>',
    "crowded": (
        '<g><title>{t}</title><rect x="{x}" y="{y}" width="16" height="16" rx="3" class="hm-crowded"/>'
        '<path d="M{x} {y2} L{x2} {y}" class="hm-stripe"/></g>'
    ),
    "missed": '<rect x="{x1}" y="{y1}" width="15" height="15" rx="3" class="hm-missed"><title>{t}</title></rect>',
    "away": '<g><title>{t}</title><circle cx="{cx}" cy="{cy}" r="4" class="hm-away"/></g>',
    "today": '<rect x="{x1}" y="{y1}" width="15" height="15" rx="3" class="hm-today"><title>{t}</title></rect>',
    # Not a box at all: a short dash, so that the time before joining never reads as missed days.
    "before": '<g><title>{t}</title><rect x="{x1}" y="{y7}" width="15" height="2" rx="1" class="hm-before"/></g>',
}


def _cell(status: str, x: int, y: int, title: str) -> str:
    return _SHAPES[status].format(
        x=x, y=y, x1=x + 0.5, y1=y + 0.5, x2=x + 16, y2=y + 16, y7=y + 7, cx=x + 8, cy=y + 8, t=title
    )


def _quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3


def quarter_label(year: int, quarter: int) -> str:
    """A row's label as what it holds: the quarter's months and year, e.g. "Jan–Mar 2026"."""
    first, last = dt.date(year, quarter * 3 + 1, 1), dt.date(year, quarter * 3 + 3, 1)
    return f"{dateformat.format(first, 'M')}–{dateformat.format(last, 'M')} {year}"


def heatmap_rows(marks) -> list[tuple[str, list[tuple[int, object]]]]:
    """The marks by calendar quarter, each with its label and each mark with its week in the
    quarter (0–13). Quarters wholly before the person joined are left out, so a new person's
    year starts where they joined rather than with rows of days they could not have logged."""
    first = next((i for i, mark in enumerate(marks) if mark.status != "before"), max(len(marks) - 1, 0))
    if not marks:
        return []
    start = _quarter(marks[first].day)
    rows: dict[tuple[int, int], list[tuple[int, object]]] = {}
    for mark in marks:
        quarter = _quarter(mark.day)
        if quarter < start:
            continue
        begins = dt.date(quarter[0], quarter[1] * 3 + 1, 1)
        rows.setdefault(quarter, []).append(((mark.day - begins).days // 7, mark))
    return [(quarter_label(*quarter), cells) for quarter, cells in rows.items()]


def heatmap_svg(marks) -> SafeString:
    """A year of Learning Days, a row per calendar quarter (labelled "Jan–Mar 2026"), a column
    per week of the quarter, oldest first; from the quarter the person joined in."""
    rows = heatmap_rows(marks)
    label_width = 84
    width = label_width + COLUMNS * (CELL + GAP)
    height = max(len(rows), 1) * (CELL + GAP)
    parts = []
    for row, (label, cells) in enumerate(rows):
        parts.append(format_html('<text x="0" y="{}" class="chart-label">{}</text>', row * (CELL + GAP) + 12, label))
        for col, mark in cells:
            title = f"{dateformat.format(mark.day, 'l j F Y')}: {mark.label}"
            parts.append(_cell(mark.status, label_width + col * (CELL + GAP), row * (CELL + GAP), _escape(title)))
    since_joining = bool(marks) and marks[0].status == "before"
    title = "Your Learning Days since you joined" if since_joining else "Your Learning Days of the last year"
    return format_html(
        '<svg class="heatmap" viewBox="0 0 {} {}" role="img" aria-labelledby="heatmap-title">'
        '<title id="heatmap-title">{}</title>{}</svg>',
        width,
        height,
        title,
        mark_safe("".join(parts)),  # noqa: S308  (built from escaped parts above)
    )


@cache
def legend_shape(status: str) -> SafeString:
    shape = _cell(status, 0, 0, "")
    return mark_safe(  # noqa: S308  (fixed shapes, no user input)
        f'<svg class="legend-shape" viewBox="0 0 17 17" width="17" height="17" aria-hidden="true">{shape}</svg>'
    )


def _escape(text: str) -> str:
    return str(format_html("{}", text))


def participation_svg(days) -> SafeString:
    """Bars of the share of the team that posted, per Learning Day."""
    bar, gap, top, chart_h, left = 34, 14, 18, 120, 40
    width = left + len(days) * (bar + gap)
    height = top + chart_h + 40
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid"/><text x="0" y="{}" class="chart-label">{}%</text>',
        (
            (
                left - 4,
                width,
                top + chart_h * (1 - p),
                top + chart_h * (1 - p),
                top + chart_h * (1 - p) + 4,
                int(p * 100),
            )
            for p in (0, 0.5, 1)
        ),
    )
    bars = []
    for i, column in enumerate(days):
        x = left + i * (bar + gap)
        label = dateformat.format(column.day, "j M")
        if column.rate is None:
            value, bar_svg = "—", ""
            title = f"{dateformat.format(column.day, 'j F Y')}: nobody expected"
        else:
            h = chart_h * column.rate
            value = f"{round(column.rate * 100)}%"
            title = f"{dateformat.format(column.day, 'j F Y')}: {column.posted} of {column.expected} posted ({value})"
            bar_svg = format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar"/>', x, top + chart_h - h, bar, max(h, 0.5)
            )
        bars.append(
            format_html(
                '<g><title>{}</title>{}<text x="{}" y="{}" class="chart-value" text-anchor="middle">{}</text>'
                '<text x="{}" y="{}" class="chart-label" text-anchor="middle">{}</text></g>',
                title,
                bar_svg,
                x + bar / 2,
                top + chart_h - (chart_h * (column.rate or 0)) - 4,
                value,
                x + bar / 2,
                top + chart_h + 16,
                label,
            )
        )
    return format_html(
        '<svg class="participation-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title chart-desc">'
        '<title id="chart-title">Share of the team that posted, per Learning Day</title>'
        '<desc id="chart-desc">The table below gives the same figures.</desc>{}{}</svg>',
        width,
        height,
        grid,
        mark_safe("".join(str(b) for b in bars)),  # noqa: S308  (each bar built with format_html)
    )
