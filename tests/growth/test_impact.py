"""/impact/: the summaries the nightly task computes, and the page and CSV that read them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from growth.models import FieldPickup, SummaryRun, TeamDay
from growth.summaries import impact_recompute
from growth.tasks import compute_impact
from learningday.models import LEADERSHIP_GROUP, Membership
from learningday.quarters import Quarter
from logs.models import EntryTopic, PulseAnswer
from reading.models import Endorsement, Progress, Topic
from tests.factories import ClaimFactory, EntryFactory, ItemFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

# The clock stands at Tuesday 24 November 2026 (tests/conftest.py NOW): the last Learning Day
# was Thursday 19 November, in the week of Monday 16 to Sunday 22 November.
LD = dt.date(2026, 11, 19)
AS_OF = dt.date(2026, 11, 24)
LONG_AGO = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def _topic(name: str) -> Topic:
    return Topic.objects.create(name=name, slug=name.lower().replace(" ", "-"))


def _person(team, email: str, role=Membership.Role.MEMBER, name: str = ""):
    user = UserFactory(email=email, display_name=name or email.split("@")[0].title())
    MembershipFactory(user=user, team=team, role=role, joined_at=LONG_AGO)
    return user


def _entry(author, day: dt.date, *topics: Topic, crowded: bool = False):
    entry = EntryFactory(author=author, day=day, crowded_out=crowded)
    for topic in topics:
        EntryTopic.objects.create(entry=entry, topic=topic)
    return entry


def _leader(email="leadership@example.com"):
    user = UserFactory(email=email, display_name="Lea Leader")
    user.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
    return user


@pytest.fixture
def org():
    robotics = TeamFactory(name="Robotics", slug="robotics")
    research = TeamFactory(name="Research", slug="research")
    home, away = _topic("Impact control"), _topic("Impact poetry")
    home.home_teams.add(robotics)
    manager = _person(robotics, "manager@example.com", Membership.Role.MANAGER, "Maja Manager")
    ana = _person(robotics, "ana@example.com", name="Ana Outside")
    ben = _person(robotics, "ben@example.com", name="Ben Tuesday")
    rui = _person(research, "rui@example.com", Membership.Role.MANAGER, "Rui Research")
    # Ana posts on the Learning Day, outside the field, and half her day went to regular work;
    # Ben posts on the Tuesday before, on a home topic; the manager posts nothing.
    _entry(ana, LD, away, crowded=True)
    _entry(ben, LD - dt.timedelta(days=2), home)
    _entry(rui, LD, away)
    return {
        "robotics": robotics,
        "research": research,
        "home": home,
        "away": away,
        "manager": manager,
        "ana": ana,
        "ben": ben,
        "rui": rui,
    }


def _row(team, day=LD) -> TeamDay:
    return TeamDay.objects.get(team=team, day=day)


def test_a_team_s_learning_day_is_summarised(org):
    impact_recompute()
    row = _row(org["robotics"])
    assert (row.members, row.away, row.posted, row.crowded, row.other_days) == (3, 0, 1, 1, 1)
    assert (row.entries, row.with_topic, row.counted, row.outside) == (2, 2, 2, 1)
    assert row.missed == 2
    # Research has no home topics: its entries have topics but are not counted either way.
    research = _row(org["research"])
    assert (research.members, research.posted, research.with_topic, research.counted) == (1, 1, 1, 0)
    # A whole year of Learning Days, each with its members.
    assert TeamDay.objects.filter(team=org["robotics"]).count() == 52
    assert _row(org["robotics"], LD - dt.timedelta(weeks=51)).members == 3
    run = SummaryRun.objects.get()
    assert run.as_of == AS_OF


def test_people_who_joined_later_or_were_away_are_not_expected(org):
    late = UserFactory(email="late@example.com")
    MembershipFactory(user=late, team=org["robotics"], joined_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    from logs.models import Away

    Away.objects.create(user=org["manager"], start=LD, end=LD)
    impact_recompute()
    assert _row(org["robotics"]).members == 4
    assert _row(org["robotics"]).expected == 3
    assert _row(org["robotics"], dt.date(2026, 10, 29)).members == 3


def _summaries() -> tuple[list, list]:
    """Every summary row's figures, and every pick-up, in a stable order."""
    figures = ("team_id", "day", "members", "away", "posted", "crowded", "other_days", "entries", "with_topic")
    days = sorted(TeamDay.objects.values_list(*figures, "counted", "outside"))
    return days, sorted(FieldPickup.objects.values_list("user_id", "topic_id", "quarter"))


