"""Learning Day reminders, afternoon nudges and next-morning digests, each sent exactly once.

``due`` works out, for one UTC instant and one channel (email, or a Slack direct message
for the Slack app), who is due which reminder: it groups people by time zone and compares
each zone's local hour with each person's own hour (``User.morning_hour``,
``nudge_hour``; empty for the organisation's default) in SQL, so its queries grow with the
time zones in use, not with the people. ``send_chunk`` sends a few hundred of them through
a channel's sender (emails over one SMTP connection by default). Every send goes through
the outbox (``learningday.outbox``): a ``(person, kind, day, channel)`` row claimed before
the send and stamped after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import operator
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse

from learningday import calendar, mail, outbox
from learningday.models import Holiday, Membership, User
from logs import selectors
from logs.models import Away, Entry

log = logging.getLogger(__name__)
K = outbox.Kind
OPT_IN = {K.MORNING: "remind_morning", K.NUDGE: "remind_nudge", K.DIGEST: "receive_digest"}
UNSUBSCRIBE_SALT = "learningday.reminders.unsubscribe"


@dataclass(frozen=True)
class Batch:
    kind: str
    day: dt.date
    user_ids: list[int]
    channel: str = outbox.Channel.EMAIL


# What each channel carries: the digest stays an email (a team's channel gets its own).
KINDS = {outbox.Channel.EMAIL: (K.MORNING, K.NUDGE, K.DIGEST), outbox.Channel.SLACK_DM: (K.MORNING, K.NUDGE)}
# Who chose a channel for their reminders (User.reminders_via).
VIA = {
    outbox.Channel.EMAIL: (User.ReminderVia.EMAIL, User.ReminderVia.BOTH),
    outbox.Channel.SLACK_DM: (User.ReminderVia.SLACK, User.ReminderVia.BOTH),
}


@dataclass(frozen=True)
class Hours:
    """When a kind of reminder goes out: each person's own local hour (``field``, empty for
    the organisation's ``default``), kept within the organisation's ``bounds``."""

    field: str | None
    default: int
    bounds: tuple[int, int]

    @property
    def earliest(self) -> int:
        return self.bounds[0] if self.field else self.default

    def due_at(self, hour: int) -> Q | None:
        """Who is due at the local ``hour`` (a full hour on their clock): None for nobody,
        an empty Q for everyone. A stored hour outside today's bounds counts as the nearest
        bound, so that narrowing the bounds never silences anyone."""
        first, last = self.bounds
        if self.field is None:
            return Q() if hour >= self.default else None
        if hour < first:
            return None
        if hour >= last:
            return Q()
        own = Q(**{f"{self.field}__lte": hour})
        return own | Q(**{f"{self.field}__isnull": True}) if hour >= self.default else own


def hours(kind: str) -> Hours:
    if kind == K.MORNING:
        return Hours("morning_hour", settings.REMINDER_MORNING_HOUR, settings.REMINDER_MORNING_HOURS)
    if kind == K.NUDGE:
        return Hours("nudge_hour", settings.REMINDER_AFTERNOON_HOUR, settings.REMINDER_AFTERNOON_HOURS)
    # The digest comes with the organisation's morning, whoever asks their question later.
    return Hours(None, settings.REMINDER_MORNING_HOUR, (settings.REMINDER_MORNING_HOUR,) * 2)


def _day_for(kind: str, local: dt.datetime, *, weekday: int, earliest: int) -> dt.date | None:
    """The Learning Day this kind of reminder is about, for someone whose clock shows
    ``local``, once the earliest hour anyone may have chosen for it has come."""
    if local.hour < earliest:
        return None
    today = local.date()
    if kind in (K.MORNING, K.NUDGE) and calendar.is_learning_day(today, weekday=weekday):
        return today
    yesterday = today - dt.timedelta(days=1)
    if kind == K.DIGEST and calendar.is_learning_day(yesterday, weekday=weekday):
        return yesterday
    return None


def due(
    kind: str, *, at: dt.datetime, channel: str = outbox.Channel.EMAIL, only: Q | None = None
) -> dict[dt.date, list[int]]:
    """Who is due a reminder of ``kind`` by ``channel`` at the instant ``at``, by Learning Day.

    One query per Learning Day in play, whatever the number of people: per time zone, the
    local hour is compared with each person's own hour in SQL. ``only`` narrows the people
    further (the Slack app: those with a connected Slack account)."""
    weekday, when = settings.LEARNING_DAY_WEEKDAY, hours(kind)
    if kind not in KINDS[channel]:
        return {}
    # Learning Day -> local hour -> the time zones whose clocks show that hour now.
    zones_by_day: dict[dt.date, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name in User.objects.filter(is_active=True).order_by().values_list("timezone", flat=True).distinct():
        try:
            local = at.astimezone(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        day = _day_for(kind, local, weekday=weekday, earliest=when.earliest)
        if day is not None and when.due_at(local.hour) is not None:
            zones_by_day[day][local.hour].append(name)
    holidays = set(Holiday.objects.filter(date__in=list(zones_by_day)).values_list("date", flat=True))
    result: dict[dt.date, list[int]] = {}
    for day, zones_by_hour in zones_by_day.items():
        if day in holidays:
            continue
        hour_by_hour = [Q(timezone__in=names) & when.due_at(hour) for hour, names in sorted(zones_by_hour.items())]
        people = User.objects.filter(reduce(operator.or_, hour_by_hour), is_active=True, **{OPT_IN[kind]: True})
        # The channel each person chose for their reminders; the digest is an email for all who
        # want it. While the Slack app is off, every reminder comes by email.
        if kind != K.DIGEST and (channel != outbox.Channel.EMAIL or settings.SLACK_ENABLED):
            people = people.filter(reminders_via__in=VIA[channel])
        if only is not None:
            people = people.filter(only)
        people = people.exclude(
            Exists(outbox.held_or_done(message=message(kind, day, channel)).filter(user=OuterRef("pk")))
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


def plan(
    *, at: dt.datetime, chunk_size: int | None = None, channel: str = outbox.Channel.EMAIL, only: Q | None = None
) -> list[Batch]:
    """Every batch due at ``at`` by ``channel``: the dispatcher queues one task per batch."""
    size = chunk_size or settings.REMINDER_CHUNK_SIZE
    batches = []
    for kind in KINDS[channel]:
        for day, ids in sorted(due(kind, at=at, channel=channel, only=only).items()):
            batches.extend(Batch(kind, day, ids[i : i + size], channel) for i in range(0, len(ids), size))
    return batches


# --- Sending ---------------------------------------------------------------------------


def message(kind: str, day: dt.date, channel: str = outbox.Channel.EMAIL) -> outbox.Message:
    """The outbox's name for one kind of reminder about one Learning Day, by one channel."""
    return outbox.Message(kind=kind, key=day.isoformat(), channel=channel)


