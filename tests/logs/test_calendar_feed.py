"""The personal calendar feed: what a calendar app reads at the secret address, and the link's reset."""

import datetime as dt

import icalendar
import pytest
from django.test import Client

from learningday.models import Holiday
from logs import services
from logs.models import Away, CalendarFeed
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.frozen]  # Tuesday 24 November 2026 in Berlin


@pytest.fixture
def feed(member):
    return services.calendar_feed_reset(user=member)


def _fetch(url: str) -> icalendar.Calendar:
    """The calendar at ``url`` as a calendar app gets it: no session, no cookie."""
    response = Client().get(url)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def _events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def _by_summary(cal: icalendar.Calendar, summary: str) -> list[icalendar.Event]:
    return [event for event in cal.walk("VEVENT") if str(event["SUMMARY"]) == summary]


def test_the_feed_holds_each_learning_day_of_the_window_as_an_all_day_event(feed):
    cal = _fetch(feed.url)
    assert cal["VERSION"] == "2.0"
    days = [event.start for event in _by_summary(cal, "Learning Day")]
    # Eight weeks back (from Tuesday 29 September) to a year ahead (Wednesday 24 November 2027).
    assert days[0] == dt.date(2026, 10, 1)
    assert days[-1] == dt.date(2027, 11, 18)
    assert len(days) == 60
    assert all(day.weekday() == 3 for day in days)  # the organisation's Thursday
    assert dt.date(2026, 11, 26) in days
    for event in _by_summary(cal, "Learning Day"):
        assert type(event.start) is dt.date  # all-day: a date, not a time
        assert event.end == event.start + dt.timedelta(days=1)
        assert event["DTSTAMP"]
        assert str(event["URL"]).endswith("/logs/new/")


def test_holidays_are_shown_and_leave_out_that_learning_day(feed):
    Holiday.objects.create(date=dt.date(2026, 12, 24), name="Christmas Eve")  # a Thursday
    Holiday.objects.create(date=dt.date(2027, 1, 1), name="New Year's Day")  # a Friday
    Holiday.objects.create(date=dt.date(2026, 9, 1), name="Too long ago")
    Holiday.objects.create(date=dt.date(2028, 1, 1), name="Too far ahead")
    cal = _fetch(feed.url)
    holidays = {event.start: str(event["SUMMARY"]) for event in cal.walk("VEVENT") if "Holiday" in event["SUMMARY"]}
    assert holidays == {dt.date(2026, 12, 24): "Holiday: Christmas Eve", dt.date(2027, 1, 1): "Holiday: New Year's Day"}
    learning_days = {event.start for event in _by_summary(cal, "Learning Day")}
    assert dt.date(2026, 12, 24) not in learning_days
    assert {dt.date(2026, 12, 17), dt.date(2026, 12, 31)} <= learning_days


def test_the_persons_away_days_are_events_from_first_to_last_day(feed, member):
    Away.objects.create(user=member, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 4), note="NeurIPS")
    Away.objects.create(user=member, start=dt.date(2026, 9, 20), end=dt.date(2026, 10, 2))  # runs into the window
    Away.objects.create(user=member, start=dt.date(2026, 8, 1), end=dt.date(2026, 8, 14), note="Summer, long ago")
    cal = _fetch(feed.url)
    away = sorted(
        (event.start, event.end, str(event["SUMMARY"])) for event in cal.walk("VEVENT") if "Away" in event["SUMMARY"]
    )
    # DTEND of an all-day event is the day after the last (RFC 5545).
    assert away == [
        (dt.date(2026, 9, 20), dt.date(2026, 10, 3), "Away"),
        (dt.date(2026, 12, 1), dt.date(2026, 12, 5), "Away: NeurIPS"),
    ]


def test_only_the_tokens_owners_away_days_appear(feed, member, outsider, manager):
    Away.objects.create(user=member, start=dt.date(2026, 12, 7), end=dt.date(2026, 12, 8), note="Mine")
    Away.objects.create(user=manager, start=dt.date(2026, 12, 7), end=dt.date(2026, 12, 8), note="Manager's trip")
    Away.objects.create(user=outsider, start=dt.date(2026, 12, 9), end=dt.date(2026, 12, 9), note="Outsider's leave")
    body = Client().get(feed.url).content.decode()
    assert "Away: Mine" in body
    assert "Manager" not in body
    assert "Outsider" not in body
    theirs = services.calendar_feed_reset(user=outsider)
    body = Client().get(theirs.url).content.decode()
    assert "Away: Outsider's leave" in body
    assert "Mine" not in body


