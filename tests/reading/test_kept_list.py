"""The reading list and an item's page, kept per viewer and address (reading.views): the next
request after any change shows it, and a page kept for one person is never shown to another.

Each test opens the page once before the change, so that it is in the cache when the change
happens.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from learningday import fragments
from reading import services
from reading.models import Item
from tests.factories import ItemFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen(dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC))]

TEAM_LIST = "/reading/?team=robotics"


@pytest.fixture
def items(team):
    """The team's list: three papers in this order."""
    return [ItemFactory(team=team, title=title) for title in ("Alpha paper", "Beta paper", "Gamma paper")]


def _page(user, path: str = TEAM_LIST) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _titles(page: str) -> list[str]:
    """The list's papers in the order shown (each title is named more than once in its row)."""
    return list(dict.fromkeys(re.findall(r"(Alpha|Beta|Gamma|Delta) paper", page)))


def _row(page: str, item: Item) -> str:
    return page.split(f'id="item-{item.pk}"')[1].split("</li>")[0]


def test_the_list_s_order_after_a_move_shows_at_once(member, manager, items):
    assert _titles(_page(member)) == ["Alpha", "Beta", "Gamma"]
    services.item_move(user=manager, item=items[2], direction="up")  # positions, in bulk
    assert _titles(_page(member)) == ["Alpha", "Gamma", "Beta"]


def test_an_edited_item_and_an_import_show_at_once(member, manager, items, team):
    assert _titles(_page(member)) == ["Alpha", "Beta", "Gamma"]
    services.item_update(
        user=manager, item=items[0], data=services.ItemData(kind="paper", title="Delta paper", team=team)
    )
    assert _titles(_page(member)) == ["Delta", "Beta", "Gamma"]
    services.items_import(
        user=manager, team=team, entries=[services.ItemData(kind="paper", title="Alpha paper, again", team=team)]
    )  # bulk_create: no signal
    assert "Alpha paper, again" in _page(member)


def test_someone_reading_or_endorsing_shows_at_once(member, manager, items, team):
    page = _page(member)
    assert "Want to read<span" in page and "1 reading" not in page
    services.progress_set(user=member, item=items[0], state="reading", today=dt.date(2026, 11, 26))
    services.item_endorse(user=manager, item=items[0])
    row = _row(_page(member), items[0])
    assert "1 reading" in row and "1 endorsement" in row
    services.progress_set(user=member, item=items[0], state="", today=dt.date(2026, 11, 26))
    assert "1 reading" not in _row(_page(member), items[0])


def test_a_list_kept_for_one_person_is_never_shown_to_another(member, manager, outsider, items, team):
    # The manager's team list has the move buttons; the member's, at the same address, has none.
    assert "Move “Alpha paper” up" in _page(manager) and "Move “Alpha paper” up" not in _page(member)
    # The member's lists hold the team's items; an outsider's, at the same address, do not.
    assert "Beta paper" in _page(member, "/reading/")
    assert "Beta paper" not in _page(outsider, "/reading/")
    # Someone joins the team later: the same address shows them the team's items at once.
    newcomer = UserFactory(email="new@example.com")
    assert "Beta paper" not in _page(newcomer, "/reading/")
    team.memberships.create(user=newcomer)
    assert "Beta paper" in _page(newcomer, "/reading/")


def test_a_want_to_read_form_from_the_kept_list_posts_with_the_request_s_token(member, items):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(member)
    second.force_login(member)
    first.get(TEAM_LIST)  # kept now
    page = second.get(TEAM_LIST).content.decode()  # read from the cache
    assert fragments.CSRF_MARK not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = second.post(
        f"/reading/{items[1].pk}/progress/", {"csrfmiddlewaretoken": token, "state": "want", "next": TEAM_LIST}
    )
    assert response.status_code == 302
    assert items[1].progress.get(user=member).state == "want"
    assert Item.objects.count() == 3


def test_an_item_s_page_shows_readers_endorsements_and_the_person_s_own_shelf_at_once(member, manager, items):
    path = f"/reading/{items[0].pk}/"
    page = _page(member, path)
    assert "0 endorsements · 0 reading or read" in page and "Maja Manager" not in page and "Want to read" in page
    services.progress_set(user=manager, item=items[0], state="reading", today=dt.date(2026, 11, 26))
    services.item_endorse(user=manager, item=items[0])
    page = _page(member, path)
    assert "1 endorsement · 1 reading or read" in page and "Maja Manager — reading it now" in page
    services.progress_set(user=member, item=items[0], state="want", today=dt.date(2026, 11, 26))
    assert "On your shelf: want to read" in _page(member, path)
    services.item_update(
        user=manager, item=items[0], data=services.ItemData(kind="paper", title="Delta paper", team=items[0].team)
    )
    assert "Delta paper" in _page(member, path)


def test_an_item_s_page_kept_for_a_manager_is_never_shown_to_a_member(member, manager, outsider, team):
    suggested = services.item_suggest(user=member, data=services.ItemData(kind="paper", title="Alpha paper", team=team))
    path = f"/reading/{suggested.pk}/"
    assert "Approve for the list" in _page(manager, path)
    assert "Approve for the list" not in _page(member, path)
    client = Client()
    client.force_login(outsider)
    assert client.get(path).status_code == 404
