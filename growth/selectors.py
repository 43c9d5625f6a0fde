"""Reads for /growth/: one person's own year of learning, read live (about 50 entries).

Every read here is of the person's own data, except ``peers``, which reads who else wrote
on the same topics lately from entries shared with everyone, and so never shows more than
the feed already does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, OuterRef, Sum, Window
from django.db.models.functions import RowNumber

from growth.aggregates import NO_TOPIC, SPENT
from growth.fields import Share, Windows, fields_picked_up, outside_share, pickup_windows
from growth.models import TopicWeek
from learningday import calendar
from learningday.models import Membership, User
from logs.models import Entry
from reading.models import Progress, Topic
from reading.selectors import shelf
from reimbursements.models import Claim

YEAR = 52  # Learning Days in the chart and the table
PEER_DAYS = 4  # "now": the last four Learning Days
PEERS_PER_TOPIC = 5


@dataclass(frozen=True)
class TopicYear:
    """One topic of my entries in the last year."""

    pk: int
    name: str
    entries: int
    first: dt.date
    last: dt.date
    weeks: frozenset[dt.date]  # the Learning Days with a mark: an entry that day or in the week after


@dataclass(frozen=True)
class Year:
    today: dt.date
    days: list[dt.date]  # the last 52 Learning Days, oldest first
    entries: int  # all my entries in the year, with a topic or not
    topics: list[TopicYear]
    # (topic id, entry day) for every topic of every entry of the year; (entry id, topic ids) per entry
    topic_days: list[tuple[int, dt.date]]
    entry_topics: dict[int, tuple[dt.date, frozenset[int]]]

    @property
    def start(self) -> dt.date:
        return self.days[0]

    @property
    def untagged(self) -> int:
        """My entries of the year without a topic: they show in no row."""
        return sum(1 for _day, topics in self.entry_topics.values() if not topics)


def learning_day_of(day: dt.date) -> dt.date:
    """The Learning Day whose week a day belongs to: an entry on another day counts for the
    Learning Day before it."""
    return calendar.previous_learning_day(day)


def my_year(user: User, *, today: dt.date) -> Year:
    """My entries of the last 52 Learning Days (and the days after the last one), with their
    topics: one query."""
    last = calendar.previous_learning_day(today)
    days = [last - dt.timedelta(weeks=n) for n in range(YEAR - 1, -1, -1)]
    rows = (
        Entry.objects.filter(author=user, day__gte=days[0], day__lte=today)
        .order_by("day")
        .values_list("pk", "day", "topic_links__topic_id", "topic_links__topic__name")
    )
    entry_topics: dict[int, tuple[dt.date, set[int]]] = {}
    names: dict[int, str] = {}
    per_topic: dict[int, list[dt.date]] = defaultdict(list)
    for entry_id, day, topic_id, topic_name in rows:
        topics = entry_topics.setdefault(entry_id, (day, set()))[1]
        if topic_id is not None:
            topics.add(topic_id)
            names[topic_id] = topic_name
            per_topic[topic_id].append(day)
    topics = [
        TopicYear(
            pk=topic_id,
            name=names[topic_id],
            entries=len(topic_days),
            first=min(topic_days),
            last=max(topic_days),
            weeks=frozenset(learning_day_of(day) for day in topic_days),
        )
        for topic_id, topic_days in per_topic.items()
    ]
    topics.sort(key=lambda t: (-t.entries, t.name.casefold()))
    return Year(
        today=today,
        days=days,
        entries=len(entry_topics),
        topics=topics,
        topic_days=[(topic_id, day) for topic_id, topic_days in per_topic.items() for day in topic_days],
        entry_topics={pk: (day, frozenset(ids)) for pk, (day, ids) in entry_topics.items()},
    )


@dataclass(frozen=True)
class PickedUp:
    windows: Windows
    topics: list[TopicYear]


def picked_up(year: Year, *, windows: Windows | None = None) -> PickedUp:
    """The fields I picked up, by the rule in growth.fields. The year reaches back further
    than the rule's 39 Learning Days, so what it holds is enough."""
    windows = windows or pickup_windows(year.today)
    ids = fields_picked_up(year.topic_days, windows=windows)
    return PickedUp(windows=windows, topics=[t for t in year.topics if t.pk in ids])


def home_topic_ids(user: User) -> frozenset[int]:
    """The home topics of all my teams, together: one query."""
    my_teams = Membership.objects.filter(user=user).values("team_id")
    return frozenset(Topic.objects.filter(home_teams__in=my_teams).values_list("pk", flat=True).distinct())