def test_uids_are_stable_across_fetches_so_calendar_apps_update_instead_of_duplicating(feed, member, frozen):
    Holiday.objects.create(date=dt.date(2026, 12, 24), name="Christmas Eve")
    Away.objects.create(user=member, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 4))
    first = _events(_fetch(feed.url))
    frozen.move_to(dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC))
    second = _events(_fetch(feed.url))
    assert first.keys() == second.keys()
    assert len(first) == 60 - 1 + 1 + 1  # Learning Days less Christmas Eve, the holiday, the away days
    for uid, event in first.items():
        assert (second[uid].start, second[uid].end, str(second[uid]["SUMMARY"])) == (
            event.start,
            event.end,
            str(event["SUMMARY"]),
        )
    # A week later the window has moved, and the days still in it keep their UIDs.
    frozen.move_to(dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC))
    later = _events(_fetch(feed.url))
    assert len(first.keys() & later.keys()) == len(first) - 1
    # Each person's events are their own, so two people's feeds in one calendar app never clash.
    theirs = _events(_fetch(services.calendar_feed_reset(user=UserFactory()).url))
    assert not first.keys() & theirs.keys()


def test_the_window_is_the_persons_own_today(member, frozen):
    # Wednesday 25 November, 11:30 in Auckland while it is still Tuesday in Berlin.
    frozen.move_to(dt.datetime(2026, 11, 24, 22, 30, tzinfo=dt.UTC))
    kiwi = UserFactory(timezone="Pacific/Auckland")
    berliner = services.calendar_feed_reset(user=member)
    kiwi_days = [
        event.start for event in _by_summary(_fetch(services.calendar_feed_reset(user=kiwi).url), "Learning Day")
    ]
    berlin_days = [event.start for event in _by_summary(_fetch(berliner.url), "Learning Day")]
    assert berlin_days[-1] == dt.date(2027, 11, 18)  # a year from Tuesday 24 November
    assert kiwi_days[-1] == dt.date(2027, 11, 25)  # a year from Wednesday 25 November


def test_the_response_is_a_calendar_file_that_shared_caches_do_not_keep(feed):
    response = Client().get(feed.url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="learning-day.ics"'
    assert set(response["Cache-Control"].split(", ")) == {"private", "max-age=3600"}
    cal = icalendar.Calendar.from_ical(response.content)
    assert cal["X-WR-CALNAME"] == "Learning Day"
    assert cal["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    assert Client().head(feed.url).status_code == 200
    assert Client().post(feed.url).status_code == 405


def test_the_feed_reads_a_fixed_number_of_queries(feed, member, django_assert_max_num_queries):
    for week in range(20):
        start = dt.date(2026, 12, 1) + dt.timedelta(weeks=week)
        Away.objects.create(user=member, start=start, end=start)
        Holiday.objects.create(date=start + dt.timedelta(days=1), name=f"Holiday {week}")
    with django_assert_max_num_queries(3):  # the person, the holidays, the away days
        assert Client().get(feed.url).status_code == 200


# --- The secret address -------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["wrong", "x" * 43, "x" * 500])
def test_a_wrong_token_is_not_found(feed, token):
    assert Client().get(f"/logs/calendar/{token}.ics").status_code == 404


def test_a_deactivated_persons_feed_is_not_found(feed, member):
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert Client().get(feed.url).status_code == 404


def test_reset_makes_the_old_address_stop_working_and_the_new_one_work(member_client, feed):
    old_url = feed.url
    response = member_client.post("/logs/calendar/reset/", follow=True)
    assert response.redirect_chain[-1][0] == "/profile/#calendar-heading"
    new = CalendarFeed.objects.get(user=feed.user)
    assert new.token != feed.token
    assert Client().get(old_url).status_code == 404
    assert Client().get(new.url).status_code == 200
    body = response.content.decode()
    assert "the old one no longer works" in body
    assert new.url in body


def test_reset_answers_post_only_and_changes_nothing_on_get(member_client, feed):
    assert member_client.get("/logs/calendar/reset/").status_code == 405
    assert CalendarFeed.objects.get().token == feed.token


def test_reset_changes_only_the_signed_in_persons_link(client, feed, outsider):
    client.force_login(outsider)
    client.post("/logs/calendar/reset/")
    assert CalendarFeed.objects.get(user=feed.user).token == feed.token
    assert CalendarFeed.objects.filter(user=outsider).exists()
    assert Client().get(feed.url).status_code == 200


def test_tokens_are_long_random_and_unique(member, outsider):
    tokens = {services.calendar_feed_reset(user=person).token for person in (member, outsider, member)}
    assert len(tokens) == 3
    assert all(len(token) >= 43 for token in tokens)


# --- The profile page ---------------------------------------------------------------------------


def test_the_profile_offers_a_link_to_someone_without_one(member_client, member):
    body = member_client.get("/profile/").content.decode()
    assert "Get a calendar link" in body
    assert "Reset the link" not in body
    response = member_client.post("/logs/calendar/reset/", follow=True)
    feed = CalendarFeed.objects.get(user=member)
    body = response.content.decode()
    assert "Your calendar link is ready" in body
    assert feed.url in body
    assert feed.webcal_url in body
    assert "Reset the link" in body


def test_the_profile_shows_the_persons_own_address_only(client, feed, outsider):
    client.force_login(outsider)
    body = client.get("/profile/").content.decode()
    assert feed.token not in body
    assert "Get a calendar link" in body
