import pytest

from reading.models import Item, Progress
from tests.factories import EntryFactory, ItemFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curated(team, manager):
    return ItemFactory(team=team, title="Weight Agnostic Neural Networks", suggested_by=manager)


@pytest.fixture
def suggestion(team, member):
    return ItemFactory(team=team, title="Learning to Walk", status="suggested", suggested_by=member)


@pytest.fixture
def teammate(team):
    person = UserFactory(email="teammate@example.com", display_name="Tina Teammate")
    MembershipFactory(user=person, team=team)
    return person


# --- Who sees what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("member", 200), ("manager", 200), ("outsider", 404), ("finance_user", 404)]
)
def test_a_teams_list_is_invisible_outside_the_team(client, request, curated, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/reading/{curated.pk}/").status_code == status
    listed = "Weight Agnostic" in client.get("/reading/").content.decode()
    assert listed == (status == 200)


def test_an_item_shared_with_everyone_is_visible_to_all(client, outsider):
    ItemFactory(team=None, title="The Book of Why", kind="book")
    client.force_login(outsider)
    assert "The Book of Why" in client.get("/reading/").content.decode()


@pytest.mark.parametrize(("who", "status"), [("member", 200), ("manager", 200), ("teammate", 404), ("outsider", 404)])
def test_a_suggestion_is_seen_only_by_its_author_and_the_teams_managers(client, request, suggestion, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/reading/{suggestion.pk}/").status_code == status
    pending = client.get("/reading/", {"status": "suggested"}).content.decode()
    assert ("Learning to Walk" in pending) == (status == 200)


def test_the_list_shows_curated_items_by_default(client, member, curated, suggestion):
    client.force_login(member)
    body = client.get("/reading/").content.decode()
    assert "Weight Agnostic Neural Networks" in body
    assert "Learning to Walk" not in body


# --- Curation by posting straight to the URLs ---------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("curate", {}),
        ("reject", {"reason": "no"}),
        ("move", {"direction": "up"}),
        ("edit", {"kind": "paper", "title": "Changed", "team": "1"}),
    ],
)
def test_a_member_cannot_curate_reject_reorder_or_edit_by_posting(client, teammate, suggestion, curated, path, data):
    client.force_login(teammate)
    target = curated if path in {"move", "edit"} else suggestion
    # The teammate may see the curated item (403), not someone else's suggestion (404).
    expected = 403 if target == curated else 404
    assert client.post(f"/reading/{target.pk}/{path}/", data).status_code == expected
    suggestion.refresh_from_db()
    curated.refresh_from_db()
    assert suggestion.status == "suggested"
    assert curated.title == "Weight Agnostic Neural Networks"


def test_the_author_of_a_suggestion_cannot_approve_it(client, member, suggestion):
    client.force_login(member)
    assert client.post(f"/reading/{suggestion.pk}/curate/").status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested"


def test_manager_approves_a_suggestion_and_it_joins_the_curated_list(client, manager, member, suggestion):
    client.force_login(manager)
    response = client.post(f"/reading/{suggestion.pk}/curate/", follow=True)
    assert "is on the curated list" in response.content.decode()
    client.force_login(member)
    assert "Learning to Walk" in client.get("/reading/").content.decode()


def test_manager_rejects_with_a_reason_the_author_sees(client, manager, member, suggestion):
    client.force_login(manager)
    missing = client.post(f"/reading/{suggestion.pk}/reject/", {"reason": ""})
    assert missing.status_code == 400
    client.post(f"/reading/{suggestion.pk}/reject/", {"reason": "We read it in spring."})
    client.force_login(member)
    body = client.get(f"/reading/{suggestion.pk}/").content.decode()
    assert "We read it in spring." in body


def test_manager_reorders_with_up_and_down(client, manager, team):
    first = ItemFactory(team=team, title="First", position=10)
    ItemFactory(team=team, title="Second", position=20)
    client.force_login(manager)

    def order():
        page = client.get("/reading/", {"team": "robotics"}).content.decode()
        listed = page[page.index('class="item-list"') :]
        return sorted(["First", "Second"], key=lambda title: listed.index(f">{title}</a>"))

    assert order() == ["First", "Second"]
    assert "Move “First” down" in client.get("/reading/", {"team": "robotics"}).content.decode()
    client.post(f"/reading/{first.pk}/move/", {"direction": "down"})
    assert order() == ["Second", "First"]