@dataclass(frozen=True)
class Outside:
    """My share of learning outside my teams' field; ``None`` where it cannot be told."""

    has_home_topics: bool
    year: Share
    recent: Share
    recent_start: dt.date

    @property
    def can_tell(self) -> bool:
        return self.has_home_topics and self.year.counted > 0


def outside(year: Year, home: frozenset[int], *, windows: Windows) -> Outside:
    recent = [topics for day, topics in year.entry_topics.values() if windows.is_recent(day)]
    return Outside(
        has_home_topics=bool(home),
        year=outside_share((topics for _day, topics in year.entry_topics.values()), home),
        recent=outside_share(recent, home),
        recent_start=windows.recent_start,
    )


@dataclass(frozen=True)
class ReadingTopic:
    name: str
    reading: list[Progress]
    done: list[Progress]


def reading_by_topic(user: User) -> list[ReadingTopic]:
    """What I am reading and have read, by the item's topic: one query (my shelf, so only
    the items I may still see)."""
    groups: dict[str, ReadingTopic] = {}
    progress = shelf(user).filter(state__in=[Progress.State.READING, Progress.State.DONE])
    for p in progress:
        name = p.item.topic.name if p.item.topic else NO_TOPIC
        group = groups.setdefault(name, ReadingTopic(name=name, reading=[], done=[]))
        (group.done if p.state == Progress.State.DONE else group.reading).append(p)
    return sorted(groups.values(), key=lambda g: (g.name == NO_TOPIC, g.name.casefold()))


@dataclass(frozen=True)
class MoneyTopic:
    name: str
    claims: int
    amount: Decimal


def money_by_topic(user: User) -> list[MoneyTopic]:
    """What the organisation approved for my claims (approved and paid), in the home
    currency, by the linked item's topic: one query."""
    rows = (
        Claim.objects.filter(claimant=user, state__in=SPENT)
        .order_by()
        .values("item__topic__name")
        .annotate(n=Count("pk"), total=Sum("approved_amount"))
    )
    totals: dict[str, MoneyTopic] = {}
    for row in rows:
        name = row["item__topic__name"] or NO_TOPIC
        before = totals.get(name)
        claims, amount = (before.claims, before.amount) if before else (0, Decimal("0"))
        totals[name] = MoneyTopic(name=name, claims=claims + row["n"], amount=amount + (row["total"] or Decimal("0")))
    return sorted(totals.values(), key=lambda m: (m.name == NO_TOPIC, -m.amount, m.name.casefold()))


@dataclass(frozen=True)
class Peer:
    pk: int
    name: str
    entries: int
    last: dt.date


@dataclass(frozen=True)
class PeerTopic:
    pk: int
    name: str
    people: list[Peer]


def peers(user: User, year: Year) -> tuple[dt.date, list[PeerTopic]]:
    """People outside all my teams with entries on the topics of my last four Learning Days,
    in the same days: one query over the topic weeks (growth.models.TopicWeek, kept as
    entries are saved), at most PEERS_PER_TOPIC people per topic, those who wrote most
    recently. Those weeks count only entries shared with everyone, which are exactly the
    entries of people outside my teams that I may read (logs.selectors.entries_visible_to),
    so nothing shows here that the feed would not show me."""
    start = year.days[-PEER_DAYS]
    mine = {t.pk: t.name for t in year.topics if t.last >= start}
    if not mine:
        return start, []
    my_teams = Membership.objects.filter(user=user).values("team_id")
    rows = (
        TopicWeek.objects.filter(topic_id__in=mine, week__gte=start, user__is_active=True)
        .exclude(user=user)
        .exclude(Exists(Membership.objects.filter(user_id=OuterRef("user_id"), team_id__in=my_teams)))
        .values("topic_id", "user_id", "user__display_name", "user__email")
        .annotate(n=Sum("entries"), latest=Max("last"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("topic_id")],
                order_by=[F("latest").desc(), F("user_id").asc()],
            )
        )
        .filter(rank__lte=PEERS_PER_TOPIC)
        .order_by("topic_id", "rank")
    )
    people: dict[int, list[Peer]] = defaultdict(list)
    for row in rows:
        name = row["user__display_name"] or row["user__email"].split("@")[0]
        people[row["topic_id"]].append(Peer(pk=row["user_id"], name=name, entries=row["n"], last=row["latest"]))
    topics = [PeerTopic(pk=pk, name=name, people=people.get(pk, [])) for pk, name in mine.items()]
    return start, sorted(topics, key=lambda t: t.name.casefold())
