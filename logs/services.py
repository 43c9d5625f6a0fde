"""State changes of the learning log. Views, admin actions, commands and tasks call these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from learningday import calendar
from learningday.models import Membership, Team, User
from learningday.quarters import Quarter
from logs import selectors, signals
from logs.models import PULSE_COMMENT_MAX, Away, CalendarFeed, Entry, EntryTopic, PulseAnswer, new_calendar_token
from logs.reminders import OPT_IN
from logs.topics import suggest_topics
from reading.models import Item, Topic
from reading.selectors import items_visible_to


class LogError(Exception):
    """A learning-log action that cannot be done; the message is fit to show the person."""


@dataclass(frozen=True, kw_only=True)
class EntryData:
    day: dt.date
    body: str
    category: str = Entry.Category.READING_PAPERS
    hours: Decimal | None = None
    links: list[str] = field(default_factory=list)
    whats_next: str = ""
    crowded_out: bool = False
    visibility: str = Entry.Visibility.TEAMS
    items: list[Item] = field(default_factory=list)
    # The topics the person ticked; None where they were not asked (Slack, the dashboard's
    # short form): then the app's suggestions are recorded, as suggested.
    topics: list[Topic] | None = None
    # Ids of the topics the form proposed: a ticked one of these is recorded as suggested, an
    # unticked one stays off.
    topics_offered: frozenset[int] = frozenset()


_FIELDS = ("day", "body", "category", "hours", "links", "whats_next", "crowded_out", "visibility")


def entry_save(*, user: User, data: EntryData, entry: Entry | None = None) -> tuple[Entry, bool]:
    """Log what ``user`` learned on ``data.day``; returns the entry and whether it is new.

    One entry per person per day: saving a new entry on a day that already has one
    updates that one. ``entry`` is the entry being edited, when there is one.
    """
    if entry is not None and entry.author_id != user.pk:
        raise LogError("You can only change your own entries.")
    today = calendar.user_today(user)
    if data.day > today:
        raise LogError(
            f"You cannot log a day that has not come yet: today is {calendar.day_name(today, year=True)} for you."
        )
    if not data.body.strip():
        raise LogError("Write what you learned.")
    if data.items:
        visible = set(items_visible_to(user).filter(pk__in=[i.pk for i in data.items]).values_list("pk", flat=True))
        if len(visible) != len({i.pk for i in data.items}):
            raise LogError("Point only at items of the reading lists you can see.")

    with transaction.atomic():
        same_day = Entry.objects.select_for_update().filter(author=user, day=data.day).first()
        if entry is not None:
            entry = Entry.objects.select_for_update().get(pk=entry.pk)
            if same_day is not None and same_day.pk != entry.pk:
                raise LogError(f"You already have an entry for {calendar.day_name(data.day)}: edit that one instead.")
        else:
            entry = same_day
        created = entry is None
        if created:
            entry = Entry(author=user)
        for name in _FIELDS:
            setattr(entry, name, getattr(data, name))
        entry.version += 1  # the row is locked (or new)
        try:
            with transaction.atomic():
                if created:
                    entry.save()
                else:
                    entry.save(update_fields=[*_FIELDS, "updated_at", "version"])
        except IntegrityError:
            # Another request created the day's entry a moment ago: that one gets edited.
            if not created:
                raise
            entry.pk = Entry.objects.get(author=user, day=data.day).pk
            entry.version = F("version") + 1
            entry.save(force_update=True)
            entry.refresh_from_db(fields=["version"])
            created = False
        entry.items.set(data.items)
        _save_topics(entry, data, created=created)
        if created:
            _share_on_slack(entry)
        entry_id, author_id = entry.pk, user.pk
        transaction.on_commit(
            lambda: signals.entry_saved.send(Entry, entry_id=entry_id, author_id=author_id, created=created)
        )
    return entry, created


def _save_topics(entry: Entry, data: EntryData, *, created: bool) -> None:
    """Record the entry's topics and, for each, whether the app suggested it or the person chose it."""
    Source = EntryTopic.Source
    existing = {} if created else dict(EntryTopic.objects.filter(entry=entry).values_list("topic_id", "source"))
    if data.topics is None:
        # Not asked: what the entry had stays, and today's suggestions join it.
        wanted = dict(existing)
        for suggestion in suggest_topics(text=data.body, items=data.items):
            wanted.setdefault(suggestion.topic.pk, Source.SUGGESTED)
    else:
        wanted = {
            topic.pk: existing.get(topic.pk) or (Source.SUGGESTED if topic.pk in data.topics_offered else Source.CHOSEN)
            for topic in data.topics
        }
    gone = set(existing) - set(wanted)
    if gone:
        EntryTopic.objects.filter(entry=entry, topic_id__in=gone).delete()
    EntryTopic.objects.bulk_create(
        [EntryTopic(entry=entry, topic_id=pk, source=source) for pk, source in wanted.items() if pk not in existing]
    )


