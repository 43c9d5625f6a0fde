"""The reading list read one list at a time gives the same pages as one query over all."""

import pytest
from django.core.paginator import Paginator
from django.db import connection

from learningday.models import Membership
from reading import selectors
from tests.conftest import require
from tests.factories import ItemFactory, MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def lists(member, team, other_team):
    """The member's two teams, everyone's list, a team they are not in, and suggestions."""
    alpha = TeamFactory(name="Alpha", slug="alpha")
    MembershipFactory(user=member, team=alpha, role=Membership.Role.MANAGER)
    for position in (30, 10, 15, 20):  # a list's curated items never share a position (a constraint)
        ItemFactory(team=team, position=position)
        ItemFactory(team=alpha, position=position)
        ItemFactory(team=None, position=position)
        ItemFactory(team=other_team, position=position)  # not the member's: never shown
    ItemFactory(team=other_team, suggested_by=member, position=5)  # theirs, on a list they are not in
    ItemFactory(team=other_team, suggested_by=member, position=6, status="suggested")
    ItemFactory(team=team, suggested_by=UserFactory(), status="suggested")  # another's, waiting
    ItemFactory(team=alpha, suggested_by=UserFactory(), status="suggested")  # waiting for the member
    ItemFactory(team=None, status="rejected", rejection_reason="Out of scope", suggested_by=member)


def pages(items, size: int) -> list[list[str]]:
    paginator = Paginator(items, size)
    return [[item.title for item in paginator.page(n).object_list] for n in paginator.page_range]


def test_list_by_list_pages_like_one_query_over_everything(request, lists):
    require(connection.vendor == "postgresql", "PostgreSQL (sorting inside a UNION)")
    for who in ("member", "manager", "outsider", "finance_user"):
        user = request.getfixturevalue(who)
        for status in ("curated", "suggested", "rejected"):
            items = selectors.browse(user, status=status)
            by_list = selectors.ListByList(items, user)
            assert by_list.split  # the UNION, not the fallback
            assert by_list.count() == items.count(), (who, status)
            for size in (1, 3, 25):
                assert pages(by_list, size) == pages(items, size), (who, status, size)


def test_the_member_sees_their_teams_by_name_then_their_own_suggestion_then_everyones(lists, member):
    shown = selectors.ListByList(selectors.browse(member), member)[0:20]
    assert [item.team.name if item.team else "Everyone" for item in shown] == (
        ["Alpha"] * 4 + ["Research"] + ["Robotics"] * 4 + ["Everyone"] * 4
    )
    assert [item.position for item in shown[:4]] == [10, 15, 20, 30]
