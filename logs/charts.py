"""Server-rendered SVG charts. Each has a title and a text alternative; shapes, not only
colours, tell the states apart."""

from __future__ import annotations

from functools import cache

from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

CELL, GAP, COLUMNS = 16, 4, 13

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
    "before": '<g><title>{t}</title><rect x="{x}" y="{y}" width="16" height="16" rx="3" class="hm-before"/></g>',
}


def _cell(status: str, x: int, y: int, title: str) -> str:
    return _SHAPES[status].format(x=x, y=y, x1=x + 0.5, y1=y + 0.5, x2=x + 16, y2=y + 16, cx=x + 8, cy=y + 8, t=title)


def heatmap_svg(marks) -> SafeString:
    """A year of Learning Days, a row per quarter, oldest first."""
    rows = (len(marks) + COLUMNS - 1) // COLUMNS
    label_width = 34
    width = label_width + COLUMNS * (CELL + GAP)
    height = rows * (CELL + GAP)
    parts = []
    for i, mark in enumerate(marks):
        row, col = divmod(i, COLUMNS)
        if col == 0:
            parts.append(
                format_html(
                    '<text x="0" y="{}" class="chart-label">{}</text>',
                    row * (CELL + GAP) + 12,
                    dateformat.format(mark.day, "M"),
                )
            )
        title = f"{dateformat.format(mark.day, 'l j F Y')}: {mark.label}"
        parts.append(_cell(mark.status, label_width + col * (CELL + GAP), row * (CELL + GAP), _escape(title)))
    return format_html(
        '<svg class="heatmap" viewBox="0 0 {} {}" role="img" aria-labelledby="heatmap-title">'
        '<title id="heatmap-title">Your Learning Days of the last year</title>{}</svg>',
        width,
        height,
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