# --- Progress and buddies ---------------------------------------------------------------------


def test_marking_reading_puts_it_on_my_shelf_and_teammates_see_me(client, member, teammate, curated, outsider):
    client.force_login(member)
    client.post(f"/reading/{curated.pk}/progress/", {"state": "reading"})
    assert "Weight Agnostic Neural Networks" in client.get("/reading/mine/").content.decode()
    client.force_login(teammate)
    assert "Tom Member — reading it now" in client.get(f"/reading/{curated.pk}/").content.decode()


def test_progress_on_an_item_i_cannot_see_is_refused(client, outsider, curated):
    client.force_login(outsider)
    assert client.post(f"/reading/{curated.pk}/progress/", {"state": "reading"}).status_code == 404
    assert not Progress.objects.exists()


def test_the_item_page_shows_log_entries_that_point_at_it(client, member, manager, curated):
    entry = EntryFactory(author=member, body="Notes on WANN's weight sharing")
    entry.items.add(curated)
    client.force_login(manager)
    assert "Notes on WANN" in client.get(f"/reading/{curated.pk}/").content.decode()


# --- Browse -------------------------------------------------------------------------------------


def test_browse_filters_by_topic_kind_search_and_my_progress(client, member, team):
    from reading.models import Topic

    coding = Topic.objects.get(slug="deep-learning-coding")
    reading = Topic.objects.get(slug="deep-learning-reading")
    ItemFactory(team=team, title="Reptile and MAML", kind="code", topic=coding, authors=["Alex Nichol"])
    wann = ItemFactory(team=team, title="Weight Agnostic Neural Networks", topic=reading, authors=["David Ha"])
    Progress.objects.create(user=member, item=wann, state="reading")
    client.force_login(member)

    def shown(**params):
        body = client.get("/reading/", params).content.decode()
        return [t for t in ("Reptile", "Weight Agnostic") if t in body]

    assert shown() == ["Reptile", "Weight Agnostic"]
    assert shown(topic="deep-learning-reading") == ["Weight Agnostic"]
    assert shown(kind="code") == ["Reptile"]
    assert shown(q="nichol") == ["Reptile"]
    assert shown(progress="reading") == ["Weight Agnostic"]
    assert shown(progress="none") == ["Reptile"]


def test_team_guidelines_show_at_the_top(client, member, team):
    team.guidelines = "**One paper a month**, reimplemented together."
    team.save()
    client.force_login(member)
    assert "<strong>One paper a month</strong>" in client.get("/reading/", {"team": "robotics"}).content.decode()


@pytest.mark.parametrize("count", [5, 500])
def test_the_list_runs_the_same_queries_with_5_or_500_items(client, member, team, count, django_assert_max_num_queries):
    Item.objects.bulk_create(
        [Item(team=team, title=f"Item {i}", status="curated", position=i, authors=["A. Author"]) for i in range(count)]
    )
    client.force_login(member)
    with django_assert_max_num_queries(10):
        response = client.get("/reading/", {"team": "robotics", "sort": "most_read"})
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        client.get("/reading/", {"page": 2})


