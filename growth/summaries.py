"""Computing the impact summaries (growth.models) from the log: the only writer of those tables.

Run by ``growth.tasks.compute_impact`` (Celery beat, nightly) and by tests directly. One run
reads the last year of entries once, in a handful of queries, and replaces the summary rows
of that year in one transaction: running it twice, or two runs at once, gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from growth.aggregates import org_figures
from growth.fields import fields_picked_up, is_outside, pickup_windows
from growth.models import FieldPickup, SummaryRun, TeamDay, TopicWeek
from learningday import calendar, versions
from learningday.models import Membership
from learningday.quarters import Quarter
from logs.models import Away, Entry, EntryTopic
from reading.models import Topic

# How many Learning Days back the team summaries go: a year, the page's span.
YEAR_OF_DAYS = 52
# How many weeks the topic weeks keep: /growth/'s four Learning Days of "now", and two to
# spare for a reader whose local day is behind or ahead of the server's.
TOPIC_WEEKS = 6


@dataclass(frozen=True)
class RunResult:
    as_of: dt.date
    team_days: int
    pickups_added: int


def summary_days(as_of: dt.date) -> list[dt.date]:
    """The Learning Days the summaries hold as of ``as_of``: the last 52, oldest first."""
    last = calendar.previous_learning_day(as_of)
    return list(calendar.learning_days_between(last - dt.timedelta(weeks=YEAR_OF_DAYS - 1), last))


def week_of(day: dt.date) -> dt.date:
    """The Learning Day of the Monday-to-Sunday week ``day`` falls in."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday + dt.timedelta(days=settings.LEARNING_DAY_WEEKDAY)


def _team_days(days: list[dt.date], as_of: dt.date, *, team_ids: set[int] | None = None) -> list[TeamDay]:
    """The TeamDay rows of ``days`` (every team's, or only those of ``team_ids``)."""
    first_monday = days[0] - dt.timedelta(days=days[0].weekday())
    last_sunday = min(days[-1] - dt.timedelta(days=days[-1].weekday()) + dt.timedelta(days=6), as_of)
    members = Membership.objects.filter(user__is_active=True).order_by()
    entries = Entry.objects.filter(author__is_active=True, day__gte=first_monday, day__lte=last_sunday)
    links = EntryTopic.objects.filter(entry__day__gte=first_monday, entry__day__lte=last_sunday)
    homes = Topic.home_teams.through.objects.all()
    aways = Away.objects.filter(end__gte=days[0], start__lte=days[-1])
    if team_ids is not None:
        members = members.filter(team_id__in=team_ids)
        people = members.values("user_id")
        entries = entries.filter(author_id__in=people)
        links = links.filter(entry__author_id__in=people)
        homes = homes.filter(team_id__in=team_ids)
        aways = aways.filter(user_id__in=people)
    memberships = list(members.values_list("team_id", "user_id", "joined_at"))
    user_ids = {user_id for _team, user_id, _joined in memberships}
    by_user: dict[int, list[tuple[int, dt.date, bool]]] = defaultdict(list)
    for pk, author_id, day, crowded in (
        entries.order_by().values_list("pk", "author_id", "day", "crowded_out").iterator(chunk_size=5000)
    ):
        if author_id in user_ids:
            by_user[author_id].append((pk, day, crowded))
    topics: dict[int, set[int]] = defaultdict(set)
    for entry_id, topic_id in links.order_by().values_list("entry_id", "topic_id").iterator(chunk_size=5000):
        topics[entry_id].add(topic_id)
    home: dict[int, set[int]] = defaultdict(set)
    for team_id, topic_id in homes.values_list("team_id", "topic_id"):
        home[team_id].add(topic_id)
    away: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for user_id, start, end in aways.values_list("user_id", "start", "end"):
        away[user_id].append((start, end))

    wanted = set(days)
    rows: dict[tuple[int, dt.date], TeamDay] = {}
    for team_id, user_id, joined_at in memberships:
        joined = joined_at.date()
        home_topics = frozenset(home[team_id])
        posted_on = {day: crowded for _pk, day, crowded in by_user[user_id] if day in wanted}
        for day in days:
            if day < joined:
                continue
            row = rows.setdefault((team_id, day), TeamDay(team_id=team_id, day=day))
            row.members += 1
            if any(start <= day <= end for start, end in away[user_id]):
                row.away += 1
            if day in posted_on:
                row.posted += 1
                row.crowded += posted_on[day]
        for pk, day, _crowded in by_user[user_id]:
            learning_day = week_of(day)
            if learning_day not in wanted or learning_day < joined:
                continue
            row = rows.setdefault((team_id, learning_day), TeamDay(team_id=team_id, day=learning_day))
            row.entries += 1
            if day != learning_day:
                row.other_days += 1
            verdict = is_outside(topics.get(pk, ()), home_topics)
            if pk in topics:
                row.with_topic += 1
            if verdict is not None:
                row.counted += 1
                row.outside += verdict
    return list(rows.values())


