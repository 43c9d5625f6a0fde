"""The /impact/ page's charts: server-rendered SVG like logs.charts, each with a title, a
description pointing at the table beside it, and a <title> per bar. Series differ by shape
(fill, outline, stripes) and by a letter under each bar, not by colour alone."""

from __future__ import annotations

from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

TOP, CHART_H, LEFT = 18, 120, 40


def _grid(width: int) -> SafeString:
    return format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid"/><text x="0" y="{}" class="chart-label">{}%</text>',
        ((LEFT - 4, width, y, y, y + 4, int(p * 100)) for p, y in ((p, TOP + CHART_H * (1 - p)) for p in (0, 0.5, 1))),
    )


def _svg(css: str, ident: str, title: str, width: int, height: int, parts: list) -> SafeString:
    return format_html(
        '<svg class="impact-chart {}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">The table below gives the same figures.</desc>{}{}</svg>',
        css,
        width,
        height,
        width,
        height,
        ident,
        ident,
        ident,
        title,
        ident,
        _grid(width),
        mark_safe("".join(str(p) for p in parts)),  # noqa: S308  (each part built with format_html)
    )


def participation_year_svg(points) -> SafeString:
    """A bar per Learning Day of the year: the share of those expected who posted."""
    bar, gap = 10, 4
    width = LEFT + max(len(points), 1) * (bar + gap)
    height = TOP + CHART_H + 34
    parts = []
    for i, point in enumerate(points):
        x = LEFT + i * (bar + gap)
        rate = point.tally.rate
        when = dateformat.format(point.day, "j F Y")
        if rate is None:
            parts.append(format_html("<g><title>{}: nobody expected</title></g>", when))
        else:
            h = max(CHART_H * rate, 0.5)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar">'
                    "<title>{}: {} of {} posted ({}%)</title></rect>",
                    x,
                    TOP + CHART_H - h,
                    bar,
                    h,
                    when,
                    point.tally.posted,
                    point.tally.expected,
                    round(rate * 100),
                )
            )
        if point.day.day <= 7:  # the first Learning Day of a month carries the month's name
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="chart-label">{}</text>',
                    x,
                    TOP + CHART_H + 16,
                    dateformat.format(point.day, "M"),
                )
            )
    title = "Share who posted, per Learning Day"
    return _svg("impact-participation", "impact-participation", title, width, height, parts)


# (attribute of Tally, CSS class, letter under the bar, words)
DEATHS = (
    ("missed", "impact-bar-missed", "N", "no post"),
    ("other_days", "impact-bar-other", "O", "posts on other days"),
    ("crowded", "impact-bar-crowded", "C", "crowded out by regular work"),
)


def deaths_svg(periods, tallies) -> SafeString:
    """Per period, three bars: of the Learning Days people were expected, the share with no
    post, the posts on other days, and the posts crowded out by regular work."""
    bar, group_gap = 22, 26
    group = len(DEATHS) * bar + group_gap
    width = LEFT + max(len(periods), 1) * group
    height = TOP + CHART_H + 40
    parts = []
    for i, (period, tally) in enumerate(zip(periods, tallies, strict=True)):
        x0 = LEFT + i * group
        for j, (attr, css, letter, words) in enumerate(DEATHS):
            value = getattr(tally, attr)
            share = min(value / tally.expected, 1) if tally.expected else 0
            h = max(CHART_H * share, 0.5)
            x = x0 + j * bar
            parts.append(
                format_html(
                    "<g><title>{}: {} {} ({}% of {} expected Learning Days)</title>"
                    '<rect x="{}" y="{}" width="{}" height="{}" class="{}"/>'
                    '<text x="{}" y="{}" class="chart-label" text-anchor="middle">{}</text></g>',
                    period.label,
                    value,
                    words,
                    round(share * 100),
                    tally.expected,
                    x + 1,
                    TOP + CHART_H - h,
                    bar - 4,
                    h,
                    css,
                    x + bar / 2 - 1,
                    TOP + CHART_H + 14,
                    letter,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="chart-label" text-anchor="middle">{}</text>',
                x0 + len(DEATHS) * bar / 2,
                TOP + CHART_H + 32,
                period.label,
            )
        )
    return _svg("impact-deaths", "impact-deaths", "How Learning Days were lost, per quarter", width, height, parts)
