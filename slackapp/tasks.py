"""The Slack app's Celery tasks. Each takes ids, goes through the outbox or its own records,
and is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from slackapp.channel import dispatch_channel_digests  # noqa: F401
from slackapp.checkin import send_checkin_done  # noqa: F401


@shared_task
def dispatch_slack_reminders(at: str | None = None) -> int:
    """Queue the morning questions and afternoon nudges due by Slack direct message."""
    if not settings.SLACK_ENABLED:
        return 0
    return 0
