"""The Slack app's Celery tasks. Each takes ids, goes through the outbox or its own records,
and is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from slackapp.claims import send_claim_to_decide  # noqa: F401
from slackapp.home import publish_home  # noqa: F401
from slackapp.reading import suggest_from_slack  # noqa: F401


@shared_task
def dispatch_slack_reminders(at: str | None = None) -> int:
    """Queue the morning questions and afternoon nudges due by Slack direct message."""
    if not settings.SLACK_ENABLED:
        return 0
    return 0
