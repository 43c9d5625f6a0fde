"""The dashboard's claims part, for the logs app's dashboard template.

The dashboard lives in logs, which sits below reimbursements and may not import it. Its
template loads this library instead (`{% load claims_dashboard %}`): a template's reference,
resolved by Django at render time, so the layers hold and the queries run only on the
dashboard, not on every page as a context processor's would."""

from __future__ import annotations

from django import template

from learningday import calendar
from reimbursements import selectors

register = template.Library()


@register.inclusion_tag("reimbursements/_waiting_for_you.html", takes_context=True)
def claims_waiting_for_you(context) -> dict:
    """What in claims needs this person: their claims sent back for changes, each with the
    note, and how many claims wait for their decision. Nothing when nothing does. One query
    for the claims, one count for a manager or finance."""
    user = context["user"]
    return {"changes_requested": list(selectors.changes_requested_of(user)), "to_review": selectors.review_count(user)}


@register.inclusion_tag("reimbursements/_budget_left.html", takes_context=True)
def claims_budget_left(context) -> dict:
    """The person's budget left this year (their local year): two queries."""
    user = context["user"]
    today = context.get("today") or calendar.user_today(user)
    return {"budget": selectors.budget_for(user, today.year)}
