"""Entry cards kept in the cache (logs.cards): the next request after any change shows it,
and a card kept for one person is never shown to another.

Each test looks at the three lists that show cards: the feed, the dashboard and the page of
a reading-list item the entry points at; each list is seen once before the change, so its
cards are in the cache when the change happens.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from learningday.models import Membership
from logs.models import Entry
from logs.services import EntryData, entry_save
from reading.models import Topic
from tests.factories import ItemFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen(dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC))]

DAY = dt.date(2026, 11, 26)


@pytest.fixture
def item(team):
    return ItemFactory(team=None, title="Everyone's paper")


@pytest.fixture
def written(team, item):
    """Ana, in the member's team, wrote about the item, for everyone to read."""
    ana = UserFactory(email="ana@example.com", display_name="Ana Author")
    MembershipFactory(user=ana, team=team, role=Membership.Role.MEMBER)
    entry, _ = entry_save(user=ana, data=_data("Kalman filters, first pass.", item))
    return entry


def _data(body: str, item, *, visibility=Entry.Visibility.EVERYONE, topics=None, items=None) -> EntryData:
    return EntryData(
        day=DAY, body=body, visibility=visibility, items=[item] if items is None else items, topics=topics or []
    )


def _lists(client, item) -> dict[str, str]:
    return {
        "feed": client.get("/logs/").content.decode(),
        "dashboard": client.get("/").content.decode(),
        "item": client.get(f"/reading/{item.pk}/").content.decode(),
    }


def _seen(client, item, text: str) -> dict[str, bool]:
    return {name: text in page for name, page in _lists(client, item).items()}


EVERYWHERE = {"feed": True, "dashboard": True, "item": True}
NOWHERE = {"feed": False, "dashboard": False, "item": False}


def test_an_edited_entry_shows_its_new_text_at_once(client, member, written, item):
    client.force_login(member)
    assert _seen(client, item, "Kalman filters, first pass.") == EVERYWHERE
    entry_save(user=written.author, data=_data("Kalman filters, second pass.", item), entry=written)
    assert _seen(client, item, "Kalman filters, second pass.") == EVERYWHERE
    assert _seen(client, item, "first pass") == NOWHERE


def test_an_entry_narrowed_to_its_teams_leaves_an_outsider_s_lists_at_once(client, outsider, written, item):
    client.force_login(outsider)
    assert _seen(client, item, "Kalman filters") == EVERYWHERE
    entry_save(
        user=written.author,
        data=_data("Kalman filters, first pass.", item, visibility=Entry.Visibility.TEAMS),
        entry=written,
    )
    assert _seen(client, item, "Kalman filters") == NOWHERE


def test_a_renamed_author_and_topic_show_at_once(client, member, written, item):
    topic = Topic.objects.create(name="Control theory", slug="control-theory")
    entry_save(user=written.author, data=_data("Kalman filters, first pass.", item, topics=[topic]), entry=written)
    client.force_login(member)
    assert _seen(client, item, "Ana Author") == EVERYWHERE
    assert _seen(client, item, "Control theory") == EVERYWHERE
    written.author.display_name = "Ana Renamed"
    written.author.save(update_fields=["display_name"])
    topic.name = "Estimation"
    topic.save()
    assert _seen(client, item, "Ana Renamed") == EVERYWHERE
    assert _seen(client, item, "Estimation") == EVERYWHERE


def test_who_leaves_the_team_no_longer_reads_its_team_entries(client, member, team, item):
    ana = UserFactory(email="ana@example.com", display_name="Ana Author")
    MembershipFactory(user=ana, team=team, role=Membership.Role.MEMBER)
    entry_save(user=ana, data=_data("Only for Robotics.", item, visibility=Entry.Visibility.TEAMS))
    client.force_login(member)
    assert _seen(client, item, "Only for Robotics.") == EVERYWHERE
    Membership.objects.get(user=member, team=team).delete()
    assert _seen(client, item, "Only for Robotics.") == NOWHERE


def test_a_card_kept_for_one_person_never_shows_another_what_they_may_not_see(client, member, outsider, team, item):
    """Ana's entry is for everyone, but one of its items is on the member's team's list only."""
    team_only = ItemFactory(team=team, title="Robotics' own paper")
    ana = UserFactory(email="ana@example.com", display_name="Ana Author")
    MembershipFactory(user=ana, team=team, role=Membership.Role.MEMBER)
    entry_save(user=ana, data=_data("Two papers today.", item, items=[item, team_only]))
    client.force_login(member)
    assert _seen(client, item, "Robotics&#x27; own paper") == EVERYWHERE  # kept for the member
    client.force_login(outsider)
    assert _seen(client, item, "Two papers today.") == EVERYWHERE
    assert _seen(client, item, "Robotics&#x27; own paper") == {"feed": False, "dashboard": False, "item": False}
    # Nor is the member's edit link shown to someone else: the member's own entry, seen by both.
    entry_save(user=member, data=_data("My own day.", item))
    client.force_login(member)
    assert 'href="/logs/' in _lists(client, item)["feed"] and ">Edit<" in _lists(client, item)["feed"]
    client.force_login(outsider)
    feed = _lists(client, item)["feed"]
    assert "My own day." in feed and ">Edit<" not in feed


