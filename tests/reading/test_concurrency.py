"""Races on the reading list, with real concurrent connections: the database keeps one item per
identifier and one item per position on each list, and the loser of a race gets the same answer
as someone who comes second."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from reading import services
from reading.models import Item
from tests.conftest import require
from tests.factories import ItemFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.postgres


def run_at_once(actions) -> list[object]:
    """Run each action in its own thread (so its own connection), all released together."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = action()
        except Exception as error:  # the outcome, raised or returned, is what the test asserts
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_the_same_doi_suggested_ten_times_at_once_is_on_the_list_once(team):
    require(connection.vendor == "postgresql", "PostgreSQL (concurrent connections)")
    people = [UserFactory(email=f"reader{i}@example.com") for i in range(10)]
    for person in people:
        MembershipFactory(user=person, team=team)
    data = services.ItemData(kind="paper", title="Deep learning", doi="10.1038/nature14539", team=team)

    outcomes = run_at_once([lambda person=person: services.item_suggest(user=person, data=data) for person in people])

    assert Item.objects.filter(doi="10.1038/nature14539").count() == 1
    item = Item.objects.get(doi="10.1038/nature14539")
    assert [o for o in outcomes if isinstance(o, Item)] == [item]
    duplicates = [o for o in outcomes if isinstance(o, services.DuplicateItem)]
    assert len(duplicates) == 9, outcomes
    assert {(str(d), d.item.pk) for d in duplicates} == {("“Deep learning” is on the list already.", item.pk)}


@pytest.mark.django_db(transaction=True)
def test_the_same_doi_on_everyones_list_from_two_managers_at_once_is_there_once(manager, team):
    require(connection.vendor == "postgresql", "PostgreSQL (concurrent connections)")
    second = UserFactory(email="second-manager@example.com")
    MembershipFactory(user=second, team=team, role="manager")
    data = services.ItemData(kind="paper", title="Deep learning", doi="10.1038/nature14539", team=None)

    outcomes = run_at_once([lambda u=u: services.item_suggest(user=u, data=data) for u in (manager, second)])

    assert Item.objects.filter(team=None, doi="10.1038/nature14539").count() == 1
    assert sorted(type(o).__name__ for o in outcomes) == ["DuplicateItem", "Item"]


@pytest.mark.django_db(transaction=True)
def test_two_suggestions_curated_at_once_get_their_own_places(manager, team):
    require(connection.vendor == "postgresql", "PostgreSQL (concurrent connections)")
    second = UserFactory(email="second-manager@example.com")
    MembershipFactory(user=second, team=team, role="manager")
    ItemFactory(team=team, position=10)
    waiting = [ItemFactory(team=team, status="suggested", position=0) for _ in range(2)]

    outcomes = run_at_once(
        [
            lambda: services.item_curate(user=manager, item=waiting[0]),
            lambda: services.item_curate(user=second, item=waiting[1]),
        ]
    )

    assert all(isinstance(o, Item) for o in outcomes), outcomes
    positions = sorted(Item.objects.filter(team=team, status="curated").values_list("position", flat=True))
    assert positions == [10, 20, 30]


@pytest.mark.django_db(transaction=True)
def test_moves_at_once_keep_every_item_on_its_own_place(manager, team):
    require(connection.vendor == "postgresql", "PostgreSQL (concurrent connections)")
    items = [ItemFactory(team=team, title=t, position=p) for t, p in (("A", 10), ("B", 20), ("C", 30), ("D", 40))]

    outcomes = run_at_once(
        [
            lambda: services.item_move(user=manager, item=items[1], direction="up"),
            lambda: services.item_move(user=manager, item=items[2], direction="down"),
            lambda: services.item_move(user=manager, item=items[3], direction="up"),
        ]
    )

    assert all(isinstance(o, Item) for o in outcomes), outcomes
    positions = list(Item.objects.filter(team=team).values_list("position", flat=True))
    assert sorted(positions) == [10, 20, 30, 40]
