from django import template

from logs.charts import legend_shape as _legend_shape

register = template.Library()


@register.simple_tag
def legend_shape(status: str):
    return _legend_shape(status)


@register.filter
def percent(rate) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"
