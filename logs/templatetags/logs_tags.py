from functools import cache

from django import template
from django.utils.html import format_html

from logs import cards, selectors
from logs.charts import legend_shape as _legend_shape

register = template.Library()


@register.simple_tag
def legend_shape(status: str):
    return _legend_shape(status)


# What a participation cell says to a screen reader, by status.
CELL_LABELS = {
    "logged": "posted",
    "crowded": "posted, crowded by work",
    "missed": "no post",
    "away": "away",
    "today": "today",
    "before": "not in the team yet",
}


@register.simple_tag
@cache
def participation_cell(status: str, label: str = ""):
    """One cell of the participation grid: a team of 40 over 12 weeks has 480 of them,
    and there are only six kinds by a dozen days, so each is written once per process.
    The label (the day) heads the cell when a phone shows a row as a card."""
    return format_html(
        '<td class="cell cell-{}" data-label="{}">{}<span class="visually-hidden">{}</span></td>',
        status,
        label,
        _legend_shape(status),
        CELL_LABELS.get(status, CELL_LABELS["before"]),
    )


@register.simple_tag
def entries_about(item, user, directory: int | None = None, limit: int = 20):
    """The learning-log entries that point at a reading item, for its page, each with its card
    (``directory``: the directory's version, where the page has read it already)."""
    rows = list(cards.light(selectors.entries_about(item, user))[:limit])
    return cards.with_cards(user, rows, show_day=True, directory=directory)


@register.filter
def zip_with(first, second) -> list[tuple]:
    """Pairs from two lists, for a loop over both: a row's cells and the days they stand for."""
    return list(zip(first, second, strict=False))


@register.filter
def percent(rate) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"
