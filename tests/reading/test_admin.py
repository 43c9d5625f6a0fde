"""The reading list in the admin: curating and rejecting go through the services; where an
item stands on its list cannot be typed in."""

import pytest

from reading.models import Item
from tests.factories import ItemFactory, MembershipFactory

pytestmark = pytest.mark.django_db
ITEMS = "/admin/reading/item/"


@pytest.fixture
def staff_manager(client, staff_user, team):
    """An admin who is also the team's manager, signed in."""
    MembershipFactory(user=staff_user, team=team, role="manager")
    client.force_login(staff_user)
    return staff_user


def act(client, action: str, items, **extra):
    return client.post(ITEMS, {"action": action, "_selected_action": [i.pk for i in items], **extra}, follow=True)


def test_curating_in_the_admin_puts_suggestions_at_the_bottom_of_the_list(client, staff_manager, team, member):
    ItemFactory(team=team, position=7)
    first, second = (ItemFactory(team=team, status="suggested", suggested_by=member, position=0) for _ in range(2))
    response = act(client, "curate", [first, second])
    assert "Curated 2 items." in response.content.decode()
    for item in (first, second):
        item.refresh_from_db()
    assert (first.status, second.status) == ("curated", "curated")
    assert sorted([first.position, second.position]) == [17, 27]  # below the last, ten apart
    assert (first.curated_by, first.curated_at is not None) == (staff_manager, True)


def test_a_rejected_item_that_is_on_the_list_by_now_is_refused_with_a_message(client, staff_manager, team):
    listed = ItemFactory(team=team, doi="10.1000/why", title="The Book of Why")
    taken_back = ItemFactory(team=team, doi="10.1000/why", status="rejected", rejection_reason="Later.", position=0)
    response = act(client, "curate", [taken_back])
    assert f"Item #{taken_back.pk}: “{listed.title}” is on the list already." in response.content.decode()
    taken_back.refresh_from_db()
    assert (taken_back.status, taken_back.position) == ("rejected", 0)


def test_an_admin_who_does_not_manage_the_team_cannot_curate_its_list(client, staff_user, team):
    client.force_login(staff_user)
    suggestion = ItemFactory(team=team, status="suggested", position=0)
    response = act(client, "curate", [suggestion])
    assert f"Item #{suggestion.pk}: Only the team&#x27;s managers can approve suggestions." in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested"


def test_rejecting_in_the_admin_asks_why_then_rejects_with_that_reason(client, staff_manager, team):
    suggestion = ItemFactory(team=team, status="suggested", position=0)
    asked = act(client, "reject", [suggestion])
    assert 'name="reason"' in asked.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested"

    without_reason = act(client, "reject", [suggestion], apply="1", reason=" ")
    assert "This field is required." in without_reason.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested"

    done = act(client, "reject", [suggestion], apply="1", reason="We have a better one on causality.")
    assert "Rejected 1 item." in done.content.decode()
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.rejection_reason, suggestion.curated_by) == (
        "rejected",
        "We have a better one on causality.",
        staff_manager,
    )


def test_status_and_place_on_the_list_cannot_be_edited_in_the_admin(client, staff_manager, team):
    suggestion = ItemFactory(team=team, status="suggested", position=0, title="Causality")
    page = client.get(f"{ITEMS}{suggestion.pk}/change/").content.decode()
    for field in ("status", "position", "curated_by", "curated_at", "rejection_reason"):
        assert f'name="{field}"' not in page
    form = {"kind": "paper", "title": "Causality, 2nd edition", "authors": "[]", "team": team.pk}
    client.post(f"{ITEMS}{suggestion.pk}/change/", {**form, "status": "curated", "position": "1"})
    suggestion.refresh_from_db()
    assert (suggestion.title, suggestion.status, suggestion.position) == ("Causality, 2nd edition", "suggested", 0)
    assert not Item.objects.filter(status="curated").exists()


def test_an_admin_edit_that_would_repeat_an_identifier_on_the_list_is_refused_with_a_message(
    client, staff_manager, team
):
    ItemFactory(team=team, doi="10.1000/why", title="The Book of Why")
    other = ItemFactory(team=team, doi="10.1000/other", title="Another book")
    page = client.get(f"{ITEMS}{other.pk}/change/")
    data = {**page.context["adminform"].form.initial, "doi": "10.1000/why", "authors": "Judea Pearl"}
    data = {k: ("" if v is None else v) for k, v in data.items() if k in page.context["adminform"].form.fields}
    response = client.post(f"{ITEMS}{other.pk}/change/", data)
    assert response.status_code == 200
    assert "is on this list with the same identifier or link" in response.content.decode()
    other.refresh_from_db()
    assert other.doi == "10.1000/other"


def test_an_items_list_is_not_changed_in_the_admin(client, staff_manager, team):
    item = ItemFactory(team=team)
    form = client.get(f"{ITEMS}{item.pk}/change/").context["adminform"].form
    assert "team" not in form.fields
