"""The growth grid: a server-rendered SVG, a row per topic and a column per Learning Day, with a
title, a description and a title on each mark; the table beside it gives the same figures."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

CELL, GAP, LABEL_WIDTH, TOP = 12, 4, 132, 18
NAME_CHARS = 20


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


def topics_svg(topics, days: list[dt.date]) -> SafeString:
    """A row per topic (``TopicYear``), a column per Learning Day of ``days`` (oldest first),
    a filled square where an entry with the topic fell on that Learning Day or in its week;
    the month's short name above the first Learning Day of each month."""
    step = CELL + GAP
    grid = len(days) * step  # the grid, then the topics' names at the right of their rows: a narrow
    width = grid + LABEL_WIDTH  # screen starts scrolled to the newest weeks, and so to the names
    height = TOP + max(len(topics), 1) * step
    parts = []
    firsts = [col for col, day in enumerate(days) if col == 0 or day.month != days[col - 1].month]
    # The first column's month only when its own label has room before the next month's.
    if len(firsts) > 1 and firsts[1] < 3:
        firsts = firsts[1:]
    for col in firsts:
        parts.append(
            format_html(
                '<text x="{}" y="11" class="chart-label">{}</text>',
                col * step,
                dateformat.format(days[col], "M"),
            )
        )
    column = {day: col for col, day in enumerate(days)}
    for row, topic in enumerate(topics):
        y = TOP + row * step
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="chart-label"><title>{}</title>{}</text>',
                grid + 4,
                y + CELL - 2,
                topic.name,
                _short(topic.name),
            )
        )
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="growth-row"/>',
                0,
                grid - GAP,
                y + CELL / 2,
                y + CELL / 2,
            )
        )
        for day in sorted(topic.weeks):
            if day not in column:
                continue
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" rx="2" class="growth-mark"><title>{}</title></rect>',
                    column[day] * step,
                    y,
                    CELL,
                    CELL,
                    f"{topic.name}: the week of {dateformat.format(day, 'l j F Y')}",
                )
            )
    description = (
        f"{len(topics)} topic{'s' if len(topics) != 1 else ''} over the {len(days)} Learning Days "
        f"from {dateformat.format(days[0], 'j F Y')} to {dateformat.format(days[-1], 'j F Y')}; "
        "the table below gives each topic's entries, first and last day."
    )
    return format_html(
        '<svg class="growth-grid" viewBox="0 0 {} {}" role="img"'
        ' aria-labelledby="growth-chart-title growth-chart-desc">'
        '<title id="growth-chart-title">The topics I learned in, Learning Day by Learning Day</title>'
        '<desc id="growth-chart-desc">{}</desc>{}</svg>',
        width,
        height,
        description,
        mark_safe("".join(str(p) for p in parts)),  # noqa: S308  (each part built with format_html)
    )
