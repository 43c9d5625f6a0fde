"""Reads of the learning log, already filtered to what the person may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from learningday import calendar
from learningday.models import Holiday, Membership, Team, User
from learningday.quarters import Quarter
from logs.models import Away, Entry, PulseAnswer
from reading.models import Item, Topic
from reading.selectors import items_visible_to

SEARCH_CONFIG = "english"


def author_visible_to(user: User, person_id: int) -> User | None:
    """The person a feed is filtered to, if this reader may know them: themselves, a teammate,
    or someone who shares entries with everyone. Anyone else is nobody, so an id names no one."""
    my_teams = Membership.objects.filter(user=user).values("team_id")
    teammate = Exists(Membership.objects.filter(user_id=OuterRef("pk"), team_id__in=my_teams))
    shares = Exists(Entry.objects.filter(author_id=OuterRef("pk"), visibility=Entry.Visibility.EVERYONE))
    return User.objects.filter(Q(pk=user.pk) | teammate | shares, pk=person_id).first()


def _readable_in(teams, *, author: User | None = None) -> QuerySet[Entry]:
    """The one rule of who reads what: an entry is read by its author, by everyone when it is
    shared with everyone, and otherwise in each team its author is in."""
    # The authors who share a team, as a subquery PostgreSQL hashes once: planned in half the
    # time of a correlated EXISTS, and not selected with every row.
    teammates = Membership.objects.filter(team_id__in=teams).values("user_id")
    rule = Q(visibility=Entry.Visibility.EVERYONE) | Q(author_id__in=teammates)
    if author is not None:
        rule |= Q(author=author)
    return Entry.objects.filter(rule)


def entries_readable_by(user: User) -> QuerySet[Entry]:
    """Entries this person may read: their own, those shared with everyone, and those shared
    with a team they are in. Nothing joined: for the lists that read only which rows to show
    (logs.cards)."""
    return _readable_in(Membership.objects.filter(user=user).values("team_id"), author=user)


def entries_visible_to(user: User) -> QuerySet[Entry]:
    """The entries of ``entries_readable_by``, joined for display (author and the author's
    teams, the reading items this reader may see, the topics)."""
    return (
        entries_readable_by(user)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "author__memberships",
                queryset=Membership.objects.select_related("team").order_by("team__name"),
                to_attr="team_memberships",
            ),
            # Only the reading items this reader may see, so that an entry does not leak a team's list.
            Prefetch("items", queryset=items_visible_to(user).order_by("title"), to_attr="visible_items"),
            Prefetch("topics", queryset=Topic.objects.only("pk", "name").order_by("name"), to_attr="topic_list"),
        )
    )


def entries_visible_to_team(team: Team) -> QuerySet[Entry]:
    """Entries a team reads together (its Slack channel, its digest): what every member may
    read as a member of this team, by the same rule as ``entries_visible_to``."""
    return _readable_in([team.pk]).select_related("author")


def entries_about(item: Item, user: User) -> QuerySet[Entry]:
    """Entries that point at a reading item, as this person may see them."""
    return entries_readable_by(user).filter(items=item).order_by("-day", "-created_at")


def search(entries: QuerySet[Entry], query: str) -> QuerySet[Entry]:
    """Full-text search on PostgreSQL (stored vector, GIN-indexed, stemmed); every word as a substring elsewhere."""
    query = query.strip()
    if not query:
        return entries
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        # search_vector is kept by a trigger and GIN-indexed (logs migration 0007).
        return entries.filter(search_vector=SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch"))
    for word in query.split():
        entries = entries.filter(body__icontains=word.strip('"'))
    return entries


def filter_feed(
    entries: QuerySet[Entry],
    *,
    team: Team | None = None,
    person: User | None = None,
    category: str = "",
    day_from: dt.date | None = None,
    day_to: dt.date | None = None,
    query: str = "",
) -> QuerySet[Entry]:
    if team is not None:
        entries = entries.filter(Exists(Membership.objects.filter(user_id=OuterRef("author_id"), team=team)))
    if person is not None:
        entries = entries.filter(author=person)
    if category:
        entries = entries.filter(category=category)
    if day_from:
        entries = entries.filter(day__gte=day_from)
    if day_to:
        entries = entries.filter(day__lte=day_to)
    return search(entries, query).order_by("-day", "-created_at", "-pk")


# --- One person's record -------------------------------------------------------


def _away_days(periods: list[tuple[dt.date, dt.date]]):
    def is_away(day: dt.date) -> bool:
        return any(start <= day <= end for start, end in periods)

    return is_away


def _joined_on(user: User) -> dt.date:
    return calendar.local_date(user.tzinfo, at=user.date_joined)


def day_status(day: dt.date, *, crowded: bool | None, joined: dt.date, away: bool, today: dt.date) -> str:
    """What a Learning Day was for one person; ``crowded`` is None when they posted nothing."""
    if crowded is not None:
        return "crowded" if crowded else "logged"
    if day < joined:
        return "before"
    if away:
        return "away"
    return "today" if day == today else "missed"


def last_plan(user: User, *, before: dt.date) -> Entry | None:
    """The person's latest entry before ``before`` that says what comes next."""
    return Entry.objects.filter(author=user, day__lt=before).exclude(whats_next="").order_by("-day").first()


