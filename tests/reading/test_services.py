import datetime as dt

import pytest

from reading import services
from reading.models import Endorsement, Item, Progress
from reading.services import DuplicateItem, ItemData, ReadingError
from tests.factories import ItemFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def data(team, **overrides) -> ItemData:
    return ItemData(
        **{
            "kind": "paper",
            "title": "Weight Agnostic Neural Networks",
            "arxiv_id": "1906.04358",
            "team": team,
            **overrides,
        }
    )


def test_a_members_suggestion_waits_for_curation(member, team):
    item = services.item_suggest(user=member, data=data(team))
    assert item.status == Item.Status.SUGGESTED
    assert item.suggested_by == member


def test_a_managers_item_goes_straight_onto_the_list(manager, team):
    item = services.item_suggest(user=manager, data=data(team))
    assert item.status == Item.Status.CURATED
    assert item.curated_by == manager


def test_nobody_suggests_for_a_team_they_are_not_in(outsider, team):
    with pytest.raises(ReadingError, match="only for your own teams"):
        services.item_suggest(user=outsider, data=data(team))
    assert not Item.objects.exists()


def test_the_same_identifier_on_the_list_points_to_the_existing_item(member, manager, team):
    existing = services.item_suggest(user=manager, data=data(team))
    with pytest.raises(DuplicateItem) as excinfo:
        services.item_suggest(user=member, data=data(team, title="WANN", arxiv_id="1906.04358"))
    assert excinfo.value.item == existing
    assert Item.objects.count() == 1


def test_the_same_link_is_a_duplicate_too(member, manager, team):
    services.item_suggest(user=manager, data=data(team, arxiv_id="", url="https://weightagnostic.github.io/"))
    with pytest.raises(DuplicateItem):
        services.item_suggest(user=member, data=data(team, arxiv_id="", url="https://weightagnostic.github.io/"))


@pytest.mark.parametrize("action", ["curate", "reject", "move"])
def test_a_member_cannot_curate_reject_or_reorder(member, team, action):
    item = ItemFactory(team=team, status="suggested" if action != "move" else "curated")
    with pytest.raises(ReadingError, match="managers"):
        if action == "curate":
            services.item_curate(user=member, item=item)
        elif action == "reject":
            services.item_reject(user=member, item=item, reason="No")
        else:
            services.item_move(user=member, item=item, direction="up")
    item.refresh_from_db()
    assert item.status == ("suggested" if action != "move" else "curated")


def test_a_manager_of_another_team_cannot_curate_it(team, other_team):
    from tests.factories import MembershipFactory, UserFactory

    stranger = UserFactory()
    MembershipFactory(user=stranger, team=other_team, role="manager")
    item = ItemFactory(team=team, status="suggested")
    with pytest.raises(ReadingError):
        services.item_curate(user=stranger, item=item)


def test_manager_approves_and_the_item_goes_to_the_bottom(manager, team):
    ItemFactory(team=team, position=10)
    ItemFactory(team=team, position=20)
    suggestion = ItemFactory(team=team, status="suggested", position=0)
    services.item_curate(user=manager, item=suggestion)
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.position, suggestion.curated_by) == ("curated", 30, manager)


def test_rejecting_needs_a_reason(manager, team):
    item = ItemFactory(team=team, status="suggested")
    with pytest.raises(ReadingError, match="Say why"):
        services.item_reject(user=manager, item=item, reason="  ")
    services.item_reject(user=manager, item=item, reason="We read it last year.")
    item.refresh_from_db()
    assert (item.status, item.rejection_reason) == ("rejected", "We read it last year.")


def test_moving_swaps_neighbours_and_stops_at_the_ends(manager, team):
    a, b, c = (ItemFactory(team=team, title=t, position=p) for t, p in (("A", 10), ("B", 20), ("C", 30)))

    def order():
        return list(Item.objects.filter(team=team).order_by("position").values_list("title", flat=True))

    services.item_move(user=manager, item=c, direction="up")
    assert order() == ["A", "C", "B"]
    services.item_move(user=manager, item=a, direction="up")
    assert order() == ["A", "C", "B"]
    services.item_move(user=manager, item=a, direction="down")
    assert order() == ["C", "A", "B"]
    assert b.pk


def test_members_endorse_curated_items_but_not_their_own_suggestion(member, manager, team):
    item = ItemFactory(team=team, suggested_by=manager)
    services.item_endorse(user=member, item=item)
    services.item_endorse(user=member, item=item)  # twice is still one
    assert Endorsement.objects.filter(item=item).count() == 1
    own = ItemFactory(team=team, suggested_by=member)
    with pytest.raises(ReadingError, match="let others endorse"):
        services.item_endorse(user=member, item=own)
    pending = ItemFactory(team=team, status="suggested")
    with pytest.raises(ReadingError, match="Only curated"):
        services.item_endorse(user=manager, item=pending)


def test_progress_want_reading_done_and_off_the_shelf(member, team):
    item = ItemFactory(team=team)
    today = dt.date(2026, 11, 24)
    services.progress_set(user=member, item=item, state="reading", today=today)
    assert Progress.objects.get().state == "reading"
    done = services.progress_set(user=member, item=item, state="done", today=today)
    assert (done.state, done.finished_on) == ("done", today)
    with pytest.raises(ReadingError, match="cannot be in the future"):
        services.progress_set(user=member, item=item, state="done", finished_on=dt.date(2026, 12, 1), today=today)
    services.progress_set(user=member, item=item, state="", today=today)
    assert not Progress.objects.exists()


def test_a_suggestion_that_loses_a_race_to_the_same_doi_is_told_it_is_on_the_list(monkeypatch, member, team):
    """The check before the insert misses what another request has just added: the database catches it."""
    first = ItemFactory(team=team, title="Deep learning", doi="10.1038/nature14539", status="suggested", position=0)
    real = services.find_duplicate
    calls = []

    def misses_it_once(data, **kwargs):
        calls.append(data)
        return None if len(calls) == 1 else real(data, **kwargs)

    monkeypatch.setattr(services, "find_duplicate", misses_it_once)
    data = services.ItemData(kind="paper", title="Deep learning", doi="10.1038/nature14539", team=team)

    with pytest.raises(services.DuplicateItem) as duplicate:
        services.item_suggest(user=member, data=data)

    assert (str(duplicate.value), duplicate.value.item) == ("“Deep learning” is on the list already.", first)
    assert Item.objects.count() == 1


def test_a_rejected_suggestion_taken_back_while_the_list_has_it_is_a_duplicate(manager, team):
    rejected = ItemFactory(team=team, doi="10.1038/x", status="rejected", rejection_reason="No", position=0)
    on_list = ItemFactory(team=team, doi="10.1038/x")

    with pytest.raises(services.DuplicateItem) as duplicate:
        services.item_curate(user=manager, item=rejected)

    assert duplicate.value.item == on_list


def test_moving_a_curated_item_to_another_list_puts_it_at_the_bottom_there(manager, team, other_team):
    MembershipFactory(user=manager, team=other_team, role="manager")
    ItemFactory(team=other_team, position=10)
    moving = ItemFactory(team=team, position=10, title="Moving")
    data = services.ItemData(kind="paper", title="Moving", team=other_team)

    moved = services.item_update(user=manager, item=moving, data=data)

    assert (moved.team, moved.position) == (other_team, 20)