def test_running_twice_changes_nothing(org):
    impact_recompute()
    first = _summaries()
    compute_impact()  # the nightly task
    assert _summaries() == first
    assert SummaryRun.objects.count() == 1


def test_a_field_picked_up_stays_picked_up_all_quarter(org):
    new = _topic("Impact origami")
    for weeks in (0, 1, 2):
        _entry(org["ben"], LD - dt.timedelta(weeks=weeks + 1), new)
    impact_recompute()
    pickup = FieldPickup.objects.get()
    assert (pickup.user, pickup.topic, pickup.quarter) == (org["ben"], new, Quarter(2026, 4).first_day)
    # An older entry on the topic turns up: by the rule it is no longer new, but the quarter's
    # pick-up, once seen, stays.
    _entry(org["ben"], LD - dt.timedelta(weeks=20), new)
    impact_recompute()
    assert FieldPickup.objects.count() == 1


def test_only_the_leadership_group_and_managers_may_open_the_page(client, org, finance_user):
    url = "/impact/"
    assert client.get(url).status_code == 302
    for person in (org["ana"], finance_user):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.get(url + "export.csv").status_code == 403


def test_before_the_first_run_the_page_says_so(client, org):
    client.force_login(org["manager"])
    page = client.get("/impact/").content.decode()
    assert "No figures yet" in page
    assert "Figures as of" not in page


def test_a_manager_sees_only_their_teams(client, org):
    impact_recompute()
    client.force_login(org["manager"])
    page = client.get("/impact/").content.decode()
    assert "Figures as of" in page
    assert "Robotics" in page and "Research" not in page
    assert client.get("/impact/?team=research").status_code == 403
    assert client.get("/impact/export.csv?team=research").status_code == 403
    assert client.get("/impact/?team=nowhere").status_code == 404
    assert client.get("/impact/?team=robotics").status_code == 200


def test_the_leadership_group_sees_every_team(client, org):
    impact_recompute()
    client.force_login(_leader())
    page = client.get("/impact/").content.decode()
    assert "The organisation&#x27;s impact" in page or "The organisation's impact" in page
    assert "Robotics" in page and "Research" in page
    page = client.get("/impact/?team=research").content.decode()
    assert "Impact: Research" in page or ": Research" in page


def test_figures_as_of_in_the_viewer_s_time_zone(client, org):
    impact_recompute()  # at 11:00 UTC
    org["manager"].timezone = "Asia/Tokyo"
    org["manager"].save(update_fields=["timezone"])
    client.force_login(org["manager"])
    assert "20:00" in client.get("/impact/").content.decode()


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_matches_the_page(client, org):
    impact_recompute()
    client.force_login(org["manager"])
    response = client.get("/impact/")
    report = response.context["report"]
    rows = _csv(client.get("/impact/export.csv?table=deaths"))
    assert rows[0] == ["team", "quarter", "expected", "no_post", "posts_on_other_days", "crowded_out"]
    expected = [
        [row.team.name, period.label, str(t.expected), str(t.missed), str(t.other_days), str(t.crowded)]
        for row in report.by_quarter
        for period, t in zip(report.quarters, row.periods, strict=True)
    ]
    assert rows[1:] == expected
    assert ["Robotics", "2026-Q4", "24", "23", "1", "1"] in rows  # 8 Learning Days of 3 members, one post
    outside = _csv(client.get("/impact/export.csv?table=outside"))
    assert outside[1] == ["Robotics", "2", "1", "50"]
    assert "50%" in response.content.decode()
    for table in ("participation", "learning-days", "fields", "money", "reading"):
        assert client.get(f"/impact/export.csv?table={table}").status_code == 200
    assert client.get("/impact/export.csv?table=nope").status_code == 404


