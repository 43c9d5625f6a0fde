"""The pick-up rule and the outside-the-field share, on known data."""

import datetime as dt

import pytest

from growth.fields import Share, fields_picked_up, is_outside, outside_share, pickup_windows

THURSDAY = dt.date(2026, 12, 3)
ML, SYSTEMS, HISTORY = 1, 2, 3


def thursdays_back(n: int) -> dt.date:
    return THURSDAY - dt.timedelta(weeks=n)


def test_the_windows_are_the_last_13_learning_days_and_the_26_before():
    windows = pickup_windows(THURSDAY, weekday=3)
    assert windows.recent_start == thursdays_back(12)
    assert windows.before_start == thursdays_back(38)
    # On a Monday the last Learning Day is the Thursday before.
    assert pickup_windows(dt.date(2026, 12, 7), weekday=3).recent_start == thursdays_back(12)


def test_three_entries_in_the_last_13_learning_days_and_none_before_pick_up_a_field():
    windows = pickup_windows(THURSDAY, weekday=3)
    days = [(ML, thursdays_back(0)), (ML, thursdays_back(5)), (ML, thursdays_back(12))]
    assert fields_picked_up(days, windows=windows) == {ML}


def test_two_entries_are_not_enough():
    windows = pickup_windows(THURSDAY, weekday=3)
    assert fields_picked_up([(ML, thursdays_back(0)), (ML, thursdays_back(1))], windows=windows) == set()


def test_one_entry_in_the_26_learning_days_before_means_the_field_was_not_new():
    windows = pickup_windows(THURSDAY, weekday=3)
    recent = [(SYSTEMS, thursdays_back(n)) for n in (0, 1, 2)]
    assert fields_picked_up([*recent, (SYSTEMS, thursdays_back(38))], windows=windows) == set()
    # Older than the 26 before: long forgotten, so new again.
    assert fields_picked_up([*recent, (SYSTEMS, thursdays_back(39))], windows=windows) == {SYSTEMS}


def test_an_entry_on_another_day_counts_in_the_window_its_day_falls_in():
    windows = pickup_windows(THURSDAY, weekday=3)
    monday = thursdays_back(1) + dt.timedelta(days=4)
    days = [(HISTORY, thursdays_back(3)), (HISTORY, monday), (HISTORY, thursdays_back(12))]
    assert fields_picked_up(days, windows=windows) == {HISTORY}
    # The day before the window opens belongs to the 26 before.
    assert fields_picked_up([*days, (HISTORY, thursdays_back(12) - dt.timedelta(days=1))], windows=windows) == set()


def test_entries_after_today_do_not_count():
    windows = pickup_windows(THURSDAY, weekday=3)
    days = [(ML, thursdays_back(0)), (ML, thursdays_back(1)), (ML, THURSDAY + dt.timedelta(days=1))]
    assert fields_picked_up(days, windows=windows) == set()


@pytest.mark.parametrize(
    ("topics", "home", "verdict"),
    [
        ({HISTORY}, {ML}, True),
        ({HISTORY, ML}, {ML}, False),  # partly in the field is in the field
        ({ML}, {ML, SYSTEMS}, False),
        (set(), {ML}, None),  # no topic: cannot be told
        ({HISTORY}, set(), None),  # no home topics set: cannot be told
    ],
)
def test_an_entry_is_outside_when_none_of_its_topics_is_a_home_topic(topics, home, verdict):
    assert is_outside(topics, home) is verdict


def test_the_share_counts_only_entries_that_can_be_told():
    share = outside_share([{HISTORY}, {ML}, {SYSTEMS}, set(), {ML, HISTORY}], {ML, SYSTEMS})
    assert share == Share(outside=1, counted=4)
    assert share.percent == 25
    assert outside_share([{HISTORY}], set()) == Share(0, 0)
    assert Share(0, 0).percent == 0
    assert share + Share(3, 4) == Share(4, 8)