def _pickups(as_of: dt.date) -> list[FieldPickup]:
    windows = pickup_windows(as_of)
    quarter = Quarter.of(as_of).first_day
    found: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for author_id, topic_id, day in (
        EntryTopic.objects.filter(
            entry__author__is_active=True, entry__day__gte=windows.before_start, entry__day__lte=as_of
        )
        .order_by()
        .values_list("entry__author_id", "topic_id", "entry__day")
        .iterator(chunk_size=5000)
    ):
        found[author_id].append((topic_id, day))
    return [
        FieldPickup(user_id=user_id, topic_id=topic_id, quarter=quarter, found_on=as_of)
        for user_id, pairs in found.items()
        for topic_id in sorted(fields_picked_up(pairs, windows=windows))
    ]


def impact_recompute(*, as_of: dt.date | None = None) -> RunResult:
    """Recompute the team summaries of the last year, add this quarter's new pick-ups, and
    store the whole organisation's money and reading of the year (``SummaryRun.org``).

    ``as_of`` is the day the figures are for (by default today in UTC; a Learning Day that
    has begun anywhere counts). Team rows of the year are replaced; pick-ups are only added
    (``ignore_conflicts`` on their unique constraint), never removed, so one found earlier in
    the quarter stays. The summary row is locked before anything is read, so two runs (or a
    run and a week's update) take turns.
    """
    now = timezone.now()
    as_of = as_of or now.date()
    days = summary_days(as_of)
    with transaction.atomic():
        SummaryRun.objects.get_or_create(key="impact", defaults={"computed_at": now, "as_of": as_of})
        # Read under the lock: a week recomputed after an entry (impact_recompute_week) waits
        # for this run, and is never overwritten by what this run read before it.
        run = SummaryRun.objects.select_for_update().get(key="impact")
        team_days = _team_days(days, as_of)
        pickups = _pickups(as_of)
        TeamDay.objects.filter(day__gte=days[0], day__lte=days[-1]).delete()
        TeamDay.objects.bulk_create(team_days, batch_size=2000)
        before = FieldPickup.objects.filter(quarter=Quarter.of(as_of).first_day).count()
        FieldPickup.objects.bulk_create(pickups, batch_size=2000, ignore_conflicts=True)
        added = FieldPickup.objects.filter(quarter=Quarter.of(as_of).first_day).count() - before
        run.computed_at, run.as_of = now, as_of
        run.team_days, run.pickups = len(team_days), before + added
        run.org = org_figures(as_of.year)
        run.version += 1
        run.save(update_fields=["computed_at", "as_of", "team_days", "pickups", "org", "version"])
    return RunResult(as_of=as_of, team_days=len(team_days), pickups_added=added)