def test_cards_kept_in_redis_as_in_production(client, member, written, item, settings, redis_url):
    """The shared cache of production (Django's Redis backend): cards go in with one
    ``set_many`` and come back with one ``get_many``, as HTML, and a change still shows."""
    import uuid

    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # this test's own keys, whoever else uses Redis
        }
    }
    try:
        client.force_login(member)
        assert "Kalman filters, first pass." in client.get("/logs/").content.decode()
        assert any(key.startswith("frag:") for key in _redis_keys(settings))
        assert "Kalman filters, first pass." in client.get("/logs/").content.decode()  # read back
        entry_save(user=written.author, data=_data("Kalman filters, second pass.", item), entry=written)
        assert "Kalman filters, second pass." in client.get("/logs/").content.decode()
    finally:
        caches["default"].clear()


def _redis_keys(settings) -> list[str]:
    import redis

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    found = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).keys(f"{prefix}:*")
    return [key.decode().split(":", 2)[2] for key in found]


def test_the_dashboard_s_year_chart_is_kept_and_shows_a_new_post_at_once(client, member):
    member.date_joined = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    member.save(update_fields=["date_joined"])
    client.force_login(member)
    chart = re.compile(r'<svg class="heatmap".*?</svg>', re.DOTALL)
    before = chart.search(client.get("/").content.decode()).group(0)
    assert "Thursday 26 November 2026: today" in before
    assert chart.search(client.get("/").content.decode()).group(0) == before  # kept
    entry_save(user=member, data=EntryData(day=DAY, body="Logged today."))
    after = chart.search(client.get("/").content.decode()).group(0)
    assert "Thursday 26 November 2026: today" not in after
    assert "Thursday 26 November 2026: logged" in after


def test_the_entry_s_own_page_shows_an_edit_and_a_narrowing_at_once(client, member, outsider, written, item):
    path = f"/logs/{written.pk}/"
    client.force_login(outsider)
    assert "Kalman filters, first pass." in client.get(path).content.decode()
    entry_save(user=written.author, data=_data("Kalman filters, second pass.", item), entry=written)
    page = client.get(path).content.decode()
    assert "second pass" in page and "first pass" not in page
    narrowed = _data("Kalman filters, second pass.", item, visibility=Entry.Visibility.TEAMS)
    entry_save(user=written.author, data=narrowed, entry=written)
    assert client.get(path).status_code == 404
    client.force_login(member)  # in Ana's team
    assert "Kalman filters, second pass." in client.get(path).content.decode()


def test_the_feed_s_kept_filter_shows_a_renamed_team_and_each_query_s_own_errors(client, member, team):
    client.force_login(member)
    assert ">Robotics</option>" in client.get("/logs/").content.decode()
    team.name = "Robotics Lab"
    team.save()
    assert ">Robotics Lab</option>" in client.get("/logs/").content.decode()
    backwards = client.get("/logs/", {"day_from": "2026-11-20", "day_to": "2026-11-10"}).content.decode()
    assert "The end of the range is before its start." in backwards and "(2 active)" in backwards
    forwards = client.get("/logs/", {"day_from": "2026-11-10", "day_to": "2026-11-20"}).content.decode()
    assert "The end of the range is before its start." not in forwards and 'value="2026-11-20"' in forwards
    picked = client.get("/logs/", {"team": "robotics"}).content.decode()
    assert '<option value="robotics" selected>Robotics Lab</option>' in picked


def test_a_kept_feed_search_and_item_page_show_a_new_entry_and_lose_a_deleted_one_at_once(
    client, member, written, item
):
    """The feed (each address: filters, search and page) and an item's page are kept whole per
    viewer under every entry's version: any entry written or deleted anywhere shows next time."""
    client.force_login(member)

    def searched() -> str:
        return client.get("/logs/", {"q": "kalman"}).content.decode()

    assert "Kalman filters, first pass." in searched()
    assert _seen(client, item, "Particle filters") == NOWHERE  # every list is kept now
    ben = UserFactory(email="ben@example.com", display_name="Ben Writer")
    entry_save(user=ben, data=_data("Particle filters after Kalman filters.", item))
    assert _seen(client, item, "Particle filters") == EVERYWHERE
    assert "Particle filters after Kalman filters." in searched()
    written.delete()  # as the admin would: no service, only the model's signal
    assert "Kalman filters, first pass." not in searched()
    assert _seen(client, item, "Kalman filters, first pass.") == NOWHERE


def test_a_kept_feed_and_item_page_run_a_fixed_few_queries(
    client, member, written, item, django_assert_max_num_queries
):
    client.force_login(member)
    for path in ("/logs/", "/logs/?q=kalman", f"/reading/{item.pk}/"):
        client.get(path)
        # The session, the person, the menu's role checks and the versions (with the item's
        # visibility check on its page): no entry is read again.
        with django_assert_max_num_queries(6):
            assert "Kalman filters, first pass." in client.get(path).content.decode()
