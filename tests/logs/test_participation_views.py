import datetime as dt
import re

import pytest

from tests.factories import EntryFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("outsider", 403), ("manager", 200), ("finance_user", 403), ("staff_user", 403)],
)
@pytest.mark.parametrize("path", ["/logs/participation/", "/logs/participation.csv"])
def test_participation_is_for_the_teams_managers_only(client, request, team, member, who, status, path):
    client.force_login(request.getfixturevalue(who))
    response = client.get(path, {"team": "robotics"})
    assert response.status_code == status
    if status == 403:
        assert b"Participation: Robotics" not in response.content
        assert b"You may not do that" in response.content


def test_a_manager_cannot_see_another_teams_participation(client, manager, other_team, outsider):
    client.force_login(manager)
    assert client.get("/logs/participation/", {"team": "research"}).status_code == 403
    assert client.get("/logs/participation/", {"team": "no-such-team"}).status_code == 404


@pytest.mark.parametrize("asked", ["a\x00b", "²", "x" * 1000, "robotics\n"])
@pytest.mark.parametrize("path", ["/logs/participation/", "/logs/participation.csv"])
def test_a_team_that_cannot_exist_is_not_found_not_a_500(client, manager, path, asked):
    client.force_login(manager)
    assert client.get(path, {"team": asked}).status_code == 404


def test_participation_page_shows_who_posted(client, manager, member, frozen):
    EntryFactory(author=member, day=dt.date(2026, 11, 19), crowded_out=True)
    member.date_joined = manager.date_joined = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    member.save()
    manager.save()
    member.memberships.update(joined_at=member.date_joined)
    manager.memberships.update(joined_at=member.date_joined)
    client.force_login(manager)
    body = client.get("/logs/participation/").content.decode()
    assert "Participation: Robotics" in body
    assert "Tom Member" in body and "Maja Manager" in body
    assert '<svg class="participation-chart"' in body
    assert "posted, crowded by work" in body
    assert '<span class="stat-value">1</span> <span class="stat-label">day partly crowded out by regular work' in body
    assert '<span class="stat-value">4%</span>' in body  # 1 post of 24 expected (2 people, 12 days)


def test_participation_csv_has_a_row_per_person(client, manager, member, frozen):
    EntryFactory(author=member, day=dt.date(2026, 11, 19))
    client.force_login(manager)
    response = client.get("/logs/participation.csv")
    assert response["Content-Disposition"] == 'attachment; filename="participation-robotics-2026-11-19.csv"'
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].split(",")[:2] == ["person", "email"]
    assert lines[0].split(",")[-5:] == ["posted", "expected", "rate", "crowded_out", "posts_on_other_days"]
    assert len(lines) == 3
    tom = next(line for line in lines if "member@example.com" in line)
    assert tom.split(",")[-6] == "logged"  # the 19 November column, before the five totals


# --- Constant queries ----------------------------------------------------------------


def _fill(team, people: int, weeks: int):
    authors = []
    for i in range(people):
        user = UserFactory(email=f"p{people}-{i}@example.com")
        MembershipFactory(user=user, team=team)
        authors.append(user)
    for week in range(weeks):
        for user in authors:
            EntryFactory(author=user, day=dt.date(2026, 11, 19) - dt.timedelta(weeks=week), visibility="teams")


@pytest.mark.parametrize(("people", "weeks"), [(1, 5), (50, 10)])
def test_the_feed_runs_the_same_queries_for_5_or_500_entries(
    client, member, team, frozen, people, weeks, django_assert_max_num_queries
):
    _fill(team, people, weeks)
    client.force_login(member)
    # Session, user, memberships, the page's rows, the directory's version, and for the cards
    # not in the cache yet the entries in full with their teams, reading items and topics: the
    # same for 5 or 500 rows. No count: the feed's pages are keyset pages.
    with django_assert_max_num_queries(11):
        response = client.get("/logs/")
    assert response.status_code == 200
    # The same page again: every card is in the cache, so none is fetched in full.
    with django_assert_max_num_queries(7):
        again = client.get("/logs/")
    assert again.content.count(b'class="entry card"') == response.content.count(b'class="entry card"') > 0
    older = re.search(r'href="\?([^"]*)" rel="next"', response.content.decode())
    assert older or people * weeks <= 20
    if older:
        # An older page (here and below) also reads its cursor's row first.
        with django_assert_max_num_queries(12):
            client.get("/logs/?" + older.group(1).replace("&amp;", "&"))
    with django_assert_max_num_queries(12):
        client.get("/logs/", {"q": "the", "team": "robotics", "after": "2026-11-19~2026-11-19T10:00:00+00:00~99"})