@dataclass(frozen=True)
class Record:
    """One person's Learning Day history since they joined: what the dashboard draws from."""

    joined: dt.date
    logged: dict[dt.date, bool]  # day -> crowded out
    away: list[tuple[dt.date, dt.date]]


def record(user: User, *, today: dt.date) -> Record:
    """Their entries' days and their away periods since they joined, in two queries."""
    joined = _joined_on(user)
    logged = dict(Entry.objects.filter(author=user, day__gte=joined, day__lte=today).values_list("day", "crowded_out"))
    away = list(Away.objects.filter(user=user, end__gte=joined).values_list("start", "end"))
    return Record(joined, logged, away)


def streak(user: User, *, today: dt.date, history: Record | None = None) -> int:
    """Consecutive Learning Days with an entry, back from the latest one.

    Today, when it is a Learning Day without an entry yet, does not break it (the day is
    not over); days marked away neither count nor break it; it starts when they joined.
    """
    history = history or record(user, today=today)
    joined, logged, is_away = history.joined, history.logged, _away_days(history.away)
    day = calendar.previous_learning_day(today)
    if day == today and day not in logged:
        day -= dt.timedelta(days=7)
    count = 0
    while day >= joined:
        if day in logged:
            count += 1
        elif not is_away(day):
            break
        day -= dt.timedelta(days=7)
    return count


@dataclass(frozen=True)
class DayMark:
    day: dt.date
    status: str  # logged, crowded, missed, away, today, before
    label: str


STATUS_LABELS = {
    "logged": "logged",
    "crowded": "logged, part of the day went to regular work",
    "missed": "no entry",
    "away": "away",
    "today": "today, not logged yet",
    "before": "before you joined",
}


def year_of_learning_days(
    user: User, *, today: dt.date, weeks: int = 52, history: Record | None = None
) -> list[DayMark]:
    """The person's last ``weeks`` Learning Days, oldest first, each with what happened."""
    history = history or record(user, today=today)
    last = calendar.previous_learning_day(today)
    first = last - dt.timedelta(weeks=weeks - 1)
    is_away = _away_days(history.away)
    marks = []
    for day in calendar.learning_days_between(first, last):
        status = day_status(day, crowded=history.logged.get(day), joined=history.joined, away=is_away(day), today=today)
        marks.append(DayMark(day, status, STATUS_LABELS[status]))
    return marks


# --- A team's participation ----------------------------------------------------


@dataclass
class PersonRow:
    user: User
    cells: list[str] = field(default_factory=list)  # one status per Learning Day
    off_day_posts: int = 0

    @property
    def posted(self) -> int:
        return sum(1 for c in self.cells if c in {"logged", "crowded"})

    @property
    def expected(self) -> int:
        return sum(1 for c in self.cells if c in {"logged", "crowded", "missed"})

    @property
    def crowded(self) -> int:
        return self.cells.count("crowded")

    @property
    def rate(self) -> float | None:
        return self.posted / self.expected if self.expected else None


@dataclass
class DayColumn:
    day: dt.date
    posted: int = 0
    expected: int = 0
    crowded: int = 0

    @property
    def rate(self) -> float | None:
        return self.posted / self.expected if self.expected else None


