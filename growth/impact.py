"""Reads for /impact/: the summaries (growth.models) and a few live aggregates, already
narrowed to the teams the person may see. A constant number of queries, whatever the size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncMonth

from growth import aggregates
from growth.aggregates import ZERO
from growth.fields import Share
from growth.models import FieldPickup, SummaryRun, TeamDay
from growth.summaries import summary_days
from learningday.models import Membership, Team, User
from learningday.quarters import Quarter
from logs.selectors import PulseResults, pulse_results

# The per-team tables show this many teams a page; the totals, the charts and the CSVs all of them.
TEAMS_PER_PAGE = 25
# The names of those who picked up a field: this many a page (the counts cover all).
PEOPLE_PER_PAGE = 50
_SUMMED = ("members", "away", "posted", "crowded", "other_days", "counted", "outside")


def impact_teams(user: User) -> QuerySet[Team] | None:
    """The teams whose impact this person may see: every team for the leadership group,
    the teams they manage for a manager, and None (not this page) for anyone else."""
    if user.is_leadership:
        return Team.objects.order_by("name")
    if user.is_manager:
        return Team.objects.filter(pk__in=user.managed_team_ids).order_by("name")
    return None


def last_run() -> SummaryRun | None:
    return SummaryRun.objects.filter(key="impact").first()


@dataclass
class Tally:
    """Learning Days added up: of one team in a period, or of every team shown on one day."""

    members: int = 0
    expected: int = 0
    posted: int = 0
    crowded: int = 0
    other_days: int = 0
    counted: int = 0
    outside: int = 0

    def add(self, row: TeamDay | Tally) -> None:
        self.members += row.members
        self.expected += row.expected
        self.posted += row.posted
        self.crowded += row.crowded
        self.other_days += row.other_days
        self.counted += row.counted
        self.outside += row.outside

    @property
    def missed(self) -> int:
        return max(self.expected - self.posted, 0)

    @property
    def rate(self) -> float | None:
        return self.posted / self.expected if self.expected else None

    @property
    def missed_rate(self) -> float | None:
        return self.missed / self.expected if self.expected else None

    @property
    def share(self) -> Share:
        return Share(self.outside, self.counted)

    @classmethod
    def of_sums(cls, sums: dict) -> Tally:
        """A tally from a row of TeamDay sums (``_SUMMED``, each summed over some teams)."""
        return cls(
            members=sums["members"],
            expected=sums["members"] - sums["away"],
            posted=sums["posted"],
            crowded=sums["crowded"],
            other_days=sums["other_days"],
            counted=sums["counted"],
            outside=sums["outside"],
        )

    @classmethod
    def combined(cls, tallies) -> Tally:
        total = cls()
        for tally in tallies:
            total.add(tally)
        return total


@dataclass
class DayPoint:
    day: dt.date
    tally: Tally


@dataclass
class TeamRow:
    team: Team
    periods: list[Tally]  # one per period of the table's columns
    total: Tally


@dataclass(frozen=True)
class Period:
    label: str
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class Pickups:
    people: int
    fields: list[tuple[str, int]]  # topic name, people who picked it up; most first
    rows: list[tuple[User, list[str]]]  # a page of people, by name, and the fields each picked up
    page: Page | None = None  # that page of the people (None: all of them)


@dataclass(frozen=True)
class Money:
    year: int
    by_topic: list[tuple[str, Decimal]]
    by_team: list[tuple[Team, int, Decimal, Decimal]]  # team, members, spent, budget
    total: Decimal


@dataclass
class Impact:
    run: SummaryRun | None
    teams: list[Team]
    days: list[DayPoint] = field(default_factory=list)
    months: list[Period] = field(default_factory=list)
    quarters: list[Period] = field(default_factory=list)
    by_month: list[TeamRow] = field(default_factory=list)  # participation
    by_quarter: list[TeamRow] = field(default_factory=list)  # the three ways a day dies
    quarter_totals: list[tuple[Period, Tally]] = field(default_factory=list)  # every team shown
    overall: Tally = field(default_factory=Tally)
    quarter: Quarter | None = None
    pickups: Pickups | None = None
    money: Money | None = None
    most_read: list[tuple[str, int]] = field(default_factory=list)
    most_endorsed: list[tuple[str, int]] = field(default_factory=list)
    pulse: PulseResults | None = None
    # The money and reading are the nightly run's (the whole organisation), not added up live.
    org_from_run: bool = False


def _periods(days: list[dt.date], *, months: int) -> list[Period]:
    found: dict[tuple[int, int], list[dt.date]] = {}
    for day in days:
        found.setdefault((day.year, (day.month - 1) // months), []).append(day)
    out = []
    for (year, index), members in found.items():
        first = dt.date(year, index * months + 1, 1)
        label = f"{first:%b} {year}" if months == 1 else Quarter.of(first).label
        out.append(Period(label, members[0], members[-1]))
    return out


def _team_rows(teams: list[Team], by_month: dict[int, dict[tuple[int, int], Tally]], periods: list[Period]):
    """Each team's tallies per period (a month or a quarter), from its tallies per month."""
    spans = [((p.first.year, p.first.month), (p.last.year, p.last.month)) for p in periods]
    rows = []
    for team in teams:
        months = by_month.get(team.pk, {})
        tallies = [Tally.combined(t for key, t in months.items() if start <= key <= end) for start, end in spans]
        rows.append(TeamRow(team, tallies, Tally.combined(tallies)))
    return rows