def impact_recompute_week(*, user_id: int, day: dt.date) -> int:
    """Bring the summaries of one person's teams up to date for the week ``day`` falls in,
    after one of their entries was saved. Returns the rows written.

    Does nothing before the first full run (the nightly task builds everything) or for a
    week outside the year the last run holds (the next run will). The figures' "as of" stays
    the last full run's: it is when everything was last computed. Field pick-ups wait for
    the nightly run too (they look at 39 weeks of each person). Safe to run twice.
    """
    run = SummaryRun.objects.filter(key="impact").first()
    if run is None:
        return 0
    learning_day = week_of(day)
    days = summary_days(run.as_of)
    if not days[0] <= learning_day <= days[-1]:
        return 0
    team_ids = set(Membership.objects.filter(user_id=user_id).values_list("team_id", flat=True))
    if not team_ids:
        return 0
    # Every entry of that week counts, also those after the last run (none is in the future).
    with transaction.atomic():
        SummaryRun.objects.select_for_update().get(pk=run.pk)
        rows = _team_days([learning_day], dt.date.max, team_ids=team_ids)
        TeamDay.objects.filter(team_id__in=team_ids, day=learning_day).delete()
        TeamDay.objects.bulk_create(rows)
        SummaryRun.objects.filter(pk=run.pk).update(version=F("version") + 1)
    return len(rows)


def _topic_weeks_since(today: dt.date) -> dt.date:
    return calendar.previous_learning_day(today) - dt.timedelta(weeks=TOPIC_WEEKS - 1)


def _topic_week_rows(since: dt.date, *, user_id: int | None = None) -> list[TopicWeek]:
    """The topic weeks from ``since`` on, of everyone or of one person: one query."""
    links = EntryTopic.objects.filter(entry__visibility=Entry.Visibility.EVERYONE, entry__day__gte=since)
    if user_id is not None:
        links = links.filter(entry__author_id=user_id)
    rows: dict[tuple[int, int, dt.date], TopicWeek] = {}
    found = links.order_by().values_list("entry__author_id", "topic_id", "entry__day")
    for author_id, topic_id, day in found.iterator(chunk_size=5000):
        week = calendar.previous_learning_day(day)
        key = (author_id, topic_id, week)
        row = rows.get(key)
        if row is None:
            rows[key] = TopicWeek(user_id=author_id, topic_id=topic_id, week=week, entries=1, last=day)
        else:
            row.entries += 1
            row.last = max(row.last, day)
    return list(rows.values())


def _upsert(rows: list[TopicWeek]) -> None:
    TopicWeek.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["user", "topic", "week"],
        update_fields=["entries", "last"],
    )


def topic_weeks_refresh(*, user_id: int, today: dt.date | None = None) -> int:
    """Redo one person's topic weeks after one of their entries was saved or deleted (its
    day, text, topics or who may see it changed): the next /growth/ anywhere shows it.
    Returns the rows the person now has.

    Written as "insert or update, then remove the rest", never "remove, then insert", so
    that it needs no lock against the nightly rebuild: whichever runs second, the rows end
    up those of one of the two reads.
    """
    since = _topic_weeks_since(today or timezone.now().date())
    rows = _topic_week_rows(since, user_id=user_id)
    with transaction.atomic():
        _upsert(rows)
        kept = Q()
        for row in rows:
            kept |= Q(topic_id=row.topic_id, week=row.week)
        stale = TopicWeek.objects.filter(user_id=user_id)
        (stale.exclude(kept) if rows else stale).delete()
        versions.bump(versions.TOPIC_WEEKS)
    return len(rows)


def topic_weeks_rebuild(*, today: dt.date | None = None) -> int:
    """Rebuild everyone's topic weeks from the log (nightly, and after data arrives without
    ``logs.services``: the demo, a seed, a migration). Returns the rows written."""
    since = _topic_weeks_since(today or timezone.now().date())
    rows = _topic_week_rows(since)
    with transaction.atomic():
        TopicWeek.objects.all().delete()
        _upsert(rows)
        versions.bump(versions.TOPIC_WEEKS)
    return len(rows)
