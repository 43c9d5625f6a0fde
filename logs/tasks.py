"""Learning-log tasks: the reminder dispatcher and its batches, and a team's Slack channel.
Safe to run twice: every send goes through the outbox (``learningday.outbox``)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zoneinfo
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from learningday import calendar, outbox
from learningday.models import Team
from logs import reminders, slack
from logs.models import Entry

log = logging.getLogger(__name__)


@shared_task
def dispatch_reminders(at: str | None = None) -> int:
    """Queue one batch task per few hundred people due an email; returns how many batches."""
    instant = dt.datetime.fromisoformat(at) if at else timezone.now()
    batches = reminders.plan(at=instant)
    queued = 0
    for batch in batches:
        task_id = str(uuid.uuid4())
        mine = reminders.reserve(batch, owner=task_id)
        if mine is not None:
            send_reminder_batch.apply_async((mine.kind, mine.day.isoformat(), mine.user_ids), task_id=task_id)
            queued += 1
    _queue_team_digests(instant)
    return queued


def team_digest_day(instant: dt.datetime) -> dt.date | None:
    """The Learning Day whose team digest is due at ``instant``: the morning after it, from the
    morning hour in the organisation's home time zone; None on other days and before then."""
    local = instant.astimezone(zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE))
    day = local.date() - dt.timedelta(days=1)
    if local.hour < settings.REMINDER_MORNING_HOUR or not calendar.is_learning_day(day):
        return None
    return day


def _queue_team_digests(instant: dt.datetime) -> None:
    """The morning after a Learning Day, in the organisation's home time zone, each team
    with a Slack channel gets the day's digest once."""
    day = team_digest_day(instant)
    if day is None:
        return
    teams = list(Team.objects.exclude(slack_webhook_url="").values_list("pk", flat=True))
    # Claimed for the task before it is queued: the next dispatcher finds them held.
    for team_id in teams:
        task_id = str(uuid.uuid4())
        if outbox.claim(message=channel_digest(day), owner=task_id, team_ids=[team_id]):
            post_team_digest.apply_async((team_id, day.isoformat()), task_id=task_id)


def channel_digest(day: dt.date) -> outbox.Message:
    return outbox.Message(kind=outbox.Kind.CHANNEL_DIGEST, key=day.isoformat(), channel=outbox.Channel.SLACK_WEBHOOK)


def entry_post(entry_id: int) -> outbox.Message:
    return outbox.Message(kind=outbox.Kind.ENTRY_POST, key=f"entry:{entry_id}", channel=outbox.Channel.SLACK_WEBHOOK)


@shared_task(bind=True, **outbox.RETRY)
def send_reminder_batch(self, kind: str, day: str, user_ids: list[int]) -> int:
    # The task id stays the same on a retry or a redelivery: the batch finds its own claims.
    owner = self.request.id or f"inline-{kind}-{day}-{user_ids[0] if user_ids else 0}"
    return reminders.send_chunk(kind=kind, day=dt.date.fromisoformat(day), user_ids=user_ids, owner=owner)


# Slack: a failing webhook is retried (outbox.RETRY) and never blocks or fails the page.


@shared_task(bind=True, **outbox.RETRY)
def post_entry_to_slack(self, entry_id: int, team_id: int) -> bool:
    entry = Entry.objects.select_related("author").filter(pk=entry_id).first()
    team = Team.objects.filter(pk=team_id).exclude(slack_webhook_url="").first()
    if entry is None or team is None:
        return False
    return _post(self, team, entry_post(entry_id), lambda: slack.entry_message(entry), what="entry")


@shared_task(bind=True, **outbox.RETRY)
def post_team_digest(self, team_id: int, day: str) -> bool:
    team = Team.objects.filter(pk=team_id).exclude(slack_webhook_url="").first()
    if team is None:
        return False
    learning_day = dt.date.fromisoformat(day)

    def payload() -> dict[str, Any]:
        entries = (
            Entry.objects.filter(day=learning_day, author__memberships__team=team)
            .select_related("author")
            .distinct()
            .order_by("author__display_name")
        )
        return slack.digest_message(team.name, learning_day, entries)

    return _post(self, team, channel_digest(learning_day), payload, what="digest")


def _post(task: Task, team: Team, message: outbox.Message, payload: Callable[[], dict[str, Any]], *, what: str) -> bool:
    """Post one message to the team's channel once (``outbox.send_each``); whether it was posted."""
    owner = task.request.id or f"inline-{message.kind}-{message.key}-{team.pk}"

    def post(_team_id: int) -> bool:
        slack.post(team.slack_webhook_url, payload())
        return True

    return outbox.send_each(message=message, owner=owner, send=post, team_ids=[team.pk]) == 1
