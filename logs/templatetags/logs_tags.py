from django import template

from logs import selectors
from logs.charts import legend_shape as _legend_shape

register = template.Library()


@register.simple_tag
def legend_shape(status: str):
    return _legend_shape(status)


@register.simple_tag
def entries_about(item, user, limit: int = 20):
    """The learning-log entries that point at a reading item, for its page."""
    return list(selectors.entries_about(item, user)[:limit])


@register.filter
def percent(rate) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"
