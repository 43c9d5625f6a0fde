import datetime as dt

import pytest

pytestmark = pytest.mark.django_db

# 2026-12-02 20:00 UTC: Thursday morning in Auckland, Wednesday noon in Los Angeles.
INSTANT = dt.datetime(2026, 12, 2, 20, 0, tzinfo=dt.UTC)


@pytest.mark.frozen(INSTANT)
@pytest.mark.parametrize(
    ("tz", "expected", "next_day"),
    [
        ("Pacific/Auckland", "Today is Learning Day", "Thursday 10 December"),
        ("America/Los_Angeles", "Today is not a Learning Day", "Thursday 3 December"),
    ],
)
def test_dashboard_says_whether_today_is_learning_day_in_the_persons_time_zone(client, member, tz, expected, next_day):
    member.timezone = tz
    member.save(update_fields=["timezone"])
    client.force_login(member)
    body = client.get("/").content.decode()
    assert expected in body
    assert next_day in body
    assert tz in body


@pytest.mark.frozen(dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC))
def test_dashboard_follows_the_organisations_weekday(member_client, settings):
    settings.LEARNING_DAY_WEEKDAY = 2  # Wednesday
    body = member_client.get("/").content.decode()
    assert "Today is Learning Day" in body
    assert "Wednesday 9 December" in body
