"""One outbox: every email, Slack message and digest goes out exactly once, whatever
retries, duplicate beats or restarts happen.

A *message* is a channel, a kind and a key (what it is about: a Learning Day, a claim's
step, an entry). Each of its recipients, a person or a team, has one ``OutboxMessage``
row, unique per (channel, kind, key, recipient). Every task that sends does three things:

1. ``claim`` the rows of the recipients it means to send to, with its Celery task id as
   ``owner`` (one statement for the whole batch). It gets back only those nobody has sent,
   given up, or holds; a claim older than ``CLAIM_LEASE`` belongs to a task that is gone.
   Two tasks claiming the same rows get disjoint sets. A retry or a redelivery of a task
   has the same id and takes back its own claims.
2. Send to those, with the retry policy ``RETRY`` (one for every sending task).
3. Stamp them: ``mark_sent``; ``mark_failed`` records the error (the task's retry takes
   the rows back; ``give_up=True`` when trying again cannot help); ``mark_skipped`` for
   recipients who turned out not to need it.

``send_each`` does all three for a task that sends one message at a time (a direct message,
a channel's post); batches over one connection (the reminder emails) use the three steps.

A worker killed between a send and the stamp leaves the row claimed by the task; Redis
gives the task back and its ``Progress`` says whom it had already sent to.

The apps decide who gets what and what it says: ``logs/reminders.py`` (reminder emails),
``logs/tasks.py`` (a team's incoming webhook), ``reimbursements/tasks.py`` (claim emails)
and the Slack app (``slackapp/``: direct messages, a team's channel through the app).

A new channel: add the choice to ``OutboxMessage.Channel`` (and its migration), then write a
task with ``@shared_task(bind=True, **outbox.RETRY)`` that sends through ``send_each`` (or the
three steps, for a batch over one connection); the channel's client raises ``TryAgain`` or
``Refused``, as ``logs.slack``'s and ``slackapp.client``'s do. The channel is part of the
unique key: someone who chose both email and a Slack DM gets one row for each, each sent
once. The kinds are the messages themselves (a morning reminder is ``Kind.MORNING`` whatever
carries it).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from learningday.models import OutboxMessage

__all__ = [
    "CLAIM_LEASE",
    "RETRY",
    "Message",
    "Progress",
    "Refused",
    "TryAgain",
    "claim",
    "held_or_done",
    "mark_failed",
    "mark_sent",
    "mark_skipped",
    "send_each",
]

log = logging.getLogger(__name__)

Channel = OutboxMessage.Channel
Kind = OutboxMessage.Kind

# Longer than the broker's visibility timeout (a killed task comes back within it) plus a
# task's retries, so that a slow task is not taken over while it still works.
CLAIM_LEASE = dt.timedelta(hours=2)
# Rows per claiming statement (SQLite takes at most 32,766 parameters in one).
_CLAIM_CHUNK = 5000


class TryAgain(Exception):
    """The channel did not take the message but may later: the task retries."""


class Refused(Exception):
    """The channel refused the message for good: no retry."""


# The retry policy of every task that sends: 2 s, 4 s, 8 s, ... then every 5 minutes, with
# jitter, over about 20 minutes; rides out a mail relay's or Slack's short outage. No wait
# is longer than 300 s: on Redis a waiting retry holds its task unacknowledged, and the
# wait plus two runs must stay inside BROKER_VISIBILITY_TIMEOUT (tests/learningday/test_celery.py).
RETRY: dict[str, Any] = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError, TryAgain),
    "dont_autoretry_for": (Refused,),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 10,
}


# One statement: insert the missing rows and take the free ones. Rows sent, given up or
# held by another task are left alone and not returned. In PostgreSQL a row that another
# transaction is claiming waits for it, then is judged on what that one wrote: two claims
# never both get a row. The ON CONFLICT target names the model's partial unique indexes.
# ("key" is quoted: a keyword in SQLite.)
_CLAIM_SQL = """
    INSERT INTO {table} (channel, kind, "key", {recipient}, created_at, claimed_by, claimed_at, attempts, last_error)
    SELECT %s, %s, %s, v.column1, %s, %s, %s, 0, '' FROM (VALUES {values}) AS v WHERE true
    ON CONFLICT (channel, kind, "key", {recipient}) WHERE {recipient} IS NOT NULL
    DO UPDATE SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at
    WHERE {table}.sent_at IS NULL AND {table}.given_up_at IS NULL
      AND ({table}.claimed_by IN ('', excluded.claimed_by) OR {table}.claimed_at < %s)
    RETURNING {recipient}
"""


@dataclass(frozen=True)
class Message:
    """What is sent, to however many recipients: a kind, a key and a channel."""

    kind: str
    key: str
    channel: str = Channel.EMAIL


def claim(*, message: Message, owner: str, user_ids: Collection[int] = (), team_ids: Collection[int] = ()) -> list[int]:
    """Create the rows that do not exist yet and take those that are free, for ``owner``;
    returns the recipients' ids that ``owner`` now holds, sorted."""
    column, ids = _recipients(user_ids, team_ids)
    if not ids:
        return []
    adapt = connection.ops.adapt_datetimefield_value
    moment = timezone.now()
    now, lease_start = adapt(moment), adapt(moment - CLAIM_LEASE)
    mine: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _CLAIM_CHUNK):
            chunk = ids[start : start + _CLAIM_CHUNK]
            values = ", ".join(["(%s)"] * len(chunk))
            cursor.execute(
                _CLAIM_SQL.format(table=OutboxMessage._meta.db_table, recipient=column, values=values),
                [message.channel, message.kind, message.key, now, owner, now, *chunk, lease_start],
            )
            mine.extend(row[0] for row in cursor.fetchall())
    return sorted(mine)


