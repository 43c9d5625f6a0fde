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
        "approved": "due",  # approved, waiting to be paid: an outline and an open circle
        "paid": "paid",  # filled, with a tick: told apart from "approved" by more than colour
        "rejected": "bad",
        "withdrawn": "muted",
        "changes_requested": "warn",
        "submitted": "info",
    }.get(state, "muted")
