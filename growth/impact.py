"""Reads for /impact/: the summaries (growth.models) and a few live aggregates, already
narrowed to the teams the person may see. A constant number of queries, whatever the size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from growth.fields import Share
from growth.models import FieldPickup, SummaryRun, TeamDay
from growth.summaries import summary_days
from learningday.models import Membership, Team, User
from learningday.quarters import Quarter
from logs.selectors import PulseResults, pulse_results
from reading.models import Endorsement, Progress
from reimbursements.models import Claim

SPENT = (Claim.State.APPROVED, Claim.State.PAID)
ZERO = Decimal("0")
TOP_ITEMS = 10
# The per-team tables show this many teams a page; the totals, the charts and the CSVs all of them.
TEAMS_PER_PAGE = 25
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

    def add(self, row: TeamDay) -> None:
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
            for name in ("members", "expected", "posted", "crowded", "other_days", "counted", "outside"):
                setattr(total, name, getattr(total, name) + getattr(tally, name))
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
    rows: list[tuple[User, list[str]]]  # a person, the fields they picked up


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


def _rows(teams: list[Team], summary: dict[int, list[TeamDay]], periods: list[Period]) -> list[TeamRow]:
    rows = []
    for team in teams:
        tallies = [Tally() for _ in periods]
        total = Tally()
        for row in summary.get(team.pk, []):
            index = next((i for i, p in enumerate(periods) if p.first <= row.day <= p.last), None)
            if index is not None:
                tallies[index].add(row)
                total.add(row)
        rows.append(TeamRow(team, tallies, total))
    return rows


def _in_teams(teams: list[Team], *, user_field: str = "user_id"):
    return Exists(Membership.objects.filter(user_id=OuterRef(user_field), team__in=teams))


def _pickups(quarter: Quarter, teams: list[Team], *, everyone: bool) -> Pickups:
    found = FieldPickup.objects.filter(quarter=quarter.first_day).select_related("user", "topic")
    if not everyone:
        found = found.filter(_in_teams(teams))
    by_person: dict[int, tuple[User, list[str]]] = {}
    per_field: dict[str, set[int]] = defaultdict(set)
    for pickup in found.order_by("user__display_name", "user__email", "topic__name"):
        by_person.setdefault(pickup.user_id, (pickup.user, []))[1].append(pickup.topic.name)
        per_field[pickup.topic.name].add(pickup.user_id)
    fields = sorted(((name, len(people)) for name, people in per_field.items()), key=lambda f: (-f[1], f[0]))
    return Pickups(people=len(by_person), fields=fields, rows=list(by_person.values()))


def _money(year: int, teams: list[Team], *, everyone: bool, page_teams: list[Team]) -> Money:
    claims = Claim.objects.filter(state__in=SPENT, purchase_date__year=year)
    if not everyone:
        claims = claims.filter(_in_teams(teams, user_field="claimant_id"))
    by_topic = [
        (name or "No topic", total or ZERO)
        for name, total in claims.order_by()
        .values_list("item__topic__name")
        .annotate(total=Sum("approved_amount"))
        .order_by("-total", "item__topic__name")
    ]
    members = dict(
        Membership.objects.filter(team__in=page_teams, user__is_active=True)
        .order_by()
        .values_list("team_id")
        .annotate(n=Count("pk"))
    )
    spent = dict(
        Membership.objects.filter(team__in=page_teams)
        .order_by()
        .values_list("team_id")
        .annotate(
            spent=Sum(
                "user__claims__approved_amount",
                filter=Q(user__claims__state__in=SPENT, user__claims__purchase_date__year=year),
            )
        )
    )
    budget = settings.ANNUAL_LEARNING_BUDGET
    by_team = [
        (team, members.get(team.pk, 0), spent.get(team.pk) or ZERO, budget * members.get(team.pk, 0))
        for team in page_teams
    ]
    return Money(year=year, by_topic=by_topic, by_team=by_team, total=sum((t for _n, t in by_topic), ZERO))


def _top(model, teams: list[Team], *, everyone: bool, **where) -> list[tuple[str, int]]:
    rows = model.objects.filter(**where)
    if not everyone:
        rows = rows.filter(_in_teams(teams)).filter(Q(item__team__isnull=True) | Q(item__team__in=teams))
    return list(
        rows.order_by()
        .values_list("item__title")
        .annotate(n=Count("user_id", distinct=True))
        .order_by("-n", "item__title")[:TOP_ITEMS]
    )


def impact(
    user: User, *, teams: list[Team], everyone: bool, today: dt.date, page_teams: list[Team] | None = None
) -> Impact:
    """What /impact/ shows for these teams (``everyone``: the whole organisation, people in
    no team included, as the leadership group sees it without a team filter). The totals and
    the charts cover every team; the per-team tables only ``page_teams`` (all, when None), so
    the page's work stays the same however many teams there are."""
    run = last_run()
    result = Impact(run=run, teams=teams)
    if run is None:
        return result
    shown = teams if page_teams is None else page_teams
    days = summary_days(run.as_of)
    in_year = TeamDay.objects.filter(day__gte=days[0], day__lte=days[-1])
    per_day: dict[dt.date, Tally] = {day: Tally() for day in days}
    sums = in_year.filter(team__in=teams).order_by().values("day").annotate(**{f: Sum(f) for f in _SUMMED})
    for row in sums:
        per_day[row["day"]] = Tally.of_sums(row)
    summary: dict[int, list[TeamDay]] = defaultdict(list)
    for row in in_year.filter(team__in=shown).order_by("day"):
        summary[row.team_id].append(row)
    # The year starts where the teams shown had their first member: no empty months before.
    first = next((day for day in days if per_day[day].members), days[-1])
    days = [day for day in days if day >= first]
    result.days = [DayPoint(day, per_day[day]) for day in days]
    result.overall = Tally.combined(point.tally for point in result.days)
    result.months = _periods(days, months=1)
    result.quarters = _periods(days, months=3)
    result.by_month = _rows(shown, summary, result.months)
    result.by_quarter = _rows(shown, summary, result.quarters)
    result.quarter_totals = [
        (period, Tally.combined(per_day[day] for day in days if period.first <= day <= period.last))
        for period in result.quarters
    ]
    result.quarter = Quarter.of(today)
    result.pickups = _pickups(result.quarter, teams, everyone=everyone)
    result.money = _money(today.year, teams, everyone=everyone, page_teams=shown)
    result.most_read = _top(Progress, teams, everyone=everyone, state=Progress.State.DONE)
    result.most_endorsed = _top(Endorsement, teams, everyone=everyone)
    result.pulse = pulse_results(
        quarter=result.quarter.previous(), team_ids=None if everyone else [team.pk for team in teams]
    )
    return result
