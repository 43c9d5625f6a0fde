import html
import re

from django import template
from django.conf import settings
from django.utils.html import strip_tags

from reimbursements.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = ""):
    """An amount with its currency, e.g. €1,234.50; the home currency when none is given."""
    return format_money(amount, currency or settings.HOME_CURRENCY)


@register.filter
def state_class(state: str) -> str:
    return {
        "approved": "due",  # approved, waiting to be paid: an outline and an open circle
        "paid": "paid",  # filled, with a tick: told apart from "approved" by more than colour
        "rejected": "bad",
        "withdrawn": "muted",
        "changes_requested": "warn",
        "submitted": "info",
    }.get(state, "muted")


@register.filter
def plain_text(body_html: str) -> str:
    """Sanitised HTML (an entry's rendered markdown) as one line of plain text: what it
    says, without the markup. The template escapes the result again."""
    return re.sub(r"\s+", " ", html.unescape(strip_tags(body_html or ""))).strip()


@register.filter
def waited(days: int | None) -> str:
    """How long a claim has waited, in the reader's days: "today", "1 day", "3 days"."""
    if days is None:
        return ""
    if days == 0:
        return "today"
    return f"{days} day{'s' if days != 1 else ''}"