@dataclass
class Participation:
    team: Team
    days: list[DayColumn]
    rows: list[PersonRow]
    off_day_entries: list[tuple[User, dt.date]]

    @property
    def rate(self) -> float | None:
        posted = sum(d.posted for d in self.days)
        expected = sum(d.expected for d in self.days)
        return posted / expected if expected else None

    @property
    def silent_days(self) -> list[dt.date]:
        """Learning Days on which nobody who was expected posted."""
        return [d.day for d in self.days if d.expected and not d.posted]

    @property
    def crowded(self) -> int:
        return sum(d.crowded for d in self.days)


@dataclass(frozen=True)
class ParticipationInputs:
    """Everything a team's participation is worked out from (three queries)."""

    team: Team
    today: dt.date
    first: dt.date
    last: dt.date
    memberships: list[Membership]
    entries: list[tuple[int, dt.date, bool]]  # author, day, crowded out
    away: list[tuple[int, dt.date, dt.date]]  # person, first day, last day


def member_ids(team: Team) -> list[int]:
    """The team's members' ids, in order: whose own versions decide its participation report."""
    return list(Membership.objects.filter(team=team).order_by("user_id").values_list("user_id", flat=True))


def participation_inputs(team: Team, *, today: dt.date, count: int = 12) -> ParticipationInputs:
    """The team's members, their entries and their days away of its last ``count`` Learning Days."""
    last = calendar.previous_learning_day(today)
    first = last - dt.timedelta(weeks=count - 1)
    memberships = list(
        Membership.objects.filter(team=team).select_related("user").order_by("user__display_name", "user__email")
    )
    user_ids = [m.user_id for m in memberships]
    entries = list(
        Entry.objects.filter(author_id__in=user_ids, day__gte=first, day__lte=today).values_list(
            "author_id", "day", "crowded_out"
        )
    )
    away = list(
        Away.objects.filter(user_id__in=user_ids, end__gte=first, start__lte=last).values_list(
            "user_id", "start", "end"
        )
    )
    return ParticipationInputs(team, today, first, last, memberships, entries, away)


def participation(team: Team, *, today: dt.date, count: int = 12) -> Participation:
    """Who posted on each of the team's last ``count`` Learning Days, in three queries."""
    return participation_from(participation_inputs(team, today=today, count=count))


def participation_from(inputs: ParticipationInputs) -> Participation:
    today, first, last = inputs.today, inputs.first, inputs.last
    memberships, entries = inputs.memberships, inputs.entries
    away: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for user_id, start, end in inputs.away:
        away[user_id].append((start, end))

    logged = {(author, day): crowded for author, day, crowded in entries}
    days = [DayColumn(day) for day in calendar.learning_days_between(first, last)]
    rows, off_day = [], []
    by_id = {m.user_id: m.user for m in memberships}
    for author, day, _crowded in sorted(entries, key=lambda e: e[1]):
        if not calendar.is_learning_day(day):
            off_day.append((by_id[author], day))
    for membership in memberships:
        user = membership.user
        joined = max(calendar.local_date(user.tzinfo, at=membership.joined_at), _joined_on(user))
        is_away = _away_days(away[user.pk])
        row = PersonRow(user, off_day_posts=sum(1 for u, _ in off_day if u.pk == user.pk))
        for column in days:
            status = day_status(
                column.day,
                crowded=logged.get((user.pk, column.day)),
                joined=joined,
                away=is_away(column.day),
                today=today,
            )
            row.cells.append(status)
            if status in {"logged", "crowded", "missed"}:
                column.expected += 1
            if status in {"logged", "crowded"}:
                column.posted += 1
            if status == "crowded":
                column.crowded += 1
        rows.append(row)
    return Participation(team=inputs.team, days=days, rows=rows, off_day_entries=off_day)


def teams_for_participation(user: User) -> QuerySet[Team]:
    """Teams whose participation this person may see: those they manage, and only those.

    Participation is who took part on which day: a manager's view of their own team's habit.
    Finance pays for learning and sees claims, not attendance.
    """
    return Team.objects.filter(pk__in=user.managed_team_ids)


# --- One person's calendar feed ------------------------------------------------------------

# The feed's window around the person's today: far enough back that last weeks' days stay in a
# calendar app, far enough ahead to plan a year.
CALENDAR_WEEKS_BACK = 8
CALENDAR_DAYS_AHEAD = 365
# A token as new_calendar_token makes it is 43 characters; anything much longer names nobody.
_TOKEN_MAX = 64