def reserve(batch: Batch, owner: str) -> Batch | None:
    """Claim a batch's rows for the task ``owner`` before it is queued, so that the next
    dispatcher does not plan the same people again while the batch waits in the queue;
    the people nobody else holds, or None."""
    ids = outbox.claim(message=message(batch.kind, batch.day, batch.channel), owner=owner, user_ids=batch.user_ids)
    return Batch(batch.kind, batch.day, ids, batch.channel) if ids else None


# How a channel sends a batch: given the kind, the day and the batch's people, a context
# (one SMTP connection, one Slack client) that gives a function sending one person theirs.
# It returns True when sent, False when the person turned out not to need it (posted since
# the dispatcher looked); it raises ``outbox.Refused`` when this person can never get it
# (the others still do), and anything else to stop the batch.
Sender = Callable[[str, dt.date, list[User]], AbstractContextManager[Callable[[User], bool]]]


@contextlib.contextmanager
def by_email(kind: str, day: dt.date, people: list[User]) -> Iterator[Callable[[User], bool]]:
    """Reminder emails over one SMTP connection."""
    build = BUILDERS[kind](day, people)
    with get_connection() as smtp:

        def send(user: User) -> bool:
            email = build(user)
            if email is None:  # e.g. posted since the dispatcher looked: nothing to nudge
                return False
            email.connection = smtp
            email.send()
            return True

        yield send


