"""Thursday reminders, afternoon nudges and next-morning digests, each sent exactly once.

``due`` works out, for one UTC instant, who is due which email: it groups people by time
zone, so its queries grow with the time zones in use, not with the people. ``send_chunk``
sends a few hundred of them over one SMTP connection. Every send is guarded by a
``Reminder(user, day, kind)`` row: claimed before the send, stamped after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learningday import calendar, mail
from learningday.models import Holiday, Membership, User
from logs.models import Away, Entry, Reminder

log = logging.getLogger(__name__)
K = Reminder.Kind
OPT_IN = {K.MORNING: "remind_morning", K.NUDGE: "remind_nudge", K.DIGEST: "receive_digest"}
UNSUBSCRIBE_SALT = "learningday.reminders.unsubscribe"
# A claim older than this belongs to a task that is gone; another may take it over. Longer
# than Redis's visibility timeout (a killed task comes back within it) and most of a
# batch's retry backoff, so that a slow batch is not taken over while it still works.
CLAIM_LEASE = dt.timedelta(hours=2)


@dataclass(frozen=True)
class Batch:
    kind: str
    day: dt.date
    user_ids: list[int]


def _day_for(kind: str, local: dt.datetime, *, weekday: int, morning: int, afternoon: int) -> dt.date | None:
    """The Learning Day this kind of email is about, for someone whose clock shows ``local``."""
    today = local.date()
    if kind == K.MORNING and local.hour >= morning and calendar.is_learning_day(today, weekday=weekday):
        return today
    if kind == K.NUDGE and local.hour >= afternoon and calendar.is_learning_day(today, weekday=weekday):
        return today
    yesterday = today - dt.timedelta(days=1)
    if kind == K.DIGEST and local.hour >= morning and calendar.is_learning_day(yesterday, weekday=weekday):
        return yesterday
    return None


def due(kind: str, *, at: dt.datetime) -> dict[dt.date, list[int]]:
    """Who is due an email of ``kind`` at the instant ``at``, by Learning Day."""
    weekday, morning, afternoon = (
        settings.LEARNING_DAY_WEEKDAY,
        settings.REMINDER_MORNING_HOUR,
        settings.REMINDER_AFTERNOON_HOUR,
    )
    zones_by_day: dict[dt.date, list[str]] = defaultdict(list)
    for name in User.objects.filter(is_active=True).order_by().values_list("timezone", flat=True).distinct():
        try:
            local = at.astimezone(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        day = _day_for(kind, local, weekday=weekday, morning=morning, afternoon=afternoon)
        if day is not None:
            zones_by_day[day].append(name)
    holidays = set(Holiday.objects.filter(date__in=list(zones_by_day)).values_list("date", flat=True))
    result: dict[dt.date, list[int]] = {}
    for day, zones in zones_by_day.items():
        if day in holidays:
            continue
        people = User.objects.filter(is_active=True, timezone__in=zones, **{OPT_IN[kind]: True}).exclude(
            Exists(
                Reminder.objects.filter(user=OuterRef("pk"), day=day, kind=kind).filter(
                    Q(sent_at__isnull=False) | Q(claimed_at__gte=timezone.now() - CLAIM_LEASE)
                )
            )
        )
        people = people.exclude(Exists(Away.objects.filter(user=OuterRef("pk"), start__lte=day, end__gte=day)))
        if kind == K.NUDGE:
            people = people.exclude(Exists(Entry.objects.filter(author=OuterRef("pk"), day=day)))
        if kind == K.DIGEST:
            people = people.filter(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        ids = list(people.order_by("pk").values_list("pk", flat=True))
        if ids:
            result[day] = ids
    return result


def plan(*, at: dt.datetime, chunk_size: int | None = None) -> list[Batch]:
    """Every batch due at ``at``: the dispatcher queues one task per batch."""
    size = chunk_size or settings.REMINDER_CHUNK_SIZE
    batches = []
    for kind in (K.MORNING, K.NUDGE, K.DIGEST):
        for day, ids in sorted(due(kind, at=at).items()):
            batches.extend(Batch(kind, day, ids[i : i + size]) for i in range(0, len(ids), size))
    return batches


# --- Sending ---------------------------------------------------------------------------


def _claim(kind: str, day: dt.date, user_ids: list[int], owner: str) -> list[int]:
    """Take the rows of this batch that nobody has sent and nobody else is sending."""
    now = timezone.now()
    Reminder.objects.bulk_create([Reminder(user_id=uid, day=day, kind=kind) for uid in user_ids], ignore_conflicts=True)
    free = Q(claimed_by="") | Q(claimed_by=owner) | Q(claimed_at__lt=now - CLAIM_LEASE)
    Reminder.objects.filter(free, user_id__in=user_ids, day=day, kind=kind, sent_at__isnull=True).update(
        claimed_by=owner, claimed_at=now
    )
    return list(
        Reminder.objects.filter(user_id__in=user_ids, day=day, kind=kind, claimed_by=owner, sent_at__isnull=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def reserve(batch: Batch, owner: str) -> Batch | None:
    """Claim a batch's rows for the task ``owner`` before it is queued, so that the next
    dispatcher does not plan the same people again while the batch waits in the queue;
    the people nobody else holds, or None."""
    ids = _claim(batch.kind, batch.day, batch.user_ids, owner)
    return Batch(batch.kind, batch.day, ids) if ids else None


def send_chunk(
    *,
    kind: str,
    day: dt.date,
    user_ids: list[int],
    owner: str,
    progress: ProgressLog | None = None,
) -> int:
    """Send the batch's due emails over one SMTP connection; returns how many were sent.

    ``owner`` is the task's id, the same when a killed task is delivered again: it takes
    back its own claims, skips the people ``progress`` says it already emailed, and sends
    to the rest. The rows are stamped once at the end (one query, not one per person).
    """
    progress = progress or ProgressLog.for_batch(owner)
    mine = _claim(kind, day, user_ids, owner)
    already = progress.done()
    todo = [uid for uid in mine if uid not in already]
    people = {u.pk: u for u in User.objects.filter(pk__in=todo)}
    build = BUILDERS[kind](day, list(people.values()))
    sent: list[int] = []
    skipped: list[int] = []
    with get_connection() if todo else contextlib.nullcontext() as smtp:
        for uid in todo:
            message = build(people[uid])
            if message is None:  # e.g. posted since the dispatcher looked: nothing to nudge
                skipped.append(uid)
                continue
            message.connection = smtp
            message.send()
            progress.add(uid)
            sent.append(uid)
    Reminder.objects.filter(user_id__in=[*sent, *skipped, *already], day=day, kind=kind, claimed_by=owner).update(
        sent_at=timezone.now()
    )
    progress.clear()
    return len(sent)


class ProgressLog:
    """Whom a batch has emailed so far, kept outside the database transaction: in Redis
    when there is a broker (it survives the worker), in memory for in-process tasks."""

    def __init__(self, key: str, client=None):
        self.key, self.client, self.local = key, client, set()

    @classmethod
    def for_batch(cls, owner: str) -> ProgressLog:
        client = None
        if settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
            import redis

            client = redis.Redis.from_url(settings.REDIS_URL)
        return cls(f"learningday:reminders:progress:{owner}", client)

    def done(self) -> set[int]:
        if self.client is None:
            return set(self.local)
        return {int(v) for v in self.client.smembers(self.key)}

    def add(self, user_id: int) -> None:
        if self.client is None:
            self.local.add(user_id)
            return
        pipe = self.client.pipeline()
        pipe.sadd(self.key, user_id)
        pipe.expire(self.key, 3 * 24 * 3600)
        pipe.execute()

    def clear(self) -> None:
        if self.client is not None:
            self.client.delete(self.key)


# --- The emails ----------------------------------------------------------------------------


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if data.get("k") not in OPT_IN:
        raise signing.BadSignature("unknown kind")
    return int(data["u"]), data["k"]


def _message(user: User, kind: str, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    unsubscribe = settings.SITE_URL + reverse("logs:unsubscribe", args=[unsubscribe_token(user, kind)])
    context = {**context, "user": user, "site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe}
    message = EmailMultiAlternatives(
        subject=mail.subject(subject),
        body=render_to_string(f"logs/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    return message


def _morning(day: dt.date, people: list[User]) -> Callable[[User], EmailMultiAlternatives]:
    plans = _last_plans(day, people)

    def build(user: User) -> EmailMultiAlternatives:
        return _message(
            user,
            K.MORNING,
            "It's Learning Day — what will you learn?",
            "morning",
            {"day": day, "plan": plans.get(user.pk, ""), "log_url": settings.SITE_URL + reverse("logs:new")},
        )

    return build


def _nudge(day: dt.date, people: list[User]) -> Callable[[User], EmailMultiAlternatives | None]:
    # Someone may have posted since the dispatcher looked: ask once more, in one query.
    posted = set(Entry.objects.filter(author__in=people, day=day).values_list("author_id", flat=True))

    def build(user: User) -> EmailMultiAlternatives | None:
        if user.pk in posted:
            return None
        return _message(
            user,
            K.NUDGE,
            "A few lines about today's learning?",
            "nudge",
            {"day": day, "log_url": settings.SITE_URL + reverse("logs:new")},
        )

    return build


def _digest(day: dt.date, people: list[User]) -> Callable[[User], EmailMultiAlternatives | None]:
    """Each person's teams' entries of that day, shared with those teams or everyone."""
    team_ids: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in Membership.objects.filter(user__in=people).values_list("user_id", "team_id"):
        team_ids[user_id].add(team_id)
    all_teams = set().union(*team_ids.values()) if team_ids else set()
    entries = list(
        Entry.objects.filter(day=day, author__memberships__team_id__in=all_teams)
        .select_related("author")
        .prefetch_related("author__memberships")
        .distinct()
        .order_by("author__display_name")
    )

    def build(user: User) -> EmailMultiAlternatives | None:
        mine = team_ids.get(user.pk, set())
        shown = [
            e for e in entries if e.author_id != user.pk and {m.team_id for m in e.author.memberships.all()} & mine
        ]
        return _message(
            user,
            K.DIGEST,
            f"What your teams learned on {calendar.day_name(day)}",
            "digest",
            {"day": day, "entries": shown, "feed_url": settings.SITE_URL + reverse("logs:feed")},
        )

    return build


def _last_plans(day: dt.date, people: list[User]) -> dict[int, str]:
    """Each person's latest "what's next" before ``day``, in one query."""
    plans: dict[int, str] = {}
    rows = (
        Entry.objects.filter(author__in=people, day__lt=day)
        .exclude(whats_next="")
        .order_by("author_id", "-day")
        .values_list("author_id", "whats_next")
    )
    if db_connection.vendor == "postgresql":
        rows = rows.distinct("author_id")
    for author_id, plan_text in rows:
        plans.setdefault(author_id, plan_text)
    return plans


BUILDERS: dict[str, Callable[[dt.date, list[User]], Callable]] = {
    K.MORNING: _morning,
    K.NUDGE: _nudge,
    K.DIGEST: _digest,
}


def describe(batches: Iterable[Batch]) -> list[str]:
    """Lines for the operator: who gets what (for send_reminders --dry-run)."""
    names = {}
    ids = {uid for batch in batches for uid in batch.user_ids}
    for pk, email, tz in User.objects.filter(pk__in=ids).values_list("pk", "email", "timezone"):
        names[pk] = f"{email} ({tz})"
    return [
        f"{batch.kind:8} {batch.day:%Y-%m-%d}  {names.get(uid, uid)}" for batch in batches for uid in batch.user_ids
    ]
