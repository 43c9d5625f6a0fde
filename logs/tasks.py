"""Learning-log tasks: the reminder dispatcher and its batches. Safe to run twice."""

from __future__ import annotations

import datetime as dt
import smtplib

from celery import shared_task
from django.utils import timezone

from logs import reminders


@shared_task
def dispatch_reminders(at: str | None = None) -> int:
    """Queue one batch task per few hundred people due an email; returns how many batches."""
    instant = dt.datetime.fromisoformat(at) if at else timezone.now()
    batches = reminders.plan(at=instant)
    for batch in batches:
        send_reminder_batch.delay(batch.kind, batch.day.isoformat(), batch.user_ids)
    return len(batches)


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_reminder_batch(self, kind: str, day: str, user_ids: list[int]) -> int:
    # The task id stays the same on a retry or a redelivery: the batch finds its own claims.
    owner = self.request.id or f"inline-{kind}-{day}-{user_ids[0] if user_ids else 0}"
    return reminders.send_chunk(kind=kind, day=dt.date.fromisoformat(day), user_ids=user_ids, owner=owner)
