"""Claim emails, sent by Celery after the change that causes them has committed, each
once through the outbox (``learningday.outbox``)."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage, get_connection

from learningday import mail, outbox
from learningday.models import FINANCE_GROUP, User
from reimbursements import money, pending, rates
from reimbursements.models import Claim, ClaimEvent
from reimbursements.selectors import deciders

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


def recipients(claim: Claim, event: str) -> list[User]:
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
    return sorted({p.pk: p for p in people if p.pk not in skip}.values(), key=lambda p: p.email)


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


@shared_task(bind=True, **outbox.RETRY)
def notify_claim(self, event_id: int) -> int:
    """Email the people a step of a claim concerns, each once; returns how many were sent."""
    event = ClaimEvent.objects.select_related("claim", "claim__claimant").filter(pk=event_id).first()
    if event is None or event.to_state not in SUBJECTS:
        return 0
    claim, kind = event.claim, event.to_state
    owner = self.request.id or f"inline-{event_id}"
    people = {person.pk: person for person in recipients(claim, kind)}
    about = outbox.Message(kind=outbox.Kind.CLAIM_NOTICE, key=f"event:{event.pk}")
    mine = outbox.claim(message=about, owner=owner, user_ids=list(people))
    if not mine:
        return 0  # sent already, or another run of this task is sending them
    subject = mail.subject(SUBJECTS[kind].format(claim=claim))
    body = _body(claim, kind)
    sent = 0
    with get_connection() as connection:
        for person in sorted((people[pk] for pk in mine), key=lambda p: p.email):
            try:
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email], connection=connection).send()
            except (smtplib.SMTPException, OSError) as error:
                outbox.mark_failed(
                    message=about, owner=owner, error=f"{type(error).__name__}: {error}", user_ids=[person.pk]
                )
                raise
            outbox.mark_sent(message=about, owner=owner, user_ids=[person.pk])
            sent += 1
    return sent


@shared_task
def clean_pending_receipts() -> int:
    """Delete the receipts kept for claim forms that were never sent again, after a day (beat, hourly)."""
    return pending.pending_receipts_clean()


@shared_task(soft_time_limit=120, time_limit=150)
def read_pending_receipt(pending_id: int) -> str:
    """Read a receipt kept on a claim form, for the form to propose its total, date and shop.

    Safe to run twice: a receipt is read once."""
    row = pending.pending_receipt_read(pending_id=pending_id)
    return row.reading if row is not None else "skipped"


@shared_task
def refresh_exchange_rates() -> bool:
    """Fetch the ECB's history of reference rates from ECB_RATES_URL (beat, daily; off when unset)."""
    if not settings.ECB_RATES_URL:
        return False
    return rates.rates_refresh(url=settings.ECB_RATES_URL)
