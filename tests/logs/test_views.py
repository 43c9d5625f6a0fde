import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from learningday import calendar
from logs.models import Entry
from tests.conftest import LAST_THURSDAY, THURSDAY
from tests.factories import EntryFactory, ItemFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_entry(member):
    """An entry shared with the author's teams only."""
    return EntryFactory(author=member, day=LAST_THURSDAY, body="Secret robotics insight about quaternions")


# --- Who sees what -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 200), ("manager", 200), ("outsider", 404), ("finance_user", 404), ("staff_user", 404)],
)
def test_an_entry_shared_with_my_teams_is_visible_only_to_those_teams(client, request, team_entry, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(f"/logs/{team_entry.pk}/")
    assert response.status_code == status
    assert (b"quaternions" in response.content) == (status == 200)


def test_a_team_entry_is_not_in_an_outsiders_feed_search_or_export(client, team_entry, outsider):
    client.force_login(outsider)
    secret = b"Secret robotics insight"
    assert secret not in client.get("/logs/").content
    search = client.get("/logs/", {"q": "quaternions"}).content
    assert secret not in search
    assert b"Nothing matches these filters" in search
    assert secret not in b"".join(client.get("/logs/export.csv").streaming_content)
    assert secret not in client.get("/logs/export.json").content
    assert secret not in client.get("/").content


def test_an_entry_shared_with_everyone_reaches_other_teams(client, member, outsider):
    EntryFactory(author=member, body="Public note on JAX vmap", visibility="everyone")
    client.force_login(outsider)
    assert b"Public note on JAX vmap" in client.get("/logs/").content


def test_teammates_see_team_entries_in_the_feed(client, team_entry, manager):
    client.force_login(manager)
    body = client.get("/logs/").content.decode()
    assert "Secret robotics insight about quaternions" in body
    assert "Tom Member" in body
    assert "Robotics" in body
    assert "Learning Day" in body  # 19 November is a Thursday


@pytest.mark.parametrize(("who", "status"), [("member", 200), ("manager", 403), ("outsider", 404)])
@pytest.mark.parametrize("action", ["edit", "delete"])
def test_only_the_author_may_edit_or_delete(client, request, team_entry, who, status, action):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/logs/{team_entry.pk}/{action}/").status_code == status
    if who != "member":
        response = client.post(f"/logs/{team_entry.pk}/{action}/", {"body": "Hijacked", "day": "2026-11-19"})
        assert response.status_code == status
        team_entry.refresh_from_db()
        assert team_entry.body == "Secret robotics insight about quaternions"


def test_delete_asks_first_then_deletes(member_client, team_entry):
    page = member_client.get(f"/logs/{team_entry.pk}/delete/")
    assert "Delete your entry of Thursday 19 November 2026?" in page.content.decode()
    assert Entry.objects.filter(pk=team_entry.pk).exists()
    response = member_client.post(f"/logs/{team_entry.pk}/delete/", follow=True)
    assert "is deleted" in response.content.decode()
    assert not Entry.objects.filter(pk=team_entry.pk).exists()


# --- Logging -------------------------------------------------------------------------


def form_data(**overrides):
    return {
        "day": "2026-11-24",
        "body": "Learned about **PBA**",
        "category": "reading_papers",
        "hours": "2.5",
        "links": "https://arxiv.org/abs/1905.05393\nhttps://github.com/arcelien/pba",
        "whats_next": "Try it on CIFAR",
        "visibility": "teams",
        **overrides,
    }


def test_the_form_defaults_to_the_persons_local_today(member_client, frozen):
    body = member_client.get("/logs/new/").content.decode()
    assert 'value="2026-11-24"' in body
    assert 'max="2026-11-24"' in body
    assert '<label for="id_body">What did you learn today?</label>' in body


def test_logging_today_shows_it_on_the_entry_page(member_client, member, frozen):
    response = member_client.post("/logs/new/", form_data(), follow=True)
    entry = Entry.objects.get(author=member)
    assert response.redirect_chain[-1][0] == f"/logs/{entry.pk}/"
    body = response.content.decode()
    assert "Logged Tuesday 24 November." in body
    assert "<strong>PBA</strong>" in body
    assert '<span class="tag">On another day</span>' in body  # a Tuesday, said plainly
    assert "Not a Learning Day" not in body
    assert entry.links == ["https://arxiv.org/abs/1905.05393", "https://github.com/arcelien/pba"]
    assert str(entry.hours) == "2.5"


def test_an_empty_form_shows_an_error_and_keeps_everything_else(member_client, frozen):
    response = member_client.post("/logs/new/", form_data(body="", hours="3", whats_next="Keep going"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Write what you learned: a few lines are enough." in body
    assert 'role="alert"' in body
    assert 'aria-invalid="true"' in body
    assert 'value="3"' in body
    assert "Keep going</textarea>" in body
    assert "https://github.com/arcelien/pba</textarea>" in body
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"day": "2026-11-26"}, "That day has not come yet."),
        ({"hours": "25"}, "A day has at most 24 hours."),
        ({"hours": "1.25"}, "Use steps of half an hour"),
        ({"hours": "0"}, "Time spent is at least half an hour."),
        ({"links": "https://ok.example\nnot a url\nftp://files.example"}, "not a url, ftp://files.example"),
        # PostgreSQL cannot store NUL in text or JSON: the form says so before the database is asked.
        ({"links": "https://ok.example/\x00"}, "Null characters are not allowed."),
        ({"body": "Kalman\x00filters"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(member_client, frozen, overrides, message):
    response = member_client.post("/logs/new/", form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Entry.objects.exists()


def test_opening_log_today_again_edits_todays_entry(member_client, member, frozen):
    entry = EntryFactory(author=member, day=dt.date(2026, 11, 24))
    response = member_client.get("/logs/new/")
    assert response["Location"] == f"/logs/{entry.pk}/edit/"


def test_a_second_post_on_the_same_day_edits_the_entry(member_client, member, frozen):
    member_client.post("/logs/new/", form_data(body="One"))
    member_client.post("/logs/new/", form_data(body="Two"))
    assert list(Entry.objects.values_list("body", flat=True)) == ["Two"]


def test_last_weeks_whats_next_is_shown_as_a_prompt(member_client, member, frozen):
    EntryFactory(author=member, day=LAST_THURSDAY, whats_next="Reimplement PEARL's encoder")
    assert "Reimplement PEARL&#x27;s encoder" in member_client.get("/logs/new/").content.decode()


@pytest.mark.frozen(THURSDAY)
def test_the_dashboards_short_form_logs_the_day(member_client, member):
    page = member_client.get("/").content.decode()
    assert "What did you learn today?" in page
    response = member_client.post(
        "/logs/new/", {"quick": "1", "day": "2026-11-26", "body": "Quick note", "category": "tutorial"}, follow=True
    )
    entry = Entry.objects.get(author=member)
    assert (entry.day, entry.category, entry.visibility) == (dt.date(2026, 11, 26), "tutorial", "teams")
    assert "Quick note" in member_client.get("/").content.decode()
    assert response.status_code == 200


@pytest.mark.frozen(THURSDAY)
def test_the_dashboards_short_form_keeps_input_on_error(member_client, member):
    response = member_client.post("/logs/new/", {"quick": "1", "day": "2026-11-26", "body": "", "category": "maths"})
    assert response.status_code == 400
    body = response.content.decode()
    assert '<option value="maths" selected>' in body
    assert "<details" not in body  # the short form has nothing more to show
    # Sent again from there, it is still the short form: the fields it leaves out keep their defaults.
    assert '<input type="hidden" name="quick" value="1">' in body
    member_client.post("/logs/new/", {"quick": "1", "day": "2026-11-26", "body": "Fixed", "category": "maths"})
    assert Entry.objects.get(author=member).visibility == "teams"


# --- The check-in form: three questions, the rest behind "More details" ----------------------


def _details(body: str) -> tuple[str, str]:
    """The page's form split at the disclosure: what is asked first, and what is behind it."""
    form = body[body.index('<form method="post" novalidate') :]
    start = form.index('<details class="more-details"')
    end = form.index("</details>")
    return form[:start], form[start:end]


def test_the_check_in_asks_three_things_and_keeps_the_rest_behind_more_details(member_client, frozen):
    body = member_client.get("/logs/new/").content.decode()
    first, behind = _details(body)
    for name in ("body", "category", "whats_next"):
        assert f'name="{name}"' in first
        assert f'name="{name}"' not in behind
    for name in ("day", "hours", "links", "items", "crowded_out", "visibility"):
        assert f'name="{name}"' not in first
    for name in ("day", "hours", "links", "crowded_out", "visibility"):
        assert f'name="{name}"' in behind
    assert '<details class="more-details">' in body  # closed
    assert "<summary>More details" in body
    # The cursor starts in the text box, and only there.
    assert body.count("autofocus") == 1
    assert re.search(r'<textarea name="body"[^>]*autofocus', body)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hours": "25"}, "hours"),
        ({"day": "2026-11-26"}, "day"),
        ({"links": "not a url"}, "links"),
        ({"visibility": "the world"}, "visibility"),
    ],
)
def test_more_details_opens_when_a_field_behind_it_has_an_error(member_client, frozen, overrides, field):
    response = member_client.post("/logs/new/", form_data(**overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert '<details class="more-details" open>' in body
    # The one autofocus is on the field to fix (behind the disclosure, now open), not on the text box.
    assert body.count("autofocus") == 1
    assert re.search(rf'name="{field}"[^>]*autofocus', body)
    assert not re.search(r'<textarea name="body"[^>]*autofocus', body)
    assert "Learned about **PBA**</textarea>" in body  # what was typed comes back
    assert not Entry.objects.exists()


def test_an_error_in_the_text_focuses_the_text_and_shows_what_was_typed_behind_more_details(member_client, frozen):
    bare = {"day": "2026-11-24", "body": "", "category": "maths", "visibility": "teams"}
    body = member_client.post("/logs/new/", bare).content.decode()
    assert '<details class="more-details">' in body  # nothing in there was touched: it stays closed
    assert body.count("autofocus") == 1
    assert re.search(r'<textarea name="body"[^>]*autofocus', body)

    body = member_client.post("/logs/new/", {**bare, "hours": "3"}).content.decode()
    assert '<details class="more-details" open>' in body  # the time typed there is in sight
    assert re.search(r'<textarea name="body"[^>]*autofocus', body)


def test_editing_opens_more_details_only_when_something_in_it_is_set(member_client, member, frozen):
    plain = EntryFactory(author=member, day=LAST_THURSDAY, hours=None, links=[])
    detailed = EntryFactory(author=member, day=dt.date(2026, 11, 12), hours="3")
    assert '<details class="more-details">' in member_client.get(f"/logs/{plain.pk}/edit/").content.decode()
    assert '<details class="more-details" open>' in member_client.get(f"/logs/{detailed.pk}/edit/").content.decode()


def test_reading_items_are_ticks_and_the_form_costs_the_same_queries_for_many(
    member_client, member, team, frozen, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ItemFactory(team=team, title="Attention Is All You Need")
    with CaptureQueriesContext(connection) as few:
        body = member_client.get("/logs/new/").content.decode()
    assert re.search(r'<input type="checkbox" name="items" value="\d+"[^>]*>\s*Attention Is All You Need', body)
    assert "Ctrl or" not in body
    assert 'type="search" id="item-search"' in body  # the search box, shown by checkin.js
    ItemFactory.create_batch(30, team=team)
    with django_assert_num_queries(len(few)):
        body = member_client.get("/logs/new/").content.decode()
    assert body.count('name="items"') == 31


def test_ticked_items_are_saved(member_client, member, team, frozen):
    wanted, other = ItemFactory(team=team), ItemFactory(team=team)
    member_client.post("/logs/new/", form_data(items=[str(wanted.pk)]))
    assert list(Entry.objects.get(author=member).items.all()) == [wanted]
    assert other.entries.count() == 0


def test_the_preview_button_shows_the_text_rendered_and_keeps_everything_typed(member_client, member, team, frozen):
    item = ItemFactory(team=team)
    data = form_data(
        preview="1",
        body="Learned about **PBA** <script>alert(1)</script>",
        hours="3",
        items=[str(item.pk)],
        crowded_out="on",
        visibility="everyone",
    )
    response = member_client.post("/logs/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert not Entry.objects.exists()  # a preview saves nothing
    preview = body[body.index('<section class="checkin-preview"') : body.index("</section>")]
    assert "<strong>PBA</strong>" in preview
    assert "<script>alert" not in body
    assert "Learned about **PBA** &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in body
    assert 'role="alert"' not in body  # nothing is checked yet: no errors on a preview
    assert 'value="3"' in body
    assert "https://github.com/arcelien/pba</textarea>" in body
    assert "Try it on CIFAR</textarea>" in body
    assert re.search(rf'value="{item.pk}"[^>]*checked', body)
    assert re.search(r'name="crowded_out"[^>]*checked', body)
    assert re.search(r'value="everyone"[^>]*checked', body)
    # The person goes on from there and shares it.
    del data["preview"]
    member_client.post("/logs/new/", data)
    entry = Entry.objects.get(author=member)
    assert (entry.hours, entry.crowded_out, entry.visibility) == (Decimal("3"), True, "everyone")
    assert list(entry.items.all()) == [item]


def test_the_preview_keeps_an_unticked_box_unticked_on_an_edit(member_client, member, frozen):
    entry = EntryFactory(author=member, day=LAST_THURSDAY, crowded_out=True)
    data = form_data(day=LAST_THURSDAY.isoformat(), preview="1")  # crowded_out left out: unticked
    body = member_client.post(f"/logs/{entry.pk}/edit/", data).content.decode()
    assert not re.search(r'name="crowded_out"[^>]*checked', body)


def test_the_live_preview_renders_sanitised_markdown(member_client):
    response = member_client.post(
        "/logs/preview/", {"body": "**bold** <script>alert(1)</script> [x](javascript:alert(2)) <b onclick=x>b</b>"}
    )
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "alert(1)" not in html
    assert "javascript:" not in html
    assert "onclick" not in html


def test_the_live_preview_renders_at_most_its_limit_of_a_huge_paste(member_client):
    from logs.views import PREVIEW_MAX

    html = member_client.post("/logs/preview/", {"body": "word " * PREVIEW_MAX}).json()["html"]

    assert html.count("word") == PREVIEW_MAX // len("word ")  # 20,000 words sent, the first 4,000 shown


def test_the_live_preview_needs_a_signed_in_person_and_the_csrf_token(client, member):
    response = client.post("/logs/preview/", {"body": "hi"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post("/logs/preview/", {"body": "hi"}).status_code == 403
    assert strict.get("/logs/preview/").status_code == 405


def test_a_saved_entry_tells_the_browser_its_draft_is_saved_once(member_client, member, frozen):
    today = calendar.user_today(member).isoformat()
    page = member_client.get("/logs/new/").content.decode()
    assert f'data-draft-key="checkin:{member.pk}:new:{today}"' in page
    assert "data-draft-restore" in page  # a fresh form may bring a draft back
    assert "js/checkin.js" in page

    failed = member_client.post("/logs/new/", form_data(body="")).content.decode()
    assert "data-draft-saved" not in failed
    assert "data-draft-restore" not in failed  # what was sent back is newer than any draft

    saved = member_client.post("/logs/new/", form_data(), follow=True).content.decode()
    assert f'data-draft-saved="checkin:{member.pk}:new:{today}"' in saved
    assert "js/checkin.js" in saved
    entry = Entry.objects.get(author=member)
    again = member_client.get(f"/logs/{entry.pk}/").content.decode()
    assert "data-draft-saved" not in again and "js/checkin.js" not in again

    member_client.post(f"/logs/{entry.pk}/edit/", form_data(body="Changed"))
    edited = member_client.get(f"/logs/{entry.pk}/").content.decode()
    assert f'data-draft-saved="checkin:{member.pk}:{entry.pk}"' in edited


def test_a_draft_begun_on_another_day_is_never_offered_for_today(member_client, member, frozen):
    """A new entry's draft is kept per local day: yesterday's (perhaps posted from Slack since)
    cannot come back on today's form and overwrite anything."""
    yesterday = member_client.get("/logs/new/").content.decode()
    frozen.move_to(dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.UTC))
    today = member_client.get("/logs/new/").content.decode()

    assert f'data-draft-key="checkin:{member.pk}:new:2026-11-24"' in yesterday
    assert f'data-draft-key="checkin:{member.pk}:new:2026-11-25"' in today


# --- The feed --------------------------------------------------------------------------


def test_feed_filters_by_team_person_category_dates_and_words(client, member, manager, outsider, team, frozen):
    EntryFactory(author=member, day=LAST_THURSDAY, body="Kalman filters", category="maths")
    EntryFactory(author=manager, day=dt.date(2026, 11, 12), body="Diffusion models", category="reading_papers")
    EntryFactory(author=outsider, day=LAST_THURSDAY, body="Graph networks", visibility="everyone")
    client.force_login(manager)

    def shown(**params):
        body = client.get("/logs/", params).content.decode()
        return [w for w in ("Kalman", "Diffusion", "Graph") if w in body]

    assert shown() == ["Kalman", "Diffusion", "Graph"]
    assert shown(team="robotics") == ["Kalman", "Diffusion"]
    assert shown(team="research") == ["Graph"]
    assert shown(person=member.pk) == ["Kalman"]
    assert shown(category="maths") == ["Kalman"]
    assert shown(day_from="2026-11-13") == ["Kalman", "Graph"]
    assert shown(day_to="2026-11-13") == ["Diffusion"]
    assert shown(q="kalman") == ["Kalman"]
    assert shown(q="nothing-like-this") == []


def test_the_person_filter_names_nobody_the_reader_may_not_know(member_client, member, outsider, frozen):
    # The outsider shares nothing with the member's teams or with everyone: their id names nobody.
    EntryFactory(author=outsider, day=LAST_THURSDAY, body="Graph networks")
    body = member_client.get("/logs/", {"person": outsider.pk}).content.decode()
    assert "Olivia Outsider" not in body
    assert "Graph networks" not in body

    # Once they share an entry with everyone, the filter may name them.
    EntryFactory(author=outsider, day=dt.date(2026, 11, 12), body="Open notes", visibility="everyone")
    body = member_client.get("/logs/", {"person": outsider.pk}).content.decode()
    assert "Showing entries by <strong>Olivia Outsider</strong>" in body
    assert "Open notes" in body and "Graph networks" not in body


@pytest.mark.parametrize("person", ["²", "፩", "٣", "-1", "0", "1 ", "9" * 400, "a\x00b"])
def test_feed_ignores_a_person_that_is_not_an_id(member_client, member, frozen, person):
    EntryFactory(author=member, day=LAST_THURSDAY, body="Kalman filters")

    response = member_client.get("/logs/", {"person": person})

    assert response.status_code == 200
    assert "Kalman" in response.content.decode()  # the whole feed, as without the parameter


def _link(html: str, rel: str) -> str:
    found = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', html)
    assert found, f"no {rel} link"
    return "/logs/?" + found.group(1).replace("&amp;", "&")


def test_feed_is_newest_first_and_pages_older_and_newer(member_client, member, frozen):
    for week in range(45):
        EntryFactory(author=member, day=LAST_THURSDAY - dt.timedelta(weeks=week), body=f"Week {week:02d} notes")
    first = member_client.get("/logs/").content.decode()
    assert first.index("Week 00") < first.index("Week 01")
    assert "Week 19" in first and "Week 20" not in first
    assert 'rel="prev"' not in first
    second = member_client.get(_link(first, "next")).content.decode()
    assert "Week 20" in second and "Week 39" in second and "Week 19" not in second and "Week 40" not in second
    assert "Entries, newest first (older page)" in second  # not filtered: no "Matching", no "Clear filters"
    assert "Clear filters" not in second
    third = member_client.get(_link(second, "next")).content.decode()
    assert "Week 40" in third and "Week 44" in third and 'rel="next"' not in third
    # Back up: the newer page of the third is the second, and of the second the first.
    assert _shown_weeks(member_client.get(_link(third, "prev")).content.decode()) == list(range(20, 40))
    assert _shown_weeks(member_client.get(_link(second, "prev")).content.decode()) == list(range(20))


def _shown_weeks(html: str) -> list[int]:
    return [int(w) for w in re.findall(r"Week (\d\d) notes", html)]


def test_feed_pages_keep_the_filters_and_same_day_entries_in_a_stable_order(member_client, member, team, frozen):
    # 30 entries on one day: the order falls back on created_at, then id, and no entry is lost or repeated.
    for i in range(30):
        EntryFactory(author=MembershipFactory(team=team).user, day=LAST_THURSDAY, body=f"Robots note {i:02d}")
    EntryFactory(author=member, day=LAST_THURSDAY, body="Unrelated gardening")
    first = member_client.get("/logs/", {"q": "robots"}).content.decode()
    second = member_client.get(_link(first, "next")).content.decode()
    assert "q=robots" in _link(first, "next")
    assert "Matching entries, newest first (older page)" in second and "Clear filters" in second
    seen = re.findall(r"Robots note (\d\d)", first) + re.findall(r"Robots note (\d\d)", second)
    assert sorted(seen) == [f"{i:02d}" for i in range(30)]
    assert "gardening" not in first + second


def test_a_feed_cursor_that_does_not_parse_gives_the_first_page(member_client, member, frozen):
    EntryFactory(author=member, day=LAST_THURSDAY, body="Only entry")
    bad_ids = [f"2026-11-19~2026-11-19T10:00:00+00:00~{pk}" for pk in ("٣", "²", "1_000", " 1", "9" * 5000)]
    for cursor in ("nonsense", "2026-13-01~x~1", "2026-11-19~2026-11-19T10:00:00~1", "~~", *bad_ids):
        response = member_client.get("/logs/", {"after": cursor})
        assert response.status_code == 200
        assert "Only entry" in response.content.decode()


def test_empty_feed_says_so(member_client):
    assert "No entries yet" in member_client.get("/logs/").content.decode()


# --- Export ---------------------------------------------------------------------------------


def test_export_has_all_my_entries_and_nobody_elses(member_client, member, manager):
    EntryFactory(
        author=member, day=dt.date(2026, 11, 12), body='=HYPERLINK("http://evil")', links=["https://a.example"]
    )
    EntryFactory(author=member, day=LAST_THURSDAY, body="Second")
    EntryFactory(author=manager, day=LAST_THURSDAY, body="Not mine")
    csv_body = b"".join(member_client.get("/logs/export.csv").streaming_content).decode("utf-8-sig")
    lines = csv_body.strip().splitlines()
    assert lines[0].startswith("day,category,hours,body,links")
    assert len(lines) == 3
    assert "'=HYPERLINK" in csv_body  # never run as a formula by a spreadsheet
    assert "Not mine" not in csv_body
    exported = json.loads(member_client.get("/logs/export.json").content)
    assert exported["author"] == "member@example.com"
    assert [e["body"] for e in exported["entries"]] == ['=HYPERLINK("http://evil")', "Second"]
    assert exported["entries"][0]["links"] == ["https://a.example"]


# --- Away days ---------------------------------------------------------------------------------


def test_person_marks_and_removes_away_days(member_client, member, manager):
    response = member_client.post("/logs/away/", {"start": "2026-12-01", "end": "2026-12-05"}, follow=True)
    assert "Marked away from Tuesday 1 December until Saturday 5 December." in response.content.decode()
    period = member.away_periods.get()
    bad = member_client.post("/logs/away/", {"start": "2026-12-05", "end": "2026-12-01"})
    assert bad.status_code == 400
    assert "The last day away cannot be before the first." in bad.content.decode()
    # Someone else cannot remove them.
    other = UserFactory()
    MembershipFactory(user=other)
    from django.test import Client

    intruder = Client()
    intruder.force_login(manager)
    assert intruder.post(f"/logs/away/{period.pk}/delete/").status_code == 404
    member_client.post(f"/logs/away/{period.pk}/delete/")
    assert not member.away_periods.exists()
