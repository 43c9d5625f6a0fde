"""Learning-log tasks: the reminder dispatcher and its batches. Safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
import zoneinfo

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from learningday import calendar
from learningday.models import Team
from logs import reminders, slack
from logs.models import Entry, TeamDigest

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


def _queue_team_digests(instant: dt.datetime) -> None:
    """The morning after a Learning Day, in the organisation's home time zone, each team
    with a Slack channel gets the day's digest once."""
    local = instant.astimezone(zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE))
    day = local.date() - dt.timedelta(days=1)
    if local.hour < settings.REMINDER_MORNING_HOUR or not calendar.is_learning_day(day):
        return
    for team_id in Team.objects.exclude(slack_webhook_url="").values_list("pk", flat=True):
        _, new = TeamDigest.objects.get_or_create(team_id=team_id, day=day)
        if new:
            post_team_digest.delay(team_id, day.isoformat())


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=300,  # within BROKER_VISIBILITY_TIMEOUT, see SLACK_RETRY
    retry_jitter=True,
    max_retries=8,
)
def send_reminder_batch(self, kind: str, day: str, user_ids: list[int]) -> int:
    # The task id stays the same on a retry or a redelivery: the batch finds its own claims.
    owner = self.request.id or f"inline-{kind}-{day}-{user_ids[0] if user_ids else 0}"
    return reminders.send_chunk(kind=kind, day=dt.date.fromisoformat(day), user_ids=user_ids, owner=owner)


# Slack: a failing webhook is retried with backoff and never blocks or fails the page.
SLACK_RETRY = {
    "autoretry_for": (slack.SlackError,),
    "dont_autoretry_for": (slack.SlackRefused,),
    # 30 s, 60 s, ... then every 5 minutes, over about half an hour: rides out a Slack
    # outage. No wait is longer than 300 s: a waiting retry holds its task unacknowledged
    # and must stay well inside BROKER_VISIBILITY_TIMEOUT.
    "retry_backoff": 30,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 9,
}


@shared_task(**SLACK_RETRY)
def post_entry_to_slack(entry_id: int, team_id: int) -> bool:
    entry = Entry.objects.select_related("author").filter(pk=entry_id).first()
    team = Team.objects.filter(pk=team_id).exclude(slack_webhook_url="").first()
    if entry is None or team is None:
        return False
    try:
        slack.post(team.slack_webhook_url, slack.entry_message(entry))
    except slack.SlackRefused as error:
        log.warning("Slack refused the entry for team %s: %s", team.slug, error)
        return False
    return True


@shared_task(**SLACK_RETRY)
def post_team_digest(team_id: int, day: str) -> bool:
    team = Team.objects.filter(pk=team_id).exclude(slack_webhook_url="").first()
    if team is None:
        return False
    learning_day = dt.date.fromisoformat(day)
    entries = (
        Entry.objects.filter(day=learning_day, author__memberships__team=team)
        .select_related("author")
        .distinct()
        .order_by("author__display_name")
    )
    try:
        slack.post(team.slack_webhook_url, slack.digest_message(team.name, learning_day, entries))
    except slack.SlackRefused as error:
        log.warning("Slack refused the digest for team %s: %s", team.slug, error)
        return False
    TeamDigest.objects.filter(team=team, day=learning_day).update(posted_at=timezone.now())
    return True