def test_the_csv_is_safe_in_a_spreadsheet(client, org):
    org["robotics"].name = '=HYPERLINK("http://evil")'
    org["robotics"].save()
    impact_recompute()
    client.force_login(org["manager"])
    rows = _csv(client.get("/impact/export.csv?table=outside"))
    assert rows[1][0].startswith("'=")


def test_money_per_topic_and_team_against_budget(client, org, settings):
    settings.ANNUAL_LEARNING_BUDGET = Decimal("1000.00")
    item = ItemFactory(team=org["robotics"], topic=org["home"], title="A book on control")
    ClaimFactory(claimant=org["ana"], item=item, state="approved", approved_amount=Decimal("30.50"))
    ClaimFactory(claimant=org["ben"], state="paid", approved_amount=Decimal("12.25"))
    ClaimFactory(claimant=org["ben"], state="submitted")  # not spent yet
    ClaimFactory(claimant=org["rui"], state="paid", approved_amount=Decimal("99.00"))
    impact_recompute()
    client.force_login(org["manager"])
    money = client.get("/impact/").context["report"].money
    assert money.by_topic == [("Impact control", Decimal("30.50")), ("No topic", Decimal("12.25"))]
    assert money.total == Decimal("42.75")
    assert money.by_team == [(org["robotics"], 3, Decimal("42.75"), Decimal("3000.00"))]


def test_most_read_and_most_endorsed(client, org):
    item = ItemFactory(team=None, title="Everyone reads this")
    other = ItemFactory(team=org["research"], title="Research's own list")
    for person in (org["ana"], org["ben"]):
        Progress.objects.create(user=person, item=item, state=Progress.State.DONE)
    Progress.objects.create(user=org["rui"], item=other, state=Progress.State.DONE)
    Endorsement.objects.create(user=org["ana"], item=item)
    impact_recompute()
    client.force_login(org["manager"])
    report = client.get("/impact/").context["report"]
    assert report.most_read == [("Everyone reads this", 2)]
    assert report.most_endorsed == [("Everyone reads this", 1)]
    client.force_login(_leader())
    report = client.get("/impact/").context["report"]
    assert report.most_read == [("Everyone reads this", 2), ("Research's own list", 1)]


def test_the_organisation_s_money_and_reading_are_the_nightly_run_s_a_team_s_live(client, org):
    item = ItemFactory(team=None, title="Everyone reads this")
    ClaimFactory(claimant=org["rui"], state="paid", approved_amount=Decimal("99.00"))
    Progress.objects.create(user=org["ana"], item=item, state=Progress.State.DONE)
    impact_recompute()
    # After the run: one more claim paid and one more reader.
    ClaimFactory(claimant=org["ana"], state="approved", approved_amount=Decimal("1.00"))
    Progress.objects.create(user=org["ben"], item=item, state=Progress.State.DONE)
    client.force_login(_leader())
    response = client.get("/impact/")
    report = response.context["report"]
    assert report.money.total == Decimal("99.00") and report.most_read == [("Everyone reads this", 1)]
    assert [(team.name, spent) for team, _n, spent, _b in report.money.by_team] == [
        ("Research", Decimal("99.00")),
        ("Robotics", Decimal("0")),
    ]
    assert "as of the figures' time above" in response.content.decode()
    # One team, picked in the filter, is added up as it stands; so is a manager's.
    assert client.get("/impact/?team=robotics").context["report"].money.total == Decimal("1.00")
    client.force_login(org["manager"])
    report = client.get("/impact/").context["report"]
    assert report.money.total == Decimal("1.00") and report.most_read == [("Everyone reads this", 2)]
    # The next run brings the organisation's up to date.
    impact_recompute()
    client.force_login(_leader())
    report = client.get("/impact/").context["report"]
    assert report.money.total == Decimal("100.00") and report.most_read == [("Everyone reads this", 2)]


