"""Streaks and participation, on cases small enough to check by hand."""

import datetime as dt

import pytest

from learningday.models import Membership
from logs import selectors
from logs.models import Away
from tests.factories import EntryFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# Learning Days (Thursdays) of late 2026.
T = {n: dt.date(2026, 11, 26) - dt.timedelta(weeks=n) for n in range(16)}  # T[0] = 26 Nov, T[1] = 19 Nov, ...
JOINED = dt.datetime(2026, 8, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def person(db):
    return UserFactory(email="streaker@example.com", date_joined=JOINED)


def log(user, *days, crowded=False):
    for day in days:
        EntryFactory(author=user, day=day, crowded_out=crowded)


def test_streak_counts_consecutive_learning_days_with_an_entry(person):
    log(person, T[1], T[2], T[3], T[5])
    assert selectors.streak(person, today=dt.date(2026, 11, 24)) == 3  # Tuesday after T[1]


def test_today_without_an_entry_yet_does_not_break_the_streak(person):
    log(person, T[1], T[2])
    assert selectors.streak(person, today=T[0]) == 2
    log(person, T[0])
    assert selectors.streak(person, today=T[0]) == 3


def test_a_missed_learning_day_ends_the_streak(person):
    log(person, T[2], T[3])
    assert selectors.streak(person, today=dt.date(2026, 11, 24)) == 0


def test_days_away_neither_count_nor_break_the_streak(person):
    log(person, T[1], T[3], T[4])
    Away.objects.create(user=person, start=T[2] - dt.timedelta(days=2), end=T[2] + dt.timedelta(days=2))
    assert selectors.streak(person, today=dt.date(2026, 11, 24)) == 3


def test_entries_on_other_days_do_not_make_a_streak(person):
    log(person, T[1] + dt.timedelta(days=1), T[2] + dt.timedelta(days=1))
    assert selectors.streak(person, today=dt.date(2026, 11, 24)) == 0


def test_the_streak_starts_when_the_person_joined(db):
    newcomer = UserFactory(date_joined=dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC))
    log(newcomer, T[1], T[2])  # 19 and 12 November; joined on the 10th
    assert selectors.streak(newcomer, today=dt.date(2026, 11, 24)) == 2


def test_year_of_learning_days_marks_each_day(person):
    log(person, T[1])
    log(person, T[2], crowded=True)
    Away.objects.create(user=person, start=T[3], end=T[3])
    marks = selectors.year_of_learning_days(person, today=T[0])
    assert len(marks) == 52
    assert marks[-1].day == T[0]
    assert [m.status for m in marks[-5:]] == ["missed", "away", "crowded", "logged", "today"]
    assert marks[0].status == "before"  # a year ago, before they joined


# --- Participation -----------------------------------------------------------------


@pytest.fixture
def crew(team):
    """Four people in a team, on the Tuesday 24 November 2026."""
    people = {}
    for name in ("ann", "ben", "cat", "dan"):
        people[name] = UserFactory(email=f"{name}@example.com", display_name=name.title(), date_joined=JOINED)
        MembershipFactory(user=people[name], team=team, joined_at=JOINED)
    return people


def test_participation_on_a_hand_made_team(team, crew):
    ann, ben, cat, _dan = crew.values()
    # The last three Learning Days before Tuesday 24 November: 5, 12 and 19 November.
    log(ann, T[1], T[2], T[3])
    log(ben, T[1], crowded=True)
    log(ben, T[2] + dt.timedelta(days=1))  # Friday 13 November: not a Learning Day
    Away.objects.create(user=cat, start=T[2], end=T[2])
    log(cat, T[3])
    report = selectors.participation(team, today=dt.date(2026, 11, 24), count=3)

    assert [d.day for d in report.days] == [T[3], T[2], T[1]]
    rows = {row.user.email: row for row in report.rows}
    assert rows["ann@example.com"].cells == ["logged", "logged", "logged"]
    assert rows["ben@example.com"].cells == ["missed", "missed", "crowded"]
    assert rows["cat@example.com"].cells == ["logged", "away", "missed"]
    assert rows["dan@example.com"].cells == ["missed", "missed", "missed"]
    assert (rows["ann@example.com"].posted, rows["ann@example.com"].expected) == (3, 3)
    assert rows["cat@example.com"].rate == pytest.approx(1 / 2)
    assert rows["ben@example.com"].off_day_posts == 1
    assert rows["ben@example.com"].crowded == 1
    # Per day: 5 Nov 2 of 4; 12 Nov 1 of 3 (cat away); 19 Nov 2 of 4.
    assert [(d.posted, d.expected) for d in report.days] == [(2, 4), (1, 3), (2, 4)]
    assert report.rate == pytest.approx(5 / 11)
    assert report.silent_days == []
    assert report.crowded == 1
    assert [(u.email, day) for u, day in report.off_day_entries] == [("ben@example.com", T[2] + dt.timedelta(days=1))]


def test_a_learning_day_nobody_posted_on_is_silent(team, crew):
    log(crew["ann"], T[1])
    report = selectors.participation(team, today=dt.date(2026, 11, 24), count=2)
    assert report.silent_days == [T[2]]


def test_people_who_joined_later_are_not_counted_as_missing(team, crew):
    late = UserFactory(email="late@example.com", date_joined=JOINED)
    MembershipFactory(user=late, team=team, joined_at=dt.datetime(2026, 11, 16, tzinfo=dt.UTC))
    report = selectors.participation(team, today=dt.date(2026, 11, 24), count=2)
    row = next(r for r in report.rows if r.user == late)
    assert row.cells == ["before", "missed"]


def test_today_is_not_counted_as_missed_until_it_is_over(team, crew):
    report = selectors.participation(team, today=T[0], count=1)
    assert [row.cells for row in report.rows] == [["today"]] * 4
    assert report.days[0].expected == 0
    assert report.rate is None


def test_managers_see_their_own_teams_participation_and_finance_none(manager, finance_user, member, team, other_team):
    assert list(selectors.teams_for_participation(manager)) == [team]
    assert list(selectors.teams_for_participation(finance_user)) == []
    assert list(selectors.teams_for_participation(member)) == []
    assert Membership.objects.filter(user=manager).get().role == "manager"


# --- Search ----------------------------------------------------------------------------------


def test_search_finds_entries_however_they_were_written(person):
    """On PostgreSQL a trigger keeps the stored search vector: bulk inserts and edits included."""
    from logs.models import Entry

    Entry.objects.bulk_create([Entry(author=person, day=T[1], body="Zebra crossings", body_html="<p>Zebra</p>")])
    edited = EntryFactory(author=person, day=T[2], body="Giraffe necks")
    edited.body = "Okapi stripes"
    edited.save()
    visible = selectors.entries_visible_to(person)
    assert [e.body for e in selectors.search(visible, "zebra")] == ["Zebra crossings"]
    assert not selectors.search(visible, "giraffe").exists()
    assert [e.body for e in selectors.search(visible, "okapi")] == ["Okapi stripes"]
