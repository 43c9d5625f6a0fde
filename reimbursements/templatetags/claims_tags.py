from django import template
from django.conf import settings

from reimbursements.money import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = ""):
    """An amount with its currency, e.g. €1,234.50; the home currency when none is given."""
    return format_money(amount, currency or settings.HOME_CURRENCY)


@register.filter
def state_class(state: str) -> str:
    return {
        "approved": "ok",
        "paid": "ok",
        "rejected": "bad",
        "withdrawn": "muted",
        "changes_requested": "warn",
        "submitted": "info",
    }.get(state, "muted")