def calendar_feed_owner(token: str) -> User | None:
    """The active person whose secret calendar address holds ``token``; nobody otherwise."""
    if not token or len(token) > _TOKEN_MAX:
        return None
    return User.objects.filter(calendar_feed__token=token, is_active=True).first()


@dataclass(frozen=True)
class CalendarDays:
    """What a person's calendar shows from ``first`` to ``last``, both included."""

    first: dt.date
    last: dt.date
    learning_days: list[dt.date]  # the organisation's weekday, holidays left out
    holidays: list[Holiday]
    away: list[Away]  # the person's periods that touch the window, whole


def calendar_days(user: User, *, today: dt.date) -> CalendarDays:
    """The Learning Days, the organisation's holidays and the person's away days around ``today``."""
    first = today - dt.timedelta(weeks=CALENDAR_WEEKS_BACK)
    last = today + dt.timedelta(days=CALENDAR_DAYS_AHEAD)
    holidays = list(Holiday.objects.filter(date__range=(first, last)).order_by("date"))
    closed = {holiday.date for holiday in holidays}
    away = list(Away.objects.filter(user=user, start__lte=last, end__gte=first).order_by("start", "pk"))
    days = [day for day in calendar.learning_days_between(first, last) if day not in closed]
    return CalendarDays(first=first, last=last, learning_days=days, holidays=holidays, away=away)


# --- The quarterly pulse question ------------------------------------------------------------

PULSE_MIN_GROUP = 5
PULSE_SCORES = (1, 2, 3, 4, 5)
OTHER_TEAMS = "Other teams"
NO_TEAM = "No team"


def pulse_opens_on(quarter: Quarter) -> dt.date:
    """The quarter's first Learning Day that is not a holiday: the day the pulse question is
    asked (the morning message) and from which it stays open until the quarter ends."""
    holidays = set(
        Holiday.objects.filter(date__range=(quarter.first_day, quarter.last_day)).values_list("date", flat=True)
    )
    day = calendar.next_learning_day(quarter.first_day)
    while day in holidays:
        day += dt.timedelta(days=7)
    return day


def pulse_open_quarter(*, today: dt.date) -> Quarter | None:
    """The quarter whose pulse a person whose local date is ``today`` may answer, if any:
    from the quarter's first Learning Day to its last day, both included."""
    quarter = Quarter.of(today)
    return quarter if today >= pulse_opens_on(quarter) else None


def pulse_answer_of(user: User, quarter: Quarter) -> PulseAnswer | None:
    """The person's own answer for the quarter: shown to them, and to nobody else."""
    return PulseAnswer.objects.filter(user=user, quarter=quarter.first_day).first()


def pulse_to_ask(people: list[User], *, day: dt.date) -> set[int]:
    """Of ``people``, those whose morning message on ``day`` asks the pulse question: it is
    the quarter's first Learning Day and they have not answered yet (one query each)."""
    quarter = Quarter.of(day)
    if not people or day != pulse_opens_on(quarter):
        return set()
    answered = set(
        PulseAnswer.objects.filter(user__in=people, quarter=quarter.first_day).values_list("user_id", flat=True)
    )
    return {person.pk for person in people} - answered


@dataclass(frozen=True)
class PulseGroup:
    """The answers of one group, as they may be shown: never fewer than five."""

    name: str
    count: int
    distribution: tuple[int, ...]  # how many answered 1, 2, 3, 4 and 5
    comments: tuple[str, ...]  # sorted by their text: neither names nor the order they came in
    team_id: int | None = None

    @property
    def mean(self) -> float:
        return sum(score * n for score, n in zip(PULSE_SCORES, self.distribution, strict=True)) / self.count


@dataclass(frozen=True)
class PulseResults:
    quarter: Quarter
    ended: bool  # False: the quarter is still open, and nothing is shown yet
    organisation: PulseGroup | None = None
    teams: list[PulseGroup] = field(default_factory=list)
    other: PulseGroup | None = None
    folded: list[str] = field(default_factory=list)  # teams counted in "other", by name


