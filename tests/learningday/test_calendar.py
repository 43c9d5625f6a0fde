import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learningday import calendar

THURSDAY = 3
UTC = dt.UTC


def test_same_instant_is_thursday_in_auckland_and_wednesday_in_los_angeles():
    # 2026-12-02 20:00 UTC: Thursday 09:00 in Auckland (NZDT, +13), Wednesday 12:00 in LA (PST, -8).
    instant = dt.datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    auckland = calendar.local_date("Pacific/Auckland", at=instant)
    los_angeles = calendar.local_date("America/Los_Angeles", at=instant)
    assert auckland == dt.date(2026, 12, 3)
    assert los_angeles == dt.date(2026, 12, 2)
    assert calendar.is_learning_day(auckland, weekday=THURSDAY)
    assert not calendar.is_learning_day(los_angeles, weekday=THURSDAY)


def test_thursday_ends_in_auckland_while_it_begins_in_los_angeles():
    # 2026-12-03 11:30 UTC: Friday 00:30 in Auckland, Thursday 03:30 in LA.
    instant = dt.datetime(2026, 12, 3, 11, 30, tzinfo=UTC)
    assert calendar.local_date("Pacific/Auckland", at=instant) == dt.date(2026, 12, 4)
    assert calendar.local_date("America/Los_Angeles", at=instant) == dt.date(2026, 12, 3)


def test_local_date_follows_daylight_saving_change():
    # Berlin leaves summer time on 2026-10-25 at 01:00 UTC; 23:30 UTC is then 00:30 the next day.
    assert calendar.local_date("Europe/Berlin", at=dt.datetime(2026, 10, 24, 21, 30, tzinfo=UTC)) == dt.date(
        2026, 10, 24
    )
    assert calendar.local_date("Europe/Berlin", at=dt.datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == dt.date(
        2026, 10, 26
    )


def test_local_date_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="aware"):
        calendar.local_date("UTC", at=dt.datetime(2026, 12, 3, 12, 0))


def test_user_today_uses_the_persons_time_zone(django_user_model, db):
    person = django_user_model(email="kiwi@example.com", timezone="Pacific/Auckland")
    assert calendar.user_today(person, at=dt.datetime(2026, 12, 2, 20, 0, tzinfo=UTC)) == dt.date(2026, 12, 3)


def test_next_and_previous_learning_day():
    wednesday, thursday, friday = dt.date(2026, 12, 2), dt.date(2026, 12, 3), dt.date(2026, 12, 4)
    assert calendar.next_learning_day(wednesday, weekday=THURSDAY) == thursday
    assert calendar.next_learning_day(thursday, weekday=THURSDAY) == thursday
    assert calendar.next_learning_day(thursday, weekday=THURSDAY, inclusive=False) == dt.date(2026, 12, 10)
    assert calendar.previous_learning_day(friday, weekday=THURSDAY) == thursday
    assert calendar.previous_learning_day(thursday, weekday=THURSDAY) == thursday
    assert calendar.previous_learning_day(thursday, weekday=THURSDAY, inclusive=False) == dt.date(2026, 11, 26)


def test_next_learning_day_crosses_the_year():
    assert calendar.next_learning_day(dt.date(2026, 12, 31), weekday=THURSDAY, inclusive=False) == dt.date(2027, 1, 7)


def test_learning_days_between_includes_both_ends():
    days = list(calendar.learning_days_between(dt.date(2026, 11, 26), dt.date(2026, 12, 10), weekday=THURSDAY))
    assert days == [dt.date(2026, 11, 26), dt.date(2026, 12, 3), dt.date(2026, 12, 10)]
    assert list(calendar.learning_days_between(dt.date(2026, 12, 4), dt.date(2026, 12, 9), weekday=THURSDAY)) == []


def test_the_weekday_comes_from_settings_by_default(settings):
    settings.LEARNING_DAY_WEEKDAY = 0  # Monday
    assert calendar.is_learning_day(dt.date(2026, 11, 30))
    assert not calendar.is_learning_day(dt.date(2026, 12, 3))
    assert calendar.next_learning_day(dt.date(2026, 12, 3)) == dt.date(2026, 12, 7)


@given(
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
    weekday=st.integers(min_value=0, max_value=6),
)
def test_next_and_previous_are_the_nearest_learning_days(day, weekday):
    following = calendar.next_learning_day(day, weekday=weekday)
    preceding = calendar.previous_learning_day(day, weekday=weekday)
    assert calendar.is_learning_day(following, weekday=weekday)
    assert calendar.is_learning_day(preceding, weekday=weekday)
    assert 0 <= (following - day).days < 7
    assert 0 <= (day - preceding).days < 7


@given(
    instant=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(UTC)),
    tz=st.sampled_from(["Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati", "UTC"]),
)
def test_local_date_is_within_a_day_of_the_utc_date(instant, tz):
    local = calendar.local_date(tz, at=instant)
    assert abs((local - instant.date()).days) <= 1
    assert local == instant.astimezone(zoneinfo.ZoneInfo(tz)).date()