def test_on_a_new_year_s_day_before_the_run_the_organisation_s_money_is_added_up_live(client, org):
    ClaimFactory(claimant=org["rui"], state="paid", approved_amount=Decimal("99.00"))
    impact_recompute()
    SummaryRun.objects.update(org={**SummaryRun.objects.get().org, "year": 2025})
    client.force_login(_leader())
    report = client.get("/impact/").context["report"]
    assert report.money.year == 2026 and report.money.total == Decimal("99.00") and not report.org_from_run


def test_the_names_of_who_picked_up_a_field_come_50_a_page(client, org, django_assert_max_num_queries):
    new = _topic("Impact origami")
    people = [_person(org["research"], f"origami{n:02}@example.com", name=f"Origami {n:02}") for n in range(53)]
    FieldPickup.objects.bulk_create(
        FieldPickup(user=p, topic=new, quarter=Quarter(2026, 4).first_day, found_on=AS_OF) for p in people
    )
    impact_recompute()
    client.force_login(_leader())
    first = client.get("/impact/").content.decode()
    assert '53</span> <span class="stat-label">people picked up' in first
    assert "Origami 00: Impact origami" in first and "Origami 49" in first and "Origami 50" not in first
    assert "People 1–50 of 53, by name." in first
    with django_assert_max_num_queries(15):
        second = client.get("/impact/?people=2").content.decode()
    assert "Origami 50: Impact origami" in second and "Origami 49" not in second
    assert 'href="?people=1#impact-people-heading" rel="prev"' in second
    # The counts cover everyone on every page.
    assert '<th scope="row">Impact origami</th><td data-label="People">53</td>' in second
    # The team filter is kept when paging.
    picked = client.get("/impact/?team=research&people=2").content.decode()
    assert 'href="?team=research&amp;people=1#impact-people-heading"' in picked


def test_who_picked_up_a_field_is_listed_only_within_the_scope(client, org):
    new = _topic("Impact origami")
    for person in (org["ben"], org["rui"]):
        for weeks in (0, 1, 2):
            _entry(person, LD - dt.timedelta(weeks=weeks + 1), new)
    impact_recompute()
    client.force_login(org["manager"])
    page = client.get("/impact/").content.decode()
    assert "Ben Tuesday: Impact origami" in page and "Rui Research" not in page
    client.force_login(_leader())
    page = client.get("/impact/").content.decode()
    assert "Ben Tuesday: Impact origami" in page and "Rui Research: Impact origami" in page


def test_a_team_with_fewer_than_five_pulse_answers_is_never_shown(client, org):
    q3 = Quarter(2026, 3)
    big = TeamFactory(name="Applied", slug="applied")
    for i, score in enumerate((5, 4, 4, 3, 5)):
        PulseAnswer.objects.create(quarter=q3.first_day, team=big, score=score, comment=f"big comment {i}")
    for score in (1, 2):
        PulseAnswer.objects.create(quarter=q3.first_day, team=org["research"], score=score, comment="tiny secret")
    impact_recompute()
    client.force_login(_leader())
    pulse = client.get("/impact/?team=research").context["report"].pulse
    assert pulse.ended and pulse.teams == [] and pulse.other is None
    page = client.get("/impact/?team=research").content.decode()
    assert "tiny secret" not in page
    assert "(1, 1, 0, 0, 0)" not in page
    # The whole organisation: Research folds into "Other teams" with Applied (rule 4), so
    # nothing of Research alone shows.
    pulse = client.get("/impact/").context["report"].pulse
    assert [t.name for t in pulse.teams] == []
    assert "tiny secret" not in client.get("/impact/").content.decode()


