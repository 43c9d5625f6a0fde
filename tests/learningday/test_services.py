"""The person's own profile, changed through its service."""

import pytest

from learningday.models import User
from learningday.services import LearningDayError, ProfileData, profile_update

pytestmark = pytest.mark.django_db


def test_a_person_changes_their_name_time_zone_and_reminder_emails(member):
    profile_update(
        user=member,
        data=ProfileData(
            display_name="  Tom B. ", timezone="Pacific/Auckland", remind_morning=False, receive_digest=False
        ),
    )
    stored = User.objects.get(pk=member.pk)
    assert (stored.display_name, stored.timezone) == ("Tom B.", "Pacific/Auckland")
    assert (stored.remind_morning, stored.remind_nudge, stored.receive_digest) == (False, True, False)
    assert (member.display_name, member.timezone, member.remind_morning) == ("Tom B.", "Pacific/Auckland", False)


def test_the_profile_leaves_email_and_roles_alone(member):
    profile_update(user=member, data=ProfileData(display_name="Tom", timezone="UTC"))
    stored = User.objects.get(pk=member.pk)
    assert (stored.email, stored.is_staff, stored.is_active) == ("member@example.com", False, True)


def test_an_unknown_time_zone_is_refused_on_its_field_and_nothing_changes(member):
    with pytest.raises(LearningDayError, match="is not a time zone") as refused:
        profile_update(user=member, data=ProfileData(display_name="Tom B.", timezone="Mars/Olympus_Mons"))
    assert refused.value.field == "timezone"
    stored = User.objects.get(pk=member.pk)
    assert (stored.display_name, stored.timezone) == ("Tom Member", "Europe/Berlin")


def test_a_name_longer_than_the_column_is_refused_on_its_field(member):
    with pytest.raises(LearningDayError, match="100 characters") as refused:
        profile_update(user=member, data=ProfileData(display_name="T" * 101, timezone="UTC"))
    assert refused.value.field == "display_name"
    assert User.objects.get(pk=member.pk).display_name == "Tom Member"


def test_reminders_by_slack_need_slack_and_the_hours_their_bounds(member):
    with pytest.raises(LearningDayError, match="once your Slack user is connected") as refused:
        profile_update(user=member, data=ProfileData(display_name="Tom", timezone="UTC", reminders_via="slack"))
    assert refused.value.field == "reminders_via"
    with pytest.raises(LearningDayError, match="from 07:00 to 11:00") as refused:
        profile_update(user=member, data=ProfileData(display_name="Tom", timezone="UTC", morning_hour=12))
    assert refused.value.field == "morning_hour"
    with pytest.raises(LearningDayError, match="from 13:00 to 18:00") as refused:
        profile_update(user=member, data=ProfileData(display_name="Tom", timezone="UTC", nudge_hour=3))
    assert refused.value.field == "nudge_hour"
    assert User.objects.get(pk=member.pk).reminders_via == "email"

    profile_update(
        user=member,
        data=ProfileData(display_name="Tom", timezone="UTC", reminders_via="both", morning_hour=8, nudge_hour=16),
        slack=True,
    )
    stored = User.objects.get(pk=member.pk)
    assert (stored.reminders_via, stored.morning_hour, stored.nudge_hour) == ("both", 8, 16)
