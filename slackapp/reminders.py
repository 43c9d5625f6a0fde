"""Learning Day asked in Slack: the morning question and the afternoon nudge as direct messages.

For the people whose reminders come by Slack (``User.reminders_via`` slack or both) and who
have connected their Slack user. Who is due what, in their own time zone and at their own
hour, is ``logs.reminders``'s planning with the channel ``SLACK_DM``; each message goes
out once through the outbox, as the emails do (``logs.reminders.send_chunk`` with a Slack
sender). A 429 from Slack is waited out by slack_sdk (``slackapp.client``) and the message
sent then.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from learningday import calendar, outbox
from learningday.models import User
from learningday.quarters import Quarter
from logs import reminders
from logs import selectors as log_selectors
from logs.models import Entry
from slackapp import blocks as b
from slackapp import client as slack_client
from slackapp import dm
from slackapp import pulse as pulse_blocks
from slackapp.models import SlackAccount

log = logging.getLogger(__name__)
K = outbox.Kind
CHANNEL = outbox.Channel.SLACK_DM

MORNING_TEXT = "It's Learning Day — what will you learn?"
NUDGE_TEXT = "A few lines about today's learning?"

# Refusals about the workspace or the app (a revoked token, a missing scope), not about the
# person: the batch stops and its people keep their rows, to be planned again once the
# claim's lease runs out (the operator may have fixed the app by then). Any other refusal
# (a deactivated Slack user, a DM channel that is gone) gives up that one person's message.
ABOUT_THE_APP = {"invalid_auth", "not_authed", "token_revoked", "account_inactive", "missing_scope", "no_permission"}


class SlackUnusable(RuntimeError):
    """Slack refused the app itself: no message of the batch can go out."""


def connected() -> Q:
    """The people a direct message can reach: their Slack user is connected."""
    return Q(slack_account__isnull=False)


@shared_task
def dispatch_slack_reminders(at: str | None = None) -> int:
    """Queue one batch task per few hundred people due a direct message; returns how many batches."""
    if not settings.SLACK_ENABLED:
        return 0
    instant = dt.datetime.fromisoformat(at) if at else timezone.now()
    queued = 0
    for batch in reminders.plan(at=instant, channel=CHANNEL, only=connected()):
        task_id = str(uuid.uuid4())
        # Claimed before it is queued: the next dispatcher finds these people held.
        mine = reminders.reserve(batch, owner=task_id)
        if mine is not None:
            send_slack_reminder_batch.apply_async((mine.kind, mine.day.isoformat(), mine.user_ids), task_id=task_id)
            queued += 1
    return queued


@shared_task(bind=True, **outbox.RETRY)
def send_slack_reminder_batch(self, kind: str, day: str, user_ids: list[int]) -> int:
    # The task id stays the same on a retry or a redelivery: the batch finds its own claims.
    owner = self.request.id or f"inline-slack-{kind}-{day}-{user_ids[0] if user_ids else 0}"
    try:
        return reminders.send_chunk(
            kind=kind, day=dt.date.fromisoformat(day), user_ids=user_ids, owner=owner, channel=CHANNEL, sender=by_slack
        )
    except SoftTimeLimitExceeded:
        # Slack's waits (Retry-After) can outlast the task's time: those sent are stamped,
        # and the same task (same id, same claims) goes on with the rest at once.
        raise self.retry(countdown=0) from None


@contextlib.contextmanager
def by_slack(kind: str, day: dt.date, people: list[User]) -> Iterator[Callable[[User], bool]]:
    """A batch's direct messages, through one Web API client (``logs.reminders.Sender``)."""
    accounts = {a.user_id: a for a in SlackAccount.objects.filter(user__in=people)}
    build = _BUILDERS[kind](day, people)
    web = slack_client.web_client()

    def send(user: User) -> bool:
        account = accounts.get(user.pk)
        content = build(user)
        if account is None or content is None:  # disconnected, or posted, since the dispatcher looked
            return False
        text, message_blocks = content
        try:
            dm.send(account, text=text, blocks=message_blocks, client=web)
        except slack_client.SlackRefused as error:
            if error.code in ABOUT_THE_APP:
                raise SlackUnusable(str(error)) from None
            if error.code == "channel_not_found" and account.dm_channel_id:
                # The remembered DM channel is gone: open a new one next time.
                SlackAccount.objects.filter(pk=account.pk).update(dm_channel_id="")
            raise
        return True

    yield send


# --- The messages ----------------------------------------------------------------------


def morning_message(day: dt.date, plan: str = "", *, pulse: Quarter | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The morning question, with what the person planned last time, and on the quarter's
    first Learning Day the quarter's pulse question (``pulse``) for those yet to answer it."""
    content = [b.section(f"*{MORNING_TEXT}*")]
    if plan:
        quoted = "\n".join(f"> {line}" for line in b.escape(plan).splitlines() if line.strip())
        content.append(b.section(f"Last time you planned:\n{quoted}"))
    content += _log_it(day)
    if pulse is not None:
        content += pulse_blocks.question_blocks(pulse)
    return MORNING_TEXT, content


def nudge_message(day: dt.date) -> tuple[str, list[dict[str, Any]]]:
    """The afternoon nudge, for someone who has not logged the day yet."""
    return NUDGE_TEXT, [b.section(f"*{NUDGE_TEXT}* Nothing is logged for {calendar.day_name(day)} yet."), *_log_it(day)]


def _log_it(day: dt.date) -> list[dict[str, Any]]:
    return [
        b.actions(b.button("Log my day", action_id="checkin_open", value=day.isoformat(), style="primary")),
        b.context(
            f"{b.link(reverse('logs:new'), 'Or write it on the web')} · "
            f"{b.link(reverse('profile'), 'Change how and when you are reminded')}"
        ),
    ]


Content = tuple[str, list[dict[str, Any]]] | None


def _morning(day: dt.date, people: list[User]) -> Callable[[User], Content]:
    plans = reminders.last_plans(day, people)
    asked, quarter = log_selectors.pulse_to_ask(people, day=day), Quarter.of(day)
    return lambda user: morning_message(day, plans.get(user.pk, ""), pulse=quarter if user.pk in asked else None)


def _nudge(day: dt.date, people: list[User]) -> Callable[[User], Content]:
    # Someone may have posted since the dispatcher looked: ask once more, in one query.
    posted = set(Entry.objects.filter(author__in=people, day=day).values_list("author_id", flat=True))
    return lambda user: None if user.pk in posted else nudge_message(day)


_BUILDERS: dict[str, Callable[[dt.date, list[User]], Callable[[User], Content]]] = {
    K.MORNING: _morning,
    K.NUDGE: _nudge,
}