def _share_on_slack(entry: Entry) -> None:
    """Each of the author's teams with a Slack channel hears of a new entry, after commit."""
    from logs import tasks

    team_ids = list(
        Team.objects.filter(memberships__user_id=entry.author_id)
        .exclude(slack_webhook_url="")
        .values_list("pk", flat=True)
    )
    for team_id in team_ids:
        transaction.on_commit(lambda team_id=team_id: tasks.post_entry_to_slack.delay(entry.pk, team_id))


def entry_delete(*, user: User, entry: Entry) -> None:
    if entry.author_id != user.pk:
        raise LogError("You can only delete your own entries.")
    entry_id, author_id = entry.pk, user.pk
    with transaction.atomic():
        deleted, _ = Entry.objects.filter(pk=entry_id, author=user).delete()
        if deleted:
            transaction.on_commit(lambda: signals.entry_deleted.send(Entry, entry_id=entry_id, author_id=author_id))


def away_add(*, user: User, start: dt.date, end: dt.date, note: str = "") -> Away:
    if end < start:
        raise LogError("The last day away cannot be before the first.")
    if (end - start).days > 366:
        raise LogError("Mark at most a year at a time.")
    return Away.objects.create(user=user, start=start, end=end, note=note)


def away_delete(*, user: User, away: Away) -> None:
    if away.user_id != user.pk:
        raise LogError("You can only remove your own away days.")
    away.delete()


def reminder_unsubscribe(*, user: User, kind: str) -> None:
    """Stop one kind of reminder email for a person, from the link in it (the profile turns it on again)."""
    field = OPT_IN.get(kind)
    if field is None:
        raise LogError("There is no such reminder email.")
    setattr(user, field, False)
    user.save(update_fields=[field])


def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """Give the person a secret calendar address: the first one, or a new one instead of the old,
    which stops working at once (a link that was shared or leaked is closed this way)."""
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.update_or_create(user=user, defaults={"token": new_calendar_token()})
    return feed


# --- The quarterly pulse question ------------------------------------------------------------


def pulse_answer(
    *, user: User, score: int, comment: str | None = None, quarter: Quarter | None = None
) -> tuple[PulseAnswer, bool]:
    """Record the person's answer to this quarter's pulse question; returns it and whether it is new.

    One answer per person per quarter: answering again changes it. ``comment`` None keeps
    the comment already given (a score clicked in Slack), "" removes it. ``quarter`` is the
    quarter the question asked about (a Slack button's), refused once that quarter is over.
    """
    today = calendar.user_today(user)
    current = selectors.pulse_open_quarter(today=today)
    if quarter is not None and quarter < Quarter.of(today):
        raise LogError(f"The pulse question for {quarter} is closed: it was open until the end of that quarter.")
    if quarter is not None and quarter > Quarter.of(today):
        raise LogError(f"The pulse question for {quarter} is not open yet.")
    if current is None:
        opens = selectors.pulse_opens_on(Quarter.of(today))
        raise LogError(f"This quarter's pulse question opens on {calendar.day_name(opens)}, a Learning Day.")
    if score not in selectors.PULSE_SCORES:
        raise LogError("Choose a number from 1 (not at all) to 5 (a lot).")
    if comment is not None:
        comment = comment.strip()
        if len(comment) > PULSE_COMMENT_MAX:
            raise LogError(f"Keep the comment to {PULSE_COMMENT_MAX} characters.")
    with transaction.atomic():
        # The group the answer counts in: the person's first team (see PulseAnswer).
        team_id = (
            Membership.objects.filter(user=user).order_by("joined_at", "pk").values_list("team_id", flat=True).first()
        )
        answer = PulseAnswer.objects.select_for_update().filter(user=user, quarter=current.first_day).first()
        created = answer is None
        if created:
            try:
                with transaction.atomic():
                    answer = PulseAnswer.objects.create(
                        user=user, quarter=current.first_day, team_id=team_id, score=score, comment=comment or ""
                    )
                return answer, True
            except IntegrityError:
                # Another click a moment ago answered first: this one changes that answer.
                answer = PulseAnswer.objects.select_for_update().get(user=user, quarter=current.first_day)
                created = False
        answer.score, answer.team_id = score, team_id
        fields = ["score", "team"]
        if comment is not None:
            answer.comment = comment
            fields.append("comment")
        answer.save(update_fields=fields)
    return answer, created