def test_an_invalid_isbn_is_refused_in_the_form_and_the_rest_is_kept(client, member, team):
    client.force_login(member)
    response = client.post(
        "/reading/new/",
        {"save": "1", "kind": "book", "title": "The Book of Why", "isbn": "978-0-465-09760-8", "team": str(team.pk)},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "is not a valid ISBN" in body
    assert 'value="The Book of Why"' in body
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("isbn", "፩፪፫፬፭፮፯፰፱፲", "use only the digits 0 to 9"),  # Ethiopic digits were a 500
        ("authors", "Ada\x00Lovelace", "Null characters are not allowed."),  # PostgreSQL refuses NUL
        ("title", "The Book\x00of Why", "Null characters are not allowed."),
    ],
)
def test_what_cannot_be_stored_is_refused_with_a_message_and_kept(client, member, team, field, value, message):
    client.force_login(member)
    data = {"save": "1", "kind": "book", "title": "The Book of Why", "team": str(team.pk), field: value}
    response = client.post("/reading/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Item.objects.exists()


@pytest.mark.parametrize("asked", ["a\x00b", "²", "no such team", "x" * 1000])
@pytest.mark.parametrize("path", ["/reading/export.bib", "/reading/export.csv"])
def test_an_export_of_a_list_that_cannot_exist_is_refused_not_a_500(client, member, path, asked):
    client.force_login(member)
    assert client.get(path, {"team": asked}).status_code == 403


def test_suggesting_what_a_teammate_suggested_says_so_without_showing_it(client, teammate, suggestion):
    suggestion.arxiv_id = "1812.11103"
    suggestion.save()
    client.force_login(teammate)
    response = client.post(
        "/reading/new/",
        {
            "save": "1",
            "kind": "paper",
            "title": "Learning to Walk",
            "arxiv_id": "1812.11103",
            "team": str(suggestion.team_id),
        },
    )
    assert response.status_code == 400
    assert "Someone suggested this already" in response.content.decode()
    assert Item.objects.count() == 1


# --- Reordering from the script: JSON instead of a page ---------------------------------------

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def three_on_the_list(team):
    return [ItemFactory(team=team, title=title, position=10 * n) for n, title in enumerate(["A", "B", "C"], 1)]


def test_an_item_taken_off_the_list_during_the_move_is_a_clear_answer_not_a_500(
    client, manager, three_on_the_list, monkeypatch
):
    from reading import selectors

    first = three_on_the_list[0]
    client.force_login(manager)
    # Another manager rejects the item between the swap and the reading of the list's order.
    monkeypatch.setattr(selectors, "list_order", lambda team: [item.pk for item in three_on_the_list[1:]])

    response = client.post(f"/reading/{first.pk}/move/", {"direction": "down"}, **JSON)

    assert response.status_code == 409
    assert response.json() == {"error": "it is no longer on the list: reload the page."}


def test_a_move_asked_for_as_json_answers_the_new_place(client, manager, three_on_the_list):
    first, second, third = three_on_the_list
    client.force_login(manager)

    response = client.post(f"/reading/{first.pk}/move/", {"direction": "down"}, **JSON)

    assert response.status_code == 200
    assert response.json() == {
        "id": first.pk,
        "title": "A",
        "position": 2,
        "count": 3,
        "swapped_with": second.pk,
        "order": [second.pk, first.pk, third.pk],
        "message": "Moved “A” to position 2 of 3.",
    }
    page = client.get("/reading/", {"team": "robotics"}).content.decode()
    assert page.index(">B</a>") < page.index(">A</a>") < page.index(">C</a>")
    assert "Moved" not in page  # no flash message left for the next page load


def test_a_move_past_the_top_as_json_stays_put(client, manager, three_on_the_list):
    client.force_login(manager)
    response = client.post(f"/reading/{three_on_the_list[0].pk}/move/", {"direction": "up"}, **JSON)
    assert response.json()["swapped_with"] is None
    assert response.json()["message"] == "“A” stays at position 1 of 3."


def test_a_bad_direction_as_json_is_a_400_with_the_reason(client, manager, three_on_the_list):
    client.force_login(manager)
    response = client.post(f"/reading/{three_on_the_list[0].pk}/move/", {"direction": "sideways"}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "Move an item up or down."}


def test_a_move_without_json_still_redirects_to_the_list(client, manager, three_on_the_list):
    client.force_login(manager)
    first = three_on_the_list[0]
    response = client.post(f"/reading/{first.pk}/move/", {"direction": "down"})
    assert response.status_code == 302
    assert response["Location"] == f"/reading/?team=robotics#item-{first.pk}"


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("outsider", 404), ("finance_user", 404)])
def test_only_the_teams_managers_may_move_as_json(client, request, three_on_the_list, who, status):
    client.force_login(request.getfixturevalue(who))
    first = three_on_the_list[0]
    response = client.post(f"/reading/{first.pk}/move/", {"direction": "down"}, **JSON)
    assert response.status_code == status
    assert [item.title for item in Item.objects.filter(team=first.team).order_by("position")] == ["A", "B", "C"]


def test_the_reorder_script_loads_only_for_those_who_may_reorder(client, member, manager, three_on_the_list):
    client.force_login(member)
    assert "js/reorder" not in client.get("/reading/", {"team": "robotics"}).content.decode()
    client.force_login(manager)
    page = client.get("/reading/", {"team": "robotics"}).content.decode()
    assert "js/reorder" in page
    assert "data-reorder" in page