def pulse_results(*, quarter: Quarter, team_ids: Iterable[int] | None = None) -> PulseResults:
    """A quarter's pulse answers as aggregates that cannot be traced to a person.

    The rules, applied to the whole organisation first and the same for every viewer, so
    that no two views can be combined into more than either shows:

    1. Each answer counts in one group: the team it was given in (``PulseAnswer.team``, the
       person's first team), or "no team". Groups do not overlap, and do not change after.
    2. Nothing is shown for a quarter before it has ended in every time zone: figures that
       move while people answer would tell each new answer to whoever watches them move.
    3. A team's count, mean, distribution and comments (without names, sorted by their text)
       are shown only where it has at least five answers. The others are folded together
       into "Other teams", shown under the same rule.
    4. Subtraction: if any answers are folded but fewer than five, "Other teams" is hidden —
       and then the organisation minus the teams shown would give exactly those answers. So
       the smallest team shown is folded into "Other teams" too (and the next, until it has
       five), and no group's figures follow from the others'. What is folded is then always at
       least five answers, and never one team's answers alone. The organisation is shown
       whenever it has at least five answers, and is always the sum of the groups shown.

    What no threshold prevents: a group of five who all answered the same has told each
    person's answer to whoever knows who is in it. The question says so (the form's hint).

    ``team_ids`` narrows the teams listed to those (a manager's own); the folding is the
    organisation's all the same, and "Other teams" is then left out.
    """
    if timezone.now() < quarter.ended_everywhere_at:
        return PulseResults(quarter=quarter, ended=False)
    counts: dict[int | None, list[int]] = defaultdict(lambda: [0] * len(PULSE_SCORES))
    rows = (
        PulseAnswer.objects.filter(quarter=quarter.first_day)
        .order_by()
        .values_list("team_id", "score")
        .annotate(n=Count("pk"))
    )
    for team_id, score, n in rows:
        counts[team_id][score - 1] += n
    names = dict(Team.objects.filter(pk__in=[t for t in counts if t is not None]).values_list("pk", "name"))
    size = {group: sum(dist) for group, dist in counts.items()}
    # Shown: teams with five answers or more; "no team" is never a team of its own.
    big = [g for g in counts if g is not None and size[g] >= PULSE_MIN_GROUP]
    shown = sorted(big, key=lambda g: (size[g], names[g]))
    folded = [g for g in counts if g not in shown]
    while folded and sum(size[g] for g in folded) < PULSE_MIN_GROUP and shown:
        folded.append(shown.pop(0))  # the smallest shown team joins "other" (rule 4)
    total = sum(size.values())
    if total < PULSE_MIN_GROUP:
        return PulseResults(quarter=quarter, ended=True)
    other_size = sum(size[g] for g in folded)
    comments = _pulse_comments(quarter, shown=shown, with_other=other_size >= PULSE_MIN_GROUP)

    def group(name: str, members: list[int | None], team_id: int | None = None) -> PulseGroup:
        distribution = tuple(sum(counts[g][i] for g in members) for i in range(len(PULSE_SCORES)))
        said = sorted(text for g in members for text in comments.get(g, []))
        return PulseGroup(name, sum(distribution), distribution, tuple(said), team_id)

    teams = [group(names[g], [g], g) for g in sorted(shown, key=lambda g: names[g])]
    other = group(OTHER_TEAMS, folded) if folded and other_size >= PULSE_MIN_GROUP else None
    organisation = group("Organisation", list(counts))
    folded_names = sorted(names[g] for g in folded if g is not None)
    if team_ids is not None:
        wanted = set(team_ids)
        teams = [t for t in teams if t.team_id in wanted]
        folded_names = sorted(names[g] for g in folded if g in wanted)
        other = None
    return PulseResults(
        quarter=quarter, ended=True, organisation=organisation, teams=teams, other=other, folded=folded_names
    )


def _pulse_comments(quarter: Quarter, *, shown: list[int], with_other: bool) -> dict[int | None, list[str]]:
    """The comments of the groups that may show theirs, by group: no names, no times."""
    found: dict[int | None, list[str]] = defaultdict(list)
    answers = PulseAnswer.objects.filter(quarter=quarter.first_day).exclude(comment="")
    if not with_other:
        answers = answers.filter(team_id__in=shown)
    for team_id, comment in answers.order_by().values_list("team_id", "comment"):
        found[team_id].append(comment)
    return found