def mark_sent(*, message: Message, owner: str, user_ids: Collection[int] = (), team_ids: Collection[int] = ()) -> int:
    """Stamp the rows ``owner`` holds as sent; returns how many."""
    return _held(message, owner, user_ids, team_ids).update(sent_at=timezone.now(), attempts=F("attempts") + 1)


def mark_failed(
    *,
    message: Message,
    owner: str,
    error: str,
    give_up: bool = False,
    user_ids: Collection[int] = (),
    team_ids: Collection[int] = (),
) -> int:
    """Record a failed attempt on the rows ``owner`` holds. They stay claimed, so that the
    task's retry takes them back; with ``give_up`` they are never sent."""
    changes: dict[str, Any] = {"attempts": F("attempts") + 1, "last_error": error[:2000]}
    if give_up:
        changes["given_up_at"] = timezone.now()
    return _held(message, owner, user_ids, team_ids).update(**changes)


def mark_skipped(
    *, message: Message, owner: str, user_ids: Collection[int] = (), team_ids: Collection[int] = ()
) -> int:
    """The recipients no longer need the message (e.g. they posted since it was planned)."""
    return _held(message, owner, user_ids, team_ids).update(given_up_at=timezone.now())


def send_each(
    *,
    message: Message,
    owner: str,
    send: Callable[[int], bool],
    user_ids: Collection[int] = (),
    team_ids: Collection[int] = (),
) -> int:
    """Claim the recipients' rows for ``owner``, ``send(recipient_id)`` to each one it now
    holds, and stamp each: sent; skipped when ``send`` returns False (no longer needed); given
    up when the channel refused it for good (``Refused``); failed on any other error, which is
    raised once the others are done, so that the task's retry takes back the rows it still
    holds. Returns how many were sent."""
    column = "team_ids" if team_ids else "user_ids"
    later: Exception | None = None
    sent = 0
    for recipient in claim(message=message, owner=owner, user_ids=user_ids, team_ids=team_ids):
        one = {column: [recipient]}
        try:
            done = send(recipient)
        except Refused as error:
            log.warning("%s %s to %s %s refused for good: %s", message.kind, message.key, column[:4], recipient, error)
            mark_failed(message=message, owner=owner, error=str(error), give_up=True, **one)
            continue
        except Exception as error:
            mark_failed(message=message, owner=owner, error=f"{type(error).__name__}: {error}", **one)
            later = later or error
            continue
        if done:
            mark_sent(message=message, owner=owner, **one)
            sent += 1
        else:
            mark_skipped(message=message, owner=owner, **one)
    if later is not None:
        raise later
    return sent


def held_or_done(*, message: Message) -> QuerySet[OutboxMessage]:
    """The message's rows that a planner must leave out: sent, given up, or claimed by a
    task that may still be sending. Filter on the recipient with an ``OuterRef``."""
    return OutboxMessage.objects.filter(channel=message.channel, kind=message.kind, key=message.key).filter(
        Q(sent_at__isnull=False) | Q(given_up_at__isnull=False) | Q(claimed_at__gte=timezone.now() - CLAIM_LEASE)
    )


def _recipients(user_ids: Collection[int], team_ids: Collection[int]) -> tuple[str, list[int]]:
    if user_ids and team_ids:
        raise ValueError("A message goes to people or to teams, not both at once.")
    # Sorted: two claims of overlapping batches lock their rows in the same order.
    return ("team_id", sorted(set(team_ids))) if team_ids else ("user_id", sorted(set(user_ids)))


def _held(message: Message, owner: str, user_ids: Collection[int], team_ids: Collection[int]):
    column, ids = _recipients(user_ids, team_ids)
    return OutboxMessage.objects.filter(
        channel=message.channel,
        kind=message.kind,
        key=message.key,
        claimed_by=owner,
        sent_at__isnull=True,
        given_up_at__isnull=True,
        **{f"{column}__in": ids},
    )


class Progress:
    """Whom a batch task has sent to so far, kept outside the database transaction: in
    Redis when there is a broker (it outlives a killed worker), in memory for in-process
    tasks. A redelivered batch skips these and stamps them."""

    def __init__(self, key: str, client=None):
        self.key, self.client, self.local = key, client, set()

    @classmethod
    def for_task(cls, owner: str) -> Progress:
        client = None
        if settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
            import redis

            client = redis.Redis.from_url(settings.REDIS_URL)
        # The key's name predates the outbox; kept so that a batch in flight across the
        # deploy finds what it had sent.
        return cls(f"learningday:reminders:progress:{owner}", client)

    def done(self) -> set[int]:
        if self.client is None:
            return set(self.local)
        return {int(v) for v in self.client.smembers(self.key)}

    def add(self, recipient_id: int) -> None:
        if self.client is None:
            self.local.add(recipient_id)
            return
        pipe = self.client.pipeline()
        pipe.sadd(self.key, recipient_id)
        pipe.expire(self.key, 3 * 24 * 3600)
        pipe.execute()

    def clear(self) -> None:
        if self.client is not None:
            self.client.delete(self.key)