def _teams_of_three(count: int) -> None:
    topic = _topic("Impact scale")
    for t in range(count):
        team = TeamFactory(name=f"Scale {t:02}", slug=f"scale-{t}")
        topic.home_teams.add(team)
        for p in range(3):
            person = _person(team, f"p{t}-{p}@example.com")
            _entry(person, LD, topic)
            _entry(person, LD - dt.timedelta(weeks=p + 1), topic)
            ClaimFactory(claimant=person, state="paid", approved_amount=Decimal("10.00"))
            item = ItemFactory(team=team, topic=topic)
            Progress.objects.create(user=person, item=item, state=Progress.State.DONE)
    impact_recompute()


@pytest.mark.parametrize("teams", [1, 30])
def test_the_page_runs_a_constant_number_of_queries(client, teams, django_assert_max_num_queries):
    _teams_of_three(teams)
    client.force_login(_leader())
    # At most 15 for the page (14 measured with the cache empty) and 14 for a CSV, with 1 team or 30.
    with django_assert_max_num_queries(15):
        assert client.get("/impact/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/impact/?page=2").status_code == 200
    with django_assert_max_num_queries(14):
        response = client.get("/impact/export.csv?table=money")
        assert response.status_code == 200
        b"".join(response.streaming_content)


def test_the_tables_by_team_show_25_teams_a_page_and_the_totals_and_csv_all(client):
    _teams_of_three(27)
    client.force_login(_leader())
    first, second = client.get("/impact/"), client.get("/impact/?page=2")
    names = [[row.team.name for row in r.context["report"].by_month] for r in (first, second)]
    assert names == [[f"Scale {t:02}" for t in range(25)], ["Scale 25", "Scale 26"]]
    assert [team for team, *_ in second.context["report"].money.by_team] == [
        r.team for r in second.context["report"].by_month
    ]
    # The totals are the organisation's on every page: 27 teams of 3 on the last Learning Day.
    for response in (first, second):
        last = response.context["report"].days[-1].tally
        assert (last.expected, last.posted) == (81, 81)
    page = second.content.decode()
    assert "teams 26–27 of 27" in page
    assert 'href="?page=1" rel="prev"' in page
    # Anything but a page number shows the first page, never an error.
    assert client.get("/impact/?page=x%00").context["report"].by_month[0].team.name == "Scale 00"
    rows = _csv(client.get("/impact/export.csv?table=outside"))
    assert len(rows) == 1 + 27


def test_a_saved_entry_updates_its_teams_week_at_once(org, django_capture_on_commit_callbacks):
    from logs.services import EntryData, entry_save

    impact_recompute()
    assert _row(org["robotics"]).posted == 1
    with django_capture_on_commit_callbacks(execute=True):
        entry_save(user=org["manager"], data=EntryData(day=LD, body="Read about Kalman filters.", topics=[]))
    row = _row(org["robotics"])
    assert (row.posted, row.entries) == (2, 3)
    assert SummaryRun.objects.get().as_of == AS_OF  # "as of" stays the last full run's


def test_before_the_first_run_a_saved_entry_computes_nothing(org, django_capture_on_commit_callbacks):
    from logs.services import EntryData, entry_save

    with django_capture_on_commit_callbacks(execute=True):
        entry_save(user=org["manager"], data=EntryData(day=LD, body="Read about Kalman filters.", topics=[]))
    assert not TeamDay.objects.exists()


def test_beat_computes_the_summaries_every_night():
    from django.conf import settings

    from growth import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["impact-summaries"]
    assert entry == {"task": "growth.tasks.compute_impact", "schedule": 24 * 60 * 60}
    assert tasks.compute_impact.name == entry["task"]


def test_the_print_stylesheet_leaves_out_navigation_filters_and_downloads():
    from pathlib import Path

    css = (Path(__file__).parents[2] / "static/css/site.css").read_text()
    section = css[css.index("/* --- impact page --- */") : css.index("/* --- end impact page --- */")]
    printed = section[section.index("@media print") :]
    for hidden in (".site-header", ".site-footer", ".impact-controls"):
        assert hidden in printed.split("display: none")[0]
    assert "break-inside: avoid" in printed


