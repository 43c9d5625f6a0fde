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
