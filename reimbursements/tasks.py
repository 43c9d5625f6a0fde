"""Claim emails, sent by Celery after the change that causes them has committed."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage, get_connection

from learningday.models import FINANCE_GROUP, User
from reimbursements import money
from reimbursements.models import Claim
from reimbursements.services import deciders

SUBJECTS = {
    Claim.State.SUBMITTED: "Claim to decide: {claim.description}",
    Claim.State.APPROVED: "Claim approved: {claim.description}",
    Claim.State.REJECTED: "Claim rejected: {claim.description}",
    Claim.State.CHANGES_REQUESTED: "Claim returned for changes: {claim.description}",
    Claim.State.PAID: "Claim paid: {claim.description}",
}


def _finance() -> list[User]:
    group = Group.objects.filter(name=FINANCE_GROUP).first()
    return list(group.user_set.filter(is_active=True)) if group else []


def recipients(claim: Claim, event: str) -> list[str]:
    """Who hears of a change: deciders of a submitted claim, the claimant of a decision,
    and finance of an approval. Never the person who made the change."""
    if event == Claim.State.SUBMITTED:
        people = deciders(claim) or _finance()
    elif event == Claim.State.APPROVED:
        people = [claim.claimant, *_finance()]
    elif event in SUBJECTS:
        people = [claim.claimant]
    else:
        people = []
    actor = claim.events.order_by("-at", "-pk").values_list("actor_id", flat=True).first()
    skip = {actor, claim.claimant_id} if event == Claim.State.SUBMITTED else {actor}
    return sorted({p.email for p in people if p.pk not in skip})


def _body(claim: Claim, event: str) -> str:
    last = claim.events.order_by("-at", "-pk").first()
    amount = money.format_money(claim.amount, claim.currency)
    lines = [
        f"{claim.claimant.name}'s claim for {claim.get_kind_display().lower()}: {claim.description}",
        f"Amount: {amount}"
        + (
            f" (approved {money.format_money(claim.approved_amount, settings.HOME_CURRENCY)})"
            if claim.approved_amount
            else ""
        ),
        f"Now: {claim.get_state_display()}",
    ]
    if last is not None and last.note:
        lines.append(f"Note: {last.note}")
    lines += ["", f"Open it: {settings.SITE_URL}{claim.get_absolute_url()}"]
    return "\n".join(lines)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def notify_claim(claim_id: int, event: str) -> int:
    """Email the people a claim's change concerns; returns how many emails went out."""
    claim = Claim.objects.select_related("claimant").filter(pk=claim_id).first()
    if claim is None or event not in SUBJECTS:
        return 0
    to = recipients(claim, event)
    if not to:
        return 0
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + SUBJECTS[event].format(claim=claim)
    body = _body(claim, event)
    with get_connection() as connection:
        messages = [
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address], connection=connection) for address in to
        ]
        return connection.send_messages(messages) or 0