def send_chunk(
    *,
    kind: str,
    day: dt.date,
    user_ids: list[int],
    owner: str,
    progress: outbox.Progress | None = None,
    channel: str = outbox.Channel.EMAIL,
    sender: Sender = by_email,
) -> int:
    """Send the batch's due reminders through ``sender`` (emails over one SMTP connection
    unless told otherwise); returns how many were sent.

    ``owner`` is the task's id, the same when a killed task is delivered again: it takes
    back its own claims, skips the people ``progress`` says it already sent to, and sends
    to the rest. The rows are stamped once at the end (one query, not one per person);
    when anything stops the batch midway, those sent are stamped and the rest get the error.
    """
    progress = progress or outbox.Progress.for_task(owner)
    about = message(kind, day, channel)
    mine = outbox.claim(message=about, owner=owner, user_ids=user_ids)
    already = progress.done()
    todo = [uid for uid in mine if uid not in already]
    people = {u.pk: u for u in User.objects.filter(pk__in=todo)}
    sent: list[int] = []
    skipped: list[int] = []
    refused: dict[int, str] = {}
    try:
        with sender(kind, day, list(people.values())) if todo else contextlib.nullcontext() as send:
            for uid in todo:
                try:
                    done = send(people[uid])
                except outbox.Refused as error:
                    refused[uid] = str(error)
                    continue
                if not done:
                    skipped.append(uid)
                    continue
                sent.append(uid)
                progress.add(uid)
    except BaseException as error:
        # Whatever stops the batch (the relay, Slack, the task's time limit, Redis, a bug),
        # those already sent are stamped now, so that no later run sends them again; the
        # rest keep the error until the task's retry or the next dispatcher.
        rest = set(todo) - set(sent) - set(skipped) - set(refused)
        outbox.mark_failed(message=about, owner=owner, error=f"{type(error).__name__}: {error}", user_ids=rest)
        _stamp(about, owner, sent=[*sent, *already], skipped=skipped, refused=refused)
        raise
    _stamp(about, owner, sent=[*sent, *already], skipped=skipped, refused=refused)
    progress.clear()
    return len(sent)


def _stamp(about: outbox.Message, owner: str, *, sent: list[int], skipped: list[int], refused: dict[int, str]) -> None:
    if sent:
        outbox.mark_sent(message=about, owner=owner, user_ids=sent)
    if skipped:
        outbox.mark_skipped(message=about, owner=owner, user_ids=skipped)
    by_error: dict[str, list[int]] = defaultdict(list)
    for uid, error in refused.items():
        by_error[error].append(uid)
    for error, ids in by_error.items():  # trying again cannot help them
        outbox.mark_failed(message=about, owner=owner, error=error, give_up=True, user_ids=ids)


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
    plans = last_plans(day, people)
    # On the quarter's first Learning Day, the pulse question for those yet to answer it.
    asked = selectors.pulse_to_ask(people, day=day)
    pulse_url = settings.SITE_URL + reverse("logs:pulse")

    def build(user: User) -> EmailMultiAlternatives:
        return _message(
            user,
            K.MORNING,
            "It's Learning Day — what will you learn?",
            "morning",
            {
                "day": day,
                "plan": plans.get(user.pk, ""),
                "log_url": settings.SITE_URL + reverse("logs:new"),
                "pulse_url": pulse_url if user.pk in asked else "",
            },
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


def last_plans(day: dt.date, people: list[User]) -> dict[int, str]:
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