def _pickups(quarter: Quarter, teams: list[Team], *, everyone: bool, people_page: str | int | None) -> Pickups:
    """The fields picked up in ``quarter`` with how many people, and the names of one page of
    those people (PEOPLE_PER_PAGE, by name; ``people_page`` None: all of them, for the CSV)."""
    found = FieldPickup.objects.filter(quarter=quarter.first_day)
    if not everyone:
        found = found.filter(aggregates.in_teams(teams))
    fields = list(
        found.order_by()
        .values_list("topic__name")
        .annotate(people=Count("user_id", distinct=True))
        .order_by("-people", "topic__name")
    )
    people = User.objects.filter(Exists(found.filter(user_id=OuterRef("pk")))).order_by("display_name", "email", "pk")
    page = None
    if people_page is not None:
        page = Paginator(people, PEOPLE_PER_PAGE).get_page(people_page)
        found = found.filter(user_id__in=page.object_list.values("pk"))
    # The page's people and their fields in one query (the page's people as a subquery).
    rows: dict[int, tuple[User, list[str]]] = {}
    for pickup in found.select_related("user", "topic").order_by(
        "user__display_name", "user__email", "user_id", "topic__name"
    ):
        rows.setdefault(pickup.user_id, (pickup.user, []))[1].append(pickup.topic.name)
    count = page.paginator.count if page is not None else len(rows)
    return Pickups(people=count, fields=fields, rows=list(rows.values()), page=page)


def _money(year: int, teams: list[Team], *, org: dict | None, page_teams: list[Team]) -> Money:
    """Money by topic over ``teams`` and by team for ``page_teams``; from the nightly
    figures when ``org`` holds them (the whole organisation, this year)."""
    if org is not None:
        by_topic = [(name, Decimal(total)) for name, total in org["by_topic"]]
        spent = {int(team_id): Decimal(total) for team_id, total in org["spent"].items()}
    else:
        by_topic = aggregates.money_by_topic(year, teams)
        spent = aggregates.spent_by_team(year, page_teams)
    members = dict(
        Membership.objects.filter(team_id__in=[team.pk for team in page_teams], user__is_active=True)
        .order_by()
        .values_list("team_id")
        .annotate(n=Count("pk"))
    )
    budget = settings.ANNUAL_LEARNING_BUDGET
    by_team = [
        (team, members.get(team.pk, 0), spent.get(team.pk) or ZERO, budget * members.get(team.pk, 0))
        for team in page_teams
    ]
    return Money(year=year, by_topic=by_topic, by_team=by_team, total=sum((t for _n, t in by_topic), ZERO))


def impact(
    user: User,
    *,
    teams: list[Team],
    everyone: bool,
    today: dt.date,
    page_teams: list[Team] | None = None,
    people_page: str | int | None = None,
    run: SummaryRun | None = None,
) -> Impact:
    """What /impact/ shows for these teams (``everyone``: the whole organisation, people in
    no team included, as the leadership group sees it without a team filter). The totals and
    the charts cover every team; the per-team tables only ``page_teams`` (all, when None), and
    the names of those who picked up a field only page ``people_page`` of them (all, when
    None), so the page's work stays the same however many teams and people there are."""
    run = run or last_run()
    result = Impact(run=run, teams=teams)
    if run is None:
        return result
    shown = teams if page_teams is None else page_teams
    days = summary_days(run.as_of)
    in_year = TeamDay.objects.filter(day__gte=days[0], day__lte=days[-1])
    per_day: dict[dt.date, Tally] = {day: Tally() for day in days}
    # The whole organisation is every row: no list of 200 team ids for the planner to match.
    of_teams = in_year if everyone else in_year.filter(team_id__in=[team.pk for team in teams])
    sums = of_teams.order_by().values("day").annotate(**{f: Sum(f) for f in _SUMMED})
    for row in sums:
        per_day[row["day"]] = Tally.of_sums(row)
    # The year starts where the teams shown had their first member: no empty months before.
    first = next((day for day in days if per_day[day].members), days[-1])
    days = [day for day in days if day >= first]
    # The tables by team: each team of the page by month, summed in SQL (a few hundred rows).
    by_month: dict[int, dict[tuple[int, int], Tally]] = defaultdict(dict)
    monthly = (
        in_year.filter(team_id__in=[team.pk for team in shown], day__gte=first)
        .annotate(month=TruncMonth("day"))
        .order_by()
        .values("team_id", "month")
        .annotate(**{f: Sum(f) for f in _SUMMED})
    )
    for row in monthly:
        by_month[row["team_id"]][row["month"].year, row["month"].month] = Tally.of_sums(row)
    result.days = [DayPoint(day, per_day[day]) for day in days]
    result.overall = Tally.combined(point.tally for point in result.days)
    result.months = _periods(days, months=1)
    result.quarters = _periods(days, months=3)
    result.by_month = _team_rows(shown, by_month, result.months)
    result.by_quarter = _team_rows(shown, by_month, result.quarters)
    result.quarter_totals = [
        (period, Tally.combined(per_day[day] for day in days if period.first <= day <= period.last))
        for period in result.quarters
    ]
    result.quarter = Quarter.of(today)
    result.pickups = _pickups(result.quarter, teams, everyone=everyone, people_page=people_page)
    # The whole organisation's money and reading come from the nightly run while it is of
    # this year; a manager's teams, or the first day of a year, are added up live.
    org = run.org if everyone and run.org.get("year") == today.year else None
    result.money = _money(today.year, teams, org=org, page_teams=shown)
    scope = None if everyone else teams
    result.org_from_run = org is not None
    if org is not None:
        result.most_read = [tuple(row) for row in org["most_read"]]
        result.most_endorsed = [tuple(row) for row in org["most_endorsed"]]
    else:
        result.most_read = aggregates.most_read(scope)
        result.most_endorsed = aggregates.most_endorsed(scope)
    result.pulse = pulse_results(
        quarter=result.quarter.previous(), team_ids=None if everyone else [team.pk for team in teams]
    )
    return result