def _body(client, path="/impact/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_organisation_s_report_is_kept_and_a_second_view_reads_it(client, org, django_assert_max_num_queries):
    impact_recompute()
    client.force_login(_leader())
    first = _body(client)
    # Kept: the second view runs none of the report's queries, and shows the same report.
    with django_assert_max_num_queries(9):
        second = client.get("/impact/")
    assert "report" not in second.context
    # The same page, but for the (masked, so each time different) CSRF token of the sign-out form.
    unmasked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert unmasked.sub("", second.content.decode()) == unmasked.sub("", first)


def test_the_kept_report_is_never_older_than_the_figures(client, org, django_capture_on_commit_callbacks):
    from logs.services import EntryData, entry_save

    impact_recompute()
    client.force_login(_leader())
    year_of_robotics = re.compile(r'<th scope="row">Robotics</th>.*?\((\d+)/\d+\)', re.DOTALL)
    assert year_of_robotics.search(_body(client)).group(1) == "1"
    # A saved entry redoes its team's week: the next view shows it.
    with django_capture_on_commit_callbacks(execute=True):
        entry_save(user=org["manager"], data=EntryData(day=LD, body="Read about Kalman filters.", topics=[]))
    assert year_of_robotics.search(_body(client)).group(1) == "2"
    # A team renamed, a person renamed: the next view shows the new names.
    org["robotics"].name = "Robotics and Control"
    org["robotics"].save()
    new = _topic("Impact origami")
    FieldPickup.objects.create(user=org["ben"], topic=new, quarter=Quarter(2026, 4).first_day, found_on=AS_OF)
    impact_recompute()
    assert "Ben Tuesday: Impact origami" in _body(client)
    org["ben"].display_name = "Benedikt Tuesday"
    org["ben"].save()
    page = _body(client)
    assert "Robotics and Control" in page
    assert '<option value="robotics">Robotics and Control</option>' in page  # the kept team filter too
    assert "Benedikt Tuesday: Impact origami" in page and "Ben Tuesday" not in page


def test_the_organisation_s_kept_report_is_never_shown_to_a_manager(client, org):
    impact_recompute()
    client.force_login(_leader())
    assert "Research" in _body(client)
    client.force_login(org["manager"])
    page = _body(client)
    assert "Your teams&#x27; impact" in page or "Your teams' impact" in page
    assert "Rui Research" not in page
    assert not re.search(r"<th scope=\"row\">Research</th>", page)
    # Leadership picking one team is not the organisation's report either.
    client.force_login(_leader())
    picked = _body(client, "/impact/?team=robotics")
    assert not re.search(r"<th scope=\"row\">Research</th>", picked)
    # The team filter kept for the leadership (every team) is not the manager's (theirs only).
    assert '<option value="research">Research</option>' in picked
    client.force_login(org["manager"])
    assert '<option value="research">' not in _body(client, "/impact/?team=robotics")


def test_a_manager_s_kept_report_shows_the_next_claim_and_who_left(client, org, django_assert_max_num_queries):
    impact_recompute()
    client.force_login(org["manager"])
    assert client.get("/impact/").context["report"].money.total == Decimal("0")
    with django_assert_max_num_queries(10):
        assert "report" not in client.get("/impact/").context  # kept
    ClaimFactory(claimant=org["ana"], state="paid", approved_amount=Decimal("12.50"))
    report = client.get("/impact/").context["report"]
    assert report.money.total == Decimal("12.50")
    assert [members for _team, members, _s, _b in report.money.by_team] == [3]
    Membership.objects.filter(user=org["ben"], team=org["robotics"]).get().delete()
    report = client.get("/impact/").context["report"]
    assert [members for _team, members, _s, _b in report.money.by_team] == [2]
