"""Money and reading added up over a set of teams, or over the whole organisation: read live
for a manager's few teams (growth.impact) and stored nightly for the whole organisation
(growth.summaries.org_figures), by the same functions so that the two cannot disagree."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from learningday.models import Membership, Team
from reading.models import Endorsement, Progress
from reimbursements.models import Claim

SPENT = (Claim.State.APPROVED, Claim.State.PAID)
ZERO = Decimal("0")
TOP_ITEMS = 10
NO_TOPIC = "No topic"


def in_teams(teams, *, user_field: str = "user_id"):
    return Exists(Membership.objects.filter(user_id=OuterRef(user_field), team__in=teams))


def money_by_topic(year: int, teams=None) -> list[tuple[str, Decimal]]:
    """Approved and paid claims bought in ``year``, by the item's topic, most first: of the
    people in ``teams``, or of everyone (None)."""
    claims = Claim.objects.filter(state__in=SPENT, purchase_date__year=year)
    if teams is not None:
        claims = claims.filter(in_teams(teams, user_field="claimant_id"))
    rows = (
        claims.order_by()
        .values_list("item__topic__name")
        .annotate(total=Sum("approved_amount"))
        .order_by("-total", "item__topic__name")
    )
    return [(name or NO_TOPIC, total or ZERO) for name, total in rows]


def spent_by_team(year: int, teams) -> dict[int, Decimal]:
    """The same money per team (a claim counts for each team of its claimant)."""
    rows = (
        Membership.objects.filter(team__in=teams)
        .order_by()
        .values_list("team_id")
        .annotate(
            spent=Sum(
                "user__claims__approved_amount",
                filter=Q(user__claims__state__in=SPENT, user__claims__purchase_date__year=year),
            )
        )
    )
    return {team_id: spent or ZERO for team_id, spent in rows}


def _top(model, teams, **where) -> list[tuple[str, int]]:
    rows = model.objects.filter(**where)
    if teams is not None:
        rows = rows.filter(in_teams(teams)).filter(Q(item__team__isnull=True) | Q(item__team__in=teams))
    return list(
        rows.order_by()
        .values_list("item__title")
        .annotate(n=Count("user_id", distinct=True))
        .order_by("-n", "item__title")[:TOP_ITEMS]
    )


def most_read(teams=None) -> list[tuple[str, int]]:
    """The items most people marked done (of ``teams``' people and lists, or everyone's)."""
    return _top(Progress, teams, state=Progress.State.DONE)


def most_endorsed(teams=None) -> list[tuple[str, int]]:
    return _top(Endorsement, teams)


def org_figures(year: int) -> dict:
    """The whole organisation's figures, as stored in ``SummaryRun.org`` (JSON: amounts as
    strings, team ids as strings)."""
    return {
        "year": year,
        "by_topic": [[name, str(total)] for name, total in money_by_topic(year)],
        "spent": {str(team_id): str(total) for team_id, total in spent_by_team(year, Team.objects.all()).items()},
        "most_read": [list(row) for row in most_read()],
        "most_endorsed": [list(row) for row in most_endorsed()],
    }
