"""One click to want an item, from the list and from its page, and a failed lookup that keeps what was pasted."""

from __future__ import annotations

import html
import re

import pytest

from reading import lookup
from reading.models import Item, Progress
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curated(team, manager):
    return ItemFactory(team=team, title="Weight Agnostic Neural Networks", suggested_by=manager)


def _row(page: str, item: Item) -> str:
    return re.search(rf'<li class="item card" id="item-{item.pk}">(.*?)</li>', page, re.S).group(1)


def test_each_row_of_the_list_offers_want_to_read_in_one_click_back_to_the_same_filters(client, member, curated):
    client.force_login(member)
    page = client.get("/reading/", {"team": "robotics", "q": "weight"}).content.decode()
    row = _row(page, curated)
    form = re.search(r'<form method="post" action="([^"]+)" class="want-form">(.*?)</form>', row, re.S)
    assert form.group(1) == f"/reading/{curated.pk}/progress/"
    assert '<input type="hidden" name="state" value="want">' in form.group(2)
    next_url = html.unescape(re.search(r'name="next" value="([^"]+)"', form.group(2)).group(1))
    assert next_url == f"/reading/?team=robotics&q=weight#item-{curated.pk}"
    assert re.search(
        r'<button type="submit" class="button secondary">Want to read<span class="visually-hidden">: '
        r"Weight Agnostic Neural Networks</span></button>",
        form.group(2),
    )

    response = client.post(f"/reading/{curated.pk}/progress/", {"state": "want", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert Progress.objects.get(user=member, item=curated).state == "want"

    page = client.get(response["Location"]).content.decode()
    assert "On your shelf: want to read." in page  # the message
    row = _row(page, curated)
    assert "On your shelf: want to read" in row
    assert "want-form" not in row


@pytest.mark.parametrize("state, shown", [("reading", "reading"), ("done", "done")])
def test_an_item_already_on_the_shelf_shows_its_state_instead_of_the_button(client, member, curated, state, shown):
    Progress.objects.create(user=member, item=curated, state=state)
    client.force_login(member)
    row = _row(client.get("/reading/").content.decode(), curated)
    assert f"On your shelf: {shown}</span>" in row
    assert "Want to read" not in row
    page = client.get(f"/reading/{curated.pk}/").content.decode()
    assert f"On your shelf: {shown}</span>" in page
    assert 'class="want-form' not in page


def test_the_item_page_offers_want_to_read_and_keeps_the_select_for_the_other_states(client, member, curated):
    client.force_login(member)
    page = client.get(f"/reading/{curated.pk}/").content.decode()
    want = re.search(r'<form [^>]*class="want-form progress-want">(.*?)</form>', page, re.S).group(1)
    assert '<button type="submit" class="button primary">Want to read</button>' in want
    assert 'name="next"' not in want
    assert '<select name="state"' in page  # reading and done are still picked here
    response = client.post(f"/reading/{curated.pk}/progress/", {"state": "want"})
    assert response["Location"] == f"/reading/{curated.pk}/"
    assert Progress.objects.get(user=member, item=curated).state == "want"


@pytest.mark.parametrize(
    "unsafe",
    [
        "https://evil.example/reading/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://testserver/x",
        "",
    ],
)
def test_a_next_that_leaves_the_site_is_refused_and_the_item_page_is_used(client, member, curated, unsafe):
    client.force_login(member)
    response = client.post(f"/reading/{curated.pk}/progress/", {"state": "want", "next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == f"/reading/{curated.pk}/"
    assert Progress.objects.get(user=member, item=curated).state == "want"


def test_a_failed_progress_change_also_returns_to_the_list(client, member, curated):
    client.force_login(member)
    response = client.post(
        f"/reading/{curated.pk}/progress/", {"state": "lost", "next": "/reading/?team=robotics"}, follow=True
    )
    assert response.redirect_chain == [("/reading/?team=robotics", 302)]
    assert "Pick a state for this item" in response.content.decode()
    assert not Progress.objects.exists()


def test_someone_who_cannot_see_the_item_gets_no_shelf_entry_whatever_the_next(client, outsider, curated):
    client.force_login(outsider)
    response = client.post(f"/reading/{curated.pk}/progress/", {"state": "want", "next": "/reading/"})
    assert response.status_code == 404
    assert not Progress.objects.exists()


@pytest.mark.parametrize("count", [5, 60])
def test_the_list_with_want_buttons_runs_the_same_queries(client, member, team, count, django_assert_max_num_queries):
    items = Item.objects.bulk_create(
        [Item(team=team, title=f"Item {i}", status="curated", position=i) for i in range(count)]
    )
    Progress.objects.create(user=member, item=items[0], state="reading")
    client.force_login(member)
    with django_assert_max_num_queries(10):
        page = client.get("/reading/", {"team": "robotics"}).content.decode()
    assert page.count('class="want-form"') == min(count, 25) - 1


# --- A lookup that finds nothing ------------------------------------------------------------


def _lookup_area(page: str) -> str:
    return re.search(r'<form method="post" novalidate class="lookup-form">(.*?)</form>', page, re.S).group(1)


def test_a_failed_lookup_says_so_by_the_field_and_keeps_the_link_in_both_forms(client, member, team, monkeypatch):
    def fails(raw):
        raise lookup.LookupFailed("Crossref does not know 10.1234/nothing; check it, or fill in the details by hand.")

    monkeypatch.setattr(lookup, "lookup", fails)
    client.force_login(member)
    response = client.post("/reading/new/", {"lookup": "1", "identifier": "https://doi.org/10.1234/nothing"})
    assert response.status_code == 200
    page = response.content.decode()
    area = _lookup_area(page)
    # What was pasted stays in the lookup field, with the message right under it and tied to it.
    assert re.search(r'<input type="text" name="identifier" value="https://doi.org/10.1234/nothing"', area)
    assert 'aria-describedby="id_identifier_helptext lookup-failed"' in area
    note = re.search(r'<p class="lookup-failed" id="lookup-failed">(.*?)</p>', area, re.S).group(1)
    assert "Crossref does not know 10.1234/nothing" in note
    assert "What you pasted is in the form below." in note
    # Not at the top of the page as a message as well.
    assert page.count("Crossref does not know") == 1
    # The DOI is in its own field of the suggestion form.
    assert re.search(r'name="doi" value="10.1234/nothing"', page)


def test_a_link_that_cannot_be_looked_up_goes_into_the_link_field(client, member, team):
    client.force_login(member)
    page = client.post("/reading/new/", {"lookup": "1", "identifier": "https://example.com/a-post"}).content.decode()
    note = re.search(r'<p class="lookup-failed" id="lookup-failed">(.*?)</p>', _lookup_area(page), re.S).group(1)
    assert "We can only fill in details for arXiv, DOI and ISBN links" in note
    assert re.search(r'name="url" value="https://example.com/a-post"', page)


def test_what_is_no_identifier_at_all_stays_in_the_lookup_field_with_the_reason(client, member, team):
    client.force_login(member)
    page = client.post("/reading/new/", {"lookup": "1", "identifier": "a good book"}).content.decode()
    area = _lookup_area(page)
    assert 'value="a good book"' in area
    note = re.search(r'<p class="lookup-failed" id="lookup-failed">(.*?)</p>', area, re.S).group(1)
    assert "What you pasted is in the form below." not in note


def test_the_lookup_field_has_no_note_before_a_lookup(client, member, team):
    client.force_login(member)
    page = client.get("/reading/new/").content.decode()
    assert "lookup-failed" not in page