@pytest.mark.parametrize(("people", "weeks"), [(1, 5), (50, 10)])
def test_participation_runs_the_same_queries_for_5_or_500_entries(
    client, manager, team, frozen, people, weeks, django_assert_max_num_queries
):
    _fill(team, people, weeks)
    client.force_login(manager)
    # Session, user, role checks, the teams managed; the members' ids and their and the
    # directory's versions; the report, not kept yet: members, entries, days away, holidays.
    with django_assert_max_num_queries(11):
        response = client.get("/logs/participation/")
    assert response.status_code == 200
    assert response.content.decode().count('scope="row"') == people + 2  # + manager + the team's total row
    with django_assert_max_num_queries(8):  # kept: what decides its key, and the menu's claims count
        assert client.get("/logs/participation/").content.decode().count('scope="row"') == people + 2


@pytest.mark.parametrize(("people", "weeks"), [(1, 5), (50, 10)])
def test_the_dashboard_runs_the_same_queries_however_many_entries(
    client, member, team, frozen, people, weeks, django_assert_max_num_queries
):
    _fill(team, people, weeks)
    client.force_login(member)
    # Session, user, the navigation's two role checks, the person's and the directory's
    # versions; for the part kept per person not in the cache yet, the record (entries,
    # away) and the claims part (claims sent back; the budget's override and sums); the
    # recent entries' rows and the directory's version, and for cards not in the cache yet
    # those entries with their teams, items and topics. The frozen day is a Tuesday.
    with django_assert_max_num_queries(16):
        assert client.get("/").status_code == 200
    # Seen again, only what decides the kept pieces: session, user, role checks, and the
    # recent entries' rows with the versions.
    with django_assert_max_num_queries(5):
        assert client.get("/").status_code == 200
    # On a Learning Day without an entry yet, also last time's plan and the quick form's items,
    # and for the pulse question the quarter's holidays and the person's answer.
    frozen.move_to(dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC))
    with django_assert_max_num_queries(20):
        response = client.get("/")
    assert "Share what I learned" in response.content.decode()


def _row_of(body: str, name: str) -> str:
    return re.search(rf"<tr>\s*<th scope=\"row\"><a [^>]+>{name}</a></th>(.*?)</tr>", body, re.DOTALL).group(1)


def test_the_kept_report_shows_the_next_post_absence_rename_and_leaver_at_once(client, manager, member, frozen):
    """The report is kept under a digest of what it is worked out from: each change shows on
    the next request, and an unchanged team is not worked out again."""
    from learningday.models import Membership
    from logs.services import EntryData, away_add, entry_save

    long_ago = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for person in (member, manager):
        person.date_joined = long_ago
        person.save(update_fields=["date_joined"])
        person.memberships.update(joined_at=long_ago)
    client.force_login(manager)
    first = client.get("/logs/participation/")
    assert "report" in first.context  # worked out
    assert "report" not in client.get("/logs/participation/").context  # kept
    last_thursday = dt.date(2026, 11, 19)
    assert 'class="cell cell-missed"' in _row_of(first.content.decode(), "Tom Member").split("</td>")[-5]
    entry_save(user=member, data=EntryData(day=last_thursday, body="Read about PID loops."))
    body = client.get("/logs/participation/").content.decode()
    assert 'class="cell cell-logged"' in _row_of(body, "Tom Member").split("</td>")[-5]
    away_add(user=manager, start=last_thursday, end=last_thursday)
    body = client.get("/logs/participation/").content.decode()
    assert 'class="cell cell-away"' in _row_of(body, "Maja Manager").split("</td>")[-5]
    member.display_name = "Tom Renamed"
    member.save(update_fields=["display_name"])
    assert "Tom Renamed" in client.get("/logs/participation/").content.decode()
    Membership.objects.get(user=member).delete()
    assert "Tom Renamed" not in client.get("/logs/participation/").content.decode()
